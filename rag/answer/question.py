"""Question analysis: what kind of answer a question wants, about what, for which period, group or edition.

Rules rather than a model: the kinds are few and worded in few ways, a rule is
readable and testable, and the gold set is too small to learn a classifier that
would beat them (the harness's kind confusion matrix measures these rules).
"""

from __future__ import annotations

import re

from rag import figures
from rag.schema import Qualifier, QuestionPlan
from rag.text import content_words, stem

_DOCUMENT = re.compile(
    r"\b(who (?:wrote|writes|published|publishes|produced|authored|is behind|put out|issued)|publisher|author(?:s|ed)?\b|"
    r"(?:when|(?:on )?(?:what|which) (?:date|day)) (?:was|did) (?:it|this|the) (?:(?:[\w'’-]+ ){0,4}?(?:report|document|manifesto|publication|recovery)\s*)?"
    r"(?:published|released|written|come out|came out|issued)|"
    r"(?:publication|release) date|date of (?:publication|the report|this report)|title of|(?:report|document|manifesto)(?:'s| is) (?:called|titled|named)|"
    r"what is (?:this|the) (?:report|document|manifesto) called|(?:the )?name of (?:this|the) (?:report|document|manifesto|publication)|full title|(?:what|which|how many|other|both) (?:editions|versions|formats)|"
    r"(?:is there|are there|do you have|is it (?:also )?available (?:as|in)|can i get)\b(?![^?]*\bdiffer)[^?]*\b(?:a |an )?(?:pdf|web|online|print(?:ed)?) (?:version|edition|copy)|"
    r"(?:other|another|alternative|different|accessible) formats?|large print|braille|easy read|copyright|licen[cs]e|reuse|"
    r"commercial(?:ly)?|adapt (?:or|and) build|(?:is it|is (?:the )?(?:nhs )?confederation) a (?:registered )?charity|charity number|"
    r"who (?:is|are) (?:the )?nhs confederation|what is the nhs confederation(?=[?.!\s]*$)|which organi[sz]ation|"
    r"(?:is|was) (?:this|the|it) (?:report |document |manifesto )?part of (?:a|any|the) (?:series|campaign)|(?:which|what) series (?:is|does|was) (?:this|the|it)\b)",
    re.I,
)
_SUMMARY = re.compile(
    r"\b(summar(?:y|ies|ise|ize|ising|izing)|gist|overview|in brief|in short|briefly|nutshell|tl;?dr|main (?:messages?|points|findings|themes|arguments?)|"
    r"key (?:messages?|takeaways?|themes)|(?:the|main|big) takeaways?|sum(?:s|med|ming)? (?:it |this |that )?up|short version|recap|run-?down|highlights|big picture|what (?:is|'s) (?:this|the) (?:report|manifesto|document|chapter|section)\b[\w\s]* about(?=[?.!\s]*$)|"
    r"what does (?:this|the) (?:report|manifesto|document) (?:argue|say overall|conclude)|^overall,? what (?:did|do|does)\b(?![^?]*\b(?:about|on|regarding)\b))\b",
    re.I,
)
# Two figures asked for at once ("how many were confident and how many were not"), or a choice between two
# ("which do more leaders expect: X or Y?").
_TWO_ASKS = re.compile(
    r"\b(?:how (?:many|much|long)|what (?:share|proportion|percentage|per cent))\b.+(?:\band|,) (?:how (?:many|much|long)|what)\b|"
    r"\bwhich (?:[\w-]+ )?(?:more|most|fewer|higher|bigger|larger)\b.+\bor\b|"
    r"\b(?:give|with|show|quote) (?:me )?(?:both|the two) (?:percentages|figures|shares|numbers|proportions|amounts|sums)\b", re.I)
