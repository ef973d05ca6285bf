"""The report as sentences: each with its chunk, where its figures come from, and its pages.

Built once per index build and cached (`load_report`). Each sentence carries its source (the report's own panel
survey, the trust chief executives' survey, or an external statistic with the footnote the report gives), its
content-word stems (with those of the sentence it refers back to, so "The clinic has seen 700 patients" is about
the clinic an earlier sentence names), and, in the PDF edition, its printed pages. The claim checker
(rag.check) and the figure table (rag.figure_table) both read it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from rag import claims, figures
from rag.schema import Chunk, Figure
from rag.settings import Settings
from rag.text import STOPWORDS, sentences, split_sentences, stem, words

DATE_UNITS = ("date", "year", "financial year")
_SURVEY_CUES = re.compile(
    r"\b(?:survey(?:ed)?|panel|respondents?|leaders (?:told|said|say|predict)|of our leaders|of leaders|"
    r"members told us)\b",
    re.I,
)
_TRUST_CUES = re.compile(r"\b(?:NHS Providers|trust chief executives)\b")
_EXTERNAL_CUES = re.compile(
    r"\b(?:according to|data|statistics|study|audit|analysis|Office for National Statistics|ONS|"
    r"Health Foundation|King's Fund|Institute)\b"
)


@dataclass
class Sentence:
    """One sentence of one chunk, with the footnotes its markers point to."""

    chunk: Chunk
    text: str
    position: int  # index of the sentence in its chunk
    prev: str = ""  # the sentence before it in the chunk, for figures stated across two sentences
    footnotes: list[int] = field(default_factory=list)
    source: dict = field(default_factory=dict)
    stems: frozenset = frozenset()

    @property
    def context(self) -> str:
        return f"{self.prev} {self.text}".strip()


def _marker_positions(raw: str) -> list[tuple[int, int]]:
    """(position, footnote number) of every footnote marker in a raw paragraph."""
    sup = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
    out = [(m.start(), int(m.group(0).translate(sup))) for m in re.finditer(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", raw)]
    # The web edition writes markers as a bare number after the punctuation: "data. 8".
    for m in re.finditer(r"(?<=[.,;’”'\")])[ \t]+(\d{1,2})(?=[ \t]+[A-Z“‘\"]|\s*$)", raw):
        out.append((m.start(), int(m.group(1))))
    return sorted(out)


def _sentence_footnotes(chunk: Chunk, source_text: str | None) -> dict[int, list[int]]:
    """Which sentence of the chunk each of its footnote markers follows."""
    from rag.ingest import clean_text

    if not chunk.footnotes or not source_text:
        return {}
    spans = split_sentences(chunk.text)
    found: dict[int, list[int]] = {}
    for s, e in chunk.paragraph_spans:
        raw = source_text[s:e]
        for pos, n in _marker_positions(raw):
            if n not in chunk.footnotes:
                continue
            before = clean_text(raw[:pos])[0][-40:]
            at = chunk.text.find(before) if before else -1
            if at < 0:
                continue
            end = at + len(before) - 1
            for i, (a, b) in enumerate(spans):
                if a <= end < b + 1:
                    found.setdefault(i, []).append(n)
                    break
    return found


def _classify(sent: str, prev: str, section: str, notes: list[int], footnotes: dict[str, str]) -> dict:
    if notes:
        n = notes[-1]
        return {"kind": "external", "reference": footnotes.get(str(n)), "footnote": n}
    top = section.split(" › ")[0]
    if _TRUST_CUES.search(sent) or (_TRUST_CUES.search(prev) and prev.rstrip().endswith(":")):
        return {"kind": "trust_ceo_survey", "reference": None, "footnote": None}
    if top == "Survey findings" or "What have NHS leaders told us?" in section or _SURVEY_CUES.search(sent):
        return {"kind": "survey_panel", "reference": None, "footnote": None}
    if _EXTERNAL_CUES.search(sent):
        return {"kind": "external", "reference": None, "footnote": None}
    return {"kind": "report", "reference": None, "footnote": None}


def sentence_stems(text: str) -> frozenset:
    return frozenset(stem(w) for w in words(text) if w not in STOPWORDS and not w[:1].isdigit())


def build_sentences(chunks: list[Chunk], footnotes: dict[str, dict[str, str]], sources: dict[str, str]) -> list[Sentence]:
    out: list[Sentence] = []
    for chunk in chunks:
        marks = _sentence_footnotes(chunk, sources.get(chunk.edition))
        prev = ""
        earlier: list[str] = []
        for i, text in enumerate(sentences(chunk.text)):
            notes = marks.get(i, [])
            # A sentence that the next one's marker also covers ("3.1 ... This was more than double (1.4).²").
            if not notes and i + 1 in marks and figures.find_figures(text):
                nxt = sentences(chunk.text)[i + 1]
                if text and sentence_stems(text) & sentence_stems(nxt) and not any(f for f in figures.find_figures(nxt) if f.unit == "%"):
                    notes = marks[i + 1]
            src = _classify(text, prev, chunk.section, notes, footnotes.get(chunk.edition, {}))
            stems = sentence_stems(text)
            # "The clinic has seen 700 patients": matched with the clinic an earlier sentence names.
            stems = stems | sentence_stems(claims.antecedent(text, earlier))
            out.append(Sentence(chunk, text, i, prev, notes, src, stems))
            prev = text
            earlier.append(text)
    return out


@dataclass
class Report:
    """What the checker and the figure table need from the index, without the vectors."""

    chunks: list[Chunk]
    footnotes: dict[str, dict[str, str]]
    pages: dict[str, dict[str, str]]
    sentences: list[Sentence]
    idf: dict[str, float]
    by_chunk: dict[str, list[Sentence]]
    published: int  # year the report was published (latest date in its front matter)
    discrepancies: list[dict] | None = None  # computed on first use

    def __post_init__(self) -> None:
        # A word the report never uses weighs as much as its rarest word.
        self.max_idf = max(self.idf.values(), default=1.0)


def make_report(chunks, footnotes, pages, sources) -> Report:
    sents = build_sentences(chunks, footnotes, sources)
    df: dict[str, int] = {}
    for s in sents:
        for w in s.stems:
            df[w] = df.get(w, 0) + 1
    n = max(1, len(sents))
    idf = {w: math.log(1 + n / c) for w, c in df.items()}
    by_chunk: dict[str, list[Sentence]] = {}
    for s in sents:
        by_chunk.setdefault(s.chunk.id, []).append(s)
    published = figures.publication_year(s.text for s in sents if s.chunk.section == "Front matter")
    return Report(chunks, footnotes, pages, sents, idf, by_chunk, published)


@lru_cache(maxsize=4)
def _report_from_disk(index_dir: str, build: str, source_paths: tuple[str, ...]) -> Report:
    from pathlib import Path

    from rag.ingest import edition_name, read_source

    build_dir = Path(index_dir) / build
    chunks = [Chunk.from_dict(json.loads(line))
              for line in (build_dir / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    meta = json.loads((build_dir / "footnotes.json").read_text(encoding="utf-8"))
    sources = {edition_name(Path(p)): read_source(Path(p)) for p in source_paths}
    return make_report(chunks, meta["footnotes"], meta.get("pages", {}), sources)


def load_report(settings: Settings) -> Report:
    """The report's sentences from the index on disk; builds the index only when it is missing or stale."""
    from rag import index

    if index.staleness(settings) is not None:
        index.load(settings)  # needs the embedding model, but only this once
    manifest = json.loads((settings.index_dir / index.MANIFEST).read_text())
    return _report_from_disk(str(settings.index_dir), manifest["build"], tuple(str(p) for p in settings.sources))


