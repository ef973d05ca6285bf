"""Choose the abstention threshold and retrieval settings on the dev split only.

For each retrieval setting (k, rrf_k, candidates) every dev question is
retrieved and answered once, exactly as `Assistant.ask` does (same corpus
statistics, so the rules for figures and names the report never mentions
apply), with the two tunable abstention rules switched off. Each pair of
(abstain_threshold, min_coverage) then only decides whether that answer is
replaced by an abstention: the extractive answerer abstains when the best
passage's dense cosine is under `abstain_threshold`, or when the answering
passage holds less than `min_coverage` of the question's IDF-weighted words.
So the whole abstention sweep costs nothing extra.

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
    "min_coverage": [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4],
}
# The rules decided after retrieval; every other grid key is a retrieval setting.
ABSTENTION = ("abstain_threshold", "min_coverage")


@dataclass
class Trial:
    params: dict
    metrics: dict

    def objective(self) -> float:
        return self.metrics["answer_accuracy"] or 0.0


def _distance(params: dict, defaults: dict) -> float:
    # Relative distance, with a floor so a default of 0 (min_coverage) does not divide by zero.
    return sum(abs(params[k] - defaults[k]) / max(abs(defaults[k]), 0.1) for k in params)


def rank_key(trial: Trial, defaults: dict) -> tuple:
    mt = trial.metrics
    return (-trial.objective(), mt["false_abstention_rate"] or 0.0, -(mt["mrr"] or 0.0), _distance(trial.params, defaults))


def evaluate_settings(assistant, items: list, retrieval: dict, thresholds: list[float],
                      query_vectors: dict, coverages: list[float] | None = None) -> list[Trial]:
    """Metrics for one retrieval setting at every (threshold, min_coverage) pair."""
    settings: Settings = replace(assistant.settings, **retrieval)
    retriever = Retriever(assistant.index, settings)
    embed = retriever.embed_query

    def cached(question: str):
        if question not in query_vectors:
            query_vectors[question] = embed(question)
        return query_vectors[question]

    retriever.embed_query = cached
    no_abstain = replace(settings, abstain_threshold=float("-inf"), min_coverage=0.0)
    index, stats = assistant.index, assistant.stats
    sections = {c.id: c.section for c in index.chunks}
    answered = []
    for item in items:
        passages = retriever.search(item.question, settings.k)
        ans = extractive_answer(item.question, passages, no_abstain, index, item.id, stats=stats)
        refusal = abstain(item.question, passages, settings, index.sources, item.id)
        top = max((p.score for p in passages), default=0.0)
        answered.append((item, passages, ans, refusal, top, answer_coverage(ans, index, stats)))
    trials = []
    for t, c in itertools.product(thresholds, coverages or [settings.min_coverage]):
        rows = [evaluate.score_question(item, refusal if top < t or cov < c else ans, passages, settings.k, sections)
                for item, passages, ans, refusal, top, cov in answered]
        trials.append(Trial({**retrieval, "abstain_threshold": t, "min_coverage": c}, evaluate.aggregate(rows)))
    return trials


def answer_coverage(answer, index, stats) -> float:
    """What `extractive_answer` compares with min_coverage: the answering passage (and its twins)
    against the question. An abstention stays one at any min_coverage, hence +inf."""
    if answer.abstained or not answer.citations:
        return float("inf")
    first = answer.citations[0]
    chunk = index.by_id[first.chunk_id]
    context = " ".join([chunk.section, chunk.text] + [index.by_id[i].text for i in first.also if i in index.by_id])
    return stats.coverage(answer.question, context)


def sweep(assistant, dev: list, grid: dict | None = None, progress: bool = True) -> list[Trial]:
    from tqdm import tqdm

    grid = grid or GRID
    keys = [k for k in grid if k not in ABSTENTION]
    combos = [dict(zip(keys, values)) for values in itertools.product(*(grid[k] for k in keys))]
    vectors: dict = {}
    trials: list[Trial] = []
    for retrieval in tqdm(combos, desc="retrieval settings", file=sys.stderr, disable=not progress):
        trials += evaluate_settings(assistant, dev, retrieval, grid["abstain_threshold"], vectors,
                                    grid.get("min_coverage"))
    return [t for t in trials if not t.metrics["unsupported_figures"]]


def defaults_of(settings: Settings, grid: dict | None = None) -> dict:
    return {k: getattr(settings, k) for k in (grid or GRID)}


def best(trials: list[Trial], defaults: dict) -> Trial:
    return min(trials, key=lambda t: rank_key(t, defaults))


def on_split(assistant, items: list, params: dict) -> dict:
    """The metrics of one setting on a split (used for the held-out test split)."""
    retrieval = {k: v for k, v in params.items() if k not in ABSTENTION}
    coverage = [params["min_coverage"]] if "min_coverage" in params else None
    return evaluate_settings(assistant, items, retrieval, [params["abstain_threshold"]], {}, coverage)[0].metrics
