"""Section-aware chunks: consecutive paragraphs of one section, within the model's window.

A chunk never crosses a section. A paragraph longer than the budget is split at
sentence ends in its raw source text, so every chunk's spans still re-clean to
exactly its text (`chunk_source_text`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable

from rag.ingest import Edition, clean_text
from rag.schema import Chunk, Paragraph, Section

CHUNKER_VERSION = "3"
# Paragraph kinds that carry the report's content (footnote entries are kept
# apart for the figure sources; chart notes are content in their own right).
_CHUNKED_KINDS = {"text", "bullet", "quote", "note"}
_SENTENCE_END = re.compile(r"(?:(?<=[.!?][’”'\")])|(?<=[.!?]))\s+(?=[A-Z“‘\"])")

TokenCounter = Callable[[str], int]


def chunk_id(doc_id: str, edition: str, section: str, text: str) -> str:
    # Content-addressed: the same text in the same place keeps its id across builds.
    digest = hashlib.sha1(f"{doc_id}|{edition}|{section}|{text}".encode()).hexdigest()[:10]
    return f"{doc_id}:{edition}:{digest}"


def chunk_edition(ed: Edition, count_tokens: TokenCounter, max_tokens: int, doc_id: str = "manifesto") -> list[Chunk]:
    chunks: list[Chunk] = []
    for sec in ed.sections:
        chunks.extend(chunk_section(ed.text, sec, count_tokens, max_tokens, doc_id))
    return chunks


def chunk_section(
    source: str, sec: Section, count_tokens: TokenCounter, max_tokens: int, doc_id: str
) -> list[Chunk]:
    # Budget the section path too: it is embedded with every chunk.
    budget = max_tokens - count_tokens(sec.path_str) - 2
    pieces: list[tuple[str, list[list[int]], list[int]]] = []
    for para in sec.paragraphs:
        if para.kind not in _CHUNKED_KINDS:
            continue
        pieces.extend(_fit_paragraph(source, para, count_tokens, budget))
    out: list[Chunk] = []
    group: list[tuple[str, list[list[int]], list[int]]] = []
    for piece in pieces:
        candidate = " ".join(p[0] for p in group + [piece])
        if group and count_tokens(candidate) > budget:
            out.append(_make_chunk(sec, group, doc_id))
            group = []
        group.append(piece)
    if group:
        out.append(_make_chunk(sec, group, doc_id))
    return out


def _fit_paragraph(
    source: str, para: Paragraph, count_tokens: TokenCounter, budget: int
) -> Iterable[tuple[str, list[list[int]], list[int]]]:
    if count_tokens(para.text) <= budget:
        yield para.text, para.spans, para.footnotes
        return
    # Split each raw span at sentence ends, then pack sentences up to the budget.
    sentences: list[tuple[str, list[int]]] = []
    for start, end in para.spans:
        raw = source[start:end]
        cut = start
        for m in _SENTENCE_END.finditer(raw):
            sentences.append((raw[cut - start:m.start()], [cut, start + m.start()]))
            cut = start + m.end()
        sentences.append((raw[cut - start:], [cut, end]))
    packed: list[list[list[int]]] = []
    texts: list[str] = []
    sentences = [part for sentence in sentences for part in _split_long(sentence, count_tokens, budget)]
    for raw_piece, span in sentences:
        text = clean_text(raw_piece)[0]
        if not text:
            continue
        if texts and count_tokens(texts[-1] + " " + text) <= budget:
            texts[-1] += " " + text
            packed[-1].append(span)
        else:
            texts.append(text)
            packed.append([span])
    for text, spans in zip(texts, packed):
        yield text, spans, para.footnotes


def _split_long(
    sentence: tuple[str, list[int]], count_tokens: TokenCounter, budget: int
) -> list[tuple[str, list[int]]]:
    """Split a sentence longer than the budget at spaces, so nothing is truncated."""
    raw, (start, _) = sentence
    if count_tokens(clean_text(raw)[0]) <= budget:
        return [sentence]
    parts: list[tuple[str, list[int]]] = []
    cut = 0
    last_fit = None
    for m in re.finditer(r"\s+", raw):
        if count_tokens(clean_text(raw[cut:m.start()])[0]) > budget and last_fit is not None:
            parts.append((raw[cut:last_fit[0]], [start + cut, start + last_fit[0]]))
            cut = last_fit[1]
        if _keeps_marks(raw[cut:m.start()], raw[m.end():]):
            last_fit = (m.start(), m.end())
    parts.append((raw[cut:], [start + cut, start + len(raw)]))
    return parts


def _keeps_marks(before: str, after: str) -> bool:
    """Whether cutting between `before` and `after` leaves clean_text's footnote marks as they were.

    A bare number after punctuation is a footnote mark when a capital follows it; cut
    just after it, it would always look like one (and be dropped), cut just before
    it, never (and be kept as a word).
    """
    number_ends = re.search(r"[.,;’”'\")]\s+\d{1,2}$", before)
    if number_ends:
        return bool(re.match(r"[A-Z“‘\"]", after))
    return not (re.search(r"[.,;’”'\")]$", before) and re.match(r"\d{1,2}\s+[A-Z“‘\"]", after))


def _make_chunk(sec: Section, group: list[tuple[str, list[list[int]], list[int]]], doc_id: str) -> Chunk:
    text = " ".join(p[0] for p in group)
    spans = [span for p in group for span in p[1]]
    notes = sorted({n for p in group for n in p[2]})
    return Chunk(
        id=chunk_id(doc_id, sec.edition, sec.path_str, text),
        doc_id=doc_id,
        edition=sec.edition,
        section=sec.path_str,
        text=text,
        start=spans[0][0],
        end=spans[-1][1],
        paragraph_spans=spans,
        footnotes=notes,
        pages=sec.pages,
    )


def chunk_source_text(source: str, chunk: Chunk) -> str:
    """Re-clean a chunk's raw spans; equals `chunk.text` for every chunk we make."""
    return " ".join(t for t in (clean_text(source[s:e])[0] for s, e in chunk.paragraph_spans) if t)
