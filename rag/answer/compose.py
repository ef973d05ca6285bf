"""Compose an answer by the question's kind, every sentence a quote from the report with its citation.

figure      the sentence stating the figure for that subject and period
comparison  a sentence for each side, each cited
list        every item of the list (bullets, or the sub-sections of a part such as the ten-point plan), in order
narrative   two to four sentences that carry the content, in report order
summary     the key points, or a named chapter's challenge, findings and first asks
document    title, publisher, date and editions from the report's own front and back matter

The figure, comparison and narrative rules and the decision to decline live here; lists in `lists.py`, summaries
and the document itself in `summary.py`, what they share (candidates, editions, quoting) in `candidates.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag import figures
from rag.answer.candidates import (
    Context,
    candidates,
    candidates_at,
    content_sentences,
    distinct,
    in_report_order,
    preferred_edition,
    quote,
    score_floor,
)
from rag.answer.core import _same_figures, abstain
from rag.answer.features import (
    LENGTH_UNITS,
    Candidate,
    answerability_features,
    duration_fits,
    new_figure,
    period_fits,
    share,
    states_count,
    states_frequency,
    states_length,
)
from rag.answer.lists import introduced_list, item_candidates, list_answer
from rag.answer.question import (
    BACKGROUND_TERMS,
    PEOPLE,
    PERSON_NAMED,
    asks_for_person,
    named_subjects,
    names_in,
    normalise_question,
    point_numbers,
    terms,
)
from rag.answer.summary import document_answer, summary_answer
from rag.schema import Answer, Passage, QuestionPlan
from rag.sentence_table import doc_of
from rag.text import stem

FIGURE_WORDS = 0.75  # chosen on dev: 0.5–1.0 tie (b038 right), 0.25 changes nothing, 2.0 loses a figure
NARRATIVE_ELSEWHERE = 0.95  # chosen on dev (0.75–1.0 tie on keywords; citation precision 0.817 → 0.840)


def compose(question: str, plan: QuestionPlan, passages: list[Passage], ctx: Context, qid: str | None = None) -> Answer:
    answer = _compose(question, plan, passages, ctx, qid)
    asked = normalise_question(question)
    if not answer.abstained and ctx.stats is not None and _CHECKS_A_FIGURE.search(asked):
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
    reasons = pre_abstains(question, plan, passages, ctx)
    if reasons is not None:
        answer = abstain(question, passages, settings, sources, qid)
        answer.notes += reasons
        return answer
    cands = candidates(plan, passages, ctx)
    named = False
    if plan.kind in ("narrative", "list"):
        cands, named = _in_named_section(question, plan, cands, passages, ctx)
    fitting = fitting_figures(plan, cands, ctx) if plan.kind == "figure" else []
    if plan.kind == "figure" and not fitting:
        answer = abstain(question, passages, settings, sources, qid)
        answer.notes.append(missing_note(plan, figure_pool(plan, cands), ctx))
        return answer
    if plan.kind == "comparison":
        unnamed = _unnamed_sides(question, figure_pool(plan, cands), ctx)
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
        return _figure(question, plan, fitting or figure_pool(plan, cands), ctx, qid)
    return _narrative(question, plan, passages, cands, ctx, qid)


# "point one of the plan", "number 7", "the third point": a numbered section ("Ten-point plan › 3. ...").
_QUOTED = re.compile(r"(?<!\w)['‘\"“]([^'‘’\"“”]{4,}?)['’\"”]")


def _in_named_section(question: str, plan: QuestionPlan, cands: list[Candidate], passages: list[Passage],
                      ctx: Context) -> tuple[list[Candidate], bool]:
    """The sentences of the section a question names in quotes ("the 'Charting a new course' section") or by its
    number ("point one of the plan"), best first, and True; all candidates and False when it names none."""
    table = ctx.index.sentences
    titles = {t.lower() for t in _QUOTED.findall(question)}
    numbers = point_numbers(question)
    if not (titles or numbers) or not cands:
        return cands, False
    doc = doc_of(cands[0].sentence.chunk_id)
    edition = preferred_edition((doc, cands[0].sentence.edition, ""), plan, table)[1]
    rows = [r for s in table.sections(doc, edition)
            if s.split(" › ")[-1].lower() in titles or s.split(" › ")[-1].split(". ")[0] in numbers
            for r in table.by_section[(doc, edition, s)]]
    if not rows:
        return cands, False
    return sorted(candidates_at(plan, rows, cands, passages, ctx), key=lambda c: -c.score), True


def _not_spoken_of(question: str, plan: QuestionPlan, best: Candidate, ctx: Context) -> str | None:
    """Why a list or narrative question is declined, when the best sentence's passage does not name what it asks
    about, or a year after the report's publication that it asks about (the report's own time is rarely stated:
    "demand in summer 2021"); None when it speaks of both."""
    around = f"{best.passage.chunk.section} {best.passage.chunk.text}"
    if asks_for_person(question) and not PERSON_NAMED.search(around):
        return "The passages nearest this question name no person."
    unnamed = [n for n in named_subjects(question) if not names_in(n, around)]
    if unnamed:
        return f"The passages nearest this question do not name {' or '.join(unnamed)}."
    periods = _periods(plan)
    published = _published(best, ctx) if periods else 0
    unstated = [p for p in periods if published and max(map(int, re.findall(r"(?:19|20)\d\d", p))) > published
                and not period_fits(p, best.passage.chunk.text)]
    if unstated:
        return f"The passages nearest this question say nothing of {' or '.join(map(_period_words, unstated))}."
    return None


def _list_names_not(question: str, answer: Answer, ctx: Context) -> str | None:
    """Why a list is declined when none of the passages its items sit in names what the question names ("the
    five priority areas of the NHS Race and Health Observatory" answered with another chapter's asks)."""
    chunks = ctx.index.by_id
    listed = " ".join(f"{c.section} {chunks[c.chunk_id].text if c.chunk_id in chunks else c.quote}"
                      for c in answer.citations)
    unnamed = [n for n in named_subjects(question) if not names_in(n, listed)]
    if unnamed:
        return f"No list in the report is about {' or '.join(unnamed)}."
    return None


def _period_words(period: str) -> str:
    """A period as a note names it: "in July 2021" -> "July 2021"."""
    return re.sub(r"^(?:in|at|by|during|for|of)\s+", "", period, flags=re.I)


def _published(c: Candidate, ctx: Context) -> int:
    """The year the document of a sentence was published, from its front matter's dates (0 when it has none)."""
    table = ctx.index.sentences
    doc = doc_of(c.sentence.chunk_id)
    return figures.publication_year(table.rows[r].text for (d, _, section), rows in table.by_section.items()
                                    if d == doc and section == "Front matter" for r in rows)


def pre_abstains(question: str, plan: QuestionPlan, passages: list[Passage], ctx: Context) -> list[str] | None:
    """Reasons to decline before any sentence is scored (notes for the answer), or None when none applies."""
    if not passages or max(p.score for p in passages) < ctx.settings.abstain_threshold:
        return []
    if ctx.stats is not None:
        asked = normalise_question(question)  # "the Confed" is the Confederation
        unknown = ctx.stats.unknown_figures(asked)
        given = [f for f in figures.find_figures(asked) if not figures.is_trivial(f)]
        if _CHECKS_A_FIGURE.search(asked) and unknown and len(unknown) <= len(given):
            # "Is it 82 or 83 per cent?", "... a third higher. Is that right?": a claim to check, whose answer is
            # the sentence stating the report's own figure; a note says which figure the report never states.
            unknown = []
        unknown += ctx.stats.unknown_names(asked)
        if unknown:
            return [f"The report never mentions {', '.join(unknown)}."]
    return None


def decision_score(plan: QuestionPlan, cands: list[Candidate], passages: list[Passage], ctx: Context) -> float | None:
    """The probability that the report answers, judged on the best sentence that could answer this kind of question."""
    pool = figure_pool(plan, cands) if plan.kind in ("figure", "comparison") else content_sentences(cands)
    if not pool:
        return None
    return ctx.model.answerable(answerability_features(plan, pool[0], passages, ctx.df, ctx.weight))


def figure_pool(plan: QuestionPlan, cands: list[Candidate]) -> list[Candidate]:
    """Sentences stating a figure, best first. The asked unit is a feature of the score, not a filter:
    "how much higher" asks for a share, not money, and a filter on a misread unit loses the answer."""
    return [c for c in cands if c.features["has_figure"] and c.sentence.section != "Front matter"]


def _periods(plan: QuestionPlan) -> list[str]:
    return [q.text for q in plan.qualifiers if q.kind == "time" and re.search(r"\d{4}|[A-Z][a-z]+ \d{4}", q.text)]


@dataclass(frozen=True)
class _Asked:
    """What a figure question asks for, read once for all its candidate sentences."""

    names: list[str]  # names a sentence must name ("the Peterborough Mental Health Exemplar")
    counted: list[str]  # the counted subject's terms
    people: bool  # what is counted is people, named in too many words to require them all
    wanted: list[str]  # the counted terms a sentence must use: not the people words, not the report's background
    statistics: list[str]  # "median", "average"
    # The question with the figures it gives, which are not the answer, unless it checks one of them: "Is it right
    # that 57% of leaders disagree ...?" asks for the sentence stating 57%.
    given: str

    @classmethod
    def of(cls, plan: QuestionPlan, question: str) -> _Asked:
        counted = terms(plan.counted or "")
        checks = _CHECKS_A_FIGURE.search(normalise_question(question))
        return cls(names=named_subjects(question), counted=counted, people=bool(set(counted) & PEOPLE),
                   wanted=[w for w in counted if w not in PEOPLE and w not in BACKGROUND_TERMS], statistics=_STATISTIC.findall(question.lower()),
                   given=_FIGURES_OUT.sub(" ", question) if checks else question)


def _fits_subject_and_period(plan: QuestionPlan, c: Candidate, ctx: Context, asked: _Asked) -> bool:
    """Whether a sentence states a figure of the asked kind, for the asked subject and period, beyond any
    figure the question itself gives ("of the 93,806 vacancies, how many ...")."""
    text = f"{c.previous} {c.sentence.text}"
    if plan.counted:
        # A thing counted ("nursing vacancies") is named in full; people counted by what they do
        # ("people waiting for treatment") need half of those words.
        need = 0.5 if asked.people else 1.0
        have = set(terms(text))
        if sum(w in have for w in asked.wanted) < need * len(asked.wanted):
            return False
    about = f"{c.sentence.section} {_case_named(c, ctx)} {text}"
    if not all(names_in(name, about) for name in asked.names):
        return False
    if not all(_group_named(g, f"{c.sentence.section} {text}") for g in _groups(plan)):
        return False
    if _RESPONDED.search(asked.given) and _SURVEY.search(asked.given) and not _RESPONDED.search(text):
        return False  # "how many answered the survey", "the response rate": the panel's size says neither
    if any(w not in text.lower() for w in asked.statistics):
        return False  # a median or an average is not any figure about the same thing
    if plan.unit == "frequency":
        if not states_frequency(c.sentence.text):
            return False
    elif plan.unit in LENGTH_UNITS:
        if not states_length(c.sentence.text, plan.unit):
            return False
    elif plan.unit == "count":
        # A count of things must be followed by those things; people are counted in too many words to check.
        if not states_count(c.sentence.text, asked.given, set(asked.counted) if asked.counted and not asked.people else None):
            return False
        if asked.people and _counts_other_people(c.sentence.text, set(asked.counted)):
            return False
    elif not new_figure(plan.unit, c.sentence.text, asked.given):
        return False
    return (all(period_fits(p, text) or _this_year(p, text, c, ctx) for p in _periods(plan))
            and all(duration_fits(q.text, text) for q in plan.qualifiers if q.kind == "duration"))


_THIS_YEAR = re.compile(r"\b(?:this|the|the current) (?:financial )?year\b", re.I)


def _this_year(period: str, text: str, c: Candidate, ctx: Context) -> bool:
    """Whether a sentence's "this year" or "the year" is the asked year, the one the report was published in
    ("the second half of the year" in a September 2021 report is the second half of 2021/22)."""
    if not _THIS_YEAR.search(text) or re.search(figures.MONTHS, period, re.I):
        return False  # a month ("March 2021") is not any time of the year
    years = {int(y) for y in re.findall(r"(?:19|20)\d\d", period)}
    return _published(c, ctx) in years and len(years) == 1


# After a preamble too: "In the headline results, is it 82 or 83 per cent ...?"
_CHECKS_A_FIGURE = re.compile(
    r"(?:^|[,:;.?!–—-]\s*)(?:(?:is it|is that|was it|are they|were there) (?:right|true|correct|accurate|really)\b|"
    r"(?:did|does) (?:the report|it|the manifesto) (?:really )?(?:say|state|claim|find)\b|"
    r"is (?:that|this) what (?:the report|it|the manifesto) (?:says|states|found|finds)\b|"
    r"^(?:a colleague|someone|somebody|my editor|i (?:have |had )?(?:read|heard|was told)) (?:says?|said|claims?|that)\b|"
    r"(?:is|are|was|were) (?:there )?(?:really|actually)\b|(?:is|was) it £?\d)", re.I)
_FIGURES_OUT = re.compile(r"£?\d[\d,.]*\s*(?:%|per ?cent|million|billion|bn|m|k)?", re.I)


# People a sentence may count instead of those asked about ("eight specialist healthcare assistants" are no count
# of patients); "people" counts anyone.
_COUNTED_PEOPLE = {stem(w) for w in ("patients", "staff", "leaders", "members", "assistants", "nurses", "doctors",
                                     "respondents", "volunteers", "clinicians", "workers", "gps", "residents")}
_NUMBER_THEN_WORDS = re.compile(r"(?:\b\d[\d,.]*(?:\s+(?:million|thousand))?|\b(?:two|three|four|five|six|seven|eight|nine|ten|"
                                r"hundreds?|thousands?))\s+((?:[A-Za-z][\w'’-]*\s+){0,2}[A-Za-z][\w'’-]*)", re.I)


def _counts_other_people(text: str, counted: set[str]) -> bool:
    """Whether every count of people in a sentence counts people other than those asked about."""
    if stem("people") in counted:
        return False  # "how many people work for ...": staff are people
    counts = [{stem(w.lower()) for w in m.group(1).split()} & _COUNTED_PEOPLE for m in _NUMBER_THEN_WORDS.finditer(text)]
    counts = [c for c in counts if c]
    return bool(counts) and all(not (c & counted) for c in counts)


# Taking part in a survey, not "respondents", who are whoever answered a question.
_RESPONDED = re.compile(r"\b(?:responded|answered|replied|took part|taking part|participated|completed|"
                        r"filled (?:in|out)|response rate)\b", re.I)
_SURVEY = re.compile(r"\b(?:survey|poll|questionnaire|response rate)", re.I)
COMPARED_POOL = 10  # the figure sentences, best first, in which a comparison's named sides are looked for


def _unnamed_sides(question: str, pool: list[Candidate], ctx: Context) -> list[str]:
    """Names of a comparison (London, Black people, Wales) that no figure sentence near the question names: the
    report gives no figure to compare for them."""
    return [name for name in named_subjects(question)
            if not any(names_in(name, f"{c.sentence.section} {_case_named(c, ctx)} {c.sentence.text}")
                       for c in pool[:COMPARED_POOL])]


def _case_named(c: Candidate, ctx: Context) -> str:
    """A case study is about what its first sentence names ("West Yorkshire and Harrogate ... Citizens' Panel"),
    whichever of its sentences states the figure; other sections name their subject sentence by sentence."""
    if not c.sentence.section.split(" › ")[-1].startswith("Case study"):
        return ""
    table = ctx.index.sentences
    rows = table.by_section.get((doc_of(c.sentence.chunk_id), c.sentence.edition, c.sentence.section), [])
    return table.rows[rows[0]].text if rows else ""


def _groups(plan: QuestionPlan) -> list[str]:
    return [q.text for q in plan.qualifiers if q.kind == "group"]


def _group_named(group: str, text: str) -> bool:
    """Whether a text names a group the question asks about by the words before its last ("ambulance trust" of
    "ambulance trust chief executives", "mental health" of "mental health services"): a figure for the whole
    panel, or for another service, is not the one asked for."""
    return set(terms(group)[:-1]) <= set(terms(text))


_STATISTIC = re.compile(r"\b(median|average)\b")  # not "mean": "could mean losing them"


def fitting_figures(plan: QuestionPlan, cands: list[Candidate], ctx: Context) -> list[Candidate]:
    """The figure sentences for the asked subject and period, best first. None: the report has no such figure,
    and a journalist asking for December's figure must not be given July's, nor a count of staff for nurses."""
    # "Every two weeks" is not a figure, but it is how often.
    frequency = plan.unit == "frequency"
    pool = [c for c in cands if c.sentence.section != "Front matter"] if frequency else figure_pool(plan, cands)
    asked = _Asked.of(plan, ctx.question)
    return [c for c in pool if _fits_subject_and_period(plan, c, ctx, asked)]


def missing_note(plan: QuestionPlan, pool: list[Candidate], ctx: Context) -> str:
    """Why a figure question is declined when no sentence fits its subject and period (a note for the user)."""
    unnamed = [n for n in named_subjects(ctx.question)
               if not any(names_in(n, f"{c.sentence.section} {c.previous} {c.sentence.text}") for c in pool)]
    if unnamed:
        return f"No passage near this question that states a figure names {' or '.join(unnamed)}."
    statistics = [w for w in _STATISTIC.findall(ctx.question.lower()) if not any(w in c.sentence.text.lower() for c in pool)]
    if statistics:
        return f"No passage near this question gives {' or '.join(statistics)} figures."
    groups = [g for g in _groups(plan) if not any(_group_named(g, f"{c.sentence.section} {c.previous} {c.sentence.text}")
                                                  for c in pool)]
    if groups:
        return f"No passage near this question that states a figure is about {' or '.join(groups)}."
    periods = [_period_words(p) for p in _periods(plan)]
    if plan.counted:
        periods += [q.text for q in plan.qualifiers if q.kind == "duration" and q.text not in plan.counted]
        return f"No passage near this question states a number of {plan.counted}" + (f" for {', '.join(periods)}." if periods else ".")
    if periods:
        return f"The passages near this question give no figure for {', '.join(periods)}."
    return "No passage near this question states a figure of the kind asked for, beyond any the question gives."


def _figure(question, plan, pool: list[Candidate], ctx, qid) -> Answer:
    """`pool`: figure sentences, best first (for a figure question, those fitting its subject and period)."""
    if plan.kind == "figure":
        # Among the nearly-best, the sentence holding the question's most specific words ("slightly agreed",
        # "the second most common") is the one stating that figure.
        near = [c for c in pool[:5] if c.score >= 0.5 * pool[0].score]
        fit = {c.row: c.score + FIGURE_WORDS * share(plan.terms, set(terms(f"{c.previous} {c.sentence.text}")), ctx.weight)
               for c in near}
        pool = sorted(near, key=lambda c: -fit[c.row]) + [c for c in pool if c not in near]
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
    return quote(question, plan, picks, ctx, qid, variants=True)


SIDE_NEIGHBOUR = 0.25  # added to a sentence's fit for a comparison's second side when it follows the first's
SIDE_NEGATION = 1.0  # taken from it when one of side and sentence says "not" and the other does not
_NEGATION = re.compile(r"\bnot\b|n['’]t\b|\bnever\b", re.I)


def _states_amount(text: str) -> bool:
    """Whether a text states a figure that is not a date (a share, a sum, a count, a length of time)."""
    return any(f.unit not in ("date", "year", "financial year") and not figures.is_trivial(f)
               for f in figures.find_figures(text)) or any(states_length(text, u) for u in LENGTH_UNITS)


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
    for side in plan.sides:
        side_terms = terms(side)
        # The second side is often told in the next sentences ("Just under half (46 per cent) say ... A quarter
        # (25 per cent) disagree."), which its few words alone do not find.
        # "What share were confident, and what share were not?": each side is the sentence that negates as it does.
        negated = bool(_NEGATION.search(side))
        fit = {c.row: c.score + share(side_terms, set(terms(f"{c.sentence.text} {c.sentence.section}")), ctx.weight)
               - SIDE_NEGATION * (negated != bool(_NEGATION.search(c.sentence.text)))
               + SIDE_NEIGHBOUR * any(c.sentence.para == p.sentence.para and c.sentence.chunk_id == p.sentence.chunk_id
                                      and 0 < abs(c.row - p.row) <= 2 for p in picks)
               for c in cands}
        ranked = sorted(cands, key=lambda c: -fit[c.row])
        best = next((c for c in ranked if all(not _same_figures(c.sentence.text, p.sentence.text) for p in picks)), None)
        if best is not None and best not in picks:
            picks.append(best)
    return sorted(picks, key=lambda c: c.row) or [cands[0]]


def _narrative(question, plan, passages, cands, ctx, qid) -> Answer:
    introduced = introduced_list(plan, cands, ctx)
    if introduced is not None:
        # The content of a sentence that introduces a list ("... point to four key areas:") is the list.
        _, lead, items = introduced
        picks, continued = item_candidates(plan, items, cands, passages, ctx)
        return quote(question, plan, candidates_at(plan, [lead], cands, passages, ctx) + picks, ctx, qid, variants=False,
                     as_list=True, lead=1, continued=frozenset(i + 1 for i in continued))
    content = content_sentences(cands)
    best = content[0]
    floor = score_floor(best, ctx)
    # Sentences from elsewhere in the report join only when nearly as good: a narrative reads on in its section.
    picks = distinct([best] + [c for c in content[1:] if c.score >= floor and
                                (c.sentence.section == best.sentence.section or c.score >= NARRATIVE_ELSEWHERE * best.score)])
    if len(picks) == 1:
        # The content often reads on in the next sentence of the same paragraph, or was in the one before
        # ("... several key issues need to define the recovery. These factors are explored in ...").
        for row in (best.row + 1, best.row - 1):
            other = next((c for c in cands if c.row == row and c.sentence.para == best.sentence.para), None)
            if other is not None and other.score >= 0.5 * best.score and not other.features["heading"]:
                picks.append(other)
                break
    return quote(question, plan, in_report_order(picks, best), ctx, qid, variants=False)