_COMPARISON = re.compile(
    r"\b(compare[sd]?|comparison|comparing|versus|vs\.?|difference between|gap between|differ(?:s|ence)? from|"
    r"both .+ and|against (?:what|the)|relative to|as opposed to)\b",
    re.I,
)
_LIST = re.compile(
    r"^(?:(?:so|and|ok),?\s+)?(?:(?:what|which) (?:are|were) (?:the |its |their )?(?:[\w'’-]+ ){0,3}"
    r"(?:points|results|concerns|obstacles|barriers|benefits|lessons|risks|factors|schemes|sources|options|areas|items|steps|asks|recommendations|measures|priorities|changes|things|actions|ways|examples|groups|"
    r"kinds|types|parts|components|reasons|challenges|calls|demands|elements|themes|chapters|sections|findings|proposals|"
    r"pathways|approaches|initiatives|requests|needs)\b|"
    r"(?:list|name|enumerate|give me) (?:all |the |every |each )?|"
    r"what (?:are|is) (?:[\w'’-]+ ){1,4}?(?:asking|calling|pushing|pressing|lobbying) (?:[\w'’-]+ ){0,5}?for\b|which (?:areas|groups|services|organisations|leaders|kinds|types|things|changes)\b|"
    r"what (?:[\w-]+ )?(?:does|do) (?:[\w'’-]+ ){1,4}?(?:say (?:[\w'’-]+ ){0,4}?|think (?:they|it) )?"
    r"(?:want|ask|call|need|recommend|urge|propose|say is needed)\b|what (?:is|are) (?:needed|required)\b|"
    r"what should (?:the )?(?:government|ministers|national bodies|nhs england|the centre)\b[^?]*\bdo\b)",
    re.I,
)
_LIST_ANYWHERE = re.compile(
    r"\b(ten points|ten-point plan|\d+ points|six areas|bullet|each of the|"
    r"all (?:of )?the (?:points|areas|asks|findings|results|recommendations|items|steps|measures|options)|"
    r"(?:mentions?|lists?|gives?|names?|suggests?|cites?) (?:a few|several|some|a number of|a couple of) (?:things|examples|ways|steps|measures|areas)|"
    # "Give me the workforce stats": a topic's figures, one per finding.
    r"give me the (?:[\w'’-]+ )?(?:stats|statistics|numbers|figures|percentages)|"
    # "How does the Confed propose to sort out ...?", "What would fix staff burnout, according to the Confed?"
    r"how (?:does|do|would) (?:[\w'’-]+ ){1,3}?(?:propose|suggest|plan) to|what would (?:fix|solve|sort out|sort)(?! it)\b)\b", re.I)
_LIST_VERB = re.compile(r"^list\b|\b(?:it|they|the report|the plan) lists\b|\bon the list\b|\bto-?do list\b|\bevery (?:ask|item|point|one)\b|\ball of them\b|\bbreak (?:it |this |that |them )?down\b|\bbreakdown of\b|\bmade up of\b|\bwhat makes up\b|"
                        r"\bconsists? of\b|\bcompris(?:e|es|ed) of\b|\b(?:the|its|their|main|key|what|which|any|specific|top|headline|big|biggest|policy) asks\b|^(?!(?:who|what|which|how|it|he|she|they|the report)\b)(?:[\w/-]+\s+){1,2}asks(?=\s*(?:[?:,–—-]|$))|[.?!,:]\s*list\b|(?<!waiting )\blist (?:them|all|the|every|each|its|their)\b|\bas a list\b|\beach one\b|\bitemi[sz]e", re.I)
# "What practical steps …", "Which two initiatives …": a wh-word straight before a plural noun asks for several things.
_PLURAL = re.compile(r"^(?:(?:so|and),?\s+)?(?:(?:in|between|among|for|on|to|from|of|with|by) )?(?:what|which)\s+(?:(?:kinds?|types?|sorts?) of\s+|of (?:the |its |their )?)?(?:[\w'’-]+\s+){0,2}?([a-z-]+s)\b", re.I)
# "Where were the pop-up clinics set up?": places for several things.
_WHERE_PLURAL = re.compile(r"^where (?:were|are|have|had|did|do)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?([a-z-]{3,}s)\b", re.I)
_NOT_PLURAL = {"does", "is", "was", "has", "this", "its", "us", "years", "months", "percentages", "figures", "numbers", "leaders",
               "trusts", "respondents", "members", "people", "patients", "staff", "says", "means",
               # verbs: "what happens if ..."
               "happens", "goes", "comes", "seems", "matters", "remains", "makes", "gets", "takes", "works", "lies"}
