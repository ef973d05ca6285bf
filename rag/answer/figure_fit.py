"""Which sentences state the figure a question asks for: a figure of the asked kind (a share, a sum, a count of
the things asked about, a length of time, how often), for the asked subject, names, group and period, beyond any
figure the question itself gives; and, when none does, why not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag import figures
from rag.answer.candidates import Context, is_case_study, lead_in_rows
from rag.answer.features import (
    LENGTH_UNITS,
    Candidate,
    duration_fits,
    new_figure,
    period_fits,
    states_count,
    states_frequency,
    states_length,
)
from rag.answer.figure_question import CHECKS_A_FIGURE, PEOPLE, TIME, given_values, stated_values
from rag.answer.names import BACKGROUND_TERMS, named_subjects, names_in
from rag.answer.wording import normalise_question, terms
from rag.ingest import PAGE_FURNITURE
from rag.schema import QuestionPlan, Sentence
from rag.sentence_table import doc_of
from rag.text import stem


def period_words(period: str) -> str:
    """A period as a note names it: "in July 2021" -> "July 2021"."""
    return re.sub(r"^(?:in|at|by|during|for|of)\s+", "", period, flags=re.I)


def year_published(c: Candidate, ctx: Context) -> int:
    """The year the document of a sentence was published, from its front matter's dates (0 when it has none)."""
    table = ctx.index.sentences
    doc = doc_of(c.sentence.chunk_id)
    return figures.publication_year(table.rows[r].text for (d, _, section), rows in table.by_section.items()
                                    if d == doc and section == "Front matter" for r in rows)


def figure_pool(plan: QuestionPlan, cands: list[Candidate]) -> list[Candidate]:
    """Sentences stating a figure, best first. The asked unit is a feature of the score, not a filter:
    "how much higher" asks for a share, not money, and a filter on a misread unit loses the answer."""
    # The title page's date and the back page's address and phone number are no figures about a subject.
    return [c for c in cands if c.features["has_figure"] and c.sentence.section not in PAGE_FURNITURE]


def asked_periods(plan: QuestionPlan) -> list[str]:
    """The periods a question names by a year or a month and year ("in July 2021", "2022/23")."""
    return [q.text for q in plan.qualifiers if q.kind == "time" and re.search(r"\d{4}|[A-Z][a-z]+ \d{4}", q.text)]


def offered_as_alternatives(periods: list[str], question: str) -> bool:
    """Whether a question offers its periods as alternatives to choose between ("is that for the three months to
    March 2021 or to June 2021?"): a figure for either answers it."""
    if len(periods) < 2:
        return False
    between = r"\W+(?:[\w'’-]+\s+){0,4}?or\s+(?:[\w'’-]+\s+){0,4}?"
    return all(re.search(re.escape(a) + between + re.escape(b), question, re.I) for a, b in zip(periods, periods[1:]))


# Words asking for all of a figure, which name no subject: "how many people have died of covid in total" is not
# "total full-time equivalent staff vacancies".
_WHOLE = {stem(w) for w in ("total", "overall", "whole", "combined", "altogether", "entire")}


