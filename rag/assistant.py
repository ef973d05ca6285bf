"""The library's front door: one object that loads what a command needs, once.

The CLI, the UI and the eval harness all go through `Assistant`, so none of
them holds logic another needs.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from functools import cached_property

from rag import corpus
from rag.answer import QuestionError, clean_question, extractive_answer
from rag.answer.wording import in_report_words
from rag.schema import Answer, DocumentInfo, Passage, Verdict
from rag.settings import Settings


class Assistant:
    def __init__(self, settings: Settings | None = None, rebuild: bool = True):
        self.settings = settings or Settings.from_env()
        self.rebuild = rebuild
        # The page and the API share this process: generated answers queue for these slots, quotes never do.
        self._generating = threading.BoundedSemaphore(max(1, self.settings.generate_slots))
        self._library: tuple[str | None, list[DocumentInfo]] = (None, [])
        self._warming: threading.Thread | None = None

    def warm_up(self) -> None:
        """Start loading the query embedder in the background while the index loads. The two overlap on two cores:
        a cold `rag ask` measured 0.25-0.3 s faster (of the session's ~0.3 s set-up)."""
        from rag import onnx_embed

        def load() -> None:
            try:
                onnx_embed.encode(self.settings, ["warm up"])
            except Exception:  # noqa: BLE001 - the question's own embedding reports any failure
                pass

        if self._warming is None and onnx_embed.available(self.settings):
            # Not a daemon: a question refused at once ("no document 'x'") ends the process while the session is
            # still being built, and a daemon thread inside onnxruntime at interpreter exit aborts it (SIGABRT,
            # seen in CI under load). Exit waits for the set-up instead.
            self._warming = threading.Thread(target=load, daemon=False)
            self._warming.start()

    @cached_property
    def index(self):
        from rag import index

        return index.load(self.settings, rebuild=self.rebuild)

    @cached_property
    def retriever(self):
        from rag.retrieve import Retriever

        return Retriever(self.index, self.settings)

    @cached_property
    def follow_up_finder(self):
        from rag.follow_up import FollowUps

        first = self.index.chunks[0].edition  # one edition's sections, in report order
        order = [c.section for c in self.index.chunks if c.edition == first]
        return FollowUps(lambda q: self.ask(q, "extractive", suggest=False), order)

    @cached_property
    def stats(self):
        import hashlib
        import json
        from pathlib import Path

        from rag.answer import CorpusStats
        from rag.files import atomic_write

        # Counting words and figures in every chunk cost each cold ask ~0.25 s: keep the counts
        # on disk per index build and per version of the code that counts them.
        code = hashlib.sha1(b"".join((Path(__file__).parent / f"{m}.py").read_bytes() for m in ("answer/core", "figures", "text")))
        cache = self.settings.cache_dir / "stats" / f"{self.index.manifest['build']}-{code.hexdigest()[:12]}.json"
        try:
            raw = json.loads(cache.read_text(encoding="utf-8"))
            return CorpusStats(df=raw["df"], n=raw["n"], figure_keys={tuple(k) for k in raw["figure_keys"]},
                               vocabulary=frozenset(raw["vocabulary"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        stats = CorpusStats.from_chunks(self.index.chunks)
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(cache, json.dumps({"df": stats.df, "n": stats.n, "figure_keys": sorted(stats.figure_keys, key=str),
                                            "vocabulary": sorted(stats.vocabulary)}))
        except OSError:
            pass  # a read-only cache folder only costs the recount
        return stats

    def documents(self) -> list[DocumentInfo]:
        """The library: the report, then every added document, with its chunk count (once per index build)."""
        build = self.index.manifest.get("build")
        if self._library[0] != build:
            self._library = (build, self._list_documents())
        return self._library[1]

    def _list_documents(self) -> list[DocumentInfo]:
        counts = Counter(c.doc_id for c in self.index.chunks)
        out = [DocumentInfo(corpus.REPORT_ID, corpus.REPORT_TITLE, "report", counts.get(corpus.REPORT_ID, 0),
                            self.index.manifest.get("built_at"), "data/")]
        out += [DocumentInfo(m["doc_id"], m["title"], m["kind"], counts.get(m["doc_id"], 0), m.get("added"),
                             m.get("source")) for m in corpus.stored(self.settings)]
        return out

    def _check_doc(self, doc: str | None) -> None:
        if doc is not None and doc not in {d.id for d in self.documents()}:
            known = ", ".join(d.id for d in self.documents())
            raise QuestionError(f"no document {doc!r} in the library (rag docs lists them: {known})")

    def search(self, question: str, k: int | None = None, doc: str | None = None) -> list[Passage]:
        question = clean_question(question, self.settings)
        self._check_doc(doc)
        return self.retriever.search(question, k, doc=doc)

    def ask(self, question: object, mode: str | None = None, qid: str | None = None, history: list[str] | None = None,
            suggest: bool = True, doc: str | None = None) -> Answer:
        """Answer one question; bad input comes back as an Answer with `error` set. `suggest` adds follow-ups;
        `doc` keeps to one document of the library."""
        t0 = time.perf_counter()
        try:
            text = clean_question(question, self.settings)
            self._check_doc(doc)
        except QuestionError as exc:
            return Answer.failed(question, str(exc), mode or self.settings.mode, qid)
        # Typing slips are mended before anything reads the question ("inequalites" found no survey topic and
        # no BM25 match); the answer keeps the question as asked and says what was read otherwise.
        asked = text
        text, mends = self.stats.corrected(text)
        query = self.contextual_query(in_report_words(text), history or [])
        if self._warming is not None:
            self._warming.join()  # one session: two threads would each build it
        query_vector = self.retriever.embed_query(query)
        passages = self.retriever.search(query, query_vector=query_vector, doc=doc)
        t1 = time.perf_counter()
        mode = mode or self.settings.mode
        if mode == "extractive":
            answer = extractive_answer(text, passages, self.settings, self.index, qid, stats=self.stats,
                                       query_vector=query_vector)
        elif not self._generating.acquire(timeout=self.settings.generate_wait):
            answer = self._busy(extractive_answer(text, passages, self.settings, self.index, qid, stats=self.stats,
                                                  query_vector=query_vector), mode)
        else:
            from rag import generate

            try:
                answer = generate.generated_answer(text, passages, self, mode, qid)
            finally:
                self._generating.release()
        answer.question = asked
        if mends:
            answer.notes.append("Read " + ", ".join(f"'{was}' as '{now}'" for was, now in mends) + ".")
        self._note_discrepancies(answer)
        self.name_documents(answer)
        answer.timings_ms["retrieve"] = round((t1 - t0) * 1000, 2)
        answer.timings_ms.setdefault("answer", round((time.perf_counter() - t1) * 1000, 2))
        answer.timings_ms["total"] = round((time.perf_counter() - t0) * 1000, 2)
        if suggest:
            self.suggest(answer)
        return answer

    def suggest(self, answer: Answer) -> Answer:
        """Fill in the answer's follow-up questions (each one the report answers)."""
        t0 = time.perf_counter()
        answer.follow_ups = self.follow_up_finder.for_answer(answer)
        answer.timings_ms["follow_ups"] = round((time.perf_counter() - t0) * 1000, 2)
        return answer

    def ask_stream(self, question: object, mode: str, history: list[str] | None = None,
                   doc: str | None = None) -> Iterator[str | Answer]:
        """Yield text pieces as they are generated, then the final verified Answer."""
        if mode == "extractive":
            yield self.ask(question, mode, history=history, doc=doc)
            return
        try:
            self._check_doc(doc)
        except QuestionError as exc:
            yield Answer.failed(question, str(exc), mode)
            return
        if not self._generating.acquire(timeout=self.settings.generate_wait):
            yield self._busy(self.ask(question, "extractive", history=history, doc=doc), mode)
            return
        from rag import generate

        try:
            for piece in generate.stream_answer(self, question, mode, history or [], doc=doc):
                yield piece if isinstance(piece, str) else self.suggest(self.name_documents(piece))
        finally:
            self._generating.release()

    def name_documents(self, answer: Answer) -> Answer:
        """Every citation names its document."""
        titles = {d.id: d.title for d in self.documents()}
        for c in answer.citations + answer.see_also:
            chunk = self.index.by_id.get(c.chunk_id)
            c.document = titles.get(chunk.doc_id) if chunk is not None else None
        return answer

    def _busy(self, answer: Answer, mode: str) -> Answer:
        """The extractive answer, shown because the generated mode's slots stayed taken."""
        answer.mode, answer.fallback, answer.verified = mode, "extractive", False
        answer.notes.insert(0, f"the {mode} model was busy with other questions for {self.settings.generate_wait:g} s; "
                               "showing the extractive answer")
        return answer

    def _note_discrepancies(self, answer: Answer) -> None:
        """Say so when a cited passage states a figure that differs elsewhere in the report."""
        if not answer.citations:
            return
        from rag import figure_table

        notes = figure_table.discrepancy_notes(
            [c.chunk_id for c in answer.citations], self.settings, [c.quote for c in answer.citations]
        )
        answer.notes += [n for n in notes if n not in answer.notes and not _already_said(n, answer.notes)]

    @staticmethod
    def contextual_query(question: str, history: list[str]) -> str:
        """Fold the previous question into a follow-up ("and how many of those…")."""
        if not history:
            return question
        follow_up = question.lower().split()[:1] in (["and"], ["what"], ["how"], ["which"], ["so"]) and len(question.split()) < 12
        pronoun = any(w in question.lower().split() for w in ("those", "that", "these", "they", "it", "them", "this"))
        return f"{history[-1]} {question}" if (follow_up and pronoun) or question.lower().startswith("and ") else question

    def check(self, claim: object, cid: str | None = None) -> Verdict:
        from rag import check

        return check.check_claim(self, claim, cid)


def _already_said(note: str, notes: list[str]) -> bool:
    """A discrepancy note whose figures an earlier note (the edition twins' own) already states."""
    from rag import figures

    said = [f for n in notes for f in figures.find_figures(n)]
    mine = figures.find_figures(note)
    return bool(mine) and all(any(figures.same(f, g) for g in said) for f in mine)