# "What was the budget for the pilot?", "what is its annual income?": a sum of money.
ASKS_A_SUM = r"what (?:is|was|were|are) (?:the|its|their) (?:[\w'’-]+ ){0,3}?(?:budget|income|salary|salaries|turnover)\b"
_NUMBER = re.compile(
    r"\b(how (?:many|much|long|often|big|large|far|high|low)|what (?:share|percentage|proportion|per ?cent|fraction|number|"
    r"figure|amount|sum|rate|level|total|size|date|month|year|period|quarter)|which (?:financial |calendar )?(?:month|year|date|period|quarter)|"
    r"(?:^|(?<=[^\w\s])|(?<=[^\w\s] )|(?<=\band )|(?<=\bbut )|(?<=\bor )|(?<=\bso )|(?<=\bknow )|(?<=\btell me )|(?<=\bidea )|"
    r"(?<=\bwondering )|(?<=\bfind out )|(?<=\bremind me )|(?<=\bcheck ))when\b(?!\s+(?:they|it|the report|you|we|i|people|leaders|the confed(?:eration)?) (?:say|says|said|talk|talks|mention|mentions|refer|refers|write|writes|use|uses|call|calls)\b)|by when|percentage|proportion|per cent|%|number (?:of|for)|^(?:the )?share of\b|cost|billion|million|what (?:was|is|were) the (?:median|average)|"
    r"(?:what|how) (?:is|was|are|were) the (?:size|length|value|total|scale) of|"
    r"what (?:is|was|were|are) the (?:[\w-]+ )?(?:rate|ratio)\b|what (?:[\w'’-]+ ){1,2}(?:rate|ratio)s? (?:did|does|do|was|is|were|are|has|have)\b|"
    + ASKS_A_SUM + r"|"
    r"what (?:is|was|were|are) (?:the|their|its|his|her) (?:(?!of\b)[\w'’-]+ ){0,4}?(?:figure|number|total|estimate|amount|sum)\b|"
    # "What was the additional funding announced?", "What was the increase in adults accessing ...?"
    r"what (?:is|was|were|are) (?:the|their|its) (?:[\w'’-]+ ){0,2}?(?:funding|investment|allocation)"
    r"(?:\s+(?:announced|given|provided|promised|made available|set aside)(?:\s+then)?)?(?=\s*(?:[?.!]|$|for\b|to\b))|"
    r"what (?:is|was) the (?:[\w'’-]+ )?(?:increase|rise|fall|drop|growth|reduction) in\b|(?:two|both) (?:shares|figures|numbers|percentages|proportions))",
    re.I,
)
_UNITS = [
    (re.compile(r"\b(shares?|percentages?|proportions?|per ?cent|%|what fraction|how many (?:in|out of) (?:ten|10|five|four|three|a hundred|100)(?![,\d]|\s+(?:years?|months?|weeks?|days?))|how many (?:of )?(?:the )?(?:leaders|respondents|panel|members|trusts)|"
                r"among (?:the )?(?:[\w'’-]+ ){0,3}?(?:leaders|respondents|members|panel)\b[^?.!]*\bhow many)\b(?! of the public)"
                r"(?! (?:make up|are on|are in|sit on|form|comprise|belong))", re.I), "%"),
    (re.compile(r"\b(how much|funding|money|cost|£|billion|budget|investment|pounds|spend|income|salary|turnover)\b", re.I), "GBP"),
    (re.compile(r"\b(when|by when|which months?|what months?|which year|what year|what date|which quarter|what period|which period)\b", re.I), "date"),
    (re.compile(r"\b(rate|per 100,000|mortality)\b", re.I), "rate"),
    (re.compile(r"\bhow many\b|\b(?:how (?:big|large) (?:is|was|are|were)|(?:what|the) size of) (?!(?:the |a |an )?(?:rise|increase|fall|drop|gap|difference|change|growth|cut|shortfall)s?\b)", re.I), "count"),
]
_WHICH_DATE = re.compile(r"\b(?:what|which) (?:financial |calendar )?(?:month|year|date|day)\b", re.I)
_CHANGE = re.compile(r"\b(by how much|how much (?:higher|lower|bigger|larger|greater|faster|worse|better|longer|smaller))\b", re.I)
_MONTHS = figures.MONTHS
_TIME = re.compile(
    rf"\b((?:(?:at|by|in|during|for|until|up to|from|before|after|since|over|the end of|end of|start of|beginning of)\s+)*"
    rf"(?:(?:{_MONTHS})\s+)?(?:19|20)\d\d(?:/\d\d)?|(?:(?:at|by|in|during)\s+)?(?:{_MONTHS})(?:\s+(?:19|20)\d\d)?|"
    r"next (?:year|winter|financial year)|this (?:year|winter|summer)|last (?:year|decade)|(?:the )?(?:summer|winter|spring|autumn)(?: of (?:19|20)\d\d)?|"
    r"(?:the )?(?:first|second|last) (?:half|quarter)|(?:pre|before)[- ](?:covid|pandemic)|over the next \w+ (?:years|months))\b",
    re.I,
)
# How long something lasted or waited ("waiting more than two years"): a count for another length is not it.
_DURATION = re.compile(r"\b(?:more than|over|longer than|at least|under|less than|within|up to)\s+"
                       r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|\d+)\s+"
                       r"(?:years?|months?|weeks?|days?|hours?)\b", re.I)
