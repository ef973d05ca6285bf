"""Answers and checks as Markdown: the quotes and the references (section, edition, PDF pages) written out."""

from __future__ import annotations

from rag import claims, export


def test_answer_markdown_writes_out_every_citation_as_a_reference(assistant):
    answer = assistant.ask("How many NHS staff vacancies were there?")
    text = export.answer_markdown(answer, assistant.index.by_id)
    assert text.startswith("**Question:** How many NHS staff vacancies were there?")
    assert "93,806" in text and "**References**" in text
    for c in answer.citations:
        ref = text[text.index(f"\n[{c.n}] ") + 1:]
        assert ref.split("\n", 1)[0].startswith(f"[{c.n}] {c.section}; ")
        assert f"> {' '.join(c.quote.split())}" in ref
    # A web-edition passage names the PDF pages of its PDF twin, so a reader can find it in either edition.
    web = next(c for c in answer.citations if c.edition == "web")
    pages = export.pdf_pages(web, assistant.index.by_id)
    assert pages and f"[{web.n}] {web.section}; web edition; PDF pages {pages}" in text


def test_declined_answer_says_so_and_lists_where_to_look(assistant):
    answer = assistant.ask("How many GP practices are there in England?")
    assert answer.abstained
    text = export.answer_markdown(answer, assistant.index.by_id)
    assert "See also:" in text and "**References**" not in text


def test_text_check_markdown_gives_each_claim_its_verdict_and_evidence(assistant):
    result = claims.check_claim_or_text(assistant, "NHS leaders say more than 100,000 posts are vacant. The waiting "
                                                   "list stands at 5.6 million.")
    text = export.check_markdown(result)
    assert "2 claims: supported 1, contradicted 1" in text
    assert "**Claim 1:** NHS leaders say more than 100,000 posts are vacant." in text
    assert text.index("**Verdict: Contradicted**") < text.index("**Claim 2:**") < text.index("**Verdict: Supported**")
    assert "> In the three-month period ending in June 2021" in text


def test_rag_ask_markdown_and_follow_ups_on_the_command_line():
    from conftest import run_rag

    md = run_rag("ask", "--markdown", "How many NHS staff vacancies were there?")
    assert md.returncode == 0 and "**References**" in md.stdout.decode() and "PDF pages" in md.stdout.decode()
    text = run_rag("ask", "How many NHS staff vacancies were there?").stdout.decode()
    assert "\nfollow-up: " in text


def test_an_added_documents_citation_names_it_not_the_report():
    from rag.schema import Answer, Citation

    cited = Citation(1, "board-minutes:board-minutes:ab12", "board-minutes", "Board minutes › Finance", "Spend rose.",
                     document="Board minutes")
    text = export.answer_markdown(Answer(id=None, question="q", answer="Spend rose. [1]", abstained=False,
                                         citations=[cited]), {})
    assert "[1] Board minutes › Finance; Board minutes" in text and "edition" not in text
    assert '*Source: "Board minutes".' in text and "Manifesto" not in text
