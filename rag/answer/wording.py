"""How the rules read a question's words: contractions and everyday names rewritten, without a preamble saying who
asks, and its content words without those every question about the report uses."""

from __future__ import annotations

import re

from rag.text import content_words, stem

# Words of asking ("say", "list", "summary") and of the report itself, which name nothing a question is about.
ASK_WORDS = {
    "report", "manifesto", "document", "say", "says", "said", "state", "states", "stated", "mention", "according",
    "tell", "give", "list", "name", "summarise", "summarize", "summary", "describe", "explain", "compare", "brief",
    "briefly", "overall", "main", "key", "point", "points", "chapter", "section", "part", "few", "sentences", "sentence",
    "short", "quick", "gist", "overview", "figure", "number", "share", "percentage", "proportion", "amount", "exactly",
    "confederation's", "report's", "does", "is", "are", "was",
    # Joining words, not what is asked about: "since the confed covers them too" is no question about "Since April 2020".
    "since", "though", "although",
}


# Rewritten before any rule reads a question: contractions in full ("What's this report called?"), "the Confed"
# as the Confederation, "82 or 83 per cent" as two shares, and "what %" in words ("82%" stays a figure).
_COUNTIES = {"yorks": "Yorkshire", "cambs": "Cambridgeshire", "lancs": "Lancashire", "notts": "Nottinghamshire",
             "herts": "Hertfordshire", "glos": "Gloucestershire", "hants": "Hampshire", "leics": "Leicestershire",
             "lincs": "Lincolnshire", "staffs": "Staffordshire", "wilts": "Wiltshire", "worcs": "Worcestershire"}
_MONTHS = {"jan": "January", "feb": "February", "mar": "March", "apr": "April", "jun": "June", "jul": "July",
           "aug": "August", "sep": "September", "sept": "September", "oct": "October", "nov": "November", "dec": "December"}
