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
    all-MiniLM-L6-v2, FAISS) built and queried the same way, as ratios;
  - `make run` to the first page served (the index already built);
  - the page under 8 and 32 simultaneous members and the API under 8 clients
    (bench/load_ui.py; the load generator runs on the same cores);
  - whether POST /api/ask answers the vacancies question with the JSON `rag ask --json` prints.
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
TARGETS = {  # issue 15's targets (and the earlier ones for what it does not name)
    "cold_ask": "< 1.5 s",
    "retrieve": "p50 < 20 ms",
    "extractive": "p50 < 30 ms",
    "local": "p50 < 6 s",
    "build": "< 12 s and < 0.5x the tutorial's",
    "startup": "< 5 s",
    "page8": "p95 < 0.6 s, 0 errors",
    "page32": "p95 < 2 s, 0 errors",
    "api8": "p95 < 0.3 s, >= 25/s, 0 errors",
    "text": "p50 < 500 ms",
}
VACANCIES = "How many NHS staff vacancies were there?"
TEN_CLAIMS = [  # a 10-claim paragraph for the whole-text check (issue 13's benchmark)
    "NHS leaders say more than 100,000 posts are vacant.",
    "The waiting list stands at 5.6 million, and 82% of leaders are confident the NHS can meet expectations.",
    "Ministers announced £5.4 billion on 6 September.",
    "The NHS needs £10 billion next year.",
    "Half of leaders say they do not have enough staff to protect staff wellbeing.",
    "Nine in ten leaders doubt the lighter regulation will last.",
    "The long COVID clinic at King George Hospital has seen 700 patients.",
    "COVID-19 death rates are a quarter higher in Greater Manchester than in the rest of England.",
    "The government has committed to building 40 new hospitals.",
]


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
    elif kind == "text":
        from rag import claims

        text = " ".join(TEN_CLAIMS)
        claims.check_text(a, text)
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            result = claims.check_text(a, text)
            times.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({"text": times, "claims": len(result.claims)}))
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


def make_run_startup(timeout: float = 120) -> float:
    """Seconds from `make run` to the page answering 200 on its port (the index already built)."""
    import signal
    import urllib.request

    from load_ui import HOST, free_port

    port = free_port()
    env = {**os.environ, "RAG_UI_PORT": str(port), "RAG_UI_HOST": HOST}
    t0 = time.perf_counter()
    proc = subprocess.Popen(["make", "-s", "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while time.perf_counter() - t0 < timeout:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"`make run` served no page within {timeout} s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def api_matches_cli() -> bool:
    """POST /api/ask and `rag ask --json` give the same answer JSON for the vacancies question."""
    import urllib.request

    from load_ui import HOST, free_port, start_server, stop_server, wait_until_up

    port = free_port()
    log = ROOT / "bench" / "results" / "api-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = start_server(port, log)
    try:
        wait_until_up(proc, f"http://{HOST}:{port}/", log)
        req = urllib.request.Request(f"http://{HOST}:{port}/api/ask", data=json.dumps({"question": VACANCIES}).encode(),
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            api = json.loads(r.read())
    finally:
        stop_server(proc)
    cli = json.loads(subprocess.run([str(RAG), "ask", "--json", VACANCIES], cwd=ROOT, capture_output=True,
                                    check=True, text=True).stdout)
    api.pop("timings_ms", None)
    cli.pop("timings_ms", None)
    return api == cli


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5, help="cold `rag ask` runs")
    p.add_argument("--warm-runs", type=int, default=3, help="warm processes (each answers every gold question)")
    p.add_argument("--build-runs", type=int, default=2, help="index builds, and tutorial builds (each ~1 min on 2 busy cores)")
    p.add_argument("--local-runs", type=int, default=1)
    p.add_argument("--local-questions", type=int, default=5)
    p.add_argument("--local-timeout", type=float, default=420, help="seconds for one local-generation process")
    p.add_argument("--quick", action="store_true", help="2 runs of each, skip local generation, 10 s loads")
    p.add_argument("--startup-runs", type=int, default=3, help="`make run` starts")
    p.add_argument("--load-seconds", type=float, default=60.0, help="seconds of each page/API load")
    p.add_argument("--no-load", action="store_true", help="skip `make run` and the page/API loads")
    p.add_argument("--no-local", action="store_true")
    p.add_argument("--json", metavar="FILE", help="also write the raw measurements here")
    p.add_argument("--worker", choices=["warm", "local", "text", "tutorial-build", "tutorial-query"],
                   help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args.worker, args.local_questions)
        return 0
    if args.quick:
        args.runs = args.warm_runs = args.build_runs = args.startup_runs = 2
        args.no_local = True
        args.load_seconds = 10.0

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

    say("warm whole-text check of a 10-claim paragraph")
    _, peak, out = run_child(me + ["--worker", "text", "--local-questions", str(max(5, args.warm_runs * 5))])
    text_run = json.loads(out)
    raw["text_check"] = text_run
    rows.append((f"warm `rag check` of a {text_run['claims']}-claim paragraph (p50)",
                 f"{percentile(text_run['text'], 0.5):.0f} ms", f"{percentile(text_run['text'], 0.95):.0f} ms",
                 f"{peak:.0f}", TARGETS["text"]))

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

    if not args.no_load:
        say(f"`make run` to the first page served x{args.startup_runs}")
        starts = [make_run_startup() for _ in range(args.startup_runs)]
        raw["startup"] = starts
        rows.append(("`make run` to the first page served (index built)", spread(starts) + " s", "", "",
                     TARGETS["startup"]))
        from load_ui import run_load  # bench/ is sys.path[0] when this file runs

        for key, target, clients in (("page8", "page", 8), ("page32", "page", 32), ("api8", "api", 8)):
            say(f"{target} under {clients} clients for {args.load_seconds:.0f} s")
            r = run_load(target, clients, args.load_seconds, quiet=True)
            raw[key] = r
            label = "page (chat, gradio queue)" if target == "page" else "API (POST /api/ask)"
            rows.append((f"{label}, {clients} clients x {args.load_seconds:.0f} s: p50",
                         f"{r['p50_s']:.3f} s; {r['per_second']}/s; {r['errors']} errors", f"{r['p95_s']:.3f} s", "",
                         TARGETS[key]))
        same = api_matches_cli()
        raw["api_same_json"] = same
        rows.append(("POST /api/ask vacancies JSON == `rag ask --json` (timings aside)", "yes" if same else "NO",
                     "", "", "yes"))

    ours_build = statistics.median(w for w, _ in builds)
    ours_q = statistics.median(percentile(r["retrieve"], 0.5) for r, _ in warm)
    ratios = (f"ours / tutorial, same run: build time {ours_build / statistics.median(w for w, _ in tut_build):.2f}x, "
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
