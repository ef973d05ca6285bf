"""Candidate sentences and what every kind of answer shares: the context, scoring a sentence, the editions,
the bullets of a section, choosing distinct sentences in report order, and quoting them with citations."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from rag import figures
from rag.answer.core import (
    CorpusStats,
    _idf,
    citation_for,
    edition_variants,
    score_sentence,
    verify_figures,
)
from rag.answer.features import (
    Candidate,
    SentenceModel,
    sentence_features,
)
from rag.answer.question import topic_aliases
from rag.answer.wording import terms
from rag.index import Index
from rag.schema import Answer, Citation, Passage, QuestionPlan, Sentence
from rag.sentence_table import doc_of
from rag.settings import Settings
from rag.text import content_words, stem

NARRATIVE_MAX = 4


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
            if not is_fragment(table.rows[row]):
                out.append(candidate_at(plan, row, passage, rank, ctx, idf))
    out.sort(key=lambda c: -c.score)
    return out


def twin_candidates(plan: QuestionPlan, passages: list[Passage], ctx: Context) -> list[Candidate]:
    """The candidates of the retrieved passages' twins in the other edition, best first: the editions differ on
    some figures' periods (the PDF's vacancies are for the three months to March 2021, the web edition's to June)."""
    twins = [_in_edition(p, p.also[0].edition) for p in passages if p.also]
    return candidates(plan, twins, ctx) if twins else []


def candidate_at(plan: QuestionPlan, row: int, passage: Passage, rank: int, ctx: Context,
                 idf: dict[str, float] | None = None) -> Candidate:
    table = ctx.index.sentences
    s = table.rows[row]
    prev = table.rows[row - 1] if row > 0 else None
    previous = prev.text if prev is not None and prev.section == s.section and prev.edition == s.edition else ""
    lexical = score_sentence(ctx.question, s.text, rank, idf) if idf is not None else 0.0
    feats = sentence_features(plan, s, previous, float(table.vectors[row] @ ctx.qv), rank, passage.score, ctx.weight, lexical)
    return Candidate(s, row, passage, rank, feats, ctx.model.probability(feats), previous)


UNRETRIEVED_RANK = 99  # the rank feature of a sentence the answer reaches outside the retrieved passages
SAME_WORDING = 0.97  # character similarity of a PDF sentence and its web twin: layout quirks only (not tuned)


def candidates_at(plan: QuestionPlan, rows: list[int], cands: list[Candidate], passages: list[Passage],
                  ctx: Context) -> list[Candidate]:
    """A candidate for each row: the one already scored when retrieval brought its sentence, else one scored
    in the passage it sits in (a list's later items, a named section, the report's front matter)."""
    by_row = {c.row: c for c in cands}
    table = ctx.index.sentences
    return [by_row.get(r) or candidate_at(plan, r, passage_for(table.rows[r], ctx, passages), UNRETRIEVED_RANK, ctx)
            for r in rows if not is_fragment(table.rows[r])]


def is_fragment(s: Sentence) -> bool:
    """Whether a sentence is the end of one broken by the PDF's layout ("integrated way.", after a page break):
    prose, not a bullet ("chairs and chief executives of ..."), that begins in lower case. Quoted alone, it says nothing."""
    return s.kind == "text" and s.text[:1].islower()


def _in_edition(p: Passage, edition: str | None) -> Passage:
    """The passage in the edition a question names ("in the PDF edition"), its twin when retrieval chose the other."""
    if edition is None or p.chunk.edition == edition:
        return p
    twin = next((c for c in p.also if c.edition == edition), None)
    return replace(p, chunk=twin, also=[p.chunk]) if twin is not None else p


def content_sentences(cands: list[Candidate]) -> list[Candidate]:
    """Sentences that say something: not headings, not announcements of what follows, not the title page."""
    return [c for c in cands if not c.features["heading"] and not c.features["announces"]
            and c.sentence.section != "Front matter"] or cands


# The sentence probability a sentence needs to join the best one. It was the answerability threshold, which is
# a different model's probability; this is that threshold's value when the two were one (0.4956), rounded.
JOIN_FLOOR = 0.5


def score_floor(best: Candidate, ctx: Context) -> float:
    """The score a sentence needs to join the best one in a narrative or a list in prose."""
    return max(JOIN_FLOOR, 0.6 * best.score)


def distinct(ordered: list[Candidate]) -> list[Candidate]:
    """The first NARRATIVE_MAX of `ordered`, skipping repeats and near-repeats of a sentence already taken."""
    picks: list[Candidate] = []
    for c in ordered:
        if len(picks) >= NARRATIVE_MAX:
            break
        if c not in picks and not any(_near_duplicate(c.sentence.text, p.sentence.text) for p in picks):
            picks.append(c)
    return picks


def in_report_order(picks: list[Candidate], best: Candidate) -> list[Candidate]:
    """The best sentence's edition first, each edition in report order."""
    return sorted(picks, key=lambda c: (c.sentence.edition != best.sentence.edition, c.row))


