"""`rag index add --engine ray FILE|FOLDER…`: read, parse, chunk and embed documents in parallel with Ray Data.

Each file becomes one row; a task per file reads and chunks it (the same `corpus.read_document` and
`corpus.chunks_of` the in-process path uses, so chunk ids agree); chunks the current build already holds are
dropped, so unchanged chunks keep their vectors; the rest are embedded by a callable class, one per worker, that
loads the embedding model once. The driver stores the documents and builds the index with the vectors the workers
made (into the configured store: the embedded default or Milvus).

`RAG_RAY_ADDRESS` (or `address=`) joins an existing cluster; without it a local Ray starts on this machine's cores.
Needs the `[scale]` extra (ray[data]).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag import corpus, embed, index
from rag.model_files import count_tokens
from rag.settings import Settings

BATCH = 64


@dataclass
class Ingested:
    """What a Ray ingestion did: the documents read, the vectors made (chunk id -> vector) and where."""

    documents: list[corpus.Document]
    metadata: dict[str, dict]  # doc id -> what corpus.save stores beside its text, as the worker laid it out
    vectors: dict[str, np.ndarray]
    chunks: int
    reused: int
    nodes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _read_and_chunk(row: dict, settings: Settings) -> dict:
    doc = corpus.read_document(Path(row["path"]))
    meta = corpus.metadata(doc)
    pieces = corpus.chunks_of(meta, doc.text, lambda t: count_tokens(settings.embed_model, t),
                              settings.chunk_max_tokens)
    return {"path": row["path"], "doc_id": doc.doc_id, "title": doc.title, "kind": doc.kind, "source": doc.source,
            "source_sha256": doc.source_sha256, "text": doc.text, "meta": meta,
            "chunk_ids": [c.id for c in pieces], "chunk_texts": [c.embedding_text() for c in pieces]}


class Embedder:
    """One per Ray worker: the model is loaded once, then every batch of chunk texts is embedded."""

    def __init__(self, settings: Settings):
        import ray

        context = ray.get_runtime_context()
        self.settings = settings
        self.node = context.get_node_id()
        # As many threads as CPUs Ray gave this worker: workers sharing a machine must not oversubscribe it.
        self.threads = max(1, int(context.get_assigned_resources().get("CPU", 1)))
        embed.encode_documents(settings, ["warm up"], threads=self.threads)

    def __call__(self, batch: dict) -> dict:
        vectors = embed.encode_documents(self.settings, list(batch["text"]), threads=self.threads)
        return {"id": batch["id"], "vector": list(vectors), "node": [self.node] * len(vectors)}


def connect(settings: Settings, address: str | None = None):
    """Ray, joined to `address` or RAG_RAY_ADDRESS, or started on this machine's cores; quiet (no progress bars,
    no line per stage on stderr). Returns the ray module."""
    try:
        import ray
    except ImportError:
        raise RuntimeError("--engine ray needs the scale extra: pip install -e '.[scale]'") from None
    address = address or settings.ray_address or None
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False, logging_level="ERROR")
        else:
            ray.init(num_cpus=os.cpu_count() or 1, include_dashboard=False, log_to_driver=False,
                     logging_level="ERROR")
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = False
    return ray


def ingest(settings: Settings, paths: list[Path], address: str | None = None, workers: int | None = None) -> Ingested:
    """Read, chunk and embed `paths` on Ray; nothing is stored (see `add`)."""
    t0 = time.perf_counter()
    files = corpus.expand(paths)
    for f in files:  # fail on a missing or unsupported file before starting any work
        if not f.is_file() or f.suffix.lower() not in corpus.FORMATS:
            corpus.read_document(f)
    ray = connect(settings, address)
    known = _known_ids(settings)
    docs = ray.data.from_items([{"path": str(f)} for f in files], override_num_blocks=len(files))
    docs = docs.map(_read_and_chunk, fn_kwargs={"settings": settings}).materialize()
    rows = docs.take_all()
    documents = [corpus.Document(doc_id=r["doc_id"], title=r["title"], kind=r["kind"], source=r["source"],
                                 source_sha256=r["source_sha256"], text=r["text"]) for r in rows]
    corpus.check_unique(documents)
    todo = [{"id": i, "text": t} for r in rows for i, t in zip(r["chunk_ids"], r["chunk_texts"]) if i not in known]
    total = sum(len(r["chunk_ids"]) for r in rows)
    vectors, nodes = embed_rows(settings, todo, workers)
    metas = {r["doc_id"]: r["meta"] for r in rows}
    return Ingested(documents, metas, vectors, total, total - len(todo), nodes, round(time.perf_counter() - t0, 2))


def embed_rows(settings: Settings, todo: list[dict], workers: int | None = None) -> tuple[dict[str, np.ndarray],
                                                                                          list[str]]:
    """Embed {"id", "text"} rows on the connected Ray cluster; the vectors by id, and the nodes that did it."""
    import ray

    vectors: dict[str, np.ndarray] = {}
    nodes: set[str] = set()
    if not todo:
        return vectors, []
    # Every embedding worker loaded before work starts: shares stay even.
    ray.data.DataContext.get_current().wait_for_min_actors_s = 600
    n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    # Blocks of at most a batch, and at least two per worker: a worker ready first would take a coarse block
    # whole, and a small folder would then be embedded on one node.
    blocks = min(len(todo), max(2 * n, -(-len(todo) // BATCH)))
    embedded = ray.data.from_items(todo, override_num_blocks=blocks).map_batches(
        Embedder, fn_constructor_kwargs={"settings": settings}, batch_size=max(1, min(BATCH, len(todo) // blocks)),
        compute=ray.data.ActorPoolStrategy(size=n, max_tasks_in_flight_per_actor=2), num_cpus=1,
        max_restarts=0)  # a failed worker fails the ingestion with its error, rather than a silent retry
    for row in embedded.take_all():
        vectors[row["id"]] = np.asarray(row["vector"], dtype="float32")
        nodes.add(row["node"])
    return vectors, sorted(nodes)


def rebuild(settings: Settings, address: str | None = None, workers: int | None = None) -> tuple[dict, list[str]]:
    """`rag index --force --engine ray`: every chunk (the report's and every stored document's) re-embedded on Ray,
    then the index built with those vectors. Returns the manifest and the nodes that embedded."""
    connect(settings, address)
    chunks = index.all_chunks(settings)
    vectors, nodes = embed_rows(settings, [{"id": c.id, "text": c.embedding_text()} for c in chunks], workers)
    return index.build(settings, progress=False, reuse=False, vectors=vectors), nodes


def add(settings: Settings, paths: list[Path], address: str | None = None) -> tuple[Ingested, dict]:
    """Ingest on Ray, store the documents, then build the index with the workers' vectors."""
    done = ingest(settings, paths, address)
    for d in done.documents:
        corpus.save(settings, d, done.metadata[d.doc_id])
    manifest = index.build(settings, progress=False, vectors=done.vectors)
    return done, manifest


def _known_ids(settings: Settings) -> set[str]:
    """Chunk ids the current intact build holds: the build reuses their vectors, so workers skip them."""
    return {c.id for c in index.current_chunks(settings)}
