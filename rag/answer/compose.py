"""Compose an answer by the question's kind, every sentence a quote from the report with its citation.

figure      the sentence stating the figure for that subject and period
comparison  a sentence for each side, each cited
list        every item of the list (bullets, or the sub-sections of a part such as the ten-point plan), in order
narrative   two to four sentences that carry the content, in report order
summary     the key points, or a named chapter's leading sentences
document    title, publisher, date and editions from the report's own front and back matter
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from rag.answer.core import (
    CorpusStats,
    _idf,
    _same_figures,
    abstain,
    citation_for,
    edition_variants,
    score_sentence,
    verify_figures,
)
from rag.answer.features import (
    Candidate,
    SentenceModel,
    answerability_features,
    duration_fits,
    new_figure,
    period_fits,
    sentence_features,
    share,
    states_count,
)
from rag.answer.question import PEOPLE, named_subjects, names_in, terms
from rag.index import Index
from rag.schema import Answer, Citation, Passage, QuestionPlan, Sentence
from rag.sentence_table import doc_of
from rag.settings import Settings
from rag.text import content_words, stem

NARRATIVE_MAX = 4
FIGURE_WORDS = 0.75  # chosen on dev: 0.5–1.0 tie (b038 right), 0.25 changes nothing, 2.0 loses a figure
NARRATIVE_ELSEWHERE = 0.95  # chosen on dev (0.75–1.0 tie on keywords; citation precision 0.817 → 0.840)
LIST_MAX = 16
SUMMARY_SENTENCES = 4  # a chapter summary: its leading sentences (3 or 4 chosen on dev, 4 hit more keywords)


def terms_all(text: str) -> list[str]:
    """Stemmed content words, keeping the words questions about the report use ("key", "points", "chapter")."""
    return [stem(w) for w in content_words(text)]


@dataclass
class Context:
    """What composing needs besides the question: the index (sentences and vectors), stats and the model."""

    settings: Settings
    index: Index
    stats: CorpusStats | None
    model: SentenceModel
    query_vector: np.ndarray  # the question's unit vector, already computed by retrieval
    question: str = ""

    def weight(self, word: str) -> float:
        """Corpus IDF of a stemmed word (1 for every word without corpus statistics)."""
        return self.stats.weight(word) if self.stats else 1.0

    def df(self, word: str) -> int:
        return self.stats.df.get(word, 0) if self.stats else 1

    @property
    def qv(self) -> np.ndarray:
        return self.query_vector.reshape(-1)


def candidates(plan: QuestionPlan, passages: list[Passage], ctx: Context) -> list[Candidate]:
    """Every sentence of the retrieved passages, featurised and scored, best first."""
    table = ctx.index.sentences
    edition = next((q.text for q in plan.qualifiers if q.kind == "edition"), None)
    out: list[Candidate] = []
    idf = _idf(passages)
    for rank, p in enumerate(passages):
        passage = _in_edition(p, edition)
        for row in table.by_chunk.get(passage.chunk.id, []):
            out.append(_candidate(plan, row, passage, rank, ctx, idf))
    out.sort(key=lambda c: -c.score)
    return out


def _candidate(plan: QuestionPlan, row: int, passage: Passage, rank: int, ctx: Context,
               idf: dict[str, float] | None = None) -> Candidate:
    table = ctx.index.sentences
    s = table.rows[row]
    prev = table.rows[row - 1] if row > 0 else None
    previous = prev.text if prev is not None and prev.section == s.section and prev.edition == s.edition else ""
    lexical = score_sentence(ctx.question, s.text, rank, idf) if idf is not None else 0.0
    feats = sentence_features(plan, s, previous, float(table.vectors[row] @ ctx.qv), rank, passage.score, ctx.weight, lexical)
    return Candidate(s, row, passage, rank, feats, ctx.model.probability(feats), previous)


def _in_edition(p: Passage, edition: str | None) -> Passage:
    """The passage in the edition a question names ("in the PDF edition"), its twin when retrieval chose the other."""
    if edition is None or p.chunk.edition == edition:
        return p
    twin = next((c for c in p.also if c.edition == edition), None)
    return replace(p, chunk=twin, also=[p.chunk]) if twin is not None else p


def compose(question: str, plan: QuestionPlan, passages: list[Passage], ctx: Context, qid: str | None = None) -> Answer:
    settings, sources = ctx.settings, ctx.index.sources
    if plan.kind == "document":
        answer = _document(question, plan, ctx, qid)
        if answer is not None:
            return answer
    if plan.kind == "summary":
        return _summary(question, plan, passages, ctx, qid)
    reasons = pre_abstains(question, plan, passages, ctx)
    if reasons is not None:
        answer = abstain(question, passages, settings, sources, qid)
        answer.notes += reasons
        return answer
    cands = candidates(plan, passages, ctx)
    if plan.kind in ("narrative", "list"):
        cands = _in_named_section(question, plan, cands, passages, ctx)
    fitting = fitting_figures(plan, cands, ctx) if plan.kind == "figure" else []
    if plan.kind == "figure" and not fitting:
        answer = abstain(question, passages, settings, sources, qid)
        answer.notes.append(missing_note(plan, _figure_pool(plan, cands), ctx))
        return answer
    score = decision_score(plan, cands, passages, ctx)
    if score is None or score < ctx.model.abstain_below:
        answer = abstain(question, passages, settings, sources, qid)
        if plan.kind in ("figure", "comparison") and not _figure_pool(plan, cands):
            answer.notes.append("No passage that speaks to this question states a figure of the kind asked for.")
        return answer
    unnamed = [n for n in named_subjects(question)
               if not any(names_in(n, f"{c.passage.chunk.section} {c.passage.chunk.text}") for c in _content(cands)[:1])]
    if plan.kind in ("list", "narrative") and unnamed:
        answer = abstain(question, passages, settings, sources, qid)
        answer.notes.append(f"The passages nearest this question do not name {' or '.join(unnamed)}.")
        return answer
    content = _content(cands)
    unstated = [p for p in _periods(plan) if content and not period_fits(p, content[0].passage.chunk.text)]
    if plan.kind in ("list", "narrative") and unstated:
        answer = abstain(question, passages, settings, sources, qid)
        answer.notes.append(f"The passages nearest this question say nothing of {' or '.join(unstated)}.")
        return answer
    if plan.kind == "list":
        answer = _list(question, plan, passages, cands, ctx, qid)
        if answer is not None:
            return answer
    if plan.kind in ("figure", "comparison"):
        return _figure(question, plan, fitting or _figure_pool(plan, cands), ctx, qid)
    return _narrative(question, plan, passages, cands, ctx, qid)


_QUOTED = re.compile(r"['‘\"“]([^'‘’\"“”]{4,}?)['’\"”]")


def _in_named_section(question: str, plan: QuestionPlan, cands: list[Candidate], passages: list[Passage],
                      ctx: Context) -> list[Candidate]:
    """The sentences of the section a question names in quotes ("the 'Charting a new course' section"), best
    first; all candidates when it names none."""
    table = ctx.index.sentences
    titles = {t.lower() for t in _QUOTED.findall(question)}
    if not titles or not cands:
        return cands
    doc = doc_of(cands[0].sentence.chunk_id)
    edition = _preferred_edition((doc, cands[0].sentence.edition, ""), plan, table)[1]
    rows = [r for s in table.sections(doc, edition) if s.split(" › ")[-1].lower() in titles
            for r in table.by_section[(doc, edition, s)]]
    if not rows:
        return cands
    by_row = {c.row: c for c in cands}
    named = [by_row.get(r) or _candidate(plan, r, _passage_for(table.rows[r], ctx, passages), 99, ctx) for r in rows]
    return sorted(named, key=lambda c: -c.score)


def pre_abstains(question: str, plan: QuestionPlan, passages: list[Passage], ctx: Context) -> list[str] | None:
    """Reasons to decline before any sentence is scored (notes for the answer), or None when none applies."""
    if not passages or max(p.score for p in passages) < ctx.settings.abstain_threshold:
        return []
    if ctx.stats is not None:
        unknown = ctx.stats.unknown_figures(question) + ctx.stats.unknown_names(question)
        if unknown:
            return [f"The report never mentions {', '.join(unknown)}."]
    return None


def decision_score(plan: QuestionPlan, cands: list[Candidate], passages: list[Passage], ctx: Context) -> float | None:
    """The probability that the report answers, judged on the best sentence that could answer this kind of question."""
    pool = _figure_pool(plan, cands) if plan.kind in ("figure", "comparison") else _content(cands)
    if not pool:
        return None
    return ctx.model.answerable(answerability_features(plan, pool[0], passages, ctx.df, ctx.weight))


def _figure_pool(plan: QuestionPlan, cands: list[Candidate]) -> list[Candidate]:
    """Sentences stating a figure, best first. The asked unit is a feature of the score, not a filter:
    "how much higher" asks for a share, not money, and a filter on a misread unit loses the answer."""
    return [c for c in cands if c.features["has_figure"] and c.sentence.section != "Front matter"]


def _periods(plan: QuestionPlan) -> list[str]:
    return [q.text for q in plan.qualifiers if q.kind == "time" and re.search(r"\d{4}|[A-Z][a-z]+ \d{4}", q.text)]


def _fits_subject_and_period(plan: QuestionPlan, c: Candidate, ctx: Context) -> bool:
    """Whether a sentence states a figure of the asked kind, for the asked subject and period, beyond any
    figure the question itself gives ("of the 93,806 vacancies, how many ...")."""
    text = f"{c.previous} {c.sentence.text}"
    if plan.counted:
        # A thing counted ("nursing vacancies") is named in full; people counted by what they do
        # ("people waiting for treatment") need half of those words.
        wanted = [w for w in terms(plan.counted) if w not in PEOPLE]
        need = 0.5 if set(terms(plan.counted)) & PEOPLE else 1.0
        have = set(terms(text))
        if sum(w in have for w in wanted) < need * len(wanted):
            return False
    if not all(names_in(name, f"{c.sentence.section} {text}") for name in named_subjects(ctx.question)):
        return False
    if any(w not in text.lower() for w in _STATISTIC.findall(ctx.question.lower())):
        return False  # a median or an average is not any figure about the same thing
    if plan.unit == "count":
        if not states_count(c.sentence.text, ctx.question):
            return False
    elif not new_figure(plan.unit, c.sentence.text, ctx.question):
        return False
    return (all(period_fits(p, text) for p in _periods(plan))
            and all(duration_fits(q.text, text) for q in plan.qualifiers if q.kind == "duration"))


_STATISTIC = re.compile(r"\b(median|average)\b")  # not "mean": "could mean losing them"


def fitting_figures(plan: QuestionPlan, cands: list[Candidate], ctx: Context) -> list[Candidate]:
    """The figure sentences for the asked subject and period, best first. None: the report has no such figure,
    and a journalist asking for December's figure must not be given July's, nor a count of staff for nurses."""
    return [c for c in _figure_pool(plan, cands) if _fits_subject_and_period(plan, c, ctx)]


def missing_note(plan: QuestionPlan, pool: list[Candidate], ctx: Context) -> str:
    """Why a figure question is declined when no sentence fits its subject and period (a note for the user)."""
    unnamed = [n for n in named_subjects(ctx.question)
               if not any(names_in(n, f"{c.sentence.section} {c.previous} {c.sentence.text}") for c in pool)]
    if unnamed:
        return f"No passage near this question that states a figure names {' or '.join(unnamed)}."
    statistics = [w for w in _STATISTIC.findall(ctx.question.lower()) if not any(w in c.sentence.text.lower() for c in pool)]
    if statistics:
        return f"No passage near this question gives {' or '.join(statistics)} figures."
    periods = [re.sub(r"^(?:in|at|by|during|for)\s+", "", p, flags=re.I) for p in _periods(plan)]
    if plan.counted:
        periods += [q.text for q in plan.qualifiers if q.kind == "duration" and q.text not in plan.counted]
        return f"No passage near this question states a number of {plan.counted}" + (f" for {', '.join(periods)}." if periods else ".")
    if periods:
        return f"The passages near this question give no figure for {', '.join(periods)}."
    return "No passage near this question states a figure of the kind asked for, beyond any the question gives."


def _content(cands: list[Candidate]) -> list[Candidate]:
    return [c for c in cands if not c.features["heading"] and not c.features["announces"]] or cands


# --- figures and comparisons -------------------------------------------------------------------------

def _figure(question, plan, pool: list[Candidate], ctx, qid) -> Answer:
    """`pool`: figure sentences, best first (for a figure question, those fitting its subject and period)."""
    if plan.kind == "figure" and FIGURE_WORDS:
        # Among the nearly-best, the sentence holding the question's most specific words ("slightly agreed",
        # "the second most common") is the one stating that figure.
        near = [c for c in pool[:5] if c.score >= 0.5 * pool[0].score]
        fit = {c.row: c.score + FIGURE_WORDS * share(plan.terms, set(terms(f"{c.previous} {c.sentence.text}")), ctx.weight)
               for c in near}
        pool = sorted(near, key=lambda c: -fit[c.row]) + [c for c in pool if c not in near]
    picks = [pool[0]]
    if plan.kind == "comparison":
        picks = _sides(plan, pool, ctx)
    else:
        # A second sentence when it nearly ties and states another figure (another period, another edition).
        for c in pool[1:4]:
            if c.score >= 0.8 * picks[0].score and not _same_figures(c.sentence.text, picks[0].sentence.text):
                picks.append(c)
                break
    return _quote(question, plan, picks, ctx, qid, variants=True)


def _sides(plan: QuestionPlan, cands: list[Candidate], ctx: Context) -> list[Candidate]:
    """The best sentence for each side of a comparison; one sentence when it states both."""
    if len(plan.sides) != 2:
        picks = [cands[0]]
        for c in cands[1:]:
            if not _same_figures(c.sentence.text, picks[0].sentence.text):
                picks.append(c)
                break
        return picks
    picks: list[Candidate] = []
    for side in plan.sides:
        side_terms = terms(side)
        fit = {c.row: c.score + share(side_terms, set(terms(f"{c.sentence.text} {c.sentence.section}")), ctx.weight)
               for c in cands}
        ranked = sorted(cands, key=lambda c: -fit[c.row])
        best = next((c for c in ranked if all(not _same_figures(c.sentence.text, p.sentence.text) for p in picks)), None)
        if best is not None and best not in picks:
            picks.append(best)
    return sorted(picks, key=lambda c: c.row) or [cands[0]]


# --- narratives ----------------------------------------------------------------------------------------

def _narrative(question, plan, passages, cands, ctx, qid) -> Answer:
    introduced = _introduced_list(plan, cands, ctx)
    if introduced is not None:
        # The content of a sentence that introduces a list ("... point to four key areas:") is the list.
        _, lead, items = introduced
        by_row = {c.row: c for c in cands}
        intro = by_row.get(lead) or _candidate(plan, lead, _passage_for(ctx.index.sentences.rows[lead], ctx, passages), 99, ctx)
        picks = [intro] + _items(plan, items, cands, passages, ctx)
        return _quote(question, plan, picks, ctx, qid, variants=False, as_list=True, lead=1)
    content = _content(cands)
    best = content[0]
    floor = _floor(best, ctx)
    # Sentences from elsewhere in the report join only when nearly as good: a narrative reads on in its section.
    picks = _distinct([best] + [c for c in content[1:] if c.score >= floor and
                                (c.sentence.section == best.sentence.section or c.score >= NARRATIVE_ELSEWHERE * best.score)])
    if len(picks) == 1:
        # The content often reads on in the next sentence of the same paragraph, or was in the one before
        # ("... several key issues need to define the recovery. These factors are explored in ...").
        for row in (best.row + 1, best.row - 1):
            other = next((c for c in cands if c.row == row and c.sentence.para == best.sentence.para), None)
            if other is not None and other.score >= 0.5 * best.score and not other.features["heading"]:
                picks.append(other)
                break
    return _quote(question, plan, _in_report_order(picks, best), ctx, qid, variants=False)


def _floor(best: Candidate, ctx: Context) -> float:
    """The score a sentence needs to join the best one in a narrative or a list in prose."""
    return max(ctx.model.abstain_below, 0.6 * best.score)


def _distinct(ordered: list[Candidate]) -> list[Candidate]:
    """The first NARRATIVE_MAX of `ordered`, skipping repeats and near-repeats of a sentence already taken."""
    picks: list[Candidate] = []
    for c in ordered:
        if len(picks) >= NARRATIVE_MAX:
            break
        if c not in picks and not any(_near_duplicate(c.sentence.text, p.sentence.text) for p in picks):
            picks.append(c)
    return picks


def _in_report_order(picks: list[Candidate], best: Candidate) -> list[Candidate]:
    """The best sentence's edition first, each edition in report order."""
    return sorted(picks, key=lambda c: (c.sentence.edition != best.sentence.edition, c.row))


