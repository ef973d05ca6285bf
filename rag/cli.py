"""The `rag` command: a thin layer over the library.

Every subcommand parses its arguments, calls the library and prints either
text for people or the library's objects as JSON (`--json`, `--jsonl`).
Heavy modules are imported inside the subcommand that needs them, so
`rag figures` never loads torch.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from rag import check, claims, corpus, export, feedback, figure_table, index, onnx_embed
from rag.answer import QuestionError
from rag.files import atomic_write
from rag.schema import TextCheck, Verdict, to_dict
from rag.settings import Settings
from rag.store import sync_store

MAX_LINE_BYTES = 100_000


def _print_json(obj) -> None:
    print(json.dumps(to_dict(obj), ensure_ascii=False), flush=True)


def _error(msg: str) -> int:
    print(f"rag: error: {msg}", file=sys.stderr)
    return 1


def read_jsonl(path: str, field: str) -> Iterator[tuple[int, str | None, object, str | None]]:
    """Yield (line number, id, text, error) for each line of a JSONL batch file.

    A bad line yields an error instead of stopping the batch.
    """
    stream = sys.stdin.buffer if path == "-" else open(path, "rb")
    with stream:
        for n, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            if len(raw) > MAX_LINE_BYTES:
                yield n, None, None, f"line {n}: {len(raw):,} bytes is over the {MAX_LINE_BYTES:,}-byte limit"
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield n, None, None, f"line {n}: not valid UTF-8"
                continue
            except ValueError as exc:
                yield n, None, None, f"line {n}: not valid JSON ({exc.msg})"
                continue
            if not isinstance(row, dict):
                yield n, None, None, f"line {n}: expected a JSON object"
                continue
            text = row.get(field, row.get("question" if field == "q" else "text"))
            rid = row.get("id")
            yield n, None if rid is None else str(rid), text, None if text is not None else f"line {n}: no {field!r} field"


def _question_arg(value: str | None) -> str | None:
    if value in (None, "-"):
        if sys.stdin is None or sys.stdin.isatty():
            return None
        data = sys.stdin.buffer.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data  # type: ignore[return-value]  # clean_question reports it
    return value


def cmd_index(args, settings: Settings) -> int:
    if args.action == "add":
        if args.engine == "ray":
            return add_documents_on_ray(settings, args.files)
        return add_documents(settings, args.files)
    reason = index.staleness(settings)
    if reason is None and not args.force:
        onnx_embed.ensure(settings)  # an index built before the ONNX query path existed
        print(f"index is current ({settings.index_dir / index.MANIFEST}); use --force to rebuild")
        if settings.store != "faiss":  # a store outside the build may lag it: bring it in line
            built = index.load(settings, rebuild=False)
            _print_store(settings, sync_store(settings, built.chunks, built.vectors.reconstruct_n(0, len(built.chunks))))
        return 0
    if args.engine == "ray":  # every chunk re-embedded on Ray (RAG_RAY_ADDRESS, or a local Ray)
        from rag import ray_ingest

        manifest, nodes = ray_ingest.rebuild(settings)
        print(f"ray: {manifest['counts']['chunks']} chunks embedded on {len(nodes)} node(s)")
    else:
        manifest = index.build(settings, progress=not args.quiet, reuse=not args.force)  # --force re-embeds all
    print(
        f"built {manifest['counts']['chunks']} chunks from {len(manifest['sources'])} sources "
        f"in {manifest['build_seconds']} s -> {settings.index_dir}"
    )
    _print_store(settings, manifest.get("store"))
    return 0


def _print_store(settings: Settings, stats: dict | None) -> None:
    if stats is not None:
        print(f"{settings.store} store in line with the build: {stats['chunks']} chunks ({settings.milvus_uri})")


def add_documents(settings: Settings, files: list[str]) -> int:
    """`rag index add FILE...`: store the documents, rebuild the index, print one line per document, or one error line."""
    if not files:
        return _error("give one or more files to add (text, Markdown, HTML or PDF)")
    try:
        docs = corpus.save_files(settings, corpus.expand([Path(f) for f in files]))
        manifest = index.build(settings, progress=False)
    except corpus.CorpusError as exc:
        return _error(str(exc))
    _print_added([(d, len(d.sections)) for d in docs])
    _print_grown(settings, manifest)
    return 0


def _print_added(docs: list[tuple[corpus.Document, int]]) -> None:
    """One line per added document, with its number of sections."""
    for d, n in docs:
        print(f"added {d.source} as document {d.doc_id!r} ({d.kind}, {n} section{'s' * (n != 1)})")


def _print_grown(settings: Settings, manifest: dict) -> None:
    print(f"index now has {manifest['counts']['chunks']} chunks in {manifest['build_seconds']} s -> {settings.index_dir}")


def add_documents_on_ray(settings: Settings, files: list[str]) -> int:
    """`rag index add --engine ray PATH...`: read, chunk and embed on Ray (RAG_RAY_ADDRESS, or a local Ray)."""
    from rag import ray_ingest

    if not files:
        return _error("give one or more files or folders to add (text, Markdown, HTML or PDF)")
    try:
        done, manifest = ray_ingest.add(settings, [Path(f) for f in files])
    except corpus.CorpusError as exc:
        return _error(str(exc))
    _print_added([(d, len(done.metadata[d.doc_id]["sections"])) for d in done.documents])
    print(f"ray: {done.chunks} chunks, {len(done.vectors)} embedded on {len(done.nodes)} node(s), "
          f"{done.reused} kept their vectors, in {done.seconds} s")
    _print_grown(settings, manifest)
    return 0


def cmd_docs(args, settings: Settings) -> int:
    from rag.assistant import Assistant

    if args.action == "remove":
        if not args.id:
            return _error("give the id of the document to remove (rag docs lists them)")
        try:
            corpus.remove(settings, args.id)
        except corpus.CorpusError as exc:
            return _error(str(exc))
        manifest = index.build(settings, progress=False)
        print(f"removed document {args.id!r}; index now has {manifest['counts']['chunks']} chunks")
        return 0
    docs = Assistant(settings).documents()
    if args.json:
        _print_json({"documents": docs})
        return 0
    for d in docs:
        print(f"{d.id:24}  {d.kind:8}  {d.chunks:6} chunks  {d.added or '':24}  {d.title}")
    return 0


def cmd_search(args, settings: Settings) -> int:
    from rag.assistant import Assistant

    question = _question_arg(args.question)
    if question is None:
        return _error("give a query, or pipe one on standard input")
    try:
        passages = Assistant(settings).search(question, args.k, doc=args.doc)
    except QuestionError as exc:
        return _error(str(exc))
    if args.json:
        _print_json(
            [
                {
                    "rank": i + 1,
                    "chunk_id": p.chunk.id,
                    "edition": p.chunk.edition,
                    "section": p.chunk.section,
                    "score": round(p.score, 4),
                    "dense_rank": p.dense_rank,
                    "bm25_rank": p.bm25_rank,
                    "also": [c.id for c in p.also],
                    "notes": p.notes,
                    "text": p.chunk.text,
                }
                for i, p in enumerate(passages)
            ]
        )
        return 0
    for i, p in enumerate(passages, 1):
        editions = "+".join([p.chunk.edition] + [c.edition for c in p.also])
        print(f"[{i}] {p.score:.3f}  {p.chunk.section}  ({editions}, {p.chunk.id})")
        print(f"    {p.chunk.text[:300]}{'…' if len(p.chunk.text) > 300 else ''}")
    return 0


def _where(c) -> str:
    """Which document and edition a citation comes from, as the text output names it."""
    edition = f"{c.edition} edition"
    return edition if c.document in (None, corpus.REPORT_TITLE) else f"{c.document}, {edition}"


def render_answer(ans) -> str:
    if ans.error:
        return f"error: {ans.error}"
    lines = [ans.answer, ""]
    for c in ans.citations:
        lines.append(f"[{c.n}] {c.section} ({_where(c)}, {c.chunk_id})")
        lines.append(f"    “{c.quote}”")
    for c in ans.see_also:
        lines.append(f"see also: {c.section} ({c.edition}): “{c.quote[:160]}”")
    for note in ans.notes:
        lines.append(f"note: {note}")
    if ans.fallback:
        lines.append(f"fallback: {ans.fallback}")
    for question in ans.follow_ups:
        lines.append(f"follow-up: {question}")
    return "\n".join(lines)


def cmd_ask(args, settings: Settings) -> int:
    from rag.assistant import Assistant

    assistant = Assistant(settings)
    assistant.warm_up()
    mode = args.mode or settings.mode
    if args.jsonl:
        for n, qid, text, err in read_jsonl(args.jsonl, "q"):
            if err:
                _print_json({"id": qid, "line": n, "error": err})
                continue
            ans = assistant.ask(text, mode, qid=qid, doc=args.doc)
            row = to_dict(ans)
            if ans.error:
                row["line"] = n
                row["error"] = f"line {n}: {ans.error}"
            _print_json(row)
        return 0
    question = _question_arg(args.question)
    if question is None:
        return _error("give a question, or pipe one on standard input")
    if args.stream and mode != "extractive":
        final = None
        for piece in assistant.ask_stream(question, mode, doc=args.doc):
            if isinstance(piece, str):
                if not args.json:
                    print(piece, end="", flush=True)
            else:
                final = piece
        if not args.json:
            print("\n\n--- verified answer ---")
        ans = final
    else:
        ans = assistant.ask(question, mode, doc=args.doc)
    if args.json:
        _print_json(ans)
    elif args.markdown:
        print(export.answer_markdown(ans, assistant.index.by_id), end="")
    else:
        print(render_answer(ans))
    return 1 if ans.error else 0


def render_claim_accuracy(report: dict) -> str:
    """`check.claim_accuracy`'s report: accuracy and confusion matrix per split, then the claims it got wrong."""
    lines = []
    for split in ("all", "dev", "test"):
        s = report[split]
        lines.append(f"{split}: {s['correct']}/{s['n']} = {s['accuracy']:.1%}")
        lines.append("  expected \\ got: " + " | ".join(check.VERDICTS))
        for e in check.VERDICTS:
            lines.append(f"  {e:<13} " + " | ".join(f"{s['confusion'][e][g]:>3}" for g in check.VERDICTS))
    for w in report["wrong"]:
        lines.append(f"wrong: {w['id']} ({w['split']}) expected {w['expected']}, got {w['got']}: {w['note']}")
    return "\n".join(lines)