_EDITION = re.compile(r"\b(?:in |of )?the (pdf|web|printed|online|print) (?:edition|version|copy)\b", re.I)
_GROUP = re.compile(
    r"\b(?:among|amongst)\s+((?:the\s+)?(?:[\w-]+\s+){0,3}?(?:leaders|trusts|respondents|staff|patients|chief executives|"
    r"members|providers|panel(?: members)?|systems|nurses|doctors|gps|clinicians|commissioners|communities|groups|people))\b|"
    r"\b((?:mental health|acute|community|ambulance|primary care(?: network)?|trust|hospital|ics|system|ccg|pcn|bme|"
    r"black and minority ethnic|cancer|maternity|elective|diagnostic|dental|emergency|urgent care|social care|gp|a&e)\s+(?:(?:trust|provider|network|sector)\s+)?"
    r"(?:leaders|trusts|providers|chief executives|chairs|clinical directors|directors|managers|accountable officers|"
    r"respondents|services|staff|communities))\b",
    re.I,
)
_PLACE = re.compile(r"\b(?:in|across|for)\s+(England|Wales|Scotland|Northern Ireland|the UK|London|[A-Z][a-z]+(?: [A-Z][a-z]+)*)\b")
_CHAPTER_ON = re.compile(r"\b(?:chapter|section|part)\s+(?:on|about|covering|dealing with|of)\s+(.+?)(?:[?.!]|$)", re.I)
_CHAPTER_NAMED = re.compile(r"\bthe\s+((?:[\w'’-]+\s+){1,5}?)(?:chapter|section)\b", re.I)
_ASKING = re.compile(
    r"^(?:(?:so|and|ok|please|can you|could you|tell me|i'd like to know|i want to know|according to the report),?\s+)*"
    r"(?:what|which|who|whom|whose|when|where|why|how(?: many| much| long| often)?|is|are|was|were|does|do|did|has|have|"
    r"list|name|give me|summari[sz]e|describe|explain|compare)\b",
    re.I,
)
_ASK_WORDS = {
    "report", "manifesto", "document", "say", "says", "said", "state", "states", "stated", "mention", "according",
    "tell", "give", "list", "name", "summarise", "summarize", "summary", "describe", "explain", "compare", "brief",
    "briefly", "overall", "main", "key", "point", "points", "chapter", "section", "part", "few", "sentences", "sentence",
    "short", "quick", "gist", "overview", "figure", "number", "share", "percentage", "proportion", "amount", "exactly",
    "confederation's", "report's", "does", "is", "are", "was",
}


# Rewritten before any rule reads a question: contractions in full ("What's this report called?"), "the Confed"
# as the Confederation, "82 or 83 per cent" as two shares, and "what %" in words ("82%" stays a figure).
_COUNTIES = {"yorks": "Yorkshire", "cambs": "Cambridgeshire", "lancs": "Lancashire", "notts": "Nottinghamshire",
             "herts": "Hertfordshire", "glos": "Gloucestershire", "hants": "Hampshire", "leics": "Leicestershire",
             "lincs": "Lincolnshire", "staffs": "Staffordshire", "wilts": "Wiltshire", "worcs": "Worcestershire"}
_REWRITES = [(re.compile(r"\b(what|who|where|when|how|why|which|it|that|there|here)['’]s\b", re.I), r"\1 is"),
             (re.compile(r"\b(wo)n['’]t\b", re.I), r"will not"), (re.compile(r"\bcan['’]t\b", re.I), "cannot"),
             (re.compile(r"n['’]t\b", re.I), " not"), (re.compile(r"['’]re\b", re.I), " are"),
             (re.compile(r"['’]ve\b", re.I), " have"), (re.compile(r"['’]ll\b", re.I), " will"),
             (re.compile(r"\bI['’]m\b", re.I), "I am"),
             (re.compile(r"\b(what|who|where|when|how)s\b", re.I), r"\1 is"),  # "whats the size ..."
             (re.compile(r"\bConfed\b", re.I), "Confederation"),
             # The report measures wealth by deprivation: "the poorest areas" are its "most deprived".
             (re.compile(r"\b(?:poorest|most disadvantaged)\b", re.I), "most deprived"),
             (re.compile(r"\b(?:richest|wealthiest|most affluent|least disadvantaged)\b", re.I), "least deprived"),
             (re.compile(r"\bpoorer(?= (?:areas|communities|places|neighbourhoods|regions|parts)\b)", re.I), "more deprived"),
             (re.compile(r"\b(?:richer|wealthier|more affluent)(?= (?:areas|communities|places|neighbourhoods|regions|parts)\b)", re.I),
              "less deprived"),
             # County abbreviations the report spells out ("the West Yorks panel").
             (re.compile(rf"\b({'|'.join(_COUNTIES)})\b\.?", re.I),
              lambda m: _COUNTIES[m.group(1).lower()]),
             # The report's "in the next year" and "over the last year".
             (re.compile(r"\b(?:12|twelve) months\b", re.I), "year"),
             (re.compile(r"\b(\d+(?:\.\d+)?) (or|and|to) (\d+(?:\.\d+)?) ?(%|per ?cent)", re.I), r"\1 \4 \2 \3 \4"),
             (re.compile(r"(?<!\d)(?<!\d\s)\s*%"), " per cent")]
# "I'm an ICS lead - ...", "As a journalist, ...": who asks, which is not what the question is about.
# "As a trust CEO, ...", "As a trust CEO I want to know ...": who asks, which no passage need name.
_ASKER = re.compile(r"^(?:I am|as|speaking as|we are)\s+(?:a|an|the)\s+(?:[^,:?–—]{1,60}?(?:,|:|\s[-–—])\s*|"
                    r"[^,:?–—.]{1,40}?\s+(?=(?:I|we)\s))", re.I)


# "point one of the plan", "number 7", "the third point": a numbered section ("Ten-point plan › 3. ...").
_NUMBERED = re.compile(r"\b(?:point|number|item|no\.?)\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b", re.I)
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
_ORDINAL = re.compile(rf"\b({'|'.join(_ORDINALS)}) (?:point|item|recommendation)\b", re.I)


