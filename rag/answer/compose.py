"""Compose an answer by the question's kind, every sentence a quote from the report with its citation.

figure      the sentence stating the figure for that subject and period
comparison  a sentence for each side, each cited
list        every item of the list (bullets, or the sub-sections of a part such as the ten-point plan), in order
narrative   two to four sentences that carry the content, in report order
summary     the key points, or a named chapter's challenge, findings and first asks
document    title, publisher, date and editions from the report's own front and back matter

The comparison rules and the decision to decline live here; narratives in `narrative.py`; which sentences state the figure asked
for in `figure_fit.py`, lists in `lists.py`, summaries and the document itself in `summary.py`, what they share
(candidates, editions, quoting) in `candidates.py`.
"""

from __future__ import annotations

import dataclasses
import re

from rag import figures
from rag.answer.candidates import (
    Context,
    candidates,
    candidates_at,
    content_sentences,
    distinct,
    in_paragraph,
    in_report_order,
    lead_in_rows,
    point_title,
    preceded_by,
    preferred_edition,
    quote,
    twin_candidates,
)
from rag.answer.core import _same_figures, abstain, everyday_word
from rag.answer.features import (
    LENGTH_UNITS,
    Candidate,
    answerability_features,
    period_fits,
    share,
    states_length,
)
from rag.answer.figure_fit import (
    asked_periods,
    case_named,
    case_opening,
    figure_pool,
    fitting_figures,
    missing_note,
    period_named_before,
    period_words,
    section_opening,
    unnamed_sides,
    year_published,
)
from rag.answer.figure_question import CHECKS_A_FIGURE, given_figures
from rag.answer.headings import section_titles
from rag.answer.lists import list_answer, list_introduced_by, named_item
from rag.answer.names import PERSON_NAMED, asked_names, asks_for_person, named_subjects, names_any, names_in
from rag.answer.narrative import introduced_answer, narrative_answer
from rag.answer.question import analyse, asked_topic, figure_asks, point_numbers, topic_aliases
from rag.answer.summary import document_answer, summary_answer, titled_chapter
from rag.answer.wording import normalise_question, terms
from rag.schema import Answer, Passage, QuestionPlan
from rag.sentence_table import doc_of
from rag.text import stem

FIGURE_WORDS = 0.75  # chosen on dev: 0.5–1.0 tie (b038 right), 0.25 changes nothing, 2.0 loses a figure


def compose(question: str, plan: QuestionPlan, passages: list[Passage], ctx: Context, qid: str | None = None) -> Answer:
    answer = _compose(question, plan, passages, ctx, qid)
    asked = normalise_question(question)
    unnamed = _names_none(question, answer) if plan.kind not in ("document", "summary") else None
    reason = unnamed or _not_broken_down(asked, answer)
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
    two = _two_figures(question, plan, passages, ctx, qid) if plan.kind == "figure" else None
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
        reason = _not_spoken_of(question, plan, content_sentences(cands)[0], ctx)
        if reason:
            answer = abstain(question, passages, settings, sources, qid)
            answer.notes.append(reason)
            return answer
    item = named_item(question, plan, cands, ctx) if plan.kind in ("list", "narrative") else []
    if item:
        return quote(question, plan, item, ctx, qid, variants=False)
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
        return _figure(question, plan, fitting or figure_pool(plan, cands), ctx, qid, cands, passages)
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
    parts = [f for c in answer.citations for f in figures.find_figures(c.quote)
             if f.kind != "date" and not figures.is_trivial(f) and not figures.appears_in(f, given)
             and (whole is None or f.value is None or f.unit != given[0].unit or f.value < whole)]
    if len({f.text for f in parts}) >= 2:
        return None
    return f"The report gives no breakdown of {given[0].text}."


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
    if not (titles or numbers or plan.kind == "list" and plan.chapter) or not cands:
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
    if not rows and plan.kind == "list" and plan.chapter:
        # "Every survey finding in the integrated care chapter" (quoting what it says, not a title): a list from
        # the chapter named by its title's words.
        chapter = titled_chapter(terms(plan.chapter) + topic_aliases(plan.chapter), sections, ctx)
        rows = [r for s in sections if s.split(" › ")[0] == chapter for r in table.by_section[(doc, edition, s)]]
    if not rows:
        return cands, False
    return sorted(candidates_at(plan, rows, cands, passages, ctx), key=lambda c: -c.score), True