def report_for(assistant) -> Report:
    rep = assistant.__dict__.get("_check_report")
    if rep is None:
        idx = assistant.index
        rep = make_report(idx.chunks, idx.footnotes, idx.pages, idx.sources)
        assistant.__dict__["_check_report"] = rep
    return rep


def pages_of(chunk: Chunk, rep: Report) -> str | None:
    if chunk.pages:
        return chunk.pages
    return rep.pages.get(chunk.edition, {}).get(chunk.section.split(" › ")[0]) if chunk.edition == "pdf" else None


# ---------------------------------------------------------------------------
# Which words a figure measures


def figure_words(text: str, fig: Figure, figs: list[Figure]) -> frozenset:
    """The stems that say what `fig` measures: its clause, up to the neighbouring figures of its kind.

    "72% predict a rise in demand" measures what follows it; "community mental
    health services (73 per cent)" the noun phrase before it; "four in five of
    our panel (80 per cent) disagreed" is one figure stated twice.
    """
    family = sorted([g for g in figs if _comparable(g, fig)] + ([fig] if fig not in figs else []), key=lambda g: g.start)
    # Merge restatements: a bracketed figure a few words after one of its kind.
    groups: list[list[Figure]] = []
    for g in family:
        gap = text[groups[-1][-1].end:g.start] if groups else ""
        if groups and gap.rstrip().endswith("(") and ")" not in gap and len(words(gap)) <= 5:
            groups[-1].append(g)
        else:
            groups.append([g])
    i = next(i for i, grp in enumerate(groups) if any(g is fig for g in grp))
    first, last = groups[i][0], groups[i][-1]
    prev_end = groups[i - 1][-1].end if i else 0
    next_start = groups[i + 1][0].start if i + 1 < len(groups) else len(text)
    left, inner, right = text[prev_end:first.start], text[first.end:last.start], text[last.end:next_start]
    if re.search(r"\(\s*$", left):
        # "community mental health services (CAMHS) (73 per cent)": the noun phrase before the bracket.
        phrase = re.sub(r"\([A-Za-z]+\)\s*\(\s*$|\(\s*$", "", left)
        left = re.split(r"[,;:()]|\b(?:and|or|were|was|are|is|with)\b", phrase)[-1]
        right = ""
    elif not [w for w in words(left) if w not in STOPWORDS]:
        left = ""
    lw = [w for w in words(left) if w not in STOPWORDS and not w[:1].isdigit()][-8:]
    rw = [w for w in words(inner + " " + right) if w not in STOPWORDS and not w[:1].isdigit()][:10]
    return frozenset(stem(w) for w in lw + rw)