def _near_duplicate(a: str, b: str) -> bool:
    wa, wb = set(terms(a)), set(terms(b))
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= 0.8


def reading_edition(cands: list[Candidate], plan: QuestionPlan, table) -> tuple[str, str]:
    """The document of the best sentence and the edition a list or summary of it is read from."""
    doc, edition, _ = preferred_edition((doc_of(cands[0].sentence.chunk_id), cands[0].sentence.edition, ""), plan, table)
    return doc, edition


def preferred_edition(key: tuple[str, str, str], plan: QuestionPlan, table) -> tuple[str, str, str]:
    """Lists and summaries read from the web edition unless the question names one: the PDF's layout
    (pull quotes, broken lines) cost some of its list items their first words. A key without a section asks only
    for the edition."""
    doc, edition, section = key
    wanted = next((q.text for q in plan.qualifiers if q.kind == "edition"), "web")
    if wanted != edition and ((doc, wanted, section) in table.by_section or not section and table.sections(doc, wanted)):
        return doc, wanted, section
    return key


def bullet_items(rows: list[int], all_rows: list[Sentence]) -> list[list[int]]:
    """Rows of each bullet paragraph of a section, in order."""
    paras: dict[int, list[int]] = {}
    for r in rows:
        if all_rows[r].kind == "bullet":
            paras.setdefault(all_rows[r].para, []).append(r)
    return [paras[p] for p in sorted(paras)]


def label_skip(item: list[int], all_rows: list[Sentence]) -> int:
    """1 when an item's first sentence is a bare label ("Areas of support:"), which says nothing without the
    sentence after it; 0 otherwise."""
    return 1 if len(all_rows[item[0]].text.split()) < 6 and len(item) > 1 else 0


_POINT = re.compile(r"^(\d{1,2})\. (.+)$")


def point_title(title: str) -> tuple[str, str]:
    """A numbered section title's number and words ("3. Whole-system solutions" -> "3", "Whole-system solutions");
    "" and the title itself for any other."""
    m = _POINT.match(title)
    return (m.group(1), m.group(2)) if m else ("", title)


def is_case_study(section: str) -> bool:
    return section.split(" › ")[-1].startswith("Case study")


def case_study_sections(table, doc: str, edition: str) -> list[str]:
    """The sections of a document's case studies, in report order."""
    return [s for s in table.sections(doc, edition) if is_case_study(s)]


def title_fit(question: str, title: str) -> float:
    """Share of a section title's words the question uses ("the key points", "the ten-point plan")."""
    asked = set(terms_all(question) + topic_aliases(question))
    # A title word is used when the question uses its everyday name too ("the staffing results": Workforce).
    t = {stem(w): set(topic_aliases(w)) for w in content_words(title) if stem(w) != "nhs"}
    return sum(w in asked or bool(aliases & asked) for w, aliases in t.items()) / len(t) if t else 0.0


def passage_for(s: Sentence, ctx: Context, passages: list[Passage]) -> Passage:
    known = next((p for p in passages if p.chunk.id == s.chunk_id), None)
    if known is not None:
        return known
    chunk = ctx.index.by_id[s.chunk_id]
    twins = [ctx.index.by_id[t] for t in ctx.index.twins.get(chunk.id, []) if t in ctx.index.by_id]
    return Passage(chunk=chunk, score=0.0, also=twins)


def _same_wording(a: str, b: str) -> bool:
    """The same sentence but for the PDF's layout (a hyphen, a quote mark, a space): not one the web edition words
    otherwise ("We are the membership organisation" for "The NHS Confederation is ...")."""
    m = difflib.SequenceMatcher(None, a, b)
    # The cheap upper bounds first: most of a section's sentences are nothing like it.
    if m.real_quick_ratio() >= SAME_WORDING and m.quick_ratio() >= SAME_WORDING and m.ratio() >= SAME_WORDING:
        return True
    return len(b) > len(a) and m.quick_ratio() >= GLUED_RATIO and _glued_into(m, b)


GLUED_RATIO = 0.8  # of a web sentence and a PDF one that may be it with a pull quote glued in (not tuned)


def _glued_into(m: difflib.SequenceMatcher, b: str) -> bool:
    """Whether `b` is the sentence `a` with one run of three or more words inserted and at most a few characters
    otherwise changed: a pull quote the PDF's layout glued into it ("better partnership working was the COVID-19
    has accelerated transformational change most commonly chosen answer")."""
    changes = [op for op in m.get_opcodes() if op[0] != "equal"]
    inserted = [op for op in changes if op[0] == "insert" and len(b[op[3]:op[4]].split()) >= 3]
    rest = sum(max(op[2] - op[1], op[4] - op[3]) for op in changes if op not in inserted)
    return len(inserted) == 1 and rest <= 5


def _figure_keys(text: str) -> set:
    return {figures.key(f) for f in figures.find_figures(text)}


