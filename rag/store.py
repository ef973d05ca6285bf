"""Where the retriever finds candidate chunks: a narrow Store with two implementations.

- `FaissStore` (the default, `RAG_STORE=faiss`): the FAISS and bm25s files of the local build, exact inner-product
  search and BM25, fused by reciprocal rank. This is the search the retriever always did, moved here unchanged.
- `MilvusStore` (`RAG_STORE=milvus`, rag/milvus_store.py): one Milvus collection holding each chunk's text,
  metadata, dense vector and BM25 sparse vector, searched with `hybrid_search` and Milvus's RRF ranker. Milvus Lite
  (a file path in `RAG_MILVUS_URI`) or a server or cluster (`http://host:19530`), by configuration only.

Either way the local build (index/build-*/) stays the catalogue: the chunks' text and offsets, the sentence table
the answer stage reads, the edition twins. A store only ranks chunk ids.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol

import numpy as np

from rag.milvus_store import MilvusStore
from rag.schema import Chunk, Hit
from rag.settings import Settings

STORES = ("faiss", "milvus")


class Store(Protocol):
    name: str

    def search(self, question: str, query_vector: np.ndarray, n: int, doc: str | None = None) -> list[Hit]: ...

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None: ...

    def delete(self, doc_id: str) -> int: ...

    def stats(self) -> dict: ...


def bm25_tokens(texts: list[str]):
    """The embedded store's BM25 tokens: bm25s's tokenizer (words of two or more characters), English stop words."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", show_progress=False)


def bm25_index(chunks: list[Chunk]):
    """The embedded store's BM25 index over the chunks' text (built by `rag index`, and again after an add)."""
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25_tokens([c.embedding_text() for c in chunks]), show_progress=False)
    return retriever


def rrf(lists: list[list[tuple[int, float]]], weights: list[float], k: int) -> dict[int, float]:
    """Reciprocal rank fusion: each list adds weight / (k + rank + 1) to an item's score (ranks from 0)."""
    fused: dict[int, float] = {}
    for items, weight in zip(lists, weights):
        for rank, (i, _) in enumerate(items):
            fused[i] = fused.get(i, 0.0) + weight / (k + rank + 1)
    return fused


def _ranked(pairs, n: int) -> list[tuple[int, float]]:
    """(row, score) best first, ties by row, the first n; rows under 0 (FAISS's "none") dropped."""
    return sorted(((int(i), float(s)) for i, s in pairs if i >= 0), key=lambda t: (-t[1], t[0]))[:n]


class FaissStore:
    """The embedded default: FAISS (inner product on unit vectors) and bm25s, in memory, from the local build."""

    name = "faiss"

    def __init__(self, chunks: list[Chunk], vectors, bm25, settings: Settings):
        self.chunks, self.vectors, self.bm25, self.settings = list(chunks), vectors, bm25, settings

    @classmethod
    def from_index(cls, index, settings: Settings) -> FaissStore:
        return cls(index.chunks, index.vectors, index.bm25, settings)

    def search(self, question: str, query_vector: np.ndarray, n: int, doc: str | None = None) -> list[Hit]:
        n = min(n, len(self.chunks))
        allowed = None if doc is None else np.array([c.doc_id == doc for c in self.chunks])
        if allowed is not None and not allowed.any():
            return []
        params = None
        if allowed is not None:
            import faiss

            selector = faiss.IDSelectorBatch(np.flatnonzero(allowed).astype("int64"))
            params = (faiss.SearchParametersHNSW(sel=selector, efSearch=max(n, 256))
                      if isinstance(self.vectors, faiss.IndexHNSWFlat) else faiss.SearchParameters(sel=selector))
        # Twin passages of the two editions score exactly alike; neither FAISS nor bm25s orders ties, so each
        # list is over-fetched, ordered by score then row (as Milvus orders its lists) and cut, and fused ties
        # go by chunk id (as MilvusStore orders them): the same question gets the same passages on either store.
        wide = min(2 * n, len(self.chunks))
        scores, ids = self.vectors.search(query_vector, wide, params=params)
        dense = _ranked(zip(ids[0], scores[0]), n)
        mask = None if allowed is None else allowed.astype("float32")
        bm25_ids, bm25_scores = self.bm25.retrieve(bm25_tokens([question]), k=wide, show_progress=False,
                                                   weight_mask=mask)
        lexical = _ranked(((i, s) for i, s in zip(bm25_ids[0], bm25_scores[0]) if s > 0), n)
        fused = rrf([dense, lexical], [self.settings.dense_weight, self.settings.bm25_weight], self.settings.rrf_k)
        dense_rank = {i: r for r, (i, _) in enumerate(dense)}
        bm25_rank = {i: r for r, (i, _) in enumerate(lexical)}
        dense_score = dict(dense)
        return [Hit(self.chunks[i].id, fused[i], dense_score.get(i, 0.0), dense_rank.get(i), bm25_rank.get(i))
                for i in sorted(fused, key=lambda i: (-fused[i], self.chunks[i].id))]

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Add chunks in memory; the index on disk is written by `rag index` (rag.index.build). Copy on write: the
        loaded index may be shared (the Assistant's), so it is never changed in place."""
        import faiss

        grown = faiss.clone_index(self.vectors)
        grown.add(np.asarray(vectors, dtype="float32"))
        self.vectors = grown
        self.chunks += chunks
        self.bm25 = bm25_index(self.chunks)

    def delete(self, doc_id: str) -> int:
        keep = [i for i, c in enumerate(self.chunks) if c.doc_id != doc_id]
        removed = len(self.chunks) - len(keep)
        if removed:
            import faiss

            kept = self.vectors.reconstruct_n(0, self.vectors.ntotal)[keep]
            self.vectors = faiss.IndexFlatIP(kept.shape[1])
            self.vectors.add(kept)
            self.chunks = [self.chunks[i] for i in keep]
            self.bm25 = bm25_index(self.chunks)
        return removed

    def stats(self) -> dict:
        docs = dict(Counter(c.doc_id for c in self.chunks))
        return {"store": self.name, "chunks": len(self.chunks), "vectors": int(self.vectors.ntotal), "documents": docs}

def _named(settings: Settings) -> str:
    if settings.store not in STORES:
        raise ValueError(f"RAG_STORE must be one of {', '.join(STORES)}, not {settings.store!r}")
    return settings.store


def open_store(index, settings: Settings) -> Store:
    """The store `RAG_STORE` names, over the loaded local build, for reading."""
    if _named(settings) == "faiss":
        return FaissStore.from_index(index, settings)
    return MilvusStore.for_index(index, settings)


def sync_store(settings: Settings, chunks: list[Chunk], vectors: np.ndarray) -> dict | None:
    """`rag index`'s write to a store outside the build (Milvus): made to hold exactly these chunks. Its stats, or
    None for the embedded store, whose files the build itself writes."""
    if _named(settings) == "faiss":
        return None
    store = MilvusStore(settings, vectors.shape[1])
    store.sync(chunks, vectors)
    return store.stats()
