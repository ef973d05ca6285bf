"""The web page's rendering (rag.render) and its handlers, without a browser."""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rag import render
from rag.schema import Answer, Chunk, Citation, Evidence, Figure, FigureMatch, Verdict

ROOT = Path(__file__).resolve().parent.parent

ATTACKS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2">',
    "[click me](javascript:alert(1))",
    "![x](http://example.com/x.png)",
    "**bold** _it_ `code` $$x^2$$ # heading",
    "&lt;script&gt; already escaped",
]


def _load_ui():
    spec = importlib.util.spec_from_file_location("ui_page", ROOT / "ui.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _chunk(cid: str, text: str, edition: str = "pdf", pages: str | None = "16-25") -> Chunk:
    return Chunk(id=cid, doc_id="manifesto", edition=edition, section="Backlog › What leaders told us", text=text,
                 start=0, end=len(text), pages=pages)


QUOTE = "More than four in five (82 per cent) respondents did not feel confident."
PASSAGE = f"Leaders were asked about waiting times. {QUOTE} Almost three quarters (73 per cent) did not."


def _answer() -> Answer:
    text = f"{QUOTE} [1]"
    start = text.index("82 per cent")
    return Answer(
        id=None, question="q", answer=text, abstained=False,
        citations=[Citation(n=1, chunk_id="c:pdf:1", edition="pdf", section="Backlog › What leaders told us",
                            quote=QUOTE, also=["c:web:1"])],
        figures=[Figure(text="82 per cent", value=82.0, unit="%", kind="percent", start=start,
                        end=start + len("82 per cent"), supported=True, chunk_id="c:pdf:1")],
        notes=["The editions differ here: web edition: June 2021; PDF edition: March 2021."],
    )


CHUNKS = {"c:pdf:1": _chunk("c:pdf:1", PASSAGE), "c:web:1": _chunk("c:web:1", PASSAGE, "web", None)}


@pytest.mark.parametrize("attack", ATTACKS)
def test_esc_leaves_no_markup_or_markdown_syntax(attack):
    out = render.esc(attack)
    assert not re.search(r"[<>\[\]()*_`$\"']", out)
    assert html.unescape(out) == attack  # shown exactly as typed


@given(st.text(max_size=200))
def test_esc_round_trips_any_text(text):
    out = render.esc(text)
    assert "<" not in out and ">" not in out
    assert html.unescape(out) == text


@pytest.mark.parametrize("attack", ATTACKS)
def test_user_message_and_claim_are_text(attack):
    assert "<script" not in render.user_html(attack) and "<img" not in render.user_html(attack)
    card = render.verdict_html(Verdict(id=None, claim=attack, verdict="not_found"))
    assert "<script" not in card and "<img" not in card and "onerror=\"" not in card
    assert html.unescape(re.sub(r"<[^>]+>", "", card)).count(attack) == 1


def test_long_user_message_is_shortened_for_display():
    out = render.user_html("x" * 5000)
    assert "5,000 characters" in out and len(out) < 1000


def test_answer_marks_citations_and_verified_figures():
    out = render.answer_html(_answer())
    assert '<sup class="rr-cite"><a href="#rr-source-1">[1]</a></sup>' in out
    assert re.search(r'<span class="rr-fig"[^>]*>82 per cent<span class="rr-ok">✓</span></span>', out)
    assert "Note: The editions differ here" in out


def test_marker_without_a_citation_stays_text():
    ans = _answer()
    ans.answer += " See [7]."
    out = render.answer_html(ans)
    assert "rr-source-7" not in out and "&#91;7&#93;" in out


def test_unsupported_figure_is_not_marked_verified():
    ans = _answer()
    ans.figures[0].supported = False
    out = render.answer_html(ans)
    assert "rr-fig" not in out and "✓" not in out


def test_figure_offsets_that_do_not_match_are_ignored():
    ans = _answer()
    ans.figures[0].start += 3
    ans.figures[0].end += 3
    assert "rr-fig" not in render.answer_html(ans)


def test_sources_highlight_the_quote_inside_its_passage():
    out = render.sources_html(_answer(), CHUNKS)
    assert f"<mark>{render.esc(QUOTE)}</mark>" in out
    assert render.esc("Leaders were asked about waiting times. ") in out  # the passage around the quote
    assert "Backlog › What leaders told us" in out
    assert "PDF edition · pages 16-25 · also in the web edition" in out
    assert "Verified here: 82 per cent ✓" in out
    assert 'id="rr-source-1"' in out


def test_quote_missing_from_passage_is_still_shown_highlighted():
    out = render.highlight("Some other passage.", "A quote from elsewhere.")
    assert "<mark>A quote from elsewhere.</mark>" in out and "Some other passage." in out


def test_passage_text_from_the_report_is_escaped():
    out = render.highlight("a <b>bold</b> claim & more", "claim")
    assert "<b>" not in out and "<mark>claim</mark>" in out


def test_abstention_shows_see_also_and_no_figures():
    ans = Answer(id=None, question="q", answer="The report does not say.", abstained=True,
                 see_also=[Citation(n=1, chunk_id="c:pdf:1", edition="pdf", section="Backlog", quote=QUOTE)])
    chat = render.answer_html(ans)
    assert "The report does not say." in chat and "See also: Backlog (PDF edition)" in chat
    src = render.sources_html(ans, CHUNKS)
    assert "does not answer" in src and "<mark>" in src


def test_error_answer_is_a_clear_line():
    out = render.answer_html(Answer(id=None, question="", answer="", abstained=True, error="the question is empty"))
    assert 'role="alert"' in out and "the question is empty" in out


@pytest.mark.parametrize("verdict,label", [("supported", "Supported"), ("contradicted", "Contradicted"),
                                           ("not_found", "Not found")])
def test_verdict_card(verdict, label):
    v = Verdict(id=None, claim="82% are confident", verdict=verdict,
                figures=[FigureMatch(claim="82%", report="82 per cent", match="exact")],
                evidence=[Evidence(chunk_id="c:pdf:1", edition="pdf", section="Backlog", quote=QUOTE, pages="16-25",
                                   source={"kind": "survey_panel"})])
    out = render.verdict_html(v, lambda src: f"the {src['kind']} <survey>")
    assert "Source: the survey&#95;panel &#60;survey&#62;" in out
    assert f"rr-verdict-{verdict}" in out and f'<div class="rr-verdict-label">{label}</div>' in out
    assert "<td>82%</td><td>82 per cent</td><td>same figure</td>" in out
    assert f"<mark>{render.esc(QUOTE)}</mark>" in out and "pages 16-25" in out


def test_figure_and_discrepancy_rendering():
    rows = [{"text": "93,806", "value": 93806.0, "unit": "", "kind": "count", "edition": "web",
             "section": "Staff", "pages": None, "sentence": "Vacancies stood at 93,806.", "source": {"kind": "external"}}]
    table = render.figure_table(rows, lambda s: s["kind"])
    assert table == [["93,806", 93806.0, "", "count", "web", "Staff", "", "external", "Vacancies stood at 93,806."]]
    assert len(table[0]) == len(render.FIGURE_COLUMNS)
    disc = render.discrepancies_html([{"kind": "between_editions", "summary": "web: June; PDF: March",
                                       "a": {"edition": "web", "section": "Staff", "quote": "ending in June <2021>"},
                                       "b": {"edition": "pdf", "footnote": 8, "quote": "ending in March"}}])
    assert "Between editions" in disc and "footnote 8" in disc and "&#60;2021&#62;" in disc


def test_about_page_has_title_date_copyright_and_manifest(assistant):
    notice = (ROOT / "data" / "NOTICE.md").read_text()
    out = render.about_html(notice, assistant.index.manifest)
    text = html.unescape(re.sub(r"<[^>]+>", " ", out))
    assert "Manifesto for recovery" in text and "24 September 2021" in text
    assert "© NHS Confederation 2021" in text
    assert f"Passages: {len(assistant.index.chunks)}" in text
    assert assistant.index.manifest["model"] in text and "web edition" in text and "PDF edition" in text


# --- the page's handlers, with the real assistant -------------------------------------------------


@pytest.fixture(scope="module")
def page(assistant):
    return _load_ui().Page(assistant)


def test_ask_streams_an_answer_with_sources(page):
    steps = list(page.ask("What share of leaders are not confident the NHS can meet public expectations on "
                          "waiting times?", "extractive", [], []))
    chat, history, box, sources, answers, download, *_ = steps[-1]
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert "82 per cent" in chat[-1]["content"] and "rr-cite" in chat[-1]["content"]
    assert "<mark>" in sources and history and box == ""
    assert len(answers) == 1 and answers[0].question.startswith("What share")
    assert "rr-copy" in chat[-1]["content"] and "**References**" in chat[-1]["content"].replace("&#42;", "*")
    # The conversation's download shows; the browser puts it together from each answer's hidden Markdown.
    assert download.get("visible") is True and 'class="rr-md"' in chat[-1]["content"]


def test_thumbs_and_comment_are_stored_with_the_answer(assistant, tmp_path):
    from dataclasses import replace
    from types import SimpleNamespace

    from rag.assistant import Assistant
    from rag.feedback import FeedbackStore

    own = Assistant(replace(assistant.settings, feedback_dir=tmp_path))
    own.__dict__["index"] = assistant.index  # the loaded index, not a second load
    pg = _load_ui().Page(own)
    steps = list(pg.ask("How many NHS staff vacancies were there?", "extractive", [], [], []))
    chat, _, _, _, answers, *_ = steps[-1]
    status, fid = pg.rate_answer(answers, "extractive", SimpleNamespace(index=1, liked=False))
    assert "recorded as wrong" in status and fid
    status, box = pg.comment(fid, "The month is missing")
    assert "comment is stored" in status and box == ""
    (item,), bad = FeedbackStore(own.settings).load()
    assert bad == 0 and item.rating == "down" and item.kind == "answer" and item.comment == "The month is missing"
    assert item.result["answer"] == answers[0].answer and item.index_build == assistant.index.manifest["build"]
    # No rating without an answer behind it, and a comment without a rating is refused, not lost.
    assert pg.rate_answer([None], "extractive", SimpleNamespace(index=1, liked=True))[1] is None
    assert pg.comment(None, "orphan")[1] == "orphan"


def test_follow_up_passes_the_previous_question(page, monkeypatch):
    seen = {}
    real = page.assistant.ask_stream

    def spy(question, mode, history=None, doc=None):
        seen["history"] = list(history or [])
        yield from real(question, mode, history=history, doc=doc)

    monkeypatch.setattr(page.assistant, "ask_stream", spy)
    chat, history, *_ = list(page.ask("How many NHS staff vacancies were there?", "extractive", [], []))[-1]
    chat, history, *_ = list(page.ask("And which month does that figure refer to?", "extractive", chat, history))[-1]
    assert seen["history"] == ["How many NHS staff vacancies were there?"]
    assert len(chat) == 4 and len(history) == 2


def test_over_long_question_gets_a_clear_message_and_keeps_the_text(page):
    text = "why " * 1000
    chat, history, box, *_ = list(page.ask(text, "extractive", [], []))[-1]
    assert "limit is 2,000" in chat[-1]["content"] and box == text and history == []


def test_empty_question_gets_a_clear_message(page):
    chat, *_ = list(page.ask("   ", "extractive", [], []))[-1]
    assert "empty" in chat[-1]["content"]


def test_endpoint_mode_is_offered_only_when_configured(settings):
    from dataclasses import replace

    ui = _load_ui()
    assert [v for _, v in ui.mode_choices(replace(settings, llm_base_url=""))] == ["extractive", "local"]
    assert "openai" in [v for _, v in ui.mode_choices(replace(settings, llm_base_url="http://127.0.0.1:9/v1"))]


def test_missing_mode_says_so_in_one_line(page, monkeypatch):
    # ui.py is loaded from its path, so patch the globals its handlers see.
    monkeypatch.setitem(type(page).ask.__globals__, "_has", lambda module, attr=None: False)
    chat, history, box, *_ = list(page.ask("How many NHS staff vacancies were there?", "local", [], []))[-1]
    assert "local mode is not available" in chat[-1]["content"] and box and history == []


def test_ask_within_one_document_and_an_unknown_one(page):
    chat, _, _, sources, answers, *_ = list(page.ask("How many NHS staff vacancies were there?", "extractive", [], [],
                                                     [], "manifesto"))[-1]
    assert "93,806" in chat[-1]["content"] and "Manifesto for recovery" in sources
    chat, *_ = list(page.ask("How many NHS staff vacancies were there?", "extractive", [], [], [], "nope"))[-1]
    assert "no document" in chat[-1]["content"] and "rr-error" in chat[-1]["content"]
