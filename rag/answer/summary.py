"""Summaries (the key points, or a named chapter's challenge, findings and first asks) and questions about the document itself
(title, publisher, date, editions, formats, licence), quoted from the report's own front and back matter."""

from __future__ import annotations

import re

from rag import figures
from rag.answer.candidates import (
    Context,
    bullet_items,
    candidates_at,
    case_study_sections,
    label_skip,
    point_title,
    preferred_edition,
    quote,
    title_fit,
)
from rag.answer.core import abstain
from rag.answer.lists import case_studies
from rag.answer.names import named_subjects, names_in
from rag.answer.question import point_numbers, topic_aliases
from rag.answer.wording import terms
from rag.ingest import CHAPTER_PARTS
from rag.schema import Answer
from rag.sentence_table import doc_of

SUMMARY_SENTENCES = 4  # a chapter summary: its leading sentences (3 or 4 chosen on dev, 4 hit more keywords)
CHALLENGE_SENTENCES = 2  # of a themed chapter's summary: its challenge's opening sentences,
TOLD_SENTENCES = 3  # the openings of what leaders told us (1 to 4 tried on dev; 3 carries their findings, 4 adds none)
SUMMARY_ASKS = 3  # and the first of its asks
CASE_STUDY_SENTENCES = 2  # of each case study a summary covers
CASE_STUDY_PARAGRAPHS = 6  # a summary of one case study: the openings of its first paragraphs


def summary_answer(question, plan, passages, ctx, qid) -> Answer:
    """The key points' opening sentences; for a named chapter, that chapter in brief."""
    table = ctx.index.sentences
    doc = doc_of(passages[0].chunk.id) if passages else "manifesto"
    edition = preferred_edition((doc, passages[0].chunk.edition if passages else "web", "Key points"), plan, table)[1]
    sections = table.sections(doc, edition)
    chapter = _chapter(plan, passages, sections, ctx) if plan.chapter or plan.terms else None
    studies = case_studies(question, plan, (doc, edition), ctx)
    study = _one_case_study(question, table, doc, edition, ctx) if not studies else []
    if study is None:
        # "Summarise the Leeds case study": the report has none.
        answer = abstain(question, passages, ctx.settings, ctx.index.sources, qid)
        answer.notes.append(f"No case study in the report is about {' or '.join(named_subjects(question))}.")
        return answer
    if studies:
        # "A quick rundown of the case studies": each study's opening, which names who did what.
        picked = [r for rows in studies for r in rows[:CASE_STUDY_SENTENCES]]
    elif study:
        # "Summarise the Cambridgeshire and Peterborough case study": the opening of each of its paragraphs, and
        # of a short one the sentences after them, to SUMMARY_SENTENCES.
        openings = [r for r in study if table.rows[r].pos == 0][:CASE_STUDY_PARAGRAPHS]
        picked = sorted(openings + [r for r in study if r not in openings][:max(0, SUMMARY_SENTENCES - len(openings))])
    elif chapter is None:
        rows = table.by_section.get((doc, edition, "Key points"), [])
        items = bullet_items(rows, table.rows) or [[r] for r in rows]
        # Each key point's opening, and the sentence giving its figure when another one does ("The waiting list
        # is now at 5.61 million ..."), and any sentence a pull quote restates ("a 'generational change' in our
        # approach"): the report's own summary with its numbers. Dev: no answer flips, keyword hit 0.731 -> 0.736.
        picked = [r for item in items for r in item[:1] + _first_figure(table, item[1:])]
        picked = sorted(set(picked) | {r for item in items for r in item if table.rows[r].highlight})
    else:
        picked = _chapter_sentences(question, table, doc, edition, chapter, sections)
    if not picked:
        return abstain(question, passages, ctx.settings, ctx.index.sources, qid)
    picks = candidates_at(plan, picked, [], passages, ctx)
    return quote(question, plan, picks, ctx, qid, variants=False, as_list=chapter is None)


_ONE_CASE_STUDY = re.compile(r"\bcase[ -]study\b", re.I)


def _one_case_study(question: str, table, doc: str, edition: str, ctx: Context) -> list[int] | None:
    """The rows of the one case study a question asks about ("the Cambridgeshire and Peterborough case study"): of
    those naming what the question names, the one whose sentences are nearest the question; [] when it asks about
    no case study, None when no case study names what it names ("the Leeds case study")."""
    if not _ONE_CASE_STUDY.search(question):
        return []
    studies = [table.by_section[(doc, edition, s)] for s in case_study_sections(table, doc, edition)]
    names = named_subjects(question)
    studies = [rows for rows in studies if all(names_in(n, _about_study(table, rows)) for n in names)]
    if not studies:
        return None
    return max(studies, key=lambda rows: float((table.vectors[rows] @ ctx.qv).max()))


