"""Sentence features and the fitted model that scores a candidate sentence for a question.

The weights are not chosen by hand: `rag.fit_answer` fits a logistic regression
on the dev split of the gold set and writes them, with the feature means and
scales, to `index/answer_model.json` (plain JSON, no pickle). Scoring is a dot
product, so answering needs neither scikit-learn nor torch.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag import figures
from rag.answer.figure_question import ASKS_A_SUM
from rag.answer.wording import terms
from rag.schema import Passage, QuestionPlan, Sentence
from rag.text import stem

FEATURES = [
    "cosine",  # the embedding model's question-sentence similarity
    "lexical",  # the earlier hand-weighted overlap score (rag.answer.core.score_sentence), one input among many
    "overlap",  # IDF-weighted share of the question's focus words in the sentence
    "bm25",  # BM25 of the focus words against the sentence, corpus IDF
    "section_overlap",  # share of focus words in the section path
    "context_overlap",  # share of focus words in the sentence before (what "this" refers to)
    "has_figure",
    "figure_wanted",  # a figure question and a sentence stating a figure
    "figure_missing",  # a figure question and a sentence stating none
    "unit_match",  # a figure of the kind asked for (a share, money, a date, a count)
    "qualifier_match",  # share of the question's periods and groups found in the sentence or its context
    "qualifier_conflict",  # the question names a period and the sentence gives only other dates
    "heading",  # short and unpunctuated: a title, not a statement
    "announces",  # ends with a colon, says "the following" or points to the next section: the content is elsewhere
    "rank",  # 1 / (1 + the passage's retrieval rank)
    "first_in_paragraph",
    "bullet",
    "quote",  # a leader quoted in the report
    "passage_score",  # the passage's dense cosine
]
# Figures in words: "eight specialist healthcare assistants", "six areas", "every five years", "in early July".
# rag.figures leaves them out on purpose (the checker and the answer verifier deal in numerals), but for
# choosing a sentence they state a count or a date as surely as numerals do.
_COUNT_WORDS = (r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundreds?|"
                r"dozens?|thousands?|millions?")
_NUMBER_WORD = re.compile(rf"\b({_COUNT_WORDS}|half|third|quarter|double|doubled|twice|treble)\b", re.I)
# A count, not a length of time ("every two weeks", "after 18 months") or a fraction ("a quarter higher").
_COUNT = re.compile(rf"(?<![\w/£$€-])(?<!\d[.,])(?<!\bin )(?<!\d )(?:{_COUNT_WORDS}|\d[\d,.]*(?:\s+(?:million|billion|thousand))?)\b(?![%/])(?![\s-]+(?:-?to-?\s*\w+\s+)?"
                    r"(?:days?|weeks?|months?|years?|hours?|minutes?|per cent|percent|%|quarters?|thirds?|fifths?|tenths?|halves|"
                    r"in (?:two|three|four|five|ten|\d+)\b))", re.I)  # "three-quarters", "four in five": shares, not counts
# Capitalised only: "may" and "march" are also verbs.
_MONTH_WORD = re.compile(rf"\b({'|'.join(m.title() for m in figures.MONTHS.split('|'))})\b")
_ANNOUNCES = re.compile(r"(:\s*$|\b(the following|as follows|include|includes|including|comprises)\s*:?\s*$|"
                        r"\b(?:is|are) (?:explored|discussed|examined|described|set out|covered)\b.*\bin (?:the )?(?:next|following|later) "
                        r"(?:section|chapter|part)s?\b)", re.I)
MODEL_FILE = "answer_model.json"


@dataclass
class Candidate:
    sentence: Sentence
    row: int  # row in the sentence table
    passage: Passage
    rank: int
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    previous: str = ""  # the sentence before it in the same section: what "this" or "it" refers to


def share(q: list[str], words: set[str], weight) -> float:
    """Weighted share of the words `q` that `words` holds."""
    total = sum(weight(w) for w in q)
    return sum(weight(w) for w in q if w in words) / total if total else 0.0


def sentence_features(
    plan: QuestionPlan, sentence: Sentence, previous: str, cosine: float, rank: int, passage_score: float, weight,
    lexical: float = 0.0,
) -> dict[str, float]:
    """Features of one candidate; `weight` is the corpus IDF of a stemmed word."""
    q = plan.terms
    s_words = set(terms(sentence.text))
    figs = [f for f in figures.find_figures(sentence.text) if not figures.is_trivial(f)]
    counts_in_words = bool(_NUMBER_WORD.search(sentence.text))
    months = bool(_MONTH_WORD.search(sentence.text))
    wants = plan.kind in ("figure", "comparison")
    unit_ok = bool(plan.unit) and (any(_unit_fits(plan.unit, f) for f in figs)
                                   or (plan.unit == "count" and counts_in_words) or (plan.unit == "date" and months)
                                   or (plan.unit in LENGTH_UNITS and states_length(sentence.text, plan.unit)))
    stated = bool(figs) or counts_in_words or months
    # BM25 with the usual k1=1.2, b=0.75 and an average sentence of 25 words.
    tf_words = [stem(w) for w in re.findall(r"[a-z0-9']+", sentence.text.lower())]
    length = max(1, len(tf_words))
    bm25 = 0.0
    for w in q:
        tf = tf_words.count(w)
        if tf:
            bm25 += weight(w) * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / 25))
    quals = [x for x in plan.qualifiers if x.kind in ("time", "group", "place")]
    context = (previous + " " + sentence.text).lower()
    matched = sum(qualifier_in(x.text, x.kind, context) for x in quals)
    asked_dates = [f for x in quals if x.kind == "time" for f in figures.find_figures(x.text) if f.unit in ("date", "year")]
    given_dates = [f for f in figs if f.unit in ("date", "year", "financial year")]
    conflict = bool(asked_dates and given_dates and not any(figures.appears_in(a, given_dates) or figures.appears_in(g, asked_dates)
                                                            for a in asked_dates for g in given_dates))
    text = sentence.text.strip()
    return {
        "cosine": cosine,
        "lexical": lexical,
        "overlap": share(q, s_words, weight),
        "bm25": bm25 / (1 + bm25),
        "section_overlap": share(q, set(terms(sentence.section)), weight),
        "context_overlap": share(q, set(terms(previous)), weight),
        "has_figure": float(stated),
        "figure_wanted": float(wants and stated),
        "figure_missing": float(wants and not stated),
        "unit_match": float(unit_ok),
        "qualifier_match": matched / len(quals) if quals else 0.0,
        "qualifier_conflict": float(conflict),
        "heading": float(len(text.split()) < 8 and not re.search(r"[.!?”’\"]$", text)),
        "announces": float(bool(_ANNOUNCES.search(text))),
        "rank": 1.0 / (1 + rank),
        "first_in_paragraph": float(sentence.pos == 0),
        "bullet": float(sentence.kind == "bullet"),
        "quote": float(sentence.kind == "quote" or text.startswith(("“", '"'))),
        "passage_score": passage_score,
    }


_DIALLED = re.compile(r"\b(?:call|calls|dial|ring|press|option|extension|line)\s+$", re.I)


def states_count(text: str, given: str = "", counted: set[str] | None = None) -> bool:
    """A count of things, in numerals ("93,806", "5.6 million") or words ("eight"), other than a count the
    question itself gives ("of the 93,806 vacancies, how many ..."); lengths of time and dates are not counts.
    With `counted` (stemmed words of what is counted), not a count followed by other things ("two innovative
    schemes" is no count of systems)."""
    given_figures = figures.find_figures(given)
    for m in _COUNT.finditer(text):
        if counted and _counts_other(text[m.end():], counted):
            continue
        if _DIALLED.search(text[:m.start()]):
            continue  # "call 111 and press option 3": a number to dial, not a count
        found = figures.find_figures(m.group(0))
        if found and (found[0].unit != "" or figures.is_trivial(found[0]) or figures.appears_in(found[0], given_figures)):
            continue
        if not found and m.group(0).lower() in given.lower():
            continue
        if re.fullmatch(r"(?:19|20)\d\d", m.group(0)) or re.fullmatch(r"\d{1,2}", m.group(0)) and not found:
            continue
        return True
    return False


def _counts_other(after: str, counted: set[str]) -> bool:
    """Whether the two words after a number name things other than those counted (a plural noun not among them)."""
    following = re.findall(r"[A-Za-z][\w'’-]*", after[:40])[:2]
    if any(stem(w.lower()) in counted for w in following):
        return False
    return any(len(w) > 3 and w.lower().endswith("s") and not w.lower().endswith("ss") for w in following)


# "How much funding/money/…" asks for a sum of money; "a budget covering how many years" does not.
_MONEY = re.compile(r"\bhow much\b[^?.,;:]*?\b(?:funding|money|cost|costs|budget|spend|spending|investment|pounds|receive|received|get|got)\b|"
                    r"\bwhat (?:[\w'’-]+ ){0,6}?(?:cost|costs|costed)\b|\b(?:the|its) (?:cost|price) of\b|\bhow much of (?:the |this |that )?£|"
                    r"\b" + ASKS_A_SUM, re.I)


_SHARE = re.compile(r"\b(?:shares?|proportions?|percentages?|per ?cent|fraction)\b", re.I)


# A share of the people asked ("what % of the leaders panel"), which a size of change is not.
_OF_PEOPLE = re.compile(r"\b(?:of|among) (?:the |our )?(?:[\w'’-]+ ){0,2}?(?:leaders|panel|respondents|members|trusts|chief executives)\b|"
                        r"\bhow many (?:(?:of|on|in|among) )?(?:the )?(?:leaders|panel|respondents|members)\b", re.I)
_ASKS_A_CHANGE = re.compile(r"\bby (?:how much|what)\b|\bwhat (?:%|per ?cent|percentage) (?:rise|increase|jump|fall|drop)\b", re.I)
_SIZE_OF_CHANGE = re.compile(r"\b(?:increases?|rises?|growth|falls?|drops?|declines?|jumps?|reductions?)\s*"
                             r"(?:\(?\s*(?:i\.e\.\s*)?(?:of|by)?\s*(?:more than|over|up to|around|about|at least)?\s*)$", re.I)


def new_figure(unit: str | None, text: str, question: str) -> bool:
    """A figure of the asked kind that the question does not already give (a date only when one is asked)."""
    given = figures.find_figures(question)
    # "how much funding", "of the £5.4bn, how much ...": a sum, not "eight assistants funded"
    money = unit == "GBP" and (bool(_MONEY.search(question)) or any(f.unit == "GBP" for f in given))
    wants_share = unit == "%" and bool(_SHARE.search(question))  # not "how many leaders": "3,000 leaders" is a count
    people_share = unit == "%" and bool(_OF_PEOPLE.search(question)) and not _ASKS_A_CHANGE.search(question)
    for f in figures.find_figures(text):
        if figures.is_trivial(f) or figures.appears_in(f, given):
            continue
        if wants_share and f.unit != "%":
            continue  # "what share": a share ("59%", "half", "seven in ten"), not a count or a sum
        if people_share and _SIZE_OF_CHANGE.search(text[max(0, f.start - 40):f.start]):
            continue  # "what % of leaders": not "significant increases (i.e. more than 20 per cent)"
        if f.unit == "GBP" if money else (f.unit in ("date", "year", "financial year")) == (unit == "date"):
            return True
    if money or wants_share or people_share:
        return False
    if unit == "date":
        return bool(_MONTH_WORD.search(text))
    return any(w.lower() not in question.lower() for w in _NUMBER_WORD.findall(text))


_FREQUENCY = re.compile(r"\b(?:every|each|once a|twice a|per|a)\s+(?:\w+\s+)?(?:day|week|fortnight|month|quarter|year)s?\b|"
                        r"\b(?:daily|weekly|fortnightly|monthly|quarterly|yearly|annually)\b", re.I)


def states_frequency(text: str) -> bool:
    """Whether a text says how often something happens ("met online every two weeks", "monthly")."""
    return bool(_FREQUENCY.search(text))


def period_fits(asked: str, context: str) -> bool:
    """Whether a sentence (with the one before it) can be about the period a question names: each month
    asked is named, and a year asked is named unless the sentence names no year at all ("on 6 September")."""
    months = _MONTH_WORD.findall(asked.title())
    years = re.findall(r"\b(?:19|20)\d\d\b", asked)
    if not months and not years:
        return True
    if any(m not in context for m in months):
        return False
    stated_years = re.findall(r"\b(?:19|20)\d\d\b", context)
    if years and not months:
        return any(y in stated_years for y in years)
    return not years or not stated_years or any(y in stated_years for y in years)


def _lengths(text: str) -> set[tuple[int, str]]:
    """Lengths of time a text states, as (number, unit): "more than a year" and "12 months" are (1, year), (12, month)."""
    out = set()
    # "five-to-seven, not two-to-three, years": a range, and an aside before its unit.
    for n, m, unit in re.findall(r"\b(\d+|[a-z]+)(?:[\s-]*(?:to|-|–)[\s-]*(\d+|[a-z]+))?(?:,\s*not\s+[\w-]+,)?[\s-]+"
                                 r"(year|month|week|day|hour)s?\b", text.lower()):
        for number in filter(None, (n, m)):
            value = int(number) if number.isdigit() else figures.NUMBER_WORDS.get(number)
            if value is not None:
                out.add((value, unit))
    return out


LENGTH_UNITS = ("year", "month", "week", "day", "hour", "length")  # "length": in any unit ("how long are they waiting?")


def states_length(text: str, unit: str) -> bool:
    """Whether a text states a length of time in `unit` ("18 months", "the next three years"), any unit for "length"."""
    return any(u == unit or unit == "length" for _, u in _lengths(text))


def duration_fits(asked: str, context: str) -> bool:
    """Whether a sentence states the length of time a question asks about ("waiting more than two years")."""
    return bool(_lengths(asked) & _lengths(context)) if _lengths(asked) else True


def _unit_fits(unit: str, fig) -> bool:
    if unit == "date":
        return fig.unit in ("date", "year", "financial year")
    if unit == "count":
        return fig.unit == "" and fig.kind == "count"
    return fig.unit == unit


def qualifier_in(text: str, kind: str, context: str) -> bool:
    if kind == "time":
        asked = [f for f in figures.find_figures(text) if not figures.is_trivial(f)]
        if asked:
            return any(figures.appears_in(f, context) for f in asked)
    words = [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in ("the", "end", "start", "among")]
    ctx = {stem(w) for w in re.findall(r"[a-z0-9]+", context)}
    return bool(words) and sum(w in ctx for w in words) / len(words) >= 0.5


ANSWERABILITY = [
    "best_score",  # the sentence model's probability for the best candidate of the asked kind
    "best_cosine",
    "coverage",  # IDF-weighted share of the focus words in the best candidate, its context and section
    "passage_coverage",  # the same over the best candidate's whole passage
    "missing_idf",  # IDF of the most specific focus word the best passage lacks (0 when none is missing)
    "unknown_share",  # IDF-weighted share of focus words the report never uses
    "top_passage",  # the first passage's dense cosine
    "kind_found",  # a figure of the asked kind is there (figure questions), 1 otherwise
]


def answerability_features(plan: QuestionPlan, best: Candidate | None, passages: list[Passage], df, weight) -> dict[str, float]:
    if best is None:
        return {name: 0.0 for name in ANSWERABILITY}
    q = plan.terms
    total = sum(weight(w) for w in q) or 1.0
    near = set(terms(f"{best.sentence.section} {best.sentence.text}"))
    passage_words = set(terms(f"{best.passage.chunk.section} {best.passage.chunk.text}"))
    missing = [weight(w) for w in q if w not in passage_words]
    return {
        "best_score": best.score,
        "best_cosine": best.features["cosine"],
        "coverage": sum(weight(w) for w in q if w in near) / total,
        "passage_coverage": sum(weight(w) for w in q if w in passage_words) / total,
        "missing_idf": max(missing, default=0.0),
        "unknown_share": sum(weight(w) for w in q if df(w) == 0) / total,
        "top_passage": max((p.score for p in passages), default=0.0),
        "kind_found": float(plan.kind not in ("figure", "comparison") or bool(best.features["has_figure"])),
    }


@dataclass
class SentenceModel:
    """A fitted logistic regression over FEATURES, plus the answerability threshold chosen with it."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    abstain_below: float = 0.0  # decline when the answerability probability is under this
    meta: dict = field(default_factory=dict)
    # A second logistic regression over ANSWERABILITY, fitted on dev answerable vs unanswerable questions.
    answerability: dict = field(default_factory=dict)

    def probability(self, feats: dict[str, float]) -> float:
        z = self.intercept + sum(
            c * ((feats.get(name, 0.0) - m) / s) for name, c, m, s in zip(self.features, self.coef, self.mean, self.scale)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answerable(self, feats: dict[str, float]) -> float:
        """Probability that the report answers the question, from the best candidate's evidence."""
        a = self.answerability
        if not a:
            return 1.0
        z = a["intercept"] + sum(
            c * ((feats.get(name, 0.0) - m) / s) for name, c, m, s in zip(a["features"], a["coef"], a["mean"], a["scale"])
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=1)

    @classmethod
    def untrained(cls) -> SentenceModel:
        """Used only before a model is fitted: similarity and overlap, equally weighted."""
        coef = [1.0 if f in ("cosine", "overlap", "figure_wanted", "unit_match") else 0.0 for f in FEATURES]
        return cls(FEATURES, [0.0] * len(FEATURES), [1.0] * len(FEATURES), coef, -1.0, meta={"untrained": True})


@lru_cache(maxsize=4)
def load_model(path: Path) -> SentenceModel:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return SentenceModel(**raw)
    except FileNotFoundError:
        return SentenceModel.untrained()
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"the answer model {path} is unreadable ({exc}); refit it with `python -m rag.fit_answer`") from exc


def feature_matrix(cands: list[Candidate]) -> np.ndarray:
    return np.array([[c.features[f] for f in FEATURES] for c in cands], dtype="float64")
