"""The web page in a real browser: Debian's Chromium driven by Playwright.

One app process (`python ui.py --port <free port>`) and one browser serve every
browser test (tests/conftest.py). Screenshots go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ARTIFACTS, CHROMIUM

from rag import claims

ANSWER_MS = 120_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium "
                                                     "(apt-get install chromium, or scripts/ensure-chromium)"),
]

PAYLOAD = ('<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> [click me](javascript:window.__pwned=3) '
           '<img src=y onerror="document.title=\'pwned\'"><svg onload="window.__pwned=4"></svg> '
           '[docs](https://example.org/x) <a href="https://example.org/y">y</a>')
# Anything the payload would create if it were rendered as HTML or markdown instead of text.
LIVE = "img[src='x'], img[src='y'], script, svg[onload], a[href^='javascript'], a[href*='example.org']"


@pytest.fixture()
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 1100}, accept_downloads=True)
    pg = context.new_page()
    pg.goto(app_url)
    pg.locator("#question textarea").wait_for(timeout=60_000)
    yield pg
    context.close()


def _ask(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask-btn").click()


def test_ask_shows_the_figure_with_its_citation(page):
    from playwright.sync_api import expect

    _ask(page, "What share of leaders are not confident the NHS can meet public expectations on waiting times?")
    expect(page.locator("#sources .rr-source").first).to_be_visible(timeout=ANSWER_MS)
    answer = page.locator("#chat .rr-answer").last
    expect(answer).to_contain_text(re.compile(r"82(%| per cent)"))
    expect(answer.locator(".rr-cite").first).to_contain_text("[1]")
    expect(answer.locator(".rr-fig").filter(has_text=re.compile(r"82"))).to_be_visible()
    source = page.locator("#sources .rr-source").first
    expect(source).to_contain_text("edition")
    expect(source.locator("mark")).to_contain_text(re.compile(r"82(%| per cent)"))
    page.screenshot(path=str(ARTIFACTS / "ask.png"), full_page=True)

    # A follow-up: the previous question informs retrieval, and the chat keeps both turns.
    _ask(page, "And which month does that figure refer to?")
    expect(page.locator("#chat .rr-answer")).to_have_count(2, timeout=ANSWER_MS)
    page.screenshot(path=str(ARTIFACTS / "ask-follow-up.png"), full_page=True)


def test_typed_html_and_markdown_are_shown_as_text(page):
    from playwright.sync_api import expect

    _ask(page, PAYLOAD)
    chat = page.locator("#chat")
    expect(chat.locator(".user-text")).to_have_text(PAYLOAD, timeout=ANSWER_MS)
    expect(chat.locator(".rr-answer, .rr-error").first).to_be_visible(timeout=ANSWER_MS)
    title = page.title()
    assert page.evaluate("window.__pwned") is None
    assert chat.locator(LIVE).count() == 0
    # The figure checker echoes the claim in its card: a gr.HTML, where an <img onerror> would run.
    page.get_by_role("tab", name="Check a figure").click()
    page.locator("#claim textarea").fill(PAYLOAD)
    page.locator("#check-btn").click()
    expect(page.locator("#verdict .rr-verdict, #verdict .rr-error").first).to_be_visible(timeout=ANSWER_MS)
    expect(page.locator("#verdict .rr-claim")).to_have_text(PAYLOAD)
    assert page.evaluate("window.__pwned") is None and page.title() == title != "pwned"
    assert page.locator("#verdict").locator(LIVE).count() == 0
    page.screenshot(path=str(ARTIFACTS / "escaped.png"), full_page=True)
    # The probe itself works: the same payload inserted as HTML does run in this browser.
    page.evaluate("p => document.body.insertAdjacentHTML('beforeend', p)", PAYLOAD)
    page.wait_for_function("window.__pwned !== undefined && document.title === 'pwned'", timeout=10_000)


def test_over_long_question_gets_a_clear_message(page):
    from playwright.sync_api import expect

    _ask(page, "waiting " * 400)
    expect(page.locator("#chat .rr-error")).to_contain_text("limit is 2,000", timeout=ANSWER_MS)


def test_check_a_contradicted_claim(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Check a figure").click()
    page.locator("#claim textarea").fill("82% of leaders are confident the NHS will meet expectations on waiting times")
    page.locator("#check-btn").click()
    card = page.locator("#verdict .rr-verdict")
    expect(card).to_be_visible(timeout=ANSWER_MS)
    expect(card.locator(".rr-verdict-label")).to_have_text("Contradicted")
    expect(card.locator(".rr-source").first).to_contain_text(re.compile(r"82(%| per cent)"))
    page.screenshot(path=str(ARTIFACTS / "check.png"), full_page=True)


ISSUE_PARAGRAPH = ("NHS leaders say more than 100,000 posts are vacant. The waiting list stands at 5.6 million, and 82% "
                   "of leaders are confident the NHS can meet expectations. Ministers announced £5.4 billion on "
                   "6 September.")


def _check_text(page, text: str):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Check a figure").click()
    page.locator("#claim textarea").fill(text)
    page.locator("#check-btn").click()
    result = page.locator("#verdict .rr-textcheck, #verdict .rr-error").first
    expect(result).to_be_visible(timeout=ANSWER_MS)
    return page.locator("#verdict")


def test_check_a_paragraph_marks_each_claim_with_its_verdict_in_words(page):
    from playwright.sync_api import expect

    verdict = _check_text(page, ISSUE_PARAGRAPH)
    labels = verdict.locator(".rr-mark-label")
    expect(labels).to_have_count(4)
    assert [t.split("] ")[1] for t in labels.all_inner_texts()] == ["Contradicted", "Supported", "Contradicted",
                                                                     "Supported"]
    expect(verdict.locator(".rr-claim-card")).to_have_count(4)
    expect(verdict.locator("#rr-card-1")).to_contain_text("93,806")
    expect(verdict.locator(".rr-summary")).to_contain_text("4 claims")
    # The marked text is the pasted text, in order, nothing lost.
    assert verdict.locator(".rr-marked").inner_text().replace("\n", "").startswith("NHS leaders say more than 100,000")
    page.screenshot(path=str(ARTIFACTS / "check-paragraph.png"), full_page=True)


def test_check_a_long_pasted_article_with_html_in_it(page):
    from playwright.sync_api import expect

    sentences = [
        "The waiting list stands at 5.6 million.",
        "Leaders say <b>more than 93,000</b> posts are vacant & rising.",
        "This is a scandal, says a <script>window.__pwned=1</script> campaigner.",
        "The NHS will get £10 billion next year.",
        "Ministers announced £5.4 billion on 6 September.",
    ]
    text = ""
    while len(text) < 5000:
        text += " ".join(sentences) + "\n"
    verdict = _check_text(page, text)
    expect(verdict.locator(".rr-summary")).to_be_visible(timeout=ANSWER_MS)
    n = verdict.locator(".rr-claim-card").count()
    assert n == len(claims.split(text)) and n >= 5 * (len(text) // 400)
    assert page.evaluate("window.__pwned") is None
    assert verdict.locator("script, b").count() == 0  # shown as text, never run or rendered
    expect(verdict.locator(".rr-marked")).to_contain_text("<b>more than 93,000</b>")
    page.screenshot(path=str(ARTIFACTS / "check-article.png"), full_page=True)


def test_figures_tab_finds_the_vacancy_figure_and_downloads_csv(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Figures").click()
    table = page.locator("#figures-table")
    page.locator("#figures-search textarea").fill("93,806")
    expect(table.get_by_role("gridcell", name="93,806", exact=True).first).to_be_visible(timeout=30_000)
    expect(page.locator("#discrepancies")).to_contain_text("March 2021")
    page.screenshot(path=str(ARTIFACTS / "figures.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("#figures-csv").click()
    csv_text = Path(info.value.path()).read_text(encoding="utf-8")
    assert csv_text.splitlines()[0].startswith("value,") and "93,806" in csv_text


def test_about_tab_names_the_report_and_the_index(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="About").click()
    about = page.locator("#about")
    expect(about).to_contain_text("24 September 2021")
    expect(about).to_contain_text("© NHS Confederation 2021")
    expect(about).to_contain_text(re.compile(r"Passages: \d+"))
    expect(about).to_contain_text("How answers are verified")
    page.screenshot(path=str(ARTIFACTS / "about.png"), full_page=True)
