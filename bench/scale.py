"""Growth on both stores, and ingestion on Ray with one and two local nodes (run by bench/growth.py).

    .venv/bin/python bench/growth.py --stores [--scales 1 10 100]   # FAISS + bm25s against Milvus Lite
    .venv/bin/python bench/growth.py --ray [--copies 4]              # Ray ingestion, 1 node then 2 nodes

Stores: for each scale the corpus is the report's chunks plus altered copies of them (bench/growth.py's `alter`:
numbers changed, one word in eight swapped) with synthetic vectors (each copy's vector is its report chunk's plus
noise at the cosine real altered copies measured, `growth.synthetic`), so the store, not the model, is timed. Each
store is built from scratch in /tmp, and measured: build seconds, size on disk, warm hybrid search p50/p95 over
the gold questions (the retriever's 40 candidates), dense recall@10 against exact search, and how many questions
get the same top 8 from both stores.

Ray: altered copies of the report written as Markdown files, ingested with `rag.ray_ingest.ingest` (read, chunk and
embed with the real model) on a local Ray cluster of one node with 2 CPUs, then of two nodes with 1 CPU each
(`ray.cluster_utils.Cluster`), and in-process for comparison: chunks per second, median of the runs.
Results go to bench/results/scale.json.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "scale.json"
WORK = Path("/tmp/rag-scale")
COPY_COSINE = 0.556  # real altered copies against their report chunks, measured at 10x (docs/speed.md, "Growth")


def _save(key: str, value) -> None:
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[key] = value
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_name(".scale.json.tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(RESULTS)


def _corpus(scale: int):
    """The report's chunks and vectors, plus scale-1 altered copies with synthetic vectors."""
    from growth import alter, synthetic

    from rag import index
    from rag.settings import Settings

    report = index.load(Settings.from_env(), rebuild=False)
    base = report.vectors.reconstruct_n(0, report.vectors.ntotal)
    chunks, bases = list(report.chunks), list(range(len(report.chunks)))
    for k in range(1, scale):
        rng = random.Random(k)
        for i, c in enumerate(report.chunks):
            chunks.append(replace(c, id=f"copy-{k}:{c.id}", doc_id=f"copy-{k}", text=alter(c.text, rng)))
            bases.append(i)
    return report, chunks, synthetic(base, bases, COPY_COSINE)


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def stores_row(scale: int) -> dict:
    import faiss
    from run import gold_questions, percentile

    from rag import embed
    from rag.milvus_store import MilvusStore
    from rag.settings import Settings
    from rag.store import FaissStore, bm25_tokens

    report, chunks, vectors = _corpus(scale)
    settings = Settings.from_env()
    folder = WORK / f"x{scale}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    questions = gold_questions()
    queries = [embed.encode_query(settings, [q]) for q in questions]
    exact = [np.argsort(-(vectors @ qv[0]))[:10] for qv in queries]
    row: dict = {"scale": scale, "chunks": len(chunks)}

    t0 = time.perf_counter()
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    import bm25s

    bm25 = bm25s.BM25()
    bm25.index(bm25_tokens([c.embedding_text() for c in chunks]), show_progress=False)
    faiss.write_index(flat, str(folder / "vectors.faiss"))
    bm25.save(str(folder / "bm25"), allow_pickle=False)
    faiss_build = time.perf_counter() - t0
    stores = {"faiss": FaissStore(chunks, flat, bm25, settings)}
    sizes = {"faiss": _size_mb(folder / "vectors.faiss") + _size_mb(folder / "bm25")}

    milvus_settings = replace(settings, store="milvus", milvus_uri=str(folder / "milvus.db"))
    t0 = time.perf_counter()
    milvus = MilvusStore(milvus_settings, vectors.shape[1])
    milvus.sync(chunks, vectors)
    milvus_build = time.perf_counter() - t0
    stores["milvus"] = milvus
    sizes["milvus"] = _size_mb(folder / "milvus.db")
    builds = {"faiss": faiss_build, "milvus": milvus_build}

    tops: dict[str, list] = {}
    for name, store in stores.items():
        store.search(questions[0], queries[0], settings.candidates)  # warm
        times, recall, top = [], [], []
        for q, qv in zip(questions, queries):
            t = time.perf_counter()
            hits = store.search(q, qv, settings.candidates)
            times.append((time.perf_counter() - t) * 1000)
            top.append([h.chunk_id for h in hits[:8]])
        if name == "faiss":
            _, ids = flat.search(np.vstack(queries), 10)
            recall = [len(set(a) & set(b)) / 10 for a, b in zip(ids, exact)]
        else:
            for qv, ex in zip(queries, exact):
                found = milvus.client.search(milvus.collection, data=[qv[0].tolist()], anns_field="dense", limit=10,
                                             search_params={"metric_type": "IP"})[0]
                got = {h["id"] for h in found}
                recall.append(len(got & {chunks[i].id for i in ex}) / 10)
        tops[name] = top
        row[name] = {"build_s": round(builds[name], 2), "size_mb": round(sizes[name], 1),
                     "search_p50_ms": round(percentile(times, 0.5), 2),
                     "search_p95_ms": round(percentile(times, 0.95), 2),
                     "dense_recall_at_10": round(statistics.mean(recall), 4)}
    pairs = list(zip(tops["faiss"], tops["milvus"]))
    row["same_top8"] = round(statistics.mean(set(a) == set(b) for a, b in pairs), 3)
    row["overlap_at_8"] = round(statistics.mean(len(set(a) & set(b)) / 8 for a, b in pairs), 3)
    # The BM25 lists alone: where the two stores' rankings part.
    lexical = []
    for q in questions:
        ids, scores = bm25.retrieve(bm25_tokens([q]), k=8, show_progress=False)
        ours = {chunks[i].id for i, sc in zip(ids[0], scores[0]) if sc > 0}
        theirs = {h["id"] for h in milvus.client.search(milvus.collection, data=[q], anns_field="sparse", limit=8,
                                                         search_params={"metric_type": "BM25"})[0]}
        lexical.append(len(ours & theirs) / max(1, len(ours)))
    row["bm25_overlap_at_8"] = round(statistics.mean(lexical), 3)
    shutil.rmtree(folder, ignore_errors=True)
    return row


