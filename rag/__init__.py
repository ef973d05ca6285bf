"""Recovery Report Assistant: cited answers and figure checks over the NHS Confederation's
"Manifesto for recovery" (September 2021).

    from rag import Assistant
    answer = Assistant().ask("How many NHS staff vacancies were there?")
"""

from rag.assistant import Assistant
from rag.schema import Answer, Chunk, Citation, Figure, Passage, Section, Verdict
from rag.settings import Settings

__all__ = ["Assistant", "Answer", "Chunk", "Citation", "Figure", "Passage", "Section", "Settings", "Verdict"]