def _near_duplicate(a: str, b: str) -> bool:
    wa, wb = set(terms(a)), set(terms(b))
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= 0.8


# --- lists ---------------------------------------------------------------------------------------------

def _list(question, plan, passages, cands, ctx, qid) -> Answer | None:
    """The list that answers: the bullets of a section, the sub-sections of a part the question names, or,
    when the report gives the items inside its prose ("including fatigue, muscle pain, ..."), the sentences
    that enumerate them."""
    table = ctx.index.sentences
    content = _content(cands)
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
        doc, edition, section = _preferred_edition(key, plan, table)
        key = (doc, edition, section)
        items = _bullet_items(table.by_section[key], table.rows)
        # A section is named when the question uses every word of its title ("the key points").
        fit = float(_title_fit(question, section) == 1.0)
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
        if len(subs) >= 3 and parent != section and _title_fit(question, parent) == 1.0 and not narrower:
            items = [[r for r in table.by_section[(doc, edition, s)] if table.rows[r].para == 0] for s in subs]
            options.append((score + 0.25, order, items))
            named = True
    # A sentence near the best that introduces a bulleted list ("It comprises 100 leaders ..., including:")
    # points at that list, wherever its section ranks.
    introduced = _introduced_list(plan, cands, ctx)
    if introduced is not None:
        options.append((introduced[0] + 0.25, -1, introduced[2]))
        named = True
    # The report lists in bullets when the best sentence is a bullet or the question names a list's section;
    # otherwise it names the items in its prose.
    if not options or not named and (top is None or top.kind != "bullet" or not top_listed):
        return _enumeration(question, plan, content, ctx, qid) if content else None
    score, _, items = max(options, key=lambda o: (o[0], -o[1]))
    picks = _items(plan, items, cands, passages, ctx)
    return _quote(question, plan, picks, ctx, qid, variants=False, as_list=True)


