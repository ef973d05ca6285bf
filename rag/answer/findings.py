"""Survey findings as lists: the findings of a survey topic a question names, in the survey's summary or in the
sub-section nearest the question, and the findings a chapter's "What have NHS leaders told us?" gives on what is
asked ("the survey results about managing public expectations")."""

from __future__ import annotations

import re

from rag.answer.candidates import (
    Context,
    bullet_items,
    reading_edition,
    score_floor,
    terms_all,
    title_fit,
)
from rag.answer.features import Candidate, share
from rag.answer.question import topic_aliases
from rag.answer.wording import normalise_question
from rag.ingest import CHAPTER_PARTS, TOP_LEVEL
from rag.schema import QuestionPlan
from rag.sentence_table import doc_of

SURVEY = TOP_LEVEL[2][0]  # "Survey findings"

ASKS_FINDINGS = re.compile(r"\b(?:find|found|findings?|results|numbers|stats?|statistics|figures|percentages)\b", re.I)


_SURVEYED = re.compile(r"\b(?:survey|panel|poll)\b", re.I)
# Asking for the survey or its numbers. Dev: 2 right, 0 wrong, and 3 more lists more complete, against every list
# reading the survey findings too.
ASKS_SURVEY = re.compile(r"\b(?:survey|panel|poll|stats?|statistics|numbers|figures|per ?cent|%|share|proportion|how many)", re.I)


def survey_topic(question: str, plan: QuestionPlan, cands: list[Candidate], ctx: Context) -> list[list[int]]:
    """The findings of the survey topic a question about the survey names by its title ("all the panel numbers on
    demand for care": Survey findings › Demand for care), wherever its sentences rank."""
    if not _SURVEYED.search(question) or not cands:
        return []
    doc, edition = reading_edition(cands, plan, ctx.index.sentences)
    topics = _survey_topics(question, doc, edition, ctx)
    if len(topics) >= 2:
        table = ctx.index.sentences
        return [item for sub in topics for item in bullet_items(table.by_section[(doc, edition, sub)], table.rows)]
    items, named = nearest_sub_list(question, doc, edition, SURVEY, ctx)
    return items if named else []


# "... the survey results on the white paper, the Health Secretary's powers and regulation?": the topics asked about.
_TOPICS_ASKED = re.compile(r"\b(?:on|about|regarding|around|covering)\s+(.+?)\s*(?:[?.!]|$)", re.I)
_TOPIC_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+|&\s+)?(?:on\s+|about\s+)?|\s+(?:and|&)\s+(?:on\s+|about\s+)?", re.I)
TOPIC_FIT = 0.5  # weighted share of a topic's words a survey sub-section must hold to be that topic's (not tuned)


def _survey_topics(question: str, doc: str, edition: str, ctx: Context) -> list[str]:
    """The survey sub-sections of each topic a question names ("on workforce and on funding": Workforce, Funding),
    in report order; each topic is the sub-section holding most of its words, by title or by finding."""
    m = _TOPICS_ASKED.search(normalise_question(question))
    if not m:
        return []
    table = ctx.index.sentences
    subs = _survey_subsections(doc, edition, ctx)
    words = {s: set(terms_all(s.split(" › ")[-1]) + topic_aliases(s.split(" › ")[-1])
                    + [w for r in table.by_section[(doc, edition, s)] for w in terms_all(table.rows[r].text)]) for s in subs}
    found: list[str] = []
    for topic in _TOPIC_SEPARATOR.split(m.group(1)):
        asked = list(dict.fromkeys(terms_all(topic) + topic_aliases(topic)))
        fits = {s: share(asked, words[s], ctx.weight) for s in subs}
        best = max(subs, key=lambda s: fits[s], default=None)
        if best is not None and fits[best] >= TOPIC_FIT and best not in found:
            found.append(best)
    return sorted(found, key=subs.index)


