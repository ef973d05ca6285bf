"""The Milvus store: one collection, dense + BM25 sparse vectors, `hybrid_search` fused by Milvus's RRF ranker.

`RAG_MILVUS_URI` is a file path for Milvus Lite (embedded, this process) or `http://host:19530` for a Milvus server
or cluster; the calls are the same. The collection mirrors the local build: `sync` adds the chunks it lacks and
deletes those the build no longer has, so unchanged chunks keep their rows and vectors, and `rag ask` on a freshly
built index fills an empty collection by itself. Needs the `[scale]` extra (pymilvus, milvus-lite).

BM25 is Milvus's own function over the chunk text, with bm25s's English stop words and the same k1 and b as the
embedded store's bm25s, so both stores rank alike (tests/test_store.py measures how alike on the gold set).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time

import numpy as np

from rag.schema import Chunk, Hit
from rag.settings import Settings

BATCH = 1000
MAX_TEXT = 65_535
MAX_SECTION = 2048
# The embedded store's bm25s defaults (method "lucene", k1 1.5, b 0.75); Milvus Lite defaults to the same.
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}


def _client(settings: Settings):
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise RuntimeError("RAG_STORE=milvus needs the scale extra: pip install -e '.[scale]'") from None
    from pymilvus.exceptions import MilvusException

    # Milvus Lite has no server clock; pymilvus warns of it on every id scan. Real errors are still raised.
    logging.getLogger("pymilvus").setLevel(logging.ERROR)
    uri = settings.milvus_uri
    local = _is_local(uri)
    if local:
        from pathlib import Path

        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    try:
        return MilvusClient(uri=uri, token=settings.milvus_token or "")
    except MilvusException as exc:
        if local:
            raise RuntimeError(f"cannot open the Milvus Lite file {uri}: is it open in another process? Milvus Lite "
                               "lets one process at a time use a file; stop the other (the page, say) or point "
                               "RAG_MILVUS_URI at a Milvus server") from exc
        raise RuntimeError(f"cannot reach Milvus at {uri}: {exc}") from exc


def _is_local(uri: str) -> bool:
    """A file path: Milvus Lite, which only one process at a time can open (a URL is a shared server)."""
    return "://" not in uri


def _clip(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes: a Milvus server counts a VARCHAR's length in bytes, not characters."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", errors="ignore")


def _stop_words() -> list[str]:
    """bm25s's English stop words, and every one-character token: bm25s's tokenizer only keeps words of two or
    more characters, and a stop word is the one filter both Milvus Lite and a Milvus server have."""
    import string

    from bm25s.stopwords import STOPWORDS_EN

    return sorted(set(STOPWORDS_EN) | set(string.ascii_lowercase + string.digits + "_"))


class MilvusStore:
    name = "milvus"

    def __init__(self, settings: Settings, dim: int):
        self.settings = settings
        self.client = _client(settings)
        # The embedding model and chunking are part of the name: after a change of model the rows (same chunk ids,
        # other vectors) go to a collection of their own instead of mixing with the old model's vectors.
        code = hashlib.sha256(json.dumps(settings.index_fingerprint(), sort_keys=True).encode()).hexdigest()[:8]
        self.collection = f"{settings.milvus_collection}_{code}"
        self.dim = dim
        if not self.client.has_collection(self.collection):
            self._create()
        self.client.load_collection(self.collection)  # Milvus Lite needs this after reopening a file

    @classmethod
    def for_index(cls, index, settings: Settings, sync: bool | None = None) -> MilvusStore:
        """The store for a loaded local build. `sync` brings the collection in line with the build (what
        `rag index` does); by default a Milvus Lite file is synced, and a shared server only filled when empty,
        so a reader with an older build never deletes what another host added."""
        store = cls(settings, int(index.vectors.d))
        if sync or (sync is None and (_is_local(settings.milvus_uri) or store.count() == 0)):
            store.sync(index.chunks, index.vectors)
        return store

    def _create(self) -> None:
        from pymilvus import DataType, Function, FunctionType

        schema = self.client.create_schema(auto_id=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=256)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=128)
        schema.add_field("edition", DataType.VARCHAR, max_length=128)
        schema.add_field("section", DataType.VARCHAR, max_length=MAX_SECTION)
        schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT, enable_analyzer=True,
                         analyzer_params={"tokenizer": "standard",
                                          "filter": ["lowercase", {"type": "stop", "stop_words": _stop_words()}]})
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dim)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("chunk", DataType.JSON)  # the whole chunk: offsets, pages, footnotes
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                     output_field_names=["sparse"]))
        params = self.client.prepare_index_params()
        params.add_index("dense", index_type="FLAT", metric_type="IP")
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25_PARAMS)
        self.client.create_collection(self.collection, schema=schema, index_params=params)

    # -------------------------------------------------------------- writing

    def ids(self) -> set[str]:
        out: set[str] = set()
        it = self.client.query_iterator(self.collection, batch_size=BATCH * 4, filter="", output_fields=["id"])
        while True:
            rows = it.next()
            if not rows:
                it.close()
                return out
            out.update(r["id"] for r in rows)

    def sync(self, chunks: list[Chunk], vectors) -> dict:
        """Make the collection hold exactly these chunks: add the missing (with their vectors), delete the gone."""
        t0 = time.perf_counter()
        have = self.ids()
        want = {c.id for c in chunks}
        gone = sorted(have - want)
        todo = [i for i, c in enumerate(chunks) if c.id not in have]
        if gone:
            for start in range(0, len(gone), BATCH):
                self.client.delete(self.collection, ids=gone[start:start + BATCH])
        if todo:
            vecs = vectors if isinstance(vectors, np.ndarray) else vectors.reconstruct_n(0, vectors.ntotal)
            for start in range(0, len(todo), BATCH):
                part = todo[start:start + BATCH]
                self.add([chunks[i] for i in part], vecs[part])
        if gone or todo:
            self.client.flush(self.collection)  # a query right after a large insert is slow until flushed
        return {"added": len(todo), "deleted": len(gone), "kept": len(have & want),
                "seconds": round(time.perf_counter() - t0, 2)}

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        rows = [{"id": c.id, "doc_id": c.doc_id, "edition": c.edition, "section": _clip(c.section, MAX_SECTION),
                 "text": _clip(c.embedding_text(), MAX_TEXT), "dense": np.asarray(v, dtype="float32").tolist(),
                 "chunk": json.loads(json.dumps(c.__dict__))}
                for c, v in zip(chunks, vectors)]
        if rows:
            self.client.upsert(self.collection, rows)  # two writers syncing at once must not duplicate a row

    def delete(self, doc_id: str) -> int:
        before = self.count()
        self.client.delete(self.collection, filter=f"doc_id == {json.dumps(doc_id)}")
        self.client.flush(self.collection)
        return before - self.count()

    # -------------------------------------------------------------- reading

    def count(self) -> int:
        return int(self.client.get_collection_stats(self.collection).get("row_count", 0))

    def stats(self) -> dict:
        return {"store": self.name, "uri": self.settings.milvus_uri, "collection": self.collection,
                "chunks": self.count()}

    def search(self, question: str, query_vector: np.ndarray, n: int, doc: str | None = None) -> list[Hit]:
        from pymilvus import AnnSearchRequest, RRFRanker

        expr = f"doc_id == {json.dumps(doc)}" if doc else ""
        qv = np.asarray(query_vector, dtype="float32").reshape(-1)
        dense = AnnSearchRequest(data=[qv.tolist()], anns_field="dense", param={"metric_type": "IP"}, limit=n,
                                 expr=expr)
        sparse = AnnSearchRequest(data=[question], anns_field="sparse", param={"metric_type": "BM25"}, limit=n,
                                  expr=expr)
        result = self.client.hybrid_search(self.collection, [dense, sparse], ranker=RRFRanker(self.settings.rrf_k),
                                           limit=n, output_fields=["dense"])
        hits = []
        for row in result[0]:
            vector = np.asarray(row["entity"]["dense"], dtype="float32")
            hits.append(Hit(row["id"], float(row["distance"]), float(vector @ qv)))
        # Fused scores tie when two chunks swap ranks across the lists; the default store orders them by id.
        return sorted(hits, key=lambda h: (-h.score, h.chunk_id))
