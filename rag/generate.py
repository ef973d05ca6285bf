"""Generated answers: one LCEL chain, retriever -> prompt -> model -> parser -> verifier.

The model writes; it is never trusted. Every sentence it writes must cite
passages it was given, and every figure in the sentence must be stated in a
passage that sentence cites. Sentences that fail are removed and listed; when
nothing verified is left, the extractive answer is shown instead. The
extractive answerer also decides whether the report answers at all: when it
abstains, nothing is generated.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rag import figures
from rag.answer import (
    QuestionError,
    citation_for,
    clean_question,
    extractive_answer,
    verify_figures,
)
from rag.prompts import load_prompt
from rag.schema import Answer, Citation, Passage
from rag.settings import Settings
from rag.text import content_words, sentences, stem

LOCAL_PROMPT = "answer_local"  # the plain prompt; the default is Settings.local_prompt (RAG_LOCAL_PROMPT)
# Every worked example answers on one line; past it the model starts writing new passages.
LOCAL_STOP = ["###", "\n"]
LOCAL_PASSAGES = 2  # a 270M model copies the wrong one with more (dev split: docs/generate.md); each costs CPU time
# Answers the 270M model cannot write: it copies one sentence, and these need every item of the plan.
LOCAL_QUOTES_KINDS = ("list", "summary", "document")
NOT_ANSWERED = "The passages do not say."

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# A marker opening a sentence ("[2] The NHS ..."), as small models write them.
_LEADING_MARKER = re.compile(r"(?:^\s*|(?<=[.!?])\s+)(\[\d+(?:\s*,\s*\d+)*\])[\s:.-]*")
_LEAD_IN_PROMPT = re.compile(r"Answer:( \[(?:\d+\])?)$")
# "... 2020. [2]" -> "... 2020 [2]." so the sentence splitter keeps the marker with its sentence.
_MARKER_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)")


@dataclass
class Shown:
    """What the model was given: passage n is `passages[n - 1]`, shown as `texts[n - 1]`."""

    passages: list[Passage] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def context(self) -> str:
        return "\n".join(f"[{n}] {t}" for n, t in enumerate(self.texts, 1))


# ---------------------------------------------------------------- models


def make_model(mode: str, settings: Settings):
    """The LangChain model for a mode: the packaged Gemma (local) or an OpenAI-compatible endpoint."""
    if mode == "local":
        from rag.llm import local_model

        return local_model(settings)
    if mode == "openai":
        if not settings.llm_model:
            raise ValueError("endpoint mode needs RAG_LLM_MODEL (and RAG_LLM_BASE_URL for a server other than OpenAI)")
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url or None,
            # Local servers (Ollama, vLLM, llama.cpp) accept any key but the client insists on one.
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
            max_tokens=settings.llm_max_tokens,
            temperature=0,
        )
    raise ValueError(f"unknown generation mode {mode!r}: use local or openai")


def make_prompt(mode: str, settings: Settings, prompt_name: str | None = None):
    from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

    if mode == "local" or prompt_name:
        # A base model continues text, so its prompt is one completion template. It must end where the
        # answer starts: after the file's final newline the model writes the next "[n]" passage line.
        text = load_prompt(prompt_name or settings.local_prompt or LOCAL_PROMPT, settings).rstrip("\n")
        return PromptTemplate.from_template(text)
    return ChatPromptTemplate.from_messages(
        [("system", load_prompt("answer_chat_system", settings)), ("human", load_prompt("answer_chat_user", settings))]
    )


def generation_chain(mode: str, settings: Settings, model=None, prompt_name: str | None = None):
    """prompt -> model -> parser: {"question", "context"} -> text."""
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.runnables import RunnableGenerator

    model = model if model is not None else make_model(mode, settings)
    if mode == "local":
        model = model.bind(stop=LOCAL_STOP)
    prompt = make_prompt(mode, settings, prompt_name)
    chain = prompt | model | StrOutputParser()
    # A prompt may end by starting the answer ("Answer: [1]" or "Answer: [") so a base
    # model opens with a citation; that start is part of the answer.
    lead = _LEAD_IN_PROMPT.search(getattr(prompt, "template", "") or "")
    if lead:
        start = lead.group(1)

        def with_lead(pieces: Iterator[str]) -> Iterator[str]:
            yield start
            yield from pieces

        chain = chain | RunnableGenerator(with_lead)
    return chain


def answer_chain(assistant, mode: str, model=None, prompt_name: str | None = None):
    """The whole chain: {"question", optional "passages", "qid"} -> verified Answer.

    Without "passages" the chain retrieves them itself.
    """
    from langchain_core.runnables import RunnableBranch, RunnableLambda, RunnablePassthrough

    settings = assistant.settings
    gen = generation_chain(mode, settings, model, prompt_name)
    seconds = total_seconds(mode, settings)

    def retrieve(x: dict) -> dict:
        if x.get("passages") is None:
            return {**x, "passages": assistant.retriever.search(x["question"])}
        return x

    def generate(x: dict) -> str:
        return "".join(bounded(lambda: [gen.invoke(x)], seconds))

    # A failing model becomes an empty text with the failure attached; the verifier explains it.
    failed = RunnablePassthrough.assign(text=lambda _: "")
    return (
        RunnableLambda(retrieve)
        | RunnableLambda(lambda x: prepare(x, assistant, mode))
        | RunnableBranch(
            (lambda x: x["extractive"].abstained, RunnableLambda(lambda x: abstained(x["extractive"], mode))),
            (lambda x: quotes_only(x["extractive"], mode), RunnableLambda(lambda x: quoted_plan(x["extractive"], mode))),
            RunnablePassthrough.assign(text=RunnableLambda(generate)).with_fallbacks([failed], exception_key="failure")
            | RunnableLambda(lambda x: verify(x, assistant, mode)),
        )
    )


def total_seconds(mode: str, settings: Settings) -> float | None:
    """A hard bound on one endpoint answer, retries included; the local model is bounded by its token budget."""
    if mode != "openai":
        return None
    return settings.llm_timeout * (settings.llm_max_retries + 1) + 2.0


def bounded(produce: Callable[[], Iterable[str]], seconds: float | None) -> Iterator[str]:
    """Pieces from `produce()`, giving up with TimeoutError after `seconds` in total.

    The HTTP client's timeout bounds each wait, not a server that trickles
    forever; running the producer in a daemon thread bounds the whole answer.
    """
    if seconds is None:
        yield from produce()
        return
    q: queue.Queue = queue.Queue()
    done = object()

    def run() -> None:
        try:
            for piece in produce():
                q.put(piece)
            q.put(done)
        except BaseException as exc:  # handed to the consumer
            q.put(exc)

    threading.Thread(target=run, daemon=True).start()
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no complete answer within {seconds:.0f} s")
        try:
            item = q.get(timeout=remaining)
        except queue.Empty:
            continue
        if item is done:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


# ---------------------------------------------------------------- entry points


def generated_answer(
    question: str, passages: list[Passage], assistant, mode: str, qid: str | None = None,
    model=None, prompt_name: str | None = None,
) -> Answer:
    """A generated, verified answer for passages already retrieved (called by Assistant.ask)."""
    t0 = time.perf_counter()
    try:
        chain = answer_chain(assistant, mode, model, prompt_name)
    except (ValueError, ImportError) as exc:
        x = prepare({"question": question, "passages": passages, "qid": qid}, assistant, mode)
        if x["extractive"].abstained:
            return abstained(x["extractive"], mode)
        return fallback(x, mode, f"the {mode} model is not available: {exc}; showing the extractive answer", [])
    answer = chain.invoke({"question": question, "passages": passages, "qid": qid})
    answer.timings_ms["answer"] = round((time.perf_counter() - t0) * 1000, 2)
    return answer


def stream_answer(assistant, question: object, mode: str, history: list[str] | None = None,
                  doc: str | None = None) -> Iterator[str | Answer]:
    """Yield the model's text as it is generated, then the final verified Answer."""
    t0 = time.perf_counter()
    try:
        text = clean_question(question, assistant.settings)
    except QuestionError as exc:
        yield Answer.failed(question, str(exc), mode)
        return
    passages = assistant.retriever.search(assistant.contextual_query(text, history or []), doc=doc)
    t1 = time.perf_counter()
    x = prepare({"question": text, "passages": passages, "qid": None}, assistant, mode)
    if x["extractive"].abstained:
        answer = abstained(x["extractive"], mode)
    elif quotes_only(x["extractive"], mode):
        answer = quoted_plan(x["extractive"], mode)
    else:
        pieces: list[str] = []
        try:
            gen = generation_chain(mode, assistant.settings)
            for piece in bounded(lambda: gen.stream(x), total_seconds(mode, assistant.settings)):
                pieces.append(piece)
                yield piece
        except Exception as exc:  # any model failure ends in the extractive answer, never a traceback
            x["failure"] = exc
        x["text"] = "".join(pieces)
        answer = verify(x, assistant, mode)
    answer.timings_ms["retrieve"] = round((t1 - t0) * 1000, 2)
    answer.timings_ms["answer"] = round((time.perf_counter() - t1) * 1000, 2)
    answer.timings_ms["total"] = round((time.perf_counter() - t0) * 1000, 2)
    yield answer