def _items(plan, items: list[list[int]], cands: list[Candidate], passages: list[Passage], ctx: Context) -> list[Candidate]:
    """A candidate for each list item: its first sentence, or its second when the first is a bare label."""
    table = ctx.index.sentences
    by_row = {c.row: c for c in cands}
    picks = []
    for rows in items[:LIST_MAX]:
        row = rows[0]
        if len(table.rows[row].text.split()) < 6 and len(rows) > 1:
            row = rows[1]  # a bare label ("Areas of support:") says nothing without the sentence after it
        picks.append(by_row.get(row) or _candidate(plan, row, _passage_for(table.rows[row], ctx, passages), 99, ctx))
    return picks


_ENUMERATES = re.compile(r"(?:[^,;]+[,;]){2,}[^,;]*\b(?:and|or)\b|:\s*\w+[^.]*[,;]")


def _enumeration(question, plan, content: list[Candidate], ctx: Context, qid) -> Answer:
    """Items the report names in its prose: the best sentences, those that enumerate ("a, b and c") first."""
    best = content[0]
    floor = _floor(best, ctx)
    near = [c for c in content[:6] if c.score >= floor]
    enumerating = [c for c in near if _ENUMERATES.search(c.sentence.text)]
    picks = _distinct(enumerating + [best] + near)
    return _quote(question, plan, _in_report_order(picks, best), ctx, qid, variants=False, as_list=True)


