"""Compose an answer by the question's kind, every sentence a quote from the report with its citation.

figure      the sentence stating the figure for that subject and period
comparison  a sentence for each side, each cited
list        every item of the list (bullets, or the sub-sections of a part such as the ten-point plan), in order
narrative   two to four sentences that carry the content, in report order
summary     the key points, or a named chapter's challenge, findings and first asks
document    title, publisher, date and editions from the report's own front and back matter

The decision to decline lives here; figures and comparisons in `figure_answer.py`, narratives in `narrative.py`;
which sentences state the figure asked for in `figure_fit.py`, lists in `lists.py`, summaries and the document
itself in `summary.py`, what they share (candidates, editions, quoting) in `candidates.py`.
"""

from __future__ import annotations

import re

from rag import figures
from rag.answer.candidates import (
    Context,
    candidates,
    candidates_at,
    case_study_sections,
    content_sentences,
    lead_in_rows,
    point_title,
    preferred_edition,
    quote,
    twin_candidates,
)
from rag.answer.core import abstain, everyday_word
from rag.answer.features import (
    Candidate,
    answerability_features,
    period_fits,
)
from rag.answer.figure_answer import figure_answer, two_figures
from rag.answer.figure_fit import (
    asked_periods,
    case_named,
    case_opening,
    figure_pool,
    fitting_figures,
    missing_note,
    period_words,
    section_opening,
    unnamed_sides,
    year_published,
)
from rag.answer.figure_question import CHECKS_A_FIGURE, given_figures
from rag.answer.headings import section_titles
from rag.answer.lists import list_answer, list_introduced_by, named_item
from rag.answer.names import PERSON_NAMED, asked_names, asks_for_person, named_subjects, names_any, names_in
from rag.answer.narrative import doing_answer, introduced_answer, narrative_answer
from rag.answer.question import asked_topic, point_numbers, topic_aliases
from rag.answer.summary import document_answer, summary_answer, titled_chapter
from rag.answer.wording import normalise_question, terms
from rag.schema import Answer, Passage, QuestionPlan
from rag.sentence_table import doc_of


def compose(question: str, plan: QuestionPlan, passages: list[Passage], ctx: Context, qid: str | None = None) -> Answer:
    answer = _compose(question, plan, passages, ctx, qid)
    asked = normalise_question(question)
    unnamed = _names_none(question, answer) if plan.kind not in ("document", "summary") else None
    reason = unnamed or _not_broken_down(asked, answer) or _only_given(asked, plan, answer)
    if reason:
        answer = abstain(question, passages, ctx.settings, ctx.index.sources, qid)
        answer.notes.append(reason)
    if not answer.abstained and ctx.stats is not None and CHECKS_A_FIGURE.search(asked):
        unstated = ctx.stats.unknown_figures(asked)
        if unstated:
            answer.notes.append(f"The report never states {', '.join(unstated)}; the figure it states is quoted.")
    return answer


