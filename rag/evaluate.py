"""The eval harness behind `rag eval`: one process, models loaded once, offline metrics.

It asks every gold question through `Assistant` (the same path the CLI and the
UI use), scores the answers with `rag.metrics`, checks the gold claims, and
writes `evals/reports/<run-id>/` (results.jsonl, claims.jsonl, summary.json,
report.md, report.html, plots/). `--compare` diffs two runs, `--gate` holds
the summary to `evals/thresholds.toml`, `--export ragas` writes the columns
RAGAS reads.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from rag import metrics as m
from rag import text_eval
from rag.files import atomic_write
from rag.schema import Verdict
from rag.settings import ROOT, Settings

EVALS = ROOT / "evals"
DEFAULT_GOLD = EVALS / "gold.jsonl"
DEFAULT_CLAIMS = EVALS / "claims.jsonl"
DEFAULT_PARAGRAPHS = EVALS / "paragraphs.jsonl"
DEFAULT_OUT = EVALS / "reports"
THRESHOLDS = EVALS / "thresholds.toml"
# A narrative answer counts as right when it has at least this share of the gold keywords.
KEYWORD_PASS = 0.5
# A list answer counts as right when it names at least this share of the expected items.
LIST_PASS = 0.9
# Metrics where lower is better; everything else in the summary is higher-is-better.
LOWER_IS_BETTER = {"unsupported_figure_rate", "unsupported_figures", "false_abstention_rate", "errors"}
# Sizes of the run, not its quality: a compare shows their change without calling it better or worse.
COUNTS = {"questions", "answerable", "unanswerable", "figure_questions", "narrative_questions",
          "list_questions", "kind_questions", "retrieval_questions", "claims"}
# A compare is only like for like when the two runs agree on these.
RUN_CONFIG = ("mode", "split", "limit", "k", "gold", "claims_file")


class GoldError(ValueError):
    """A gold or claims file that cannot be used; the message names the file and line."""


@dataclass
class GoldItem:
    id: str
    question: str
    expected_figures: list[list[str]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    supporting: list[str] = field(default_factory=list)
    answerable: bool = True
    chapter: str = "none"
    kind: str = "figure"
    split: str | None = None
    line: int = 0
    # List questions: one group of alternative phrases per item a complete answer names.
    expected_items: list[list[str]] = field(default_factory=list)


@dataclass
class ClaimItem:
    id: str
    claim: str
    expected_verdict: str
    chapter: str = "none"
    hard_case: str | None = None
    line: int = 0
    split: str | None = None


@dataclass
class QuestionResult:
    id: str
    question: str
    split: str | None
    chapter: str
    kind: str
    answerable: bool
    mode: str
    answer: str
    abstained: bool
    correct: bool
    citations: list[dict] = field(default_factory=list)
    retrieved: list[dict] = field(default_factory=list)
    first_relevant_rank: int | None = None
    hit_at_k: bool | None = None
    reciprocal_rank: float | None = None
    figure_correct: bool | None = None
    figure_groups_found: list[bool] = field(default_factory=list)
    keyword_recall: float | None = None
    keywords_missing: list[str] = field(default_factory=list)
    items_found: list[bool] = field(default_factory=list)
    items_missing: list[str] = field(default_factory=list)
    list_completeness: float | None = None
    predicted_kind: str | None = None
    citation_precision: float | None = None
    citation_relevance: float | None = None
    unsupported_figures: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str | None = None


@dataclass
class ClaimResult:
    id: str
    claim: str
    chapter: str
    hard_case: str | None
    split: str | None
    expected: str
    predicted: str
    correct: bool
    figures: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str | None = None


# ---------------------------------------------------------------- gold files


def _jsonl_rows(path: Path):
    if not path.is_file():
        raise GoldError(f"{path}: no such file")
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise GoldError(f"{path} line {n}: not valid UTF-8") from None
            except ValueError as exc:
                raise GoldError(f"{path} line {n}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise GoldError(f"{path} line {n}: expected a JSON object, got {type(row).__name__}")
            yield n, row


def _str_list(value, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return value


def load_gold(path: Path) -> list[GoldItem]:
    """Read and validate a gold JSONL file; a bad line raises GoldError naming it."""
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for n, row in _jsonl_rows(path):
        try:
            for name in ("id", "question"):
                if name not in row:
                    raise ValueError(f"missing field {name!r}")
            if not isinstance(row["id"], str | int) or isinstance(row["id"], bool) or str(row["id"]).strip() == "":
                raise ValueError("'id' must be a non-empty string")
            qid = str(row["id"])
            if not isinstance(row["question"], str) or not row["question"].strip():
                raise ValueError("'question' must be a non-empty string")
            groups = row.get("expected_figures", [])
            if not isinstance(groups, list) or not all(isinstance(g, list) and g for g in groups):
                raise ValueError("'expected_figures' must be a list of groups, each a non-empty list of accepted forms")
            for g in groups:
                _str_list(g, "each 'expected_figures' group")
            keywords = _str_list(row.get("keywords", []), "'keywords'")
            list_items = row.get("expected_items", [])
            if not isinstance(list_items, list) or not all(
                    isinstance(g, list) and g and all(isinstance(p, str) and p.strip() for p in g) for g in list_items):
                raise ValueError("'expected_items' must be a list of items, each a non-empty list of alternative phrases")
            supporting = _str_list(row.get("supporting", []), "'supporting'")
            answerable = row.get("answerable", True)
            if not isinstance(answerable, bool):
                raise ValueError("'answerable' must be true or false")
            if not answerable and (groups or keywords or list_items):
                raise ValueError("'answerable' is false but expected_figures, keywords or expected_items are given")
            split = row.get("split")
            if split is not None and not isinstance(split, str):
                raise ValueError("'split' must be a string")
            kind = row.get("kind") or ("unanswerable" if not answerable else "list" if list_items
                                       else "figure" if groups else "narrative")
            chapter = row.get("chapter") or (supporting[0].split(m.SEP)[0] if supporting else "none")
            if not isinstance(kind, str) or not isinstance(chapter, str):
                raise ValueError("'kind' and 'chapter' must be strings")
            if kind not in m.KINDS:
                raise ValueError(f"'kind' must be one of {', '.join(m.KINDS)}, not {kind!r}")
            if (kind == "unanswerable") == answerable:
                raise ValueError(f"'kind' is {kind!r} but 'answerable' is {str(answerable).lower()}")
        except ValueError as exc:
            raise GoldError(f"{path} line {n}: {exc}") from None
        if qid in seen:
            raise GoldError(f"{path} line {n}: id {qid!r} already used on line {seen[qid]}")
        seen[qid] = n
        items.append(GoldItem(qid, row["question"], groups, keywords, supporting, answerable, chapter, kind, split, n,
                              expected_items=list_items))
    if not items:
        raise GoldError(f"{path}: no questions")
    return items


def load_claims(path: Path) -> list[ClaimItem]:
    items: list[ClaimItem] = []
    seen: dict[str, int] = {}
    for n, row in _jsonl_rows(path):
        try:
            for name in ("id", "claim", "expected_verdict"):
                if name not in row:
                    raise ValueError(f"missing field {name!r}")
            if not isinstance(row["claim"], str) or not row["claim"].strip():
                raise ValueError("'claim' must be a non-empty string")
            if row["expected_verdict"] not in m.VERDICTS:
                raise ValueError(f"'expected_verdict' must be one of {', '.join(m.VERDICTS)}")
        except ValueError as exc:
            raise GoldError(f"{path} line {n}: {exc}") from None
        cid = str(row["id"])
        if cid in seen:
            raise GoldError(f"{path} line {n}: id {cid!r} already used on line {seen[cid]}")
        seen[cid] = n
        # The claims' split: even-numbered ids are dev, odd ones test (docs/check.md, "Calibration").
        number = int("".join(ch for ch in cid if ch.isdigit()) or 0)
        items.append(ClaimItem(cid, row["claim"], row["expected_verdict"], str(row.get("chapter") or "none"),
                               row.get("hard_case"), n, row.get("split") or ("dev" if number % 2 == 0 else "test")))
    return items


def select(items: list, split: str, limit: int | None) -> list:
    if split != "all":
        items = [i for i in items if getattr(i, "split", None) == split]
    return items[:limit] if limit is not None else items


# ---------------------------------------------------------------- scoring


def score_question(item: GoldItem, answer, passages: list, k: int, sections: dict[str, str]) -> QuestionResult:
    """One row of results.jsonl: the answer and every metric that applies to this question."""
    row = QuestionResult(
        id=item.id, question=item.question, split=item.split, chapter=item.chapter, kind=item.kind,
        answerable=item.answerable, mode=answer.mode, answer=answer.answer, abstained=answer.abstained, correct=False,
        citations=[{"n": c.n, "chunk_id": c.chunk_id, "section": c.section, "quote": c.quote} for c in answer.citations],
        retrieved=[{"rank": r, "chunk_id": p.chunk.id, "section": p.chunk.section, "score": round(p.score, 4)}
                   for r, p in enumerate(passages, 1)],
        timings_ms=dict(answer.timings_ms), error=answer.error,
    )
    # An evaluator's own item may name neither sections nor figures: its retrieval is not scored.
    if item.answerable and m.measurable(item.supporting, item.expected_figures):
        rank = m.first_relevant_rank(passages[:k], item.supporting, item.expected_figures)
        row.first_relevant_rank = rank
        row.hit_at_k = rank is not None
        row.reciprocal_rank = 1.0 / rank if rank else 0.0
    answered = not answer.abstained and not answer.error
    if item.expected_figures:
        found = m.groups_found(item.expected_figures, answer.answer) if answered else [False] * len(item.expected_figures)
        row.figure_groups_found = found
        row.figure_correct = all(found)
    if item.keywords:
        hits = m.keywords_found(item.keywords, answer.answer) if answered else [False] * len(item.keywords)
        row.keyword_recall = round(sum(hits) / len(hits), 4)
        row.keywords_missing = [kw for kw, hit in zip(item.keywords, hits) if not hit]
    if item.expected_items:
        found = m.items_found(item.expected_items, answer.answer) if answered else [False] * len(item.expected_items)
        row.items_found = found
        row.items_missing = [g[0] for g, hit in zip(item.expected_items, found) if not hit]
        row.list_completeness = m.completeness(found)
    row.predicted_kind = answer.plan.kind if answer.plan else None
    if not item.answerable:
        row.correct = bool(answer.abstained) and not answer.error
    elif row.list_completeness is not None:
        # A list answer must name (nearly) every item, and any figure the item also expects.
        row.correct = answered and row.list_completeness >= LIST_PASS and row.figure_correct is not False
    elif row.figure_correct is not None:
        row.correct = row.figure_correct
    elif row.keyword_recall is not None:
        row.correct = answered and row.keyword_recall >= KEYWORD_PASS
    else:
        row.correct = answered
    if answered:
        row.citation_precision = m.citation_precision(answer)
        row.citation_relevance = m.citation_relevance(answer.citations, item.supporting, item.expected_figures, sections)
        row.unsupported_figures = m.unsupported_figures(answer)
    return row


def score_claim(item: ClaimItem, verdict) -> ClaimResult:
    predicted = "error" if verdict.error else verdict.verdict
    return ClaimResult(
        id=item.id, claim=item.claim, chapter=item.chapter, hard_case=item.hard_case, split=item.split,
        expected=item.expected_verdict,
        predicted=predicted, correct=predicted == item.expected_verdict,
        figures=[asdict(f) for f in verdict.figures],
        evidence=[{"chunk_id": e.chunk_id, "section": e.section, "quote": e.quote} for e in verdict.evidence],
        timings_ms=dict(verdict.timings_ms), error=verdict.error,
    )


def aggregate(rows: list[QuestionResult], planned: bool | None = None) -> dict:
    """The question metrics of a set of rows (the whole run, a chapter or a split).

    `planned`: whether the run's answers carry a plan at all (default: whether these rows' do); without
    plans the kind accuracy is not measured (None) rather than 0.
    """
    planned = any(r.predicted_kind for r in rows) if planned is None else planned
    answerable = [r for r in rows if r.answerable]
    unanswerable = [r for r in rows if not r.answerable]
    abstained = [r for r in rows if r.abstained and not r.error]
    answered = [r for r in rows if not r.abstained and not r.error]
    fig = [r for r in rows if r.figure_correct is not None]
    kw = [r for r in rows if r.keyword_recall is not None and r.figure_correct is None and r.list_completeness is None]
    lists = [r for r in rows if r.list_completeness is not None]
    kinded = [r for r in rows if r.answerable and r.kind != "unanswerable"]
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answer_accuracy": m.mean(r.correct for r in rows),
        "recall_at_k": m.mean(r.hit_at_k for r in answerable),
        "retrieval_questions": sum(1 for r in answerable if r.hit_at_k is not None),
        "mrr": m.mean(r.reciprocal_rank for r in answerable),
        "figure_accuracy": m.mean(r.figure_correct for r in fig),
        "figure_questions": len(fig),
        "keyword_hit_rate": m.mean(r.keyword_recall for r in kw),
        "narrative_questions": len(kw),
        "list_completeness": m.mean(r.list_completeness for r in lists),
        "list_questions": len(lists),
        "kind_accuracy": m.mean(r.predicted_kind == r.kind for r in kinded) if planned else None,
        "kind_questions": len(kinded),
        "citation_precision": m.mean(r.citation_precision for r in answered),
        "citation_relevance": m.mean(r.citation_relevance for r in answered if r.answerable),
        "unsupported_figure_rate": m.ratio(sum(1 for r in answered if r.unsupported_figures), len(answered)),
        "unsupported_figures": sum(len(r.unsupported_figures) for r in answered),
        "abstention_precision": m.ratio(sum(1 for r in abstained if not r.answerable), len(abstained)),
        "abstention_recall": m.ratio(sum(1 for r in unanswerable if r.abstained and not r.error), len(unanswerable)),
        "false_abstention_rate": m.ratio(sum(1 for r in answerable if r.abstained and not r.error), len(answerable)),
        "errors": sum(1 for r in rows if r.error),
    }


def per_kind(rows: list[QuestionResult]) -> dict[str, dict]:
    """Gold kind -> its question count and the metrics that apply to it (None where one does not)."""
    planned = any(r.predicted_kind for r in rows)
    by_kind: dict[str, list[QuestionResult]] = {}
    for r in rows:
        by_kind.setdefault(r.kind, []).append(r)
    order = [k for k in m.KINDS if k in by_kind] + sorted(set(by_kind) - set(m.KINDS))
    out = {}
    for kind in order:
        agg = aggregate(by_kind[kind], planned)
        out[kind] = {
            "n": agg["questions"],
            "answer_accuracy": agg["answer_accuracy"],
            "figure_accuracy": agg["figure_accuracy"],
            "keyword_hit_rate": agg["keyword_hit_rate"],
            "list_completeness": agg["list_completeness"],
            "abstention_rate": m.ratio(sum(1 for r in by_kind[kind] if r.abstained and not r.error), agg["questions"]),
            "kind_accuracy": agg["kind_accuracy"],
        }
    return out


def kind_confusion(rows: list[QuestionResult]) -> dict[str, dict[str, int]]:
    """Gold kind -> the answer's `plan.kind` ("none" without a plan) -> count, over answerable questions."""
    return m.kind_confusion([(r.kind, r.predicted_kind) for r in rows if r.answerable and r.kind != "unanswerable"])


