"""Choose the abstention threshold and retrieval settings on the dev split only.

For each retrieval setting (k, rrf_k, candidates) every dev question is
retrieved and answered once with abstention switched off; each abstention
threshold then only decides whether that answer is replaced by an abstention
(the extractive answerer abstains when the best passage's dense cosine is under
the threshold), so the whole threshold sweep costs nothing extra.

Objective: answer accuracy on dev (every question counts once: a figure
question is right when every expected figure is stated, a narrative one when
half its keywords are, an unanswerable one when the assistant abstains), with
no unsupported figure allowed. Ties go to fewer false abstentions, then to
higher MRR, then to the setting closest to the current defaults. The chosen
setting is then reported on the test split, which the sweep never sees.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass, replace

from rag import evaluate
from rag.answer import abstain, extractive_answer
from rag.retrieve import Retriever
from rag.settings import Settings

GRID = {
    "k": [3, 5, 8],
    "rrf_k": [20, 60, 100],
    "candidates": [10, 20, 40],
    "abstain_threshold": [round(0.20 + 0.025 * i, 3) for i in range(17)],  # 0.20 … 0.60
}


@dataclass
class Trial:
    params: dict
    metrics: dict

    def objective(self) -> float:
        return self.metrics["answer_accuracy"] or 0.0


def _distance(params: dict, defaults: dict) -> float:
    return sum(abs(params[k] - defaults[k]) / max(abs(defaults[k]), 1e-9) for k in params)


def rank_key(trial: Trial, defaults: dict) -> tuple:
    mt = trial.metrics
    return (-trial.objective(), mt["false_abstention_rate"] or 0.0, -(mt["mrr"] or 0.0), _distance(trial.params, defaults))


def evaluate_settings(assistant, items: list, retrieval: dict, thresholds: list[float],
                      query_vectors: dict) -> list[Trial]:
    """Metrics for one retrieval setting at every threshold."""
    settings: Settings = replace(assistant.settings, **retrieval)
    retriever = Retriever(assistant.index, settings)
    embed = retriever.embed_query

    def cached(question: str):
        if question not in query_vectors:
            query_vectors[question] = embed(question)
        return query_vectors[question]

    retriever.embed_query = cached
    no_abstain = replace(settings, abstain_threshold=float("-inf"))
    sections = {c.id: c.section for c in assistant.index.chunks}
    sources = assistant.index.sources
    answered = []
    for item in items:
        passages = retriever.search(item.question, settings.k)
        ans = extractive_answer(item.question, passages, no_abstain, sources, item.id)
        refusal = abstain(item.question, passages, settings, sources, item.id)
        top = max((p.score for p in passages), default=0.0)
        answered.append((item, passages, ans, refusal, top))
    trials = []
    for t in thresholds:
        rows = [evaluate.score_question(item, refusal if top < t else ans, passages, settings.k, sections)
                for item, passages, ans, refusal, top in answered]
        trials.append(Trial({**retrieval, "abstain_threshold": t}, evaluate.aggregate(rows)))
    return trials


def sweep(assistant, dev: list, grid: dict | None = None, progress: bool = True) -> list[Trial]:
    from tqdm import tqdm

    grid = grid or GRID
    keys = [k for k in grid if k != "abstain_threshold"]
    combos = [dict(zip(keys, values)) for values in itertools.product(*(grid[k] for k in keys))]
    vectors: dict = {}
    trials: list[Trial] = []
    for retrieval in tqdm(combos, desc="retrieval settings", file=sys.stderr, disable=not progress):
        trials += evaluate_settings(assistant, dev, retrieval, grid["abstain_threshold"], vectors)
    return [t for t in trials if not t.metrics["unsupported_figures"]]


def defaults_of(settings: Settings, grid: dict | None = None) -> dict:
    return {k: getattr(settings, k) for k in (grid or GRID)}


def best(trials: list[Trial], defaults: dict) -> Trial:
    return min(trials, key=lambda t: rank_key(t, defaults))


def on_split(assistant, items: list, params: dict) -> dict:
    """The metrics of one setting on a split (used for the held-out test split)."""
    retrieval = {k: v for k, v in params.items() if k != "abstain_threshold"}
    return evaluate_settings(assistant, items, retrieval, [params["abstain_threshold"]], {})[0].metrics
