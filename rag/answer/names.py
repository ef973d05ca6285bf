"""Names in a question: the people, places and bodies it asks about, and whether a passage names them too.

A figure for another body, or an answer that never names the person asked for, does not answer the question.
"""

from __future__ import annotations

import re

from rag import figures
from rag.answer.wording import normalise_question, terms
from rag.text import STOPWORDS, stem

# Names the whole report is about, or that only place it, which a sentence need not repeat.
_BACKGROUND_NAMES = {"nhs", "confederation", "covid", "covid-19", "england", "english", "uk", "i", "pdf"}
# The office the report speaks of throughout, by "Secretary of State" or by its full title ("... for Health and
# Social Care"): a passage on its powers may use either, and users say "the Health Secretary".
_OFFICE = {"secretary", "state"}
# Their stems: a count of "people with long COVID" must say "long", not only "COVID".
BACKGROUND_TERMS = {stem(w) for w in _BACKGROUND_NAMES}
_NAME = re.compile(r"(?<![.?!:] )(?<!^)\b[A-Z][\w'’&-]*(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'’&-]*)*")


# "Who chairs the panel?", "Which minister was Health Secretary?": a person, whom a sentence names by name.
_ROLE = (r"(?:chair|chairman|chairwoman|head|leader|chief exec(?:utive)?|director|minister|secretary|chancellor|president|"
         r"founder|champion|gp|doctor|nurse|clinician|consultant|spokesperson|author|manager|lead|mp|politician|person|individual)")
_PERSON_ASKED = re.compile(
    rf"^(?:who (?:is|was) (?:the |its )?['‘\"“]?(?:[\w'’-]+ ){{0,3}}?{_ROLE}\b|who (?:chairs|chaired|leads|led|heads|headed|runs|ran|founded)\b|"
    rf"which (?:[\w'’-]+ ){{0,3}}?{_ROLE}(?=\s+(?:did|does|do|was|is|were|are|has|had|wrote|said|spoke|led|chairs|chaired)\b|\s*[?,]))|\bwhat is the name of the (?:[\w'’-]+ ){{0,5}}?{_ROLE}(?:['’]s)?(?=\s*(?:[?.]|$|\b(?:mentioned|named|quoted|cited|referred)\b))|^who\b[^?]*\bby name\b|"
    # "who are the 100 leaders on the panel? names please", "name the ministers"
    rf"\bnames?\b(?: and [\w'’ ]{{1,30}}?)? (?:please|pls)\b|\bname the (?:[\w'’-]+ ){{0,2}}?(?:ministers|members|leaders|volunteers|people|"
    rf"individuals|chairs|authors|experts)\b",
    re.I)
PERSON_NAMED = re.compile(r"\b(?:Professor|Prof\.?|Dr\.?|Sir|Dame|Lord|Lady|Baroness|Mr\.?|Mrs\.?|Ms\.?|Rt Hon) [A-Z][a-z]+")


def _background(word: str, background: set[str]) -> bool:
    """Whether a word of a name is background (`background`, with or without "'s"), a joining word, a month or
    a range of months."""
    w = word.lower()
    return (re.sub(r"['’]s$", "", w) in background or w in ("and", "of", "for")
            or bool(re.fullmatch(rf"(?:{figures.MONTHS})(?:[-–](?:{figures.MONTHS}))?", w)))  # "April-November"


def asks_for_person(q: str) -> bool:
    return bool(_PERSON_ASKED.search(normalise_question(q.strip())))


def named_subjects(q: str) -> list[str]:
    """Capitalised names a figure question is about ("the Peterborough Mental Health Exemplar", "NHS Test and
    Trace"), past its first word: a figure for something else is not the figure asked for."""
    # The "(GP)" the rewrites add after "general practice" matches the survey's words; the user named no one.
    q = normalise_question(q).replace("general practice (GP)", "general practice")
    q = re.sub(r"\b(Secretary of State) for Health(?: and Social Care)?", r"\1", q, flags=re.I)
    # "(CQC etc)", "(e.g. NHS Providers)": examples the asker gives, which need not be named.
    q = re.sub(r"\([^()]*\b(?:etc|e\.?g|i\.?e|and so on|or similar)\b[^()]*\)", " ", q, flags=re.I)
    words = re.findall(r"[A-Za-z][\w'’-]*", q)
    if sum(w[0].isupper() for w in words) > 0.8 * len(words):
        return []  # Title Case or CAPITALS: capitals no longer mark names
    names = []
    for m in _NAME.finditer(q.strip()):
        # "UK-wide", "England-based": the place named, which may be the report's background.
        name = re.sub(r"-(?:wide|based|led)\b", "", re.sub(r"['’]s$", "", m.group(0)))
        words = [w for w in name.split() if not _background(w, _BACKGROUND_NAMES | _OFFICE)]
        if all(w.isupper() and w.lower() in STOPWORDS and w not in ("IT", "US") for w in words):
            continue  # "go UP", "NOT": a word in capitals for emphasis, not the US or IT
        if words:
            names.append(" ".join(words))
    names += [m.group(1).title() for m in _NATIONS.finditer(q) if not m.group(1)[0].isupper()]
    return names


