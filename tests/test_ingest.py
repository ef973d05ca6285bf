"""Parsing both editions into sections, with the PDF's page furniture cleaned."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.ingest import clean_text, paragraph_source_text, parse_edition

DATA = Path(__file__).resolve().parent.parent / "data"
CHAPTERS = [
    "A sustained focus on tackling health inequalities",
    "Recovering the backlog and managing expectations",
    "Action on staff shortages and sustained support for health and wellbeing",
    "Accelerating moves to integrated care and system working",
    "A lighter, leaner regulatory culture",
    "A new financial deal for health and social care",
]


@pytest.fixture(scope="module", params=["web", "pdf"])
def edition(request):
    return parse_edition(DATA / f"manifesto-for-recovery.{request.param}.txt")


@pytest.fixture(scope="module")
def pdf():
    return parse_edition(DATA / "manifesto-for-recovery.pdf.txt")


def all_text(ed) -> str:
    return "\n".join(p.text for s in ed.sections for p in s.paragraphs)


def test_section_tree_has_every_part(edition):
    paths = {s.path_str for s in edition.sections}
    tops = {s.path[0] for s in edition.sections}
    for top in ["Key points", "Introduction", "Survey findings", "Building back better", "Ten-point plan", *CHAPTERS]:
        assert top in tops, top
    for chapter in CHAPTERS:
        for part in ["The challenge", "What have NHS leaders told us?", "What do NHS leaders need?"]:
            assert f"{chapter} › {part}" in paths
    points = [s for s in edition.sections if s.path[0] == "Ten-point plan"]
    assert [s.path[1].split(".")[0] for s in points] == [str(n) for n in range(1, 11)]
    case_studies = [p for p in paths if "Case study:" in p]
    assert len(case_studies) == 4


def test_every_paragraph_maps_back_to_its_source_text(edition):
    for sec in edition.sections:
        for para in sec.paragraphs:
            assert paragraph_source_text(edition.text, para) == para.text


def test_footnotes_resolved(edition):
    assert set(edition.footnotes) >= set(range(1, 9))
    assert "NHS Digital" in edition.footnotes[8]
    vacancy = next(p for s in edition.sections for p in s.paragraphs if "93,806" in p.text and "three-month" in p.text)
    assert 8 in vacancy.footnotes
    assert not vacancy.text.rstrip().endswith("8")  # the mark is not left in the text as a figure


def test_pdf_pull_quotes_removed_but_statement_kept(pdf):
    text = all_text(pdf)
    standalone = [p.text for s in pdf.sections for p in s.paragraphs]
    assert "The more impoverished a local authority, the higher its mortality rate" not in standalone
    assert "the more impoverished a local authority, the higher its mortality rate." in text
    assert "In March 2021, total full-time equivalent staff vacancies stood at 93,806" not in standalone
    assert text.count("93,806") == 1  # stated once in the flow; the pull quote's repeat is gone
    assert not any(t.startswith("Our Health Leaders Panel is the only panel") for t in standalone)
    assert "For this latest report, we surveyed members of the panel during July 2021." in text
    # What a pull quote singles out is kept with its section, for summaries to carry.
    assert any("93,806" in h for s in pdf.sections for h in s.highlights)


def test_pdf_page_furniture_cleaned(pdf):
    text = all_text(pdf)
    assert "dayto-day" not in text and "day-to-day" in text
    assert "^{" not in text and "\\bigcirc" not in text and "\\boldsymbol" not in text
    assert "Contents" not in [p.text for s in pdf.sections for p in s.paragraphs]
    # A bullet wrapped over five lines is one paragraph.
    assert any(p.text.startswith("Action is also required to ensure effective community engagement") and p.text.endswith("communities.")
               for s in pdf.sections for p in s.paragraphs)
    # A sentence cut by a page break is whole again.
    assert "people are waiting longer." in text and "the pandemic. The NHS is based" in text


def test_pdf_survey_figures_paired_with_their_statements(pdf):
    survey = {p.text for s in pdf.sections if s.path[0] == "Survey findings" for p in s.paragraphs}
    assert "72% predict a rise in demand for community mental health services." in survey
    assert "82% are not confident the NHS will be able to meet public expectations on waiting times." in survey
    assert "7 in 10 support the direction of travel outlined in the government's NHS white paper." in survey
    assert not any(t.startswith("89% 72%") or t.startswith("rels of demand") for t in survey)


def test_pdf_pages_from_contents(pdf):
    pages = {s.path[0]: s.pages for s in pdf.sections}
    assert pages["Key points"] == "4-6"
    assert pages["Action on staff shortages and sustained support for health and wellbeing"] == "26-29"


def test_clean_text_joins_lines_and_drops_marks():
    text, notes = clean_text("- Between £4 and\n £5 billion.⁹ And more^{*}")
    assert text == "Between £4 and £5 billion. And more"
    assert notes == [9]


def test_binary_source_is_refused(tmp_path):
    f = tmp_path / "x.web.txt"
    f.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ValueError, match="binary"):
        parse_edition(f)