def point_numbers(question: str) -> set[str]:
    """The numbers of the points a question names ("point one", "the third point"), as the titles number them."""
    numbers = {str(figures.NUMBER_WORDS.get(w.lower(), w)) for w in _NUMBERED.findall(question)}
    return numbers | {str(_ORDINALS.index(w.lower()) + 1) for w in _ORDINAL.findall(question)}


def normalise_question(q: str) -> str:
    """The question as the rules read it: rewritten (`_REWRITES`) and without a preamble saying who asks. The
    rules are written for whole words and for the question itself."""
    for rx, full in _REWRITES:
        q = rx.sub(full, q)
    return _ASKER.sub("", q.strip())


def analyse(question: str) -> QuestionPlan:
    """The plan for answering `question`: kind, focus, unit, qualifiers, compared sides, named chapter."""
    q = normalise_question(question.strip())
    kind = _kind(q)
    focus = _focus(q)
    unit = next((u for rx, u in _UNITS if rx.search(q)), None) if kind in ("figure", "comparison") else None
    if unit == "GBP" and _CHANGE.search(q) and not re.search(r"£|money|funding|billion|cost|budget|spend", q, re.I):
        unit = None  # "how much higher were death rates": a change, which the report may give as a share or a count
    length = re.search(r"\bhow many (year|month|week|day|hour)s\b", q, re.I)
    if kind == "figure" and length:
        unit = length.group(1).lower()  # "how many months of pressure": a length of time, which is not a count
    elif kind == "figure" and re.search(r"\bhow often\b", q, re.I):
        unit = "frequency"  # "every two weeks", "monthly"
    elif unit and (re.match(r"\s*(?:when|by when)\b", q, re.I) or re.search(_WHICH_DATE, q)
                 and not re.search(r"\bhow (?:many|much)\b|\bwhat (?:share|percentage|proportion)\b", q, re.I)):
        unit = "date"  # "For which financial year were leaders waiting for funding ...": a year, not money
    if kind == "figure" and unit is None and re.search(r"\bwhat (?:figure|number)\b|\b(?:real|actual|right|correct|exact) (?:figure|number)\b", q, re.I):
        # "It says the waiting list hit 5.8 million. What figure does the report give?": the kind of the figure checked.
        given = _given_figures(q)
        unit = {"count": "count", "money": "GBP", "percent": "%", "fraction": "%"}.get(given[0].kind) if given else None
    return QuestionPlan(
        kind=kind,
        focus=focus,
        terms=terms(focus),
        unit=unit,
        qualifiers=qualifiers(q),
        sides=_sides(q) if kind == "comparison" else [],
        chapter=_chapter(q) if kind in ("summary", "list", "narrative") else None,
        counted=_counted(q) if kind == "figure" else None,
    )


# "Besides the £10 billion, which other areas ...", "When systems were asked ..., which options ...": the question
# starts after the aside.
_ASIDE_FIRST = re.compile(r"^(?:besides|apart from|other than|beyond|aside from|as well as|on top of|in addition to|"
                          r"when (?:(?:[\w'’-]+ ){0,3}(?:were|was) )?(?:asked|surveyed|questioned))\b.*?,\s*(?=(?:what|which|who|how)\b)", re.I)


# "All of the leaders panel numbers on demand", "I need each workforce stat": a topic's survey findings (but not
# "Do all the findings come from the same panel?").
_EVERY_FIGURE = re.compile(r"\b(?:all|each|every) (?:of )?(?:the )?(?:[\w'’-]+ ){0,3}?(?:numbers|stats?|statistics|figures|percentages|findings)\b",
                           re.I)
# A preamble ends at a comma, colon or dash; a sentence about the asker ("I work at a council.") at its full stop.
_PREAMBLE = re.compile(r"^[^?]{0,100}?(?:,|:|\s[-–—])\s*(?=(?:what|which|who|how|when|where|why)\b)", re.I)
_ASKER_SENTENCE = re.compile(r"^(?:i|i'm|i am|we|we're|we are|my|our|as)\b[^?.]{0,100}\.\s*(?=(?:what|which|who|how|when|where|why)\b)", re.I)


