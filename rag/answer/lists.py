"""List answers: the bulleted list a sentence introduces, a section's bullets, the sub-sections of a named part,
or the sentences that name the items in prose; every item quoted and cited, in the report's order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import takewhile

from rag.answer.candidates import (
    Context,
    bullet_items,
    candidates_at,
    case_study_sections,
    content_sentences,
    distinct,
    gaps_filled,
    in_report_order,
    label_skip,
    lead_in_rows,
    point_title,
    preferred_edition,
    quote,
    reading_edition,
    score_floor,
    terms_all,
    title_fit,
)
from rag.answer.features import Candidate, share
from rag.answer.figure_question import given_values, stated_values
from rag.answer.findings import (
    ASKS_FINDINGS,
    ASKS_SURVEY,
    SURVEY,
    chapter_findings,
    nearest_sub_list,
    not_confident_findings,
    survey_topic,
)
from rag.answer.question import ASKS_HOW_TO, chosen_items, point_numbers, topic_aliases
from rag.answer.wording import normalise_question, terms
from rag.ingest import CHAPTER_PARTS
from rag.schema import Answer, Passage, QuestionPlan, Sentence
from rag.sentence_table import doc_of

LIST_MAX = 16


@dataclass(frozen=True)
class _Option:
    """A list that may answer: `named` when the question names or points at it, `order` breaking ties (its
    section's rank, or a negative number per way of finding it), `led_by` the row of a sentence leading into it."""

    named: bool
    score: float
    order: int
    items: list[list[int]]
    led_by: int | None = None


def list_answer(question, plan, passages, cands, ctx, qid) -> Answer | None:
    """The list that answers: the bullets of a section, the sub-sections of a part the question names, or,
    when the report gives the items inside its prose ("including fatigue, muscle pain, ..."), the sentences
    that enumerate them."""
    table = ctx.index.sentences
    if not ASKS_SURVEY.search(question):
        # The survey findings restate the chapters' numbers in a line each ("100% say their organisations are
        # taking practical steps ..."); the things a list question asks for are in the chapter's prose.
        cands = [c for c in cands if not c.sentence.section.startswith(SURVEY)] or cands
    content = content_sentences(cands)
    best_score: dict[tuple[str, str, str], float] = {}
    for c in cands:
        key = (doc_of(c.sentence.chunk_id), c.sentence.edition, c.sentence.section)
        best_score[key] = max(best_score.get(key, 0.0), c.score)
    options: list[_Option] = []
    top = content[0].sentence if content else None
    top_key = (doc_of(top.chunk_id), top.edition, top.section) if top else None
    top_listed = False
    for order, (key, score) in enumerate(sorted(best_score.items(), key=lambda kv: -kv[1])[:10]):
        is_top = key == top_key
        doc, edition, section = preferred_edition(key, plan, table)
        key = (doc, edition, section)
        parent = section.split(" › ")[0]
        subs = [s for s in table.sections(doc, edition) if s.startswith(parent + " › ")]
        # A part's sub-sections are its items only when the question names the part ("the ten-point plan", "the
        # headline survey results") and asks about nothing narrower ("the survey findings about demand" is one
        # sub-section's list).
        # A question picking items by position names the part well enough by most of its title ("the first three
        # points of the plan").
        narrower = set(plan.terms) - set(terms_all(parent)) - LIST_WORDS
        fit, chosen = title_fit(question, parent), chosen_items(question, len(subs))
        if len(subs) >= 3 and (fit == 1.0 and not narrower or chosen and fit >= CHOSEN_TITLE_FIT):
            items = [[r for r in table.by_section[(doc, edition, s)] if table.rows[r].para == 0] for s in subs]
            options.append(_Option(True, score + 0.25, order, items))
            continue
        items = bullet_items(table.by_section[key], table.rows)
        fit = float(names_section(question, section))
        if len(items) < 2:
            # A part whose lists sit in its sub-sections, when the question names one of them ("the staffing
            # results of the survey": Workforce) or the part itself.
            sub_items, sub_named = nearest_sub_list(question, doc, edition, section, ctx)
            if sub_named or fit:
                items, fit = sub_items, max(fit, float(sub_named))
        if len(items) >= 2:
            options.append(_Option(bool(fit), score + 0.25 * fit, order, items))
            top_listed = top_listed or is_top and not _in_long_item(top, items, table.rows)
    # A sentence near the best that introduces a bulleted list ("It comprises 100 leaders ..., including:")
    # points at that list, wherever its section ranks.
    introduced = introduced_list(plan, cands, ctx)
    if introduced is not None:
        options.append(_Option(True, introduced[0] + 0.25, -1, introduced[2], led_by=introduced[1]))
    # A question in the words of a list's lead-in ("what were the top answers on what would make the biggest
    # difference to rising demand?" for "When asked what factors would make the biggest difference to addressing
    # rising demand for services, the most prominent answers ... included:"), wherever retrieval ranks it.
    lead_in = lead_in_worded(plan, ctx)
    if lead_in is not None:
        options.append(_Option(True, lead_in[0] + 1.0, -8, lead_in[2], led_by=lead_in[1]))
    # What the report asks for on a subject is the "What do NHS leaders need?" list of that subject's chapter.
    # A chapter the question names by its topic ("money asks") is the one whose asks it wants, however well
    # another section's sentences score.
    asks = asks_list(question, plan, cands, ctx)
    if asks is not None and (asks[2] or not any(o.score > asks[0] + 0.25 for o in options)):
        options.append(_Option(True, asks[0] + 0.25 + float(asks[2]), -2, asks[1]))
    # "every stat from the regulation chapter": the chapter's own findings, not the survey summary's topic of that name.
    in_chapter = bool(plan.chapter) and not any(c.sentence.section.startswith(SURVEY) for c in cands)
    surveyed = [] if in_chapter else survey_topic(question, plan, cands, ctx)
    # Not when the best sentences are elsewhere: "When the panel was asked what would help ..., what options came
    # out on top?" is answered in the chapter, which reports more of the survey than its findings' summary.
    if surveyed and (ASKS_FINDINGS.search(question)
                     or any(c.sentence.section.startswith(SURVEY) for c in content[:SURVEY_TOP])):
        options.append(_Option(True, 2.0, -4, surveyed))
    # Otherwise the findings a chapter gives on what is asked ("the survey results about managing public expectations").
    # The survey's summary comes first when one of its sentences is the best ("survey numbers on demand").
    findings = None if surveyed or top is None or top.section.startswith(SURVEY) else chapter_findings(question, cands, ctx)
    if findings is not None:
        options.append(_Option(True, findings[0] + 0.25, -5, findings[1]))
    else:
        # Where leaders lack confidence, across the survey's topics; a chapter's findings answer for its own topic
        # ("On managing public expectations, what were leaders not confident about?").
        doubting = not_confident_findings(question, plan, cands, ctx)
        if len(doubting) >= 2:
            options.append(_Option(True, 2.5, -7, doubting))
    summing = _list_summing_given(question, plan, cands, ctx)
    if summing is not None:
        options.append(_Option(True, 3.0, -6, summing))
    studies = _case_studies(question, plan, cands, ctx)
    if studies:
        options.append(_Option(True, 2.0, -3, studies))
    # The report lists in bullets when the best sentence is a bullet or the question names a list's section;
    # otherwise it names the items in its prose.
    named = any(o.named for o in options)
    if not options or not named and (top is None or top.kind != "bullet" or not top_listed):
        return _enumeration(question, plan, content, passages, ctx, qid) if content else None
    # A list the question names or points at comes before one that only scores well.
    chosen_list = max(options, key=lambda o: (o.named, o.score, -o.order))
    items = chosen_list.items
    chosen = chosen_items(question, len(items))  # "the first three points", "numbers 8, 9 and 10"
    if chosen is not None:
        items = [items[i] for i in chosen]
    focused = _focused_item(question, items, content, ctx) if chosen is None else []
    if focused:
        return quote(question, plan, candidates_at(plan, focused[:ITEM_SENTENCES], cands, passages, ctx), ctx, qid,
                     variants=False)
    # A question counting the items ("the ten points") gets each item's opening only, one line each.
    # Two items picked by position ("points 4 and 5 of the plan") are read whole, as one named item is.
    picks, continued = item_candidates(plan, items, cands, passages, ctx, best_reads_on=not _COUNTS_ITEMS.search(question),
                                       whole=chosen is not None and len(items) <= 2)
    lead = _lead_stating_given(question, items, picks, ctx)
    # A list led in by a sentence stating a figure ("It comprises 100 leaders from across health and care,
    # including:") is quoted with it: the figure says how many it is of.
    led_by = chosen_list.led_by
    if lead is None and led_by is not None and chosen is None and stated_values(ctx.index.sentences.rows[led_by].text):
        lead = led_by
    if lead is None:
        return quote(question, plan, picks, ctx, qid, variants=False, as_list=True, continued=continued)
    picks = candidates_at(plan, [lead], cands, passages, ctx) + picks
    return quote(question, plan, picks, ctx, qid, variants=False, as_list=True, lead=1,
                 continued=frozenset(i + 1 for i in continued))


LONG_ITEM = 4  # sentences: a bullet this long is a paragraph (a key point), not one item of a list


def _in_long_item(top: Sentence, items: list[list[int]], rows: list[Sentence]) -> bool:
    """Whether the best sentence names items itself from inside a paragraph-long bullet ("The complexity of care,
    threat from new COVID-19 variants, and the need to operate with infection prevention ... will hamper
    productivity"): those items are the answer, not the first line of every bullet of its list."""
    return (top.pos > 0 and bool(ENUMERATES.search(top.text))
            and any(len(item) >= LONG_ITEM and rows[item[0]].para == top.para for item in items))


# "Break the £10bn down", "what is the £10bn made up of?", "the bits that make it up": the parts of a sum.
_ASKS_PARTS = re.compile(r"\bbreak(?:s|ing)? (?:[\w£$.,'’-]+ ){0,3}?down\b|\bbreak-?down\b|\bmade up of\b|\bmakes? (?:it |this |that )?up\b|"
                         r"\bcompris|\bconsists? of\b|\bcomponents?\b|\bconstituent|\bwhat goes into\b|\bbits\b", re.I)


def _list_summing_given(question: str, plan: QuestionPlan, cands: list[Candidate], ctx: Context) -> list[list[int]] | None:
    """The bulleted list, anywhere in the report, whose lead-in states the sum a question asks to break down ("The
    extra funding requirement comprises:" after "... an extra £10 billion"): the lists nearest the question's
    other words (what leaders need, funding asks) are not its parts."""
    given = given_values(question)
    if not given or not cands or not _ASKS_PARTS.search(question):
        return None
    table = ctx.index.sentences
    doc, edition = reading_edition(cands, plan, table)
    for section in table.sections(doc, edition):
        rows = table.by_section[(doc, edition, section)]
        for i, r in enumerate(rows):
            starts = table.rows[r].kind == "bullet" and (i == 0 or table.rows[rows[i - 1]].kind != "bullet")
            if starts and _lead_stating(given, r, ctx) is not None:
                return bullet_items(list(takewhile(lambda x: table.rows[x].kind == "bullet", rows[i:])), table.rows)
    return None


def _lead_stating(given: set[tuple], row: int, ctx: Context) -> int | None:
    """The last sentence of the paragraph leading into the bulleted list of `row` that states a given sum."""
    rows = ctx.index.sentences.rows
    return next((r for r in reversed(lead_in_rows(row, ctx)) if given & stated_values(rows[r].text)), None)


def _lead_stating_given(question: str, items: list[list[int]], picks: list[Candidate], ctx: Context) -> int | None:
    """The sentence leading into a bulleted list that states the sum the question breaks down, when no item
    states it ("Break down the £10bn": "... the frontline NHS will need around an extra £10 billion ... The extra
    funding requirement comprises:"); quoted first, the answer shows what its items add up to."""
    given = given_values(question)
    if not given or not items or not items[0] or given & {v for p in picks for v in stated_values(p.sentence.text)}:
        return None
    return _lead_stating(given, items[0][0], ctx)


_LABEL = re.compile(r"^(?:\d{1,2}\.\s*)?([^:.]{3,80}):\s")
ITEM_SENTENCES = 6  # of one named item, read whole
SURVEY_TOP = 5  # best sentences, one of which must be a survey finding for a survey topic's findings to answer
CHOSEN_TITLE_FIT = 0.6  # share of a part's title words a question picking its items by position must use
_AS_ITEM = re.compile(r"\b(?:point|bullet|heading|item|section)\b", re.I)
_CALLED_ITEM = re.compile(r"\bthe ((?:[\w'’-]+ ){2,4}?)(?:point|bullet|item)\b", re.I)
NAMED_ITEM_TOP = 3  # best sentences, one of which a named item must hold


_WHOLE_LIST = re.compile(r"\b(?:all|every|each|list(?! (?:it|them|these|those)\b)|full|complete|whole|asks|points|bullets?|recommendations)\b", re.I)
_GENERIC = re.compile(r"\b(?:health|care|social|nhs|new)\b", re.I)  # words of many chapter titles, which name none
_COUNTS_ITEMS = re.compile(r"\b(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)[ -](?:[\w-]+ )?(?:points?|asks|items|areas|things|"
                           r"priorities|recommendations|themes|findings)\b", re.I)
DEEP_TOP = 2  # best sentences, one of which inside an item (not its opening) makes the question about that item
FOCUS_TOP = 5  # best sentences, two of which must sit in one item for the question to be about that item (dev: 5-8 tie, 2 more right than 3)
_ASKING_TERMS = set(terms_all("want wants need needs call calling calls ask asking asks government national bodies ministers "
                              "nhs leaders leader confed confederation report plan do done say says think should"))


def _focused_item(question: str, items: list[list[int]], content: list[Candidate], ctx: Context) -> list[int]:
    """The one item of a list that two of the best sentences sit in ("what does it want done about long COVID and
    rehab after discharge?": the bullet on discharge-to-assess funding, whose later sentences name the services),
    when the question asks neither for the whole list nor about the list's chapter; none otherwise."""
    table = ctx.index.sentences
    chapter = table.rows[items[0][0]].section.split(" › ")[0] if items and items[0] else ""
    # A question naming the chapter ("on integrated care, what are leaders asking for?") asks for its whole list.
    if _WHOLE_LIST.search(question) or title_fit(_GENERIC.sub(" ", question), _GENERIC.sub(" ", chapter)) > 0:
        return []
    where = {point_title(table.rows[r].text)[1]: i for i, item in enumerate(items) for r in item}
    hits = [where.get(point_title(c.sentence.text)[1]) for c in content[:FOCUS_TOP]]
    counts = {i: hits.count(i) for i in hits if i is not None}
    best = max(counts, key=counts.get, default=None)
    # One of the very best sentences deep inside an item is what a list of the items' openings would leave out.
    # It must name the question's rarest word ("intervene"), not one in passing ("push staff too hard").
    rarest = max((w for w in terms(normalise_question(question)) if w not in _ASKING_TERMS | LIST_WORDS),
                 key=ctx.weight, default=None)
    deep = next((i for c, i in zip(content[:DEEP_TOP], hits) if i is not None and c.sentence.pos > 0
                 and rarest in terms(c.sentence.text)), None)
    if deep is not None and (best is None or counts[best] < 2):
        best, counts = deep, {deep: 2}
    if best is None or counts[best] < 2 or len(items[best]) <= 2:
        return []
    # The question must name something of that item beyond asking ("What are leaders calling for?" names nothing).
    named = set(terms_all(question)) - LIST_WORDS - _ASKING_TERMS
    said = set(terms_all(" ".join(table.rows[r].text for r in items[best])))
    return items[best] if named & said else []


def named_item(question: str, plan: QuestionPlan, cands: list[Candidate], ctx: Context) -> list[Candidate]:
    """The sentences of the one list item or numbered point whose label or title the question names in full
    ("what did one panel member say managing public expectations would need?": the bullet "Managing public
    expectations: ..."), in order; none when it names none. The content of a named item is in its later sentences,
    which a list of items' openings would leave out. Of items named alike in two places, the one with the best
    sentence."""
    if not cands or ASKS_FINDINGS.search(question):
        return []  # "the survey results about managing public expectations": not the ask or the point titled so
    table = ctx.index.sentences
    doc, edition = reading_edition(cands, plan, table)
    # A short title is named as an item only when the question says it is one: "population health" is often
    # only the start of "a population health management approach".
    as_item = bool(_AS_ITEM.search(question))
    # "the financial certainty point of the plan": the words before "point" are the start of its title
    # ("Financial certainty for the long term").
    called = [set(terms_all(m.group(1))) for m in _CALLED_ITEM.finditer(question)]

    def names(title: str) -> bool:
        # The verb a title starts with may be left out: "right touch regulation" names "Maintaining 'right touch'
        # regulation".
        rest = re.sub(r"^\W*\w+ing\s+", "", title)
        if any(len(words) >= 2 and words <= set(terms_all(title)) for words in called):
            return True
        return (as_item or len(terms_all(title)) >= 3) and (
            title_fit(question, title) == 1.0 or rest != title and len(terms_all(rest)) >= 3 and title_fit(question, rest) == 1.0)

    numbers = point_numbers(question)  # "point 8"
    named: list[list[int]] = []
    for section in table.sections(doc, edition):
        rows = table.by_section[(doc, edition, section)]
        number, words = point_title(section.split(" › ")[-1])
        if number:
            if names(words) or number in numbers:
                named.append(rows)
            continue
        for item in bullet_items(rows, table.rows):
            label = _LABEL.match(table.rows[item[0]].text)
            if label and names(label.group(1)):
                named.append(item)
    # A title named in passing ("a population health management approach") names no item: the item must hold one
    # of the best sentences, in either edition, compared without the number the PDF edition gives a point's first
    # sentence ("10. Managing public expectations: ...").
    def unnumbered(text: str) -> str:
        return point_title(text)[1]

    top: dict[str, float] = {}
    for c in content_sentences(cands)[:NAMED_ITEM_TOP]:
        top.setdefault(unnumbered(c.sentence.text), c.score)
    named = [rows for rows in named if any(unnumbered(table.rows[r].text) in top for r in rows)]
    if not named:
        return []
    best = max(named, key=lambda rows: max(top.get(unnumbered(table.rows[r].text), 0.0) for r in rows))
    return candidates_at(plan, best[:ITEM_SENTENCES], cands, [c.passage for c in cands], ctx)


_CASE_STUDIES = re.compile(r"\bcase[ -]stud(?:ies|ys)\b", re.I)


def _case_studies(question: str, plan, cands: list[Candidate], ctx: Context) -> list[list[int]]:
    """The case studies as list items: each one's first sentence, which names its subject."""
    if not cands:
        return []
    where = (doc_of(cands[0].sentence.chunk_id), cands[0].sentence.edition)
    return [rows[:1] for rows in case_studies(question, plan, where, ctx)]


def case_studies(question: str, plan, where: tuple[str, str], ctx: Context) -> list[list[int]]:
    """"Which case studies does the report feature?": the rows of each case study, whose first sentence names its
    subject; those of a chapter the question names ("the two case studies in the waiting list chapter") when it
    names one; none when the question does not ask about case studies."""
    if not _CASE_STUDIES.search(question):
        return []
    table = ctx.index.sentences
    doc, edition, _ = preferred_edition((*where, ""), plan, table)
    studies = case_study_sections(table, doc, edition)
    topics = set(topic_aliases(question))
    named = [s for s in studies if title_fit(question, s.split(" › ")[0]) >= 0.5
             or topics & set(terms_all(s.split(" › ")[0]))]
    return [table.by_section[(doc, edition, s)] for s in named or studies]


def names_section(question: str, section: str) -> bool:
    """Whether the question names a section: every word of its title ("the key points"), or of its sub-section's
    title with half of its part's ("the workforce results of the survey": Survey findings › Workforce)."""
    parts = section.split(" › ")
    return title_fit(question, section) == 1.0 or (
        len(parts) > 1 and title_fit(question, parts[-1]) == 1.0 and title_fit(question, parts[0]) >= 0.5)


ENUMERATION_FLOOR = 0.4  # of the best sentence's score, for a sentence of its section naming items in prose
PARAGRAPH_FLOOR = 0.5  # of the best sentence's score, for a sentence to count as one of its paragraph's items
SHORT_LIST = 3  # items; each of a list this short reads on to its second sentence


def item_candidates(plan, items: list[list[int]], cands: list[Candidate], passages: list[Passage],
                    ctx: Context, best_reads_on: bool = False, whole: bool = False) -> tuple[list[Candidate], frozenset[int]]:
    """Candidates for the list items, and which of them read on in the item before: each item's first sentence
    (its second when the first is a bare label), and in a short list, or with `best_reads_on` in the item opening
    with the best sentence, the sentence after it as well; with `whole`, each item read whole."""
    table = ctx.index.sentences
    rows: list[int] = []
    continued: set[int] = set()
    # In either edition: the items may be the web edition's rows and the best sentence the PDF's.
    best = next((point_title(c.sentence.text)[1] for c in cands if not c.features["heading"]), None)
    for item in items[:LIST_MAX]:
        start = label_skip(item, table.rows)
        # The item opening with the best sentence reads on too: its second sentence may finish what the first
        # began ("... (20 per cent). Only 9 per cent thought more guidance and support would help.").
        opens = best_reads_on and bool(item[start:]) and point_title(table.rows[item[start]].text)[1] == best
        take = item[start:start + (ITEM_SENTENCES if whole else 2 if len(items) <= SHORT_LIST or opens else 1)]
        continued.update(range(len(rows) + 1, len(rows) + len(take)))
        rows += take
    return candidates_at(plan, rows, cands, passages, ctx), frozenset(continued)


ENUMERATES = re.compile(r"(?:[^,;]+[,;]){2,}[^,;]*\b(?:and|or)\b|:\s*\w+[^.]*[,;]")


def _enumeration(question, plan, content: list[Candidate], passages, ctx: Context, qid) -> Answer:
    """Items the report names in its prose: the best sentences, those that enumerate ("a, b and c") first."""
    best = content[0]
    # When no sentence near the top names the items together, a paragraph that gives one per sentence ("The
    # service areas where ... The acute service area where ... In the community sector, ..."): three or more of
    # its sentences near the top.
    by_paragraph: dict[tuple[str, str, str, int], list[Candidate]] = {}
    for c in content[:12]:
        if c.score >= PARAGRAPH_FLOOR * best.score and c.sentence.section == best.sentence.section:
            by_paragraph.setdefault((c.sentence.chunk_id, c.sentence.edition, c.sentence.section, c.sentence.para), []).append(c)
    paragraph = max(by_paragraph.values(), key=lambda cs: sum(c.score for c in cs))
    floor = score_floor(best, ctx)
    near = [c for c in content[:6] if c.score >= floor]
    enumerating = [c for c in near if ENUMERATES.search(c.sentence.text)]
    # An enumeration in another section scoring below every sentence of that paragraph ("expand ..., make ... and
    # expand ..." in the money chapter, for demand by service area) is not the list asked for.
    weakest = min(c.score for c in paragraph)
    if len(paragraph) >= 3 and not [c for c in enumerating if c.score >= weakest]:
        picks = gaps_filled(sorted(paragraph, key=lambda c: c.row), plan, content, passages, ctx)
        return quote(question, plan, picks, ctx, qid, variants=False, as_list=True)
    enumerating = distinct(_naming_most(plan, best, content, passages, ctx) + enumerating)
    ordered = distinct(enumerating + [best] + near)
    # Each sentence is followed by the one that goes on with it, before the next best: the cap falls on the weakest.
    following = {c.row - 1: c for c in _continuations(plan, ordered, content, passages, ctx)}
    picks = distinct([x for c in ordered for x in (c, following.get(c.row)) if x is not None])
    # A sentence between two items of one paragraph names another ("Nearly two thirds ... primary care GP services").
    picks = gaps_filled(in_report_order(picks, best), plan, content, passages, ctx)
    return quote(question, plan, picks, ctx, qid, variants=False, as_list=True)


# A sentence that goes on with the one before it ("This has required less paperwork ...", "The second most popular
# answer ...", "As part of this, they are analysing data ..."): the items of a list the report gives in prose.
_CONTINUES = re.compile(r"^(?:this|these|the (?:second|third|next|other)|as part of this|in addition|also|it also|they also|"
                        r"other)\b", re.I)


def _continuations(plan, picks: list[Candidate], cands: list[Candidate], passages, ctx: Context) -> list[Candidate]:
    """The sentence after each pick in its paragraph, when it goes on with it."""
    table = ctx.index.sentences
    rows = [c.row + 1 for c in picks if c.row + 1 < len(table.rows) and table.rows[c.row + 1].para == c.sentence.para
            and (table.rows[c.row + 1].section, table.rows[c.row + 1].edition) == (c.sentence.section, c.sentence.edition)
            and _CONTINUES.match(table.rows[c.row + 1].text)]
    return candidates_at(plan, rows, cands, passages, ctx)


def _naming_most(plan, best: Candidate, content: list[Candidate], passages, ctx: Context) -> list[Candidate]:
    """The sentence of the best one's section that names the most items, when it scores well enough: it shares
    few words with the question ("Themes included ..." for "what topics came up"), and its chunk may not have
    been retrieved."""
    table = ctx.index.sentences
    section = table.by_section[(doc_of(best.sentence.chunk_id), best.sentence.edition, best.sentence.section)]
    naming = [c for c in candidates_at(plan, [r for r in section if ENUMERATES.search(table.rows[r].text)], content,
                                       passages, ctx) if c.score >= ENUMERATION_FLOOR * best.score]
    return sorted(naming, key=lambda c: (-len(re.findall(r"[,;]", c.sentence.text)), -c.score))[:1]


def introduced_list(plan: QuestionPlan, cands: list[Candidate], ctx: Context) -> tuple[float, int, list[list[int]]] | None:
    """When the best sentence, or one near it, sits in a paragraph that introduces a bulleted list: its score,
    the introducing sentence's row ("It comprises 100 leaders ..., including:") and the list's items."""
    if not cands:
        return None
    floor = score_floor(cands[0], ctx)
    for c in cands[:5]:
        if c.score < floor:
            return None
        run = _run_after(c.row, plan, ctx.index.sentences)
        if run is not None:
            return (c.score, *run)
    return None


_ASKS = re.compile(
    r"\b(?:asks?|asking|call(?:s|ed|ing)? for|(?:pushing|pressing|lobbying) for|recommend(?:s|ed|ations?)?|urg(?:e|es|ed|ing)|"
    r"(?<!the )(?<!its )propos(?:e|es|ed|als?)|wants? (?:[\w'’-]+ ){0,4}?to (?:do|act)|(?:wants?|needs?) from|wish ?list|shopping list|"
    r"needs? (?:[\w'’-]+ )?to (?:give|provide|offer|deliver|fund)|"
    r"wants? (?:on|in terms of|for|from|when it comes to|regarding|about|around)\b|"
    # "What do leaders want?", but not "want population health management to address ...".
    r"what (?:do|does) (?:[\w'’-]+ ){1,3}?want\b(?! (?:[\w'’-]+ ){1,3}?to (?!do\b))|"
    # "What do NHS leaders say they need?", "the top things leaders need on ...": the words of the chapters'
    # heading "What do NHS leaders need?".
    r"\b(?:nhs |healthcare |health )?leaders (?:say (?:they )?)?need\b(?=\s*(?:[?.!,;:]|$|(?:on|for|in|about|around|regarding|when)\b))|"
    # "Which areas need government and national body action?": the words of the boxes' lead-in.
    r"\b(?:government|national bod(?:y|ies)|ministerial)(?:'s)? (?:and (?:[\w'’-]+ ){1,2})?action\b|\baction (?:from|by) (?:the )?(?:government|ministers|national)|"
    # "Where do government and national bodies need to act ...?"
    r"\b(?:government|ministers|national bod(?:y|ies))\b (?:[\w'’-]+ ){0,3}?(?:need|needs|must|should) (?:to )?act\b|"
    r"must (?:[\w'’-]+ ){0,2}?(?:do|sort|fix|address|deliver|change)|"
    r"should (?:the )?(?:government|ministers|national bodies|nhs england)\b[^?]*\bdo|"
    + ASKS_HOW_TO + r"|what would (?:fix|solve|sort out|sort))\b", re.I)
ASKS_PART = CHAPTER_PARTS[2]  # "What do NHS leaders need?": a chapter's asks, one bullet each


def asks_list(question: str, plan: QuestionPlan, cands: list[Candidate],
              ctx: Context) -> tuple[float, list[list[int]], bool] | None:
    """The bullets under "What do NHS leaders need?" in the chapter of the best sentence that has one, with that
    sentence's score and whether the question names the chapter, when the question asks what the report asks
    for; None otherwise."""
    if not _ASKS.search(question) or re.search(r"\bplan\b", question, re.I):
        return None
    table = ctx.index.sentences
    # Each chapter's best sentence, a chapter the question names ("on integrated care") ranking before the one
    # its best sentence happens to sit in.
    by_chapter: dict[tuple[str, str, str], tuple[float, float, bool]] = {}
    topics = set(topic_aliases(question))  # "on money" names the financial deal chapter as its title would
    for c in cands:
        chapter = c.sentence.section.split(" › ")[0]
        key = preferred_edition((doc_of(c.sentence.chunk_id), c.sentence.edition, f"{chapter} › {ASKS_PART}"), plan, table)
        by_topic = bool(topics & set(terms_all(chapter)))
        fit = title_fit(question, chapter)
        rank = c.score + 0.5 * max(fit, float(by_topic))
        if key not in by_chapter or rank > by_chapter[key][0]:
            by_chapter[key] = (rank, c.score, by_topic or fit == 1.0)
    for key, (_, score, named) in sorted(by_chapter.items(), key=lambda kv: -kv[1][0]):
        items = bullet_items(table.by_section.get(key, []), table.rows)
        if len(items) >= 2:
            return score, items, named
    return None


# Words of asking for a whole list, and of who wrote it ("run me through the plan healthcare leaders set out").
LIST_WORDS = set(terms_all("list all each every one item items what which the report plan run walk through take "
                            "set out outline lay laid put forward show tell give me us whole full entire complete "
                            "healthcare health leaders nhs confederation propose proposed headline headlines main key "
                            "top results ask asks boil down gist nutshell sum summarise summarize summary overview brief "
                            "briefly start end beginning need needs want wants"))


# Of the question's words (weighted) a lead-in must hold, and its cosine with the question: common words alone
# ("the survey findings about demand" in "The findings from our survey ... point to four key areas ...:", cosine
# 0.29) do not make a question the lead-in's. Dev: a share of 0.5 broke 6 answers, 0.6 broke 3, 0.7 none; none
# fixed on dev. The cosine is not tuned (the two fresh questions worded as the lead-in: 0.79 and 0.88).
LEAD_IN_SHARE = 0.7
LEAD_IN_COSINE = 0.7


def lead_in_worded(plan: QuestionPlan, ctx: Context) -> tuple[float, int, list[list[int]]] | None:
    """The share of the question's words, the row and the items of the list whose lead-in ("... included:") holds
    the most of them, when that share is at least LEAD_IN_SHARE and the lead-in is close to the question in
    meaning."""
    table = ctx.index.sentences
    best: tuple[float, int] | None = None
    for r, s in enumerate(table.rows):
        if s.text.rstrip().endswith(":"):
            fit = share(plan.terms, set(terms(s.text)), ctx.weight)
            if (fit >= LEAD_IN_SHARE and (best is None or fit > best[0])
                    and float(table.vectors[r] @ ctx.qv) >= LEAD_IN_COSINE):
                best = (fit, r)
    run = _run_after(best[1], plan, table) if best is not None else None
    return None if run is None else (best[0], *run)


def list_introduced_by(row: int, plan: QuestionPlan, ctx: Context) -> tuple[int, list[list[int]]] | None:
    """The introducing sentence's row and the bulleted items after it, when the paragraph of `row` introduces a list."""
    return _run_after(row, plan, ctx.index.sentences)


def _run_after(row: int, plan: QuestionPlan, table) -> tuple[int, list[list[int]]] | None:
    """The row ending the paragraph of `row` and the bulleted items after it, when that paragraph introduces
    them with a colon; read in the preferred edition when it has the same words. None otherwise."""
    s = table.rows[row]
    key = (doc_of(s.chunk_id), s.edition, s.section)
    paragraph = [r for r in table.by_section[key] if table.rows[r].para == s.para]
    lead = paragraph[-1]
    preferred = preferred_edition(key, plan, table)
    if preferred != key:
        same = [r for r in table.by_section[preferred] if table.rows[r].text == table.rows[lead].text]
        if same:
            lead, key = same[0], preferred
    if not table.rows[lead].text.rstrip().endswith(":"):
        return None
    rows, para = table.by_section[key], table.rows[lead].para
    items: list[list[int]] = []
    for p in range(para + 1, para + 1 + LIST_MAX):
        item = [r for r in rows if table.rows[r].para == p]
        if not item or table.rows[item[0]].kind != "bullet":
            break
        items.append(item)
    return (lead, items) if len(items) >= 2 else None
