"""Fact-checking a whole text: one verdict per claim, with offsets, against the real report and index."""

from __future__ import annotations

import json

import pytest
from conftest import run_rag

from rag import claims, figures

PARAGRAPH = ("NHS leaders say more than 100,000 posts are vacant. The waiting list stands at 5.6 million, and 82% of "
             "leaders are confident the NHS can meet expectations. Ministers announced £5.4 billion on 6 September.")


def test_the_issue_paragraph_gets_four_verdicts_in_order(assistant):
    result = claims.check_text(assistant, PARAGRAPH)
    assert [v.verdict for v in result.claims] == ["contradicted", "supported", "contradicted", "supported"]
    for v in result.claims:
        assert PARAGRAPH[v.start:v.end] == v.claim
    assert "93,806" in " ".join(result.claims[0].notes) or any(f.report == "93,806" for f in result.claims[0].figures)
    assert "not confident" in result.claims[2].notes[0]
    assert result.summary == {"supported": 2, "contradicted": 2, "not_found": 0, "nothing_to_check": 0}


def test_a_sentence_splits_only_where_each_clause_states_a_figure():
    pieces = claims.split("The waiting list stands at 5.6 million, and it is still rising. Ministers gave "
                          "£5.4 billion; leaders said 77% were not confident.")
    assert [p.text for p in pieces] == [
        "The waiting list stands at 5.6 million, and it is still rising.",
        "Ministers gave £5.4 billion",
        "leaders said 77% were not confident.",
    ]


def test_sentences_with_nothing_to_check_are_listed_not_dropped(assistant):
    text = "This is a scandal. The waiting list stands at 5.6 million."
    result = claims.check_text(assistant, text)
    assert [v.verdict for v in result.claims] == ["nothing_to_check", "supported"]
    assert text[result.claims[0].start:result.claims[0].end] == "This is a scandal."


def test_a_claim_that_refers_back_takes_its_subject_from_the_sentence_before(assistant):
    result = claims.check_text(assistant, "The NHS waiting list is 5.6 million. It was 4 million before the pandemic.")
    second = result.claims[1]
    assert second.claim == "It was 4 million before the pandemic."
    assert second.verdict == "supported", second.notes
    assert second.notes[0].startswith("Refers back") and "waiting list" in second.notes[0]


def test_report_sentences_that_refer_back_are_matched_with_their_subject(assistant):
    # The report: "... a long COVID clinic at King George Hospital ..." then, later, "The clinic has seen 700 patients".
    assert assistant.check("The long COVID clinic at King George Hospital has seen 700 patients.").verdict == "supported"
    wrong = assistant.check("The long COVID clinic at King George Hospital has seen 1,000 patients.")
    assert wrong.verdict == "contradicted" and wrong.figures[0].report == "700"


@pytest.mark.parametrize(
    ("claimed", "report", "match"),
    [
        ("6 million", "5.61 million", "rounded"),  # rounds to it at the claim's precision, within 10%
        ("6.5 million", "5.61 million", "different"),
        ("more than 93,000", "93,806", "rounded"),
        ("more than 95,000", "93,806", "different"),
        ("nearly 94,000", "93,806", "rounded"),
        ("nearly 90,000", "93,806", "different"),
        ("£10 billion", "£6.5 billion", "different"),  # rounds at the nearest £10 billion, but 35% away
        ("around a third", "34 per cent", "approximate"),
        ("around a third", "40 per cent", "different"),
    ],
)
def test_rounding_and_hedges_follow_the_written_rule(claimed, report, match):
    assert figures.compare(figures.find_figures(claimed)[0], figures.find_figures(report)[0]) == match


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        ("The government has committed £10 billion to the NHS for next year.", "contradicted"),
        ("The NHS will get £10 billion next year.", "contradicted"),
        ("The NHS needs £10 billion next year.", "supported"),
        ("The NHS will receive £6.5-7 billion of extra funding in 2022/23.", "supported"),
    ],
)
def test_what_the_report_says_is_needed_is_not_what_is_given(assistant, claim, verdict):
    v = assistant.check(claim)
    assert v.verdict == verdict, v.notes
    if verdict == "contradicted":
        assert v.evidence and "£" in v.evidence[0].quote