def _not_spoken_of(question: str, plan: QuestionPlan, best: Candidate, ctx: Context) -> str | None:
    """Why a list or narrative question is declined, when the best sentence's passage does not name what it asks
    about, or a year after the report's publication that it asks about (the report's own time is rarely stated:
    "demand in summer 2021"); None when it speaks of both."""
    around = f"{best.passage.chunk.section} {case_named(best, ctx)} {best.passage.chunk.text}"
    if asks_for_person(question) and not PERSON_NAMED.search(around):
        return "The passages nearest this question name no person."
    unnamed = [n for n in named_subjects(question) if not names_in(n, around)]
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
    if _EARLIER_SURVEY.search(question):
        return ["The report gives the results of one survey of its panel (July 2021), not those of an earlier one."]
    if _SURVEY_BREAKDOWN.search(question):
        return ["The report gives its panel's answers as a whole, not broken down by role or sector."]
    return None


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


# "What did the Chancellor say in reply to the Confed's letter?", "How did the CQC respond to ...?": someone's
# answer to what the report or its authors said, which the report would have to tell of. Not leaders' or the
# panel's reactions, which are its survey results.
_ASKS_REPLY = re.compile(
    r"\b(?:say|said|do|did|has|have)\b[^?]*\bin (?:response|reply) to\b|"
    r"\bhow (?:did|has|have|does|do) (?!(?:nhs |health |healthcare |the )?(?:leaders|panel|panel members|members|respondents|"
    r"trusts|staff)\b)[^?]*?\b(?:respond|react|reply)(?:ed)?\b|"
    r"\bwhat (?:was|is|has been) (?:the |his |her |its |their )?(?:[\w'’-]+ ){0,2}?(?:response|reply|reaction) to\b", re.I)
_REPLIED = re.compile(r"\b(?:responded|replied|in response|in reply|reacted|responding to (?:the|our|this))\b", re.I)


def decision_score(plan: QuestionPlan, cands: list[Candidate], passages: list[Passage], ctx: Context) -> float | None:
    """The probability that the report answers, judged on the best sentence that could answer this kind of question."""
    pool = figure_pool(plan, cands) if plan.kind in ("figure", "comparison") else content_sentences(cands)
    if not pool:
        return None
    return ctx.model.answerable(answerability_features(plan, pool[0], passages, ctx.df, ctx.weight))


def _figure(question, plan, pool: list[Candidate], ctx, qid, cands: list[Candidate], passages: list[Passage]) -> Answer:
    """`pool`: figure sentences, best first (for a figure question, those fitting its subject and period)."""
    picks = _with_short_sequels(_figure_picks(plan, pool, ctx), plan, cands, passages, ctx)
    if plan.kind == "figure":
        # The sentence naming the period a figure is for, when only the one before it does.
        picks = preceded_by(picks, lambda c: period_named_before(c, plan, ctx), plan, cands, passages, ctx)
        picks = preceded_by(picks, lambda c: _states_given_before(c, picks, ctx), plan, cands, passages, ctx)
    return quote(question, plan, picks, ctx, qid, variants=True)


def _states_given_before(c: Candidate, picks: list[Candidate], ctx: Context) -> int | None:
    """The sentence before `c` in its paragraph when it states a figure the question gives and no pick states:
    "was the list already above 4 million before COVID, and what had it reached by July 2021?" is answered by
    "The waiting list already stood at more than 4 million ... It has increased to over 5.6 million ..."."""
    given = {(f.value, f.unit) for f in given_figures(normalise_question(ctx.question)) if f.value is not None}
    stated = {(f.value, f.unit) for p in picks for f in figures.find_figures(p.sentence.text)}
    row = in_paragraph(c.row, -1, ctx)
    if not given - stated or row is None:
        return None
    before = {(f.value, f.unit) for f in figures.find_figures(ctx.index.sentences.rows[row].text)}
    return row if (given - stated) & before else None


SEQUEL_WORDS = 12  # at most, for the sentence after a figure's to be read with it (chosen on dev: 10 -> 12 three more right, 15 none)


def _with_short_sequels(picks: list[Candidate], plan, cands: list[Candidate], passages, ctx: Context) -> list[Candidate]:
    """Each pick followed by the next sentence of its paragraph when that one is short and states a figure:
    "... (46 per cent) say they are well supported by national bodies ... A quarter (25 per cent) disagree." """
    rows = ctx.index.sentences.rows
    out: list[Candidate] = []
    for c in picks:
        out.append(c)
        nxt = in_paragraph(c.row, +1, ctx)
        if nxt is None or any(p.row == nxt for p in picks + out):
            continue
        text = rows[nxt].text
        if len(text.split()) <= SEQUEL_WORDS and any(not figures.is_trivial(f) for f in figures.find_figures(text)):
            out += candidates_at(plan, [nxt], cands, passages, ctx)
    return out


