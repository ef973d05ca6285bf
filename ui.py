"""The chat web page: ask the report, check a figure, browse its figures.

A thin layer over the library: layout, event wiring, and rag.render turning the
library's objects into escaped HTML. Run `python ui.py [--host H] [--port P]`;
it binds 127.0.0.1 unless told otherwise and never makes a share link.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

from rag import export, feedback, render
from rag.answer import QuestionError, clean_question
from rag.assistant import Assistant
from rag.files import atomic_write
from rag.schema import Answer, TextCheck, Verdict, to_dict
from rag.settings import Settings

TITLE = "Recovery Report Assistant"
EXAMPLE_QUESTIONS = [
    "What share of leaders are not confident the NHS can meet public expectations on waiting times?",
    "How many NHS staff vacancies were there?",
    "And which month does that figure refer to?",
    "What do leaders want from regulation after the pandemic?",
    "What does the report ask for on social care?",
]
EXAMPLE_CLAIMS = [
    "82% of leaders are confident the NHS will meet expectations on waiting times",
    "More than 93,000 NHS posts are vacant.",
    "The NHS has 150,000 vacancies.",
    "NHS leaders say more than 100,000 posts are vacant. The waiting list stands at 5.6 million, and 82% of leaders "
    "are confident the NHS can meet expectations. Ministers announced £5.4 billion on 6 September.",
]
CSS = """
.rr-cite a { text-decoration: none; font-weight: 600; }
.rr-fig { background: #e8f5e9; border-radius: 3px; padding: 0 2px; }
.rr-ok { color: #2e7d32; font-size: 0.8em; margin-left: 1px; }
.rr-verified { color: #2e7d32; font-size: 0.9em; margin-top: 4px; }
.rr-note { background: #fff8e1; border-left: 3px solid #f9a825; padding: 4px 8px; margin-top: 6px; }
.rr-error { background: #ffebee; border-left: 3px solid #c62828; padding: 4px 8px; }
.rr-muted { color: #555 !important; font-size: 0.88em; }
.rr-source { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.rr-source mark { background: #fff176; padding: 0 1px; }
.rr-passage { margin: 6px 0 0 0; line-height: 1.45; }
.rr-verdict { border-radius: 8px; padding: 12px 16px; border: 2px solid #999; }
.rr-verdict-supported { border-color: #2e7d32; background: #f1f8e9; }
.rr-verdict-contradicted { border-color: #c62828; background: #fff5f5; }
.rr-verdict-not_found { border-color: #757575; background: #fafafa; }
.rr-verdict-label { font-size: 1.5em; font-weight: 700; }
.rr-verdict-supported .rr-verdict-label { color: #2e7d32; }
.rr-verdict-contradicted .rr-verdict-label { color: #c62828; }
.rr-claim { font-style: italic; margin: 8px 0; }
.rr-table { border-collapse: collapse; margin: 8px 0; }
.rr-marked { line-height: 1.8; }
.rr-claim-mark { border-bottom: 3px solid #757575; padding: 0 1px; }
.rr-mark-supported { background: #e8f5e9; border-bottom-color: #2e7d32; }
.rr-mark-contradicted { background: #ffebee; border-bottom-color: #c62828; border-bottom-style: double; }
.rr-mark-not_found { background: #f5f5f5; border-bottom-style: dashed; }
.rr-mark-nothing_to_check { border-bottom: none; }
.rr-mark-label { font-size: 0.75em; font-weight: 700; margin-left: 2px; }
.rr-summary { font-weight: 600; margin: 4px 0 8px 0; }
.rr-claim-card { margin: 10px 0; }
.rr-table td, .rr-table th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
.rr-actions { margin-top: 6px; }
.rr-md { display: none !important; }
/* Gradio's orange primary button carries white text at 2.8:1; WCAG AA asks 4.5:1 (axe, tests/test_ui_browser.py). */
button.primary, button.primary:hover { background: #b93a0b !important; border-color: #b93a0b !important; color: #fff !important; }
.rr-copy { font: inherit; font-size: 0.9em; font-weight: 400; border: 1px solid #555; border-radius: 4px; padding: 2px 8px; background: #fff; color: #111; cursor: pointer; }
.rr-copy:focus-visible, .rr-cite a:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.rr-copy-status { font-size: 0.85em; margin-left: 6px; }
"""
# Copies an answer's or a check's Markdown (render.copy_html keeps it in a hidden <pre> beside the button). One
# listener on the document, so it serves messages added after the page loaded. Without the Clipboard API (a page
# served over plain HTTP to another machine) it falls back to a selected textarea and execCommand.
COPY_SCRIPT = r"""<script>
document.addEventListener("click", async (event) => {
  const button = event.target.closest && event.target.closest(".rr-copy");
  if (!button) return;
  const holder = button.closest(".rr-actions");
  const text = holder.querySelector(".rr-md").textContent;
  let ok = false;
  try { await navigator.clipboard.writeText(text); ok = true; } catch (err) {
    const area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area); area.select();
    try { ok = document.execCommand("copy"); } catch (err2) { ok = false; }
    area.remove(); button.focus();
  }
  holder.querySelector(".rr-copy-status").textContent = ok ? "Copied as Markdown." : "Could not copy: use the download.";
});
// The conversation's download is put together here from each answer's Markdown (rag.export.answer_markdown, kept
// beside its copy button): a file written on the server for every answer cost the page a third of its throughput.
document.addEventListener("click", (event) => {
  if (!(event.target.closest && event.target.closest("#conversation-md"))) return;
  const when = new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC";
  const parts = ["# Recovery Report Assistant: conversation of " + when, ""];
  document.querySelectorAll("#chat .rr-md").forEach((pre, i) => {
    const markdown = pre.textContent;
    const question = markdown.split("\n")[0].replace(/^\*\*Question:\*\* /, "");
    parts.push("## " + (i + 1) + ". " + question, "", markdown);
  });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([parts.join("\n")], {type: "text/markdown"}));
  link.download = "recovery-report-conversation.md";
  document.body.appendChild(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});
</script>"""


def _has(module: str, attr: str | None = None) -> bool:
    """Whether a library module (and one of its functions) is part of this installation."""
    if importlib.util.find_spec(f"rag.{module}") is None:
        return False
    return attr is None or hasattr(importlib.import_module(f"rag.{module}"), attr)


def mode_choices(settings: Settings) -> list[tuple[str, str]]:
    choices = [("extractive (quotes the report)", "extractive"), ("local model (Gemma 3 270M)", "local")]
    if settings.llm_base_url:
        choices.append((f"endpoint ({settings.llm_model or settings.llm_base_url})", "openai"))
    return choices


FOLLOW_UPS = 3


class Page:
    """The event handlers, holding the one Assistant loaded at start.

    `ask` yields, in order: the chat, the question history, the question box, the cited passages, the answers so
    far (one per turn, None for a turn that failed), the conversation's Markdown download, the follow-up heading
    and the follow-up buttons.
    """

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.settings = assistant.settings
        self.files = Path(tempfile.mkdtemp(prefix="rag-ui-"))
        atexit.register(shutil.rmtree, self.files, True)  # the page's downloads go when it stops
        self.feedback = feedback.FeedbackStore(self.settings)

    def ask(self, question: str, mode: str, chat: list, history: list[str], answers: list | None = None,
            doc: str | None = None):
        """Stream one answer into the chat; `doc` keeps to one document of the library ("" or None: all)."""
        import gradio as gr

        question = question or ""
        chat = list(chat or []) + [{"role": "user", "content": render.user_html(question)}]
        history, answers = list(history or []), list(answers or [])
        unchanged = (gr.skip(),) * (2 + FOLLOW_UPS)  # the download, the follow-up heading and buttons

        def failed(message: str, box: str):
            return (chat + [_bot(render.error_html(message))], history, box, "", answers + [None], *unchanged)

        try:
            text = clean_question(question, self.settings)
        except QuestionError as exc:
            msg = str(exc)  # not str.capitalize(): it lowercases "UTF-8" and "NUL"
            yield failed(msg[:1].upper() + msg[1:] + ".", question)
            return
        if mode != "extractive" and not _has("generate", "stream_answer"):
            yield failed(f"The {mode} mode is not available in this installation yet; choose extractive.", question)
            return
        if mode != "extractive":
            # A quote takes ~20 ms: a progress message would only cost the page another update.
            yield (chat + [_bot(render.streaming_html("Searching the report…"))], history, "", "", gr.skip(),
                   *unchanged)
        final: Answer | None = None
        streamed = ""
        try:
            for piece in self.assistant.ask_stream(text, mode, history=history, doc=doc or None):
                if isinstance(piece, str):
                    streamed += piece
                    yield chat + [_bot(render.streaming_html(streamed))], history, "", "", gr.skip(), *unchanged
                else:
                    final = piece
        except Exception as exc:  # a failing model must not take the page down
            yield failed(f"The {mode} mode failed: {exc}", "")
            return
        if final is None:
            yield failed("No answer came back.", "")
            return
        history = (history + [text])[-5:]
        answers.append(final)
        chunks = self.assistant.index.by_id
        sources = render.sources_html(final, chunks)
        message = render.answer_html(final, export.answer_markdown(final, chunks), turn=len(answers))
        download = gr.update(visible=True)  # the browser puts the file together (COPY_SCRIPT)
        suggested = final.follow_ups[:FOLLOW_UPS]
        buttons = [gr.update(value=q, visible=True) for q in suggested]
        buttons += [gr.update(value="", visible=False)] * (FOLLOW_UPS - len(suggested))
        yield (chat + [_bot(message)], history, "", sources, answers, download,
               gr.update(visible=bool(suggested)), *buttons)

    def check(self, claim: str):
        """A claim's verdict, or a whole text's; returns the HTML, the result (for feedback) and the download."""
        import gradio as gr

        if not _has("check", "check_claim"):
            return render.error_html("The figure checker is not available in this installation yet."), None, \
                gr.update(visible=False)
        try:
            from rag import claims, figure_table

            result = claims.check_claim_or_text(self.assistant, claim or "")
            if isinstance(result, Verdict) and result.error:  # bad input: nothing to rate or take away
                return render.verdict_html(result), None, gr.update(visible=False)
            markdown = export.check_markdown(result)
            if isinstance(result, TextCheck):
                html = render.text_check_html(result, figure_table.describe_source, markdown)
            else:
                html = render.verdict_html(result, figure_table.describe_source, markdown)
            download = gr.update(value=self._file("recovery-report-check.md", markdown), visible=True)
            return html, result, download
        except QuestionError as exc:
            msg = str(exc)
            return render.error_html(msg[:1].upper() + msg[1:] + "."), None, gr.update(visible=False)
        except Exception as exc:  # one clear line on the page, not a stack trace
            return render.error_html(f"The figure checker failed: {exc}"), None, gr.update(visible=False)

    def rate_answer(self, answers: list, mode: str, data):
        """A thumb on a chat message (gr.LikeData): the answer it belongs to is stored with the rating."""
        index = data.index if isinstance(data.index, int) else data.index[0]
        turn = index // 2  # the chat alternates question, answer
        answer = answers[turn] if answers and 0 <= turn < len(answers) else None
        if answer is None:
            return _status("There is no answer to rate there."), None
        # Gradio sends True or False for a thumb, and an empty value when the member clicks it again to take it back.
        rating = "up" if data.liked is True else "down" if data.liked is False else "cleared"
        return self._rate("answer", rating, answer.question, answer, answer.mode)

    def rate_check(self, result, rating: str):
        if result is None:
            return _status("Check a claim first, then rate the verdict."), None
        question = result.claim if isinstance(result, Verdict) else result.text
        return self._rate("check", rating, question, result, None)

    def _rate(self, kind: str, rating: str, question: str, result, mode: str | None):
        try:
            item = self.feedback.add(kind, rating, question, to_dict(result), mode,
                                     self.assistant.index.manifest.get("build"))
        except (feedback.FeedbackError, OSError) as exc:
            return render.error_html(f"Your rating could not be stored: {exc}"), None
        if rating == "cleared":
            return _status("Your rating was taken back."), item.id
        thumb = "helpful" if rating == "up" else "wrong"
        return _status(f"Thank you: recorded as {thumb}. You can add a comment below."), item.id

    def comment(self, feedback_id: str | None, text: str):
        """The comment typed after a thumb; returns the status line and clears the box once stored."""
        if not feedback_id:
            return _status("Rate an answer or a verdict first (thumb up or down), then add your comment."), text
        try:
            self.feedback.comment(feedback_id, text)
        except (feedback.FeedbackError, OSError) as exc:
            return render.error_html(f"Your comment could not be stored: {exc}"), text
        return _status("Thank you: your comment is stored with your rating."), ""

    def clear(self):
        import gradio as gr

        return ([], [], "", render.sources_html(None, {}), [], gr.update(visible=False), gr.update(visible=False),
                *[gr.update(value="", visible=False)] * FOLLOW_UPS)

    def _file(self, name: str, text: str) -> str:
        """A download written where the page serves files from: its own folder per file, renamed into place."""
        folder = Path(tempfile.mkdtemp(dir=self.files))
        atomic_write(folder / name, text)
        return str(folder / name)


def _bot(content: str) -> dict:
    return {"role": "assistant", "content": content}


def _status(text: str) -> str:
    return f'<div class="rr-muted" role="status">{render.esc(text)}</div>'


def figures_data(settings: Settings) -> tuple[list[list], str, str | None, str]:
    """The figure table rows, the discrepancies HTML, the CSV path and a status line, computed once."""
    if not _has("figure_table", "figure_table"):
        return [], "", None, "The figure table is not available in this installation yet."
    from rag import figure_table

    rows = figure_table.figure_table(settings, None)
    out_dir = Path(tempfile.mkdtemp(prefix="rag-ui-"))
    tmp = out_dir / "figures.csv.tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        figure_table.write_csv(rows, fh)
    os.replace(tmp, out_dir / "manifesto-figures.csv")
    table = render.figure_table(rows, figure_table.describe_source)
    status = (f"{len(rows)} figures in both editions. Type in the search box to filter; click a column "
              "heading to sort.")
    return table, render.discrepancies_html(figure_table.discrepancies(settings)), str(out_dir / "manifesto-figures.csv"), status


def filter_rows(rows: list[list], query: str) -> list[list]:
    """The figure rows holding every word of the query, in any cell, ignoring case."""
    terms = (query or "").lower().split()
    return [row for row in rows if all(t in " ".join(str(c) for c in row).lower() for t in terms)]


def build_app(assistant: Assistant):
    import gradio as gr

    settings = assistant.settings
    page = Page(assistant)
    table, discrepancies, csv_path, figures_status = figures_data(settings)
    notice_path = settings.data_dir / "NOTICE.md"
    notice = notice_path.read_text(encoding="utf-8") if notice_path.exists() else ""

    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.Markdown(f"# {TITLE}\nQuestions and figure checks over the NHS Confederation's *Manifesto for recovery* "
                    "(September 2021). Every answer cites the report's own passages.")
        answer_rating, check_rating = gr.State(None), gr.State(None)  # each tab's comment goes to its own thumb
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                history = gr.State([])
                answers = gr.State([])
                chat = gr.Chatbot(label="Chat", elem_id="chat", height=420, render_markdown=False,
                                  sanitize_html=True, allow_tags=False, latex_delimiters=[],
                                  feedback_options=("Like", "Dislike"), buttons=[])
                with gr.Row():
                    question = gr.Textbox(label="Your question", elem_id="question", scale=5, lines=1,
                                          placeholder=f"Ask about the report (up to {settings.max_question_chars:,} characters)")
                    mode = gr.Radio(mode_choices(settings), value="extractive", label="Mode", elem_id="mode", scale=2)
                    documents = assistant.documents()
                    doc = gr.Dropdown([("All documents", "")] + [(d.title, d.id) for d in documents], value="",
                                      label="Search in", elem_id="doc", scale=2, visible=len(documents) > 1)
                with gr.Row():
                    ask_btn = gr.Button("Ask", variant="primary", elem_id="ask-btn")
                    clear_btn = gr.Button("New conversation", elem_id="clear-btn")
                    download = gr.Button("Download the conversation (Markdown)", elem_id="conversation-md",
                                         visible=False)
                follow_head = gr.Markdown("**Follow-up questions the report answers**", elem_id="follow-ups-head",
                                          visible=False)
                with gr.Row(elem_id="follow-ups"):
                    follow = [gr.Button("", size="sm", visible=False, elem_id=f"follow-up-{i + 1}")
                              for i in range(FOLLOW_UPS)]
                with gr.Accordion("Was the answer right? Rate it with the thumbs under it; add a comment here",
                                  open=False, elem_id="answer-feedback") as answer_feedback:
                    answer_status = gr.HTML(elem_id="answer-feedback-status")
                    answer_comment = gr.Textbox(label="Comment on your rating (optional; no personal details)",
                                                elem_id="answer-comment", lines=2, max_length=feedback.MAX_COMMENT_CHARS)
                    answer_send = gr.Button("Send comment", elem_id="answer-comment-btn", size="sm")
                gr.Examples(EXAMPLE_QUESTIONS, inputs=[question], label="Example questions (a follow-up uses the previous question)")
                sources = gr.HTML(render.sources_html(None, {}), elem_id="sources")
            with gr.Tab("Check a figure", id="check"):
                checked = gr.State(None)
                claim = gr.Textbox(label="A claim, or a whole paragraph or article, to check against the report",
                                   elem_id="claim", lines=4, max_lines=20,
                                   placeholder="e.g. 82% of leaders are not confident the NHS can meet expectations")
                with gr.Row():
                    check_btn = gr.Button("Check", variant="primary", elem_id="check-btn")
                    check_download = gr.DownloadButton("Download the check (Markdown)", elem_id="check-md",
                                                       visible=False)
                gr.Examples(EXAMPLE_CLAIMS, inputs=[claim], label="Example claims")
                verdict = gr.HTML(elem_id="verdict")
                with gr.Group(elem_id="check-feedback"):
                    gr.Markdown("Was the verdict right?")
                    with gr.Row():
                        check_up = gr.Button("✓ Right", size="sm", elem_id="check-up")
                        check_down = gr.Button("✗ Wrong", size="sm", elem_id="check-down")
                    check_status = gr.HTML(elem_id="check-feedback-status")
                    check_comment = gr.Textbox(label="Comment on your rating (optional; no personal details)",
                                               elem_id="check-comment", lines=2, max_length=feedback.MAX_COMMENT_CHARS)
                    check_send = gr.Button("Send comment", elem_id="check-comment-btn", size="sm")
            with gr.Tab("Figures", id="figures"):
                gr.Markdown(figures_status, elem_id="figures-status")
                figures_search = gr.Textbox(label="Search the figures: words or a figure (e.g. 93,806 or vacancies)",
                                            elem_id="figures-search", lines=1)
                figures_table = gr.Dataframe(
                    table, headers=render.FIGURE_COLUMNS, elem_id="figures-table", interactive=False, wrap=True,
                    max_height=520, datatype=["str", "number", "str", "str", "str", "str", "str", "str", "str"],
                    column_widths=["9%", "8%", "5%", "6%", "6%", "20%", "5%", "14%", "27%"])
                if csv_path:
                    gr.DownloadButton("Download all figures as CSV", value=csv_path, elem_id="figures-csv")
                gr.Markdown("## Discrepancies\nFigures the web and PDF editions state differently, and "
                            "statistics the report states twice with different values.")
                gr.HTML(discrepancies, elem_id="discrepancies")
            with gr.Tab("About", id="about"):
                gr.HTML(render.about_html(notice, assistant.index.manifest), elem_id="about")

        # Our own search box, not the table's: Gradio's has no visible label (WCAG 2.2, axe "label-title-only").
        figures_search.change(lambda query: filter_rows(table, query), inputs=[figures_search], outputs=[figures_table],
                             trigger_mode="always_last")
        turn_out = [chat, history, question, sources, answers, download, follow_head, *follow]
        ask_args = dict(fn=page.ask, inputs=[question, mode, chat, history, answers, doc], outputs=turn_out)
        ask_btn.click(**ask_args, api_name="ask")  # a stable name for gradio_client (bench/load_ui.py)
        question.submit(**ask_args)
        for button in follow:
            button.click(page.ask, inputs=[button, mode, chat, history, answers, doc], outputs=turn_out)
        clear_btn.click(page.clear, outputs=turn_out)
        def rate_answer(answers_so_far, mode_now, data):
            return *page.rate_answer(answers_so_far, mode_now, data), gr.update(open=True)

        rate_answer.__annotations__["data"] = gr.LikeData  # how Gradio knows to pass the thumb's event data
        chat.like(rate_answer, inputs=[answers, mode], outputs=[answer_status, answer_rating, answer_feedback])
        answer_send.click(page.comment, inputs=[answer_rating, answer_comment], outputs=[answer_status, answer_comment])
        check_out = [verdict, checked, check_download]
        check_btn.click(page.check, inputs=[claim], outputs=check_out)
        claim.submit(page.check, inputs=[claim], outputs=check_out)
        check_up.click(lambda r: page.rate_check(r, "up"), inputs=[checked], outputs=[check_status, check_rating])
        check_down.click(lambda r: page.rate_check(r, "down"), inputs=[checked], outputs=[check_status, check_rating])
        check_send.click(page.comment, inputs=[check_rating, check_comment], outputs=[check_status, check_comment])
    # Quotes cost ~20 ms of one core; generated answers wait for the Assistant's own slots, so the page may run
    # several requests at once without a slow model filling them.
    concurrency = settings.ui_concurrency or 4 * (os.cpu_count() or 1)
    app.queue(default_concurrency_limit=concurrency, max_size=64)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ui.py", description=f"{TITLE}: the chat web page.")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1, or RAG_UI_HOST)")
    parser.add_argument("--port", type=int, help="port (default 7860, or RAG_UI_PORT)")
    args = parser.parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        settings = Settings.from_env(ui_host=args.host, ui_port=args.port)
        print("Loading the index and the embedding model…", flush=True)
        assistant = Assistant(settings)
        assistant.search("waiting times")  # loads the index (rebuilding it if stale) and the model now, not on the first question
        app = build_app(assistant)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"ui.py: error: {exc}", file=sys.stderr)
        return 1
    url = f"http://{settings.ui_host}:{settings.ui_port}"
    try:
        server = serve(assistant, app, settings)
    except OSError as exc:
        print(f"ui.py: error: cannot serve on {url}: {exc}", file=sys.stderr)
        return 1
    print(f"{TITLE} is running at {url} (API: {url}/api/docs; press Ctrl+C to stop)", flush=True)
    try:
        while server.thread.is_alive():
            server.thread.join(0.5)
    except KeyboardInterrupt:
        server.should_exit = True
        server.thread.join(5)
    return 0


def serve(assistant: Assistant, blocks, settings: Settings):
    """The page and the JSON API (rag/api.py) in one process on one port; returns the running server."""
    import threading

    import gradio as gr
    import uvicorn

    from rag.api import create_api

    app = gr.mount_gradio_app(create_api(assistant), blocks, path="", css=CSS, head=COPY_SCRIPT, footer_links=[],
                              ssr_mode=False, show_error=False)
    config = uvicorn.Config(app, host=settings.ui_host, port=settings.ui_port, log_level="warning",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    server.thread = threading.Thread(target=server.run, daemon=True)
    server.thread.start()
    while not server.started:
        if not server.thread.is_alive():
            raise OSError(f"the server stopped while starting (is port {settings.ui_port} in use?)")
        server.thread.join(0.05)
    return server


if __name__ == "__main__":
    sys.exit(main())