@dataclass(frozen=True)
class _Asked:
    """What a figure question asks for, read once for all its candidate sentences."""

    names: list[str]  # names a sentence must name ("the Peterborough Mental Health Exemplar")
    counted: list[str]  # the counted subject's terms
    people: bool  # what is counted is people, named in too many words to require them all
    wanted: list[str]  # the counted terms a sentence must use: not the people words, not the report's background
    subject: list[str]  # the question's terms besides names and the report's background, one of which a sentence uses
    statistics: list[str]  # "median", "average"
    took_part: bool  # asks who took part in a survey ("how many answered it", "the response rate")
    periods_offered: bool  # asks which of its periods a figure is for ("to March 2021 or to June 2021?")
    # The question with the figures it gives, which are not the answer, unless it checks one of them: "Is it right
    # that 57% of leaders disagree ...?" asks for the sentence stating 57%.
    given: str
    # "How much of the £3bn went to mental health?": a part of a sum the question gives, which must be smaller.
    part_of: set[tuple]
    rarest: str | None  # the question's rarest term, which a sentence timed by the paragraph before must name

    @classmethod
    def of(cls, plan: QuestionPlan, ctx: Context) -> _Asked:
        question = ctx.question
        counted = terms(plan.counted or "")
        checks = CHECKS_A_FIGURE.search(normalise_question(question))
        names = named_subjects(question)
        # A name ("in Wales") is checked as a name: the counted thing's own words must be there besides.
        named = set(terms(" ".join(names)))
        return cls(names=names, counted=counted, people=bool(set(counted) & PEOPLE),
                   wanted=[w for w in counted if w not in PEOPLE | BACKGROUND_TERMS | _WHOLE and w not in named],
                   subject=[w for w in plan.terms if w not in named and w not in BACKGROUND_TERMS | _WHOLE],
                   statistics=_STATISTIC.findall(question.lower()),
                   took_part=bool(_RESPONDED.search(question) and _SURVEY.search(question)),
                   periods_offered=offered_as_alternatives(asked_periods(plan), question),
                   # A claim's own figures, in digits or words ("a quarter higher"), are what it checks, not given.
                   given=figures.cut_out(question, figures.find_figures(question), " ") if checks else question,
                   part_of=given_values(question) if _PART_OF.search(normalise_question(question)) else set(),
                   rarest=max(plan.terms, key=ctx.weight, default=None))


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
    about = f"{c.sentence.section} {case_named(c, ctx)} {c.sentence.text}"
    if not all(names_in(name, about) or names_in(name, cited_sources(c, ctx)) for name in asked.names):
        if not all(names_in(name, f"{c.previous} {_paragraph_before(c, ctx)}") for name in asked.names):
            return False
        # A place named only in the sentences before ("... in England, Wales and Northern Ireland. The members
        # we represent employ 1.5 million staff"): the sentence must speak of what is asked there besides.
        places = [q.text for q in plan.qualifiers if q.kind == "place"]
        if (places and not plan.counted and asked.subject
                and not set(asked.subject) & set(terms(f"{c.sentence.section} {text}"))):
            return False
    if not all(_group_named(g, f"{c.sentence.section} {text}") for g in _groups(plan)):
        return False
    if asked.took_part and not _RESPONDED.search(text):
        return False  # "how many answered the survey", "the response rate": the panel's size says neither
    if asked.part_of and not any(unit == u and v < value for value, unit in asked.part_of
                                 for v, u in stated_values(c.sentence.text) if v is not None):
        return False  # "how much of the £3bn": not the £10 billion it fell short of
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
        # People may be counted in any of their names ("staff", "patients"), but not as things ("93,000 vacancies").
        things = set(asked.counted) | (_COUNTED_PEOPLE | _PEOPLE_WORDS if asked.people else set())
        if not states_count(c.sentence.text, asked.given, things if asked.counted else None):
            return False
        if asked.people and _counts_other_people(c.sentence.text, set(asked.counted)):
            return False
    elif not asked.periods_offered and not new_figure(plan.unit, c.sentence.text, asked.given):
        return False  # when the question offers periods to choose between, which one is the answer, not a figure
    durations = [q.text for q in plan.qualifiers if q.kind == "duration"]
    periods = asked_periods(plan)
    untimed = not TIME.search(c.sentence.text)
    earlier = _time_before(c, ctx, asked) if untimed and (periods or durations) else ""
    periods_fit = (any if asked.periods_offered else all)(
        period_fits(p, text) or _this_year(p, text, c, ctx) or bool(earlier) and period_fits(p, earlier)
        for p in periods)
    return periods_fit and all(duration_fits(d, text) or duration_fits(d, earlier) for d in durations)