# ---------------------------------------------------------------- steps


def prepare(x: dict, assistant, mode: str) -> dict:
    """Add the extractive answer (the plan, abstention and fallback), the passages shown and the context text."""
    settings = assistant.settings
    question, passages = x["question"], x["passages"]
    # The same abstention as extractive mode (a figure or name the report never mentions), so nothing is generated then.
    stats = getattr(assistant, "stats", None)
    extractive = extractive_answer(question, passages, settings, assistant.index, x.get("qid"), stats=stats)
    shown = planned_passages(extractive, passages, assistant.index, mode)
    return {**x, "extractive": extractive, "shown": shown, "context": shown.context()}


def planned_passages(extractive: Answer, passages: list[Passage], index, mode: str) -> Shown:
    """What the model sees: the sentences the extractive plan composed (the figure for that subject and period,
    both sides of a comparison, every list item), grouped by the passage each cites, in the plan's order.
    An endpoint then sees the other retrieved passages whole, for context the plan left out; the small local
    model sees only the plan's first passages, as it copies whatever it is shown."""
    by_id = {p.chunk.id: p for p in passages}
    shown: list[Passage] = []
    texts: list[str] = []
    where: dict[str, int] = {}
    for c in extractive.citations:
        if c.chunk_id in where:
            texts[where[c.chunk_id]] += " " + c.quote
            continue
        p = by_id.get(c.chunk_id)
        if p is None and c.chunk_id in index.by_id:
            # Lists and summaries cite sections retrieval did not return (all ten points of the plan).
            p = Passage(chunk=index.by_id[c.chunk_id], score=0.0)
        if p is not None:
            where[c.chunk_id] = len(shown)
            shown.append(p)
            texts.append(c.quote)
    if mode == "local":
        return Shown(shown[:LOCAL_PASSAGES], texts[:LOCAL_PASSAGES])
    rest = [p for p in passages if p.chunk.id not in where]
    return Shown(shown + rest, texts + [p.chunk.text for p in rest])


