"""The page for members, in a real browser: accessible (axe-core, keyboard only, narrow and zoomed), answers and
checks that can be copied and downloaded as Markdown, thumbs that land in the feedback file and become gold lines,
and follow-up questions that get answers.

axe-core comes from the PyPI package axe-playwright-python, injected by Playwright into the real page. Screenshots
and the axe results go to tests/artifacts/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ARTIFACTS, CHROMIUM, run_rag

from rag.eval_data import load_gold

ANSWER_MS = 120_000
QUESTION = "How many NHS staff vacancies were there?"
CLAIM = "82% of leaders are confident the NHS will meet expectations on waiting times"
DECLINE = "The report does not say"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium "
                                                     "(apt-get install chromium, or scripts/ensure-chromium)"),
]


def _open(browser, app_url, **context_args):
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 1100}, "accept_downloads": True,
                                     **context_args})
    pg = context.new_page()
    pg.goto(app_url)
    pg.locator("#question textarea").wait_for(timeout=60_000)
    return context, pg


@pytest.fixture()
def page(browser, app_url):
    context, pg = _open(browser, app_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url.rstrip("/"))
    yield pg
    context.close()


def _ask(page, question: str, n: int) -> None:
    from playwright.sync_api import expect

    page.locator("#question textarea").fill(question)
    page.locator("#ask-btn").click()
    expect(page.locator("#chat .rr-answer, #chat .rr-error")).to_have_count(n, timeout=ANSWER_MS)


def _check(page, claim: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Check a figure").click()
    page.locator("#claim textarea").fill(claim)
    page.locator("#check-btn").click()
    expect(page.locator("#verdict .rr-verdict-label").first).to_be_visible(timeout=ANSWER_MS)


def _serious(page, name: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands; the full result is saved."""
    from axe_playwright_python.sync_playwright import Axe

    # Gradio fades an updated component in; measured mid-fade, any text fails its contrast.
    page.wait_for_function("document.getAnimations().filter(a => a.playState === 'running').length === 0 && "
                           "!document.querySelector('.pending, .generating')", timeout=30_000)
    result = Axe().run(page)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(result.response["violations"], indent=1))
    return [f"{name}: {v['id']} ({v['impact']}) {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_violation_on_any_tab(page):
    from playwright.sync_api import expect

    _ask(page, QUESTION, 1)
    found = _serious(page, "ask")
    _check(page, CLAIM)
    found += _serious(page, "check")
    page.get_by_role("tab", name="Figures").click()
    expect(page.locator("#figures-table").get_by_role("gridcell").first).to_be_visible(timeout=30_000)
    found += _serious(page, "figures")
    page.get_by_role("tab", name="About").click()
    expect(page.locator("#about")).to_contain_text("How answers are verified")
    found += _serious(page, "about")
    assert found == []


def _focused(page) -> str:
    return page.evaluate("""() => { const e = document.activeElement;
        return [e.tagName, e.id, e.className, e.getAttribute('aria-label') || e.getAttribute('role') || '',
                (e.innerText || '').slice(0, 60)].join('|'); }""")


def _tab_to(page, selector: str, text: str = "", limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector` (and shows `text`), as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("([s, t]) => { const e = document.activeElement;"
                         " return !!e && e.matches(s) && (e.innerText || '').includes(t); }", [selector, text]):
            return
    raise AssertionError(f"{selector} is not reachable with Tab (last focus: {_focused(page)})")


def test_keyboard_only_ask_read_the_citation_and_check_a_claim(page):
    from playwright.sync_api import expect

    # Ask: Tab to the question box, type, Enter.
    _tab_to(page, "#question textarea")
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    expect(page.locator("#chat .rr-answer")).to_have_count(1, timeout=ANSWER_MS)
    # Read the citation: Tab to the [1] marker, Enter moves to the cited passage.
    _tab_to(page, "#chat .rr-cite a")
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#rr-source-1'", timeout=10_000)
    source = page.locator("#rr-source-1")
    expect(source).to_be_in_viewport()
    expect(source.locator("mark")).to_contain_text("93,806")
    # Rate it and copy it, from the keyboard too.
    _tab_to(page, "#chat .rr-copy")
    page.keyboard.press("Enter")
    expect(page.locator("#chat .rr-copy-status")).to_have_text("Copied as Markdown.")
    _tab_to(page, "#chat button[aria-label='Dislike']")
    page.keyboard.press("Enter")
    expect(page.locator("#answer-feedback-status")).to_contain_text("recorded as wrong")
    # Check a claim: Tab to the tab, Enter, Tab to the box, type, Tab to Check, Enter.
    _tab_to(page, "button[role='tab']", "Check a figure")
    page.keyboard.press("Enter")
    _tab_to(page, "#claim textarea")
    page.keyboard.type(CLAIM)
    _tab_to(page, "#check-btn")
    page.keyboard.press("Enter")
    label = page.locator("#verdict .rr-verdict-label")
    expect(label).to_have_text("Contradicted", timeout=ANSWER_MS)
    # Readable without colour: the verdict is a word, verified figures carry a ✓ and say so.
    page.get_by_role("tab", name="Ask").click()
    expect(page.locator("#chat .rr-verified").first).to_contain_text(re.compile(r"checked against .*93,806 ✓"))
    page.screenshot(path=str(ARTIFACTS / "keyboard.png"), full_page=True)


@pytest.mark.parametrize("name, viewport, scale", [("390px", {"width": 390, "height": 844}, 1),
                                                   ("zoom-200", {"width": 640, "height": 550}, 2)])
def test_usable_at_390_px_and_at_200_percent_zoom(browser, app_url, name, viewport, scale):
    """200% zoom of a 1280×1100 window is a 640×550 CSS-pixel viewport drawn at twice the density."""
    from playwright.sync_api import expect

    context, pg = _open(browser, app_url, viewport=viewport, device_scale_factor=scale)
    try:
        _ask(pg, QUESTION, 1)
        expect(pg.locator("#chat .rr-answer")).to_contain_text("93,806")
        expect(pg.locator("#ask-btn")).to_be_visible()
        width = pg.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1] + 1, f"the page scrolls sideways at {name}: {width}"
        pg.screenshot(path=str(ARTIFACTS / f"ask-{name}.png"), full_page=True)
        _check(pg, CLAIM)
        expect(pg.locator("#verdict .rr-verdict-label")).to_have_text("Contradicted")
        pg.screenshot(path=str(ARTIFACTS / f"check-{name}.png"), full_page=True)
    finally:
        context.close()


def test_copied_and_downloaded_markdown_hold_the_quotes_and_references(page):
    _ask(page, QUESTION, 1)
    quote = page.locator("#rr-source-1 mark").inner_text()
    page.locator("#chat .rr-copy").first.click()
    page.wait_for_function("document.querySelector('#chat .rr-copy-status').textContent.length > 0")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"**Question:** {QUESTION}") and "**References**" in copied
    assert re.search(r"\n\[1\] .+; (web|PDF) edition; PDF pages \d+", copied)
    assert " ".join(quote.split()) in copied
    # The whole conversation, downloaded.
    _ask(page, "What share of leaders are not confident the NHS can meet public expectations on waiting times?", 2)
    with page.expect_download() as info:
        page.locator("#conversation-md").click()
    assert info.value.suggested_filename.endswith(".md")
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.index("## 1. How many NHS staff") < text.index("## 2. What share of leaders")
    assert text.count("**References**") == 2 and " ".join(quote.split()) in text
    # A claim check: copied and downloaded.
    _check(page, CLAIM)
    page.locator("#verdict .rr-copy").click()
    page.wait_for_function("document.querySelector('#verdict .rr-copy-status').textContent.length > 0")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "**Verdict: Contradicted**" in copied and "> " in copied and "Evidence 1: " in copied
    with page.expect_download() as info:
        page.locator("#check-md").click()
    assert Path(info.value.path()).read_text(encoding="utf-8") == copied


def test_thumbs_down_lands_in_the_feedback_file_and_becomes_a_gold_line(page, feedback_dir, tmp_path):
    from playwright.sync_api import expect

    question = "How many GP practices are there in England?"
    _ask(page, question, 1)
    page.locator("#chat").get_by_role("button", name="Dislike").last.click()
    expect(page.locator("#answer-feedback-status")).to_contain_text("recorded as wrong")
    page.locator("#answer-comment textarea").fill("It gives no number; say where to find one")
    page.locator("#answer-comment-btn").click()
    expect(page.locator("#answer-feedback-status")).to_contain_text("comment is stored")
    _check(page, "The NHS has 150,000 vacancies.")
    page.locator("#check-down").click()
    expect(page.locator("#check-feedback-status")).to_contain_text("recorded as wrong")

    rows = [json.loads(line) for line in (feedback_dir / "feedback.jsonl").read_text().splitlines()]
    mine = [r for r in rows if r["question"] == question]
    assert mine and mine[-1]["rating"] == "down" and mine[-1]["comment"] == "It gives no number; say where to find one"
    assert mine[-1]["result"]["question"] == question and mine[-1]["index_build"].startswith("build-")
    assert not {"ip", "client", "host", "user", "headers"} & set(mine[-1])  # nothing about who rated it
    assert any(r["kind"] == "check" and r["question"] == "The NHS has 150,000 vacancies." for r in rows)

    gold = tmp_path / "from-feedback.jsonl"
    env = {"RAG_FEEDBACK_DIR": str(feedback_dir)}
    done = run_rag("feedback", "--to-gold", str(gold), env=env)
    assert done.returncode == 0, done.stderr.decode()
    assert question in [item.question for item in load_gold(gold)]
    run = run_rag("eval", "--gold", str(gold), "--out", str(tmp_path / "reports"), env=env)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    results = next((tmp_path / "reports").glob("*/results.jsonl")).read_text()
    assert question in results


def test_follow_up_buttons_ask_questions_the_report_answers(page):
    from playwright.sync_api import expect

    _ask(page, QUESTION, 1)
    buttons = page.locator("#follow-ups button:visible")
    expect(buttons.first).to_be_visible()
    suggested = buttons.all_inner_texts()
    assert 1 <= len(suggested) <= 3
    buttons.first.click()
    expect(page.locator("#chat .rr-answer")).to_have_count(2, timeout=ANSWER_MS)
    expect(page.locator("#chat .user-text").last).to_have_text(suggested[0])
    expect(page.locator("#chat .rr-answer").last).not_to_contain_text(DECLINE)
    expect(page.locator("#sources .rr-source").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "follow-up.png"), full_page=True)