def _kind(q: str) -> str:
    figure_words = re.search(r"\bhow (?:many|much)|what (?:share|percentage|proportion|per cent|figure|number)", q, re.I)
    if _DOCUMENT.search(q) and not figure_words:
        return "document"
    # "What are the six main themes?" counts its items; "a short summary of the ten asks" still asks for a summary.
    counted_items = bool(_COUNTED_ITEMS.search(q)) and not re.search(r"\bsumm", q, re.I)
    if _LIST_VERB.search(q) or counted_items:
        return "list"
    if _SUMMARY.search(q) and not figure_words:
        return "summary"
    # "covid death rate poorest vs richest areas": a rate or a number compared, in a few words.
    if _COMPARISON.search(q) and (_NUMBER.search(q) or len(figures.find_figures(q)) >= 2
                                  or re.search(r"\bcompare|\b(?:rates?|numbers?|figures?|shares?|percentages?)\b", q, re.I)):
        return "comparison"
    if _TWO_ASKS.search(q):
        return "comparison"
    core = _ASIDE_FIRST.sub("", _ASKER_SENTENCE.sub("", q))
    if not _ASKING.match(core):
        # "In the conclusion, what are ...", "I'm an ICS lead - what are ...", "I work at a council. When ...":
        # the question after its preamble.
        core = _ASIDE_FIRST.sub("", _PREAMBLE.sub("", core))
    # "How did North East London raise uptake? What approaches did they use?": a later question may ask for a list.
    later = [c for c in re.split(r"[?;]\s*|\s[-–—]\s", core)[1:] if c.strip()]
    if any(_plural(c) or _LIST.match(c) for c in later) and not _NUMBER.search(q):
        return "list"
    every = _EVERY_FIGURE.search(q) and not re.match(r"\s*(?:is|are|was|were|do|does|did|where|why|how)\b", core, re.I)
    if _LIST.search(core) or _LIST_ANYWHERE.search(q) or every or _plural(core):
        # A figure the question gives ("besides the £10 billion, which other areas ...") does not ask for one.
        asked = re.sub(r"£?\d[\d,.]*\s*(?:%|per cent|million|billion|bn|m)?", " ", core)
        # "..., and what share predicted a rise for each?": a figure for every item is still a list.
        if not _NUMBER.search(asked) or re.search(r"\bwhat (?:are|were)\b|\b(?:for|of) each\b|\brespectively\b|"
                                                  r"\bin (?:what|which) order\b|\b(?:what|which) (?:other\b|costs\b)|\bwith (?:the |their )?(?:percentages|figures|numbers|shares)\b", q, re.I):
            return "list"
    if _NUMBER.search(q) or _claims_a_figure(q):
        return "figure"
    return "narrative"


# "How big is the panel, and when was it surveyed?", "how often did it meet and over what months?": a figure question
# that asks for a second figure of another kind.
_SECOND_ASK = re.compile(r"(?:,\s*(?:and\s+)?|\s+and\s+)(?=(?:when|how (?:many|much|long|often|big)|for how long|over what|"
                         r"in what|what (?:share|percentage|proportion|date|month|year|period|months)|which (?:month|year|date))\b)", re.I)


def figure_asks(question: str) -> list[str]:
    """The two questions a figure question asks ("How big is the panel" and "when was it surveyed"); the second
    keeps the first's words, which say what it is about. One question when it asks one."""
    q = normalise_question(question.strip())
    parts = _SECOND_ASK.split(q, maxsplit=1)
    # Both parts ask ("Of the £3.5-4.5 billion, how much is for cancer?" asks once, after an aside).
    if len(parts) != 2 or not all(_NUMBER.search(p) and re.search(r"\b(?:how|what|when|which)\b", p, re.I) for p in parts):
        return [question]
    first, second = (p.strip(" ,?–—-") for p in parts)
    about = re.sub(r"\s+", " ", _NUMBER.sub(" ", _focus(first))).strip()
    return [first + "?", f"{second} ({about})?"]


# "Checking a figure: were vacancies 98,306 in June 2021?": a yes-or-no question giving a figure asks for the
# report's own figure. A date is not the figure checked ("Were things better in 2021/22?"), nor is "COVID-19".
_YES_NO = re.compile(r"(?:^|[:;.?!]\s*|\s[–—-]\s*)(?:is|are|was|were|did|does|do|has|have|had)\b", re.I)


def _claims_a_figure(q: str) -> bool:
    return bool(_YES_NO.search(q)) and bool(_given_figures(q))


def _given_figures(q: str) -> list:
    """The figures a question gives that could be checked: not dates, not trivial ones ("COVID-19")."""
    return [f for f in figures.find_figures(q) if f.kind != "date" and not figures.is_trivial(f)]


# "What are the six main themes of the report?": items counted by the question are a list, not a summary.
_COUNTED_ITEMS = re.compile(r"\b(?:what|which) (?:are|were) (?:the|its|their) (?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten) "
                            r"(?!(?:[\w-]+ )?(?:figures?|numbers?|percentages?|shares?|per cent|%|million|billion|sums?|amounts?)\b)", re.I)


