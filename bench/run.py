"""One command, one table: where time and memory go on this machine.

    .venv/bin/python bench/run.py                 # the full table (a few minutes)
    .venv/bin/python bench/run.py --quick         # fewer runs, no local generation

Every figure is the median over several runs with its spread (min-max over
runs). Each measurement runs in its own child process, so peak memory is that
process's own peak resident set (ru_maxrss from wait4), torch included:
  - cold `rag ask --json`: the installed command as a whole process, start to exit;
  - warm retrieve / extractive answer / local generated answer: one process
    loads once, then answers the gold questions; p50 and p95 over questions;
  - `rag index`: a full build of both editions into an empty folder;
  - the LangChain tutorial pipeline (RecursiveCharacterTextSplitter 1000/200,
    all-MiniLM-L6-v2, FAISS) built and queried the same way, as ratios.
Nothing here is a pass/fail test: it measures and prints.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOLD = ROOT / "evals" / "gold.jsonl"
RAG = Path(sys.executable).parent / "rag"
TARGETS = {
    "cold_ask": "< 3 s",
    "retrieve": "p50 < 20 ms",
    "extractive": "p50 < 50 ms",
    "local": "p50 < 6 s",
    "build": "< 20 s",
}


def gold_questions(answerable_only: bool = False) -> list[str]:
    rows = [json.loads(line) for line in GOLD.read_text().splitlines() if line.strip()]
    return [r["question"] for r in rows if r.get("answerable", True) or not answerable_only]


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    pos = (len(s) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def run_child(cmd: list[str], env: dict | None = None, timeout: float = 900) -> tuple[float, float, str]:
    """Run one child process; (wall seconds, its own peak RSS in MB, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env={**os.environ, **(env or {})})
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                raise RuntimeError(f"{' '.join(cmd[:4])} took over {timeout} s")
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode()
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:4])} exited {proc.returncode}: {err.read().decode()[-500:]}")
        return wall, usage.ru_maxrss / 1024, stdout


def worker(kind: str, n: int) -> None:
    """Run inside a child: load once, warm up, time each question; print JSON."""
    from rag.assistant import Assistant

    questions = gold_questions(answerable_only=kind == "local")
    a = Assistant()
    a.index  # noqa: B018 - load before timing
    if kind == "warm":
        a.ask(questions[0])
        retrieve, extractive = [], []
        for q in questions:
            t0 = time.perf_counter()
            a.search(q)
            retrieve.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            a.ask(q, "extractive")
            extractive.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({"retrieve": retrieve, "extractive": extractive}))
    elif kind == "local":
        a.ask(questions[-1], "local")  # loads the generator
        local = []
        for q in questions[:n]:
            t0 = time.perf_counter()
            a.ask(q, "local")
            local.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({"local": local}))
    elif kind in ("tutorial-build", "tutorial-query"):
        tutorial(kind, questions)


def tutorial(kind: str, questions: list[str]) -> None:
    """The LangChain tutorial pipeline on the same two editions (for ratios only); defined in bench/tutorial.py."""
    from tutorial import TutorialPipeline  # bench/ is sys.path[0] when this file runs

    pipeline = TutorialPipeline.build()
    if kind == "tutorial-build":
        print(json.dumps({"chunks": len(pipeline.pieces)}))
        return
    pipeline.retrieve(questions[0])
    times = []
    for q in questions:
        t0 = time.perf_counter()
        pipeline.retrieve(q)
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"tutorial_query": times}))