def _introduced_list(plan: QuestionPlan, cands: list[Candidate], ctx: Context) -> tuple[float, int, list[list[int]]] | None:
    """When the best sentence, or one near it, sits in a paragraph that introduces a bulleted list: its score,
    the introducing sentence's row ("It comprises 100 leaders ..., including:") and the list's items."""
    if not cands:
        return None
    floor = _floor(cands[0], ctx)
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
            sub_items = _bullet_items(rows, table.rows)
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
    preferred = _preferred_edition(key, plan, table)
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


def _preferred_edition(key: tuple[str, str, str], plan: QuestionPlan, table) -> tuple[str, str, str]:
    """Lists and summaries read from the web edition unless the question names one: the PDF's layout
    (pull quotes, broken lines) cost some of its list items their first words."""
    doc, edition, section = key
    wanted = next((q.text for q in plan.qualifiers if q.kind == "edition"), "web")
    if wanted != edition and (doc, wanted, section) in table.by_section:
        return doc, wanted, section
    return key


def _bullet_items(rows: list[int], all_rows: list[Sentence]) -> list[list[int]]:
    """Rows of each bullet paragraph of a section, in order."""
    paras: dict[int, list[int]] = {}
    for r in rows:
        if all_rows[r].kind == "bullet":
            paras.setdefault(all_rows[r].para, []).append(r)
    return [paras[p] for p in sorted(paras)]


