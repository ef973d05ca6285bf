"""The HTTP API beside the page: JSON for newsrooms and other services, no browser needed.

    POST /api/ask      {"question": "...", "mode": "extractive"}  -> the Answer, as `rag ask --json` prints it
    POST /api/check    {"claim": "..."}                           -> the Verdict (or, for a whole text, the TextCheck),
                                                                     as `rag check --json` prints it
    GET  /api/figures  ?q=vacancies                               -> {"figures": [...]}, as `rag figures --json`

A thin layer over the library, in the page's process (ui.py mounts the page on this app), with the same
settings and limits: a question longer than RAG_MAX_QUESTION_CHARS is refused with the same message. FastAPI
writes the OpenAPI description at /api/openapi.json. Handlers are plain functions, which FastAPI runs on its
thread pool; generated answers wait for the Assistant's generation slots (RAG_GENERATE_SLOTS), so a slow model
never holds up quotes.
"""

# No `from __future__ import annotations` here: FastAPI reads the request models from the handlers'
# annotations, and the models are defined inside create_api so that importing this module costs nothing.
import threading
from typing import Literal

from rag import claims, figure_table
from rag.answer import QuestionError
from rag.assistant import Assistant
from rag.schema import Verdict, to_dict


def create_api(assistant: Assistant):
    from fastapi import FastAPI, Query
    from fastapi.responses import JSONResponse
    from pydantic import BaseModel, Field

    settings = assistant.settings
    # Generated answers hold a worker thread while they wait for the Assistant's slots; past a few waiting, say
    # so at once, so they never take the thread pool that quotes are served from.
    generating = threading.BoundedSemaphore(max(2, 4 * settings.generate_slots))

    class AskBody(BaseModel):
        question: str = Field(description="The question, in any words; at most RAG_MAX_QUESTION_CHARS characters.")
        mode: Literal["extractive", "local", "openai"] = Field(
            default="extractive", description="extractive quotes the report; local and openai generate and verify.")
        doc: str | None = Field(default=None, description="Only this document of the library (GET /api/documents).")

    class CheckBody(BaseModel):
        claim: str = Field(description="One claim with a figure ('More than 93,000 NHS posts are vacant.'), or a whole "
                                       "text: then the answer is {text, claims: [verdicts with start, end], summary}.")

    app = FastAPI(
        title="Recovery Report Assistant API",
        description="Cited answers and figure checks over the NHS Confederation's Manifesto for recovery (2021). "
                    "Every figure in an answer is stated in a quote the answer cites.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )

    @app.post("/api/ask", summary="Ask the report a question")
    def ask(body: AskBody):
        if body.mode == "openai" and not settings.llm_base_url:
            return JSONResponse({"error": "the openai mode needs RAG_LLM_BASE_URL on the server"}, status_code=400)
        if body.mode == "extractive":
            answer = assistant.ask(body.question, body.mode, doc=body.doc)
        elif not generating.acquire(blocking=False):
            return JSONResponse({"error": f"the {body.mode} mode is busy with other questions; ask again, or use "
                                          "extractive"}, status_code=503)
        else:
            try:
                answer = assistant.ask(body.question, body.mode, doc=body.doc)
            finally:
                generating.release()
        return JSONResponse(to_dict(answer), status_code=400 if answer.error else 200)

    @app.get("/api/documents", summary="The library: every document, with its id, title, kind and chunks")
    def documents():
        return {"documents": to_dict(assistant.documents())}

    @app.post("/api/check", summary="Check a claim, or every claim of a text, against the report")
    def check_claim(body: CheckBody):
        try:
            result = claims.check_claim_or_text(assistant, body.claim)
        except QuestionError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(to_dict(result), status_code=400 if isinstance(result, Verdict) and result.error else 200)

    @app.get("/api/figures", summary="Every figure the report states, with its sentence and place")
    def figures(q: str | None = Query(default=None, max_length=settings.max_question_chars,
                                      description="only figures whose sentence uses these words")):
        return JSONResponse({"figures": figure_table.figure_table(settings, q)})

    return app
