"""What a figure question asks for: its unit, what it counts, and the figures it gives to be checked.

Rules, like the rest of question analysis: see `rag.answer.question`.
"""

from __future__ import annotations

import re

from rag import figures
from rag.answer.wording import normalise_question, terms
from rag.text import stem

_MONTHS = figures.MONTHS

# "What was the budget for the pilot?", "what is its annual income?": a sum of money.
ASKS_A_SUM = r"what (?:is|was|were|are) (?:the|its|their) (?:[\w'’-]+ ){0,3}?(?:budget|income|salary|salaries|turnover)\b"
# The words that ask for a figure: "how many", "what share", "when", "what is the total ...".
ASKS_FOR_FIGURE = re.compile(
    r"\b(how (?:many|much|long|often|big|large|far|high|low)|what (?:share|percentage|proportion|per ?cent|fraction|number|"
    r"figure|amount|sum|rate|level|total|size|date|month|year|period|quarter)|which (?:financial |calendar )?(?:month|year|date|period|quarter)|"
    r"(?:^|(?<=[^\w\s])|(?<=[^\w\s] )|(?<=\band )|(?<=\bbut )|(?<=\bor )|(?<=\bso )|(?<=\bknow )|(?<=\btell me )|(?<=\bidea )|"
    r"(?<=\bwondering )|(?<=\bfind out )|(?<=\bremind me )|(?<=\bcheck ))when\b(?!\s+(?:they|it|the report|you|we|i|people|leaders|the confed(?:eration)?) (?:say|says|said|talk|talks|mention|mentions|refer|refers|write|writes|use|uses|call|calls)\b)|(?:^|(?<=[^\w\s] )|(?<=\band ))by when\b|\bby when\s*\??\s*$|percentage|proportion|per cent|%|number (?:of|for)|^(?:the )?share of\b|^(?:the )?(?:increase|rise|fall|drop|growth|reduction|jump) in\b|cost|price[- ]?tag|billion|million|what (?:was|is|were) the (?:median|average)|"
    r"(?:what|how) (?:is|was|are|were) the (?:size|length|value|total|scale) of|"
    r"what (?:is|was|were|are) the (?:[\w-]+ ){0,2}?(?:rate|ratio)\b|what (?:[\w'’-]+ ){1,2}(?:rate|ratio)s? (?:did|does|do|was|is|were|are|has|have|will|would|must|should)\b|"
    # "What is the gap in life expectancy between ...?"
    r"what (?:is|was) the (?:[\w'’-]+ )?(?:gap|difference) (?:in|between)\b|"
    + ASKS_A_SUM + r"|"
    r"what (?:is|was|were|are) (?:the|their|its|his|her) (?:(?!of\b)[\w'’-]+ ){0,4}?(?:figure|number|total|estimate|amount|sum)\b|"
    # "What was the additional funding announced?", "What was the increase in adults accessing ...?"
    r"what (?:is|was|were|are) (?:the|their|its) (?:[\w'’-]+ ){0,2}?(?:funding|investment|allocation)"
    r"(?:\s+(?:announced|given|provided|promised|made available|set aside)(?:\s+then)?)?(?=\s*(?:[?.!]|$|for\b|to\b))|"
    r"what (?:is|was) the (?:[\w'’-]+ )?(?:increase|rise|fall|drop|growth|reduction) in\b|"
    # "What's the waiting list in Wales?": its size.
    r"what (?:is|was|are|were) the (?:current |latest |total |elective |overall |nhs )*(?:waiting lists?|backlogs?)(?= in\b|\s*[?.!]|$)|(?:two|both) (?:shares|figures|numbers|percentages|proportions))",
    re.I,
)
_UNITS = [
    (re.compile(r"\b(shares?|percentages?|proportions?|per ?cent|%|what fraction|how many (?:in|out of) (?:ten|10|five|four|three|a hundred|100)(?![,\d]|\s+(?:years?|months?|weeks?|days?))|how many (?:(?:of|on|in|among) )?(?:the )?(?:leaders|respondents|panel|members|trusts)|"
                r"among (?:the )?(?:[\w'’-]+ ){0,3}?(?:leaders|respondents|members|panel)\b[^?.!]*\bhow many)\b(?! of the public)"
                r"(?! (?:make up|are on|are in|sit on|form|comprise|belong))", re.I), "%"),
    (re.compile(r"\b(how much|funding|money|cost|price[- ]?tag|£|billion|budget|investment|pounds|spend|income|salary|turnover)\b", re.I), "GBP"),
    (re.compile(r"\b(when|by when|which months?|what months?|which year|what year|what date|which quarter|what period|which period)\b", re.I), "date"),
    (re.compile(r"\b(rate|per 100,000|mortality)\b", re.I), "rate"),
    (re.compile(r"\bhow many\b|\b(?:how (?:big|large) (?:is|was|are|were)|(?:what|the) size of) (?!(?:the |a |an )?(?:rise|increase|fall|drop|gap|difference|change|growth|cut|shortfall)s?\b)", re.I), "count"),
]
_WHICH_DATE = re.compile(r"\b(?:what|which) (?:financial |calendar )?(?:month|year|date|day)\b", re.I)
_CHANGE = re.compile(r"\b(by how much|how much (?:higher|lower|bigger|larger|greater|faster|worse|better|longer|smaller))\b", re.I)
TIME = re.compile(
    rf"\b((?:(?:at|by|in|during|for|until|up to|from|before|after|since|over|the end of|end of|start of|beginning of)\s+)*"
    rf"(?:(?:{_MONTHS})\s+)?(?:19|20)\d\d(?:/\d\d)?|(?:(?:at|by|in|during)\s+)?(?:{_MONTHS})(?:\s+(?:19|20)\d\d)?|"
    r"next (?:year|winter|financial year)|this (?:year|winter|summer)|last (?:year|decade)|(?:the )?(?:summer|winter|spring|autumn)(?: of (?:19|20)\d\d)?|"
    r"(?:the )?(?:first|second|last) (?:half|quarter)|(?:pre|before)[- ](?:covid|pandemic)|over the next \w+ (?:years|months))\b",
    re.I,
)