# "What does the report say about dementia care?", "Is there anything in it about maternity services?": the topic
# asked about, up to a clause that only qualifies it ("..., in a couple of sentences", "... who pitched in").
_ABOUT = re.compile(r"\b(?:say|says|said|saying|anything|something|mention|mentions|position|view|views|stance|stand|stands)\b[^?]*?"
                    r"\b(?:about|regarding|concerning|on(?! (?:average|balance|the whole|behalf)\b))\s+([^?!.]+)|"
                    # "Does it mention pension tax?", "Is dentistry covered anywhere?", "What role does it see for pharmacies?"
                    r"^(?:does|do|did|is|are|has)\b[^?]*?\b(?:mention|cover|discuss|address|talk about|touch on|deal with|get into)\s+([^?!.]+)|"
                    r"^(?:is|are|was|were)\s+(?!(?:it|there|this|that)\b)([^?!.]+?)\s+(?:covered|mentioned|discussed|addressed|dealt with|talked about)\b|"
                    r"\bwhat role does (?:[\w'’-]+ ){1,3}?see for\s+([^?!.]+)", re.I)
_TOPIC_END = re.compile(r"\s*(?:[,;:–—(]|\s-\s|\b(?:who|that|which|so|as|like|when|where|but|because|to|and (?:how|what|why))\b).*$",
                        re.I)
_NOT_TOPIC = {"pls", "please", "plz", "briefly", "quickly", "exactly", "specifically", "against", "etc"}


def asked_topic(q: str) -> list[str]:
    """The content words of the topic a "what does it say about X?" question asks about; none for other questions."""
    m = _ABOUT.search(q)
    topic = _TOPIC_END.sub("", next(g for g in m.groups() if g)) if m else ""
    # Not the everyday names of the report's topics ("money"), nor verbs ("fixing the backlog"): the report
    # speaks of those in other words.
    return [w for w in content_words(topic) if w not in _NOT_TOPIC and w not in _TOPIC_ALIASES
            and not re.search(r"(?:ing|ed)$", w)]


def _plural(clause: str) -> bool:
    """Whether a clause asks "what/which <things>" of a plural noun ("What practical steps ...", not "What NHS ...")."""
    m = _PLURAL.match(clause) or _WHERE_PLURAL.match(clause)
    return bool(m) and not m.group(1).isupper() and m.group(1).lower() not in _NOT_PLURAL


def _focus(q: str) -> str:
    text = _ASKING.sub("", q).strip(" ?.!")
    text = _EDITION.sub("", text)
    words = [w for w in re.findall(r"[\w'’£%-]+", text) if w.lower() not in _ASK_WORDS]
    return " ".join(words)


# Everyday names of the report's chapter topics, as the words of its chapter titles: "the money chapter" is
# "A new financial deal ...", "the waiting lists chapter" is "Recovering the backlog ...".
_TOPIC_ALIASES = {
    "money": "financial", "cash": "financial", "finance": "financial", "finances": "financial",
    "funding": "financial", "budget": "financial", "budgets": "financial",
    "waiting": "backlog", "elective": "backlog", "waits": "backlog",
    "workforce": "staff", "staffing": "staff",
    "ics": "integrated", "icss": "integrated", "integration": "integrated",
    "regulation": "regulatory", "regulators": "regulatory", "inspection": "regulatory", "inspections": "regulatory",
    "cqc": "regulatory",
    "results": "findings",  # "the survey results": Survey findings
    "intro": "introduction",
}


def topic_aliases(text: str) -> list[str]:
    """The stemmed chapter-title word of each everyday topic name `text` uses ("money" -> "financi")."""
    return [stem(_TOPIC_ALIASES[w]) for w in content_words(text) if w in _TOPIC_ALIASES]


def terms(text: str) -> list[str]:
    """The stemmed content words of `text`, without the words every question about the report uses."""
    return list(dict.fromkeys(stem(w) for w in content_words(text) if w not in _ASK_WORDS))


_SURVEY_DATE_BEFORE = re.compile(r"\b(?:surveyed|polled|questioned)\s+(?:in|during)?\s*(?:the\s+)?"
                                 rf"(?:(?:summer|winter|spring|autumn|early|late|mid|{_MONTHS})[\s-]+)?$", re.I)
_SURVEY_DATE_AFTER = re.compile(r"\s*(?:[\w'’-]+\s+){0,3}?(?:survey|poll)\b", re.I)  # "... Health Leaders Panel survey"


def qualifiers(q: str) -> list[Qualifier]:
    out: list[Qualifier] = []
    for m in _TIME.finditer(q):
        text = m.group(0).strip()
        if _SURVEY_DATE_BEFORE.search(q[:m.start()]) or _SURVEY_DATE_AFTER.match(q[m.end():]):
            continue  # "leaders surveyed in summer 2021", "the July 2021 survey": when the survey was, not the figure
        if re.search(r"\d|next|this|last|summer|winter|spring|autumn|half|quarter|covid|pandemic|over the next", text, re.I) or re.search(_MONTHS, text, re.I):
            out.append(Qualifier("time", text))
    out += [Qualifier("duration", m.group(0)) for m in _DURATION.finditer(q)]
    m = _EDITION.search(q)
    if m:
        out.append(Qualifier("edition", "pdf" if m.group(1).lower() in ("pdf", "printed", "print") else "web"))
    for m in _GROUP.finditer(q):
        out.append(Qualifier("group", (m.group(1) or m.group(2)).strip()))
    for m in _PLACE.finditer(q):
        if m.group(1) not in ("COVID", "NHS") and not _TIME.fullmatch(m.group(1)):
            out.append(Qualifier("place", m.group(1)))
    return out


