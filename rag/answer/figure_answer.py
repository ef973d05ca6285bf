"""Figure and comparison answers: the sentence stating the figure asked for (with the sentence naming its period,
a short sequel stating another, the sentence stating a figure the question gives), a sentence for each ask of a
question asking two figures, and a sentence for each side of a comparison.

Which sentences fit the asked subject and period is `figure_fit.py`'s; this module picks among them.
"""

from __future__ import annotations

import dataclasses
import re

from rag import figures
from rag.answer.candidates import (
    Context,
    candidates,
    distinct,
    followed_by,
    in_paragraph,
    in_report_order,
    preceded_by,
    quote,
)
from rag.answer.core import _same_figures
from rag.answer.features import LENGTH_UNITS, Candidate, period_fits, share, states_length
from rag.answer.figure_fit import asked_periods, fitting_figures, period_named_before
from rag.answer.figure_question import CHECKS_A_FIGURE, given_figures, given_values, stated_values
from rag.answer.question import analyse, figure_asks
from rag.answer.wording import normalise_question, terms
from rag.schema import Answer, Passage, QuestionPlan
from rag.text import stem

FIGURE_WORDS = 0.75  # chosen on dev: 0.5–1.0 tie (b038 right), 0.25 changes nothing, 2.0 loses a figure
CLAIM_FIT = 0.8  # of the best fit, at least, for a sentence near a claimed figure to come first


def figure_answer(question, plan, pool: list[Candidate], ctx, qid, cands: list[Candidate], passages: list[Passage]) -> Answer:
    """`pool`: figure sentences, best first (for a figure question, those fitting its subject and period)."""
    picks = followed_by(_figure_picks(plan, pool, ctx), lambda c: _short_sequel(c, ctx), plan, cands, passages, ctx)
    if plan.kind == "figure":
        # The sentence naming the period a figure is for, when only the one before it does.
        picks = preceded_by(picks, lambda c: period_named_before(c, plan, ctx), plan, cands, passages, ctx)
        # "was the list already above 4 million before COVID, and what had it reached by July 2021?": the sentence
        # before a pick stating a figure the question gives and no pick states ("... more than 4 million ...").
        unstated = given_values(ctx.question) - {v for p in picks for v in stated_values(p.sentence.text)}
        if unstated:
            picks = preceded_by(picks, lambda c: _stating_before(c, unstated, ctx), plan, cands, passages, ctx)
    return quote(question, plan, picks, ctx, qid, variants=True)


def _stating_before(c: Candidate, wanted: set, ctx: Context) -> int | None:
    """The sentence before `c` in its paragraph when it states one of the `wanted` (value, unit) figures."""
    row = in_paragraph(c.row, -1, ctx)
    if row is None:
        return None
    return row if wanted & stated_values(ctx.index.sentences.rows[row].text) else None


SEQUEL_WORDS = 12  # at most, for the sentence after a figure's to be read with it (chosen on dev: 10 -> 12 three more right, 15 none)


def _short_sequel(c: Candidate, ctx: Context) -> int | None:
    """The next sentence of the pick's paragraph when it is short and states a figure: "... (46 per cent) say they
    are well supported by national bodies ... A quarter (25 per cent) disagree." """
    nxt = in_paragraph(c.row, +1, ctx)
    if nxt is None:
        return None
    text = ctx.index.sentences.rows[nxt].text
    short = len(text.split()) <= SEQUEL_WORDS
    return nxt if short and any(not figures.is_trivial(f) for f in figures.find_figures(text)) else None


def two_figures(question: str, plan: QuestionPlan, passages: list[Passage], ctx: Context, qid) -> Answer | None:
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
        # Only among sentences about what is claimed: "9 in 10 say inequalities have widened" misquotes "59% say
        # health inequalities have widened", not "95% say success in tackling health inequalities should ...".
        best_fit = max(fit.values(), default=0.0)
        about = {row for row, f in fit.items() if f >= CLAIM_FIT * best_fit}
        pool = sorted(near, key=lambda c: (bool(claimed) and not (c.row in about and _close_to(claimed, c.sentence.text)),
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


# The report ranks answers as "the most commonly chosen" and "the second most popular", which a side asking for
# "the runner-up" names in no word of its own.
_RUNNER_UP = re.compile(r"\brunners?[- ]up\b", re.I)
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


def _amounts(text: str) -> set[str]:
    """The figures a text states that are not dates or trivial (a share, a sum, a count), as written."""
    return {f.text for f in figures.find_figures(text) if f.unit not in ("date", "year", "financial year")
            and not figures.is_trivial(f)}


def _states_amount(text: str) -> bool:
    """Whether a text states a figure that is not a date (a share, a sum, a count, a length of time)."""
    return bool(_amounts(text)) or any(states_length(text, u) for u in LENGTH_UNITS)


_PANDEMIC = {"covid", "pandem", "coronavirus"}  # stems: the report's words for one time


def _fits_every_time(plan: QuestionPlan, text: str) -> bool:
    """Whether a sentence can be about every time a question names: its month and year, or its words
    ("before COVID": a sentence on July 2021 alone is not about the waiting list before the pandemic)."""
    words = set(terms(text))
    words |= _PANDEMIC if words & _PANDEMIC else set()
    for q in plan.qualifiers:
        if q.kind != "time":
            continue
        if re.search(r"\b(?:19|20)\d\d\b", q.text):
            if not period_fits(q.text, text):
                return False
        elif (asked := set(terms(q.text))) and not asked & words:
            return False
    return True


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
        side_terms = terms(_RUNNER_UP.sub("second most popular", side))
        # The second side is often told in the next sentences ("Just under half (46 per cent) say ... A quarter
        # (25 per cent) disagree."), which its few words alone do not find.
        # "What share were confident, and what share were not?": each side is the sentence that negates as it does.
        negated = bool(_NEGATION.search(side))
        # A pick restated elsewhere (a survey finding's bullet in a chapter's words) is followed there too.
        anchors = [c for c in cands if any(_same_figures(c.sentence.text, p.sentence.text) for p in picks)]
        fit = {c.row: c.score + share(side_terms, set(terms(f"{c.sentence.text} {c.sentence.section}")), ctx.weight)
               - SIDE_NEGATION * (negated != bool(_NEGATION.search(c.sentence.text))) - SIDE_PERIOD * other_year[c.row]
               + SIDE_NEIGHBOUR * any(c.sentence.para == p.sentence.para and c.sentence.chunk_id == p.sentence.chunk_id
                                      and 0 < abs(c.row - p.row) <= 2 for p in anchors)
               for c in cands}
        ranked = sorted(cands, key=lambda c: -fit[c.row])
        if picks and ranked[0] in picks and len(_amounts(ranked[0].sentence.text)) >= 2 \
                and _fits_every_time(plan, ranked[0].sentence.text):
            break  # the sentence best for both sides states both figures ("£6.5-7 billion ... falls short of the £10 billion")
        best = next((c for c in ranked if all(not _same_figures(c.sentence.text, p.sentence.text) for p in picks)), None)
        if best is not None and best not in picks:
            picks.append(best)
    return sorted(picks, key=lambda c: c.row) or [cands[0]]
