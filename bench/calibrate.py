"""Sweep the abstention threshold and retrieval settings on the dev split; report on test.

    .venv/bin/python bench/calibrate.py            # full grid (a few minutes on 2 cores)
    .venv/bin/python bench/calibrate.py --quick    # the abstention sweep at the current retrieval settings

Prints the top settings on dev, the chosen one, and the chosen and the current
defaults side by side on the held-out test split. Nothing is written to
settings: copy the chosen values into rag/settings.py by hand, with the
evidence in evals/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag import calibrate, evaluate  # noqa: E402
from rag.assistant import Assistant  # noqa: E402

COLUMNS = ["answer_accuracy", "figure_accuracy", "keyword_hit_rate", "recall_at_k", "mrr",
           "abstention_precision", "abstention_recall", "false_abstention_rate", "unsupported_figure_rate"]


def fmt(v) -> str:
    return "–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def row(params: dict, metrics: dict) -> str:
    return "| " + " | ".join([str(params[k]) for k in calibrate.GRID] + [fmt(metrics[c]) for c in COLUMNS]) + " |"


def header() -> str:
    cols = list(calibrate.GRID) + COLUMNS
    return "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", default=str(evaluate.DEFAULT_GOLD))
    ap.add_argument("--quick", action="store_true", help="only the abstention rules, at the current retrieval settings")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()
    gold = evaluate.load_gold(Path(args.gold))
    dev = [i for i in gold if i.split == "dev"]
    test = [i for i in gold if i.split == "test"]
    assistant = Assistant()
    defaults = calibrate.defaults_of(assistant.settings)
    grid = dict(calibrate.GRID)
    if args.quick:
        grid.update({k: [defaults[k]] for k in grid if k not in calibrate.ABSTENTION})
    trials = calibrate.sweep(assistant, dev, grid)
    trials.sort(key=lambda t: calibrate.rank_key(t, defaults))
    print(f"dev split: {len(dev)} questions ({sum(not i.answerable for i in dev)} unanswerable); "
          f"{len(trials)} settings tried\n\nTop {args.top} on dev:\n")
    print(header())
    for t in trials[: args.top]:
        print(row(t.params, t.metrics))
    chosen = trials[0]
    current = next((t for t in trials if t.params == defaults), None)
    print("\nCurrent defaults on dev:\n")
    print(header())
    if current:
        print(row(current.params, current.metrics))
    print("\nAbstention trade-off on dev at the chosen retrieval settings (each rule alone):\n")
    print(header())
    same = {k: v for k, v in chosen.params.items() if k not in calibrate.ABSTENTION}
    lowest = {k: min(grid[k]) for k in calibrate.ABSTENTION}
    curve = [t for t in trials
             if {k: v for k, v in t.params.items() if k not in calibrate.ABSTENTION} == same
             and any(t.params[k] == lowest[k] for k in calibrate.ABSTENTION)]
    for t in sorted(curve, key=lambda t: (t.params["min_coverage"], t.params["abstain_threshold"])):
        print(row(t.params, t.metrics))
    print(f"\nChosen on dev: {chosen.params}\n\nHeld-out test split ({len(test)} questions):\n")
    print(header())
    print(row(chosen.params, calibrate.on_split(assistant, test, chosen.params)) + " ← chosen")
    print(row(defaults, calibrate.on_split(assistant, test, defaults)) + " ← current defaults")
    return 0


if __name__ == "__main__":
    sys.exit(main())
