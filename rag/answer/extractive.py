"""The extractive answerer: analyse the question, score the retrieved sentences, compose by kind."""

from __future__ import annotations

import time

import numpy as np

from rag import embed
from rag.answer.compose import Context, compose
from rag.answer.core import CorpusStats
from rag.answer.features import SentenceModel, load_model
from rag.answer.question import analyse
from rag.index import Index
from rag.schema import Answer, Passage
from rag.settings import Settings


def extractive_answer(
    question: str,
    passages: list[Passage],
    settings: Settings,
    index: Index,
    qid: str | None = None,
    stats: CorpusStats | None = None,
    query_vector: np.ndarray | None = None,
    model: SentenceModel | None = None,
) -> Answer:
    """A cited answer quoting the report, or "the report does not say" with the closest passages."""
    t0 = time.perf_counter()
    plan = analyse(question)
    if query_vector is None:
        query_vector = embed.encode_query(settings, [question])
    ctx = Context(settings, index, stats, model or load_model(settings.answer_model), query_vector, question)
    answer = compose(question, plan, passages, ctx, qid)
    answer.plan = plan
    answer.timings_ms["answer"] = round((time.perf_counter() - t0) * 1000, 2)
    return answer