def aggregate_claims(rows: list[ClaimResult]) -> dict:
    by_case: dict[str, list[ClaimResult]] = {}
    for r in rows:
        by_case.setdefault(r.hard_case or "none", []).append(r)
    return {
        "claims": len(rows),
        "claim_accuracy": m.mean(r.correct for r in rows),
        "confusion": m.confusion([(r.expected, r.predicted) for r in rows]),
        "by_hard_case": {case: {"claims": len(rs), "accuracy": m.mean(r.correct for r in rs)} for case, rs in sorted(by_case.items())},
        "per_verdict_recall": {
            v: m.mean(r.correct for r in rows if r.expected == v) for v in m.VERDICTS
        },
    }


def latency(rows: list[QuestionResult], claim_rows: list[ClaimResult]) -> dict:
    stages = ("retrieve", "answer", "total")
    out = {s: m.percentiles([r.timings_ms[s] for r in rows if s in r.timings_ms]) for s in stages}
    checks = [r.timings_ms.get("total", sum(r.timings_ms.values())) for r in claim_rows if r.timings_ms]
    if checks:
        out["check"] = m.percentiles(checks)
    return out


def summarise(rows: list[QuestionResult], claim_rows: list[ClaimResult], meta: dict, claims_note: str | None) -> dict:
    planned = any(r.predicted_kind for r in rows)  # one answer with a plan: kind accuracy is measured everywhere
    overall = aggregate(rows, planned)
    lat = latency(rows, claim_rows)
    metrics = dict(overall)
    for stage, p in lat.items():
        metrics[f"latency_{stage}_p50_ms"] = p["p50"]
        metrics[f"latency_{stage}_p95_ms"] = p["p95"]
    claims = aggregate_claims(claim_rows) if claim_rows else {}
    if claims:
        metrics["claim_accuracy"] = claims["claim_accuracy"]
        metrics["claims"] = claims["claims"]
        for split in ("dev", "test"):
            chosen = [r.correct for r in claim_rows if r.split == split]
            if chosen and len(chosen) < len(claim_rows):
                metrics[f"claim_accuracy_{split}"] = m.mean(chosen)
    chapters: dict[str, list[QuestionResult]] = {}
    for r in rows:
        chapters.setdefault(r.chapter, []).append(r)
    splits: dict[str, list[QuestionResult]] = {}
    for r in rows:
        splits.setdefault(r.split or "unsplit", []).append(r)
    return {
        **meta,
        "metrics": metrics,
        "latency_ms": lat,
        "chapters": {c: aggregate(rs, planned) for c, rs in sorted(chapters.items())},
        "splits": {s: aggregate(rs, planned) for s, rs in sorted(splits.items())},
        "per_kind": per_kind(rows),
        "kind_confusion": kind_confusion(rows),
        "claims": {**claims, "note": claims_note},
    }