# "Besides the £10 billion, which other areas ...", "When systems were asked ..., which options ...": the question
# starts after the aside, and "When ... asked" is no question asking when.
ASIDE_FIRST = re.compile(r"^(?:besides|apart from|other than|beyond|aside from|as well as|on top of|in addition to|"
                         r"when (?:(?:[\w'’-]+ ){0,3}(?:were|was) )?(?:asked|surveyed|questioned))\b.*?,\s*(?=(?:what|which|who|how)\b)", re.I)


# How long people wait, not "how long is the waiting list" (its size).
_HOW_LONG = re.compile(r"\bhow long\b(?![^?]{0,40}?\blists?\b)[^?]{0,60}?\bwait(?:s|ed|ing)?\b", re.I)


def asked_unit(q: str, kind: str) -> str | None:
    """The unit a figure or comparison question asks for (%, GBP, date, count, rate, a length of time), if any."""
    unit = next((u for rx, u in _UNITS if rx.search(q)), None) if kind in ("figure", "comparison") else None
    if unit == "GBP" and _CHANGE.search(q) and not re.search(r"£|money|funding|billion|cost|budget|spend", q, re.I):
        unit = None  # "how much higher were death rates": a change, which the report may give as a share or a count
    if unit == "GBP" and re.search(r"\bhow many\b", q, re.I) and not re.search(r"\bhow much\b|£|\bpounds\b|\bbillions?\b", q, re.I):
        unit = "count"  # "how many patients were discharged since that funding started?": people, not money
    length = re.search(r"\bhow many (year|month|week|day|hour)s\b|\bhow long\b.{0,40}?\bin (year|month|week|day|hour)s\b", q, re.I)
    if kind == "figure" and length:
        # "how many months of pressure", "how long, in weeks, ...": a length of time, which is not a count
        unit = (length.group(1) or length.group(2)).lower()
    elif kind == "figure" and _HOW_LONG.search(q):
        unit = "length"  # "how long are children waiting?": a wait in any unit, not a share of them
    elif kind == "figure" and re.search(r"\bhow often\b", q, re.I):
        unit = "frequency"  # "every two weeks", "monthly"
    elif unit and (re.match(r"\s*(?:when|by when)\b", q, re.I) and not ASIDE_FIRST.match(q.strip()) or re.search(_WHICH_DATE, q)
                 and not re.search(r"\bhow (?:many|much)\b|\bwhat (?:share|percentage|proportion)\b", q, re.I)):
        unit = "date"  # "For which financial year were leaders waiting for funding ...": a year, not money
    if kind == "figure" and unit is None and re.search(r"\bwhat (?:figure|number)\b|\b(?:real|actual|right|correct|exact) (?:figure|number)\b", q, re.I):
        # "It says the waiting list hit 5.8 million. What figure does the report give?": the kind of the figure checked.
        given = given_figures(q)
        unit = {"count": "count", "money": "GBP", "percent": "%", "fraction": "%"}.get(given[0].kind) if given else None
    return unit