def verify(x: dict, assistant, mode: str) -> Answer:
    """Check the model's text sentence by sentence; fall back to the extractive answer when nothing survives."""
    raw = (x.get("text") or "").strip()
    shown: Shown = x["shown"]
    sources = _sources(assistant)
    failure = x.get("failure")
    if failure is not None:
        return fallback(x, mode, f"the {mode} model failed ({_describe(failure)}); showing the extractive answer", [])
    if not raw:
        return fallback(x, mode, f"the {mode} model returned an empty answer; showing the extractive answer", [])

    kept: list[str] = []
    removed: list[str] = []
    reasons: list[str] = []
    citations: list[Citation] = []
    notes: list[str] = []
    cited_any = False
    claim_check = _claim_checker(assistant)
    parts = sentences(_MARKER_AFTER_STOP.sub(lambda m: m.group(2) + m.group(1), _lead_to_tail(raw)))
    for i, sent in enumerate(parts):
        if sent in kept or sent in removed:
            continue  # small models repeat themselves
        if i == len(parts) - 1 and not re.search(r"[.!?\]”)\"']$", sent):
            removed.append(sent)
            reasons.append("an unfinished sentence")
            continue
        if not content_words(figures.strip_citation_markers(sent)):
            removed.append(sent)
            reasons.append("a sentence with no words, only citation markers")
            continue
        ok, why, rewritten = check_sentence(sent, shown, citations, sources, claim_check)
        if not ok:
            removed.append(sent)
            reasons.append(why)
            continue
        kept.append(rewritten)
        if _MARKER.search(rewritten):
            cited_any = True
            for n in _markers(sent):
                notes += [note for note in shown.passages[n - 1].notes if note not in notes]
    text = " ".join(kept)
    answer_figures = verify_figures(text, citations)
    unsupported = [f.text for f in answer_figures if not f.supported and not figures.is_trivial(f)]
    # A figure question answered in words only ("Leaders on the issue were divided") has not been answered.
    plan = x["extractive"].plan
    no_figure = plan.kind in ("figure", "comparison") and not any(not figures.is_trivial(f) for f in answer_figures)
    if not cited_any or unsupported or _declines(text) or no_figure:
        if _declines(text) or _declines(raw):
            why = "the model said the passages do not answer"
        elif cited_any and no_figure:
            why = "the question asks for a figure and the model's verified answer states none"
        else:
            why = "no sentence the model wrote could be verified against the passages it cites"
        detail = f" (removed: {'; '.join(dict.fromkeys(reasons))})" if reasons else ""
        return fallback(x, mode, f"{why}{detail}; showing the extractive answer", removed + kept)
    answer = Answer(
        id=x.get("qid"), question=x["question"], answer=text, abstained=False, citations=citations,
        figures=answer_figures, mode=mode, notes=notes, verified=True, removed=removed, plan=plan,
    )
    if removed:
        answer.notes.append(
            f"{len(removed)} sentence(s) of the model's answer were removed: {'; '.join(dict.fromkeys(reasons))}"
        )
    return answer


