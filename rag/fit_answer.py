"""Fit the sentence model and the answerability threshold on the dev split only.

    python -m rag.fit_answer [--gold evals/gold.jsonl] [--out index/answer_model.json]

A candidate sentence is a positive when it states one of the question's expected
figures (figure and comparison questions) or one of its keywords (narratives).
The regularisation strength and class weighting are chosen by grouped
cross-validation on dev (folds never split a question), by how often the top
sentence is a positive. The answerability threshold is the one that declines the
most dev unanswerable questions out of fold while the false abstentions it adds stay
at or under 2% (of equals, the one that declines the fewest answerable questions). Needs scikit-learn
(the dev extra); answering does not.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from rag import evaluate, metrics
from rag.answer.candidates import Context, candidates, content_sentences
from rag.answer.compose import pre_abstains
from rag.answer.features import ANSWERABILITY, FEATURES, SentenceModel, answerability_features, feature_matrix
from rag.answer.figure_fit import figure_pool, fitting_figures
from rag.answer.question import analyse
from rag.assistant import Assistant
from rag.settings import ROOT, Settings

MAX_FALSE_ABSTENTION = 0.02
GRID_C = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]


def _label(item, text: str) -> bool:
    if item.expected_figures:
        return any(metrics.groups_found(item.expected_figures, text))
    if item.keywords:
        return any(metrics.keywords_found(item.keywords, text))
    return False


def collect(assistant: Assistant, items: list) -> tuple[list, list]:
    """(question item, plan, passages, candidates, query vector) per dev question; labelled rows for selection."""
    model = SentenceModel.untrained()
    questions, labelled = [], []
    for item in items:
        plan = analyse(item.question)
        qv = assistant.retriever.embed_query(item.question)
        passages = assistant.retriever.search(item.question, query_vector=qv)
        ctx = Context(assistant.settings, assistant.index, assistant.stats, model, qv, item.question)
        cands = candidates(plan, passages, ctx)
        questions.append((item, plan, passages, cands, qv))
        if item.answerable and item.kind in ("figure", "comparison", "narrative") and cands:
            labels = [_label(item, c.sentence.text) for c in cands]
            if any(labels):
                labelled.append((feature_matrix(cands), np.array(labels, dtype=int)))
    return questions, labelled


def _top1(models_scores: list[np.ndarray], ys: list[np.ndarray]) -> float:
    return float(np.mean([y[int(np.argmax(s))] for s, y in zip(models_scores, ys)]))


def choose(labelled: list) -> tuple[dict, dict]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    X = np.vstack([x for x, _ in labelled])
    y = np.concatenate([y for _, y in labelled])
    groups = np.concatenate([[i] * len(yy) for i, (_, yy) in enumerate(labelled)])
    results = {}
    for weight in (None, "balanced"):
        for C in GRID_C:
            tops = []
            for train, test in GroupKFold(n_splits=5).split(X, y, groups):
                scaler = StandardScaler().fit(X[train])
                clf = LogisticRegression(C=C, class_weight=weight, max_iter=2000).fit(scaler.transform(X[train]), y[train])
                for g in sorted(set(groups[test])):
                    rows = groups == g
                    s = clf.decision_function(scaler.transform(X[rows]))
                    tops.append(y[rows][int(np.argmax(s))])
            results[f"C={C} class_weight={weight}"] = (float(np.mean(tops)), C, weight)
    best_name = max(results, key=lambda k: (results[k][0], -abs(np.log10(results[k][1]))))
    _, C, weight = results[best_name]
    scaler = StandardScaler().fit(X)
    clf = LogisticRegression(C=C, class_weight=weight, max_iter=2000).fit(scaler.transform(X), y)
    baselines = {
        name: _top1([x[:, FEATURES.index(name)] for x, _ in labelled], [yy for _, yy in labelled])
        for name in ("cosine", "overlap")
    }
    baselines["cosine+overlap"] = _top1(
        [x[:, FEATURES.index("cosine")] + x[:, FEATURES.index("overlap")] for x, _ in labelled], [yy for _, yy in labelled]
    )
    fitted = {
        "features": FEATURES, "mean": scaler.mean_.tolist(), "scale": [float(s) or 1.0 for s in scaler.scale_],
        "coef": clf.coef_[0].tolist(), "intercept": float(clf.intercept_[0]),
    }
    report = {
        "chosen": best_name, "cv_top1": {k: round(v[0], 4) for k, v in results.items()},
        "baselines_top1": {k: round(v, 4) for k, v in baselines.items()},
        "questions": len(labelled), "sentences": int(len(y)), "positives": int(y.sum()),
    }
    return fitted, report


def fit_answerability(assistant: Assistant, questions: list, model: SentenceModel) -> tuple[dict, float, dict]:
    """Answerable vs not on dev: a logistic regression over ANSWERABILITY, C by cross-validated log loss, and
    the threshold that declines the most unanswerable questions out of fold while the false abstentions it adds
    stay within MAX_FALSE_ABSTENTION (of equals, the one declining fewest answerable questions)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rows, labels, pre = [], [], []
    for item, plan, passages, _, qv in questions:
        if plan.kind in ("summary", "document"):
            continue
        ctx = Context(assistant.settings, assistant.index, assistant.stats, model, qv, item.question)
        if pre_abstains(item.question, plan, passages, ctx) is not None:
            pre.append(item.answerable)
            continue
        cands = candidates(plan, passages, ctx)
        if plan.kind == "figure" and not fitting_figures(plan, cands, ctx):
            pre.append(item.answerable)
            continue
        pool = figure_pool(plan, cands) if plan.kind in ("figure", "comparison") else content_sentences(cands)
        feats = answerability_features(plan, pool[0] if pool else None, passages, ctx.df, ctx.weight)
        rows.append([feats[f] for f in ANSWERABILITY])
        labels.append(int(item.answerable))
    X, y = np.array(rows), np.array(labels)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    best = None
    for C in GRID_C:
        pipe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))
        p = cross_val_predict(pipe, X, y, cv=folds, method="predict_proba")[:, 1]
        loss = float(-np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9)))
        if best is None or loss < best[0]:
            best = (loss, C, p)
    loss, C, oof = best
    answerable_total = int(y.sum()) + sum(pre)  # answerable questions declined before scoring count as false abstentions
    unanswerable_total = int(len(y) - y.sum()) + sum(not a for a in pre)
    pre_false, pre_hits = sum(pre), sum(not a for a in pre)
    t_best, stats, kept = 0.0, {}, (-1, 0)
    for t in sorted(set(np.round(oof, 4)) | {0.0}):
        # The budget is for what this model adds: the rules before it (a name or figure the report never
        # mentions, no passage near the question) decline some answerable questions on their own.
        added = int(((oof < t) & (y == 1)).sum())
        false = pre_false + added
        hits = pre_hits + int(((oof < t) & (y == 0)).sum())
        # The most unanswerable questions declined within the budget, and of equals the fewest answerable ones:
        # a higher threshold that declines no more unanswerable questions only costs answers.
        if added / max(1, answerable_total) <= MAX_FALSE_ABSTENTION and (hits, -false) > kept:
            t_best, kept = float(t), (hits, -false)
            stats = {"abstention_recall_dev_oof": round(hits / max(1, unanswerable_total), 4),
                     "false_abstention_rate_dev_oof": round(false / max(1, answerable_total), 4)}
    scaler = StandardScaler().fit(X)
    clf = LogisticRegression(C=C, max_iter=2000).fit(scaler.transform(X), y)
    fitted = {"features": ANSWERABILITY, "mean": scaler.mean_.tolist(), "scale": [float(s) or 1.0 for s in scaler.scale_],
              "coef": clf.coef_[0].tolist(), "intercept": float(clf.intercept_[0]), "C": C, "cv_log_loss": round(loss, 4)}
    return fitted, t_best, {**stats, "answerability_questions": len(y)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rag.fit_answer", description=__doc__.split("\n")[0])
    ap.add_argument("--gold", type=Path, default=ROOT / "evals" / "gold.jsonl")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    settings = Settings.from_env()
    out = args.out or settings.answer_model
    assistant = Assistant(settings)
    dev = [i for i in evaluate.load_gold(args.gold) if i.split == "dev"]
    t0 = time.perf_counter()
    questions, labelled = collect(assistant, dev)
    fitted, report = choose(labelled)
    model = SentenceModel(**fitted)
    # Fitted probabilities change the candidates' order, so the threshold is chosen with the fitted model.
    answerability, t, abst = fit_answerability(assistant, questions, model)
    model.answerability = answerability
    model.abstain_below = t
    model.meta = {**report, **abst, "abstain_below": t, "gold": str(args.gold.name), "split": "dev",
                  "fitted_at": time.strftime("%Y-%m-%d"), "seconds": round(time.perf_counter() - t0, 1)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"wrote {out}: {report['chosen']}, CV top-1 {report['cv_top1'][report['chosen']]:.3f} "
          f"(cosine {report['baselines_top1']['cosine']:.3f}, overlap {report['baselines_top1']['overlap']:.3f}, "
          f"sum {report['baselines_top1']['cosine+overlap']:.3f}) on {report['questions']} dev questions; "
          f"abstain below {t:.3f}: {abst}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