# "Checking a figure: were vacancies 98,306 in June 2021?": a yes-or-no question giving a figure asks for the
# report's own figure. A date is not the figure checked ("Were things better in 2021/22?"), nor is "COVID-19".
_YES_NO = re.compile(r"(?:^|[:;.?!]\s*|\s[–—-]\s*)(?:is|are|was|were|did|does|do|has|have|had)\b", re.I)


def claims_a_figure(q: str) -> bool:
    """Whether a yes-or-no question gives a figure to check ("were vacancies 98,306 in June 2021?")."""
    return bool(_YES_NO.search(q)) and bool(given_figures(q))


def given_figures(q: str) -> list:
    """The figures a question gives that could be checked: not dates, not trivial ones ("COVID-19")."""
    return [f for f in figures.find_figures(q) if f.kind != "date" and not figures.is_trivial(f)]


def given_values(question: str) -> set[tuple]:
    """The (value, unit) of each figure a question gives, read as the rules read it ("the £10bn"), to match against
    the figures a sentence states (`stated_values`)."""
    return {(f.value, f.unit) for f in given_figures(normalise_question(question)) if f.value is not None}


def stated_values(text: str) -> set[tuple]:
    """The (value, unit) of each figure a text states, to match figures written differently ("£3bn", "£3 billion")."""
    return {(f.value, f.unit) for f in figures.find_figures(text)}


# After a preamble too: "In the headline results, is it 82 or 83 per cent ...?"
CHECKS_A_FIGURE = re.compile(
    r"(?:^|[,:;.?!–—-]\s*)(?:(?:is it|is that|was it|are they|were there) (?:right|true|correct|accurate|really)\b|"
    r"(?:did|does) (?:the report|it|the manifesto) (?:really )?(?:say|state|claim|find)\b|"
    r"is (?:that|this) what (?:the report|it|the manifesto) (?:says|states|found|finds)\b|"
    r"^(?:a colleague|someone|somebody|my editor|i (?:have |had )?(?:read|heard|was told)) (?:says?|said|claims?|that)\b|"
    r"(?:is|are|was|were) (?:there )?(?:really|actually)\b|(?:is|was) it £?\d|"
    r"^(?:(?:quick |fact[- ]?){0,2}check(?:ing)?|verify(?:ing)?|can you (?:check|verify|confirm))\b|"
    r"^(?:we're|we are|i'm|i am|our (?:draft|story|piece|article|copy|headline)(?: is)?) (?:saying|says|claiming|claims|reporting|reports|writing)\b|"
    r"[,\s](?:yes|right|correct|true|no|isn't it|aren't they|is that right)\s*\?\s*$|"
    # Anywhere in the question: "... - can you confirm the number?", "does the manifesto agree?", "is that the
    # manifesto's number?", "is that right or not?", "our copy says ...".
    r"\b(?:can|could) you (?:please )?(?:check|verify|confirm|double-check)\b|\bplease (?:check|verify|confirm)\b|"
    r"\b(?:does|do|did|would) (?:the report|it|the manifesto|the confed\w*|they|the document) (?:agree|back (?:that|this|it) up|"
    r"bear (?:that|this|it) out|support (?:that|this) figure|match)\b|"
    r"\bis (?:that|this|it) (?:the |what the )?(?:report|manifesto|confed\w*|document)['’]?s? (?:own )?(?:number|figure|finding|stat)\b|"
    r"\b(?:is|was) (?:that|this) (?:figure |number )?(?:right|correct|accurate|true)\b|\b(?:have|did) (?:we|i) (?:got|get) (?:that|this|it) right\b|"
    r"^(?:we have|we've got|our (?:draft|story|piece|article|copy|headline|line)s? (?:says|has|reads|puts))\b)", re.I)


# Where the question says the figure comes from or when, not what is counted.
_ASIDE = re.compile(r",?\s*\b(?:according to|as (?:stated|given|reported) (?:in|by)|in the report)\b.*$|"
                    r"\b(?:during|before|since|after|throughout|through) (?:the )?(?:pandemic|covid(?:-19)?)(?: (?:struck|hit|began|started))?",
                    re.I)