def stores(scales: list[int]) -> list[dict]:
    rows = []
    for scale in scales:
        print(f"scale: stores at {scale}x ...", file=sys.stderr, flush=True)
        row = stores_row(scale)
        row["date"] = time.strftime("%Y-%m-%d %H:%M %Z")
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)
    _save("stores", rows)
    print("| scale | chunks | store | build s | size MB | hybrid search p50 ms | p95 ms | dense recall@10 | same top 8 "
          "| top-8 overlap | BM25 top-8 overlap |")
    print("| --- " * 11 + "|")
    for r in rows:
        for name in ("faiss", "milvus"):
            s = r[name]
            print(f"| {r['scale']}x | {r['chunks']:,} | {name} | {s['build_s']} | {s['size_mb']} | {s['search_p50_ms']} "
                  f"| {s['search_p95_ms']} | {s['dense_recall_at_10']} | {r['same_top8']:.1%} "
                  f"| {r['overlap_at_8']:.3f} | {r['bm25_overlap_at_8']:.3f} |")
    return rows


def _ray_files(copies: int) -> list[Path]:
    from growth import make_copies

    folder = WORK / "ray-files"
    shutil.rmtree(folder, ignore_errors=True)
    return make_copies(copies, folder)


def ray_rates(copies: int, runs: int = 2) -> dict:
    """Chunks per second: in-process, Ray on one node (2 CPUs), Ray on two nodes (1 CPU each)."""
    import ray
    from ray.cluster_utils import Cluster

    from rag import ray_ingest
    from rag.settings import Settings

    os.environ.setdefault("RAY_TMPDIR", tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
    files = _ray_files(copies)
    settings = Settings.from_env(index_dir=WORK / "empty-index")  # nothing known: every chunk is embedded
    out: dict = {"files": len(files)}

    def timed(run) -> list[float]:
        rates = []
        for _ in range(runs):
            t0 = time.perf_counter()
            n = run()
            rates.append(n / (time.perf_counter() - t0))
        return rates

    def in_process() -> int:  # the same read, chunk and embed, in this process on every core
        from rag import corpus, embed
        from rag.model_files import count_tokens

        texts = []
        for f in files:
            doc = corpus.read_document(f)
            texts += [c.embedding_text() for c in corpus.chunks_of(
                corpus.metadata(doc), doc.text, lambda t: count_tokens(settings.embed_model, t),
                settings.chunk_max_tokens)]
        embed.encode_documents(settings, texts)
        return len(texts)

    out["chunks"] = in_process()  # also warms the model files
    rates = timed(in_process)
    out["in_process"] = {"chunks_per_s": round(statistics.median(rates), 1), "runs": [round(r, 1) for r in rates]}
    for name, layout in (("one_node_2cpu", [2]), ("two_nodes_1cpu_each", [1, 1])):
        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": layout[0], "include_dashboard": False})
        for cpus in layout[1:]:
            cluster.add_node(num_cpus=cpus)
        cluster.wait_for_nodes()
        ray_ingest.connect(settings, cluster.address)
        nodes: set[str] = set()

        def on_ray(address: str = cluster.address, used: set = nodes) -> int:
            done = ray_ingest.ingest(settings, files, address=address)
            used.update(done.nodes)
            return len(done.vectors)

        rates = timed(on_ray)
        out[name] = {"chunks_per_s": round(statistics.median(rates), 1), "runs": [round(r, 1) for r in rates],
                     "nodes_used": len(nodes)}
        ray.shutdown()
        cluster.shutdown()
    out["date"] = time.strftime("%Y-%m-%d %H:%M %Z")
    _save("ray", out)
    print(json.dumps(out, indent=1))
    return out