def _compose(question: str, plan: QuestionPlan, passages: list[Passage], ctx: Context, qid: str | None) -> Answer:
    settings, sources = ctx.settings, ctx.index.sources
    if plan.kind == "document":
        answer = document_answer(question, plan, ctx, qid)
        if answer is not None:
            return answer
    if plan.kind == "summary":
        return summary_answer(question, plan, passages, ctx, qid)
    if plan.kind == "list":
        # The report's chapters, its outline or a named part's sub-sections, read from the headings: the passages
        # retrieval finds for "which themes does it cover?" may be too weak to pass the checks below.
        titled = section_titles(question, plan, passages, ctx, qid)
        if titled is not None:
            return titled
    reasons = pre_abstains(question, plan, passages, ctx)
    if reasons is not None:
        answer = abstain(question, passages, settings, sources, qid)
        answer.notes += reasons
        return answer
    two = two_figures(question, plan, passages, ctx, qid) if plan.kind == "figure" else None
    if two is not None:
        return two
    cands = candidates(plan, passages, ctx)
    named = False
    if plan.kind in ("narrative", "list"):
        cands, named = _in_named_section(question, plan, cands, passages, ctx)
    fitting = fitting_figures(plan, cands, ctx) if plan.kind == "figure" else []
    if plan.kind == "figure" and not fitting:
        fitting = fitting_figures(plan, twin_candidates(plan, passages, ctx), ctx)
    if plan.kind == "figure" and not fitting:
        answer = abstain(question, passages, settings, sources, qid)
        answer.notes.append(missing_note(plan, figure_pool(plan, cands), ctx))
        return answer
    if plan.kind == "comparison":
        unnamed = unnamed_sides(question, figure_pool(plan, cands), ctx)
        if unnamed:
            answer = abstain(question, passages, settings, sources, qid)
            answer.notes.append(f"No passage near this question states a figure for {' or '.join(unnamed)}.")
            return answer
    score = decision_score(plan, cands, passages, ctx)
    # A section the question names ("the 'Charting a new course' section", "point one of the plan") is answered.
    if not named and (score is None or score < ctx.model.abstain_below):
        answer = abstain(question, passages, settings, sources, qid)
        if plan.kind in ("figure", "comparison") and not figure_pool(plan, cands):
            answer.notes.append("No passage that speaks to this question states a figure of the kind asked for.")
        return answer
    if plan.kind in ("list", "narrative"):
        reason = _not_spoken_of(question, plan, content_sentences(cands)[:NAMED_TOP], ctx)
        if reason:
            answer = abstain(question, passages, settings, sources, qid)
            answer.notes.append(reason)
            return answer
    item = named_item(question, plan, cands, ctx) if plan.kind in ("list", "narrative") else []
    if item:
        return quote(question, plan, item, ctx, qid, variants=False)
    doing = doing_answer(question, plan, cands, ctx, qid) if plan.kind in ("list", "narrative") and not named else None
    if doing is not None:
        return doing
    introducing = list_introduced_by(cands[0].row, plan, ctx) if named and plan.kind == "list" else None
    if introducing is not None:
        return introduced_answer(question, plan, *introducing, cands, passages, ctx, qid)  # "'four key areas' - what are they?"
    if plan.kind == "list":
        answer = list_answer(question, plan, passages, cands, ctx, qid)
        if answer is not None:
            reason = _list_names_not(question, answer, ctx)
            if reason:
                declined = abstain(question, passages, settings, sources, qid)
                declined.notes.append(reason)
                return declined
            return answer
    if plan.kind in ("figure", "comparison"):
        return figure_answer(question, plan, fitting or figure_pool(plan, cands), ctx, qid, cands, passages)
    return narrative_answer(question, plan, passages, cands, ctx, qid)


_BREAKDOWN = re.compile(r"\bbreak(?:s|ing)? (?:[\w£$.,'’-]+ ){0,3}?down\b|\bbreak-?down\b|\bsplit (?:by|between|across|into)\b|"
                        r"\bsplit\b[^?]*\bby\b", re.I)


def _not_broken_down(asked: str, answer: Answer) -> str | None:
    """Why a question (as `normalise_question` reads it) asking to break down a figure it gives ("the 93,806
    vacancies by staff group") is declined: the quotes state fewer than two other figures, so the report gives no
    breakdown."""
    given = given_figures(asked)
    # By something, in figures ("by staff group", "how many nurses"), not "break down who makes up the 100 leaders".
    if answer.abstained or not given or not _BREAKDOWN.search(asked) or not re.search(r"\bby\b|\bhow (?:much|many)\b", asked, re.I):
        return None
    whole = max((f.value for f in given if f.value is not None and f.unit == given[0].unit), default=None)
    # A part is smaller than the whole ("7 million" hidden is no part of the 5.6 million waiting).
    parts = [f for f in _quoted_figures(answer) if not figures.appears_in(f, given)
             and (whole is None or f.value is None or f.unit != given[0].unit or f.value < whole)]
    if len({f.text for f in parts}) >= 2:
        return None
    return f"The report gives no breakdown of {given[0].text}."


