"""The eval harness's data: gold questions and claims as typed items, and the rows a run scores.

Read by rag.evaluate (scoring and running), rag.eval_report (the run's files and plots) and rag.fit_answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rag import metrics as m
from rag.settings import ROOT

EVALS = ROOT / "evals"
DEFAULT_GOLD = EVALS / "gold.jsonl"
DEFAULT_CLAIMS = EVALS / "claims.jsonl"
DEFAULT_PARAGRAPHS = EVALS / "paragraphs.jsonl"
DEFAULT_OUT = EVALS / "reports"
THRESHOLDS = EVALS / "thresholds.toml"
# A narrative answer counts as right when it has at least this share of the gold keywords.
KEYWORD_PASS = 0.5
# A list answer counts as right when it names at least this share of the expected items.
LIST_PASS = 0.9
# Metrics where lower is better; everything else in the summary is higher-is-better.
LOWER_IS_BETTER = {"unsupported_figure_rate", "unsupported_figures", "false_abstention_rate", "errors"}
# Sizes of the run, not its quality: a compare shows their change without calling it better or worse.
COUNTS = {"questions", "answerable", "unanswerable", "figure_questions", "narrative_questions",
          "list_questions", "kind_questions", "retrieval_questions", "claims"}
# A compare is only like for like when the two runs agree on these.
RUN_CONFIG = ("mode", "split", "limit", "k", "gold", "claims_file")


class GoldError(ValueError):
    """A gold or claims file that cannot be used; the message names the file and line."""


@dataclass
class GoldItem:
    id: str
    question: str
    expected_figures: list[list[str]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    supporting: list[str] = field(default_factory=list)
    answerable: bool = True
    chapter: str = "none"
    kind: str = "figure"
    split: str | None = None
    line: int = 0
    # List questions: one group of alternative phrases per item a complete answer names.
    expected_items: list[list[str]] = field(default_factory=list)


@dataclass
class ClaimItem:
    id: str
    claim: str
    expected_verdict: str
    chapter: str = "none"
    hard_case: str | None = None
    line: int = 0
    split: str | None = None


@dataclass
class QuestionResult:
    id: str
    question: str
    split: str | None
    chapter: str
    kind: str
    answerable: bool
    mode: str
    answer: str
    abstained: bool
    correct: bool
    citations: list[dict] = field(default_factory=list)
    retrieved: list[dict] = field(default_factory=list)
    first_relevant_rank: int | None = None
    hit_at_k: bool | None = None
    reciprocal_rank: float | None = None
    figure_correct: bool | None = None
    figure_groups_found: list[bool] = field(default_factory=list)
    keyword_recall: float | None = None
    keywords_missing: list[str] = field(default_factory=list)
    items_found: list[bool] = field(default_factory=list)
    items_missing: list[str] = field(default_factory=list)
    list_completeness: float | None = None
    predicted_kind: str | None = None
    citation_precision: float | None = None
    citation_relevance: float | None = None
    unsupported_figures: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str | None = None


@dataclass
class ClaimResult:
    id: str
    claim: str
    chapter: str
    hard_case: str | None
    split: str | None
    expected: str
    predicted: str
    correct: bool
    figures: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str | None = None


# ---------------------------------------------------------------- gold files


def _jsonl_rows(path: Path):
    if not path.is_file():
        raise GoldError(f"{path}: no such file")
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise GoldError(f"{path} line {n}: not valid UTF-8") from None
            except ValueError as exc:
                raise GoldError(f"{path} line {n}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise GoldError(f"{path} line {n}: expected a JSON object, got {type(row).__name__}")
            yield n, row


def _str_list(value, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return value


def load_gold(path: Path) -> list[GoldItem]:
    """Read and validate a gold JSONL file; a bad line raises GoldError naming it."""
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for n, row in _jsonl_rows(path):
        try:
            for name in ("id", "question"):
                if name not in row:
                    raise ValueError(f"missing field {name!r}")
            if not isinstance(row["id"], str | int) or isinstance(row["id"], bool) or str(row["id"]).strip() == "":
                raise ValueError("'id' must be a non-empty string")
            qid = str(row["id"])
            if not isinstance(row["question"], str) or not row["question"].strip():
                raise ValueError("'question' must be a non-empty string")
            groups = row.get("expected_figures", [])
            if not isinstance(groups, list) or not all(isinstance(g, list) and g for g in groups):
                raise ValueError("'expected_figures' must be a list of groups, each a non-empty list of accepted forms")
            for g in groups:
                _str_list(g, "each 'expected_figures' group")
            keywords = _str_list(row.get("keywords", []), "'keywords'")
            list_items = row.get("expected_items", [])
            if not isinstance(list_items, list) or not all(
                    isinstance(g, list) and g and all(isinstance(p, str) and p.strip() for p in g) for g in list_items):
                raise ValueError("'expected_items' must be a list of items, each a non-empty list of alternative phrases")
            supporting = _str_list(row.get("supporting", []), "'supporting'")
            answerable = row.get("answerable", True)
            if not isinstance(answerable, bool):
                raise ValueError("'answerable' must be true or false")
            if not answerable and (groups or keywords or list_items):
                raise ValueError("'answerable' is false but expected_figures, keywords or expected_items are given")
            split = row.get("split")
            if split is not None and not isinstance(split, str):
                raise ValueError("'split' must be a string")
            kind = row.get("kind") or ("unanswerable" if not answerable else "list" if list_items
                                       else "figure" if groups else "narrative")
            chapter = row.get("chapter") or (supporting[0].split(m.SEP)[0] if supporting else "none")
            if not isinstance(kind, str) or not isinstance(chapter, str):
                raise ValueError("'kind' and 'chapter' must be strings")
            if kind not in m.KINDS:
                raise ValueError(f"'kind' must be one of {', '.join(m.KINDS)}, not {kind!r}")
            if (kind == "unanswerable") == answerable:
                raise ValueError(f"'kind' is {kind!r} but 'answerable' is {str(answerable).lower()}")
        except ValueError as exc:
            raise GoldError(f"{path} line {n}: {exc}") from None
        if qid in seen:
            raise GoldError(f"{path} line {n}: id {qid!r} already used on line {seen[qid]}")
        seen[qid] = n
        items.append(GoldItem(qid, row["question"], groups, keywords, supporting, answerable, chapter, kind, split, n,
                              expected_items=list_items))
    if not items:
        raise GoldError(f"{path}: no questions")
    return items


def load_claims(path: Path) -> list[ClaimItem]:
    items: list[ClaimItem] = []
    seen: dict[str, int] = {}
    for n, row in _jsonl_rows(path):
        try:
            for name in ("id", "claim", "expected_verdict"):
                if name not in row:
                    raise ValueError(f"missing field {name!r}")
            if not isinstance(row["claim"], str) or not row["claim"].strip():
                raise ValueError("'claim' must be a non-empty string")
            if row["expected_verdict"] is None and "to_complete" in row:
                raise ValueError("'expected_verdict' is still to be filled in by an evaluator (rag feedback --to-gold "
                                 f"leaves it empty); one of {', '.join(m.VERDICTS)}")
            if row["expected_verdict"] not in m.VERDICTS:
                raise ValueError(f"'expected_verdict' must be one of {', '.join(m.VERDICTS)}")
        except ValueError as exc:
            raise GoldError(f"{path} line {n}: {exc}") from None
        cid = str(row["id"])
        if cid in seen:
            raise GoldError(f"{path} line {n}: id {cid!r} already used on line {seen[cid]}")
        seen[cid] = n
        # The claims' split: even-numbered ids are dev, odd ones test (docs/check.md, "Calibration").
        number = int("".join(ch for ch in cid if ch.isdigit()) or 0)
        items.append(ClaimItem(cid, row["claim"], row["expected_verdict"], str(row.get("chapter") or "none"),
                               row.get("hard_case"), n, row.get("split") or ("dev" if number % 2 == 0 else "test")))
    return items


def select(items: list, split: str, limit: int | None) -> list:
    if split != "all":
        items = [i for i in items if getattr(i, "split", None) == split]
    return items[:limit] if limit is not None else items