def cmd_check(args, settings: Settings) -> int:
    from rag.assistant import Assistant

    assistant = Assistant(settings)
    if args.accuracy:
        print(render_claim_accuracy(check.claim_accuracy(assistant, args.accuracy)))
        return 0
    if args.jsonl:
        for n, cid, text, err in read_jsonl(args.jsonl, "claim"):
            if err:
                _print_json({"id": cid, "line": n, "error": err})
                continue
            verdict = assistant.check(text, cid)
            row = to_dict(verdict)
            if verdict.error:
                row["error"] = f"line {n}: {verdict.error}"
            _print_json(row)
        return 0
    if args.file:
        try:
            raw = Path(args.file).read_bytes()
        except OSError as exc:
            return _error(f"cannot read {args.file}: {exc.strerror or exc}")
        try:
            claim = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _error(f"{args.file} is not UTF-8 text")
    else:
        claim = _question_arg(args.claim)
    if claim is None:
        return _error("give a claim or a text, a --file, or pipe one on standard input")
    try:
        result = claims.check_claim_or_text(assistant, claim)
    except QuestionError as exc:
        return _error(str(exc))
    if args.json:
        _print_json(result)
    else:
        print(claims.render(result) if isinstance(result, TextCheck) else check.render_verdict(result))
    return 1 if isinstance(result, Verdict) and result.error else 0


