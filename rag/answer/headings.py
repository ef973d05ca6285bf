"""Lists the report gives only in its headings: its chapters ("the six main themes of the report"), its outline
("what sections is it divided into?") and the sub-sections of a part ("the topic areas the survey results are split
into"), each quoted from the heading where it stands in the source."""

from __future__ import annotations

import dataclasses
import re

from rag.answer.candidates import Context, passage_for, point_title, preferred_edition, terms_all, title_fit
from rag.answer.core import citation_for, verify_figures
from rag.answer.lists import LIST_WORDS
from rag.ingest import CHAPTER_PARTS, PAGE_FURNITURE
from rag.schema import Answer, Citation, Passage, QuestionPlan
from rag.sentence_table import doc_of

_TITLES = re.compile(r"\b(?:chapters?|themes|areas|sections|parts|headings|topics|issues)\b", re.I)
_SPLIT = re.compile(r"\b(?:split|divided|broken(?: down)?|organi[sz]ed|grouped) (?:up )?into\b|\bheadings\b|\bsections\b|"
                    r"\b(?:topics|themes|areas)\b[^?]*\bcover(?:s|ed)?\b", re.I)  # "what topics did the survey cover?"
_OUTLINE = re.compile(r"\b(?:sections|parts|headings)\b", re.I)
# Words of a question that asks for the whole report's chapters and nothing narrower.
_WHOLE = set(terms_all(
    "report manifesto document say says said identified identifies six seven main key major big action actions cover "
    "covers covered into split divided organised organized grouped broken down have has contain contains include "
    "includes chapters themes areas sections parts headings topics pdf web edition version need needed now just only "
    "please pls issues shape define recovery should")) | LIST_WORDS
HEADING_BEFORE = 600  # characters before a section's first chunk in which its heading is looked for
HEADING_WORDS = 12  # a line this short is a heading, quoted whole ("Survey findings: the views of healthcare leaders")


def section_titles(question: str, plan: QuestionPlan, passages: list[Passage], ctx: Context,
                   qid: str | None) -> Answer | None:
    """The titles the question asks for, each quoted from its heading and cited; None when it asks for none."""
    if not _TITLES.search(question):
        return None
    table = ctx.index.sentences
    where = (doc_of(passages[0].chunk.id), passages[0].chunk.edition) if passages else ("manifesto", "web")
    doc, edition, _ = preferred_edition((*where, ""), plan, table)
    sections = table.sections(doc, edition)
    parts = list(dict.fromkeys(s.split(" › ")[0] for s in sections if " › " in s))
    named = [p for p in parts if title_fit(question, p) >= 0.5] if _SPLIT.search(question) else []
    if named:
        part = max(named, key=lambda p: title_fit(question, p))
        titles = [(s.split(" › ")[-1], s) for s in sections if s.startswith(part + " › ")]
    elif set(plan.terms) <= _WHOLE:
        if _OUTLINE.search(question):
            # "What sections is the report divided into?": its outline, front and back matter aside.
            tops = [t for t in dict.fromkeys(s.split(" › ")[0] for s in sections) if t not in PAGE_FURNITURE]
            titles = [(t, t if t in sections else next(s for s in sections if s.startswith(t + " › "))) for t in tops]
        else:
            # Its chapters or themes: those with a challenge, findings and asks.
            titles = [(p, f"{p} › {CHAPTER_PARTS[0]}") for p in parts if f"{p} › {CHAPTER_PARTS[0]}" in sections]
    else:
        return None
    if len(titles) < 2:
        return None
    citations: list[Citation] = []
    lines: list[str] = []
    for title, section in titles:
        first = table.rows[table.by_section[(doc, edition, section)][0]]
        passage = passage_for(first, ctx, passages)
        citation = _heading_citation(title, passage, len(citations) + 1, ctx)
        # A heading the source words otherwise ("Number 1 / Population health: ...") is shown by the section's
        # first sentence, which is a quote.
        citation = citation or citation_for(passage, len(citations) + 1, first.text, ctx.index.sources)
        citations.append(citation)
        lines.append(f"- {citation.quote} [{citation.n}]")
    answer = Answer(id=qid, question=question, answer="\n".join(lines), abstained=False, citations=citations,
                    mode="extractive", plan=plan)
    answer.figures = verify_figures(answer.answer, citations)
    return answer


def _heading_citation(title: str, passage: Passage, n: int, ctx: Context) -> Citation | None:
    """A citation of the heading of a section: the last line before the section's first chunk that holds its title
    (the whole line when it is short, else the title's words as the source writes them); None when none does."""
    source = ctx.index.sources.get(passage.chunk.edition)
    if not source:
        return None
    words = point_title(title)[1]  # "1. Population health": the source numbers its points otherwise
    start = max(0, passage.chunk.start - HEADING_BEFORE)
    found = list(re.finditer(re.escape(words), source[start:passage.chunk.start + len(words)], re.I))
    if not found:
        return None
    m = found[-1]
    a, b = start + m.start(), start + m.end()
    line_start, line_end = source.rfind("\n", 0, a) + 1, source.find("\n", b)
    line = source[line_start:line_end if line_end >= 0 else len(source)]
    if len(line.split()) <= HEADING_WORDS:
        a = line_start + len(line) - len(line.lstrip())
        b = line_start + len(line.rstrip())
    quote = source[a:b]
    return dataclasses.replace(citation_for(passage, n, quote, ctx.index.sources), start=a, end=b)
