"""Question analysis: what kind of answer a question wants, about what, for which period, group or edition.

Rules rather than a model: the kinds are few and worded in few ways, a rule is
readable and testable, and the gold set is too small to learn a classifier that
would beat them (the harness's kind confusion matrix measures these rules).
"""

from __future__ import annotations

import re

from rag import figures
from rag.answer.figure_question import ASIDE_FIRST, ASKS_FOR_FIGURE, TIME, asked_unit, claims_a_figure, counted
from rag.answer.wording import ASK_WORDS, normalise_question, terms
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
    r"(?:is|was) (?:this|the|it) (?:report |document |manifesto )?(?:a one-off or )?part of (?:a|any|the) (?:wider |bigger |larger |broader )?(?:series|campaign)|(?:which|what) series (?:is|does|was) (?:this|the|it)\b|"
    r"sub-?title|strapline|standfirst|tagline|(?:what|which) date is (?:on|given on|printed on) (?:the|this|it)\b|"
    # Not "address" the verb ("address health inequalities"): the Confederation's postal address, its phone.
    r"\b(?:postal|office|email|e-mail|web|street|their|its|(?:nhs )?confed(?:eration)?['’]s) address\b|\baddress (?:and|or) (?:phone|telephone|e-?mail)|"
    r"\bphone number|\btelephone|\bcontact details|\bhow (?:can|do) i (?:contact|reach|get in touch with|email)\b|"
    # How the report was made: what it draws on, how it gathered leaders' views.
    r"\b(?:is|was) (?:this|the|it) (?:report |document |manifesto )?based on\b|\b(?:report|manifesto|document|it) (?:is )?based on\b(?=[^?]*\?*\s*$)|"
    # Not "how did trusts collect data by ethnicity?": the gathering must be for the report, or of its evidence.
    r"\bmethodology\b|^who (?:did (?:you|they|it|the (?:report|manifesto|nhs confederation|confederation)) (?:actually |really )?survey|"
    r"(?:was|were|got) (?:actually |really )?surveyed)\b|\bhow (?:was|were|did)\b[^?]*\b(?:gather|collect|obtain|compile)(?:ed|s)?\b[^?]*\b(?:report|manifesto)\b|"
    r"\bhow (?:was|were) (?:the|its) (?:report's )?(?:views|opinions|evidence) (?:[\w'’-]+ ){0,4}?(?:gathered|collected|obtained)\b|"
    r"\bwhere (?:do|does|did) (?:the|its|this|these) (?:report's )?(?:views|findings|evidence|data) come from\b)",
    re.I,
)
_SUMMARY = re.compile(
    r"\b(summar(?:y|ies|ise|ize|ising|izing)|gist|overview|in brief|in short|briefly|nutshell|tl;?dr|main (?:messages?|points|findings|themes|arguments?)|"
    r"(?:key|headline) (?:messages?|takeaways?|themes)|blurb|(?:overall|main|general) thrust|what is (?:this|the) (?:report|manifesto|document) (?:actually |really )?for(?=[?.!\s]*$)|(?:the|main|big) takeaways?|sum(?:s|med|ming)? (?:it |this |that )?up|short version|recap|run-?down|(?<!report )(?<!it )(?<!manifesto )(?<!plan )(?<!document )highlights|big picture|what (?:is|'s) (?:this|the) (?:report|manifesto|document|chapter|section)\b[\w\s]* about(?=[?.!\s]*$)|"
    r"what does (?:this|the) (?:report|manifesto|document) (?:argue|say overall|conclude)|overall conclusions?|"
    r"what(?: is|'s|’s) (?:the|its) (?:main |key )?conclusions?(?! (?:on|about)\b)|^overall,? what (?:did|do|does)\b(?![^?]*\b(?:about|on|regarding)\b))\b",
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
    r"both .+ and|against (?:what|the)|relative to|as opposed to|stacks? up|measures? up|runners?[- ]up)\b",
    re.I,
)
_LIST = re.compile(
    r"^(?:(?:so|and|ok|please|can you|could you|would you),?\s+)*(?:(?:what|which) (?:are|were) (?:the |its |their )?(?:[\w'’-]+ ){0,3}"
    r"(?:points|results|concerns|obstacles|barriers|benefits|lessons|risks|factors|schemes|sources|options|areas|items|steps|asks|recommendations|measures|priorities|changes|things|actions|ways|examples|groups|"
    r"kinds|types|parts|components|reasons|challenges|calls|demands|elements|themes|chapters|sections|findings|proposals|"
    r"pathways|approaches|initiatives|requests|needs|answers|responses|suggestions|ideas)\b|"
    r"(?:list|name|enumerate|give me) (?:all |the |every |each )?|"
    # "Could you set out the areas where government needs to act ...?", not "set out the report's view".
    r"(?:(?:set|lay|spell) out|outline) (?:all |the |every |each )?(?:[\w'’-]+ ){0,2}?(?:areas|asks|points|steps|"
    r"recommendations|priorities|things|actions|measures|changes|ways|reasons|options)\b|"
    r"what (?:exactly |precisely )?(?:are|is) (?:[\w'’-]+ ){1,4}?(?:asking|calling|pushing|pressing|lobbying) (?:[\w'’-]+ ){0,5}?for\b|"
    # "What is the Confed asking govt to do to speed up integrated care?": its asks.
    r"what (?:exactly |precisely )?(?:are|is) (?:[\w'’-]+ ){1,4}?(?:asking|urging|pressing) (?:[\w'’-]+ ){1,8}?to (?:do|deliver)\b|which (?:areas|groups|services|organisations|leaders|kinds|types|things|changes)\b|"
    r"what (?:[\w-]+ )?(?:does|do) (?:[\w'’-]+ ){1,4}?(?:say (?:[\w'’-]+ ){0,5}?|think (?:they|it) )?"
    r"(?:want|ask|call|need|recommend|urge|propose|say is needed|(?:have|has) to do)\b|what (?:is|are) (?:needed|required)\b|"
    r"what should (?:the )?(?:government|ministers|national bodies|nhs england|the centre)\b[^?]*\bdo\b|"
    # "What government action does the report want on ...?": what it asks for, named before the asker ("What new
    # legal obligation does it want?" asks for one thing).
    r"what (?:[\w'’-]+ ){1,5}?(?:action|support|\w+s) (?:does|do) (?:the )?(?:report|confed|confederation|nhs confederation|it|they) "
    r"(?:want|ask|call|recommend|urge|propose)\b)",
    re.I,
)
# "How does the Confed propose to sort out ...?": the asks on a subject (`lists` reads it so too).
ASKS_HOW_TO = r"how (?:does|do|would) (?:[\w'’-]+ ){1,3}?(?:propose|suggest|plan) to"
# "The first three points", "the last two", "points 8, 9 and 10", "numbers 3 to 5": some items of a list, by position.
_HOW_MANY = r"(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)"
# Items, not "the first two years".
_FIRST_OR_LAST = re.compile(rf"\b(first|opening|last|final|closing) {_HOW_MANY}(?= (?:(?:[\w'’-]+ )?(?:points?|items?|bullets?|asks|"
                            r"recommendations|priorities|steps|areas|things|ones|entries)|of)\b|\s*[?.!]|$)", re.I)