_ASKS_AMOUNT = re.compile(r"\bhow (?:many|much)\b|\bwhat (?:share|percentage|proportion|number)\b", re.I)


def _only_given(asked: str, plan: QuestionPlan, answer: Answer) -> str | None:
    """Why a figure question (as `normalise_question` reads it) is declined when its quotes state no figure but
    those it gives: "Of the 93,806 vacancies, how many are in London?" is not answered by the sentence stating
    93,806. Not a claim to check, which asks for the figure it gives."""
    given = given_figures(asked)
    if answer.abstained or not given or plan.kind not in ("figure", "comparison") or CHECKS_A_FIGURE.search(asked):
        return None
    # Asking for an amount, not when or whose it is ("the 93,806 vacancies are for which month?").
    if plan.unit == "date" or not _ASKS_AMOUNT.search(asked):
        return None
    stated = _quoted_figures(answer)
    if not stated or any(not figures.appears_in(f, given) for f in stated):
        return None
    return f"The passages near this question state no figure besides {given[0].text}."


def _quoted_figures(answer: Answer) -> list:
    """The figures an answer's quotes state, as a question's are read (`given_figures`): not dates, not trivial."""
    return [f for c in answer.citations for f in given_figures(c.quote)]


def _names_none(question: str, answer: Answer) -> str | None:
    """Why an answer to "which regions ...?" or "name the trusts" is declined: no quote names any."""
    kind = asked_names(question)
    if answer.abstained or kind is None or any(names_any(c.quote, kind, question) for c in answer.citations):
        return None
    return "No passage near this question names the places or bodies it asks for."


# "point one of the plan", "number 7", "the third point": a numbered section ("Ten-point plan › 3. ...").
_QUOTED = re.compile(r"(?<!\w)['‘\"“]([^'‘’\"“”]{4,}?)['’\"”]")


def _in_named_section(question: str, plan: QuestionPlan, cands: list[Candidate], passages: list[Passage],
                      ctx: Context) -> tuple[list[Candidate], bool]:
    """The sentences of the section a question names in quotes ("the 'Charting a new course' section") or by its
    number ("point one of the plan"), best first, and True; all candidates and False when it names none."""
    table = ctx.index.sentences
    titles = {t.lower() for t in _QUOTED.findall(question)}
    numbers = point_numbers(question)
    study = bool(_CASE_STUDY.search(question)) and not _NOT_CASE_STUDY.search(question)
    if not (titles or numbers or study or plan.kind == "list" and plan.chapter) or not cands:
        return cands, False
    doc = doc_of(cands[0].sentence.chunk_id)
    edition = preferred_edition((doc, cands[0].sentence.edition, ""), plan, table)[1]
    sections = table.sections(doc, edition)
    rows = [r for s in sections if s.split(" › ")[-1].lower() in titles or point_title(s.split(" › ")[-1])[0] in numbers
            for r in table.by_section[(doc, edition, s)]]
    if not rows and plan.kind == "list" and titles:
        # "It says 'four key areas' need action - what are they?": the sentence quoted, which introduces the list.
        rows = [r for s in sections for r in table.by_section[(doc, edition, s)]
                if any(t in table.rows[r].text.lower() for t in titles)]
    if not rows and study:
        # "the two schemes in the Cambridgeshire and Peterborough case study": the one case study naming the place.
        rows = _case_study_named(question, doc, edition, ctx)
    if not rows and plan.kind == "list" and plan.chapter:
        # "Every survey finding in the integrated care chapter" (quoting what it says, not a title): a list from
        # the chapter named by its title's words.
        chapter = titled_chapter(terms(plan.chapter) + topic_aliases(plan.chapter), sections, ctx)
        rows = [r for s in sections if s.split(" › ")[0] == chapter for r in table.by_section[(doc, edition, s)]]
    if not rows:
        return cands, False
    return sorted(candidates_at(plan, rows, cands, passages, ctx), key=lambda c: -c.score), True


