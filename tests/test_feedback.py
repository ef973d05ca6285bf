"""The feedback store and `rag feedback`: ratings kept atomically, capped, and turned into gold lines."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import pytest
from conftest import run_rag

from rag import feedback
from rag.eval_data import GoldError, load_claims, load_gold


@pytest.fixture()
def store(settings, tmp_path):
    return feedback.FeedbackStore(replace(settings, feedback_dir=tmp_path / "fb", feedback_max_bytes=20_000))


ANSWER = {"answer": "The report does not say.", "abstained": True, "citations": [], "plan": {"kind": "figure"}}


def test_add_comment_and_load_round_trip(store):
    item = store.add("answer", "down", "How many GP practices are there?", ANSWER, "extractive", "build-1")
    store.add("check", "up", "More than 93,000 posts are vacant.", {"verdict": "supported"})
    store.comment(item.id, "  It should say the report does not give this  ")
    items, bad = store.load()
    assert bad == 0 and [i.rating for i in items] == ["down", "up"]
    assert items[0].comment == "It should say the report does not give this" and items[0].result == ANSWER
    assert items[0].time.endswith("+00:00") and items[0].index_build == "build-1"
    assert not list(store.dir.glob(".*.tmp"))  # the temporary file was renamed into place


def test_bad_input_is_refused_with_a_reason(store):
    with pytest.raises(feedback.FeedbackError, match="rating must be"):
        store.add("answer", "meh", "q", ANSWER)
    with pytest.raises(feedback.FeedbackError, match="kind must be"):
        store.add("poll", "up", "q", ANSWER)
    with pytest.raises(feedback.FeedbackError, match="limit is 2,000"):
        store.add("answer", "up", "q", ANSWER, comment="x" * 2001)
    with pytest.raises(feedback.FeedbackError, match="no rating with id"):
        store.comment("nope", "text")


def test_size_cap_refuses_new_ratings_and_keeps_the_old(store):
    first = store.add("answer", "down", "q0", ANSWER)
    with pytest.raises(feedback.FeedbackError, match="size cap of 20,000 bytes"):
        for n in range(100):
            store.add("answer", "down", f"q{n + 1}", {"answer": "x" * 500})
    items, _ = store.load()
    assert items[0].id == first.id and 1 < len(items) < 100
    assert store.path.stat().st_size <= 20_000


def test_unreadable_lines_are_kept_when_the_file_is_rewritten(store):
    store.dir.mkdir(parents=True)
    store.path.write_text('{"broken": \nnot json at all\n', encoding="utf-8")
    item = store.add("answer", "up", "q", ANSWER)
    store.comment(item.id, "fine")
    text = store.path.read_text(encoding="utf-8")
    assert "not json at all" in text and '{"broken": ' in text
    items, bad = store.load()
    assert [i.id for i in items] == [item.id] and bad == 2


def test_concurrent_ratings_are_all_kept(store):
    threads = [threading.Thread(target=store.add, args=("answer", "up", f"q{n}", {"n": n})) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    items, bad = store.load()
    assert bad == 0 and sorted(i.result["n"] for i in items) == list(range(20))


def test_marked_wrong_answers_become_gold_lines_the_harness_accepts(store, tmp_path):
    store.add("answer", "down", "How many GP practices are there?", ANSWER, "extractive")
    store.add("answer", "up", "How many NHS staff vacancies were there?", ANSWER)
    store.add("check", "down", "The NHS has 150,000 vacancies.", {"claim": "x", "verdict": "not_found"})
    questions, claims = feedback.to_gold(store.load()[0])
    assert [q["question"] for q in questions] == ["How many GP practices are there?"]
    assert questions[0]["kind"] == "figure" and questions[0]["feedback"]["answer"] == ANSWER["answer"]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in questions))
    (item,) = load_gold(path)
    assert item.answerable and item.split == "feedback"
    claims_path = tmp_path / "claims.jsonl"
    claims_path.write_text("".join(json.dumps(c) + "\n" for c in claims))
    with pytest.raises(GoldError, match="still to be filled in by an evaluator"):
        load_claims(claims_path)
    claims[0]["expected_verdict"] = "contradicted"
    claims_path.write_text("".join(json.dumps(c) + "\n" for c in claims))
    assert load_claims(claims_path)[0].expected_verdict == "contradicted"


def test_rag_feedback_lists_and_writes_gold(store, tmp_path):
    store.add("answer", "down", "How many GP practices are there?", ANSWER, "extractive", comment="wrong")
    env = {"RAG_FEEDBACK_DIR": str(store.dir)}
    listed = run_rag("feedback", env=env)
    assert listed.returncode == 0
    assert "How many GP practices are there?" in listed.stdout.decode() and "1 marked wrong" in listed.stdout.decode()
    as_json = json.loads(run_rag("feedback", "--json", env=env).stdout)
    assert as_json["feedback"][0]["comment"] == "wrong"
    gold = tmp_path / "out" / "gold.jsonl"
    done = run_rag("feedback", "--to-gold", str(gold), env=env)
    assert done.returncode == 0 and f"rag eval --gold {gold}" in done.stdout.decode()
    assert load_gold(gold)[0].question == "How many GP practices are there?"
    empty = run_rag("feedback", env={"RAG_FEEDBACK_DIR": str(tmp_path / "none")})
    assert empty.returncode == 0 and "no feedback yet" in empty.stdout.decode()


def test_a_line_separator_in_a_question_stays_inside_its_line(store):
    first = store.add("answer", "down", "What about\u2028waiting lists?\u0085Now", ANSWER)
    store.add("answer", "up", "second", ANSWER)
    items, bad = store.load()
    assert bad == 0 and [i.question for i in items] == ["What about\u2028waiting lists?\u0085Now", "second"]
    assert store.comment(first.id, "ok").comment == "ok"


def test_odd_lines_are_skipped_and_kept_byte_for_byte(store):
    store.dir.mkdir(parents=True)
    odd = b'[1, 2]\nnull\n{"result": null, "id": "x"}\n{"q": "caf\xe9"}\n'
    store.path.write_bytes(odd)
    item = store.add("answer", "down", "q", ANSWER)
    items, bad = store.load()
    assert [i.id for i in items] == [item.id] and bad == 4
    assert store.path.read_bytes().startswith(odd)
    assert feedback.to_gold(items)[0][0]["question"] == "q"


def test_a_later_thumb_on_the_same_answer_replaces_the_earlier(store):
    store.add("answer", "down", "How many NHS staff vacancies were there?", ANSWER)
    store.add("answer", "up", "How many NHS staff vacancies were there?", ANSWER)
    store.add("answer", "down", "Another question?", ANSWER)
    store.add("answer", "cleared", "Another question?", ANSWER)
    assert feedback.to_gold(store.load()[0]) == ([], [])