def cmd_figures(args, settings: Settings) -> int:
    if args.discrepancies:
        rows = figure_table.discrepancies(settings)
        if args.json:
            _print_json({"discrepancies": rows})
        else:
            print(figure_table.render_discrepancies(rows))
        return 0
    rows = figure_table.figure_table(settings, args.query)
    if args.json:
        _print_json({"figures": rows})
    elif args.csv:
        figure_table.write_csv(rows, sys.stdout)
    else:
        print(figure_table.render_table(rows))
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from rag import evaluate

    return evaluate.main(args, settings)


def cmd_feedback(args, settings: Settings) -> int:
    store = feedback.FeedbackStore(settings)
    items, unreadable = store.load()
    if unreadable:
        print(f"rag: warning: {unreadable} line(s) of {store.path} could not be read and were skipped",
              file=sys.stderr)
    if args.to_gold or args.claims_to:
        questions, claim_lines = feedback.to_gold(items)
        for path, lines, what in ((args.to_gold, questions, "question"), (args.claims_to, claim_lines, "claim")):
            if path:
                _write_jsonl_file(Path(path), lines)
                print(f"{len(lines)} marked-wrong {what}(s) -> {path}")
        if claim_lines and not args.claims_to:
            print(f"{len(claim_lines)} marked-wrong check(s) left out: add --claims-to FILE to write them")
        if args.to_gold:
            print(f"complete each line's expectations, then run: rag eval --gold {args.to_gold}")
        return 0
    if args.json:
        _print_json({"feedback": items, "file": str(store.path)})
        return 0
    if not items:
        print(f"no feedback yet ({store.path})")
        return 0
    for item in items:
        thumb = "+" if item.rating == "up" else "-"
        comment = f"  # {item.comment}" if item.comment else ""
        print(f"{item.time}  {thumb}  {item.kind:6}  {item.mode or '':10}  {_short(item.question, 70)}{comment}")
    down = sum(1 for i in items if i.rating == "down")
    print(f"{len(items)} rating(s), {down} marked wrong ({store.path})")
    return 0


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _write_jsonl_file(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def cmd_ui(args, settings: Settings) -> int:
    import runpy

    sys.argv = ["ui.py"] + (["--host", args.host] if args.host else []) + (["--port", str(args.port)] if args.port else [])
    runpy.run_path(str(Path(__file__).resolve().parent.parent / "ui.py"), run_name="__main__")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Ask the NHS Confederation's Manifesto for recovery (2021).")
    parser.add_argument("--index-dir", help="index folder (default: index/ or RAG_INDEX_DIR)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build the index (or `rag index add FILE` to add documents)")
    p.add_argument("--force", action="store_true", help="rebuild even when the index is current")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="embed in this process (local) or every chunk on Ray (RAG_RAY_ADDRESS, or a local Ray)")
    p.set_defaults(func=cmd_index, action="build")
    actions = p.add_subparsers(dest="action")
    actions.add_parser("build", help="build the index (the default)")
    add = actions.add_parser("add", help="add documents: files or folders (text, Markdown, HTML, PDF)")
    add.add_argument("files", nargs="*", help="files or folders to ingest")
    add.add_argument("--engine", choices=["local", "ray"], default="local",
                     help="read, chunk and embed in this process (local) or on Ray (RAG_RAY_ADDRESS, or a local Ray)")

    p = sub.add_parser("docs", help="the library: list its documents, or remove one")
    p.add_argument("action", nargs="?", choices=["list", "remove"], default="list")
    p.add_argument("id", nargs="?", help="with remove: the document's id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("search", help="show the passages retrieved for a query")
    p.add_argument("question", nargs="?")
    p.add_argument("--doc", metavar="ID", help="only this document (rag docs lists them)")
    p.add_argument("-k", type=int, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with cited passages")
    p.add_argument("question", nargs="?", help="the question (or - / standard input)")
    p.add_argument("--doc", metavar="ID", help="only this document (rag docs lists them)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--jsonl", metavar="FILE", help='batch: one {"id", "q"} per line; - for standard input')
    p.add_argument("--mode", choices=["extractive", "local", "openai"], default=None)
    p.add_argument("--stream", action="store_true", help="print tokens as they are generated")
    p.add_argument("--markdown", action="store_true", help="the answer as Markdown, its citations written out as "
                                                            "references (section, edition, PDF pages, quote)")
    p.add_argument("-k", type=int, default=None)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("check", help="check a claim, or every claim of a text, against the report")
    p.add_argument("claim", nargs="?", help="a claim or a whole text (a paragraph, a draft); - or none reads stdin")
    p.add_argument("--file", metavar="FILE", help="check every claim of a text file (a draft, a press release)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--jsonl", metavar="FILE", help='batch: one {"id", "claim"} per line')
    p.add_argument("--accuracy", nargs="?", const="evals/claims.jsonl", metavar="GOLD",
                   help="accuracy and confusion matrix on a gold claims file (default evals/claims.jsonl)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("figures", help="every figure in the report, or the discrepancies")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    p.add_argument("--query", help="only figures whose sentence or section mentions these words")
    p.add_argument("--discrepancies", action="store_true", help="figures that differ between or within editions")
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("eval", help="run the evaluation harness")
    p.add_argument("--mode", choices=["extractive", "local", "openai"], default="extractive")
    p.add_argument("--gold", default=None, help="gold questions JSONL (default evals/gold.jsonl)")
    p.add_argument("--claims", default=None, help="gold claims JSONL (default evals/claims.jsonl)")
    p.add_argument("--split", choices=["dev", "test", "all"], default="all")
    p.add_argument("-k", "--k", type=int, default=None, dest="k")
    p.add_argument("--gate", action="store_true", help="exit non-zero when a metric is under its threshold")
    p.add_argument("--compare", nargs=2, metavar=("RUN_A", "RUN_B"))
    p.add_argument("--export", choices=["ragas"])
    p.add_argument("--limit", type=int, default=None, help="only the first N questions")
    p.add_argument("--out", default=None, help="reports folder (default evals/reports)")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("feedback", help="members' thumbs up/down from the page, or the marked-wrong ones as gold lines")
    p.add_argument("--json", action="store_true")
    p.add_argument("--to-gold", metavar="FILE", help="write the marked-wrong answers as gold question lines "
                                                     "(for an evaluator to complete; rag eval --gold FILE runs them)")
    p.add_argument("--claims-to", metavar="FILE", help="write the marked-wrong checks as gold claim lines")
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("ui", help="start the chat web page")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(func=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(index_dir=Path(args.index_dir) if args.index_dir else None)
    except ValueError as exc:
        return _error(str(exc))
    if getattr(args, "k", None):
        settings.k = args.k
    try:
        return args.func(args, settings)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the user gets one clear line, never a traceback
        import os

        if os.environ.get("RAG_DEBUG"):
            raise
        kind = "" if isinstance(exc, (OSError, ValueError, RuntimeError)) else f"internal error ({type(exc).__name__}): "
        return _error(f"{kind}{exc} (set RAG_DEBUG=1 for details)")


if __name__ == "__main__":
    sys.exit(main())