_NUMBERS_LISTED = re.compile(r"\b(?:points?|numbers?|items?|nos?\.)\s+(\d{1,2}(?:\s*(?:,|and|&|to|-|–)\s*\d{1,2})+)\b", re.I)
CHOOSES_ITEMS = re.compile(rf"{_FIRST_OR_LAST.pattern}|{_NUMBERS_LISTED.pattern}", re.I)
_LIST_ANYWHERE = re.compile(
    CHOOSES_ITEMS.pattern + r"|\b(ten points|ten[- ]point plan|\d+ points|six areas|bullet|each of the|"
    r"all (?:of )?the (?:points|areas|asks|findings|results|recommendations|items|steps|measures|options)|"
    r"(?:mentions?|lists?|gives?|names?|suggests?|cites?) (?:a few|several|some|a number of|a couple of) (?:things|examples|ways|steps|measures|areas)|"
    # "Give me the workforce stats": a topic's figures, one per finding.
    r"give me the (?:[\w'’-]+ )?(?:stats|statistics|numbers|figures|percentages)|"
    # "How does the Confed propose to sort out ...?", "What would fix staff burnout, according to the Confed?"
    + ASKS_HOW_TO + r"|what would (?:fix|solve|sort out|sort)(?! it)\b|"
    # "What are all the uses it names?", "what % picked each option?", "... four key areas. Which are they?",
    # "run me through the staff survey numbers", "asks on regulation?"
    r"what (?:are|were) all (?:of )?the|\beach (?:option|answer|item|area|one)\b|\b(?:what|which) (?:are|were) (?:they|these|those)(?: exactly| precisely)?(?=\s*(?:[?.!]|$))|"
    # "top two changes that drove improvement", "regulation findings with percentages": several things, each with its figure.
    r"\btop (?:two|three|four|five|[2-5])\b(?! (?:per cent|percent|%))|"
    r"\b(?:findings|results|options|answers|changes|areas|services) with (?:the |their )?(?:per cents|percentages|figures|numbers|stats)\b|"
    r"run (?:me |us )?through (?:the |all the |every |each )?(?:[\w'’-]+ ){0,4}?(?:numbers|stats|statistics|figures|findings|asks|points|"
    r"recommendations|bullets|options|measures|results|issues)|"
    # "What did the survey find on the white paper and on regulation?": its findings, one a line.
    r"^what did (?:the )?(?:[\w'’-]+ ){0,2}?(?:survey|panel|poll)(?: members| survey)? (?:find|show|reveal)\b|\b(?:just|only) (?:the )?(?:headings|headlines|titles)\b|^(?:the |its |their |(?:nhs |healthcare )?leaders['’]? |confederation['’]?s? )?(?:asks|recommendations|demands|proposals|priorities) (?:on|for|about|around)\b|"
    # "examples of the change covid sped up?": several, in a few words.
    r"^(?:some |any |the )?examples of\b)\b", re.I)