def _two_figures(question: str, plan: QuestionPlan, passages: list[Passage], ctx: Context, qid) -> Answer | None:
    """"How big is the panel, and when was it surveyed?": the best sentence for each ask, each fitting its own
    kind of figure; None when the question asks for one figure, or the report states only one of the two."""
    asks = figure_asks(question)
    if len(asks) != 2:
        return None
    plans = [analyse(ask) for ask in asks]
    if plans[0].unit == plans[1].unit:
        return None  # two asks of one kind ("how many ... and how many ...") are a comparison's sides
    picks: list[Candidate] = []
    for ask, sub in zip(asks, plans):
        sub_ctx = dataclasses.replace(ctx, question=ask)
        fitting = fitting_figures(sub, candidates(sub, passages, sub_ctx), sub_ctx) if sub.kind == "figure" else []
        if not fitting:
            return None
        picks += _figure_picks(sub, fitting, sub_ctx)[:1]
    return quote(question, plan, in_report_order(distinct(picks), picks[0]), ctx, qid, variants=True)


def _figure_picks(plan: QuestionPlan, pool: list[Candidate], ctx: Context) -> list[Candidate]:
    if plan.kind == "figure":
        # Among the nearly-best, the sentence holding the question's most specific words ("slightly agreed",
        # "the second most common") is the one stating that figure.
        near = [c for c in pool[:5] if c.score >= 0.5 * pool[0].score]
        fit = {c.row: c.score + FIGURE_WORDS * share(plan.terms, set(terms(f"{c.previous} {c.sentence.text}")), ctx.weight)
               for c in near}
        # "How big is the waiting list?" asks for its size: "has increased by 1 million" gives a change.
        level = bool(_ASKS_SIZE.search(ctx.question)) and not _ASKS_CHANGE.search(ctx.question)
        # "Our draft says 5.8 million are waiting - right?": the sentence stating a figure near the claimed one is
        # the one the claim misquotes ("over 5.6 million"), not one stating how much the list grew.
        asked = normalise_question(ctx.question)
        claimed = given_figures(asked) if CHECKS_A_FIGURE.search(asked) else []
        # "What share were confident ...?" is not answered by the share that were not.
        plain = set() if _DOUBTING.search(asked) else set(plan.terms) - _negated(asked)
        pool = sorted(near, key=lambda c: (bool(claimed) and not _close_to(claimed, c.sentence.text),
                                           bool(_negated(c.sentence.text) & plain),
                                           level and bool(_STATES_CHANGE.search(c.sentence.text)), -fit[c.row])) + [
            c for c in pool if c not in near]
    picks = [pool[0]]
    if plan.kind == "comparison":
        # A side states a figure that is not a date: "up to 2023/24" says when, not how many.
        picks = _sides(plan, [c for c in pool if _states_amount(c.sentence.text)] or pool, ctx)
    else:
        # A second sentence when it nearly ties and states another figure (another period, another edition).
        for c in pool[1:4]:
            if c.score >= 0.8 * picks[0].score and not _same_figures(c.sentence.text, picks[0].sentence.text):
                picks.append(c)
                break
    return picks


_NEGATED_WORD = re.compile(r"\b(?:not|never|no longer)\s+(?:(?:very|fully|at all|particularly|so|too|yet)\s+)?([a-z]+)", re.I)


_DOUBTING = re.compile(r"\b(?:lack(?:s|ed|ing)?|without|doubt(?:s|ed|ing)?|fail(?:s|ed)?|unable|unsure|unlikely|unconvinced|unhappy|"
                       r"unhelpful|dissatisfied|disagree(?:s|d)?|in(?:secure|adequate|sufficient))\b", re.I)


def _negated(text: str) -> set[str]:
    """The stemmed words `text` negates ("not confident", "never agreed")."""
    return {stem(w) for w in _NEGATED_WORD.findall(text)}