def _time_before(c: Candidate, ctx: Context, asked: _Asked) -> str:
    """The sentences before a sentence naming no time of its own, which may name the time it is about: its
    paragraph's ("... up to 2023/24. More than three-quarters were not confident."), or, when none of them names a
    time, the paragraph before it in the same section ("... over the next three years." then a paragraph of shares
    by service: "Nearly two thirds of respondents (63 per cent) predicted ..."). That far back, the sentence must
    name the question's rarest word ("GP"): the CAMHS share is not the ambulance share."""
    earlier = _paragraph_before(c, ctx)
    if TIME.search(earlier) or not (asked.rarest is None or asked.rarest in terms(c.sentence.text)):
        return earlier
    s = c.sentence
    before = _rows_back(c.row - s.pos, ctx, (doc_of(s.chunk_id), s.edition, s.section, s.para - 1),
                        lambda r: (doc_of(r.chunk_id), r.edition, r.section, r.para))
    rows = ctx.index.sentences.rows
    return f"{' '.join(rows[r].text for r in before)} {earlier}".strip()


def _rows_back(end: int, ctx: Context, wanted: tuple, key: Callable[[Sentence], tuple]) -> list[int]:
    """The rows among the few before `end` whose `key` is `wanted`: those of a paragraph."""
    rows = ctx.index.sentences.rows
    return [r for r in range(max(0, end - PARAGRAPH_BACK), end) if key(rows[r]) == wanted]


def _paragraph_before(c: Candidate, ctx: Context) -> str:
    """The sentences of a sentence's paragraph before it (a few at most), which may name what it is about."""
    rows = ctx.index.sentences.rows
    return " ".join(rows[r].text for r in _rows_before(c, ctx))


def _rows_before(c: Candidate, ctx: Context) -> list[int]:
    """The rows of a sentence's paragraph before it, a few at most; of a bullet's opening, the end of the
    paragraph leading into its list ("... in the next financial year (2022/23) the frontline NHS will need around
    an extra £10 billion ... The extra funding requirement comprises:")."""
    s, rows = c.sentence, ctx.index.sentences.rows
    if s.kind == "bullet" and s.pos == 0:
        lead = lead_in_rows(c.row, ctx)
        return lead[-PARAGRAPH_BACK:] if lead and rows[lead[-1]].kind == "text" else []
    return _rows_back(c.row, ctx, (s.chunk_id, s.section, s.para), lambda r: (r.chunk_id, r.section, r.para))


def period_named_before(c: Candidate, plan: QuestionPlan, ctx: Context) -> int | None:
    """The row of the sentence before `c` that names the period asked about, when `c` names no time of its own
    ("Fewer than one in five (18 per cent) said they were confident." after "... up to 2023/24."): quoted with
    it, the answer shows the period it is for."""
    periods = asked_periods(plan)
    if not periods or TIME.search(c.sentence.text):
        return None
    rows = ctx.index.sentences.rows
    return next((r for r in reversed(_rows_before(c, ctx)) if all(period_fits(p, rows[r].text) for p in periods)), None)


_THIS_YEAR = re.compile(r"\b(?:this|the|the current) (?:financial )?year\b", re.I)


def _this_year(period: str, text: str, c: Candidate, ctx: Context) -> bool:
    """Whether a sentence's "this year" or "the year" is the asked year, the one the report was published in
    ("the second half of the year" in a September 2021 report is the second half of 2021/22)."""
    if not _THIS_YEAR.search(text) or re.search(figures.MONTHS, period, re.I):
        return False  # a month ("March 2021") is not any time of the year
    years = {int(y) for y in re.findall(r"(?:19|20)\d\d", period)}
    return year_published(c, ctx) in years and len(years) == 1


# People a sentence may count instead of those asked about ("eight specialist healthcare assistants" are no count
# of patients); "people" counts anyone.
_COUNTED_PEOPLE = {stem(w) for w in ("patients", "staff", "leaders", "members", "assistants", "nurses", "doctors",
                                     "respondents", "volunteers", "clinicians", "workers", "gps", "residents")}