def check_sentence(
    sent: str,
    shown: Shown,
    citations: list[Citation],
    sources: dict[str, str] | None,
    claim_check: Callable[[str, list[Passage]], str | None] | None = None,
) -> tuple[bool, str, str]:
    """(ok, why not, the sentence with markers renumbered to `citations`); adds the citations it needs."""
    markers = _markers(sent)
    bad = [n for n in markers if not 1 <= n <= len(shown.passages)]
    if bad:
        return False, f"a citation to passage {bad[0]}, which was not given", sent
    plain = figures.strip_citation_markers(sent)
    figs = [f for f in figures.find_figures(plain) if not figures.is_trivial(f)]
    if not markers:
        # Every claim shown must be traceable to a quote, not only the figures.
        return False, "a figure with no citation" if figs else "a sentence with no citation", sent
    cited = [shown.passages[n - 1] for n in markers]
    for f in figs:
        if not any(figures.appears_in(f, p.chunk.text) for p in cited):
            return False, f"{f.text}, which no cited passage states", sent
    if figs and claim_check is not None:
        objection = claim_check(plain, cited)
        if objection:
            return False, objection, sent
    renumber: dict[int, int] = {}
    for n in dict.fromkeys(markers):
        quote = quote_for(plain, figs, shown.passages[n - 1])
        p = shown.passages[n - 1]
        existing = next((c for c in citations if c.chunk_id == p.chunk.id and c.quote == quote), None)
        if existing is None:
            existing = citation_for(p, len(citations) + 1, quote, sources)
            citations.append(existing)
        renumber[n] = existing.n
    rewritten = _MARKER.sub(
        lambda m: "[" + ", ".join(str(renumber[int(k)]) for k in dict.fromkeys(m.group(1).split(","))) + "]", sent
    )
    return True, "", rewritten


