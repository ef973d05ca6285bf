"""The files of an eval run, and comparing two runs: results and summary JSON, the Markdown and HTML
reports, the plots, the RAGAS export, and `rag eval --compare`."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path

from rag.eval_data import COUNTS, LOWER_IS_BETTER, RUN_CONFIG, ClaimResult, GoldError, GoldItem, QuestionResult
from rag.files import atomic_write

# ---------------------------------------------------------------- files


def jsonl(rows: list) -> str:
    return "".join(json.dumps(asdict(r) if not isinstance(r, dict) else r, ensure_ascii=False) + "\n" for r in rows)


def fmt(v, key: str = "") -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and key.startswith("latency_"):
        return f"{v:,.1f}"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return str(v)


HEADLINE = [
    ("recall_at_k", "retrieval recall@k"),
    ("mrr", "retrieval MRR"),
    ("answer_accuracy", "answer accuracy (all questions)"),
    ("figure_accuracy", "figure accuracy"),
    ("keyword_hit_rate", "keyword hit rate (narrative)"),
    ("list_completeness", "list completeness (list questions)"),
    ("kind_accuracy", "question kind accuracy (plan vs gold)"),
    ("citation_precision", "citation precision"),
    ("citation_relevance", "citation relevance (gold sections)"),
    ("unsupported_figure_rate", "unsupported-figure rate (must be 0)"),
    ("abstention_precision", "abstention precision"),
    ("abstention_recall", "abstention recall"),
    ("false_abstention_rate", "false abstentions (answerable)"),
    ("claim_accuracy", "claim verdict accuracy"),
    ("claim_accuracy_dev", "claim verdict accuracy, dev claims"),
    ("claim_accuracy_test", "claim verdict accuracy, test claims"),
    ("paragraph_claim_accuracy", "claims in gold paragraphs, accuracy"),
    ("paragraph_claims_lost", "claims in gold paragraphs, lost"),
    ("latency_retrieve_p50_ms", "latency retrieve p50 ms"),
    ("latency_retrieve_p95_ms", "latency retrieve p95 ms"),
    ("latency_answer_p50_ms", "latency answer p50 ms"),
    ("latency_answer_p95_ms", "latency answer p95 ms"),
    ("latency_total_p50_ms", "latency total p50 ms"),
    ("latency_total_p95_ms", "latency total p95 ms"),
    ("latency_check_p50_ms", "latency check p50 ms"),
    ("latency_check_p95_ms", "latency check p95 ms"),
    ("errors", "errors"),
]


def summary_table(summary: dict) -> str:
    metrics = summary["metrics"]
    splits = summary.get("splits", {})
    cols = [s for s in ("dev", "test") if s in splits and len(splits) > 1]
    head = f"{'metric':40} {'value':>9}" + "".join(f" {c:>9}" for c in cols)
    lines = [head, "-" * len(head)]
    for key, label in HEADLINE:
        if key not in metrics:
            continue
        lines.append(f"{label:40} {fmt(metrics[key], key):>9}" + "".join(f" {fmt(splits[c].get(key), key):>9}" for c in cols))
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(fmt(v) if not isinstance(v, str) else v.replace("|", "\\|") for v in r) + " |" for r in rows]
    return "\n".join(out)


def report_markdown(summary: dict, rows: list[QuestionResult], claim_rows: list[ClaimResult], plots: dict[str, str]) -> str:
    metrics = summary["metrics"]
    splits = summary.get("splits", {})
    split_cols = [s for s in ("dev", "test") if s in splits and len(splits) > 1]
    parts = [
        f"# Eval report {summary['run_id']}",
        "",
        f"mode **{summary['mode']}**, split **{summary['split']}**, k = {summary['k']}, "
        f"{metrics['questions']} questions, {metrics.get('claims', 0)} claims, gold `{summary['gold']}`, "
        f"commit `{summary.get('git') or 'unknown'}`, {summary['wall_seconds']} s.",
        "",
        f"Command: `{summary['command']}`",
        "",
        "## Summary",
        "",
        _md_table(["metric", "value"] + split_cols,
                  [[label, fmt(metrics[key], key)] + [fmt(splits[c].get(key), key) for c in split_cols]
                   for key, label in HEADLINE if key in metrics]),
        "",
    ]
    if summary["claims"].get("note"):
        parts += [f"> {summary['claims']['note']}", ""]
    parts += ["## Per chapter", ""]
    cols = ["questions", "recall_at_k", "mrr", "answer_accuracy", "figure_accuracy", "keyword_hit_rate", "false_abstention_rate"]
    parts.append(_md_table(["chapter"] + cols, [[_chapter_label(c, a)] + [a[k] for k in cols] for c, a in summary["chapters"].items()]))
    parts.append("")
    if summary.get("per_kind"):
        kind_cols = ["n", "answer_accuracy", "figure_accuracy", "keyword_hit_rate", "list_completeness", "abstention_rate",
                     "kind_accuracy"]
        parts += ["## Per kind", "",
                  _md_table(["kind"] + kind_cols, [[k] + [v[c] for c in kind_cols] for k, v in summary["per_kind"].items()]),
                  ""]
    for name, title in (("chapters", "Metrics per chapter"), ("latency", "Latency"), ("confusion", "Claim verdicts"),
                        ("kinds", "Question kinds")):
        if name in plots:
            parts += [f"![{title}]({plots[name]})", ""]
    if summary.get("kind_confusion"):
        kconf = summary["kind_confusion"]
        labels = list(next(iter(kconf.values())).keys())
        parts += ["## Question kinds (answerable questions; rows gold kind, columns the answer's plan.kind)", "",
                  f"Kind accuracy {fmt(metrics.get('kind_accuracy'))}"
                  + ("" if metrics.get("kind_accuracy") is not None else " (no answer carries a plan)") + ".", "",
                  _md_table(["gold"] + labels, [[g] + [kconf[g][p] for p in labels] for g in kconf]), ""]
    if summary["claims"].get("confusion"):
        conf = summary["claims"]["confusion"]
        labels = list(next(iter(conf.values())).keys())
        parts += ["## Claim confusion matrix (rows expected, columns predicted)", "",
                  _md_table(["expected"] + labels, [[e] + [conf[e][p] for p in labels] for e in conf]), ""]
        parts += ["By hard case:", "", _md_table(["hard case", "claims", "accuracy"],
                  [[c, v["claims"], v["accuracy"]] for c, v in summary["claims"]["by_hard_case"].items()]), ""]
    wrong = [r for r in rows if not r.correct]
    parts += [f"## Questions answered wrongly ({len(wrong)})", ""]
    parts.append(_md_table(
        ["id", "kind", "question", "answer", "why"],
        [[r.id, _kind_label(r), r.question, (r.answer[:160] + "…") if len(r.answer) > 160 else r.answer, why(r)]
         for r in wrong],
    ))
    bad_claims = [r for r in claim_rows if not r.correct]
    if bad_claims:
        parts += ["", f"## Claims judged wrongly ({len(bad_claims)})", ""]
        parts.append(_md_table(["id", "claim", "expected", "predicted"], [[r.id, r.claim, r.expected, r.predicted] for r in bad_claims]))
    return "\n".join(parts) + "\n"


def _kind_label(r: QuestionResult) -> str:
    """The gold kind, and the planned kind when an answer planned another."""
    if r.predicted_kind and r.predicted_kind != r.kind and r.kind != "unanswerable":
        return f"{r.kind} (planned {r.predicted_kind})"
    return r.kind


def why(r: QuestionResult) -> str:
    if r.error:
        return f"error: {r.error}"
    if not r.answerable:
        return "answered an unanswerable question"
    if r.abstained:
        return "abstained" + ("" if r.hit_at_k else "; supporting passage not retrieved")
    if r.figure_correct is False:
        return f"figure groups found {r.figure_groups_found}" + ("" if r.hit_at_k else "; not retrieved")
    if r.list_completeness is not None:
        return f"items missing {r.items_missing} (completeness {fmt(r.list_completeness)})"
    if r.keyword_recall is not None:
        return f"keywords missing {r.keywords_missing}"
    return ""


def report_html(markdown_summary: dict, summary_md: str, images: dict[str, bytes]) -> str:
    """A single self-contained page: the tables as HTML, the plots inlined as PNG data."""
    import base64
    import html

    body = []
    in_table = False
    for line in summary_md.splitlines():
        if line.startswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")]
            if set(line.replace("|", "").strip()) <= {"-"}:
                continue
            if not in_table:
                body.append("<table>")
                in_table = True
                body.append("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in cells) + "</tr>")
                continue
            body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("!["):
            name = line[line.index("(") + 1: -1]
            key = Path(name).stem
            if key in images:
                data = base64.b64encode(images[key]).decode("ascii")
                body.append(f'<figure><img alt="{html.escape(key)}" src="data:image/png;base64,{data}"></figure>')
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{html.escape(line.lstrip('#').strip())}</h{level}>")
        elif line.startswith(">"):
            body.append(f"<p class=note>{html.escape(line[1:].strip())}</p>")
        elif line.strip():
            text = html.escape(line).replace("**", "")
            body.append(f"<p>{text}</p>")
    if in_table:
        body.append("</table>")
    style = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
             "table{border-collapse:collapse;margin:1em 0;font-size:14px}td,th{border:1px solid #ccc;padding:3px 8px;"
             "text-align:left;vertical-align:top}th{background:#f3f3f3}img{max-width:100%}.note{color:#a40}")
    title = html.escape(f"Eval report {markdown_summary['run_id']}")
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def make_plots(summary: dict, rows: list[QuestionResult], claim_rows: list[ClaimResult] | None = None) -> dict[str, bytes]:
    """PNG bytes for the per-chapter metrics, the latency distribution, the claim confusion matrix and the
    confusion of question kinds (gold vs planned)."""
    import matplotlib

    matplotlib.use("Agg")
    import textwrap

    import matplotlib.pyplot as plt
    import numpy as np

    images: dict[str, bytes] = {}

    def save(fig, name: str) -> None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        images[name] = buf.getvalue()

    chapters = summary["chapters"]
    names = list(chapters)
    series = [("recall_at_k", "recall@k"), ("answer_accuracy", "answer accuracy"), ("figure_accuracy", "figure accuracy"),
              ("keyword_hit_rate", "keyword hit rate")]
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(names) + 1.5))
    y = np.arange(len(names))
    h = 0.8 / len(series)
    for i, (key, label) in enumerate(series):
        # A metric that does not apply to a chapter gets no bar, not a bar at zero.
        vals = [chapters[c][key] if chapters[c][key] is not None else np.nan for c in names]
        bars = ax.barh(y + i * h, vals, height=h, label=label)
        ax.bar_label(bars, ["–" if np.isnan(v) else f"{v:.2f}" for v in vals], fontsize=6, padding=2)
    labels = [textwrap.fill(_chapter_label(c, chapters[c]), 42) + f" (n={chapters[c]['questions']})" for c in names]
    ax.set_yticks(y + h * (len(series) - 1) / 2, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.08)
    ax.set_title(f"Metrics per chapter ({summary['mode']}, split {summary['split']}, k={summary['k']})")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.04), ncol=len(series), fontsize=8)
    save(fig, "chapters")

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.5))
    totals = [r.timings_ms["total"] for r in rows if "total" in r.timings_ms]
    if totals:
        a1.hist(totals, bins=30, color="#4878a8")
        for q, style in ((50, "--"), (95, ":")):
            v = float(np.percentile(totals, q))
            a1.axvline(v, color="k", linestyle=style, label=f"p{q} {v:.0f} ms")
        a1.legend(fontsize=8)
    a1.set_xlabel("ms per question (total)")
    a1.set_title("Latency distribution")
    per_stage = {s: [r.timings_ms[s] for r in rows if s in r.timings_ms] for s in ("retrieve", "answer", "total")}
    per_stage["check (claims)"] = [r.timings_ms.get("total", sum(r.timings_ms.values())) for r in claim_rows or [] if r.timings_ms]
    per_stage = {s: v for s, v in per_stage.items() if v}
    if per_stage:
        a2.boxplot(list(per_stage.values()), tick_labels=list(per_stage))
    a2.set_ylabel("ms")
    a2.set_title("Per stage")
    save(fig, "latency")

    conf = summary["claims"].get("confusion")
    fig, ax = plt.subplots(figsize=(5, 4))
    if conf:
        _heatmap(ax, conf, "predicted", "expected")
        ax.set_title(f"Claim verdicts (accuracy {fmt(summary['metrics'].get('claim_accuracy'))})")
    else:
        ax.text(0.5, 0.5, summary["claims"].get("note") or "no claims", ha="center", va="center", wrap=True)
        ax.axis("off")
    save(fig, "confusion")

    kconf = summary.get("kind_confusion") or {}
    fig, ax = plt.subplots(figsize=(6.5, 0.5 * len(kconf) + 2.5))
    if kconf:
        _heatmap(ax, kconf, "planned (answer.plan.kind)", "gold kind")
        acc = summary["metrics"].get("kind_accuracy")
        ax.set_title(f"Question kinds (kind accuracy {fmt(acc)})" if acc is not None
                     else "Question kinds (no answer carries a plan)")
    else:
        ax.text(0.5, 0.5, "no answerable questions", ha="center", va="center", wrap=True)
        ax.axis("off")
    save(fig, "kinds")
    return images


def _heatmap(ax, conf: dict[str, dict[str, int]], xlabel: str, ylabel: str) -> None:
    """A confusion matrix (rows: what was expected, columns: what came out) with its counts written in."""
    import numpy as np

    rows = list(conf)
    cols = list(next(iter(conf.values())).keys())
    mat = np.array([[conf[r][c] for c in cols] for r in rows])
    ax.imshow(mat, cmap="Blues")
    for i in range(len(rows)):
        for j in range(len(cols)):
            ax.text(j, i, str(mat[i, j]), ha="center", va="center", color="white" if mat[i, j] > mat.max() / 2 else "black")
    ax.set_xticks(range(len(cols)), cols, rotation=20)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def write_run(run_dir: Path, summary: dict, rows: list[QuestionResult], claim_rows: list[ClaimResult]) -> dict[str, Path]:
    (run_dir / "plots").mkdir(parents=True, exist_ok=True)
    images = make_plots(summary, rows, claim_rows)
    plot_paths = {}
    for name, data in images.items():
        atomic_write(run_dir / "plots" / f"{name}.png", data)
        plot_paths[name] = f"plots/{name}.png"
    md = report_markdown(summary, rows, claim_rows, plot_paths)
    paths = {
        "results": run_dir / "results.jsonl",
        "claims": run_dir / "claims.jsonl",
        "summary": run_dir / "summary.json",
        "report_md": run_dir / "report.md",
        "report_html": run_dir / "report.html",
    }
    atomic_write(paths["results"], jsonl(rows))
    atomic_write(paths["claims"], jsonl(claim_rows))
    atomic_write(paths["summary"], json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    atomic_write(paths["report_md"], md)
    atomic_write(paths["report_html"], report_html(summary, md, images))
    paths.update({f"plot_{name}": run_dir / rel for name, rel in plot_paths.items()})
    return paths


def _chapter_label(chapter: str, agg: dict) -> str:
    if chapter != "none":
        return chapter
    # Unanswerable questions have no chapter in the gold set.
    return "no chapter (unanswerable)" if agg["unanswerable"] == agg["questions"] else "no chapter"


def ground_truth(item: GoldItem) -> str:
    if not item.answerable:
        return "The report does not answer this question."
    if item.expected_figures or item.expected_items:
        return "; ".join(g[0] for g in item.expected_figures + item.expected_items)
    return ", ".join(item.keywords)


def export_ragas(run_dir: Path, items: list[GoldItem], rows: list[QuestionResult], contexts: dict[str, list[str]]) -> list[Path]:
    """question / answer / contexts / ground_truth, the columns RAGAS datasets use."""
    by_id = {i.id: i for i in items}
    records = [{"question": r.question, "answer": r.answer, "contexts": contexts.get(r.id, []),
                "ground_truth": ground_truth(by_id[r.id]), "id": r.id} for r in rows]
    jsonl_path, csv_path = run_dir / "ragas.jsonl", run_dir / "ragas.csv"
    atomic_write(jsonl_path, "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["id", "question", "answer", "contexts", "ground_truth"])
    writer.writeheader()
    for rec in records:
        writer.writerow({**rec, "contexts": json.dumps(rec["contexts"], ensure_ascii=False)})
    atomic_write(csv_path, buf.getvalue())
    return [jsonl_path, csv_path]


def resolve_run(ref: str, out: Path) -> Path:
    """A run id, a run folder or a summary.json; "latest" and "previous" count back from the newest."""
    p = Path(ref)
    if p.is_file() and p.name == "summary.json":
        return p.parent
    if (p / "summary.json").is_file():
        return p
    if (out / ref / "summary.json").is_file():
        return out / ref
    if ref in ("latest", "previous"):
        runs = sorted((d for d in out.glob("*") if (d / "summary.json").is_file()), key=lambda d: d.name)
        idx = -1 if ref == "latest" else -2
        if len(runs) >= -idx:
            return runs[idx]
    raise GoldError(f"no eval run {ref!r} (looked for {p}/summary.json and {out / ref}/summary.json)")


def _load_rows(run_dir: Path) -> dict[str, dict]:
    path = run_dir / "results.jsonl"
    if not path.is_file():
        return {}
    return {r["id"]: r for r in (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())}


def compare_runs(dir_a: Path, dir_b: Path) -> dict:
    sa = json.loads((dir_a / "summary.json").read_text(encoding="utf-8"))
    sb = json.loads((dir_b / "summary.json").read_text(encoding="utf-8"))
    ma, mb = sa["metrics"], sb["metrics"]
    keys = [k for k, _ in HEADLINE if k in ma or k in mb] + sorted(set(ma) | set(mb) - {k for k, _ in HEADLINE})
    diffs = []
    for key in dict.fromkeys(keys):
        a, b = ma.get(key), mb.get(key)
        delta = round(b - a, 4) if isinstance(a, int | float) and isinstance(b, int | float) else None
        diffs.append({"metric": key, "a": a, "b": b, "delta": delta})
    ra, rb = _load_rows(dir_a), _load_rows(dir_b)
    broke, fixed = [], []
    for qid in ra.keys() & rb.keys():
        if ra[qid]["correct"] and not rb[qid]["correct"]:
            broke.append({"id": qid, "question": rb[qid]["question"], "a": ra[qid]["answer"], "b": rb[qid]["answer"]})
        elif not ra[qid]["correct"] and rb[qid]["correct"]:
            fixed.append({"id": qid, "question": rb[qid]["question"], "a": ra[qid]["answer"], "b": rb[qid]["answer"]})
    differs = [f"{key}: {sa.get(key)!r} vs {sb.get(key)!r}" for key in RUN_CONFIG if sa.get(key) != sb.get(key)]
    differs += [f"settings.{key}: {sa.get('settings', {}).get(key)!r} vs {sb.get('settings', {}).get(key)!r}"
                for key in sorted(set(sa.get("settings", {})) | set(sb.get("settings", {})))
                if sa.get("settings", {}).get(key) != sb.get("settings", {}).get(key)]
    return {
        "not_like_for_like": differs,
        "a": {"run_id": sa.get("run_id"), "path": str(dir_a), "mode": sa.get("mode"), "split": sa.get("split")},
        "b": {"run_id": sb.get("run_id"), "path": str(dir_b), "mode": sb.get("mode"), "split": sb.get("split")},
        "metrics": diffs,
        "right_to_wrong": sorted(broke, key=lambda r: r["id"]),
        "wrong_to_right": sorted(fixed, key=lambda r: r["id"]),
        "only_in_a": sorted(ra.keys() - rb.keys()),
        "only_in_b": sorted(rb.keys() - ra.keys()),
    }


def compare_markdown(c: dict) -> str:
    a, b = c["a"]["run_id"], c["b"]["run_id"]
    lines = [f"# {a} vs {b}", "", f"A: {c['a']['path']} ({c['a']['mode']}, {c['a']['split']})",
             f"B: {c['b']['path']} ({c['b']['mode']}, {c['b']['split']})", ""]
    if c.get("not_like_for_like"):
        lines += ["> Not like for like, the runs differ in: " + "; ".join(c["not_like_for_like"]), ""]
    lines.append(_md_table(["metric", "A", "B", "B − A"],
                           [[d["metric"], fmt(d["a"], d["metric"]), fmt(d["b"], d["metric"]), _signed(d["delta"], d["metric"])]
                            for d in c["metrics"]]))
    for key, title in (("right_to_wrong", "Right in A, wrong in B"), ("wrong_to_right", "Wrong in A, right in B")):
        lines += ["", f"## {title} ({len(c[key])})", ""]
        lines += [f"- {r['id']}: {r['question']}\n  - A: {r['a'][:200]}\n  - B: {r['b'][:200]}" for r in c[key]] or ["none"]
    if c["only_in_a"] or c["only_in_b"]:
        lines += ["", f"Only in A: {', '.join(c['only_in_a']) or 'none'}; only in B: {', '.join(c['only_in_b']) or 'none'}"]
    return "\n".join(lines) + "\n"


def _signed(delta, key: str) -> str:
    if delta is None:
        return "–"
    if delta == 0:
        return "0"
    if key in COUNTS:
        return f"{delta:+.4g}"
    worse = (delta > 0) == (key in LOWER_IS_BETTER or key.startswith("latency_"))
    return f"{delta:+.4g}" + (" (worse)" if worse else " (better)")
