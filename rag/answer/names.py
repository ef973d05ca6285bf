"""Names in a question: the people, places and bodies it asks about, and whether a passage names them too.

A figure for another body, or an answer that never names the person asked for, does not answer the question.
"""

from __future__ import annotations

import re

from rag import figures
from rag.answer.wording import normalise_question, terms
from rag.text import stem

# Names the whole report is about, or that only place it, which a sentence need not repeat.
_BACKGROUND_NAMES = {"nhs", "confederation", "covid", "covid-19", "england", "english", "uk", "i", "pdf"}
# Their stems: a count of "people with long COVID" must say "long", not only "COVID".
BACKGROUND_TERMS = {stem(w) for w in _BACKGROUND_NAMES}
_NAME = re.compile(r"(?<![.?!:] )(?<!^)\b[A-Z][\w'’&-]*(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'’&-]*)*")


# "Who chairs the panel?", "Which minister was Health Secretary?": a person, whom a sentence names by name.
_ROLE = (r"(?:chair|chairman|chairwoman|head|leader|chief exec(?:utive)?|director|minister|secretary|chancellor|president|"
         r"founder|champion|gp|doctor|nurse|clinician|consultant|spokesperson|author|manager|lead|mp|politician|person|individual)")
_PERSON_ASKED = re.compile(
    rf"^(?:who (?:is|was) (?:the |its )?['‘\"“]?(?:[\w'’-]+ ){{0,3}}?{_ROLE}\b|who (?:chairs|chaired|leads|led|heads|headed|runs|ran|founded)\b|"
    rf"which (?:[\w'’-]+ ){{0,3}}?{_ROLE}(?=\s+(?:did|does|do|was|is|were|are|has|had|wrote|said|spoke|led|chairs|chaired)\b|\s*[?,]))|\bwhat is the name of the (?:[\w'’-]+ ){{0,5}}?{_ROLE}(?:['’]s)?(?=\s*(?:[?.]|$|\b(?:mentioned|named|quoted|cited|referred)\b))|^who\b[^?]*\bby name\b",
    re.I)
PERSON_NAMED = re.compile(r"\b(?:Professor|Prof\.?|Dr\.?|Sir|Dame|Lord|Lady|Baroness|Mr\.?|Mrs\.?|Ms\.?|Rt Hon) [A-Z][a-z]+")


def asks_for_person(q: str) -> bool:
    return bool(_PERSON_ASKED.search(normalise_question(q.strip())))


def named_subjects(q: str) -> list[str]:
    """Capitalised names a figure question is about ("the Peterborough Mental Health Exemplar", "NHS Test and
    Trace"), past its first word: a figure for something else is not the figure asked for."""
    q = normalise_question(q)
    words = re.findall(r"[A-Za-z][\w'’-]*", q)
    if sum(w[0].isupper() for w in words) > 0.8 * len(words):
        return []  # Title Case or CAPITALS: capitals no longer mark names
    names = []
    for m in _NAME.finditer(q.strip()):
        # "UK-wide", "England-based": the place named, which may be the report's background.
        name = re.sub(r"-(?:wide|based|led)\b", "", re.sub(r"['’]s$", "", m.group(0)))
        words = [w for w in name.split() if re.sub(r"['’]s$", "", w.lower()) not in _BACKGROUND_NAMES
                 and w.lower() not in ("and", "of", "for") and not re.fullmatch(figures.MONTHS, w.lower())]
        if words:
            names.append(" ".join(words))
    return names


def names_in(name: str, text: str) -> bool:
    """Whether `text` names `name`, an acronym ("ONS") also by its spelled-out words ("Office for National Statistics")."""
    have = set(terms(text))
    initials = {"".join(w[0] for w in m.split() if w[0].isupper())
                for m in re.findall(r"[A-Z][\w'’-]*(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'’-]*)+", text)}
    words = name.split()
    return bool(words) and all(
        stem(w.lower()) in have or (w.isupper() and (w in initials or _spelled_out(w, text)))
        or (w[:-1].isupper() and w.endswith("s") and len(w) > 2 and _spelled_out(w[:-1], text))  # "ICSs"
        # A word terms() drops ("State" of "Secretary of State") is looked for as it is.
        or (not terms(w) and re.search(rf"\b{re.escape(w)}\b", text, re.I) is not None)
        for w in words)


def _spelled_out(acronym: str, text: str) -> bool:
    """Whether consecutive words of `text` (hyphens split them) begin with the acronym's letters: "FTE" in
    "full-time equivalent staff"."""
    # An acronym of a word that is itself one keeps all its letters ("NHSE" for "NHS England").
    initials = "".join(w.lower() if w.isupper() and len(w) > 1 else w[0].lower()
                       for w in re.findall(r"[A-Za-z]+", text) if w.lower() not in ("and", "of", "for", "the"))
    return len(acronym) >= 3 and acronym.lower() in initials