_CASE_STUDY = re.compile(r"\bcase[- ]stud(?:y|ies)\b", re.I)
# "(not the NEL case study, the survey bit)": a case study set aside.
_NOT_CASE_STUDY = re.compile(r"\b(?:not|excluding|apart from|besides|other than|outside)\s+(?:[\w'’&/-]+\s+){0,4}?case[- ]stud", re.I)


def _case_study_named(question: str, doc: str, edition: str, ctx: Context) -> list[int]:
    """The rows of the one case study whose title or opening names all the question names; none otherwise."""
    table = ctx.index.sentences
    names = named_subjects(question)
    if not names:
        return []
    found = []
    for s in case_study_sections(table, doc, edition):
        rows = table.by_section[(doc, edition, s)]
        opening = " ".join(table.rows[r].text for r in rows[:CASE_OPENING])
        if all(names_in(n, f"{s} {opening}") for n in names):
            found.append(rows)
    return found[0] if len(found) == 1 else []


CASE_OPENING = 3  # sentences of a case study that name where it is


NAMED_TOP = 3  # best sentences, one of whose passages must name what a list or narrative question names


def _not_spoken_of(question: str, plan: QuestionPlan, top: list[Candidate], ctx: Context) -> str | None:
    """Why a list or narrative question is declined, when the best sentence's passage does not name who it asks
    for, none of the best sentences' passages names what it asks about, or it asks about a year after the report's
    publication (the report's own time is rarely stated: "demand in summer 2021"); None when it speaks of all."""
    best = top[0]
    around = f"{best.passage.chunk.section} {case_named(best, ctx)} {best.passage.chunk.text}"
    if asks_for_person(question) and not PERSON_NAMED.search(around):
        return "The passages nearest this question name no person."
    # "Who sits on the Health Leaders Panel?": the best sentence may sit elsewhere, its list in the Introduction.
    arounds = [f"{c.passage.chunk.section} {case_named(c, ctx)} {c.passage.chunk.text}" for c in top]
    unnamed = [n for n in named_subjects(question) if not any(names_in(n, a) for a in arounds)]
    if unnamed:
        return f"The passages nearest this question do not name {' or '.join(unnamed)}."
    periods = asked_periods(plan)
    published = year_published(best, ctx) if periods else 0
    unstated = [p for p in periods if published and max(map(int, re.findall(r"(?:19|20)\d\d", p))) > published
                and not period_fits(p, best.passage.chunk.text)]
    if unstated:
        return f"The passages nearest this question say nothing of {' or '.join(map(period_words, unstated))}."
    return None


def _list_names_not(question: str, answer: Answer, ctx: Context) -> str | None:
    """Why a list is declined when none of the passages its items sit in names what the question names ("the
    five priority areas of the NHS Race and Health Observatory" answered with another chapter's asks)."""
    chunks = ctx.index.by_id
    # A sub-section's part may name it in its opening ("Percentage results of ... survey of the Health Leaders Panel").
    part_opening = {c.section: section_opening(c.chunk_id, c.edition, c.section.split(" › ")[0], ctx, 2)
                    for c in answer.citations if " › " in c.section}
    listed = " ".join(f"{c.section} {case_opening(c.chunk_id, c.edition, c.section, ctx)} {part_opening.get(c.section, '')} "
                      f"{_lead_in(c.chunk_id, c.edition, c.section, ctx)} "
                      f"{chunks[c.chunk_id].text if c.chunk_id in chunks else c.quote}" for c in answer.citations)
    unnamed = [n for n in named_subjects(question) if not names_in(n, listed)]
    if unnamed:
        return f"No list in the report is about {' or '.join(unnamed)}."
    return None


def _lead_in(chunk_id: str, edition: str, section: str, ctx: Context) -> str:
    """The paragraph before the bullets a passage opens with, which says what the list is of ("A report by the NHS
    Confederation and NHS Providers ... The extra funding requirement comprises:"), when it sits in another passage."""
    table = ctx.index.sentences
    first = next((r for r in table.by_section.get((doc_of(chunk_id), edition, section), [])
                  if table.rows[r].chunk_id == chunk_id), None)
    lead = lead_in_rows(first, ctx) if first is not None else []
    if not lead or table.rows[lead[-1]].chunk_id == chunk_id:
        return ""
    return " ".join(table.rows[r].text for r in lead)