# ---------------------------------------------------------------- running


def run(assistant, items: list[GoldItem], claims: list[ClaimItem], mode: str, k: int,
        progress: bool = True) -> tuple[list[QuestionResult], list[ClaimResult], str | None, dict[str, list[str]]]:
    """Ask every question and check every claim; returns rows, claim rows, a skip note and contexts."""
    from tqdm import tqdm

    sections = {c.id: c.section for c in assistant.index.chunks}
    _memo_query_vectors(assistant.retriever)
    rows: list[QuestionResult] = []
    contexts: dict[str, list[str]] = {}
    for item in tqdm(items, desc=f"questions ({mode})", unit="q", file=sys.stderr, disable=not progress):
        # Ask first so the timed retrieval embeds the question; the search for the
        # retrieval metrics then reuses that vector.
        answer = assistant.ask(item.question, mode, qid=item.id)
        passages = [] if answer.error and not answer.citations else _search(assistant, item.question, k)
        contexts[item.id] = [p.chunk.text for p in passages]
        rows.append(score_question(item, answer, passages, k, sections))
    claim_rows: list[ClaimResult] = []
    note = None
    if claims:
        try:
            from rag import check
        except ImportError as exc:
            check = None
            note = f"claims skipped: the claim checker is not available ({exc})"
        if check is not None and not hasattr(check, "check_claim"):
            note = "claims skipped: rag.check has no check_claim yet"
        elif check is not None:
            for item in tqdm(claims, desc="claims", unit="claim", file=sys.stderr, disable=not progress):
                try:
                    verdict = assistant.check(item.claim, item.id)
                except Exception as exc:  # a checker bug is one wrong row, not a lost run
                    verdict = Verdict(id=item.id, claim=item.claim, verdict="error", error=f"{type(exc).__name__}: {exc}")
                claim_rows.append(score_claim(item, verdict))
    elif claims is not None:
        note = "claims skipped: no claims selected"
    return rows, claim_rows, note, contexts