# "How many leaders/respondents ..." asks for a survey share, and "people"/"patients" is what most counts
# in the report are of, whatever words they use; neither names a subject a sentence must repeat.
_PEOPLE_WORDS = ("people", "patients", "staff")
PEOPLE = {stem(w) for w in _PEOPLE_WORDS}
_SURVEYED = {stem(w) for w in ("leaders", "respondents", "panel", "members", "trusts", "organisations", "organizations",
                                "years", "months", "time", "more", "less", "fewer")}
# "How many extra medical school places": the places are counted, whatever their number adds to.
_ADDED = re.compile(r"\b(?:extra|additional|new)\s+", re.I)
_NOUN_PHRASE_END = (r"((?:[\w'’-]+\s+){0,3}?[\w'’-]+?)\s+(?:were|are|was|is|did|do|does|had|have|has|will|would|could|sat|took|"
                    r"work|worked|in|on|at|across|during|by|for|of|from|before|after|since|with|who|that|say|said|think|feel|"
                    r"support|back|want|agree|believe|received?)\b")
_COUNTED = re.compile(r"\bhow many\s+(?!(?:back|support|agree|disagree|think|say|said|want|expect|believe|feel)\s+(?:the|a|an|it|this|that|them|these|those|their|its)\b)(?:of\s+(?:the\s+)?[\w'’,-]+(?:\s+[\w'’-]+){0,4}?\s+(?:were|are|was|is)\s+(?:for\s+)?)?"
                      + _NOUN_PHRASE_END, re.I)
# "How many staff called the helplines?": people, and what they did.
_PEOPLE_DID = re.compile(rf"\bhow many ({'|'.join(_PEOPLE_WORDS)})\b", re.I)
# "What proportion of GPs support ...": the group a share is of, when it is not the report's own panel.
_SHARE_OF = re.compile(r"\b(?:share|proportion|percentage|fraction|per ?cent)\s+of\s+(?:the\s+|all\s+)?" + _NOUN_PHRASE_END, re.I)
# "What is the number for nursing vacancies specifically?": what is counted.
_NUMBER_FOR = re.compile(r"\b(?:number|figure|count|total) (?:for|of) (?:the\s+)?((?:[\w'’-]+\s+){0,3}?[\w'’-]+?)"
                         r"(?:\s+(?:specifically|alone|only|in|at|on|for|during|by|from|were|was|are|is))?\s*[?.!]*$", re.I)