def pre_abstains(question: str, plan: QuestionPlan, passages: list[Passage], ctx: Context) -> list[str] | None:
    """Reasons to decline before any sentence is scored (notes for the answer), or None when none applies."""
    if not passages or max(p.score for p in passages) < ctx.settings.abstain_threshold:
        return []
    if ctx.stats is not None:
        asked = normalise_question(question)  # "the Confed" is the Confederation
        unknown = ctx.stats.unknown_figures(asked)
        given = [f for f in figures.find_figures(asked) if not figures.is_trivial(f)]
        if CHECKS_A_FIGURE.search(asked) and unknown and len(unknown) <= len(given):
            # "Is it 82 or 83 per cent?", "... a third higher. Is that right?": a claim to check, whose answer is
            # the sentence stating the report's own figure; a note says which figure the report never states.
            unknown = []
        unknown += ctx.stats.unknown_names(asked)
        # A topic the report never names, in any word ("dementia care", "NHS dentistry"): nearby passages on
        # staff or backlogs would be quoted as though they spoke to it.
        said = {u.lower() for u in unknown}
        unknown += [w for w in ctx.stats.unknown_words(" ".join(asked_topic(asked)))
                    if w.lower() not in said and not everyday_word(w)]
        if unknown:
            return [f"The report never mentions {', '.join(unknown)}."]
    if _ASKS_REPLY.search(question) and not any(_REPLIED.search(p.chunk.text) for p in passages):
        return ["No passage near this question tells of a reply or a response."]
    for asked, note in _NEVER_SPOKEN_OF:
        if asked.search(question) and not any(asked.search(s.text) for s in ctx.index.sentences.rows):
            return [note]
    if _AFTER_REPORT.search(question):
        return ["The report cannot tell what came after it was written: what a later review gave, or who took up its proposals."]
    if _EARLIER_SURVEY.search(question):
        return ["The report gives the results of one survey of its panel (July 2021), not those of an earlier one."]
    if _SURVEY_BREAKDOWN.search(question):
        return ["The report gives its panel's answers as a whole, not broken down by role or sector."]
    return None


# Staff pay, which a report on funding may never speak of: "pay" is then only "ability to pay", and the passages
# on funding or staffing nearest "what pay rise does it call for?" would be quoted as though they answered it.
_STAFF_PAY = re.compile(r"\bpay (?:rises?|awards?|increases?|deals?|offers?|settlements?|restoration|freeze|cuts?|uplifts?|"
                        r"review bod(?:y|ies))\b|\b(?:staff|nurses['’]?|nursing|doctors['’]?|nhs) pay\b|\bsalar(?:y|ies)\b|"
                        r"\bwages?\b", re.I)
# When or how high something will peak ("When will the waiting list peak?"), which a report may never forecast:
# the figures nearest (the list's size now) would be quoted as though they were the peak (dev: 5 questions, none answerable).
_PEAK = re.compile(r"\bpeak(?:s|ed|ing)?\b|\btop(?:s|ped)? out\b|\bhighest point\b", re.I)
# Private or independent-sector hospitals, which a report on the NHS's recovery may never speak of: its passages on
# the backlog would be quoted as its view on them (dev: 4 questions, none answerable).
_PRIVATE_SECTOR = re.compile(r"\bprivate (?:hospitals?|sector|providers?|clinics?|healthcare)\b|\bindependent[- ]sector\b", re.I)
# Subjects a question may ask about in these words, declined when no sentence of the index uses them.
_NEVER_SPOKEN_OF = [
    (_STAFF_PAY, "The report never speaks of staff pay (a pay rise, award or settlement)."),
    (_PEAK, "The report never speaks of a peak (when or how high something will top out)."),
    (_PRIVATE_SECTOR, "The report never speaks of private or independent-sector hospitals."),
]
# What came after the report ("What did the October review end up giving?", "Has the government since taken up the
# Confed's idea ...?", "what did he say back?"): the passages on what it asked for would be quoted as the outcome.
_AFTER_REPORT = re.compile(
    r"\bend(?:ed|s)? up (?:with|getting|giving|receiving|allocating)\b|"
    r"\b(?:signed up to|taken up|adopted|accepted|agreed to|acted on|implemented|responded to)\b[^?]{0,30}?\b"
    r"(?:confed(?:eration)?['’]s|report['’]s|manifesto['’]s|its|their) (?:idea|proposal|call|recommendation|plan|ask)s?\b|"
    r"\bsince (?:taken|adopted|accepted|agreed|acted|implemented|done|made|published|announced|confirmed|delivered|introduced)\b|"
    r"\b(?:say|said|write|wrote|written) back\b|"
    # "... by the end of 2021, after the manifesto was published?"
    r"\b(?:after|since) (?:the|this|its) (?:report|manifesto|document|publication)(?: (?:was|came|went) (?:published|out|released|live))?\b", re.I)
