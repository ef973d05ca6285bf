"""The eval harness: metric definitions, gold validation, the gate, compare, and one real run."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import run_rag

from rag import eval_report, evaluate, metrics
from rag.schema import Answer, Citation, QuestionPlan

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


TEN_POINTS = [["Population health", "population-level health"], ["Recovering the backlog", "the backlog"],
              ["workforce"], ["social care"], ["capital"], ["digital"], ["regulation"], ["mental health"],
              ["health inequalities"], ["integration"]]


def _list_item(**kw) -> evaluate.GoldItem:
    base = {"id": "l1", "question": "What are the ten points in the plan?", "expected_figures": [], "kind": "list",
            "expected_items": TEN_POINTS, "supporting": ["Ten-point plan"]}
    return evaluate.GoldItem(**{**base, **kw})


def _planned(text: str, kind: str | None, abstained: bool = False) -> Answer:
    plan = QuestionPlan(kind=kind, focus="x") if kind else None
    return Answer(id="x", question="q", answer=text, abstained=abstained, plan=plan)


def test_items_found_matches_like_keywords():
    text = "Recovering the back-log [1], POPULATION-level health and workforce planning; lawful digitalisation"
    assert metrics.items_found([["Population health", "population level health"], ["recovering the backlog"],
                                ["workforce"], ["law"], ["digital"]], text) == [True, False, True, False, False]
    assert metrics.items_found([["recovering the back log"]], text) == [True]
    assert metrics.completeness([True, False, True, True]) == 0.75
    assert metrics.completeness([]) is None


def test_list_completeness_partial_and_complete():
    every = ", ".join(g[0] for g in TEN_POINTS)
    complete = evaluate.score_question(_list_item(), _planned(every, "list"), [], 5, {})
    assert complete.correct and complete.list_completeness == 1.0 and complete.items_missing == []
    assert complete.items_found == [True] * 10 and complete.predicted_kind == "list"
    # Nine of ten is the pass mark (0.9); an alternative phrase counts for its item.
    nine = evaluate.score_question(_list_item(), _planned(every.replace("Population health", "population-level health")
                                                          .replace(", integration", ""), "list"), [], 5, {})
    assert nine.list_completeness == 0.9 and nine.correct and nine.items_missing == ["integration"]
    partial = evaluate.score_question(_list_item(), _planned("Population health and the backlog.", "narrative"), [], 5, {})
    assert partial.list_completeness == 0.2 and not partial.correct and partial.predicted_kind == "narrative"
    assert partial.items_found[:3] == [True, True, False] and len(partial.items_missing) == 8
    assert "items missing" in eval_report.why(partial)
    # An abstention names no item; a list item's figures, when it has some, must be stated too.
    refused = evaluate.score_question(_list_item(), _planned("The report does not say.", None, abstained=True), [], 5, {})
    assert refused.list_completeness == 0.0 and not refused.correct and refused.predicted_kind is None
    with_fig = evaluate.score_question(_list_item(expected_figures=[["93,806"]]), _planned(every, "list"), [], 5, {})
    assert with_fig.list_completeness == 1.0 and with_fig.figure_correct is False and not with_fig.correct
    agg = evaluate.aggregate([complete, nine, partial, refused])
    assert agg["list_completeness"] == round((1 + 0.9 + 0.2 + 0) / 4, 4) and agg["list_questions"] == 4
    assert agg["answer_accuracy"] == 0.5
    # List questions are not keyword questions: the narrative keyword rate does not count them.
    assert agg["keyword_hit_rate"] is None and agg["narrative_questions"] == 0


def test_gold_with_expected_items_defaults_to_list(tmp_path):
    line = {"id": "a001", "question": "What are the ten points in the plan?", "expected_figures": [], "keywords": [],
            "expected_items": [["Population health"], ["Recovering the backlog"]], "answerable": True, "split": "dev",
            "supporting": ["What healthcare leaders need: ten-point plan"], "chapter": "Ten-point plan", "kind": "list"}
    no_kind = {k: v for k, v in line.items() if k != "kind"} | {"id": "a002"}
    kinds = [{"id": f"k{i}", "question": "x", "kind": k, "keywords": ["y"]} for i, k in enumerate(metrics.PLAN_KINDS)]
    path = _write(tmp_path, [json.dumps(r) for r in (line, no_kind, *kinds)]
                  + [json.dumps({"id": "u", "question": "x", "answerable": False, "kind": "unanswerable"}), GOOD])
    items = evaluate.load_gold(path)
    assert items[0].expected_items == [["Population health"], ["Recovering the backlog"]] and items[0].kind == "list"
    assert items[1].kind == "list" and items[-1].kind == "figure" and items[-1].expected_items == []
    assert [i.kind for i in items[2:-1]] == list(metrics.KINDS)


def _kind_rows() -> list[evaluate.QuestionResult]:
    fig = _item(kind="figure")
    narrative = _item(id="n", kind="narrative", expected_figures=[], keywords=["vacancies", "pressure"])
    unans = _item(id="u", kind="unanswerable", expected_figures=[], supporting=[], answerable=False)
    refusal = _planned("The report does not say.", "figure", abstained=True)
    return [
        evaluate.score_question(fig, _planned("There were 93,806 vacancies.", "figure"), [], 5, {}),
        evaluate.score_question(fig, _planned("Many vacancies.", "narrative"), [], 5, {}),
        evaluate.score_question(fig, refusal, [], 5, {}),
        evaluate.score_question(narrative, _planned("Vacancies are high.", "narrative"), [], 5, {}),
        evaluate.score_question(_list_item(), _planned("Population health, workforce.", None), [], 5, {}),
        evaluate.score_question(unans, refusal, [], 5, {}),
        evaluate.score_question(unans, _planned("It was 12 per cent.", "figure"), [], 5, {}),
    ]


def test_per_kind_aggregation():
    per = evaluate.per_kind(_kind_rows())
    assert list(per) == ["figure", "list", "narrative", "unanswerable"]
    assert per["figure"] == {"n": 3, "answer_accuracy": round(1 / 3, 4), "figure_accuracy": round(1 / 3, 4),
                             "keyword_hit_rate": None, "list_completeness": None, "abstention_rate": round(1 / 3, 4),
                             "kind_accuracy": round(2 / 3, 4)}
    assert per["narrative"]["keyword_hit_rate"] == 0.5 and per["narrative"]["answer_accuracy"] == 1.0
    assert per["narrative"]["figure_accuracy"] is None
    assert per["list"]["list_completeness"] == 0.2 and per["list"]["answer_accuracy"] == 0.0
    assert per["list"]["kind_accuracy"] == 0.0
    assert per["unanswerable"]["abstention_rate"] == 0.5 and per["unanswerable"]["answer_accuracy"] == 0.5
    assert per["unanswerable"]["kind_accuracy"] is None


def test_kind_confusion_counts_answerable_questions_only():
    rows = _kind_rows()
    conf = evaluate.kind_confusion(rows)
    assert list(conf) == ["figure", "list", "narrative"]
    assert list(conf["figure"]) == [*metrics.PLAN_KINDS, "none"]
    assert conf["figure"]["figure"] == 2 and conf["figure"]["narrative"] == 1
    assert conf["list"]["none"] == 1 and conf["narrative"]["narrative"] == 1
    assert sum(sum(r.values()) for r in conf.values()) == 5
    agg = evaluate.aggregate(rows)
    assert agg["kind_accuracy"] == 0.6 and agg["kind_questions"] == 5
    # No answer carries a plan: the kind is not measured rather than 0.
    unplanned = [evaluate.score_question(_item(), _planned("93,806", None), [], 5, {})]
    assert evaluate.aggregate(unplanned)["kind_accuracy"] is None
    assert evaluate.kind_confusion(unplanned) == {"figure": {**dict.fromkeys(metrics.PLAN_KINDS, 0), "none": 1}}
    assert metrics.kind_confusion([("list", "table")])["list"]["table"] == 1


def test_summary_and_report_show_kinds_per_split():
    rows = _kind_rows()
    for r, split in zip(rows, ["dev", "test", "dev", "test", "dev", "test", "dev"]):
        r.split = split
    meta = {"run_id": "r", "mode": "extractive", "split": "all", "k": 5, "gold": "g", "command": "rag eval",
            "wall_seconds": 1.0}
    summary = evaluate.summarise(rows, [], meta, None)
    assert summary["metrics"]["kind_accuracy"] == 0.6 and summary["metrics"]["list_completeness"] == 0.2
    assert summary["splits"]["dev"]["list_completeness"] == 0.2 and summary["splits"]["test"]["list_completeness"] is None
    assert summary["splits"]["dev"]["kind_accuracy"] == round(2 / 3, 4) and summary["splits"]["test"]["kind_accuracy"] == 0.5
    assert summary["per_kind"]["figure"]["n"] == 3 and summary["kind_confusion"]["figure"]["figure"] == 2
    table = evaluate.summary_table(summary)
    assert "list completeness (list questions)" in table and "question kind accuracy (plan vs gold)" in table
    md = eval_report.report_markdown(summary, rows, [], {"kinds": "plots/kinds.png"})
    assert "## Per kind" in md and "| list | 1 | 0.000 | – | – | 0.200 | 0.000 | 0.000 |" in md
    assert "| gold | figure | comparison | list | narrative | summary | document | none |" in md
    assert "| figure | 2 | 0 | 0 | 1 | 0 | 0 | 0 |" in md and "Kind accuracy 0.600." in md
    assert "![Question kinds](plots/kinds.png)" in md and "figure (planned narrative)" in md
    images = eval_report.make_plots(summary, rows, [])
    assert images["kinds"][:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(eval_report.jsonl(rows[:1]))["predicted_kind"] == "figure"


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
        ('{"id": "b", "question": "x", "expected_items": ["Population health"]}', "'expected_items' must be a list of items"),
        ('{"id": "b", "question": "x", "expected_items": [["Population health"], []]}', "each a non-empty list"),
        ('{"id": "b", "question": "x", "expected_items": [["Population health", 3]]}', "'expected_items' must be"),
        ('{"id": "b", "question": "x", "expected_items": [[" "]]}', "'expected_items' must be"),
        ('{"id": "b", "question": "x", "expected_items": {"a": 1}}', "'expected_items' must be"),
        ('{"id": "b", "question": "x", "answerable": false, "expected_items": [["a"]]}', "answerable' is false"),
        ('{"id": "b", "question": "x", "kind": "listing"}', "'kind' must be one of figure, comparison, list"),
        ('{"id": "b", "question": "x", "kind": 3}', "'kind' and 'chapter' must be strings"),
        ('{"id": "b", "question": "x", "kind": "unanswerable"}', "'kind' is 'unanswerable' but 'answerable' is true"),
        ('{"id": "b", "question": "x", "answerable": false, "kind": "narrative"}', "'answerable' is false"),
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
        assert evaluate.gate(worse, thresholds) == [f"{key} = {eval_report.fmt(worse[key])} is under the minimum {thresholds['min'][key]}"]


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
    for plot in ("chapters", "latency", "confusion", "kinds"):
        assert (run_dir / "plots" / f"{plot}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((run_dir / "summary.json").read_text())
    for key in ("recall_at_k", "mrr", "figure_accuracy", "citation_precision", "unsupported_figure_rate",
                "abstention_recall", "false_abstention_rate", "latency_total_p95_ms"):
        assert key in summary["metrics"]
    assert summary["metrics"]["questions"] == 5
    assert summary["metrics"]["unsupported_figure_rate"] == 0
    rows = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 5 and all(r["answer"] and "correct" in r and "timings_ms" in r for r in rows)
    assert all("predicted_kind" in r and "list_completeness" in r and "items_found" in r for r in rows)
    assert set(summary["per_kind"]) <= set(metrics.KINDS) and "kind_accuracy" in summary["metrics"]
    ragas = [json.loads(line) for line in (run_dir / "ragas.jsonl").read_text().splitlines()]
    assert {"question", "answer", "contexts", "ground_truth"} <= set(ragas[0]) and ragas[0]["contexts"]
    stdout = proc.stdout.decode()
    assert "report.html" in stdout and "retrieval recall@k" in stdout
    for plot in ("chapters", "latency", "confusion", "kinds"):
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
    assert len(items) >= 300
    assert kinds.count("figure") >= 50 and kinds.count("narrative") >= 15 and kinds.count("unanswerable") >= 60
    assert kinds.count("list") >= 30 and kinds.count("summary") >= 15 and kinds.count("document") >= 10
    assert kinds.count("comparison") + sum(i.id.startswith("b") and i.kind == "figure" for i in items) >= 30
    assert all(i.answerable == (i.kind != "unanswerable") for i in items)
    # Both splits hold every kind, so the dev-chosen settings are reported on comparable questions.
    for split in ("dev", "test"):
        assert {i.kind for i in items if i.split == split} == set(kinds)
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
    assert eval_report.fmt(8.16, "latency_retrieve_p50_ms") == "8.2"
    assert eval_report.fmt(0.8161, "recall_at_k") == "0.816"


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
