"""The answer stage: understand the question, choose the report's sentences, compose a cited answer, verify it."""

from rag.answer.core import (
    CorpusStats,
    QuestionError,
    _idf,
    abstain,
    asks_for_figure,
    citation_for,
    clean_question,
    score_sentence,
    verify_figures,
    wanted_units,
)
from rag.answer.extractive import extractive_answer

__all__ = [
    "CorpusStats", "QuestionError", "_idf", "abstain", "asks_for_figure", "citation_for", "clean_question",
    "extractive_answer", "score_sentence", "verify_figures", "wanted_units",
]
