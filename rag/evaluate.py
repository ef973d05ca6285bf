"""The eval harness behind `rag eval`: one process, models loaded once, offline metrics.

It asks every gold question through `Assistant` (the same path the CLI and the
UI use), scores the answers with `rag.metrics`, checks the gold claims, and
writes `evals/reports/<run-id>/` (results.jsonl, claims.jsonl, summary.json,
report.md, report.html, plots/). `--compare` diffs two runs, `--gate` holds
the summary to `evals/thresholds.toml`, `--export ragas` writes the columns
RAGAS reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from rag import metrics as m
from rag import text_eval
from rag.eval_data import (
    DEFAULT_CLAIMS,
    DEFAULT_GOLD,
    DEFAULT_OUT,
    DEFAULT_PARAGRAPHS,
    KEYWORD_PASS,
    LIST_PASS,
    THRESHOLDS,
    ClaimItem,
    ClaimResult,
    GoldError,
    GoldItem,
    QuestionResult,
    load_claims,
    load_gold,
    select,
)
from rag.eval_report import compare_markdown, compare_runs, export_ragas, fmt, resolve_run, summary_table, write_run
from rag.files import atomic_write
from rag.schema import Verdict
from rag.settings import ROOT, Settings

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
                failures.append(f"{key} = {fmt(value)} is under the minimum {limit}")
            elif bound == "max" and value > limit:
                failures.append(f"{key} = {fmt(value)} is over the maximum {limit}")
    return failures


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