_PEOPLE_WORDS = {stem(w) for w in ("people", "adults", "children", "individuals", "employees", "executives", "chairs")}
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
PARAGRAPH_BACK = 4  # sentences of a paragraph before one, in which the period it is about may be named (not tuned)
COMPARED_POOL = 10  # the figure sentences, best first, in which a comparison's named sides are looked for


def unnamed_sides(question: str, pool: list[Candidate], ctx: Context) -> list[str]:
    """Names of a comparison (London, Black people, Wales) that no figure sentence near the question names: the
    report gives no figure to compare for them."""
    return [name for name in named_subjects(question)
            if not any(names_in(name, f"{c.sentence.section} {case_named(c, ctx)} {c.sentence.text}")
                       for c in pool[:COMPARED_POOL])]


def cited_sources(c: Candidate, ctx: Context) -> str:
    """The footnotes the passage of `c` cites ("Office for National Statistics (2020) Deaths involving COVID-19
    ..."): a figure the report takes from the ONS is the ONS figure a question names, though its sentence does not."""
    notes = ctx.index.footnotes.get(c.passage.chunk.edition, {})
    return " ".join(notes.get(str(n), "") for n in c.passage.chunk.footnotes)


def case_named(c: Candidate, ctx: Context) -> str:
    """A case study is about what its first sentence names ("West Yorkshire and Harrogate ... Citizens' Panel"),
    whichever of its sentences states the figure; other sections name their subject sentence by sentence."""
    return case_opening(c.sentence.chunk_id, c.sentence.edition, c.sentence.section, ctx)


def case_opening(chunk_id: str, edition: str, section: str, ctx: Context) -> str:
    """The first sentence of the case study a passage sits in; "" outside case studies."""
    return section_opening(chunk_id, edition, section, ctx, 1) if is_case_study(section) else ""


def section_opening(chunk_id: str, edition: str, section: str, ctx: Context, sentences: int) -> str:
    """The first `sentences` sentences of `section`, in the document and edition of `chunk_id`."""
    table = ctx.index.sentences
    return " ".join(table.rows[r].text for r in table.by_section.get((doc_of(chunk_id), edition, section), [])[:sentences])


def _groups(plan: QuestionPlan) -> list[str]:
    return [q.text for q in plan.qualifiers if q.kind == "group"]


def _group_named(group: str, text: str) -> bool:
    """Whether a text names a group the question asks about by the words before its last ("ambulance trust" of
    "ambulance trust chief executives", "mental health" of "mental health services"): a figure for the whole
    panel, or for another service, is not the one asked for."""
    return set(terms(group)[:-1]) <= set(terms(text))


_PART_OF = re.compile(r"\bhow (?:much|many) of (?:the |that |this |those |these |its |their )?(?:extra |additional |new )?[£$]?\d", re.I)
_STATISTIC = re.compile(r"\b(median|average)\b")  # not "mean": "could mean losing them"


def fitting_figures(plan: QuestionPlan, cands: list[Candidate], ctx: Context) -> list[Candidate]:
    """The figure sentences for the asked subject and period, best first. None: the report has no such figure,
    and a journalist asking for December's figure must not be given July's, nor a count of staff for nurses."""
    # "Every two weeks" is not a figure, but it is how often.
    frequency = plan.unit == "frequency"
    pool = [c for c in cands if c.sentence.section != "Front matter"] if frequency else figure_pool(plan, cands)
    asked = _Asked.of(plan, ctx)
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
    periods = [period_words(p) for p in asked_periods(plan)]
    if plan.counted:
        periods += [q.text for q in plan.qualifiers if q.kind == "duration" and q.text not in plan.counted]
        return f"No passage near this question states a number of {plan.counted}" + (f" for {', '.join(periods)}." if periods else ".")
    if periods:
        return f"The passages near this question give no figure for {', '.join(periods)}."
    return "No passage near this question states a figure of the kind asked for, beyond any the question gives."