def _about_study(table, rows: list[int]) -> str:
    """What a case study is about: its section's title and its first sentence."""
    return f"{table.rows[rows[0]].section} {table.rows[rows[0]].text}"


def _states_figure(text: str) -> bool:
    """A share, a sum or a large count ("5.61 million", "93,000 NHS vacancies"), not a date or "18 months"."""
    return any(f.kind in ("percent", "money") or (f.kind in ("number", "count") and (f.value or 0) >= 1000)
               for f in figures.find_figures(text))


def _first_figure(table, rows: list[int]) -> list[int]:
    """The first of `rows` stating a share, a sum or a large count, as a list of at most one row."""
    return next(([r] for r in rows if _states_figure(table.rows[r].text)), [])


def _chapter_sentences(question: str, table, doc: str, edition: str, chapter: str, sections: list[str]) -> list[int]:
    """A chapter in brief: the opening sentences of its challenge and the first things leaders told us, each with
    the first sentence giving a figure when those openings give none, what its pull quotes single out, and the
    first asks of what they need. A part made of points (the ten-point plan): the opening of each point, or of the
    one point the question names; any other part, what its pull quotes single out and its leading sentences."""
    def firsts(section: str) -> list[int]:
        rows = table.by_section.get((doc, edition, section), [])
        return [r for r in rows if table.rows[r].pos == 0 and len(table.rows[r].text.split()) >= 6]

    def highlighted(sections: list[str]) -> list[int]:
        return [r for s in sections for r in table.by_section.get((doc, edition, s), []) if table.rows[r].highlight]

    def with_figure(section: str, taken: list[int]) -> list[int]:
        if any(_states_figure(table.rows[r].text) for r in taken):
            return taken
        rows = table.by_section.get((doc, edition, section), [])
        return sorted(taken + _first_figure(table, [r for r in rows if r not in taken]))

    challenge, told, needs = (f"{chapter} › {part}" for part in CHAPTER_PARTS)
    subs = [s for s in sections if s.startswith(chapter + " › ")]
    numbers = point_numbers(question)
    named = [s for s in subs if point_title(s.split(" › ")[-1])[0] in numbers
             or title_fit(question, point_title(s.split(" › ")[-1])[1]) == 1.0]
    if challenge not in sections and len(named) == 1:
        # One point of the part ("the first point of the ten-point plan"): its leading sentences.
        return table.by_section[(doc, edition, named[0])][:SUMMARY_SENTENCES]
    if challenge not in sections and len(subs) >= 3:
        # A part made of points or topics (the ten-point plan, the survey findings): the opening of each.
        return [firsts(s)[0] for s in subs if firsts(s)]
    if challenge not in sections:
        # Any other part: the points its pull quotes single out, then its paragraphs' openings, in report order.
        own = [s for s in sections if s == chapter or s.startswith(chapter + " › ")]
        picked = highlighted(own)
        for section in own:
            picked += [r for r in firsts(section) if r not in picked][: SUMMARY_SENTENCES - len(picked)]
        return sorted(picked)
    needs_items = bullet_items(table.by_section.get((doc, edition, needs), []), table.rows)
    asks = [item[label_skip(item, table.rows)] for item in needs_items]
    picked = with_figure(challenge, firsts(challenge)[:CHALLENGE_SENTENCES]) + with_figure(told, firsts(told)[:TOLD_SENTENCES])
    return sorted(set(picked + highlighted([challenge, told]))) + asks[:SUMMARY_ASKS]


def titled_chapter(words: list[str], sections: list[str], ctx) -> str | None:
    """The chapter whose title uses most of `words` (stemmed, weighted by rarity), if any uses one."""
    chapters = list(dict.fromkeys(s.split(" › ")[0] for s in sections))
    scored = [(sum(ctx.weight(w) for w in words if w in set(terms(c))), c) for c in chapters]
    score, best = max(scored, default=(0.0, None))
    return best if score > 0 else None


def _chapter(plan, passages, sections, ctx) -> str | None:
    """The chapter a summary question names: by its words in a chapter title, else the best passage's chapter."""
    named = plan.chapter or ""
    words = terms(named) + topic_aliases(named) or plan.terms + topic_aliases(plan.focus)
    if not words:
        return None
    best = titled_chapter(words, sections, ctx)
    if best:
        return best
    if plan.chapter and passages:
        # Named in other words ("the workforce chapter"): the themed chapter retrieval ranks first,
        # not a part that restates every chapter (key points, the ten-point plan).
        themed = [p for p in passages if " › " in p.chunk.section and not p.chunk.section.startswith(("Ten-point", "Survey"))]
        return (themed or passages)[0].chunk.section.split(" › ")[0]
    return None


