"""Grounded answers. The extractive answerer quotes the report's own sentences.

It never writes a figure of its own: every figure in an extractive answer is a
figure of a quoted sentence, and `verify_figures` checks that again before the
answer leaves. Generated answers (rag.generate) reuse the same citations and
verification, and fall back to this answerer.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass

from rag import figures
from rag.schema import Answer, Citation, Passage
from rag.settings import Settings
from rag.text import STOPWORDS, content_words, sentences, stem

_NUMBER_QUESTION = re.compile(
    r"\b(how (?:many|much|long|often|big|large|far)|what (?:share|percentage|proportion|per ?cent|fraction|number|"
    r"figure|amount|sum|rate|level|total|size)|which (?:month|year|date|period)|when|what (?:month|year|date|period)|"
    r"how (?:high|low)|percentage|proportion|per cent|%|figure|number of|cost|billion|million)\b",
    re.I,
)
_KIND_HINTS = [
    (re.compile(r"\b(share|percentage|proportion|per ?cent|%|what fraction|how many (?:of )?(?:the )?(?:leaders|respondents|panel|members|trusts))\b", re.I), "%"),
    (re.compile(r"\b(how much|funding|money|cost|£|billion|budget|investment|pounds)\b", re.I), "GBP"),
    (re.compile(r"\b(when|which month|what month|which year|what year|what date|period|published)\b", re.I), "date"),
    (re.compile(r"\b(rate|per 100,000|mortality|death)\b", re.I), "rate"),
]


_ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


@dataclass
class CorpusStats:
    """What the whole report says, to tell a question it cannot answer."""

    df: dict[str, int]
    n: int
    figure_keys: set
    vocabulary: frozenset[str] = frozenset()  # the words as written, to tell a misspelling

    @classmethod
    def from_chunks(cls, chunks: list) -> CorpusStats:
        df: dict[str, int] = {}
        keys = set()
        vocabulary: set[str] = set()
        for c in chunks:
            written = set(content_words(c.section + " " + c.text))
            vocabulary |= written
            for w in {stem(w) for w in written}:
                df[w] = df.get(w, 0) + 1
            keys.update(figures.key(f) for f in figures.find_figures(c.text))
        return cls(df=df, n=len(chunks), figure_keys=keys, vocabulary=frozenset(vocabulary))

    def weight(self, word: str) -> float:
        return math.log((self.n + 1) / (self.df.get(word, 0) + 0.5))

    def coverage(self, question: str, text: str) -> float:
        """IDF-weighted share of the question's content words that `text` contains."""
        q = {stem(w) for w in content_words(question)}
        if not q:
            return 1.0
        t = {stem(w) for w in content_words(text)}
        total = sum(self.weight(w) for w in q)
        return sum(self.weight(w) for w in q if w in t) / total

    def unknown_figures(self, question: str) -> list[str]:
        """Figures in the question (a year, an amount) that the report never states."""
        return [
            f.text for f in figures.find_figures(question)
            if not figures.is_trivial(f) and f.unit != "date" and figures.key(f) not in self.figure_keys
            and not any(k[0] == "date" and f.unit == "year" and int(k[1] or 0) // 10000 == f.value for k in self.figure_keys)
            # "10 billion" is the report's "£10 billion" with the pound sign left off.
            and not (f.unit == "" and any(k[1:] == figures.key(f)[1:] for k in self.figure_keys))
        ]

    def unknown_names(self, question: str) -> list[str]:
        """Capitalised names in the question (past its first word) that the report never uses."""
        names = re.findall(r"(?<!^)(?<![.?!] )\b([A-Z][a-z]{2,})\b", question.strip())
        return [n for n in names if self.df.get(stem(n.lower()), 0) == 0 and n.lower() not in STOPWORDS]

    def unknown_words(self, text: str) -> list[str]:
        """The words of `text` that the report never uses, in any form ("dementia", "dental"), nor misspells
        ("workfroce" is the report's "workforce")."""
        # Figures ("£10bn") are checked as figures, by value, not as words.
        unknown = [w for w in content_words(text) if not self.uses(w) and not re.search(r"\d", w)]
        return list(dict.fromkeys(w for w in unknown if not any(one_slip(w, v) for v in self.vocabulary)))

    def uses(self, word: str) -> bool:
        """Whether the report uses a lower-case word in any form, a plural of one of its words too ("GPs" of its "GP")."""
        return bool(self.df.get(stem(word), 0) or (word.endswith("s") and self.df.get(stem(word[:-1]), 0)))

    def corrected(self, question: str) -> tuple[str, list[tuple[str, str]]]:
        """The question with its typing slips mended to the report's words ("inequalites" is "inequalities",
        "CAHMS" is "CAMHS"), and the mends made. A word is mended only when it is neither the report's nor an
        English word, and one letter dropped, added or two swapped makes exactly one of the report's words: a
        changed letter often makes another real word ("Cambs" is not "CAMHS")."""
        mends: list[tuple[str, str]] = []

        def mend(m: re.Match) -> str:
            word = m.group(0)
            w = word.lower()
            if w in _CHAT_SPELLINGS:
                mends.append((word, _CHAT_SPELLINGS[w]))
                return _CHAT_SPELLINGS[w]
            # A stop word is English ("there" is one swap from the report's "three"): no need to load the dictionary.
            if len(w) < 5 or w in STOPWORDS or self.uses(w):
                return word
            known = {v for v in self.vocabulary if one_slip(w, v, change=False)}
            if len(known) != 1 or _english_word(w):
                return word
            fix = known.pop()
            fix = fix.upper() if word.isupper() else fix[0].upper() + fix[1:] if word[0].isupper() else fix
            mends.append((word, fix))
            return fix

        return re.sub(r"[A-Za-z]+", mend, question), mends


# Question words typed short or slipped, too short for the one-slip mend above: the rules that read what kind of
# question it is look for "what" and "which".
_CHAT_SPELLINGS = {"wat": "what", "wot": "what", "wht": "what", "waht": "what", "whta": "what", "wich": "which",
                   "whcih": "which", "wihch": "which", "hw": "how", "govt": "government"}


def _english_word(word: str) -> bool:
    """Whether `word` is an English word, by pyspellchecker's dictionary."""
    return word in _english()


# How often a word must occur in pyspellchecker's English word counts to be an everyday word (about the 1,200
# commonest: "problems", "actually"): too general to be a topic the report could be silent on. Dev: between
# "doctors" (53,073), which is a topic, and "problems" (83,957), which is not.
EVERYDAY = 75_000


def everyday_word(word: str) -> bool:
    """Whether `word` is one of English's commonest words, by pyspellchecker's word counts, or says how
    something is done ("deliberately", "seriously"): an adverb of manner is no topic the report could be silent on."""
    word = word.lower()
    if _english().word_frequency[word] >= EVERYDAY:
        return True
    made_from = re.sub(r"ily$", "y", word) if word.endswith("ily") else word[:-2] if word.endswith("ly") else ""
    return len(made_from) >= 4 and _english_word(made_from)


@functools.cache
def _english():
    from spellchecker import SpellChecker

    return SpellChecker()  # 0.3 s to load: only when a question has a word the report never uses


def one_slip(word: str, known: str, change: bool = True) -> bool:
    """Whether `word` is `known` typed with one slip after its first letter (a letter dropped, added or changed, or
    two swapped; not changed unless `change`), for words of five letters or more: "award" is not "ward", nor "dental" "mental". Hand-written:
    one comparison, not worth a string-distance dependency."""
    if len(word) < 5 or word[0] != known[0] or abs(len(word) - len(known)) > 1 or word == known:
        return False
    i = next((k for k in range(min(len(word), len(known))) if word[k] != known[k]), min(len(word), len(known)))
    a, b = word[i:], known[i:]
    return change and a[1:] == b[1:] or a[1:] == b or a == b[1:] or (len(a) > 1 and a[1] + a[0] + a[2:] == b)


class QuestionError(ValueError):
    """A question the assistant cannot take; the message is for the user."""


def clean_question(question: object, settings: Settings) -> str:
    """Validate and normalise a question, or raise QuestionError with a one-line reason."""
    if isinstance(question, bytes):
        try:
            question = question.decode("utf-8")
        except UnicodeDecodeError:
            raise QuestionError("the question is not valid UTF-8 text") from None
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    if "\x00" in question:
        raise QuestionError("the question contains binary data (NUL bytes)")
    # Control characters carry no meaning in a question and confuse tokenisers;
    # terminal colour codes pasted with a question go whole, not just their ESC.
    question = _ANSI_ESCAPE.sub(" ", question)
    text = "".join(" " if unicodedata.category(ch).startswith("C") and ch not in "\n\t" else ch for ch in question)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > settings.max_question_chars:
        raise QuestionError(
            f"the question is {len(text):,} characters long; the limit is {settings.max_question_chars:,}"
        )
    return text


def asks_for_figure(question: str) -> bool:
    return bool(_NUMBER_QUESTION.search(question))


def wanted_units(question: str) -> set[str]:
    return {unit for rx, unit in _KIND_HINTS if rx.search(question)}


def _idf(passages: list[Passage]) -> dict[str, float]:
    docs = [set(map(stem, content_words(p.chunk.text))) for p in passages]
    n = len(docs)
    df: dict[str, int] = {}
    for d in docs:
        for w in d:
            df[w] = df.get(w, 0) + 1
    return {w: math.log(1 + n / c) for w, c in df.items()}


def score_sentence(question: str, sentence: str, rank: int, idf: dict[str, float]) -> float:
    q = {stem(w) for w in content_words(question)}
    if not q:
        return 0.0
    s = {stem(w) for w in content_words(sentence)}
    weight = sum(idf.get(w, 1.5) for w in q)
    overlap = sum(idf.get(w, 1.5) for w in q & s) / weight if weight else 0.0
    score = overlap + 0.15 / (1 + rank)
    if asks_for_figure(question):
        figs = [f for f in figures.find_figures(sentence) if not figures.is_trivial(f)]
        if figs:
            score += 0.15
            units = wanted_units(question)
            if units and any(f.unit in units or (f.unit == "year" and "date" in units) for f in figs):
                score += 0.2
        else:
            score -= 0.2
    return score


def citation_for(passage: Passage, n: int, quote: str, sources: dict[str, str] | None = None) -> Citation:
    start = end = None
    text = (sources or {}).get(passage.chunk.edition)
    if text:
        # Point at the exact characters in the source file when the quote is verbatim there.
        pos = text.find(quote, passage.chunk.start)
        if pos < 0:
            pos = text.find(quote)
        if pos >= 0:
            start, end = pos, pos + len(quote)
    return Citation(
        n=n,
        chunk_id=passage.chunk.id,
        edition=passage.chunk.edition,
        section=passage.chunk.section,
        quote=quote,
        start=start if start is not None else passage.chunk.start,
        end=end if end is not None else passage.chunk.end,
        also=[c.id for c in passage.also],
    )


def edition_variants(sent: str, p: Passage, citations: list[Citation], sources: dict[str, str] | None) -> list[str]:
    """When the other edition states this sentence with other figures, say so and cite it."""
    from rag.retrieve import differing_sentences

    out = []
    for twin in p.also:
        for _, twin_sent, only_here, only_there in differing_sentences(sent, twin.text):
            twin_passage = Passage(chunk=twin, score=p.score)
            c = citation_for(twin_passage, len(citations) + 1, twin_sent, sources)
            citations.append(c)
            out.append(
                f"The {twin.edition.upper()} edition gives {', '.join(only_there)} instead of "
                f"{', '.join(only_here)} here [{c.n}]."
            )
    return out


def _same_figures(a: str, b: str) -> bool:
    fa = {figures.key(f) for f in figures.find_figures(a) if not figures.is_trivial(f)}
    fb = {figures.key(f) for f in figures.find_figures(b) if not figures.is_trivial(f)}
    return bool(fa) and fa <= fb


def verify_figures(text: str, citations: list[Citation]) -> list:
    """Every figure in `text`, each marked supported when a cited quote states it."""
    out = []
    marked = figures.strip_citation_markers(text)
    for fig in figures.find_figures(marked):
        fig.supported = False
        for c in citations:
            if figures.appears_in(fig, c.quote):
                fig.supported = True
                fig.chunk_id = c.chunk_id
                break
        out.append(fig)
    return out


def abstain(
    question: str, passages: list[Passage], settings: Settings, sources: dict[str, str] | None, qid: str | None
) -> Answer:
    see_also = [citation_for(p, i + 1, sentences(p.chunk.text)[0] if p.chunk.text else "", sources)
                for i, p in enumerate(passages[:3])]
    return Answer(
        id=qid,
        question=question,
        # The question is not echoed: a figure in it would be a figure no passage supports.
        answer="The report does not say. Nothing in it answers this question; the closest passages are under see also.",
        abstained=True,
        see_also=see_also,
        mode="extractive",
    )