def test_cli_checks_a_file_stdin_and_keeps_single_claim_json(tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(PARAGRAPH + "\n\nThis is a scandal.\n", encoding="utf-8")
    out = run_rag("check", "--json", "--file", str(draft))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"text", "claims", "summary"}
    assert [c["verdict"] for c in data["claims"]] == ["contradicted", "supported", "contradicted", "supported",
                                                      "nothing_to_check"]
    assert all(data["text"][c["start"]:c["end"]] == c["claim"] for c in data["claims"])
    piped = run_rag("check", input=PARAGRAPH.encode())
    assert piped.returncode == 0 and piped.stdout.decode().count("CONTRADICTED") == 2
    assert "supported 2, contradicted 2" in piped.stdout.decode()
    single = json.loads(run_rag("check", "--json", "More than 93,000 NHS posts are vacant.").stdout)
    assert "start" not in single and single["verdict"] == "supported"


def test_cli_bad_texts_get_a_clear_error(tmp_path):
    binary = tmp_path / "draft.bin"
    binary.write_bytes(b"\xff\xfe\x00\x01 not text")
    out = run_rag("check", "--file", str(binary))
    assert out.returncode == 1 and "not UTF-8" in out.stderr.decode() and "Traceback" not in out.stderr.decode()
    missing = run_rag("check", "--file", str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr.decode()
    huge = run_rag("check", input=("The waiting list is 5.6 million. " * 2000).encode())
    assert huge.returncode == 1 and "limit" in huge.stderr.decode()


def test_gold_paragraphs_are_scored_claim_by_claim_and_lost_claims_counted(assistant, tmp_path):
    from rag import text_eval

    gold = tmp_path / "paragraphs.jsonl"
    gold.write_text(json.dumps({"id": "p1", "split": "dev", "text": PARAGRAPH + " This is a scandal.", "claims": [
        {"quote": "more than 100,000 posts are vacant", "expected_verdict": "contradicted"},
        {"quote": "The waiting list stands at 5.6 million", "expected_verdict": "supported"},
        {"quote": "82% of leaders are confident", "expected_verdict": "supported"},  # wrong on purpose
        {"quote": "This is a scandal.", "expected_verdict": "not_found"},  # only a nothing-to-check piece covers it
    ]}) + "\n", encoding="utf-8")
    result = text_eval.score(assistant, text_eval.load_paragraphs(gold)[0])
    assert [r["got"] for r in result.rows] == ["contradicted", "supported", "contradicted", "nothing_to_check"]
    assert (result.claims, result.correct, result.lost) == (4, 2, 1)
    assert text_eval.aggregate([result])["paragraph_claim_accuracy"] == 0.5
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "p2", "text": "abc", "claims": [{"quote": "xyz", "expected_verdict": "supported"}]}))
    with pytest.raises(ValueError, match="line 1"):
        text_eval.load_paragraphs(bad)


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        # "This year" is no back-reference; "This means" is.
        ("Leaders are worried. This year more than 93,000 NHS posts are vacant.", ["", ""]),
        ("The NHS waiting list is 5.6 million. This means 4 million more.", ["", "The NHS waiting list"]),
        # A clinic named for the first time does not borrow the waiting list.
        ("The waiting list stands at 5.6 million. The clinic saw 700 patients.", ["", ""]),
    ],
)
def test_only_real_back_references_borrow_a_subject(text, subjects):
    assert [p.subject for p in claims.split(text)] == subjects


def test_stray_separators_and_tabs_make_no_empty_claims():
    assert claims.split(",") == []
    text = "A is 5%.\n;\n\tB is 6%."
    assert [(p.text, text[p.start:p.end]) for p in claims.split(text)] == [("A is 5%.", "A is 5%."), ("B is 6%.", "B is 6%.")]