_LIST_VERB = re.compile(r"^list\b|\b(?:it|they|the report|the plan) lists\b|\b(?:does|do) (?:it|they|the report|the plan) list\b|\bon the list\b|\bto-?do list\b|\bwish ?list\b|\ball the things\b|\bevery (?:ask|item|point|one)\b|\ball of them\b|\bbreak (?:it |this |that |them )?down\b|\bbreakdown of\b|\bmade up of\b|\bwhat makes up\b|"
                        r"\bconsists? of\b|\bcompris(?:e|es|ed) of\b|\b(?:the|its|their|main|key|what|which|any|specific|top|headline|big|biggest|policy) asks\b|^(?!(?:who|what|which|how|it|he|she|they|the report)\b)(?:[\w/-]+\s+){1,2}asks(?=\s*(?:[?:,–—-]|$))|[.?!,:]\s*list\b|(?<!waiting )\blist (?:them|all|the|every|each|its|their)\b|\bas a list\b|\beach one\b|\bitemi[sz]e", re.I)
# "What practical steps …", "Which two initiatives …": a wh-word straight before a plural noun asks for several things.
_PLURAL = re.compile(r"^(?:(?:so|and),?\s+)?(?:(?:in|between|among|for|on|to|from|of|with|by) )?(?:what|which)\s+(?:(?:kinds?|types?|sorts?) of\s+|of (?:the |its |their )?)?(?:[\w'’-]+\s+){0,2}?([a-z-]+s)\b", re.I)
# "Where were the pop-up clinics set up?": places for several things.
_WHERE_PLURAL = re.compile(r"^where (?:were|are|have|had|did|do)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?([a-z-]{3,}s)\b", re.I)
_NOT_PLURAL = {"does", "is", "was", "has", "this", "its", "us", "years", "months", "percentages", "figures", "numbers", "leaders",
               "trusts", "respondents", "members", "people", "patients", "staff", "says", "means",
               # verbs: "what happens if ..."
               "happens", "goes", "comes", "seems", "matters", "remains", "makes", "gets", "takes", "works", "lies"}
