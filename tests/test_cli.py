"""The `rag` command, run in a subprocess as a user would."""

from __future__ import annotations

import json

from conftest import run_rag


def test_ask_prints_93806_with_a_citation(assistant):
    r = run_rag("ask", "How many NHS staff vacancies were there?")
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()
    assert "93,806" in out and "[1]" in out and "› The challenge" in out


def test_ask_json_fields(assistant):
    r = run_rag("ask", "--json", "What share of leaders are not confident the NHS can meet public expectations on waiting times?")
    data = json.loads(r.stdout)
    for key in ["id", "question", "answer", "abstained", "citations", "figures", "mode", "timings_ms"]:
        assert key in data
    assert set(data["timings_ms"]) >= {"retrieve", "answer", "total"}
    assert set(data["citations"][0]) >= {"n", "chunk_id", "edition", "section", "quote"}
    assert set(data["figures"][0]) >= {"text", "value", "unit", "supported", "chunk_id"}
    assert "82" in data["answer"]


def test_ask_jsonl_batch_and_stdin(assistant, tmp_path):
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        json.dumps({"id": "a", "q": "How many NHS staff vacancies were there?"}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "c", "q": "Who won the 1966 World Cup?"}) + "\n"
    )
    r = run_rag("ask", "--jsonl", str(batch))
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert [row.get("id") for row in rows] == ["a", None, "c"]
    assert "93,806" in rows[0]["answer"]
    assert "line 2" in rows[1]["error"]
    assert rows[2]["abstained"] is True
    r = run_rag("ask", "--json", input=b"How big is the waiting list?")
    assert json.loads(r.stdout)["question"] == "How big is the waiting list?"


def test_search_json_and_empty_question(assistant):
    r = run_rag("search", "--json", "-k", "3", "hidden waiting list")
    hits = json.loads(r.stdout)
    assert len(hits) == 3 and hits[0]["rank"] == 1
    r = run_rag("ask", "")
    assert r.returncode == 1
    assert b"the question is empty" in r.stderr or b"the question is empty" in r.stdout
    assert b"Traceback" not in r.stderr


def test_bad_setting_is_one_line_error():
    r = run_rag("figures", "--json", env={"RAG_K": "five"})
    assert r.returncode == 1
    assert r.stderr.decode().strip() == "rag: error: RAG_K must be a number (int), not 'five'"