def spread(values: list[float], digits: int = 2) -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5, help="cold `rag ask` runs")
    p.add_argument("--warm-runs", type=int, default=3, help="warm processes (each answers every gold question)")
    p.add_argument("--build-runs", type=int, default=2, help="index builds, and tutorial builds (each ~1 min on 2 busy cores)")
    p.add_argument("--local-runs", type=int, default=1)
    p.add_argument("--local-questions", type=int, default=5)
    p.add_argument("--local-timeout", type=float, default=420, help="seconds for one local-generation process")
    p.add_argument("--quick", action="store_true", help="2 runs of each, skip local generation")
    p.add_argument("--no-local", action="store_true")
    p.add_argument("--json", metavar="FILE", help="also write the raw measurements here")
    p.add_argument("--worker", choices=["warm", "local", "tutorial-build", "tutorial-query"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args.worker, args.local_questions)
        return 0
    if args.quick:
        args.runs = args.warm_runs = args.build_runs = 2
        args.no_local = True

    me = [sys.executable, str(Path(__file__).resolve())]
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    questions = gold_questions()
    rows: list[tuple[str, str, str, str, str]] = []  # what, median (spread), p95, peak MB, target
    raw: dict = {"date": started, "load_before": load_before, "cpus": os.cpu_count()}

    def say(msg: str) -> None:
        print(f"bench: {msg}", file=sys.stderr, flush=True)

    # Make sure the index (and the ONNX query model) exist before anything is timed.
    subprocess.run([str(RAG), "index", "--quiet"], cwd=ROOT, check=True, capture_output=True)

    say(f"cold `rag ask --json` x{args.runs}")
    cold = [run_child([str(RAG), "ask", "--json", questions[i % len(questions)]]) for i in range(args.runs)]
    raw["cold_ask"] = [(w, m) for w, m, _ in cold]
    rows.append(("cold `rag ask --json` (whole process)", spread([w for w, _, _ in cold]) + " s", "",
                 spread([m for _, m, _ in cold], 0), TARGETS["cold_ask"]))

    say("cold `rag ask --json` without the ONNX export (sentence-transformers query path, as before)")
    with tempfile.TemporaryDirectory() as empty:
        before = [run_child([str(RAG), "ask", "--json", questions[i]], env={"RAG_CACHE_DIR": empty})
                  for i in range(max(2, args.runs // 2))]
    raw["cold_ask_torch"] = [(w, m) for w, m, _ in before]
    rows.append(("cold `rag ask --json`, torch query path (before)", spread([w for w, _, _ in before]) + " s", "",
                 spread([m for _, m, _ in before], 0), "(reference)"))

    say(f"warm retrieve + extractive x{args.warm_runs} processes x{len(questions)} questions")
    warm = []
    for _ in range(args.warm_runs):
        _, peak, out = run_child(me + ["--worker", "warm"])
        warm.append((json.loads(out), peak))
    raw["warm"] = warm
    for key, label in (("retrieve", "warm retrieve"), ("extractive", "warm retrieve + extractive answer")):
        p50s = [percentile(r[key], 0.5) for r, _ in warm]
        p95s = [percentile(r[key], 0.95) for r, _ in warm]
        rows.append((f"{label} (p50)", spread(p50s) + " ms", spread(p95s) + " ms",
                     spread([m for _, m in warm], 0), TARGETS[key]))

    if args.no_local:
        rows.append(("warm local generated answer (p50)", "skipped (--quick/--no-local)", "", "", TARGETS["local"]))
    else:
        try:
            import rag.generate  # noqa: F401
            available = True
        except ImportError:
            available = False
        if not available:
            rows.append(("warm local generated answer (p50)", "n/a (not available)", "", "", TARGETS["local"]))
        else:
            say(f"warm local generation x{args.local_runs} processes x{args.local_questions} questions")
            local = []
            try:
                for _ in range(args.local_runs):
                    _, peak, out = run_child(me + ["--worker", "local", "--local-questions", str(args.local_questions)],
                                             timeout=args.local_timeout)
                    local.append((json.loads(out), peak))
            except RuntimeError as exc:  # a stuck generator must not cost the rest of the table
                say(f"local generation failed: {exc}")
                rows.append(("warm local generated answer (p50)", f"failed: {str(exc)[:80]}", "", "", TARGETS["local"]))
            if local:
                raw["local"] = local
                rows.append(("warm local generated answer (p50)",
                             spread([percentile(r["local"], 0.5) / 1000 for r, _ in local]) + " s",
                             spread([percentile(r["local"], 0.95) / 1000 for r, _ in local]) + " s",
                             spread([m for _, m in local], 0), TARGETS["local"]))

    say(f"`rag index` full build x{args.build_runs}")
    builds = []
    for _ in range(args.build_runs):
        folder = Path(tempfile.mkdtemp(prefix="rag-bench-index-"))
        try:
            builds.append(run_child([str(RAG), "--index-dir", str(folder), "index", "--quiet"])[:2])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    raw["build"] = builds
    rows.append(("`rag index` (both editions, empty folder, whole process)", spread([w for w, _ in builds]) + " s", "",
                 spread([m for _, m in builds], 0), TARGETS["build"]))

    say("LangChain tutorial pipeline: build and warm query")
    tut_build = [run_child(me + ["--worker", "tutorial-build"])[:2] for _ in range(args.build_runs)]
    _, tut_peak, out = run_child(me + ["--worker", "tutorial-query"])
    tut_q = json.loads(out)["tutorial_query"]
    raw["tutorial"] = {"build": tut_build, "query": tut_q}
    rows.append(("tutorial pipeline build (whole process)", spread([w for w, _ in tut_build]) + " s", "",
                 spread([m for _, m in tut_build], 0), ""))
    rows.append(("tutorial pipeline warm query: embed + FAISS k=4 (p50)", f"{percentile(tut_q, 0.5):.2f} ms",
                 f"{percentile(tut_q, 0.95):.2f} ms", f"{tut_peak:.0f}", ""))

    ours_build = statistics.median(w for w, _ in builds)
    ours_q = statistics.median(percentile(r["retrieve"], 0.5) for r, _ in warm)
    ratios = (f"ours / tutorial: build time {ours_build / statistics.median(w for w, _ in tut_build):.2f}x, "
              f"warm query p50 {ours_q / percentile(tut_q, 0.5):.2f}x "
              "(ours = hybrid dense+BM25 retrieval with edition twins; tutorial = dense top-4 only)")
    load_after = os.getloadavg()
    raw["load_after"] = load_after

    print(f"Measured {started} on {os.cpu_count()} cores; load average before "
          f"{load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, after "
          f"{load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f} (1/5/15 min).")
    print(f"Command: {' '.join(['.venv/bin/python', 'bench/run.py'] + sys.argv[1:])}\n")
    print("| what | median (min–max over runs) | p95 | peak RSS MB | target |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(f"\n{ratios}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
