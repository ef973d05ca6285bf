"""How cost grows with the corpus: 1x, 10x, 100x the report.

    .venv/bin/python bench/growth.py                    # 1x 10x 100x (100x takes a long while on 2 cores)
    .venv/bin/python bench/growth.py --scales 1 10      # quicker
    .venv/bin/python bench/growth.py --plot-only        # redraw docs/growth.png from saved results

The synthetic corpus is the report plus altered copies of both editions
(numbers changed, some words swapped, so no two copies embed alike), written as
Markdown and ingested with the real `rag index add` into a fresh folder under
/tmp (never the repo's index/). For each size it measures the build (whole
process: time and peak memory), the index size on disk, warm retrieval latency
over the gold questions in a fresh process, and exact (flat) against HNSW dense
search: time per query and recall@10 of HNSW against flat. Results go to
bench/results/growth.json and the plot to docs/growth.png.

Embedding is the one cost that grows fastest in wall time: 100x the report is
~42,000 chunks, over half an hour of MiniLM on 2 shared cores. Scales above
`--embed-up-to` (default 10) therefore keep everything real (the altered
files, `rag index add`, chunking, BM25, FAISS, the on-disk index, query
embedding, hybrid retrieval) except the chunk vectors: each added chunk gets
the real vector of the report chunk at the same position, plus Gaussian noise
sized so its cosine to that vector matches what real altered copies measured
at the largest embedded scale. Those rows say `synthetic vectors`; their build
time excludes embedding, and `embed_s_est` adds it back at the measured
per-chunk rate. At embedded scales the worker also reports recall of HNSW on
such synthetic vectors next to the real recall, to show the stand-in behaves
like the real thing.
"""

from __future__ import annotations

import argparse
import json
import os
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


def base_rows(chunks: list) -> list[int]:
    """For each chunk, the row of the report chunk it was altered from (same edition, same position)."""
    report: dict[str, list[int]] = {}
    for i, c in enumerate(chunks):
        if c.doc_id == chunks[0].doc_id:
            report.setdefault(c.edition, []).append(i)
    out, seen = [], {}
    for i, c in enumerate(chunks):
        if c.doc_id == chunks[0].doc_id:
            out.append(i)
            continue
        pos = seen[c.edition] = seen.get(c.edition, -1) + 1
        rows = report[c.edition.rsplit("-", 1)[-1]]  # copy-007-web -> the web edition
        out.append(rows[min(pos, len(rows) - 1)])
    return out


def synthetic(vectors, bases: list[int], cosine: float, seed: int = 0):
    """Each added chunk: its base report vector plus noise, at the given expected cosine to it."""
    import numpy as np

    rng = np.random.default_rng(seed)
    dim = vectors.shape[1]
    sigma = ((1 / cosine**2 - 1) / dim) ** 0.5
    out = vectors[bases].copy()
    added = np.array([i != b for i, b in enumerate(bases)])
    out[added] += rng.normal(0, sigma, size=(int(added.sum()), dim)).astype("float32")
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype("float32")


def build_synthetic_worker(files: list[str], cosine: float) -> None:
    """`rag index add` in-process, with chunk vectors from `synthetic` instead of the model."""
    import numpy as np

    from rag import corpus, index
    from rag.settings import Settings

    report = index._read(Settings.from_env(index_dir=ROOT / "index"))  # read only: the shared index
    known = report.vectors.reconstruct_n(0, report.vectors.ntotal)
    by_id = {c.id: known[i] for i, c in enumerate(report.chunks)}

    def fake_vectors(settings, chunks, reuse, given=None):
        missing = [c.id for c in chunks if c.doc_id == chunks[0].doc_id and c.id not in by_id]
        if missing:
            raise RuntimeError(f"the shared index/ is not current ({len(missing)} report chunks unknown)")
        vectors = np.vstack([by_id.get(c.id, known[0]) for c in chunks]).astype("float32")
        return synthetic(vectors, base_rows(chunks), cosine)

    index._reuse_or_encode = fake_vectors
    settings = Settings.from_env()
    corpus.save_files(settings, [Path(f) for f in files])
    index.build(settings, progress=False)


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
    hnsw.hnsw.efSearch = index.HNSW_EF_SEARCH  # time it as shipped (faiss's default is 16)
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
    for ef in sorted({32, 64, 128, 256, 512, index.HNSW_EF_SEARCH}):
        hnsw.hnsw.efSearch = ef
        _, approx = hnsw.search(queries, k)
        recall[ef] = float(np.mean([len(set(e) & set(x)) / k for e, x in zip(exact, approx)]))

    bases = base_rows(a.index.chunks)
    copies = [i for i, b in enumerate(bases) if i != b]
    copy_cos = float(np.mean((vectors[copies] * vectors[[bases[i] for i in copies]]).sum(axis=1))) if copies else None
    synth_recall = None
    if copy_cos is not None and os.environ.get("GROWTH_SYNTHETIC") != "1":
        # The same chunks with stand-in vectors: does HNSW recall on them match the real recall?
        fake = synthetic(vectors, bases, copy_cos)
        fake_hnsw = faiss.IndexHNSWFlat(fake.shape[1], index.HNSW_M, faiss.METRIC_INNER_PRODUCT)
        fake_hnsw.hnsw.efConstruction = index.HNSW_EF_CONSTRUCTION
        fake_hnsw.add(fake)
        fake_flat = faiss.IndexFlatIP(fake.shape[1])
        fake_flat.add(fake)
        _, fake_exact = fake_flat.search(queries, k)
        fake_hnsw.hnsw.efSearch = index.HNSW_EF_SEARCH
        _, fake_approx = fake_hnsw.search(queries, k)
        synth_recall = float(np.mean([len(set(e) & set(x)) / k for e, x in zip(fake_exact, fake_approx)]))
    print(json.dumps({
        "copy_cosine": copy_cos, "synthetic_check_recall_at_10": synth_recall,
        "chunks": flat.ntotal, "added_chunks": len(copies), "load_s": load_s, "search_p50_ms": percentile(search_ms, 0.5),
        "search_p95_ms": percentile(search_ms, 0.95), "flat_p50_ms": timings["flat"],
        "hnsw_p50_ms": timings["hnsw"], "hnsw_build_s": hnsw_build_s, "recall_at_10": recall,
        "hnsw_params": {"M": index.HNSW_M, "efConstruction": index.HNSW_EF_CONSTRUCTION,
                        "efSearch": index.HNSW_EF_SEARCH},
    }))