def _search(assistant, question: str, k: int) -> list:
    from rag.answer import QuestionError

    try:
        return assistant.search(question, k)
    except QuestionError:
        return []


def _memo_query_vectors(retriever) -> None:
    """The harness searches and then asks the same question: embed each question once."""
    embed = retriever.embed_query
    cache: dict[str, object] = {}

    def cached(question: str):
        if question not in cache:
            cache[question] = embed(question)
        return cache[question]

    retriever.embed_query = cached


# ---------------------------------------------------------------- files


def _jsonl(rows: list) -> str:
    return "".join(json.dumps(asdict(r) if not isinstance(r, dict) else r, ensure_ascii=False) + "\n" for r in rows)


def _fmt(v, key: str = "") -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and key.startswith("latency_"):
        return f"{v:,.1f}"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return str(v)


HEADLINE = [
    ("recall_at_k", "retrieval recall@k"),
    ("mrr", "retrieval MRR"),
    ("answer_accuracy", "answer accuracy (all questions)"),
    ("figure_accuracy", "figure accuracy"),
    ("keyword_hit_rate", "keyword hit rate (narrative)"),
    ("list_completeness", "list completeness (list questions)"),
    ("kind_accuracy", "question kind accuracy (plan vs gold)"),
    ("citation_precision", "citation precision"),
    ("citation_relevance", "citation relevance (gold sections)"),
    ("unsupported_figure_rate", "unsupported-figure rate (must be 0)"),
    ("abstention_precision", "abstention precision"),
    ("abstention_recall", "abstention recall"),
    ("false_abstention_rate", "false abstentions (answerable)"),
    ("claim_accuracy", "claim verdict accuracy"),
    ("claim_accuracy_dev", "claim verdict accuracy, dev claims"),
    ("claim_accuracy_test", "claim verdict accuracy, test claims"),
    ("paragraph_claim_accuracy", "claims in gold paragraphs, accuracy"),
    ("paragraph_claims_lost", "claims in gold paragraphs, lost"),
    ("latency_retrieve_p50_ms", "latency retrieve p50 ms"),
    ("latency_retrieve_p95_ms", "latency retrieve p95 ms"),
    ("latency_answer_p50_ms", "latency answer p50 ms"),
    ("latency_answer_p95_ms", "latency answer p95 ms"),
    ("latency_total_p50_ms", "latency total p50 ms"),
    ("latency_total_p95_ms", "latency total p95 ms"),
    ("latency_check_p50_ms", "latency check p50 ms"),
    ("latency_check_p95_ms", "latency check p95 ms"),
    ("errors", "errors"),
]


def summary_table(summary: dict) -> str:
    metrics = summary["metrics"]
    splits = summary.get("splits", {})
    cols = [s for s in ("dev", "test") if s in splits and len(splits) > 1]
    head = f"{'metric':40} {'value':>9}" + "".join(f" {c:>9}" for c in cols)
    lines = [head, "-" * len(head)]
    for key, label in HEADLINE:
        if key not in metrics:
            continue
        lines.append(f"{label:40} {_fmt(metrics[key], key):>9}" + "".join(f" {_fmt(splits[c].get(key), key):>9}" for c in cols))
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_fmt(v) if not isinstance(v, str) else v.replace("|", "\\|") for v in r) + " |" for r in rows]
    return "\n".join(out)