def _title_fit(question: str, title: str) -> float:
    """Share of a section title's words the question uses ("the key points", "the ten-point plan")."""
    t = set(terms_all(title)) - {"nhs"}
    return len(t & set(terms_all(question))) / len(t) if t else 0.0


def _passage_for(s: Sentence, ctx: Context, passages: list[Passage]) -> Passage:
    known = next((p for p in passages if p.chunk.id == s.chunk_id), None)
    if known is not None:
        return known
    chunk = ctx.index.by_id[s.chunk_id]
    twins = [ctx.index.by_id[t] for t in ctx.index.twins.get(chunk.id, []) if t in ctx.index.by_id]
    return Passage(chunk=chunk, score=0.0, also=twins)


# --- summaries and the document itself -----------------------------------------------------------------

def _summary(question, plan, passages, ctx, qid) -> Answer:
    """The key points' opening sentences; for a named chapter, the chapter's leading sentences."""
    table = ctx.index.sentences
    doc = doc_of(passages[0].chunk.id) if passages else "manifesto"
    edition = _preferred_edition((doc, passages[0].chunk.edition if passages else "web", "Key points"), plan, table)[1]
    sections = table.sections(doc, edition)
    chapter = _chapter(plan, passages, sections, ctx) if plan.chapter or plan.terms else None
    if chapter is None:
        rows = table.by_section.get((doc, edition, "Key points"), [])
        items = _bullet_items(rows, table.rows) or [[r] for r in rows]
        picked = [item[0] for item in items]
    else:
        picked = []
        for section in [s for s in sections if s == chapter or s.startswith(chapter + " › ")]:
            rows = table.by_section[(doc, edition, section)]
            firsts = [r for r in rows if table.rows[r].pos == 0 and len(table.rows[r].text.split()) >= 6]
            picked += firsts[: SUMMARY_SENTENCES - len(picked)]
            if len(picked) >= SUMMARY_SENTENCES or " › " in section and "challenge" in section.lower():
                break
    if not picked:
        return abstain(question, passages, ctx.settings, ctx.index.sources, qid)
    picks = [_candidate(plan, r, _passage_for(table.rows[r], ctx, passages), 99, ctx) for r in picked]
    return _quote(question, plan, picks, ctx, qid, variants=False, as_list=chapter is None)