# How long something lasted or waited ("waiting more than two years"): a count for another length is not it.
# "in five to seven years", "over the next three years": a time horizon.
_N = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|\d+)"
_DURATION = re.compile(r"\b(?:more than|over(?: the next)?|longer than|at least|under|less than|within|up to|in(?: the next)?)\s+"
                       rf"{_N}(?:\s*(?:to|-|–)\s*{_N})?\s+"
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
# "the section on workforce" (not "play their part on a fairer backlog").
_CHAPTER_ON = re.compile(r"\b(?:the|this|that|its|a|which) (?:chapter|section|part)\s+(?:on|about|covering|dealing with|of)\s+(.+?)(?:[?.!]|$)", re.I)
# "regulation chapter - what did the panel say?": a terse question names it first.
_CHAPTER_NAMED = re.compile(r"\bthe\s+((?:[\w'’-]+\s+){1,5}?)(?:chapter|section)\b|"
                            r"^((?:(?!(?:what|which|who|how|why|when|where|is|are|was|were|does|do|did|can|could|give|in|on|from|"
                            r"the|this|that|a|an|per|according)\b)[\w'’-]+\s+){1,3}?)(?:chapter|section)\b", re.I)
_ASKING = re.compile(
    r"^(?:(?:so|and|ok|please|can you|could you|tell me|i'd like to know|i want to know|according to the report),?\s+)*"
    r"(?:what|which|who|whom|whose|when|where|why|how(?: many| much| long| often)?|is|are|was|were|does|do|did|has|have|"
    r"list|name|give me|summari[sz]e|describe|explain|compare)\b",
    re.I,
)




# "point one of the plan", "number 7", "the third point": a numbered section ("Ten-point plan › 3. ...").
# "point 4", "no.4", "#4" (not "no one").
_NUMBERED = re.compile(r"\b(?:point|number|item)\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b|"
                       r"(?:\bno\.?\s*|#\s?)(\d{1,2})\b", re.I)
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
_ORDINAL = re.compile(rf"\b({'|'.join(_ORDINALS)}) (?:point|item|recommendation)\b", re.I)


def chosen_items(question: str, count: int) -> list[int] | None:
    """The positions (from 0) of the items a question picks from a list of `count` ("the first three points",
    "the last two", "points 8, 9 and 10", "numbers 3 to 5"), or None when it picks none or names one out of range."""
    m = _FIRST_OR_LAST.search(question)
    if m:
        where, n = m.group(1).lower(), int(figures.NUMBER_WORDS.get(m.group(2).lower(), m.group(2)))
        if not 0 < n < count:
            return None
        return list(range(n)) if where in ("first", "opening") else list(range(count - n, count))
    m = _NUMBERS_LISTED.search(question)
    if not m:
        return None
    picked: list[int] = []
    for a, sep, b in re.findall(r"(\d{1,2})(?:\s*(to|-|–)\s*(\d{1,2}))?", m.group(1)):
        picked += range(int(a), int(b) + 1) if sep else [int(a)]
    if not picked or not all(1 <= n <= count for n in picked):
        return None
    return [n - 1 for n in dict.fromkeys(picked)]


def point_numbers(question: str) -> set[str]:
    """The numbers of the points a question names ("point one", "the third point"), as the titles number them."""
    numbers = {str(figures.NUMBER_WORDS.get(w.lower(), w)) for m in _NUMBERED.findall(question) for w in m if w}
    return numbers | {str(_ORDINALS.index(w.lower()) + 1) for w in _ORDINAL.findall(question)}


def analyse(question: str) -> QuestionPlan:
    """The plan for answering `question`: kind, focus, unit, qualifiers, compared sides, named chapter."""
    q = normalise_question(question.strip())
    kind = _kind(q)
    focus = _focus(q)
    return QuestionPlan(
        kind=kind,
        focus=focus,
        terms=terms(focus),
        unit=asked_unit(q, kind),
        qualifiers=qualifiers(q),
        sides=_sides(q) if kind == "comparison" else [],
        chapter=_chapter(q) if kind in ("summary", "list", "narrative") else None,
        counted=counted(q) if kind == "figure" else None,
    )




# "All of the leaders panel numbers on demand", "I need each workforce stat": a topic's survey findings (but not
# "Do all the findings come from the same panel?").
_EVERY_FIGURE = re.compile(r"\b(?:all|each|every) (?:of )?(?:the )?(?:[\w'’-]+ ){0,3}?(?:numbers|stats?|statistics?|figures|percentages|findings?)\b",
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
    if _SUMMARY.search(_SUMMARY_PLACE.sub(" ", q)) and not figure_words:
        return "summary"
    # "covid death rate poorest vs richest areas": a rate or a number compared, in a few words.
    if _COMPARISON.search(q) and (ASKS_FOR_FIGURE.search(q) or len(figures.find_figures(q)) >= 2
                                  or re.search(r"\bcompare|\b(?:rates?|numbers?|figures?|shares?|percentages?|money|funding|cash|amounts?|sums?)\b", q, re.I)):
        return "comparison"
    if _TWO_ASKS.search(q):
        return "comparison"
    core = ASIDE_FIRST.sub("", _ASKER_SENTENCE.sub("", q))
    if not _ASKING.match(core):
        # "In the conclusion, what are ...", "I'm an ICS lead - what are ...", "I work at a council. When ...":
        # the question after its preamble.
        core = ASIDE_FIRST.sub("", _PREAMBLE.sub("", core))
    # "How did North East London raise uptake? What approaches did they use?": a later question may ask for a list.
    # "Our board wants to know what ... for. What are all the uses it names?": the question after a sentence, too.
    later = [c for c in re.split(r"[?;]\s*|\.\s+(?=(?:what|which|list|name|give)\b)|\s[-–—]\s", core, flags=re.I)[1:] if c.strip()]
    if any(_plural(c) or _LIST.match(c) for c in later) and not ASKS_FOR_FIGURE.search(q):
        return "list"
    every = _EVERY_FIGURE.search(q) and not re.match(r"\s*(?:is|are|was|were|do|does|did|where|why|how)\b", core, re.I)
    if _LIST.search(core) or _LIST_ANYWHERE.search(q) or every or _plural(core):
        # A figure the question gives ("besides the £10 billion, which other areas ...") does not ask for one.
        asked = re.sub(r"£?\d[\d,.]*\s*(?:%|per cent|million|billion|bn|m)?", " ", core)
        # "..., and what share predicted a rise for each?": a figure for every item is still a list.
        if not ASKS_FOR_FIGURE.search(asked) or re.search(r"\bwhat (?:are|were)\b|\b(?:for|of) each\b|\brespectively\b|"
                                                  r"\bin (?:what|which) order\b|\beach (?:option|answer|item|area|one)\b|\b(?:what|which) (?:other\b|costs\b)|\b(?:with (?:the |their )?|(?:the |their ))(?:percentages|per cents|figures|numbers|shares)\b|"
                                                  r"\b(?:percentages|figures|numbers|shares) (?:please|pls)\b", q, re.I):
            return "list"
    if ASKS_FOR_FIGURE.search(q) or claims_a_figure(q):
        return "figure"
    # "How did the panel rate the Secretary of State's powers? figures please": the findings on it, one a line.
    if _NUMBERS_ASKED.search(q):
        return "list"
    # "workforce findings from the survey pls", "survey results on funding": a topic's findings, asked in a few words.
    if _TERSE_FINDINGS.search(core) and not _ASKING_START.match(core):
        return "list"
    return "narrative"


_NUMBERS_ASKED = re.compile(r"\b(?:figures|numbers|percentages|stats|statistics)(?: only)?\s*(?:please|pls|plz)?\W*$", re.I)


# "What did the panel say about staffing in the summary of survey results?": a place in the report, not a request.
_SUMMARY_PLACE = re.compile(r"\b(?:in|from|according to|on) (?:the|its) (?:(?:survey(?:'s)?|results?) summary|"
                           r"summary of (?:the )?(?:survey |panel )?(?:results|findings))\b", re.I)
_TERSE_FINDINGS = re.compile(r"\b(?:findings|results|stats|statistics)\b", re.I)
_ASKING_START = re.compile(r"\s*(?:what|which|who|whom|whose|how|why|when|where|is|are|was|were|do|does|did|can|could|"
                           r"would|will|should|has|have|had|summari[sz]e|sum|explain|describe|tell|give|outline)\b", re.I)


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
    if len(parts) != 2 or not all(ASKS_FOR_FIGURE.search(p) and re.search(r"\b(?:how|what|when|which)\b", p, re.I) for p in parts):
        return [question]
    first, second = (p.strip(" ,?–—-") for p in parts)
    about = re.sub(r"\s+", " ", ASKS_FOR_FIGURE.sub(" ", _focus(first))).strip()
    return [first + "?", f"{second} ({about})?"]


# "What are the six main themes of the report?": items counted by the question are a list, not a summary.
_COUNTED_ITEMS = re.compile(r"\b(?:what|which) (?:are|were) (?:the|its|their) (?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten) "
                            r"(?!(?:[\w-]+ )?(?:figures?|numbers?|percentages?|shares?|per cent|%|million|billion|sums?|amounts?)\b)", re.I)


# "What does the report say about dementia care?", "Is there anything in it about maternity services?": the topic
# asked about (not "it says about three quarters ...", a figure), up to a clause that only qualifies it ("..., in a couple of sentences", "... who pitched in").
_ABOUT = re.compile(r"\b(?:say|says|said|saying|anything|something|mention|mentions|position|view|views|stance|stand|stands)\b[^?]*?"
                    r"\b(?:about(?!\s+(?:\d|£|a (?:third|quarter|half|fifth|tenth)\b|half\b|(?:one|two|three|four|five|six|seven|eight|nine|ten)\b))|"
                    r"regarding|concerning|on(?! (?:average|balance|the whole|behalf)\b))\s+([^?!.]+)|"
                    # "Does it mention pension tax?", "Is dentistry covered anywhere?", "What role does it see for pharmacies?"
                    r"^(?:does|do|did|is|are|has)\b[^?]*?\b(?:mention|cover|discuss|address|talk about|touch on|deal with|get into)\s+([^?!.]+)|"
                    r"^(?:is|are|was|were)\s+(?!(?:it|there|this|that)\b)([^?!.]+?)\s+(?:covered|mentioned|discussed|addressed|dealt with|talked about)\b|"
                    r"\bwhat role does (?:[\w'’-]+ ){1,3}?see for\s+([^?!.]+)|"
                    # "What are the Confed's asks on dentistry?", "its recommendations for community pharmacy"
                    r"\b(?:asks?|asking|recommend|recommends|recommendations|proposals|demands|priorities|policies|plans)\b(?: [\w'’-]+){0,4}? "
                    r"(?:on|about|for|regarding|around)\s+(?!(?:the|its|their|this|that|these|those|it|them)\b)([^?!.]+)", re.I)
# A topic ends at a clause or a verb's "to" ("about waiting lists to see whether ..."), but not at "access to",
# which names the topic after it ("access to NHS dentistry").
_TOPIC_END = re.compile(r"\s*(?:[,;:–—(]|\s-\s|\b(?:who|that|which|so|as|like|when|where|but|because|(?<!access )to|and (?:how|what|why))\b).*$",
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
    words = [w for w in re.findall(r"[\w'’£%-]+", text) if w.lower() not in ASK_WORDS]
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



_SURVEY_DATE_BEFORE = re.compile(r"\b(?:surveyed|polled|questioned)\s+(?:in|during)?\s*(?:the\s+)?"
                                 rf"(?:(?:summer|winter|spring|autumn|early|late|mid|{figures.MONTHS})[\s-]+)?$", re.I)
_SURVEY_DATE_AFTER = re.compile(r"\s*(?:[\w'’-]+\s+){0,3}?(?:survey|poll)\b", re.I)  # "... Health Leaders Panel survey"


def qualifiers(q: str) -> list[Qualifier]:
    out: list[Qualifier] = []
    for m in TIME.finditer(q):
        text = m.group(0).strip()
        if _SURVEY_DATE_BEFORE.search(q[:m.start()]) or _SURVEY_DATE_AFTER.match(q[m.end():]):
            continue  # "leaders surveyed in summer 2021", "the July 2021 survey": when the survey was, not the figure
        if re.search(r"\d|next|this|last|summer|winter|spring|autumn|half|quarter|covid|pandemic|over the next", text, re.I) or re.search(figures.MONTHS, text, re.I):
            out.append(Qualifier("time", text))
    out += [Qualifier("duration", m.group(0)) for m in _DURATION.finditer(q)]
    m = _EDITION.search(q)
    if m:
        out.append(Qualifier("edition", "pdf" if m.group(1).lower() in ("pdf", "printed", "print") else "web"))
    for m in _GROUP.finditer(q):
        out.append(Qualifier("group", (m.group(1) or m.group(2)).strip()))
    for m in _PLACE.finditer(q):
        if m.group(1) not in ("COVID", "NHS") and not TIME.fullmatch(m.group(1)):
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
               # "Compare A with B": a "to" inside A ("enough staff to ensure ...") does not end it.
               r"^(?:the )?(.+?) with (.+)$", r"^(?:the )?(.+?) (?:and|to) (.+)$"):
        m = re.search(rx, body, re.I)
        if m:
            a, b = (s.strip(" ,") for s in m.groups())
            if terms(a) and terms(b):
                return _shared_head(a, b)
    return []


_DEGREE = r"(?:most|least|more|less|higher|lower|highest|lowest|best|worst|top|bottom)"


def _shared_head(a: str, b: str) -> list[str]:
    """Two sides sharing the words after them ("death rates in the most vs least deprived areas - what numbers?"):
    the first side is "... the most deprived areas", the second "least deprived areas"."""
    if not re.search(rf"\b{_DEGREE}$", a, re.I) or not re.match(rf"{_DEGREE}\b", b, re.I):
        return [a, b]
    b = re.split(r"\s+[-–—]\s+|[,;:?]", b)[0].strip()
    return [f"{a} {b.split(None, 1)[1]}" if " " in b else a, b]


def _chapter(q: str) -> str | None:
    # "Every finding in the integrated care chapter about ICSs": the chapter is named before what it is about.
    m = _CHAPTER_NAMED.search(q) or _CHAPTER_ON.search(q)
    if not m:
        return None
    name = next(g for g in m.groups() if g).strip()
    name = re.sub(r"^(?:summari[sz]e|describe|what(?:'s| is| does)?|give me|the|a)\s+", "", name, flags=re.I).strip()
    return name if terms(name) else None