# Users' idioms for what the report says in other words, which retrieval is given in the report's words too.
_IDIOMS = [
    # First come, first served: "patients are treated in the order they present for care".
    (re.compile(r"\bfirst[- ]come,?[\s-]+first[- ]served?(?: basis)?\b", re.I), "treated in the order they present"),
    (re.compile(r"\bin the order (?:they|patients|people) (?:turn(?:ed)? up|c[ao]me in|come through the door|"
                r"joined(?: the list)?|arrived?|come along)\b", re.I), "in the order they present"),
    # Abbreviations the report spells out.
    (re.compile(r"\bNHSE/?I\b"), "NHS England and NHS Improvement"),
    (re.compile(r"\bCYP\b", re.I), "children and young people"),
    (re.compile(r"\bSoS\b|\bSofS\b"), "Secretary of State"),
    # The Health Secretary, whom the report calls the Secretary of State (at times "for Health and Social Care").
    (re.compile(r"\bHealth (?:and Social Care )?Secretary\b(?! of State)", re.I), "Secretary of State"),
    # The NHS's halves of its financial year ("the H2 budget"), which the report writes in words.
    (re.compile(r"\b(?:the )?H([12])\b"), lambda m: f"the {'first' if m.group(1) == '1' else 'second'} half of the year"),
    # What went well, in the report's word ("this has been beneficial to providers, reducing bureaucracy ...").
    (re.compile(r"\b(?:upsides?|benefits?|positives|gains?|good (?:that )?(?:came|comes|come|has come))\b(?! \(beneficial\))", re.I),
     lambda m: f"{m.group(0)} (beneficial)"),
    # The report's word for leaders' annoyance ("NHS leaders continue to be frustrated at ...").
    (re.compile(r"\b(?:annoyed|angry|angered|fed up|irritated|aggrieved|upset)\b(?! \(frustrated\))", re.I),
     lambda m: f"{m.group(0)} (frustrated)"),
    # The report's word for one thing's effect on another ("this is impacting on the NHS's ability to ...").
    (re.compile(r"\b(?:hitting|affecting|knock-on (?:effect|impact)s?(?: on)?)\b(?! \(impacting\))", re.I),
     lambda m: f"{m.group(0)} (impacting)"),
    # The report's word for staff going ("too many staff will leave their organisation").
    (re.compile(r"\b(?:quit(?:s|ting)?|walk(?:ing)? out|head(?:ing)? for the exit)\b(?! \(leave\))", re.I),
     lambda m: f"{m.group(0)} (leave)"),
    # The report's survey names general practice by its initials ("primary care GP services").
    (re.compile(r"\bgeneral practice\b(?! \(GP\))", re.I), "general practice (GP)"),
]
_REWRITES = [(re.compile(r"\b(what|who|where|when|how|why|which|it|that|there|here)['’]s\b", re.I), r"\1 is"),
             (re.compile(r"\b(wo)n['’]t\b", re.I), r"will not"), (re.compile(r"\bcan['’]t\b", re.I), "cannot"),
             (re.compile(r"n['’]t\b", re.I), " not"), (re.compile(r"['’]re\b", re.I), " are"),
             (re.compile(r"['’]ve\b", re.I), " have"), (re.compile(r"['’]ll\b", re.I), " will"),
             (re.compile(r"\bI['’]m\b", re.I), "I am"),
             (re.compile(r"\b(what|who|where|when|how)s\b", re.I), r"\1 is"),  # "whats the size ..."
             (re.compile(r"\bConfed\b", re.I), "Confederation"),
             # The report's own title names the report, not a topic ("all ten points of the manifesto for recovery").
             (re.compile(r"\bmanifesto for recovery\b(?::? the health and care system after covid(?:-19)?)?", re.I), "manifesto"),
             *_IDIOMS,
             # The report measures wealth by deprivation: "the poorest areas" are its "most deprived".
             (re.compile(r"\b(?:poorest|most disadvantaged)\b", re.I), "most deprived"),
             (re.compile(r"\b(?:richest|wealthiest|most affluent|least disadvantaged)\b", re.I), "least deprived"),
             (re.compile(r"\bpoorer(?= (?:areas|communities|places|neighbourhoods|regions|parts)\b)", re.I), "more deprived"),
             (re.compile(r"\b(?:richer|wealthier|more affluent)(?= (?:areas|communities|places|neighbourhoods|regions|parts)\b)", re.I),
              "less deprived"),
             # County abbreviations the report spells out ("the West Yorks panel").
             (re.compile(rf"\b({'|'.join(_COUNTIES)})\b\.?", re.I),
              lambda m: _COUNTIES[m.group(1).lower()]),
             # Compass points shortened before a place ("NE London ICS"), which the report spells out.
             (re.compile(r"\b([NS])([EW])\b(?= [A-Z][a-z])"),
              lambda m: {"N": "North", "S": "South"}[m.group(1)] + {"E": " East", "W": " West"}[m.group(2)]),
             # Months shortened ("Apr-Nov 2020"), which the report always spells out.
             (re.compile(rf"\b({'|'.join(_MONTHS)})\b\.?", re.I), lambda m: _MONTHS[m.group(1).lower()]),
             # Years in two digits ("the end of July 21", "to 23/24"), written as the report writes them.
             (re.compile(rf"\b((?:{'|'.join(_MONTHS.values())}) )(1[5-9]|2\d)\b(?!\s*[/,.]?\s*\d)", re.I), r"\g<1>20\2"),
             (re.compile(r"(?<![\d/£$.,])\b(1[5-9]|2\d)/(1[6-9]|2\d|30)\b(?!/)"),
              lambda m: f"20{m.group(1)}/{m.group(2)}" if int(m.group(2)) == int(m.group(1)) + 1 else m.group(0)),
             (re.compile(r"\bppl\b", re.I), "people"),
             # How the answer should look ("the ten-point plan, one line each pls"), which names nothing it is about.
             (re.compile(r"[,;:–—-]?\s*\b(?:in |with )?(?:one|a|1|a single) (?:line|sentence|bullet) (?:each|per (?:point|item|ask|one))"
                         r"(?:,? (?:pls|please|plz))?", re.I), ""),
             # The report's word for what was discussed ("Themes included ...").
             (re.compile(r"\btopics\b(?! or themes)", re.I), "topics or themes"),
             # The report's "in the next year" and "over the last year".
             (re.compile(r"\b(?:12|twelve) months\b", re.I), "year"),
             (re.compile(r"\b(\d+(?:\.\d+)?) (or|and|to) (\d+(?:\.\d+)?) ?(%|per ?cent)", re.I), r"\1 \4 \2 \3 \4"),
             (re.compile(r"(?<!\d)(?<!\d\s)\s*%"), " per cent")]
# "I'm an ICS lead - ...", "As a journalist, ...": who asks, which is not what the question is about.
# "As a trust CEO, ...", "As a trust CEO I want to know ...": who asks, which no passage need name.
_ASKER = re.compile(r"^(?:I am|as|speaking as|we are)\s+(?:a|an|the)\s+(?:[^,:?–—]{1,60}?(?:,|:|\s[-–—])\s*|"
                    r"[^,:?–—.]{1,40}?\s+(?=(?:I|we)\s))", re.I)


def in_report_words(text: str) -> str:
    """`text` with users' idioms (`_IDIOMS`) put in the report's words, for retrieval."""
    for rx, words in _IDIOMS:
        text = rx.sub(words, text)
    return text


def normalise_question(q: str) -> str:
    """The question as the rules read it: rewritten (`_REWRITES`) and without a preamble saying who asks. The
    rules are written for whole words and for the question itself."""
    for rx, full in _REWRITES:
        q = rx.sub(full, q)
    return _ASKER.sub("", q.strip())


def terms(text: str) -> list[str]:
    """The stemmed content words of `text`, without the words every question about the report uses."""
    return list(dict.fromkeys(stem(w) for w in content_words(text) if w not in ASK_WORDS))