_DATE_LINE = re.compile(r"^\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}$")


# What a question about the document asks for, by its words.
_WANTS = [
    (r"\b(who|publish|author|wrote|organi[sz]ation|behind|produced|confederation)", ("publisher",)),
    (r"\b(when|date|published|year)", ("date",)),
    (r"\b(title|called|named|name of)", ("title",)),
    (r"\bedition|version|format", ("title", "editions")),
    (r"\bformats?\b|accessib|large print|braille|easy read", ("formats",)),
    (r"copyright|licen[cs]e|reuse|copy|distribut|commercial|adapt|build (?:on|upon)|alter|permission", ("rights",)),
    (r"charit", ("charity",)),
    (r"\bseries\b|\bcampaign\b", ("series",)),
    (r"sub-?title|strapline|standfirst|tagline", ("title", "strapline")),
    (r"\baddress\b|phone|contact|e-?mail|website|get in touch", ("contact",)),
    (r"based on|methodology|gather|collect|obtain|compile|come from|engagement|fed into|feed into|informed|survey", ("method",)),
]


# Sentences quoted of a part, one otherwise: the address line and the email; how the report was made (the webinars,
# the panel and who is on it, the two surveys), in one edition (the other repeats them); the series and the campaign
# it comes from. The title twice when the question asks about editions.
_PART_MAX = {"contact": 2, "method": 5, "series": 2}


def document_answer(question, plan, ctx, qid) -> Answer | None:
    """Title, publisher, date, editions and terms of use, quoted from the report's own front and back matter."""
    table = ctx.index.sentences
    q = question.lower()
    want = {part for rx, parts in _WANTS for part in parts if re.search(rx, q)}
    want = want or {"title", "publisher", "date"}
    if "contact" in want and not re.search(r"\bwho\b", q):
        want.discard("publisher")  # "the Confed's address": its address, not who it is
    if "method" in want and not re.search(r"publish", q):
        want.discard("date")  # "the surveys it is based on, and when were they done?": the surveys' dates
    if "method" in want and not re.search(r"publish|author|wrote|written|behind|produced", q):
        want.discard("publisher")  # "how was the evidence gathered - who got surveyed?": the panel, not the Confed
    found: dict[str, list[int]] = {}
    for i, s in enumerate(table.rows):
        if doc_of(s.chunk_id) != "manifesto":
            continue
        text = s.text.strip()
        if s.section in ("Back matter", "About") and re.search(r"\bwww\.|@\w", text):
            found.setdefault("contact", []).append(i)  # the address line, the email for other formats
        if s.section == "Front matter" and text.lower().startswith("manifesto for recovery"):
            found.setdefault("title", []).append(i)
        elif s.section == "Front matter" and _DATE_LINE.match(text):
            found.setdefault("date", []).append(i)
        elif s.section == "Front matter" and len(text.split()) > 3:
            found.setdefault("strapline", []).append(i)  # the line under the title
        elif text.startswith("©"):
            found.setdefault("rights", []).append(i)
            found.setdefault("publisher", []).append(i)
        elif s.section == "About" and "NHS Confederation is the membership organisation" in text:
            found.setdefault("publisher", []).append(i)
        elif text.lower().startswith("if you require this publication in an alternative format"):
            found.setdefault("formats", []).append(i)
        elif text.lower().startswith("registered charity"):
            found.setdefault("charity", []).append(i)
        elif s.section == "Introduction" and re.search(r"\b(?:webinars|surveyed|survey of)\b|^It comprises\b", text):
            found.setdefault("method", []).append(i)  # the NHS Reset webinars, the panel survey, the trusts' survey
        elif s.section in ("Front matter", "Introduction", "About") and re.search(r"\bseries\b|\bconvening\b", text):
            # "This report is the latest in our NHS Reset series.", "Since April 2020, we have been convening ..."
            found.setdefault("series", []).append(i)
    rows: list[int] = []
    for part in ("title", "strapline", "publisher", "date", "contact", "formats", "rights", "charity", "series", "method"):
        if part in want or (part == "title" and "editions" in want):
            rows += found.get(part, [])[:_PART_MAX.get(part, 2 if part == "title" and "editions" in want else 1)]
    if "rights" in want:
        rows += [i + 1 for i in found.get("rights", [])[:1] if i + 1 < len(table.rows)]
    if not rows:
        return None
    picks = candidates_at(plan, list(dict.fromkeys(rows)), [], [], ctx)
    return quote(question, plan, picks, ctx, qid, variants=False)
