"""Every sentence of the report with its place (section, paragraph, bullet or not), built with the index.

Answers are composed from sentences, not chunks: a bullet list is one item per
paragraph, a narrative answer reads on from the sentence that announces it. The
sentences are embedded once at build time (`sentences.npy`, float32, no pickle)
so the answer stage can compare them with the question's vector, which retrieval
has already computed.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from rag.schema import Chunk, Section, Sentence
from rag.text import sentences

_KINDS = {"text", "bullet", "quote", "note"}  # the paragraph kinds chunks are made of


@dataclass
class SentenceTable:
    rows: list[Sentence]
    vectors: np.ndarray  # one unit-normalised row per sentence
    by_chunk: dict[str, list[int]] = field(default_factory=dict)
    by_section: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)  # (doc, edition, section)

    def __post_init__(self) -> None:
        for i, s in enumerate(self.rows):
            self.by_chunk.setdefault(s.chunk_id, []).append(i)
            self.by_section.setdefault((doc_of(s.chunk_id), s.edition, s.section), []).append(i)

    def sections(self, doc: str, edition: str) -> list[str]:
        """Section paths of one edition in report order."""
        return list(dict.fromkeys(s for (d, e, s) in self.by_section if d == doc and e == edition))


def doc_of(chunk_id: str) -> str:
    return chunk_id.split(":", 1)[0]


def build_rows(sections: list[Section], chunks: list[Chunk]) -> list[Sentence]:
    """Sentences of the parsed report sections, then of chunks no section covers (added documents)."""
    by_section: dict[tuple[str, str], list[Chunk]] = {}
    for c in chunks:
        by_section.setdefault((c.edition, c.section), []).append(c)
    rows: list[Sentence] = []
    covered: set[str] = set()
    for sec in sections:
        own = by_section.get((sec.edition, sec.path_str), [])
        para_no = 0
        for para in sec.paragraphs:
            if para.kind not in _KINDS:
                continue
            for pos, text in enumerate(_sentences(para.text)):
                chunk = next((c for c in own if text in c.text), None)
                if chunk is None:  # a sentence the chunker cut at a window boundary: keep the chunk holding most of it
                    chunk = max(own, key=lambda c: len(set(text.split()) & set(c.text.split())), default=None)
                if chunk is None:
                    continue
                covered.add(chunk.id)
                rows.append(Sentence(chunk.id, sec.edition, sec.path_str, para_no, pos, para.kind, text))
            para_no += 1
    for c in chunks:
        if c.id in covered:
            continue
        for pos, text in enumerate(_sentences(c.text)):
            rows.append(Sentence(c.id, c.edition, c.section, 0, pos, "text", text))
    _mark_highlights(rows, [h for sec in sections for h in sec.highlights])
    return rows


HIGHLIGHT_SHARE = 0.7  # of a pull quote's words a sentence must hold to be the one it restates


def _mark_highlights(rows: list[Sentence], pull_quotes: list[str]) -> None:
    """Mark, in each edition, the sentences a pull quote restates: those holding most of its words. Pull quotes are
    dropped from the text at ingest (they repeat it), but they are the report's own choice of what matters, which a
    summary of a chapter should carry. Either edition's pull quotes mark both: the PDF sets more of them apart."""
    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9£%]+", text.lower().replace("’", "'"))

    by_edition: dict[str, list[tuple[Sentence, set[str]]]] = {}
    for row in rows:
        by_edition.setdefault(row.edition, []).append((row, set(words(row.text))))
    for quote in dict.fromkeys(pull_quotes):
        wanted = words(quote)
        if len(wanted) < 4 or re.match(r"\d+\.\s", quote):
            continue  # a stray callout, or a point's title repeated beside it ("3. Whole-system solutions: ...")
        for pool in by_edition.values():
            shares = [sum(w in have for w in wanted) / len(wanted) for _, have in pool]
            best = max(shares, default=0.0)
            for (row, _), share in zip(pool, shares):
                if best >= HIGHLIGHT_SHARE and share == best:
                    row.highlight = True


def _sentences(text: str) -> list[str]:
    """Sentences, with a bare item number ("1.", "2.") kept on the sentence it numbers."""
    out: list[str] = []
    carry = ""
    for sent in sentences(text):
        if re.fullmatch(r"\(?\d{1,2}[.)]", sent):
            carry += sent + " "
            continue
        out.append(carry + sent)
        carry = ""
    return out + ([carry.strip()] if carry else [])


def save(directory: Path, rows: list[Sentence], vectors: np.ndarray) -> None:
    with open(directory / "sentences.jsonl", "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
    np.save(directory / "sentences.npy", vectors.astype("float32"), allow_pickle=False)


def load(directory: Path) -> SentenceTable:
    rows = [
        Sentence(**json.loads(line))
        for line in (directory / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    vectors = np.load(directory / "sentences.npy", allow_pickle=False)
    if len(vectors) != len(rows):
        raise ValueError(f"{len(vectors)} sentence vectors for {len(rows)} sentences")
    return SentenceTable(rows, vectors)