def _web_wording(c: Candidate, plan: QuestionPlan, ctx: Context) -> tuple[str, Passage]:
    """A PDF sentence's twin in the web edition, and its passage, unless the question names an edition: the PDF's
    layout lost hyphens and spaces ("sameday access to diagnostics") that the web edition keeps. The sentence
    itself when the web edition words it differently or states other figures."""
    s = c.sentence
    if s.edition != "pdf" or any(q.kind == "edition" for q in plan.qualifiers):
        return s.text, c.passage
    table = ctx.index.sentences
    for r in table.by_section.get((doc_of(s.chunk_id), "web", s.section), []):
        twin = table.rows[r]
        if _same_wording(twin.text, s.text) and _figure_keys(twin.text) == _figure_keys(s.text):
            return twin.text, passage_for(twin, ctx, [])
    return s.text, c.passage


def quote(question, plan, picks: list[Candidate], ctx: Context, qid, variants: bool, as_list: bool = False,
          lead: int = 0, continued: frozenset[int] = frozenset()) -> Answer:
    """The picks quoted in order, each with its citation; `as_list` bullets every pick after the first `lead`,
    except those `continued` (by index), which read on in the bullet before them."""
    sources = ctx.index.sources
    citations: list[Citation] = []
    parts: list[str] = []
    for i, c in enumerate(picks):
        text, passage = c.sentence.text, c.passage
        if not variants:
            text, passage = _web_wording(c, plan, ctx)
        existing = next((x for x in citations if x.chunk_id == passage.chunk.id and x.quote == text), None)
        if existing is None:
            existing = citation_for(passage, len(citations) + 1, text, sources)
            citations.append(existing)
        line = f"{text} [{existing.n}]"
        if i in continued and parts:
            parts[-1] += f" {line}"
        else:
            parts.append(f"- {line}" if as_list and i >= lead else line)
        if variants:
            parts += edition_variants(text, c.passage, citations, sources)
    answer = Answer(id=qid, question=question, answer=("\n" if as_list else " ").join(parts), abstained=False,
                    citations=citations, mode="extractive", plan=plan)
    for c in picks:
        answer.notes += [n for n in c.passage.notes if n not in answer.notes]
    answer.figures = verify_figures(answer.answer, citations)
    return answer


def in_paragraph(row: int, step: int, ctx: Context) -> int | None:
    """The row `step` sentences from `row` when it sits in the same paragraph, else None."""
    rows = ctx.index.sentences.rows
    other = row + step
    if not 0 <= other < len(rows):
        return None
    a, b = rows[row], rows[other]
    return other if (a.chunk_id, a.para) == (b.chunk_id, b.para) else None


def lead_in_rows(row: int, ctx: Context) -> list[int]:
    """The rows of the paragraph leading into the bulleted list `row` sits in ("... The extra funding requirement
    comprises:"), in the same document, edition and section; [] when `row` is no bullet or nothing leads in."""
    rows = ctx.index.sentences.rows

    def place(r: int) -> tuple[str, str, str]:
        return doc_of(rows[r].chunk_id), rows[r].edition, rows[r].section

    if rows[row].kind != "bullet":
        return []
    first = row
    while first > 0 and rows[first - 1].kind == "bullet" and place(first - 1) == place(row):
        first -= 1
    if first == 0 or place(first - 1) != place(row):
        return []
    start = first - 1
    while start > 0 and place(start - 1) == place(row) and rows[start - 1].para == rows[first - 1].para:
        start -= 1
    return list(range(start, first))


def gaps_filled(picks: list[Candidate], plan: QuestionPlan, cands: list[Candidate], passages: list[Passage],
                ctx: Context) -> list[Candidate]:
    """`picks` with the one sentence between two picks of a paragraph, which goes with them: it names what "These"
    after it refers to, or another item of a list given in prose."""
    rows = {c.row for c in picks}

    def gap_before(c: Candidate) -> int | None:
        prev = in_paragraph(c.row, -1, ctx)
        return prev if prev is not None and prev not in rows and in_paragraph(prev, -1, ctx) in rows else None

    return preceded_by(picks, gap_before, plan, cands, passages, ctx)


def followed_by(picks: list[Candidate], after: Callable[[Candidate], int | None], plan: QuestionPlan,
                cands: list[Candidate], passages: list[Passage], ctx: Context) -> list[Candidate]:
    """Each pick before the row `after` gives for it (a short sequel stating a figure, the sentence naming what it
    announces), unless that row is already picked; the twin of `preceded_by`."""
    out: list[Candidate] = []
    for c in picks:
        out.append(c)
        row = after(c)
        if row is not None and not any(p.row == row for p in picks + out):
            out += candidates_at(plan, [row], cands, passages, ctx)
    return out


def preceded_by(picks: list[Candidate], before: Callable[[Candidate], int | None], plan: QuestionPlan,
                cands: list[Candidate], passages: list[Passage], ctx: Context) -> list[Candidate]:
    """Each pick after the row `before` gives for it (the sentence naming its period, an ask's opening), unless
    that row is already picked."""
    out: list[Candidate] = []
    for c in picks:
        row = before(c)
        if row is not None and not any(p.row == row for p in picks + out):
            out += candidates_at(plan, [row], cands, passages, ctx)
        out.append(c)
    return out