def report_markdown(summary: dict, rows: list[QuestionResult], claim_rows: list[ClaimResult], plots: dict[str, str]) -> str:
    metrics = summary["metrics"]
    splits = summary.get("splits", {})
    split_cols = [s for s in ("dev", "test") if s in splits and len(splits) > 1]
    parts = [
        f"# Eval report {summary['run_id']}",
        "",
        f"mode **{summary['mode']}**, split **{summary['split']}**, k = {summary['k']}, "
        f"{metrics['questions']} questions, {metrics.get('claims', 0)} claims, gold `{summary['gold']}`, "
        f"commit `{summary.get('git') or 'unknown'}`, {summary['wall_seconds']} s.",
        "",
        f"Command: `{summary['command']}`",
        "",
        "## Summary",
        "",
        _md_table(["metric", "value"] + split_cols,
                  [[label, _fmt(metrics[key], key)] + [_fmt(splits[c].get(key), key) for c in split_cols]
                   for key, label in HEADLINE if key in metrics]),
        "",
    ]
    if summary["claims"].get("note"):
        parts += [f"> {summary['claims']['note']}", ""]
    parts += ["## Per chapter", ""]
    cols = ["questions", "recall_at_k", "mrr", "answer_accuracy", "figure_accuracy", "keyword_hit_rate", "false_abstention_rate"]
    parts.append(_md_table(["chapter"] + cols, [[_chapter_label(c, a)] + [a[k] for k in cols] for c, a in summary["chapters"].items()]))
    parts.append("")
    if summary.get("per_kind"):
        kind_cols = ["n", "answer_accuracy", "figure_accuracy", "keyword_hit_rate", "list_completeness", "abstention_rate",
                     "kind_accuracy"]
        parts += ["## Per kind", "",
                  _md_table(["kind"] + kind_cols, [[k] + [v[c] for c in kind_cols] for k, v in summary["per_kind"].items()]),
                  ""]
    for name, title in (("chapters", "Metrics per chapter"), ("latency", "Latency"), ("confusion", "Claim verdicts"),
                        ("kinds", "Question kinds")):
        if name in plots:
            parts += [f"![{title}]({plots[name]})", ""]
    if summary.get("kind_confusion"):
        kconf = summary["kind_confusion"]
        labels = list(next(iter(kconf.values())).keys())
        parts += ["## Question kinds (answerable questions; rows gold kind, columns the answer's plan.kind)", "",
                  f"Kind accuracy {_fmt(metrics.get('kind_accuracy'))}"
                  + ("" if metrics.get("kind_accuracy") is not None else " (no answer carries a plan)") + ".", "",
                  _md_table(["gold"] + labels, [[g] + [kconf[g][p] for p in labels] for g in kconf]), ""]
    if summary["claims"].get("confusion"):
        conf = summary["claims"]["confusion"]
        labels = list(next(iter(conf.values())).keys())
        parts += ["## Claim confusion matrix (rows expected, columns predicted)", "",
                  _md_table(["expected"] + labels, [[e] + [conf[e][p] for p in labels] for e in conf]), ""]
        parts += ["By hard case:", "", _md_table(["hard case", "claims", "accuracy"],
                  [[c, v["claims"], v["accuracy"]] for c, v in summary["claims"]["by_hard_case"].items()]), ""]
    wrong = [r for r in rows if not r.correct]
    parts += [f"## Questions answered wrongly ({len(wrong)})", ""]
    parts.append(_md_table(
        ["id", "kind", "question", "answer", "why"],
        [[r.id, _kind_label(r), r.question, (r.answer[:160] + "…") if len(r.answer) > 160 else r.answer, _why(r)]
         for r in wrong],
    ))
    bad_claims = [r for r in claim_rows if not r.correct]
    if bad_claims:
        parts += ["", f"## Claims judged wrongly ({len(bad_claims)})", ""]
        parts.append(_md_table(["id", "claim", "expected", "predicted"], [[r.id, r.claim, r.expected, r.predicted] for r in bad_claims]))
    return "\n".join(parts) + "\n"


def _kind_label(r: QuestionResult) -> str:
    """The gold kind, and the planned kind when an answer planned another."""
    if r.predicted_kind and r.predicted_kind != r.kind and r.kind != "unanswerable":
        return f"{r.kind} (planned {r.predicted_kind})"
    return r.kind


def _why(r: QuestionResult) -> str:
    if r.error:
        return f"error: {r.error}"
    if not r.answerable:
        return "answered an unanswerable question"
    if r.abstained:
        return "abstained" + ("" if r.hit_at_k else "; supporting passage not retrieved")
    if r.figure_correct is False:
        return f"figure groups found {r.figure_groups_found}" + ("" if r.hit_at_k else "; not retrieved")
    if r.list_completeness is not None:
        return f"items missing {r.items_missing} (completeness {_fmt(r.list_completeness)})"
    if r.keyword_recall is not None:
        return f"keywords missing {r.keywords_missing}"
    return ""