def _claim_checker(assistant) -> Callable[[str, list[Passage]], str | None] | None:
    """The figure checker's verdict on a generated sentence, as an objection or None.

    A figure found in the cited passage can still be attached to the wrong subject
    ("82 per cent ... did not expect increases" when 82 per cent are not confident on
    waiting times) or lose a "not": the sentence is checked as a journalist's claim would be.
    """
    if not hasattr(getattr(assistant, "index", None), "twins"):
        return None
    from rag.check import judge_sentence

    def objection(plain: str, cited: list[Passage]) -> str | None:
        verdict = judge_sentence(assistant, plain, [c for p in cited for c in [p.chunk, *p.also]])
        if verdict.verdict == "supported":
            return None
        why = verdict.notes[0] if verdict.notes else verdict.verdict
        return f"a claim the figure checker does not support ({why})"

    return objection


def quote_for(sentence: str, figs: list, passage: Passage) -> str:
    """The passage's sentences that state the sentence's figures, else the one sharing the most words."""
    sents = sentences(passage.chunk.text) or [passage.chunk.text]
    holding = [s for s in sents if any(figures.appears_in(f, s) for f in figs)]
    if holding:
        return " ".join(holding)
    words = {stem(w) for w in content_words(sentence)}
    return max(sents, key=lambda s: len(words & {stem(w) for w in content_words(s)}))


def fallback(x: dict, mode: str, note: str, removed: list[str]) -> Answer:
    answer = x["extractive"]
    answer.mode = mode
    answer.fallback = "extractive"
    answer.verified = False
    answer.removed = removed
    answer.notes = [note] + answer.notes
    return answer


def quotes_only(extractive: Answer, mode: str) -> bool:
    return mode == "local" and extractive.plan is not None and extractive.plan.kind in LOCAL_QUOTES_KINDS


def quoted_plan(extractive: Answer, mode: str) -> Answer:
    """The plan's quoted items as they are: the small local model would keep one item of a list and drop the rest."""
    extractive.mode = mode
    extractive.fallback = "extractive"
    extractive.verified = False
    extractive.notes.append(f"a {extractive.plan.kind} is shown as the report's own quoted sentences; "
                            "the local model writes one sentence and would drop the rest")
    return extractive


def abstained(extractive: Answer, mode: str) -> Answer:
    extractive.mode = mode
    extractive.notes.append("the retrieved passages do not answer this, so nothing was generated")
    return extractive


def _lead_to_tail(raw: str) -> str:
    """A leading marker cites every sentence after it that has none: "[2] A. B." -> "A [2]. B [2]."

    Small models copy the "[n] text" layout of the passages; the marker then
    cites the whole answer, so each sentence is still checked against passage n.
    """
    leads = list(_LEADING_MARKER.finditer(raw))
    if not leads:
        return raw
    out = [raw[: leads[0].start()].strip()]
    for lead, nxt in zip(leads, leads[1:] + [None]):
        marker, rest = lead.group(1), raw[lead.end(): nxt.start() if nxt else len(raw)]
        for sent in sentences(rest):
            if not _MARKER.search(sent):
                stop = re.search(r"[.!?]+$", sent)
                # An unfinished last sentence stays unmarked, so the verifier still drops it.
                if stop:
                    sent = f"{sent[:stop.start()]} {marker}{stop.group(0)}"
            out.append(sent)
    return " ".join(s for s in out if s)


def _markers(sent: str) -> list[int]:
    return [int(n) for m in _MARKER.finditer(sent) for n in m.group(1).split(",")]


def _declines(text: str) -> bool:
    return "do not say" in text.lower() or "don't know" in text.lower()


def _describe(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {msg[:160]}" if msg else type(exc).__name__


def _sources(assistant) -> dict[str, str] | None:
    index: Any = getattr(assistant, "index", None)
    return getattr(index, "sources", None)
