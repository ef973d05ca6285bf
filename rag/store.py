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


def rrf(lists: list[list[tuple[int, float]]], weights: list[float], k: int) -> dict[int, float]:
    """Reciprocal rank fusion: each list adds weight / (k + rank + 1) to an item's score (ranks from 0)."""
    fused: dict[int, float] = {}
    for items, weight in zip(lists, weights):
        for rank, (i, _) in enumerate(items):
            fused[i] = fused.get(i, 0.0) + weight / (k + rank + 1)
    return fused


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
        scores, ids = self.vectors.search(query_vector, n, params=params)
        dense = [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
        mask = None if allowed is None else allowed.astype("float32")
        bm25_ids, bm25_scores = self.bm25.retrieve(bm25_tokens([question]), k=n, show_progress=False,
                                                   weight_mask=mask)
        lexical = [(int(i), float(s)) for i, s in zip(bm25_ids[0], bm25_scores[0]) if s > 0]
        fused = rrf([dense, lexical], [self.settings.dense_weight, self.settings.bm25_weight], self.settings.rrf_k)
        dense_rank = {i: r for r, (i, _) in enumerate(dense)}
        bm25_rank = {i: r for r, (i, _) in enumerate(lexical)}
        dense_score = dict(dense)
        return [Hit(self.chunks[i].id, fused[i], dense_score.get(i, 0.0), dense_rank.get(i), bm25_rank.get(i))
                for i in sorted(fused, key=lambda i: -fused[i])]

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Add chunks in memory; the index on disk is written by `rag index` (rag.index.build). Copy on write: the
        loaded index may be shared (the Assistant's), so it is never changed in place."""
        import faiss

        grown = faiss.clone_index(self.vectors)
        grown.add(np.asarray(vectors, dtype="float32"))
        self.vectors = grown
        self.chunks += chunks
        self._reindex_bm25()

    def delete(self, doc_id: str) -> int:
        keep = [i for i, c in enumerate(self.chunks) if c.doc_id != doc_id]
        removed = len(self.chunks) - len(keep)
        if removed:
            import faiss

            kept = self.vectors.reconstruct_n(0, self.vectors.ntotal)[keep]
            self.vectors = faiss.IndexFlatIP(kept.shape[1])
            self.vectors.add(kept)
            self.chunks = [self.chunks[i] for i in keep]
            self._reindex_bm25()
        return removed

    def stats(self) -> dict:
        docs: dict[str, int] = {}
        for c in self.chunks:
            docs[c.doc_id] = docs.get(c.doc_id, 0) + 1
        return {"store": self.name, "chunks": len(self.chunks), "vectors": int(self.vectors.ntotal), "documents": docs}

    def _reindex_bm25(self) -> None:
        import bm25s

        self.bm25 = bm25s.BM25()
        self.bm25.index(bm25_tokens([c.embedding_text() for c in self.chunks]), show_progress=False)


def open_store(index, settings: Settings, sync: bool | None = None) -> Store:
    """The store `RAG_STORE` names, over the loaded local build; `sync=True` when writing (rag index)."""
    if settings.store == "faiss":
        return FaissStore.from_index(index, settings)
    if settings.store == "milvus":
        return MilvusStore.for_index(index, settings, sync)
    raise ValueError(f"RAG_STORE must be one of {', '.join(STORES)}, not {settings.store!r}")