def measure(scale: int, cosine: float | None = None, per_chunk_s: float | None = None) -> dict:
    """One scale; with `cosine`, chunk vectors are synthetic (see the module docstring)."""
    folder = WORK / f"x{scale}"
    shutil.rmtree(folder, ignore_errors=True)
    files = make_copies(scale - 1, folder / "files")
    env = {"RAG_INDEX_DIR": str(folder / "index")}
    if cosine is not None:
        env["GROWTH_SYNTHETIC"] = "1"
        cmd = [sys.executable, __file__, "--cosine", str(cosine), "--worker-build", *map(str, files)]
    elif files:
        cmd = [str(RAG), "index", "add", *map(str, files)]
    else:
        cmd = [str(RAG), "index", "--quiet"]
    build_s, build_mb, _ = run_child(cmd, env=env, timeout=7200)
    _, query_mb, out = run_child([sys.executable, __file__, "--worker"], env=env, timeout=3600)
    row = {"scale": scale, "files": len(files), "build_s": build_s, "build_peak_mb": build_mb,
           "index_mb": dir_mb(folder / "index"), "query_peak_mb": query_mb, **json.loads(out),
           "synthetic_vectors": cosine is not None}
    if cosine is not None and per_chunk_s is not None:
        row["embed_s_est"] = per_chunk_s * row["added_chunks"]
    shutil.rmtree(folder, ignore_errors=True)
    return row