def _chapter(plan, passages, sections, ctx) -> str | None:
    """The chapter a summary question names: by its words in a chapter title, else the best passage's chapter."""
    chapters = list(dict.fromkeys(s.split(" › ")[0] for s in sections))
    words = terms(plan.chapter or "") or plan.terms
    if not words:
        return None
    scored = [(sum(ctx.weight(w) for w in words if w in set(terms(c))), c) for c in chapters]
    score, best = max(scored, default=(0.0, None))
    if score > 0:
        return best
    if plan.chapter and passages:
        # Named in other words ("the workforce chapter"): the themed chapter retrieval ranks first,
        # not a part that restates every chapter (key points, the ten-point plan).
        themed = [p for p in passages if " › " in p.chunk.section and not p.chunk.section.startswith(("Ten-point", "Survey"))]
        return (themed or passages)[0].chunk.section.split(" › ")[0]
    return None


_DATE_LINE = re.compile(r"^\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}$")


def _document(question, plan, ctx, qid) -> Answer | None:
    """Title, publisher, date, editions and terms of use, quoted from the report's own front and back matter."""
    table = ctx.index.sentences
    q = question.lower()
    want = set()
    if re.search(r"\b(who|publish|author|wrote|organi[sz]ation|behind|produced|confederation)", q):
        want.add("publisher")
    if re.search(r"\b(when|date|published|year)", q):
        want.add("date")
    if re.search(r"\b(title|called|named|name of)", q):
        want.add("title")
    if re.search(r"\bedition|version|format", q):
        want.update({"title", "editions"})
    if re.search(r"\bformats?\b|accessib|large print|braille|easy read", q):
        want.add("formats")
    if re.search(r"copyright|licen[cs]e|reuse|copy|distribut|commercial|adapt|build (?:on|upon)|alter|permission", q):
        want.add("rights")
    if re.search(r"charit", q):
        want.add("charity")
    want = want or {"title", "publisher", "date"}
    found: dict[str, list[int]] = {}
    for i, s in enumerate(table.rows):
        if doc_of(s.chunk_id) != "manifesto":
            continue
        text = s.text.strip()
        if s.section == "Front matter" and text.lower().startswith("manifesto for recovery"):
            found.setdefault("title", []).append(i)
        elif s.section == "Front matter" and _DATE_LINE.match(text):
            found.setdefault("date", []).append(i)
        elif text.startswith("©"):
            found.setdefault("rights", []).append(i)
            found.setdefault("publisher", []).append(i)
        elif s.section == "About" and "NHS Confederation is the membership organisation" in text:
            found.setdefault("publisher", []).append(i)
        elif text.lower().startswith("if you require this publication in an alternative format"):
            found.setdefault("formats", []).append(i)
        elif text.lower().startswith("registered charity"):
            found.setdefault("charity", []).append(i)
    rows: list[int] = []
    for part in ("title", "publisher", "date", "formats", "rights", "charity"):
        if part in want or (part == "title" and "editions" in want):
            rows += found.get(part, [])[: 2 if "editions" in want and part == "title" else 1]
    if "rights" in want:
        rows += [i + 1 for i in found.get("rights", [])[:1] if i + 1 < len(table.rows)]
    if not rows:
        return None
    picks = [_candidate(plan, r, _passage_for(table.rows[r], ctx, []), 99, ctx) for r in dict.fromkeys(rows)]
    return _quote(question, plan, picks, ctx, qid, variants=False)


# --- quoting -------------------------------------------------------------------------------------------

def _quote(question, plan, picks: list[Candidate], ctx: Context, qid, variants: bool, as_list: bool = False,
           lead: int = 0) -> Answer:
    """The picks quoted in order, each with its citation; `as_list` bullets every pick after the first `lead`."""
    sources = ctx.index.sources
    citations: list[Citation] = []
    parts: list[str] = []
    for i, c in enumerate(picks):
        text = c.sentence.text
        existing = next((x for x in citations if x.chunk_id == c.passage.chunk.id and x.quote == text), None)
        if existing is None:
            existing = citation_for(c.passage, len(citations) + 1, text, sources)
            citations.append(existing)
        line = f"{text} [{existing.n}]"
        parts.append(f"- {line}" if as_list and i >= lead else line)
        if variants:
            parts += edition_variants(text, c.passage, citations, sources)
    answer = Answer(id=qid, question=question, answer=("\n" if as_list else " ").join(parts), abstained=False,
                    citations=citations, mode="extractive", plan=plan)
    for c in picks:
        answer.notes += [n for n in c.passage.notes if n not in answer.notes]
    answer.figures = verify_figures(answer.answer, citations)
    return answer