def _comparable(a: Figure, b: Figure) -> bool:
    if a.unit in DATE_UNITS or b.unit in DATE_UNITS:
        return False
    return a.unit == b.unit


def value_figures(text: str) -> list[Figure]:
    return [f for f in figures.find_figures(text) if f.unit not in DATE_UNITS and not figures.is_trivial(f)]


def date_figures(text: str) -> list[Figure]:
    return [f for f in figures.find_figures(text) if f.unit in DATE_UNITS]


def _weight(stems_: frozenset | set, rep: Report) -> float:
    return sum(rep.idf.get(w, rep.max_idf) for w in stems_)


@lru_cache(maxsize=8192)
def _prefixes(have: frozenset) -> frozenset:
    return frozenset(h[:5] for h in have if len(h) >= 5)


def _covered(want: frozenset, have: frozenset) -> frozenset:
    """The wanted stems a text has; a five-letter shared prefix counts ("vacant" meets "vacancy")."""
    prefixes = _prefixes(have)
    return frozenset(w for w in want if w in have or (len(w) >= 5 and w[:5] in prefixes))


def coverage(want: frozenset, have: frozenset, rep: Report) -> float:
    """Share of the wanted stems, weighted by rarity in the report, that a text has.

    A word the report never uses weighs the most: a claim about dentistry is
    not about a sentence that shares only "waiting times" with it.
    """
    total = _weight(want, rep)
    return _weight(_covered(want, have), rep) / total if total else 0.0
