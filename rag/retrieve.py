"""Hybrid retrieval: the store's fused dense + BM25 ranking (rag.store), editions collapsed.

The two editions say almost the same thing, so a hit keeps its twin from the
other edition in `Passage.also` instead of taking a second slot, and a note says
when the twins state different figures.
"""

from __future__ import annotations

import numpy as np

from rag import figures
from rag.index import Index
from rag.schema import Chunk, Hit, Passage
from rag.settings import Settings
from rag.store import Store, open_store
from rag.text import sentences, words


class Retriever:
    def __init__(self, index: Index, settings: Settings, store: Store | None = None):
        self.index = index
        self.settings = settings
        self.store = store or open_store(index, settings)
        self._notes: dict[tuple[str, ...], list[str]] = {}  # a chunk's twins are fixed per build: note once

    def embed_query(self, question: str) -> np.ndarray:
        from rag import embed

        return embed.encode_query(self.settings, [question])

    def search(self, question: str, k: int | None = None, query_vector: np.ndarray | None = None,
               doc: str | None = None) -> list[Passage]:
        """The k best passages; `doc` keeps to one document (a doc id, as `rag docs` lists them)."""
        k = k or self.settings.k
        qv = self.embed_query(question) if query_vector is None else query_vector
        return self.collapse(self.store.search(question, qv, self.settings.candidates, doc), k)

    def collapse(self, hits: list[Hit], k: int) -> list[Passage]:
        """Collapse edition twins into one passage, best first."""
        by_id = self.index.by_id
        taken: set[str] = set()
        out: list[Passage] = []
        for hit in hits:
            chunk = by_id.get(hit.chunk_id)
            if chunk is None or chunk.id in taken:
                continue  # a store ahead of this build; rag.milvus_store syncs it when the build changes
            twins = [by_id[t] for t in self.index.twins.get(chunk.id, []) if t in by_id]
            taken.add(chunk.id)
            taken.update(t.id for t in twins)
            passage = Passage(
                chunk=chunk,
                # Dense cosine is the evidence strength the abstention threshold is calibrated on.
                score=hit.dense,
                dense_rank=hit.dense_rank,
                bm25_rank=hit.bm25_rank,
                also=twins,
            )
            key = (chunk.id, *(t.id for t in twins))
            if key not in self._notes:
                self._notes[key] = edition_differences(chunk, twins)
            passage.notes = list(self._notes[key])
            out.append(passage)
            if len(out) >= k:
                break
        return out


def edition_differences(chunk: Chunk, twins: list[Chunk]) -> list[str]:
    """Sentences that the two editions state with different figures or dates."""
    notes = []
    for twin in twins:
        for a, b, only_a, only_b in differing_sentences(chunk.text, twin.text):
            notes.append(
                f"The {chunk.edition} edition says {', '.join(only_a)} where the {twin.edition} edition says "
                f"{', '.join(only_b)}: “{a}” / “{b}”"
            )
    return notes


def differing_sentences(text_a: str, text_b: str) -> list[tuple[str, str, list[str], list[str]]]:
    """Pairs of matching sentences (mostly the same words) whose figures differ."""
    out = []
    b_sentences = [(s, set(words(s))) for s in sentences(text_b)]
    for sa in sentences(text_a):
        fa = [f for f in figures.find_figures(sa) if not figures.is_trivial(f)]
        if not fa:
            continue
        wa = set(words(sa))
        best, best_overlap = None, 0.0
        for sb, wb in b_sentences:
            overlap = len(wa & wb) / max(1, len(wa | wb))
            if overlap > best_overlap:
                best, best_overlap = sb, overlap
        if best is None or best_overlap < 0.6:
            continue
        fb = [f for f in figures.find_figures(best) if not figures.is_trivial(f)]
        only_a = [f.text for f in fa if not figures.appears_in(f, fb)]
        only_b = [f.text for f in fb if not figures.appears_in(f, fa)]
        if only_a or only_b:
            out.append((sa, best, only_a or ["nothing"], only_b or ["nothing"]))
    return out


def as_langchain_retriever(retriever: Retriever, k: int | None = None):
    """The hybrid retriever as a LangChain `BaseRetriever`, for use in chains."""
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    class ReportRetriever(BaseRetriever):
        k: int = 5

        def _get_relevant_documents(
            self, query: str, *, run_manager: CallbackManagerForRetrieverRun
        ) -> list[Document]:
            return [
                Document(
                    page_content=p.chunk.text,
                    metadata={
                        "chunk_id": p.chunk.id,
                        "edition": p.chunk.edition,
                        "section": p.chunk.section,
                        "score": p.score,
                        "also": [c.id for c in p.also],
                        "notes": p.notes,
                    },
                )
                for p in retriever.search(query, self.k)
            ]

    return ReportRetriever(k=k or retriever.settings.k)