def report_html(markdown_summary: dict, summary_md: str, images: dict[str, bytes]) -> str:
    """A single self-contained page: the tables as HTML, the plots inlined as PNG data."""
    import base64
    import html

    body = []
    in_table = False
    for line in summary_md.splitlines():
        if line.startswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")]
            if set(line.replace("|", "").strip()) <= {"-"}:
                continue
            if not in_table:
                body.append("<table>")
                in_table = True
                body.append("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in cells) + "</tr>")
                continue
            body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("!["):
            name = line[line.index("(") + 1: -1]
            key = Path(name).stem
            if key in images:
                data = base64.b64encode(images[key]).decode("ascii")
                body.append(f'<figure><img alt="{html.escape(key)}" src="data:image/png;base64,{data}"></figure>')
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{html.escape(line.lstrip('#').strip())}</h{level}>")
        elif line.startswith(">"):
            body.append(f"<p class=note>{html.escape(line[1:].strip())}</p>")
        elif line.strip():
            text = html.escape(line).replace("**", "")
            body.append(f"<p>{text}</p>")
    if in_table:
        body.append("</table>")
    style = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
             "table{border-collapse:collapse;margin:1em 0;font-size:14px}td,th{border:1px solid #ccc;padding:3px 8px;"
             "text-align:left;vertical-align:top}th{background:#f3f3f3}img{max-width:100%}.note{color:#a40}")
    title = html.escape(f"Eval report {markdown_summary['run_id']}")
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def make_plots(summary: dict, rows: list[QuestionResult], claim_rows: list[ClaimResult] | None = None) -> dict[str, bytes]:
    """PNG bytes for the per-chapter metrics, the latency distribution, the claim confusion matrix and the
    confusion of question kinds (gold vs planned)."""
    import matplotlib

    matplotlib.use("Agg")
    import textwrap

    import matplotlib.pyplot as plt
    import numpy as np

    images: dict[str, bytes] = {}

    def save(fig, name: str) -> None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        images[name] = buf.getvalue()

    chapters = summary["chapters"]
    names = list(chapters)
    series = [("recall_at_k", "recall@k"), ("answer_accuracy", "answer accuracy"), ("figure_accuracy", "figure accuracy"),
              ("keyword_hit_rate", "keyword hit rate")]
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(names) + 1.5))
    y = np.arange(len(names))
    h = 0.8 / len(series)
    for i, (key, label) in enumerate(series):
        # A metric that does not apply to a chapter gets no bar, not a bar at zero.
        vals = [chapters[c][key] if chapters[c][key] is not None else np.nan for c in names]
        bars = ax.barh(y + i * h, vals, height=h, label=label)
        ax.bar_label(bars, ["–" if np.isnan(v) else f"{v:.2f}" for v in vals], fontsize=6, padding=2)
    labels = [textwrap.fill(_chapter_label(c, chapters[c]), 42) + f" (n={chapters[c]['questions']})" for c in names]
    ax.set_yticks(y + h * (len(series) - 1) / 2, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.08)
    ax.set_title(f"Metrics per chapter ({summary['mode']}, split {summary['split']}, k={summary['k']})")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.04), ncol=len(series), fontsize=8)
    save(fig, "chapters")

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.5))
    totals = [r.timings_ms["total"] for r in rows if "total" in r.timings_ms]
    if totals:
        a1.hist(totals, bins=30, color="#4878a8")
        for q, style in ((50, "--"), (95, ":")):
            v = float(np.percentile(totals, q))
            a1.axvline(v, color="k", linestyle=style, label=f"p{q} {v:.0f} ms")
        a1.legend(fontsize=8)
    a1.set_xlabel("ms per question (total)")
    a1.set_title("Latency distribution")
    per_stage = {s: [r.timings_ms[s] for r in rows if s in r.timings_ms] for s in ("retrieve", "answer", "total")}
    per_stage["check (claims)"] = [r.timings_ms.get("total", sum(r.timings_ms.values())) for r in claim_rows or [] if r.timings_ms]
    per_stage = {s: v for s, v in per_stage.items() if v}
    if per_stage:
        a2.boxplot(list(per_stage.values()), tick_labels=list(per_stage))
    a2.set_ylabel("ms")
    a2.set_title("Per stage")
    save(fig, "latency")

    conf = summary["claims"].get("confusion")
    fig, ax = plt.subplots(figsize=(5, 4))
    if conf:
        _heatmap(ax, conf, "predicted", "expected")
        ax.set_title(f"Claim verdicts (accuracy {_fmt(summary['metrics'].get('claim_accuracy'))})")
    else:
        ax.text(0.5, 0.5, summary["claims"].get("note") or "no claims", ha="center", va="center", wrap=True)
        ax.axis("off")
    save(fig, "confusion")

    kconf = summary.get("kind_confusion") or {}
    fig, ax = plt.subplots(figsize=(6.5, 0.5 * len(kconf) + 2.5))
    if kconf:
        _heatmap(ax, kconf, "planned (answer.plan.kind)", "gold kind")
        acc = summary["metrics"].get("kind_accuracy")
        ax.set_title(f"Question kinds (kind accuracy {_fmt(acc)})" if acc is not None
                     else "Question kinds (no answer carries a plan)")
    else:
        ax.text(0.5, 0.5, "no answerable questions", ha="center", va="center", wrap=True)
        ax.axis("off")
    save(fig, "kinds")
    return images


