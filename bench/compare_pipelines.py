"""Ours next to the LangChain tutorial pipeline, on the gold questions.

    OMP_NUM_THREADS=1 flock /tmp/heavy.lock .venv/bin/python bench/compare_pipelines.py --split test --only extractive,tutorial
    OMP_NUM_THREADS=1 flock /tmp/heavy.lock .venv/bin/python bench/compare_pipelines.py --split test --only local
    .venv/bin/python bench/compare_pipelines.py --split test --table     # print the table from saved runs

Pipelines: `extractive` (ours, the default), `local` (ours: Gemma 3 270M through
the verified chain) and `tutorial` (bench/tutorial.py: splitter 1000/200,
MiniLM + FAISS top 4, stuff prompt, the same Gemma, no verifier). Rows are
scored with rag.evaluate.score_question / aggregate, so "figure accuracy" means
what it means in `rag eval`. A figure counts as unsupported when no passage the
answer cites (ours) or no retrieved piece (the tutorial, which cites nothing)
states it. Each pipeline's rows go to bench/results/compare-<split>-<pipeline>.jsonl
(written atomically) so slow pipelines can run in separate locked jobs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

RESULTS = ROOT / "bench" / "results"
PIPELINES = ("extractive", "local", "tutorial")
# The tutorial prompt asks the model to say it does not know; these phrasings count as declining.
_DECLINES = re.compile(r"\b(?:don'?t know|do not know|not (?:mentioned|stated|provided|specified|given)|"
                       r"no information|cannot (?:answer|be determined))\b", re.I)


def tutorial_unsupported(text: str, docs: list[str]) -> list[str]:
    from rag import figures

    return [f.text for f in figures.find_figures(text)
            if not figures.is_trivial(f) and not any(figures.appears_in(f, d) for d in docs)]


def run_pipeline(name: str, items: list, settings) -> list[dict]:
    from rag.assistant import Assistant
    from rag.evaluate import score_question
    from rag.schema import Answer

    assistant = Assistant(settings)
    sections = {c.id: c.section for c in assistant.index.chunks}
    k = settings.k
    pipeline = chain = None
    if name == "tutorial":
        from tutorial import TutorialPipeline

        pipeline = TutorialPipeline.build(settings)
        chain = pipeline.chain()
        pipeline.answer(items[0].question, chain)  # load the model before timing
    elif name == "local":
        assistant.ask(items[0].question, "local")
    else:
        assistant.ask(items[0].question, "extractive")
    rows = []
    for item in items:
        t0 = time.perf_counter()
        if pipeline is not None:
            text, docs = pipeline.answer(item.question, chain)
            seconds = time.perf_counter() - t0
            answer = Answer(id=item.id, question=item.question, answer=text, mode="tutorial",
                            abstained=bool(_DECLINES.search(text)))
            row = score_question(item, answer, [], k, sections)
            row.unsupported_figures = [] if answer.abstained else tutorial_unsupported(text, docs)
            extra = {"verified": None, "fallback": None}
        else:
            answer = assistant.ask(item.question, name, qid=item.id)
            seconds = time.perf_counter() - t0
            row = score_question(item, answer, assistant.search(item.question, k), k, sections)
            extra = {"verified": answer.verified, "fallback": answer.fallback}
        rows.append({**asdict(row), **extra, "seconds": round(seconds, 3)})
        print(f"{name} {item.id}: {seconds:.1f} s figure_correct={row.figure_correct} "
              f"unsupported={row.unsupported_figures} {answer.answer[:90]!r}", file=sys.stderr, flush=True)
    return rows


def summarise(name: str, rows: list[dict]) -> dict:
    from rag.evaluate import QuestionResult, aggregate

    fields = set(QuestionResult.__dataclass_fields__)
    agg = aggregate([QuestionResult(**{k: v for k, v in r.items() if k in fields}) for r in rows])
    answered = [r for r in rows if not r["abstained"] and not r["error"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    generated = [r for r in rows if r["verified"] is not None and not r["abstained"]]
    return {
        "pipeline": name,
        "questions": len(rows),
        "figure_accuracy": agg["figure_accuracy"],
        "figure_questions": agg["figure_questions"],
        "answer_accuracy": agg["answer_accuracy"],
        "declined_unanswerable": sum(1 for r in unanswerable if r["abstained"]),
        "unanswerable": len(unanswerable),
        "with_unsupported_figure": sum(1 for r in answered if r["unsupported_figures"]),
        "answered": len(answered),
        "verified": sum(1 for r in generated if r["verified"]) if name == "local" else None,
        "generated": len(generated) if name == "local" else None,
        "seconds_per_question": round(sum(r["seconds"] for r in rows) / len(rows), 2),
    }


def table(summaries: list[dict]) -> str:
    def pct(v) -> str:
        return "n/a" if v is None else f"{v:.0%}"

    lines = ["| pipeline | figure accuracy | answer accuracy | unanswerable declined | answers with a figure "
             "not in any cited/retrieved passage | verified (not fallen back) | s/question |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for s in summaries:
        verified = f"{s['verified']}/{s['generated']}" if s["verified"] is not None else "-"
        lines.append(f"| {s['pipeline']} | {pct(s['figure_accuracy'])} (of {s['figure_questions']}) | "
                     f"{pct(s['answer_accuracy'])} (of {s['questions']}) | "
                     f"{s['declined_unanswerable']}/{s['unanswerable']} | "
                     f"{s['with_unsupported_figure']}/{s['answered']} | {verified} | {s['seconds_per_question']:.2f} |")
    return "\n".join(lines)


def prompt_study(runs: list[str], extractive_run: str) -> str:
    """A table of `rag eval --mode local` runs, one per prompt (NAME=RUN_DIR).

    The harness's rows do not say whether a local answer fell back, but a
    fallback is the extractive answer verbatim, so a run of `rag eval --mode
    extractive` on the same split tells them apart.
    """
    def rows(run_dir: Path) -> dict[str, dict]:
        lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
        return {r["id"]: r for r in map(json.loads, filter(str.strip, lines))}

    extractive = rows(Path(extractive_run))
    out = ["| prompt | figure accuracy | answer accuracy | verified (not fallen back) | unsupported-figure rate | "
           "s/question (mean total) | run |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for spec in runs:
        name, _, run = spec.partition("=")
        run_dir = Path(run)
        metrics = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))["metrics"]
        local = rows(run_dir)
        answered = [r for r in local.values() if not r["abstained"] and not r["error"]]
        verified = [r for r in answered if r["answer"] != extractive.get(r["id"], {}).get("answer")]
        totals = [r["timings_ms"]["total"] for r in local.values() if "total" in r["timings_ms"]]
        out.append(f"| {name} | {metrics['figure_accuracy']:.1%} | {metrics['answer_accuracy']:.1%} | "
                   f"{len(verified)}/{len(answered)} | {metrics['unsupported_figure_rate']:.1%} | "
                   f"{sum(totals) / len(totals) / 1000:.2f} | {run_dir.name} |")
    return "\n".join(out)


def _write(path: Path, text: str) -> None:
    from rag.files import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", choices=["dev", "test", "all"], default="test")
    p.add_argument("--only", default=",".join(PIPELINES), help="comma-separated pipelines to run")
    p.add_argument("--limit", type=int, default=None, help="only the first N questions (a smoke run)")
    p.add_argument("--table", action="store_true", help="run nothing: print the table from saved results")
    p.add_argument("--study", nargs="+", metavar="PROMPT=RUN_DIR",
                   help="run nothing: tabulate `rag eval --mode local` runs, one per prompt (needs --extractive-run)")
    p.add_argument("--extractive-run", metavar="RUN_DIR", help="a `rag eval --mode extractive` run on the same split")
    args = p.parse_args()
    if args.study:
        if not args.extractive_run:
            print("error: --study needs --extractive-run", file=sys.stderr)
            return 2
        print(prompt_study(args.study, args.extractive_run))
        return 0
    from rag.evaluate import DEFAULT_GOLD, load_gold, select
    from rag.settings import Settings

    names = [n.strip() for n in args.only.split(",") if n.strip()]
    bad = [n for n in names if n not in PIPELINES]
    if bad:
        print(f"error: unknown pipeline {bad[0]!r}: use {', '.join(PIPELINES)}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    items = select(load_gold(DEFAULT_GOLD), args.split, args.limit)
    if not args.table:
        for name in names:
            rows = run_pipeline(name, items, settings)
            meta = {"pipeline": name, "split": args.split, "limit": args.limit, "date": time.strftime("%Y-%m-%d %H:%M"),
                    "local_prompt": settings.local_prompt, "threads": os.environ.get("OMP_NUM_THREADS")}
            _write(RESULTS / f"compare-{args.split}-{name}.jsonl",
                   "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [meta] + rows))
    summaries = []
    for name in PIPELINES:
        path = RESULTS / f"compare-{args.split}-{name}.jsonl"
        if not path.is_file():
            continue
        meta, *rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        summaries.append(summarise(name, rows))
        print(f"{name}: {meta['date']}, split {meta['split']}, prompt {meta['local_prompt']}, "
              f"OMP_NUM_THREADS={meta['threads']}")
    if not summaries:
        print("no saved results: run without --table first", file=sys.stderr)
        return 1
    out = table(summaries)
    _write(RESULTS / f"compare-{args.split}.md", out + "\n")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