def plot(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [r["chunks"] for r in rows]
    fake = [bool(r.get("synthetic_vectors")) for r in rows]
    build_total = [r["build_s"] + r.get("embed_s_est", 0) for r in rows]
    fig, axes = plt.subplots(2, 2, figsize=(10.5, 8))
    panels = [
        (axes[0][0], "build time (s)", [("rag index / index add (whole process)", [r["build_s"] for r in rows]),
                                        ("with embedding estimated (synthetic rows)", build_total)]),
        (axes[0][1], "size (MB)", [("index on disk", [r["index_mb"] for r in rows]),
                                   ("peak RSS, build", [r["build_peak_mb"] for r in rows]),
                                   ("peak RSS, query process", [r["query_peak_mb"] for r in rows])]),
        (axes[1][0], "warm query (ms)", [("retrieve p50 (hybrid, whole)", [r["search_p50_ms"] for r in rows]),
                                          ("retrieve p95", [r["search_p95_ms"] for r in rows]),
                                          ("dense flat search p50", [r["flat_p50_ms"] for r in rows]),
                                          ("dense HNSW search p50", [r["hnsw_p50_ms"] for r in rows])]),
        (axes[1][1], "HNSW recall@10 against flat", [(f"efSearch={ef}", [r["recall_at_10"].get(ef, float("nan"))
                                                                          for r in rows])
                                                     for ef in sorted({ef for r in rows for ef in r["recall_at_10"]})]),
    ]
    for ax, title, series in panels:
        for label, ys in series:
            line = ax.plot(x, ys, marker="o", label=label)[0]
            # Hollow markers: rows whose chunk vectors were synthetic (see the module docstring).
            ax.plot([a for a, f in zip(x, fake) if f], [b for b, f in zip(ys, fake) if f], "o",
                    mfc="white", mec=line.get_color())
        ax.set_xscale("log")
        if "recall" in title:
            ax.axhline(0.98, color="red", linestyle="--", linewidth=1, label="0.98 required")
        else:
            ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("chunks in the index")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    scales = ", ".join(f"{r['scale']}x" + ("*" if f else "") for r, f in zip(rows, fake))
    fig.suptitle(f"Growth: {scales} the report (* hollow = synthetic chunk vectors); "
                 f"measured {rows[-1].get('date', time.strftime('%Y-%m-%d'))[:10]}, 2 shared cores, no GPU")
    fig.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    tmp = PLOT.with_name(".growth.tmp.png")
    fig.savefig(tmp, dpi=110)
    tmp.replace(PLOT)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    p.add_argument("--embed-up-to", type=int, default=10,
                   help="largest scale embedded with the real model; larger ones use synthetic vectors")
    p.add_argument("--plot-only", action="store_true", help="redraw docs/growth.png from bench/results/growth.json")
    p.add_argument("--stores", action="store_true", help="FAISS + bm25s against Milvus Lite at each scale (bench/scale.py)")
    p.add_argument("--ray", action="store_true", help="Ray ingestion on one and two local nodes (bench/scale.py)")
    p.add_argument("--copies", type=int, default=4, help="with --ray: altered copies of the report to ingest")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--worker-build", nargs="*", help=argparse.SUPPRESS)
    p.add_argument("--cosine", type=float, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        query_worker()
        return 0
    if args.worker_build is not None:
        build_synthetic_worker(args.worker_build, args.cosine)
        return 0
    if args.stores or args.ray:
        import scale

        if args.stores:
            scale.stores(args.scales)
        if args.ray:
            scale.ray_rates(args.copies)
        return 0
    # Rows of scales not measured this time are kept, so scales can be run as separate (locked) jobs.
    kept = json.loads(RESULTS.read_text())["rows"] if RESULTS.exists() else []
    if args.plot_only:
        rows = kept
    else:
        rows = [r for r in kept if r["scale"] not in args.scales]
        for scale in args.scales:
            cosine = per_chunk_s = None
            if scale > args.embed_up_to:
                real = [r for r in rows if not r.get("synthetic_vectors") and r.get("copy_cosine")]
                if not real:
                    print("growth: error: synthetic scales need a real scale > 1 measured first "
                          f"(e.g. --scales {args.embed_up_to} {scale})", file=sys.stderr)
                    return 1
                ref = max(real, key=lambda r: r["scale"])
                cosine, per_chunk_s = ref["copy_cosine"], ref["build_s"] / ref["added_chunks"]
            print(f"growth: {scale}x{' (synthetic vectors)' if cosine else ''} ...", file=sys.stderr, flush=True)
            load = os.getloadavg()
            row = measure(scale, cosine, per_chunk_s)
            row["load_before"], row["load_after"] = load, os.getloadavg()
            row["date"] = time.strftime("%Y-%m-%d %H:%M %Z")
            rows = sorted([r for r in rows if r["scale"] != scale] + [row], key=lambda r: r["scale"])
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            tmp = RESULTS.with_name(".growth.json.tmp")
            tmp.write_text(json.dumps({"rows": rows}, indent=1))
            tmp.replace(RESULTS)
            print(json.dumps(row), file=sys.stderr, flush=True)
    for r in rows:  # JSON turned the efSearch keys into strings
        r["recall_at_10"] = {int(k): v for k, v in r["recall_at_10"].items()}
    efs = sorted({ef for r in rows for ef in r["recall_at_10"]})
    print("| scale | chunks | vectors | build s | build peak MB | index MB | query peak MB | index load s | retrieve p50 ms "
          f"| retrieve p95 ms | flat p50 ms | HNSW p50 ms | HNSW build s | recall@10 (ef {'/'.join(map(str, efs))}) "
          "| HNSW M/efC/efS |")
    print("| --- " * 15 + "|")
    for r in rows:
        rec = "/".join(f"{r['recall_at_10'][ef]:.3f}" if ef in r["recall_at_10"] else "-" for ef in efs)
        hp = r.get("hnsw_params")
        params = f"{hp['M']}/{hp['efConstruction']}/{hp['efSearch']}" if hp else "-"
        kind = "synthetic" if r.get("synthetic_vectors") else "real"
        build = f"{r['build_s']:.1f}" + (f" + ~{r['embed_s_est']:.0f} embedding (est.)" if r.get("embed_s_est") else "")
        print(f"| {r['scale']}x | {r['chunks']} | {kind} | {build} | {r['build_peak_mb']:.0f} | {r['index_mb']:.1f} "
              f"| {r['query_peak_mb']:.0f} | {r['load_s']:.2f} | {r['search_p50_ms']:.1f} | {r['search_p95_ms']:.1f} "
              f"| {r['flat_p50_ms']:.3f} | {r['hnsw_p50_ms']:.3f} | {r['hnsw_build_s']:.2f} | {rec} | {params} |")
    plot(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