# "Which regions ...?", "name the trusts", "which hospitals are in the pledge?": things the answer names by name.
_NAMED_THINGS = (r"(?:regions?|hospitals?|trusts?|icss?|integrated care systems?|cities|city|count(?:y|ies)|councils?|"
                 r"local authorit(?:y|ies)|ccgs?|nations?|countr(?:y|ies)|boroughs?|ethnic groups?|sites?|venues?|mosques?|practices|"
                 r"(?:royal )?colleges?|unions?|(?:government )?departments?|ministries|charities)")
_ASKS_NAMES = re.compile(rf"^(?:(?:so|and|ok|please|can you),?\s+)*(?:which|what)\s+(?:(?!(?:are|is|were|was|do|does|did|have|has|would|could|should|will|can|might|must|may)\b)[\w'’-]+\s+){{0,2}}?({_NAMED_THINGS})\b"
                         rf"(?!\s+(?:of|in) (?:the )?(?:report|plan|document|chapter|section))|"
                         rf"\b(?:name|list) (?:the|all the|every|each)\s+(?:[\w'’-]+\s+){{0,2}}?({_NAMED_THINGS})\b|\bname (them)\b", re.I)
# Nations a user may write in lower case ("waiting list size in wales").
_NATIONS = re.compile(r"\b(wales|scotland|northern ireland)\b", re.I)
# The national bodies and offices the whole report speaks of, which name no region, trust or hospital.
_NATIONAL = _BACKGROUND_NAMES | {"improvement", "providers", "secretary", "state", "health", "social", "care",
                                 "spending", "review", "government", "treasury", "department", "chancellor", "leaders",
                                 "panel", "key", "points", "white", "paper", "bill", "cqc", "hm", "ics", "icss", "test", "trace"}
# A body's name is no place's ("the NHS Race and Health Observatory" is no region).
_BODY = re.compile(r"\b(?:observatory|confederation|service|services|institute|office|board|agency|commission|committee|fund|"
                   r"network|foundation|trust|hospitals?|university|council|centre|clinic|study|audit|research)\b", re.I)


def asked_names(q: str) -> str | None:
    """What a question asks to be named ("regions", "hospitals", "them" for "name them"), or None."""
    # The question may follow a preamble ("The report says ... - which other countries does it compare?").
    for clause in re.split(r"\s[-–—]\s|[?:;.]\s+", normalise_question(q.strip())):
        m = _ASKS_NAMES.search(clause.strip())
        if m:
            return next(g for g in m.groups() if g).lower()
    return None


_ETHNIC_GROUP = re.compile(r"\b(?:Black|Asian|White|Mixed|Bangladeshi|Pakistani|Indian|Chinese|Caribbean|African|Arab|"
                           r"Gypsy|Roma|Traveller|BME|BAME)\b")


def names_any(text: str, kind: str = "them", given: str = "") -> bool:
    """Whether `text` names a `kind` of thing by a capitalised name past a sentence's first word, besides the
    report's background, the national bodies it speaks of throughout (NHS England, the Secretary of State) and
    the names the question `given` holds ("which mosques in North East London?" is not answered by "North East
    London"): a hospital by a name with "Hospital", a trust with "Trust", a place by a name that is no body's."""
    asked = {w.lower() for w in re.findall(r"[\w'’-]+", given)}
    body = re.match(r"(?:royal |government )?(?:college|union|department|ministr|charit)", kind)
    for m in _NAME.finditer(text):
        name = m.group(0)
        if body and not name.isupper() and re.search(r"\b(?:college|union|department|ministry|charity|treasury)\b", name, re.I):
            return True  # a body by its name ("the Royal College of Nursing", "the Department of Health and Social Care")
        if body or all(_background(w, _NATIONAL) or w.lower() in asked for w in name.split()):
            continue
        if kind.startswith("hospital"):
            ok = re.search(r"\bhospitals?\b", name, re.I)
        elif kind.startswith("trust"):
            ok = re.search(r"\btrust\b", name, re.I)
        elif kind in ("them", "ics", "icss") or kind.startswith("integrated"):
            ok = True
        elif kind.startswith("ethnic"):  # a group, not the place a study was done ("Greater Manchester")
            ok = bool(_ETHNIC_GROUP.search(name))
        else:  # a place: no body's name, nor an acronym ("BME")
            ok = not _BODY.search(name) and not name.isupper()
        if ok:
            return True
    return False


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
    words = [w for w in re.findall(r"[A-Za-z]+", text) if w.lower() not in ("and", "of", "for", "the")]
    if len(acronym) == 2:
        # Two letters begin many pairs of words: only two long ones spell one out ("GP": "general practice").
        return any(a[0].lower() + b[0].lower() == acronym.lower() and min(len(a), len(b)) >= 6
                   for a, b in zip(words, words[1:]))
    initials = "".join(w.lower() if w.isupper() and len(w) > 1 else w[0].lower() for w in words)
    return len(acronym) >= 3 and acronym.lower() in initials