def counted(q: str) -> str | None:
    """What a "how many" question counts, when it is a thing the answer's sentence must name."""
    part = re.search(r"\bhow many (?:of (?:them|(?:the|these|those) [\w'’,-]+(?: [\w'’-]+){0,3}?|these|those) )?"
                     r"(?:(?:does|do|did) (?:the report|it|they) (?:say|state|estimate) )?"
                     r"(?:were|are|was|is|have been|has been|had been) (?:for )?(.+?)[?.!]*$", q, re.I)
    if part and terms(part.group(1)):
        return part.group(1)  # "Of the 93,806 vacancies, how many were nursing posts?"
    # "How much of the £5.4 billion is earmarked for the elective recovery fund?", "How much will X cost?"
    part = (re.search(r"\bhow much (?:[\w'’-]+ ){0,2}?(?:funding|money|investment|cash) (?:is there|was there|will there be|"
                      r"(?:is|was|has been|will be) (?:\w+ )?(?:given|set aside|available|earmarked|allocated)) (?:for|to) (.+?)"
                      r"(?:\s+(?:in|by|from|for|during) (?:19|20)\d\d\S*)?[?.!]*$", q, re.I)
            or re.search(r"\bhow much of (?:the |this |that |it)[^?]*?\b(?:is|was|are|were|will be|has been|goes|go|went|will go) "
                      r"(?:[\w-]+ ){0,2}(?:for|to|on) (.+?)[?.!]*$", q, re.I)
            or re.search(r"\bhow much (?:will|would|does|did|do|has|have) (?:[\w'’-]+ ){0,4}?(?:estimate|say|think|expect) "
                         r"(?:that )?(.+?) (?:will|would) cost\b", q, re.I)
            or re.search(r"\b(?:how much|what) (?:will|would|does|did|do|has|have) (.+?) (?:cost|costs|costed)\b", q, re.I))
    if part and terms(part.group(1)):
        return part.group(1)
    # "Of the £5.4bn announced, how much was earmarked specifically for elective recovery?"
    part = re.search(r"\bhow much (?:of (?:it|that|this) )?(?:is|was|has been|will be|are|were) (?:\w+ )?(?:given|set aside|earmarked|allocated|"
                     r"ring-?fenced|going|spent|put) (?:\w+ )?(?:for|to|on|into) (.+?)[?.!]*$", q, re.I)
    if part and terms(part.group(1)):
        return part.group(1)
    # "What figure does the report put on the capital funding needed?": what is costed or counted.
    part = re.search(r"\bwhat (?:figure|number|sum|amount|price|value|cost) (?:does|do|did) (?:the report|it|they|the confed\w*|the manifesto) "
                     r"(?:put|place|give) (?:on|for) (.+?)[?.!]*$", q, re.I)
    if part and terms(part.group(1)):
        return part.group(1)
    # "How much did urgent referrals for adults go up?": what changed.
    part = (re.search(r"\b(?:how much|by what (?:percentage|proportion|amount|factor|margin)) (?:did|has|have|had|does|do|will|would) (.+?) "
                      r"(?:go(?:ne)? (?:up|down)|rise|risen|increase|increased|"
                      r"fall|fallen|drop|dropped|grow|grown|shrink|shrunk)\b", q, re.I)
            or re.search(r"\bwhat (?:is|was) the (?:[\w'’-]+ )?(?:increase|rise|fall|drop|growth|reduction) in (.+?)"
                         r"(?:\s+(?:in|during|between|since|over|by|from) (?:the |19|20)[^?]*)?[?.!]*$", q, re.I))
    if part and terms(part.group(1)):
        return part.group(1)
    # "How big is the elective waiting list in Wales?": the list, by its head noun ("waiting list"), wherever it is
    # (a place is a name the sentence must give).
    part = re.search(r"\bhow (?:big|large|long) (?:is|was|are|were) (?:the |its |their )?(?:[\w'’-]+ ){0,3}?((?:waiting )?(?:list|backlog|gap|"
                     r"deficit|shortfall|budget|settlement|fund|programme))\b", q, re.I)
    if part:
        return part.group(1)
    # "What bed occupancy rate will hospitals run at?", "What is the gap in life expectancy between ...?": what the
    # rate or the gap is of.
    part = (re.search(r"\bwhat (?:is |was )?(?:the )?((?:[\w'’-]+ ){1,2}?)(?:rate|ratio)s?\b(?! of\b)", q, re.I)
            or re.search(r"\bwhat (?:is|was) the (?:[\w'’-]+ )?(?:gap|difference) in (.+?) (?:between|for|among)\b", q, re.I))
    if part and terms(part.group(1)):
        return part.group(1).strip()
    # "What is the vacancy figure for adult social care staff?": vacancies, for that group.
    part = re.search(r"\bwhat (?:is|was) (?:the|its|their) ((?:[\w'’-]+ ){1,2}?)(?:figure|number|total|count) (?:for|of|among) "
                     r"(?:the )?(.+?)(?:\s+(?:in|according to|from) (?:the |this )?(?:report|manifesto|document)\b.*)?[?.!]*$", q, re.I)
    if part and terms(part.group(1)) and terms(part.group(2)):
        # Staff or people name no more than the group ("adult social care"), which the sentence must name in full.
        group = re.sub(r"\s+(?:staff|people|patients)$", "", part.group(2))
        return f"{part.group(1).strip()} for {group}"
    m = _COUNTED.search(q) or _SHARE_OF.search(q) or _PEOPLE_DID.search(q) or _NUMBER_FOR.search(q)
    if not m:
        return None
    counted = _ADDED.sub("", m.group(1))
    words = terms(counted)
    if words and words[-1] in PEOPLE:
        # "How many people were waiting for treatment": people are counted everywhere; what they do says which count.
        clause = TIME.sub(" ", _ASIDE.sub(" ", q[m.end(1):])).strip(" ?.!")
        return f"{counted} {clause}" if terms(clause) else None
    # Whole words: the "time" of "full-time vacancies" is no length of time.
    if not words or any(stem(w) in _SURVEYED for w in re.findall(r"[\w'’-]+", counted.lower())):
        return None
    return counted