def nearest_sub_list(question: str, doc: str, edition: str, section: str, ctx: Context) -> tuple[list[list[int]], bool]:
    """The bulleted items of the sub-section of `section` the question names by its title ("the workforce survey
    findings"), else of the one with the sentence nearest the question; and whether the question named it."""
    table = ctx.index.sentences
    best, items, named = -1.0, [], False
    for sub in table.sections(doc, edition):
        if sub.startswith(section + " › "):
            rows = table.by_section[(doc, edition, sub)]
            sub_items = bullet_items(rows, table.rows)
            titled = title_fit(question, sub.split(" › ")[-1]) == 1.0
            near = float((table.vectors[rows] @ ctx.qv).max()) + float(titled)
            if len(sub_items) >= 2 and near > best:
                best, items, named = near, sub_items, titled
    return items, named


def _survey_subsections(doc: str, edition: str, ctx: Context) -> list[str]:
    """The survey's sub-sections, its topics ("Survey findings › Demand for care", "… › Workforce"), in report order."""
    return [s for s in ctx.index.sentences.sections(doc, edition) if s.startswith(SURVEY + " › ")]


# Findings of the panel, asked by their name or by who gave them.
_OF_THE_PANEL = re.compile(r"\b(?:survey|panel|poll|leaders|respondents|findings|results)\b", re.I)
TOLD_PART = CHAPTER_PARTS[1]  # "What have NHS leaders told us?": a chapter's survey findings
_EVERY = re.compile(r"\b(?:all|every|each|full|complete)\b", re.I)
_SHARE = re.compile(r"\d+ ?(?:per ?cent|%)|\b(?:one|two|three|four|five|six|seven|eight|nine) in (?:three|four|five|ten)\b", re.I)


def chapter_findings(question: str, cands: list[Candidate], ctx: Context) -> tuple[float, list[list[int]]] | None:
    """The survey findings a chapter gives on the topic asked about, one item each, with the best one's score: the
    shares stated in the paragraph of the best sentence stating one, and those of its section that score as
    well ("the survey results about managing public expectations": 82, 73 and 79 per cent)."""
    if not ASKS_FINDINGS.search(question) or not _OF_THE_PANEL.search(question) or not cands:
        return None  # "Give me the stats on staff vacancies": the report's figures, not the panel's
    topic = _TOPICS_ASKED.search(question)
    asked = set(terms_all(topic.group(1))) if topic else set()
    first = cands[0].sentence
    if asked and any(asked <= set(terms_all(t.split(" › ")[-1]))
                     for t in _survey_subsections(doc_of(first.chunk_id), first.edition, ctx)):
        return None  # "the survey findings about demand": a topic of the survey's own, "Demand for care"
    best = next((c for c in cands if c.sentence.section.endswith(TOLD_PART) and _SHARE.search(c.sentence.text)), None)
    # "every stat", "all the findings": each share the section states, however it scores.
    every = bool(_EVERY.search(question))
    if best is None or best.score < score_floor(cands[0], ctx) and not every:
        return None
    table, floor = ctx.index.sentences, score_floor(best, ctx)
    scores = {c.row: c.score for c in cands}
    s = best.sentence
    rows = [r for r in table.by_section[(doc_of(s.chunk_id), s.edition, s.section)]
            if _SHARE.search(table.rows[r].text) and (every or table.rows[r].para == s.para or scores.get(r, 0.0) >= floor)]
    return (best.score, [[r] for r in rows]) if len(rows) >= 2 else None


# "Where were leaders NOT confident?", "which headline results show leaders lacking confidence?": the survey's
# summary lines stating a share that is not confident, across its topics.
_LACKS_CONFIDENCE = re.compile(r"\b(?:not|n['’]t) (?:feel )?confident\b|\black(?:s|ed|ing)? (?:of )?confidence\b|\bno confidence\b", re.I)


def not_confident_findings(question: str, plan: QuestionPlan, cands: list[Candidate], ctx: Context) -> list[list[int]]:
    """The survey summary's findings of leaders not confident, in report order, when a list question about the
    survey asks where they lack confidence; none otherwise."""
    if not cands or not _LACKS_CONFIDENCE.search(normalise_question(question)) or not ASKS_SURVEY.search(question):
        return []
    table = ctx.index.sentences
    doc, edition = reading_edition(cands, plan, table)
    return [[r] for sub in table.sections(doc, edition) if sub.startswith(SURVEY)
            for r in table.by_section[(doc, edition, sub)]
            if table.rows[r].kind == "bullet" and _LACKS_CONFIDENCE.search(table.rows[r].text)]
