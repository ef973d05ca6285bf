"""How cost grows with the corpus: 1x, 10x, 100x the report.

    .venv/bin/python bench/growth.py                    # 1x 10x 100x (100x takes a long while on 2 cores)
    .venv/bin/python bench/growth.py --scales 1 10      # quicker

The synthetic corpus is the report plus altered copies of both editions
(numbers changed, some words swapped, so no two copies embed alike), written as
Markdown and ingested with the real `rag index add` into a fresh folder under
/tmp (never the repo's index/). For each size it measures the build (whole
process: time and peak memory), the index size on disk, warm retrieval latency
over the gold questions in a fresh process, and exact (flat) against HNSW dense
search: time per query and recall@10 of HNSW against flat. Results go to
bench/results/growth.json and the plot to docs/growth.png.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import RAG, gold_questions, percentile, run_child  # noqa: E402

WORK = Path("/tmp/rag-growth")
RESULTS = ROOT / "bench" / "results" / "growth.json"
PLOT = ROOT / "docs" / "growth.png"
SWAPS = ["regional", "local", "national", "clinical", "community", "hospital", "primary", "social", "urgent",
         "digital", "public", "long-term", "acute", "integrated", "frontline", "specialist"]


def alter(text: str, rng: random.Random) -> str:
    """Change every number and about one word in eight, keeping the text readable."""
    def number(m: re.Match) -> str:
        digits = m.group(0).replace(",", "")
        try:
            value = float(digits)
        except ValueError:
            return m.group(0)
        new = value * rng.uniform(0.5, 1.5)
        return f"{new:,.0f}" if "." not in digits else f"{new:.1f}"

    text = re.sub(r"\d[\d,]*(?:\.\d+)?", number, text)
    words = text.split(" ")
    for i in range(len(words)):
        if words[i].isalpha() and words[i].islower() and rng.random() < 0.125:
            words[i] = rng.choice(SWAPS)
    return " ".join(words)


def make_copies(n_copies: int, folder: Path) -> list[Path]:
    from rag.ingest import parse_edition
    from rag.settings import Settings

    folder.mkdir(parents=True, exist_ok=True)
    editions = [parse_edition(src) for src in Settings.from_env().sources]
    files = []
    for k in range(1, n_copies + 1):
        for ed in editions:
            rng = random.Random(f"{k}-{ed.name}")
            lines = [f"# Altered copy {k} of the manifesto ({ed.name} edition)", ""]
            for sec in ed.sections:
                lines += [f"## {' - '.join(sec.path)}", ""]
                lines += [alter(p.text, rng) + "\n" for p in sec.paragraphs if p.kind != "footnote"]
            path = folder / f"copy-{k:03d}-{ed.name}.md"
            path.write_text("\n".join(lines), encoding="utf-8")
            files.append(path)
    return files


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def query_worker() -> None:
    """In a fresh process on RAG_INDEX_DIR: warm retrieval latency, then flat vs HNSW dense search."""
    import faiss
    import numpy as np

    from rag import embed, index
    from rag.assistant import Assistant

    questions = gold_questions()
    t0 = time.perf_counter()
    a = Assistant(rebuild=False)
    a.index  # noqa: B018
    load_s = time.perf_counter() - t0
    a.search(questions[0])
    search_ms = []
    for q in questions:
        t = time.perf_counter()
        a.search(q)
        search_ms.append((time.perf_counter() - t) * 1000)

    flat = a.index.vectors
    vectors = flat.reconstruct_n(0, flat.ntotal)
    queries = np.vstack([embed.encode_query(a.settings, [q]) for q in questions])
    t = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(vectors.shape[1], index.HNSW_M, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = index.HNSW_EF_CONSTRUCTION
    hnsw.add(vectors)
    hnsw_build_s = time.perf_counter() - t
    k = 10
    _, exact = flat.search(queries, k)
    timings = {}
    for name, idx in (("flat", flat), ("hnsw", hnsw)):
        per = []
        for qv in queries:
            t = time.perf_counter()
            idx.search(qv[None, :], a.settings.candidates)
            per.append((time.perf_counter() - t) * 1000)
        timings[name] = percentile(per, 0.5)
    recall = {}
    for ef in (32, 64, 128, 256):
        hnsw.hnsw.efSearch = ef
        _, approx = hnsw.search(queries, k)
        recall[ef] = float(np.mean([len(set(e) & set(x)) / k for e, x in zip(exact, approx)]))
    print(json.dumps({
        "chunks": flat.ntotal, "load_s": load_s, "search_p50_ms": percentile(search_ms, 0.5),
        "search_p95_ms": percentile(search_ms, 0.95), "flat_p50_ms": timings["flat"],
        "hnsw_p50_ms": timings["hnsw"], "hnsw_build_s": hnsw_build_s, "recall_at_10": recall,
    }))


def measure(scale: int) -> dict:
    folder = WORK / f"x{scale}"
    shutil.rmtree(folder, ignore_errors=True)
    files = make_copies(scale - 1, folder / "files")
    env = {"RAG_INDEX_DIR": str(folder / "index")}
    cmd = [str(RAG), "index", "--quiet"] if not files else [str(RAG), "index", "add", *map(str, files)]
    build_s, build_mb, _ = run_child(cmd, env=env, timeout=7200)
    _, query_mb, out = run_child([sys.executable, __file__, "--worker"], env=env, timeout=3600)
    row = {"scale": scale, "files": len(files), "build_s": build_s, "build_peak_mb": build_mb,
           "index_mb": dir_mb(folder / "index"), "query_peak_mb": query_mb, **json.loads(out)}
    shutil.rmtree(folder, ignore_errors=True)
    return row


def plot(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [r["chunks"] for r in rows]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    panels = [
        (axes[0][0], "build time (s)", [("rag index (whole process)", [r["build_s"] for r in rows])]),
        (axes[0][1], "size (MB)", [("index on disk", [r["index_mb"] for r in rows]),
                                   ("peak RSS, build", [r["build_peak_mb"] for r in rows]),
                                   ("peak RSS, query process", [r["query_peak_mb"] for r in rows])]),
        (axes[1][0], "warm query (ms)", [("retrieve p50 (hybrid)", [r["search_p50_ms"] for r in rows]),
                                          ("retrieve p95", [r["search_p95_ms"] for r in rows]),
                                          ("dense flat search p50", [r["flat_p50_ms"] for r in rows]),
                                          ("dense HNSW search p50", [r["hnsw_p50_ms"] for r in rows])]),
        (axes[1][1], "HNSW recall@10 vs flat", [(f"efSearch={ef}", [r["recall_at_10"][ef] for r in rows])
                                                for ef in rows[0]["recall_at_10"]]),
    ]
    for ax, title, series in panels:
        for label, ys in series:
            ax.plot(x, ys, marker="o", label=label)
        ax.set_xscale("log")
        if "recall" not in title:
            ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("chunks in the index")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"Growth: {', '.join(str(r['scale']) + 'x' for r in rows)} the report "
                 f"(measured {time.strftime('%Y-%m-%d')}, 2 cores)")
    fig.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    tmp = PLOT.with_name(".growth.tmp.png")
    fig.savefig(tmp, dpi=110)
    tmp.replace(PLOT)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    p.add_argument("--plot-only", action="store_true", help="redraw docs/growth.png from bench/results/growth.json")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        query_worker()
        return 0
    if args.plot_only:
        rows = json.loads(RESULTS.read_text())["rows"]
    else:
        import os

        rows = []
        for scale in args.scales:
            print(f"growth: {scale}x ...", file=sys.stderr, flush=True)
            load = os.getloadavg()
            row = measure(scale)
            row["load_before"] = load
            rows.append(row)
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M %Z"), "rows": rows}, indent=1))
            print(json.dumps(row), file=sys.stderr, flush=True)
    for r in rows:  # JSON turned the efSearch keys into strings
        r["recall_at_10"] = {int(k): v for k, v in r["recall_at_10"].items()}
    print("| scale | chunks | build s | build peak MB | index MB | query peak MB | index load s | retrieve p50 ms "
          "| retrieve p95 ms | flat p50 ms | HNSW p50 ms | HNSW build s | recall@10 (ef 32/64/128/256) |")
    print("| --- " * 13 + "|")
    for r in rows:
        rec = "/".join(f"{r['recall_at_10'][ef]:.3f}" for ef in sorted(r["recall_at_10"]))
        print(f"| {r['scale']}x | {r['chunks']} | {r['build_s']:.1f} | {r['build_peak_mb']:.0f} | {r['index_mb']:.1f} "
              f"| {r['query_peak_mb']:.0f} | {r['load_s']:.2f} | {r['search_p50_ms']:.1f} | {r['search_p95_ms']:.1f} "
              f"| {r['flat_p50_ms']:.3f} | {r['hnsw_p50_ms']:.3f} | {r['hnsw_build_s']:.2f} | {rec} |")
    plot(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