_STATES_CHANGE = re.compile(r"\b(?:increased|rose|risen|grown|grew|fallen|fell|dropped|gone up|gone down|up|down) by\b", re.I)
_ASKS_SIZE = re.compile(r"\bhow (?:big|large)\b|\bsize of\b|\bhow many (?:people )?(?:are|were) (?:there|on|waiting)\b", re.I)
_ASKS_CHANGE = re.compile(r"\b(?:rise|rises|rose|risen|increase[sd]?|grow|grew|grown|growth|fall|fell|fallen|drop|dropped|"
                          r"go(?:ne)? up|go(?:ne)? down|change[sd]?|more|fewer|higher|lower|up|down|expand(?:ed)?|climb(?:ed)?|bigger|larger|"
                          r"by how much)\b", re.I)


SIDE_NEIGHBOUR = 0.25  # added to a sentence's fit for a comparison's second side when it follows the first's
SIDE_NEGATION = 1.0  # taken from it when one of side and sentence says "not" and the other does not
SIDE_PERIOD = 1.0  # taken from it when it names a year and not the year the question asks about
_NEGATION = re.compile(r"\bnot\b|n['’]t\b|\bnever\b|\black(?:s|ing)?\b|\bwithout\b", re.I)  # "lack enough staff": "do not have"


def _close_to(claimed: list, text: str) -> bool:
    """Whether `text` states a figure of a claimed figure's unit near its value: within 10 points for a share
    ("three quarters" for 68 per cent), within a third for a sum or a count (5.8 million for 5.6 million)."""
    for f in figures.find_figures(text):
        for c in claimed:
            if f.unit != c.unit or f.value is None or c.value is None or f.kind == "date" or c.kind == "date":
                continue
            if f.unit == "%" and abs(f.value - c.value) <= 10:
                return True
            if f.unit != "%" and c.value > 0 and 0.75 <= (f.high or f.value) / c.value and f.value / c.value <= 1.33:
                return True
    return False


def _states_amount(text: str) -> bool:
    """Whether a text states a figure that is not a date (a share, a sum, a count, a length of time)."""
    return any(f.unit not in ("date", "year", "financial year") and not figures.is_trivial(f)
               for f in figures.find_figures(text)) or any(states_length(text, u) for u in LENGTH_UNITS)


def _amounts(text: str) -> int:
    """How many different figures that are not dates a text states."""
    return len({f.text for f in figures.find_figures(text) if f.unit not in ("date", "year", "financial year")
                and not figures.is_trivial(f)})


def _sides(plan: QuestionPlan, cands: list[Candidate], ctx: Context) -> list[Candidate]:
    """The best sentence for each side of a comparison; one sentence when it states both."""
    if len(plan.sides) != 2:
        picks = [cands[0]]
        for c in cands[1:]:
            if not _same_figures(c.sentence.text, picks[0].sentence.text):
                picks.append(c)
                break
        return picks
    picks: list[Candidate] = []
    # "For 2022/23, what is needed vs what is given?": not "£3 billion ... announced in Spending Round 2020".
    periods = asked_periods(plan)
    other_year = {c.row: bool(periods) and bool(re.search(r"\b(?:19|20)\d\d\b", c.sentence.text))
                  and not any(period_fits(p, c.sentence.text) for p in periods) for c in cands}
    for side in plan.sides:
        side_terms = terms(side)
        # The second side is often told in the next sentences ("Just under half (46 per cent) say ... A quarter
        # (25 per cent) disagree."), which its few words alone do not find.
        # "What share were confident, and what share were not?": each side is the sentence that negates as it does.
        negated = bool(_NEGATION.search(side))
        fit = {c.row: c.score + share(side_terms, set(terms(f"{c.sentence.text} {c.sentence.section}")), ctx.weight)
               - SIDE_NEGATION * (negated != bool(_NEGATION.search(c.sentence.text))) - SIDE_PERIOD * other_year[c.row]
               + SIDE_NEIGHBOUR * any(c.sentence.para == p.sentence.para and c.sentence.chunk_id == p.sentence.chunk_id
                                      and 0 < abs(c.row - p.row) <= 2 for p in picks)
               for c in cands}
        ranked = sorted(cands, key=lambda c: -fit[c.row])
        if picks and ranked[0] in picks and _amounts(ranked[0].sentence.text) >= 2:
            break  # the sentence best for both sides states both figures ("£6.5-7 billion ... falls short of the £10 billion")
        best = next((c for c in ranked if all(not _same_figures(c.sentence.text, p.sentence.text) for p in picks)), None)
        if best is not None and best not in picks:
            picks.append(best)
    return sorted(picks, key=lambda c: c.row) or [cands[0]]
