"""The eval harness: metric definitions, gold validation, the gate, compare, and one real run."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import run_rag

from rag import evaluate, metrics
from rag.schema import Answer, Citation

# ---------------------------------------------------------------- metrics


@pytest.mark.parametrize(
    ("groups", "text", "expected"),
    [
        ([["59%"]], "Some 59 per cent of leaders agree.", [True]),
        ([["seven in ten", "70%"]], "70 per cent support it.", [True]),
        ([["7 in 10"]], "Seven in ten support the direction.", [True]),
        ([["93,806"]], "vacancies stood at 93806 [1]", [True]),
        ([["£4.5 billion"]], "between £3.5 and £4.5 billion a year", [True]),
        ([["£3.5"]], "between £3.5 and £4.5 billion a year", [True]),
        ([["5.30pm"], ["9.30am"]], "between 5.30pm and 9.30am Monday to Friday", [True, True]),
        ([["five-to-seven"]], "will take five to seven years", [True]),
        ([["59%"]], "Some 590 leaders and 5.9 per cent", [False]),
        ([["5.6 million"]], "over 5.61 million people", [False]),
        # The figure alone does not make the form: June must be stated too.
        ([["June to September 2021"]], "ran until September 2021", [False]),
        ([["June to September 2021"]], "ran from June to September 2021", [True]),
        ([["3.1"], ["1.4"]], "rates of 3.1 per 100,000 against 1.4", [True, True]),
        ([["40%"], ["36%"]], "40 per cent agree", [True, False]),
    ],
)
def test_groups_found(groups, text, expected):
    assert metrics.groups_found(groups, text) == expected


def test_keywords_and_sections():
    assert metrics.keywords_found(["pop-up vaccination centres", "CQC"], "Pop up vaccination centres; the cqc") == [True, True]
    assert metrics.keywords_found(["law"], "lawful") == [False]
    assert metrics.section_matches("Key points", ["Key points"])
    assert metrics.section_matches("Survey findings › Funding", ["Survey findings"])
    assert not metrics.section_matches("Survey findings extra", ["Survey findings"])
    assert not metrics.section_matches("Key points", ["Survey findings › Funding"])


def _answer(text: str, quotes: list[str]) -> Answer:
    cites = [Citation(n=i + 1, chunk_id=f"c{i}", edition="web", section="Key points", quote=q) for i, q in enumerate(quotes)]
    return Answer(id="x", question="q", answer=text, abstained=False, citations=cites)


def test_unsupported_figures_and_citation_precision():
    good = _answer("Vacancies stood at 93,806 [1].", ["Vacancies stood at 93,806."])
    assert metrics.unsupported_figures(good) == []
    assert metrics.citation_precision(good) == 1.0
    bad = _answer("Vacancies stood at 94,000 [1], up 12 per cent [2].", ["Vacancies stood at 93,806.", "No figure here."])
    assert metrics.unsupported_figures(bad) == ["94,000", "12 per cent"]
    assert metrics.citation_precision(bad) == 0.0
    assert metrics.citation_precision(_answer("No figures [1].", ["x"])) is None


def test_confusion_and_percentiles():
    conf = metrics.confusion([("supported", "supported"), ("contradicted", "supported"), ("not_found", "error")])
    assert conf["contradicted"]["supported"] == 1 and conf["not_found"]["error"] == 1
    assert conf["supported"]["contradicted"] == 0
    assert metrics.percentiles([1, 2, 3, 4, 100])["p50"] == 3.0
    assert metrics.percentiles([])["p95"] is None


# ---------------------------------------------------------------- scoring


def _item(**kw) -> evaluate.GoldItem:
    base = {"id": "t1", "question": "How many vacancies?", "expected_figures": [["93,806"]], "supporting": ["Key points"]}
    return evaluate.GoldItem(**{**base, **kw})


def test_score_question_abstention_and_figures():
    sections = {}
    right = evaluate.score_question(_item(), _answer("There were 93,806 vacancies [1].", ["There were 93,806 vacancies."]), [], 5, sections)
    assert right.correct and right.figure_correct and right.unsupported_figures == []
    refusal = Answer(id="t1", question="q", answer="The report does not say.", abstained=True)
    wrong = evaluate.score_question(_item(), refusal, [], 5, sections)
    assert not wrong.correct and wrong.figure_correct is False
    unans = evaluate.score_question(_item(expected_figures=[], supporting=[], answerable=False, kind="unanswerable"),
                                    refusal, [], 5, sections)
    assert unans.correct and unans.hit_at_k is None
    summary = evaluate.aggregate([right, wrong, unans])
    assert summary["abstention_precision"] == 0.5
    assert summary["abstention_recall"] == 1.0
    assert summary["false_abstention_rate"] == 0.5
    assert summary["answer_accuracy"] == round(2 / 3, 4)


# ---------------------------------------------------------------- gold files


def _write(tmp_path, lines: list[str]):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"id": "a", "question": "How many vacancies?", "expected_figures": [["93,806"]], "answerable": True})


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{"id": "b", "question": ', "not valid JSON"),
        ('["a list"]', "expected a JSON object"),
        ('{"id": "b"}', "missing field 'question'"),
        ('{"id": "b", "question": "x", "expected_figures": ["93,806"]}', "list of groups"),
        ('{"id": "b", "question": "x", "answerable": "yes"}', "'answerable' must be true or false"),
        ('{"id": "b", "question": "x", "answerable": false, "expected_figures": [["1"]]}', "answerable' is false"),
        ('{"id": "a", "question": "again"}', "already used on line 1"),
    ],
)
def test_malformed_gold_names_the_line(tmp_path, bad, message):
    path = _write(tmp_path, [GOOD, "", bad])
    with pytest.raises(evaluate.GoldError) as err:
        evaluate.load_gold(path)
    assert "line 3" in str(err.value) and message in str(err.value)


def test_own_gold_set_in_the_same_format_loads(tmp_path):
    path = _write(tmp_path, [GOOD, json.dumps({"id": 7, "question": "Who wrote it?", "keywords": ["confederation"]})])
    items = evaluate.load_gold(path)
    assert [i.id for i in items] == ["a", "7"]
    assert items[1].kind == "narrative" and items[0].kind == "figure"
    assert evaluate.select(items, "dev", None) == []
    assert len(evaluate.select(items, "all", 1)) == 1


def test_cli_malformed_gold_is_one_clear_line(tmp_path):
    path = _write(tmp_path, [GOOD, "{not json"])
    proc = run_rag("eval", "--gold", str(path), "--out", str(tmp_path / "reports"), timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert "line 2" in err and "not valid JSON" in err
    assert "Traceback" not in err
    assert not (tmp_path / "reports").exists()


# ---------------------------------------------------------------- gate


def test_committed_thresholds_bind():
    thresholds = evaluate.load_thresholds(evaluate.THRESHOLDS, "extractive")
    assert thresholds["min"] and thresholds["max"]["unsupported_figure_rate"] == 0
    at_bounds = {**thresholds["min"], **thresholds["max"]}
    assert evaluate.gate(at_bounds, thresholds) == []
    for key in thresholds["min"]:
        worse = {**at_bounds, key: at_bounds[key] - 0.01}
        assert evaluate.gate(worse, thresholds) == [f"{key} = {evaluate._fmt(worse[key])} is under the minimum {thresholds['min'][key]}"]


def test_gate_fails_on_a_regression(capsys):
    thresholds = {"min": {"recall_at_k": 0.9, "claim_accuracy": 0.7}, "max": {"unsupported_figure_rate": 0.0}}
    summary = {"recall_at_k": 0.95, "claim_accuracy": 0.8, "unsupported_figure_rate": 0.0}
    assert evaluate.apply_gate(summary, thresholds) == 0
    regressed = {**summary, "recall_at_k": 0.85, "unsupported_figure_rate": 0.01}
    assert evaluate.apply_gate(regressed, thresholds) == 1
    out = capsys.readouterr().out
    assert "gate: FAILED (2 metric(s)" in out
    assert "recall_at_k = 0.850 is under the minimum 0.9" in out
    assert "unsupported_figure_rate = 0.010 is over the maximum 0.0" in out
    assert evaluate.gate({"recall_at_k": 0.95}, thresholds)[0].startswith("claim_accuracy: not measured")


def test_thresholds_file_errors(tmp_path):
    bad = tmp_path / "t.toml"
    bad.write_text("[extractive.min\n")
    with pytest.raises(evaluate.GoldError, match="not valid TOML"):
        evaluate.load_thresholds(bad, "extractive")
    bad.write_text("[local.min]\nmrr = 0.5\n")
    with pytest.raises(evaluate.GoldError, match=r"no \[extractive\] thresholds"):
        evaluate.load_thresholds(bad, "extractive")


# ---------------------------------------------------------------- a real run


def test_eval_run_writes_report_and_compare_lists_flips(tmp_path):
    out = tmp_path / "reports"
    proc = run_rag("eval", "--limit", "5", "--out", str(out), "--export", "ragas")
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    (run_dir,) = [d for d in out.iterdir() if d.is_dir()]
    for name in ("results.jsonl", "claims.jsonl", "summary.json", "report.md", "report.html", "ragas.jsonl", "ragas.csv"):
        assert (run_dir / name).is_file(), name
    for plot in ("chapters", "latency", "confusion"):
        assert (run_dir / "plots" / f"{plot}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((run_dir / "summary.json").read_text())
    for key in ("recall_at_k", "mrr", "figure_accuracy", "citation_precision", "unsupported_figure_rate",
                "abstention_recall", "false_abstention_rate", "latency_total_p95_ms"):
        assert key in summary["metrics"]
    assert summary["metrics"]["questions"] == 5
    assert summary["metrics"]["unsupported_figure_rate"] == 0
    rows = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 5 and all(r["answer"] and "correct" in r and "timings_ms" in r for r in rows)
    ragas = [json.loads(line) for line in (run_dir / "ragas.jsonl").read_text().splitlines()]
    assert {"question", "answer", "contexts", "ground_truth"} <= set(ragas[0]) and ragas[0]["contexts"]
    stdout = proc.stdout.decode()
    assert "report.html" in stdout and "retrieval recall@k" in stdout
    for plot in ("chapters", "latency", "confusion"):
        assert f"wrote {run_dir / 'plots' / plot}.png" in stdout
    for stage in ("retrieve", "answer", "total", "check"):
        assert f"latency {stage} p50 ms" in stdout and f"latency {stage} p95 ms" in stdout
        assert summary["latency_ms"][stage]["p95"] >= summary["latency_ms"][stage]["p50"] > 0
    assert "data:image/png;base64," in (run_dir / "report.html").read_text()

    # A second run where one right answer went wrong: compare must name it.
    other = out / "other"
    shutil.copytree(run_dir, other)
    flipped = next(r for r in rows if r["correct"])
    flipped_rows = [{**r, "correct": False} if r["id"] == flipped["id"] else r for r in rows]
    (other / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in flipped_rows))
    proc = run_rag("eval", "--compare", run_dir.name, str(other), "--out", str(out), timeout=120)
    text = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Right in A, wrong in B (1)" in text and flipped["id"] in text
    assert list(out.glob("compare-*/compare.json"))
    proc = run_rag("eval", "--compare", "no-such-run", str(other), "--out", str(out), timeout=120)
    assert proc.returncode == 2 and b"no eval run 'no-such-run'" in proc.stderr


# ---------------------------------------------------------------- the committed gold set


def test_gold_set_covers_what_the_issue_asks(assistant):
    items = evaluate.load_gold(evaluate.DEFAULT_GOLD)
    kinds = [i.kind for i in items]
    assert len(items) >= 80
    assert kinds.count("figure") >= 50 and kinds.count("narrative") >= 15 and kinds.count("unanswerable") >= 12
    assert all(i.answerable == (i.kind != "unanswerable") for i in items)
    # Both splits hold every kind, so the dev-chosen settings are reported on comparable questions.
    for split in ("dev", "test"):
        assert {i.kind for i in items if i.split == split} == {"figure", "narrative", "unanswerable"}
    chapters = {c.section.split(metrics.SEP)[0] for c in assistant.index.chunks} - {"Front matter", "Back matter"}
    assert chapters <= {i.chapter for i in items}
    # Every supporting path names a section (or a chunk) the index really has.
    sections = {c.section for c in assistant.index.chunks}
    ids = set(assistant.index.by_id)
    for i in items:
        for s in i.supporting:
            assert s in ids or any(metrics.section_matches(sec, [s]) for sec in sections), (i.id, s)


# ---------------------------------------------------------------- bring your own gold set


def test_supporting_may_name_chunk_ids_and_may_be_absent(assistant):
    passages = assistant.search("How many NHS staff vacancies were there?", 5)
    top = passages[0]
    assert metrics.passage_relevant(top, [top.chunk.id], [])
    if top.also:
        assert metrics.passage_relevant(top, [top.also[0].id], [])
    assert not metrics.passage_relevant(top, ["manifesto:web:0000000000"], [])
    # Neither sections nor figures: recall cannot be scored, so it is left out rather than counted a miss.
    item = _item(expected_figures=[], supporting=[], keywords=["vacancies"])
    answer = assistant.ask(item.question, "extractive", qid=item.id)
    row = evaluate.score_question(item, answer, passages, 5, {})
    assert row.hit_at_k is None and row.reciprocal_rank is None
    agg = evaluate.aggregate([row])
    assert agg["recall_at_k"] is None and agg["retrieval_questions"] == 0


# ---------------------------------------------------------------- compare and formatting


def _summary(**kw) -> dict:
    base = {"run_id": "r", "mode": "extractive", "split": "all", "limit": None, "k": 5, "gold": "g", "claims_file": "c",
            "settings": {"k": 5}, "metrics": {"questions": 10, "recall_at_k": 0.9, "latency_total_p50_ms": 40.0}}
    return {**base, **kw}


def test_compare_counts_are_neutral_and_config_differences_are_named(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d, s in ((a, _summary()), (b, _summary(split="dev", k=3, settings={"k": 3},
                                                metrics={"questions": 4, "recall_at_k": 0.95, "latency_total_p50_ms": 50.0}))):
        d.mkdir()
        (d / "summary.json").write_text(json.dumps(s))
    c = evaluate.compare_runs(a, b)
    assert "split: 'all' vs 'dev'" in c["not_like_for_like"] and "k: 5 vs 3" in c["not_like_for_like"]
    md = evaluate.compare_markdown(c)
    assert "Not like for like" in md
    assert "| questions | 10 | 4 | -6 |" in md
    assert "+0.05 (better)" in md
    assert "| latency_total_p50_ms | 40.0 | 50.0 | +10 (worse) |" in md
    same = evaluate.compare_runs(a, a)
    assert same["not_like_for_like"] == [] and "Not like for like" not in evaluate.compare_markdown(same)


def test_latency_is_formatted_in_ms():
    assert evaluate._fmt(8.16, "latency_retrieve_p50_ms") == "8.2"
    assert evaluate._fmt(0.8161, "recall_at_k") == "0.816"


# ---------------------------------------------------------------- calibration replays the assistant


def test_calibration_replays_what_the_assistant_answers(assistant):
    from rag import calibrate

    items = [i for i in evaluate.load_gold(evaluate.DEFAULT_GOLD) if i.split == "dev"][:12]
    unanswerable = [i for i in evaluate.load_gold(evaluate.DEFAULT_GOLD) if i.split == "dev" and not i.answerable][:3]
    items += unanswerable
    s = assistant.settings
    retrieval = {"k": s.k, "rrf_k": s.rrf_k, "candidates": s.candidates}
    (trial,) = calibrate.evaluate_settings(assistant, items, retrieval, [s.abstain_threshold], {}, [s.min_coverage])
    sections = {c.id: c.section for c in assistant.index.chunks}
    rows = []
    for i in items:
        answer = assistant.ask(i.question, "extractive", qid=i.id)
        rows.append(evaluate.score_question(i, answer, assistant.search(i.question, s.k), s.k, sections))
    live = evaluate.aggregate(rows)
    for key in ("answer_accuracy", "abstention_recall", "false_abstention_rate", "mrr", "figure_accuracy"):
        assert trial.metrics[key] == live[key], key
    # A stricter coverage rule can only add abstentions.
    strict = calibrate.evaluate_settings(assistant, items, retrieval, [s.abstain_threshold], {}, [0.9])[0]
    assert strict.metrics["abstention_recall"] >= trial.metrics["abstention_recall"]
    assert strict.metrics["false_abstention_rate"] >= trial.metrics["false_abstention_rate"]


def test_calibration_best_prefers_accuracy_then_fewer_false_abstentions():
    from rag import calibrate

    defaults = {"k": 5, "abstain_threshold": 0.3}
    mk = lambda p, acc, fa: calibrate.Trial(p, {"answer_accuracy": acc, "false_abstention_rate": fa, "mrr": 0.9})  # noqa: E731
    a = mk({"k": 8, "abstain_threshold": 0.3}, 0.80, 0.02)
    b = mk({"k": 5, "abstain_threshold": 0.4}, 0.80, 0.00)
    c = mk({"k": 5, "abstain_threshold": 0.3}, 0.75, 0.00)
    assert calibrate.best([a, b, c], defaults) is b
    assert calibrate.best([a, c], defaults) is a
