"""Figure checking: unit tests of the comparison logic, integration tests through the real CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import ROOT, run_rag

from rag import check, figures, report_sentences
from rag.schema import Chunk
from rag.text import stem

# ---------------------------------------------------------------------------
# Unit tests: no model, no index


def _report(*texts: str, section: str = "Chapter › What have NHS leaders told us?"):
    chunks = [Chunk(id=f"doc:web:{i}", doc_id="doc", edition="web", section=section, text=t, start=0, end=len(t))
              for i, t in enumerate(texts)]
    return report_sentences.make_report(chunks, {"web": {}}, {}, {"web": ""}), chunks


def _judge(claim: str, *texts: str):
    rep, chunks = _report(*texts)
    return check.judge(claim, chunks, rep, {})


def test_covid_19_is_not_a_figure():
    assert [f.text for f in figures.find_figures("COVID-19 left 93,806 posts empty")] == ["93,806"]


def test_polarity_clash_finds_the_lost_not():
    sentence = "82% are not confident the NHS will be able to meet public expectations on waiting times."
    assert "not confident" in check.polarity_clash("82% are confident the NHS will meet expectations", sentence)
    assert check.polarity_clash("82% are not confident the NHS can meet expectations", sentence) is None
    # "not the £6.5-7 billion" contrasts figures, which the figure comparison handles.
    assert check.polarity_clash("The NHS will get £6.5-7 billion", "It needs £10 billion, not the £6.5-7 billion it will get.") is None


def test_comparison_claims_compute_the_ratio():
    (c,) = check._claimed("Death rates were more than double")
    assert c.ratio == 2 and c.hedge == "more than"
    assert check._compare_ratio(c, 3.1 / 1.4) == "approximate"
    (three,) = check._claimed("Death rates were three times as high")
    assert check._compare_ratio(three, 3.1 / 1.4) == "different"


def test_quantifier_majority_against_a_percentage():
    (c,) = check._claimed("Most NHS leaders said so")
    assert check._compare(c, figures.find_figures("56 per cent")[0]) == "approximate"
    assert check._compare(c, figures.find_figures("19 per cent")[0]) == "different"
    (m,) = check._claimed("A majority of leaders are well supported")
    assert check._compare(m, figures.find_figures("just under half")[0]) == "different"


def test_figure_words_tell_which_figure_measures_what():
    text = ("The greatest rise in demand was for child and adolescent mental health services (CAMHS) "
            "(89 per cent) and community mental health services (73 per cent).")
    figs = figures.find_figures(text)
    by = {f.text: report_sentences.figure_words(text, f, figs) for f in figs}
    assert stem("community") in by["73 per cent"] and stem("community") not in by["89 per cent"]
    assert stem("adolescent") in by["89 per cent"]
    restated = "Four in five of our panel (80 per cent) disagreed with the statement."
    figs = figures.find_figures(restated)
    assert all("disagre" in report_sentences.figure_words(restated, f, figs) for f in figs)


def test_rounded_hedge_supported_and_overstated_contradicted():
    text = "Total full-time equivalent staff vacancies stood at 93,806."
    assert _judge("More than 93,000 staff vacancies", text).verdict == "supported"
    v = _judge("Over 100,000 staff vacancies", text)
    assert v.verdict == "contradicted" and v.figures[0].report == "93,806"


def test_wrong_period_is_contradicted():
    text = "In the three-month period ending in June 2021, staff vacancies stood at 93,806."
    assert _judge("93,806 staff vacancies in the period ending June 2021", text).verdict == "supported"
    v = _judge("93,806 staff vacancies in the period ending December 2020", text)
    assert v.verdict == "contradicted" and "June 2021" in v.notes[0]


def test_wrong_subject_names_where_the_figure_belongs():
    texts = ("59% say health inequalities have widened as a result of the pandemic.",
             "95% say tackling health inequalities should be a key measure of performance.")
    v = _judge("95% say health inequalities have widened as a result of the pandemic", *texts)
    assert v.verdict == "contradicted" and v.figures[0].report == "59%"
    assert "something else" in v.notes[0]


def test_unrelated_subject_is_not_found():
    v = _judge("Dental waiting times have doubled", "Staff vacancies stood at 93,806.")
    assert v.verdict == "not_found" and v.notes


def test_a_figure_the_report_never_gives_is_not_found():
    v = _judge("Of the 93,806 staff vacancies, 39,000 were nursing posts", "Staff vacancies stood at 93,806.")
    assert v.verdict == "not_found"


def test_footnote_markers_attach_to_their_sentence():
    source = "First sentence has 12 things. Vacancies stood at 93,806. 8 \n"
    chunk = Chunk(id="d:web:1", doc_id="d", edition="web", section="Staff › The challenge",
                  text="First sentence has 12 things. Vacancies stood at 93,806.", start=0, end=len(source),
                  paragraph_spans=[[0, len(source) - 1]], footnotes=[8])
    sents = report_sentences.build_sentences([chunk], {"web": {"8": "NHS Digital vacancy statistics"}}, {"web": source})
    assert sents[0].source["kind"] != "external"
    assert sents[1].source == {"kind": "external", "reference": "NHS Digital vacancy statistics", "footnote": 8}


def test_bad_claims_get_a_one_line_error(assistant):
    for bad in ("", "   ", b"\xff\xfe", "x" * 5000, "a\x00b"):
        v = check.check_claim(assistant, bad, "bad")
        assert v.verdict == "not_found" and v.error and "\n" not in v.error


# ---------------------------------------------------------------------------
# Integration: the real CLI, the real index and model


def test_cli_check_overstated_vacancies():
    r = run_rag("check", "Over 100,000 NHS posts are vacant")
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()
    assert out.startswith("CONTRADICTED") and "93,806" in out
    assert "total full-time equivalent staff vacancies stood at 93,806" in out


def test_cli_check_lost_not_json():
    r = run_rag("check", "82% of leaders are confident the NHS will meet expectations on waiting times", "--json")
    v = json.loads(r.stdout)
    assert v["verdict"] == "contradicted"
    assert any("not confident" in n for n in v["notes"])
    assert v["evidence"] and all({"chunk_id", "edition", "section", "quote", "source", "pages"} <= set(e) for e in v["evidence"])
    assert any("82" in e["quote"] and "not" in e["quote"] for e in v["evidence"])


def test_cli_check_batch_reports_bad_line_by_number(tmp_path):
    path = tmp_path / "claims.jsonl"
    path.write_text(
        json.dumps({"id": "a", "claim": "More than 93,000 NHS posts are vacant."}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "c", "claim": "NHS dental waiting times have doubled since the pandemic began."}) + "\n"
    )
    r = run_rag("check", "--jsonl", str(path))
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert r.returncode == 0 and len(rows) == 3
    assert rows[0]["id"] == "a" and rows[0]["verdict"] == "supported"
    assert rows[1]["line"] == 2 and rows[1]["error"].startswith("line 2:")
    assert rows[2]["id"] == "c" and rows[2]["verdict"] == "not_found"


def test_cli_figures_query_vacancies_shows_footnote_source():
    r = run_rag("figures", "--query", "vacancies")
    out = r.stdout.decode()
    assert r.returncode == 0 and "93,806" in out
    assert "footnote 8" in out and "NHS Digital" in out


def test_cli_figures_json_has_sources_and_pages():
    r = run_rag("figures", "--json")
    rows = json.loads(r.stdout)["figures"]
    assert {row["edition"] for row in rows} == {"web", "pdf"}
    vac = [row for row in rows if row["text"] == "93,806"]
    assert {row["edition"] for row in vac} == {"web", "pdf"}
    assert all(row["source"]["footnote"] == 8 and "NHS Digital" in row["source"]["reference"] for row in vac)
    assert [row["pages"] for row in vac if row["edition"] == "pdf"] == ["26-29"]
    assert any(row["source"]["kind"] == "survey_panel" for row in rows)
    assert any(row["source"]["kind"] == "trust_ceo_survey" for row in rows)
    assert not any(row["text"] == "19" for row in rows)  # "COVID-19" is no figure


def test_cli_figures_csv_is_sortable():
    r = run_rag("figures", "--csv", "--query", "mortality")
    rows = list(csv.DictReader(io.StringIO(r.stdout.decode())))
    assert rows and {"value", "unit", "sentence", "section", "edition", "chunk_id", "source_kind"} <= set(rows[0])
    assert any(row["text"].startswith("3.1") and row["source_kind"] == "external" and row["source_footnote"] == "2"
               for row in rows)


def test_cli_figures_never_imports_torch():
    import subprocess
    import sys

    code = ("import sys, io, contextlib; from rag import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()): cli.main(['figures', '--json'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'sentence_transformers', 'faiss')))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode().strip() == "[]"


def test_cli_discrepancies_lists_both_known_ones():
    r = run_rag("figures", "--discrepancies", "--json")
    rows = json.loads(r.stdout)["discrepancies"]
    between = [d for d in rows if d["kind"] == "between_editions"]
    within = [d for d in rows if d["kind"] == "within_report"]
    assert any("June 2021" in d["a"]["quote"] and "March 2021" in d["b"]["quote"] and "93,806" in d["a"]["quote"]
               for d in between)
    assert any(d["a"].get("footnote") == 8 for d in between)
    assert any("72%" in d["a"]["quote"] and "73 per cent" in d["b"]["quote"] for d in within)
    text = run_rag("figures", "--discrepancies").stdout.decode()
    assert "between editions" in text and "within the report" in text


@pytest.mark.parametrize("claim,expected", [
    ("Nine in ten NHS leaders are not confident that lighter-touch regulation will be kept after the pandemic.", "supported"),
    ("COVID-19 death rates in the most deprived areas were three times those in the least deprived.", "contradicted"),
])
def test_verdicts_through_the_assistant(assistant, claim, expected):
    v = assistant.check(claim)
    assert v.verdict == expected and v.notes and v.evidence


def test_verdict_citing_a_discrepancy_says_so(assistant):
    v = assistant.check("The 93,806 NHS vacancies were recorded in the three months ending December 2020.")
    assert v.verdict == "contradicted"
    assert any("editions differ" in n for n in v.notes)