def _sides(q: str) -> list[str]:
    """The two things a comparison question compares, in its words."""
    body = _ASKING.sub("", q).strip(" ?.!")
    # "What share were confident, and what share were not?": the second ask may name nothing of its own.
    m = re.search(r"^(.+?),?\s+(?:and|while)\s+((?:what|how)\b.+)$", body, re.I)
    if m and terms(m.group(1)):
        return [m.group(1).strip(" ,"), m.group(2).strip(" ,")]
    for rx in (r"[:;]\s*(.+?),?\s+or\s+(.+)$", r"\bbetween (.+?) and (.+)$",
               r"^(.+?)\s+(?:compared? (?:with|to)|versus|vs\.?|against|relative to|as opposed to)\s+(.+)$",
               r"^(?:the )?(.+?) (?:with|and|to) (.+)$"):
        m = re.search(rx, body, re.I)
        if m:
            a, b = (s.strip(" ,") for s in m.groups())
            if terms(a) and terms(b):
                return [a, b]
    return []


# Where the question says the figure comes from or when, not what is counted.
_ASIDE = re.compile(r",?\s*\b(?:according to|as (?:stated|given|reported) (?:in|by)|in the report)\b.*$|"
                    r"\b(?:during|before|since|after|throughout|through) (?:the )?(?:pandemic|covid(?:-19)?)(?: (?:struck|hit|began|started))?",
                    re.I)
# "How many leaders/respondents ..." asks for a survey share, and "people"/"patients" is what most counts
# in the report are of, whatever words they use; neither names a subject a sentence must repeat.
_PEOPLE_WORDS = ("people", "patients", "staff")
PEOPLE = {stem(w) for w in _PEOPLE_WORDS}
_SURVEYED = {stem(w) for w in ("leaders", "respondents", "panel", "members", "trusts", "organisations", "organizations",
                                "years", "months", "time", "more", "less", "fewer", "extra", "additional", "new")}
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


def _counted(q: str) -> str | None:
    """What a "how many" question counts, when it is a thing the answer's sentence must name."""
    part = re.search(r"\bhow many (?:of (?:them|(?:the|these|those) [\w'’,-]+(?: [\w'’-]+){0,3}?|these|those) )?"
                     r"(?:(?:does|do|did) (?:the report|it|they) (?:say|state|estimate) )?"
                     r"(?:were|are|was|is) (?:for )?(.+?)[?.!]*$", q, re.I)
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
    # "What figure does the report put on the capital funding needed?": what is costed or counted.
    part = re.search(r"\bwhat (?:figure|number|sum|amount|price|value|cost) (?:does|do|did) (?:the report|it|they|the confed\w*|the manifesto) "
                     r"(?:put|place|give) (?:on|for) (.+?)[?.!]*$", q, re.I)
    if part and terms(part.group(1)):
        return part.group(1)
    # "How much did urgent referrals for adults go up?": what changed.
    part = (re.search(r"\bhow much (?:did|has|have|had|does|do|will|would) (.+?) (?:go(?:ne)? (?:up|down)|rise|risen|increase|increased|"
                      r"fall|fallen|drop|dropped|grow|grown|shrink|shrunk)\b", q, re.I)
            or re.search(r"\bwhat (?:is|was) the (?:[\w'’-]+ )?(?:increase|rise|fall|drop|growth|reduction) in (.+?)"
                         r"(?:\s+(?:in|during|between|since|over|by|from) (?:the |19|20)[^?]*)?[?.!]*$", q, re.I))
    if part and terms(part.group(1)):
        return part.group(1)
    m = _COUNTED.search(q) or _SHARE_OF.search(q) or _PEOPLE_DID.search(q) or _NUMBER_FOR.search(q)
    if not m:
        return None
    counted = m.group(1)
    words = terms(counted)
    if words and words[-1] in PEOPLE:
        # "How many people were waiting for treatment": people are counted everywhere; what they do says which count.
        clause = _TIME.sub(" ", _ASIDE.sub(" ", q[m.end(1):])).strip(" ?.!")
        return f"{counted} {clause}" if terms(clause) else None
    # Whole words: the "time" of "full-time vacancies" is no length of time.
    if not words or any(stem(w) in _SURVEYED for w in re.findall(r"[\w'’-]+", counted.lower())):
        return None
    return counted


def _chapter(q: str) -> str | None:
    m = _CHAPTER_ON.search(q) or _CHAPTER_NAMED.search(q)
    if not m:
        return None
    name = m.group(1).strip()
    name = re.sub(r"^(?:summari[sz]e|describe|what(?:'s| is| does)?|give me|the|a)\s+", "", name, flags=re.I).strip()
    return name if terms(name) else None