def _heatmap(ax, conf: dict[str, dict[str, int]], xlabel: str, ylabel: str) -> None:
    """A confusion matrix (rows: what was expected, columns: what came out) with its counts written in."""
    import numpy as np

    rows = list(conf)
    cols = list(next(iter(conf.values())).keys())
    mat = np.array([[conf[r][c] for c in cols] for r in rows])
    ax.imshow(mat, cmap="Blues")
    for i in range(len(rows)):
        for j in range(len(cols)):
            ax.text(j, i, str(mat[i, j]), ha="center", va="center", color="white" if mat[i, j] > mat.max() / 2 else "black")
    ax.set_xticks(range(len(cols)), cols, rotation=20)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def write_run(run_dir: Path, summary: dict, rows: list[QuestionResult], claim_rows: list[ClaimResult]) -> dict[str, Path]:
    (run_dir / "plots").mkdir(parents=True, exist_ok=True)
    images = make_plots(summary, rows, claim_rows)
    plot_paths = {}
    for name, data in images.items():
        atomic_write(run_dir / "plots" / f"{name}.png", data)
        plot_paths[name] = f"plots/{name}.png"
    md = report_markdown(summary, rows, claim_rows, plot_paths)
    paths = {
        "results": run_dir / "results.jsonl",
        "claims": run_dir / "claims.jsonl",
        "summary": run_dir / "summary.json",
        "report_md": run_dir / "report.md",
        "report_html": run_dir / "report.html",
    }
    atomic_write(paths["results"], _jsonl(rows))
    atomic_write(paths["claims"], _jsonl(claim_rows))
    atomic_write(paths["summary"], json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    atomic_write(paths["report_md"], md)
    atomic_write(paths["report_html"], report_html(summary, md, images))
    paths.update({f"plot_{name}": run_dir / rel for name, rel in plot_paths.items()})
    return paths


def _chapter_label(chapter: str, agg: dict) -> str:
    if chapter != "none":
        return chapter
    # Unanswerable questions have no chapter in the gold set.
    return "no chapter (unanswerable)" if agg["unanswerable"] == agg["questions"] else "no chapter"


def ground_truth(item: GoldItem) -> str:
    if not item.answerable:
        return "The report does not answer this question."
    if item.expected_figures or item.expected_items:
        return "; ".join(g[0] for g in item.expected_figures + item.expected_items)
    return ", ".join(item.keywords)


def export_ragas(run_dir: Path, items: list[GoldItem], rows: list[QuestionResult], contexts: dict[str, list[str]]) -> list[Path]:
    """question / answer / contexts / ground_truth, the columns RAGAS datasets use."""
    by_id = {i.id: i for i in items}
    records = [{"question": r.question, "answer": r.answer, "contexts": contexts.get(r.id, []),
                "ground_truth": ground_truth(by_id[r.id]), "id": r.id} for r in rows]
    jsonl_path, csv_path = run_dir / "ragas.jsonl", run_dir / "ragas.csv"
    atomic_write(jsonl_path, "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["id", "question", "answer", "contexts", "ground_truth"])
    writer.writeheader()
    for rec in records:
        writer.writerow({**rec, "contexts": json.dumps(rec["contexts"], ensure_ascii=False)})
    atomic_write(csv_path, buf.getvalue())
    return [jsonl_path, csv_path]


# ---------------------------------------------------------------- gate and compare


def load_thresholds(path: Path, mode: str) -> dict[str, dict[str, float]]:
    """{"min": {...}, "max": {...}} for a mode; a missing file or mode raises GoldError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GoldError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise GoldError(f"{path}: not valid TOML ({exc})") from None
    table = data.get(mode)
    if not isinstance(table, dict):
        raise GoldError(f"{path}: no [{mode}] thresholds")
    return {"min": dict(table.get("min", {})), "max": dict(table.get("max", {}))}


def gate(metrics: dict, thresholds: dict[str, dict[str, float]]) -> list[str]:
    """Every metric under its minimum or over its maximum, as one readable line each."""
    failures = []
    for bound, limits in (("min", thresholds.get("min", {})), ("max", thresholds.get("max", {}))):
        for key, limit in limits.items():
            value = metrics.get(key)
            if value is None:
                failures.append(f"{key}: not measured (threshold {bound} {limit})")
            elif bound == "min" and value < limit:
                failures.append(f"{key} = {_fmt(value)} is under the minimum {limit}")
            elif bound == "max" and value > limit:
                failures.append(f"{key} = {_fmt(value)} is over the maximum {limit}")
    return failures


def resolve_run(ref: str, out: Path) -> Path:
    """A run id, a run folder or a summary.json; "latest" and "previous" count back from the newest."""
    p = Path(ref)
    if p.is_file() and p.name == "summary.json":
        return p.parent
    if (p / "summary.json").is_file():
        return p
    if (out / ref / "summary.json").is_file():
        return out / ref
    if ref in ("latest", "previous"):
        runs = sorted((d for d in out.glob("*") if (d / "summary.json").is_file()), key=lambda d: d.name)
        idx = -1 if ref == "latest" else -2
        if len(runs) >= -idx:
            return runs[idx]
    raise GoldError(f"no eval run {ref!r} (looked for {p}/summary.json and {out / ref}/summary.json)")


def _load_rows(run_dir: Path) -> dict[str, dict]:
    path = run_dir / "results.jsonl"
    if not path.is_file():
        return {}
    return {r["id"]: r for r in (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())}


def compare_runs(dir_a: Path, dir_b: Path) -> dict:
    sa = json.loads((dir_a / "summary.json").read_text(encoding="utf-8"))
    sb = json.loads((dir_b / "summary.json").read_text(encoding="utf-8"))
    ma, mb = sa["metrics"], sb["metrics"]
    keys = [k for k, _ in HEADLINE if k in ma or k in mb] + sorted(set(ma) | set(mb) - {k for k, _ in HEADLINE})
    diffs = []
    for key in dict.fromkeys(keys):
        a, b = ma.get(key), mb.get(key)
        delta = round(b - a, 4) if isinstance(a, int | float) and isinstance(b, int | float) else None
        diffs.append({"metric": key, "a": a, "b": b, "delta": delta})
    ra, rb = _load_rows(dir_a), _load_rows(dir_b)
    broke, fixed = [], []
    for qid in ra.keys() & rb.keys():
        if ra[qid]["correct"] and not rb[qid]["correct"]:
            broke.append({"id": qid, "question": rb[qid]["question"], "a": ra[qid]["answer"], "b": rb[qid]["answer"]})
        elif not ra[qid]["correct"] and rb[qid]["correct"]:
            fixed.append({"id": qid, "question": rb[qid]["question"], "a": ra[qid]["answer"], "b": rb[qid]["answer"]})
    differs = [f"{key}: {sa.get(key)!r} vs {sb.get(key)!r}" for key in RUN_CONFIG if sa.get(key) != sb.get(key)]
    differs += [f"settings.{key}: {sa.get('settings', {}).get(key)!r} vs {sb.get('settings', {}).get(key)!r}"
                for key in sorted(set(sa.get("settings", {})) | set(sb.get("settings", {})))
                if sa.get("settings", {}).get(key) != sb.get("settings", {}).get(key)]
    return {
        "not_like_for_like": differs,
        "a": {"run_id": sa.get("run_id"), "path": str(dir_a), "mode": sa.get("mode"), "split": sa.get("split")},
        "b": {"run_id": sb.get("run_id"), "path": str(dir_b), "mode": sb.get("mode"), "split": sb.get("split")},
        "metrics": diffs,
        "right_to_wrong": sorted(broke, key=lambda r: r["id"]),
        "wrong_to_right": sorted(fixed, key=lambda r: r["id"]),
        "only_in_a": sorted(ra.keys() - rb.keys()),
        "only_in_b": sorted(rb.keys() - ra.keys()),
    }


def compare_markdown(c: dict) -> str:
    a, b = c["a"]["run_id"], c["b"]["run_id"]
    lines = [f"# {a} vs {b}", "", f"A: {c['a']['path']} ({c['a']['mode']}, {c['a']['split']})",
             f"B: {c['b']['path']} ({c['b']['mode']}, {c['b']['split']})", ""]
    if c.get("not_like_for_like"):
        lines += ["> Not like for like, the runs differ in: " + "; ".join(c["not_like_for_like"]), ""]
    lines.append(_md_table(["metric", "A", "B", "B − A"],
                           [[d["metric"], _fmt(d["a"], d["metric"]), _fmt(d["b"], d["metric"]), _signed(d["delta"], d["metric"])]
                            for d in c["metrics"]]))
    for key, title in (("right_to_wrong", "Right in A, wrong in B"), ("wrong_to_right", "Wrong in A, right in B")):
        lines += ["", f"## {title} ({len(c[key])})", ""]
        lines += [f"- {r['id']}: {r['question']}\n  - A: {r['a'][:200]}\n  - B: {r['b'][:200]}" for r in c[key]] or ["none"]
    if c["only_in_a"] or c["only_in_b"]:
        lines += ["", f"Only in A: {', '.join(c['only_in_a']) or 'none'}; only in B: {', '.join(c['only_in_b']) or 'none'}"]
    return "\n".join(lines) + "\n"


def _signed(delta, key: str) -> str:
    if delta is None:
        return "–"
    if delta == 0:
        return "0"
    if key in COUNTS:
        return f"{delta:+.4g}"
    worse = (delta > 0) == (key in LOWER_IS_BETTER or key.startswith("latency_"))
    return f"{delta:+.4g}" + (" (worse)" if worse else " (better)")


# ---------------------------------------------------------------- command


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return (out.stdout.strip() + ("-dirty" if dirty else "")) or None
    except (OSError, subprocess.SubprocessError):
        return None


def _new_run_dir(out: Path, mode: str, split: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{stamp}-{mode}-{split}"
    run_dir, n = out / base, 1
    while run_dir.exists():
        n += 1
        run_dir = out / f"{base}-{n}"
    return run_dir


def _fail(msg: str, code: int = 2) -> int:
    print(f"rag eval: error: {msg}", file=sys.stderr)
    return code


def main(args, settings: Settings) -> int:
    out = Path(args.out) if args.out else DEFAULT_OUT
    if args.compare:
        try:
            dir_a, dir_b = (resolve_run(r, out) for r in args.compare)
        except GoldError as exc:
            return _fail(str(exc))
        c = compare_runs(dir_a, dir_b)
        md = compare_markdown(c)
        target = out / f"compare-{dir_a.name}-vs-{dir_b.name}"
        target.mkdir(parents=True, exist_ok=True)
        atomic_write(target / "compare.md", md)
        atomic_write(target / "compare.json", json.dumps(c, indent=2, ensure_ascii=False) + "\n")
        print(md)
        print(f"wrote {target / 'compare.md'}\nwrote {target / 'compare.json'}")
        return 0
    if args.limit is not None and args.limit < 1:
        return _fail("--limit must be at least 1")
    gold_path = Path(args.gold) if args.gold else DEFAULT_GOLD
    claims_path = Path(args.claims) if args.claims else DEFAULT_CLAIMS
    try:
        items = select(load_gold(gold_path), args.split, args.limit)
        claims = select(load_claims(claims_path), args.split, args.limit)
        paragraphs = [p for p in text_eval.load_paragraphs(DEFAULT_PARAGRAPHS) if args.split in ("all", p.split)] \
            if DEFAULT_PARAGRAPHS.is_file() and args.claims is None else []
        thresholds = load_thresholds(THRESHOLDS, args.mode) if args.gate else None
    except (GoldError, ValueError) as exc:
        return _fail(str(exc))
    if not items:
        return _fail(f"{gold_path}: no questions in the {args.split!r} split")
    if args.mode != "extractive":
        try:
            from rag import generate  # noqa: F401
        except ImportError as exc:
            return _fail(f"mode {args.mode!r} needs rag.generate, which is not available ({exc})", 1)

    from rag.assistant import Assistant

    t0 = time.perf_counter()
    assistant = Assistant(settings)
    _ = assistant.index  # load (or rebuild) once, before the first question
    k = args.k or settings.k
    rows, claim_rows, claims_note, contexts = run(assistant, items, claims, args.mode, k)
    run_dir = _new_run_dir(out, args.mode, args.split)
    meta = {
        "run_id": run_dir.name,
        "created": datetime.now().isoformat(timespec="seconds"),
        "command": "rag " + " ".join(sys.argv[1:]) if Path(sys.argv[0]).name == "rag" else "rag eval",
        "mode": args.mode,
        "split": args.split,
        "limit": args.limit,
        "k": k,
        "gold": str(gold_path),
        "claims_file": str(claims_path),
        "git": _git_commit(),
        "settings": {name: getattr(settings, name) for name in
                     ("k", "candidates", "rrf_k", "dense_weight", "bm25_weight", "abstain_threshold",
                      "embed_model", "chunk_max_tokens")},
        "wall_seconds": round(time.perf_counter() - t0, 1),
    }
    summary = summarise(rows, claim_rows, meta, claims_note)
    if paragraphs:
        results = [text_eval.score(assistant, p) for p in paragraphs]
        summary["metrics"].update(text_eval.aggregate(results))
        summary["paragraphs"] = [asdict(r) for r in results]
    paths = write_run(run_dir, summary, rows, claim_rows)
    if args.export == "ragas":
        for p in export_ragas(run_dir, items, rows, contexts):
            paths[p.stem + p.suffix] = p
    print(f"\n{summary['mode']} eval, split {summary['split']}, {summary['metrics']['questions']} questions, "
          f"k={k}, {summary['wall_seconds']} s")
    print(summary_table(summary))
    if claims_note:
        print(claims_note)
    for p in paths.values():
        print(f"wrote {p}")
    if thresholds is not None:
        if args.split != "all" or args.limit is not None:
            print("gate: note: thresholds are set for the full gold set; this run is a subset")
        return apply_gate(summary["metrics"], thresholds, THRESHOLDS)
    return 0


def apply_gate(metrics: dict, thresholds: dict, source: Path | str = THRESHOLDS) -> int:
    """Print the gate's verdict; 1 when any metric is out of bounds."""
    failures = gate(metrics, thresholds)
    if failures:
        print(f"gate: FAILED ({len(failures)} metric(s) out of bounds, thresholds in {source}):")
        for f in failures:
            print(f"  - {f}")
        return 1
    print(f"gate: passed ({sum(len(v) for v in thresholds.values())} thresholds in {source})")
    return 0
