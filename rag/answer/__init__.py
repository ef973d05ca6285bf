"""The answer stage: understand the question, choose the report's sentences, compose a cited answer, verify it."""

from rag.answer.core import CorpusStats, QuestionError, abstain, citation_for, clean_question, verify_figures
from rag.answer.extractive import extractive_answer

__all__ = ["CorpusStats", "QuestionError", "abstain", "citation_for", "clean_question", "extractive_answer",
           "verify_figures"]
