"""Offline metrics for the eval harness: no model, no LLM judge, just text and figures.

Every function here is pure so the harness, the calibration sweep and the
tests share one definition of "right".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np

from rag import figures
from rag.schema import Answer, Citation, Passage

SEP = " › "
VERDICTS = ("supported", "contradicted", "not_found")
# What a question asks for: the kinds `QuestionPlan.kind` takes, and the gold kinds (those plus unanswerable).
PLAN_KINDS = ("figure", "comparison", "list", "narrative", "summary", "document")
KINDS = (*PLAN_KINDS, "unanswerable")


def normalise(text: str) -> str:
    """Lower-case text with one spelling for dashes, quotes, "per cent" and thousands commas."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[‐‑‒–—―-]", " ", text)
    text = re.sub(r"[‘’]", "'", text)
    text = re.sub(r"[“”]", '"', text)
    text = re.sub(r"\s*(?:per\s?cent|percent)\b", "%", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _text_has(form: str, text_norm: str) -> bool:
    form_norm = normalise(form)
    if not form_norm:
        return False
    return re.search(r"(?<!\w)" + re.escape(form_norm) + r"(?!\w)", text_norm) is not None


def _figures_cover(form: str) -> list:
    """The form's figures, when they account for the whole form ("59 per cent"), else []."""
    figs = figures.find_figures(form)
    if not figs:
        return []
    residue = figures.cut_out(form, figs)
    # "June to September 2021" leaves "June to": the figures miss part of what the form states.
    return [] if re.search(r"\w", residue) else figs


def form_in(form: str, text: str, text_figures: list | None = None, text_norm: str | None = None) -> bool:
    """Whether an accepted form of a figure is stated in `text`, normalised."""
    text_figures = figures.find_figures(text) if text_figures is None else text_figures
    figs = _figures_cover(form)
    if figs and all(figures.appears_in(f, text_figures) for f in figs):
        return True
    return _text_has(form, normalise(text) if text_norm is None else text_norm)


def groups_found(groups: Sequence[Sequence[str]], text: str) -> list[bool]:
    """For each group of accepted forms, whether any form is in `text`."""
    text = figures.strip_citation_markers(text)
    text_figures = figures.find_figures(text)
    text_norm = normalise(text)
    return [any(form_in(f, text, text_figures, text_norm) for f in group) for group in groups]


def keywords_found(keywords: Sequence[str], text: str) -> list[bool]:
    text_norm = normalise(text)
    return [_text_has(k, text_norm) for k in keywords]


def items_found(groups: Sequence[Sequence[str]], text: str) -> list[bool]:
    """For each expected list item (a group of alternative phrases), whether any phrase is in `text`, as keywords are."""
    text_norm = normalise(text)
    return [any(_text_has(phrase, text_norm) for phrase in group) for group in groups]


def completeness(found: Sequence[bool]) -> float | None:
    """Share of expected items found; None when none were expected."""
    return round(sum(found) / len(found), 4) if found else None


def section_matches(section: str, supporting: Iterable[str]) -> bool:
    """A chunk's section is under a supporting path ("Key points" holds "Key points › x")."""
    return any(section == s or section.startswith(s + SEP) for s in supporting)


def supports(chunk_id: str, section: str, supporting: Sequence[str]) -> bool:
    """A gold `supporting` entry names either a section path or a chunk id."""
    return chunk_id in supporting or section_matches(section, supporting)


def measurable(supporting: Sequence[str], groups: Sequence[Sequence[str]]) -> bool:
    """Retrieval can only be scored when the gold item says what a relevant passage holds."""
    return bool(supporting) or bool(groups)


def passage_relevant(p: Passage, supporting: Sequence[str], groups: Sequence[Sequence[str]]) -> bool:
    chunks = [p.chunk, *p.also]
    if supporting and any(supports(c.id, c.section, supporting) for c in chunks):
        return True
    if groups:
        return any(all(groups_found(groups, c.text)) for c in chunks)
    return False


def first_relevant_rank(passages: Sequence[Passage], supporting: Sequence[str], groups: Sequence[Sequence[str]]) -> int | None:
    for rank, p in enumerate(passages, 1):
        if passage_relevant(p, supporting, groups):
            return rank
    return None


def answer_figures(answer: Answer) -> list:
    """Every figure the answer states, citation markers removed."""
    return figures.find_figures(figures.strip_citation_markers(answer.answer))


def unsupported_figures(answer: Answer) -> list[str]:
    """Figures stated in the answer that no cited quote states (must always be empty)."""
    if answer.abstained or answer.error:
        return []
    quotes = [figures.find_figures(c.quote) for c in answer.citations]
    return [f.text for f in answer_figures(answer) if not any(figures.appears_in(f, q) for q in quotes)]


def citation_precision(answer: Answer) -> float | None:
    """Share of citations whose quote states a figure the answer states (None when no figures)."""
    stated = [f for f in answer_figures(answer) if not figures.is_trivial(f)]
    if answer.abstained or not stated or not answer.citations:
        return None
    good = sum(1 for c in answer.citations if any(figures.appears_in(f, c.quote) for f in stated))
    return good / len(answer.citations)


def citation_relevance(citations: Sequence[Citation], supporting: Sequence[str], groups: Sequence[Sequence[str]],
                       sections: dict[str, str]) -> float | None:
    """Share of citations in a supporting section (or its twin's) or quoting every expected figure."""
    if not citations or not (supporting or groups):
        return None
    good = 0
    for c in citations:
        ids = [c.chunk_id, *c.also]
        secs = [c.section] + [sections[i] for i in c.also if i in sections]
        in_gold = any(i in supporting for i in ids) or any(section_matches(s, supporting) for s in secs)
        if in_gold or (groups and all(groups_found(groups, c.quote))):
            good += 1
    return good / len(citations)


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "mean": None}
    arr = np.asarray(values, dtype=float)
    return {
        "p50": round(float(np.percentile(arr, 50)), 2),
        "p95": round(float(np.percentile(arr, 95)), 2),
        "mean": round(float(arr.mean()), 2),
    }


def mean(values: Iterable[float | bool | None]) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return round(sum(vals) / len(vals), 4) if vals else None


def ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def confusion(rows: Sequence[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """expected -> predicted -> count, over the three verdicts plus anything else predicted."""
    labels = list(VERDICTS) + sorted({p for _, p in rows if p not in VERDICTS})
    matrix = {e: dict.fromkeys(labels, 0) for e in VERDICTS}
    for expected, predicted in rows:
        matrix.setdefault(expected, dict.fromkeys(labels, 0))
        matrix[expected][predicted] = matrix[expected].get(predicted, 0) + 1
    return matrix


def kind_confusion(rows: Sequence[tuple[str, str | None]]) -> dict[str, dict[str, int]]:
    """gold kind -> planned kind -> count; rows only for the gold kinds present, a missing plan counted as "none"."""
    pairs = [(gold, predicted or "none") for gold, predicted in rows]
    golds = [k for k in KINDS if any(g == k for g, _ in pairs)] + sorted({g for g, _ in pairs} - set(KINDS))
    labels = [*PLAN_KINDS, "none"] + sorted({p for _, p in pairs} - {*PLAN_KINDS, "none"})
    matrix = {g: dict.fromkeys(labels, 0) for g in golds}
    for gold, predicted in pairs:
        matrix[gold][predicted] += 1
    return matrix