# "... in the previous year's survey?", "compared with the panel's survey from a year earlier", "the same question in
# 2020": the report has one panel survey, of July 2021 (dev: 7 questions, none answerable).
_SEASON = r"(?:(?:summer|spring|autumn|winter) )?"
_EARLIER_SURVEY = re.compile(
    rf"\b(?:last year's|previous|earlier|prior|(?:the )?year before's?|{_SEASON}20(?:1\d|20))\s+(?:[\w'’-]+\s+){{0,4}}?(?:survey|poll)\b|"
    rf"\b(?:survey|poll)\b[^?]{{0,30}}?\b(?:from|in|of|than) (?:a year (?:earlier|before|ago)|the (?:previous|year before|year earlier)|"
    rf"last year|{_SEASON}20(?:1\d|20))\b|"
    rf"\bsame (?:question|survey)\b[^?]{{0,30}}?\b(?:in|from|of) (?:{_SEASON}20(?:1\d|20)|last year|a year (?:earlier|before|ago))\b", re.I)
# "Did ambulance trust leaders answer the survey differently from acute trust leaders?", "the breakdown by role".
_SURVEY_BREAKDOWN = re.compile(r"\b(?:answer(?:ed)?|respond(?:ed)?|vote[sd]?)\s+(?:the (?:[\w'’-]+ ){0,3}?survey\s+|it\s+)?differently\b|"
                               r"\bbreakdown by (?:role|sector|job|organisation type|type of organisation|trust type)\b", re.I)


# "What did the Chancellor say in reply to the Confed's letter?", "How did the CQC respond to ...?", "Did the
# Chancellor reply?": someone's answer to what the report or its authors said, which the report would have to
# tell of. Not leaders' or the panel's reactions, which are its survey results.
_ASKS_REPLY = re.compile(
    r"\b(?:say|said|do|did|has|have)\b[^?]*\bin (?:response|reply) to\b|"
    r"\b(?:how )?(?:did|has|have|does|do) (?!(?:nhs |health |healthcare |the )?(?:leaders|panel|panel members|members|respondents|"
    r"trusts|staff)\b)[^?]*?\b(?:respond|react|reply)(?:ed)?\b|"
    r"\bwhat (?:was|is|has been) (?:the |his |her |its |their )?(?:[\w'’-]+ ){0,2}?(?:response|reply|reaction) to\b", re.I)
_REPLIED = re.compile(r"\b(?:responded|replied|in response|in reply|reacted|responding to (?:the|our|this))\b", re.I)


def decision_score(plan: QuestionPlan, cands: list[Candidate], passages: list[Passage], ctx: Context) -> float | None:
    """The probability that the report answers, judged on the best sentence that could answer this kind of question."""
    pool = figure_pool(plan, cands) if plan.kind in ("figure", "comparison") else content_sentences(cands)
    if not pool:
        return None
    return ctx.model.answerable(answerability_features(plan, pool[0], passages, ctx.df, ctx.weight))
