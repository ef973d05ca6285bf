"""List answers: the bulleted list a sentence introduces, a section's bullets, the sub-sections of a named part,
or the sentences that name the items in prose; every item quoted and cited, in the report's order."""

from __future__ import annotations

import re

from rag.answer.candidates import (
    Context,
    bullet_items,
    candidates_at,
    content_sentences,
    distinct,
    in_report_order,
    preferred_edition,
    quote,
    score_floor,
    terms_all,
    title_fit,
)
from rag.answer.features import Candidate
from rag.schema import Answer, Passage, QuestionPlan
from rag.sentence_table import doc_of

LIST_MAX = 16


def list_answer(question, plan, passages, cands, ctx, qid) -> Answer | None:
    """The list that answers: the bullets of a section, the sub-sections of a part the question names, or,
    when the report gives the items inside its prose ("including fatigue, muscle pain, ..."), the sentences
    that enumerate them."""
    table = ctx.index.sentences
    content = content_sentences(cands)
    best_score: dict[tuple[str, str, str], float] = {}
    for c in cands:
        key = (doc_of(c.sentence.chunk_id), c.sentence.edition, c.sentence.section)
        best_score[key] = max(best_score.get(key, 0.0), c.score)
    options: list[tuple[float, int, list[list[int]]]] = []
    named = False
    top = content[0].sentence if content else None
    top_key = (doc_of(top.chunk_id), top.edition, top.section) if top else None
    top_listed = False
    for order, (key, score) in enumerate(sorted(best_score.items(), key=lambda kv: -kv[1])[:6]):
        is_top = key == top_key
        doc, edition, section = preferred_edition(key, plan, table)
        key = (doc, edition, section)
        items = bullet_items(table.by_section[key], table.rows)
        # A section is named when the question uses every word of its title ("the key points").
        fit = float(title_fit(question, section) == 1.0)
        if len(items) < 2 and fit:
            # A named part whose lists sit in its sub-sections ("what did the survey find on staffing"):
            # the sub-section nearest the question.
            items = _nearest_sub_list(doc, edition, section, ctx)
        if len(items) >= 2:
            options.append((score + 0.25 * fit, order, items))
            named = named or bool(fit)
            top_listed = top_listed or is_top
        parent = section.split(" › ")[0]
        subs = [s for s in table.sections(doc, edition) if s.startswith(parent + " › ")]
        # A part's sub-sections are its items only when the question names the part ("the ten-point plan")
        # and asks about nothing narrower ("the survey findings about demand" is one sub-section's list).
        narrower = set(plan.terms) - set(terms_all(parent)) - _LIST_WORDS
        if len(subs) >= 3 and parent != section and title_fit(question, parent) == 1.0 and not narrower:
            items = [[r for r in table.by_section[(doc, edition, s)] if table.rows[r].para == 0] for s in subs]
            options.append((score + 0.25, order, items))
            named = True
    # A sentence near the best that introduces a bulleted list ("It comprises 100 leaders ..., including:")
    # points at that list, wherever its section ranks.
    introduced = introduced_list(plan, cands, ctx)
    if introduced is not None:
        options.append((introduced[0] + 0.25, -1, introduced[2]))
        named = True
    # The report lists in bullets when the best sentence is a bullet or the question names a list's section;
    # otherwise it names the items in its prose.
    if not options or not named and (top is None or top.kind != "bullet" or not top_listed):
        return _enumeration(question, plan, content, ctx, qid) if content else None
    _, _, items = max(options, key=lambda o: (o[0], -o[1]))
    picks = item_candidates(plan, items, cands, passages, ctx)
    return quote(question, plan, picks, ctx, qid, variants=False, as_list=True)


def item_candidates(plan, items: list[list[int]], cands: list[Candidate], passages: list[Passage], ctx: Context) -> list[Candidate]:
    """A candidate for each list item: its first sentence, or its second when the first is a bare label."""
    table = ctx.index.sentences
    # A bare label ("Areas of support:") says nothing without the sentence after it.
    firsts = [rows[1] if len(table.rows[rows[0]].text.split()) < 6 and len(rows) > 1 else rows[0]
              for rows in items[:LIST_MAX]]
    return candidates_at(plan, firsts, cands, passages, ctx)


_ENUMERATES = re.compile(r"(?:[^,;]+[,;]){2,}[^,;]*\b(?:and|or)\b|:\s*\w+[^.]*[,;]")


def _enumeration(question, plan, content: list[Candidate], ctx: Context, qid) -> Answer:
    """Items the report names in its prose: the best sentences, those that enumerate ("a, b and c") first."""
    best = content[0]
    floor = score_floor(best, ctx)
    near = [c for c in content[:6] if c.score >= floor]
    enumerating = [c for c in near if _ENUMERATES.search(c.sentence.text)]
    picks = distinct(enumerating + [best] + near)
    return quote(question, plan, in_report_order(picks, best), ctx, qid, variants=False, as_list=True)


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


_LIST_WORDS = set(terms_all("list all each every one item items what which the report plan"))


def _nearest_sub_list(doc: str, edition: str, section: str, ctx: Context) -> list[list[int]]:
    """The bulleted items of the sub-section of `section` with the sentence nearest the question."""
    table = ctx.index.sentences
    best, items = -1.0, []
    for sub in table.sections(doc, edition):
        if sub.startswith(section + " › "):
            rows = table.by_section[(doc, edition, sub)]
            sub_items = bullet_items(rows, table.rows)
            near = float((table.vectors[rows] @ ctx.qv).max())
            if len(sub_items) >= 2 and near > best:
                best, items = near, sub_items
    return items


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
