"""Hybrid retrieval: dense (FAISS) and BM25 ranks fused, editions collapsed.

The two editions say almost the same thing, so a hit keeps its twin from the
other edition in `Passage.also` instead of taking a second slot, and a note says
when the twins state different figures.
"""

from __future__ import annotations

import numpy as np

from rag import figures
from rag.index import Index, bm25_tokens
from rag.schema import Chunk, Passage
from rag.settings import Settings
from rag.text import sentences, words


class Retriever:
    def __init__(self, index: Index, settings: Settings):
        self.index = index
        self.settings = settings
        self._notes: dict[tuple[str, ...], list[str]] = {}  # a chunk's twins are fixed per build: note once

    def embed_query(self, question: str) -> np.ndarray:
        from rag import embed

        return embed.encode_query(self.settings, [question])

    def search(self, question: str, k: int | None = None, query_vector: np.ndarray | None = None) -> list[Passage]:
        k = k or self.settings.k
        n = min(self.settings.candidates, len(self.index.chunks))
        qv = self.embed_query(question) if query_vector is None else query_vector
        scores, ids = self.index.vectors.search(qv, n)
        dense = [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
        bm25_ids, bm25_scores = self.index.bm25.retrieve(bm25_tokens([question]), k=n, show_progress=False)
        lexical = [(int(i), float(s)) for i, s in zip(bm25_ids[0], bm25_scores[0]) if s > 0]
        return self.fuse(dense, lexical, k)

    def fuse(self, dense: list[tuple[int, float]], lexical: list[tuple[int, float]], k: int) -> list[Passage]:
        """Reciprocal rank fusion, then collapse edition twins into one passage."""
        rrf = self.settings.rrf_k
        fused: dict[int, float] = {}
        dense_rank = {i: r for r, (i, _) in enumerate(dense)}
        dense_score = dict(dense)
        bm25_rank = {i: r for r, (i, _) in enumerate(lexical)}
        for i, r in dense_rank.items():
            fused[i] = fused.get(i, 0.0) + self.settings.dense_weight / (rrf + r + 1)
        for i, r in bm25_rank.items():
            fused[i] = fused.get(i, 0.0) + self.settings.bm25_weight / (rrf + r + 1)
        order = sorted(fused, key=lambda i: -fused[i])
        chunks = self.index.chunks
        taken: set[str] = set()
        out: list[Passage] = []
        for i in order:
            chunk = chunks[i]
            if chunk.id in taken:
                continue
            twins = [self.index.by_id[t] for t in self.index.twins.get(chunk.id, []) if t in self.index.by_id]
            taken.add(chunk.id)
            taken.update(t.id for t in twins)
            passage = Passage(
                chunk=chunk,
                # Dense cosine is the evidence strength the abstention threshold is calibrated on.
                score=dense_score.get(i, 0.0),
                dense_rank=dense_rank.get(i),
                bm25_rank=bm25_rank.get(i),
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
