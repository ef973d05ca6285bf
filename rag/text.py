"""Sentence splitting and word matching shared by answering, checking and the figure table.

A regular expression rather than a library (pysbd, nltk punkt): the report's
prose has almost no abbreviations, and the few it has ("i.e.", "et al") are
guarded below; a dependency would cost more than these lines.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

_BOUNDARY = re.compile(r"(?<!\bi\.e)(?<!\be\.g)(?<!\bal)(?<!\bno)([.!?][’”'\")]*)\s+(?=[A-Z“‘\"(£0-9])")
STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no
    nor not of off on once only or other our ours out over own same she should so some such than
    that the their theirs them then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours report nhs
    say said says tell told much many per cent percent""".split()
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in `text`."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        end = m.end(1)
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def sentences(text: str) -> list[str]:
    return [text[a:b].strip() for a, b in split_sentences(text)]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("’", "'"))


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and not w.isdigit()]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) English stem, so "nurses" meets "nurse" and "vacancies" meets "vacancy"."""
    if re.search(r"ff(?:ing|ed)$", word):
        # Porter 2 undoubles "ff" after "-ing" and "-ed" but keeps it in the word itself: "staffing" would be
        # "staf" while "staff" is "staff".
        word = re.sub(r"(?:ing|ed)$", "", word)
    return _stemmer().stemWord(word)


_local = threading.local()


def _stemmer():
    # A Snowball stemmer keeps the word it is working on in itself: one per thread, or concurrent
    # page and API requests corrupt each other's words ("string index out of range").
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer
