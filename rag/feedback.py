"""Members' thumbs up and down, kept as JSONL, and the marked-wrong ones turned into gold lines to complete.

One file, `<RAG_FEEDBACK_DIR>/feedback.jsonl`. Every write rewrites it whole to a temporary file renamed into place,
under a lock shared by the page and the CLI, so a reader never sees half a line and two writers never lose one. The
file has a size cap (RAG_FEEDBACK_MAX_BYTES): past it, a new rating is refused with a clear error rather than an
old one dropped. Lines this code cannot read are kept as they are.
"""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

from rag.files import atomic_write
from rag.schema import Feedback, to_dict
from rag.settings import Settings

KINDS = ("answer", "check")
RATINGS = ("up", "down", "cleared")  # cleared: the member took a thumb back
MAX_COMMENT_CHARS = 2000
FILE_NAME = "feedback.jsonl"


class FeedbackError(ValueError):
    """A rating that cannot be stored; the message says why and what to do."""


class FeedbackStore:
    def __init__(self, settings: Settings):
        self.dir = Path(settings.feedback_dir)
        self.path = self.dir / FILE_NAME
        self.max_bytes = settings.feedback_max_bytes

    def add(self, kind: str, rating: str, question: str, result: dict, mode: str | None = None,
            index_build: str | None = None, comment: str = "") -> Feedback:
        if kind not in KINDS:
            raise FeedbackError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if rating not in RATINGS:
            raise FeedbackError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
        item = Feedback(id=uuid.uuid4().hex[:12], time=datetime.now(UTC).isoformat(timespec="seconds"), kind=kind,
                        rating=rating, question=question, result=result, mode=mode, index_build=index_build,
                        comment=_comment(comment))
        with self._locked() as lines:
            lines.append(_line(item))
            self._write(lines)
        return item

    def comment(self, feedback_id: str, comment: str) -> Feedback:
        """Set the comment of a stored rating (typed after the thumb was clicked)."""
        with self._locked() as lines:
            for i, raw in enumerate(lines):
                item = _parse(raw)
                if item is not None and item.id == feedback_id:
                    item.comment = _comment(comment)
                    lines[i] = _line(item)
                    self._write(lines)
                    return item
        raise FeedbackError(f"no rating with id {feedback_id!r} in {self.path}")

    def load(self) -> tuple[list[Feedback], int]:
        """The stored ratings, oldest first, and the number of lines that could not be read."""
        lines = self._read()
        items = [_parse(raw) for raw in lines]
        return [i for i in items if i is not None], sum(1 for i in items if i is None)

    def _read(self) -> list[bytes]:
        """The file's lines as bytes, split on newlines only: a line this code cannot read is written back byte for
        byte, and a U+2028 inside a question stays inside its line."""
        if not self.path.exists():
            return []
        return [ln for ln in self.path.read_bytes().split(b"\n") if ln.strip()]

    def _write(self, lines: list[bytes]) -> None:
        data = b"".join(ln + b"\n" for ln in lines)
        size = len(data)
        if size > self.max_bytes:
            raise FeedbackError(f"the feedback file {self.path} would pass its size cap of {self.max_bytes:,} bytes "
                                "(RAG_FEEDBACK_MAX_BYTES); move it away or raise the cap to collect more")
        atomic_write(self.path, data)

    @contextmanager
    def _locked(self):
        """The file's lines, read under a lock that the page's threads and other processes (the CLI) share: the
        same file lock `rag index` builds under (each call its own lock object, so threads wait for each other)."""
        from filelock import FileLock

        self.dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.dir / ".lock"), timeout=60):
            yield self._read()


def _comment(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise FeedbackError(f"the comment is {len(text):,} characters; the limit is {MAX_COMMENT_CHARS:,}")
    return text


def _line(item: Feedback) -> bytes:
    # ASCII-only JSON: no raw line separators (U+2028, U+0085) for any reader that splits on them.
    return json.dumps(to_dict(item), ensure_ascii=True, sort_keys=True).encode("ascii")


def _parse(raw: bytes) -> Feedback | None:
    try:
        row = json.loads(raw)
    except ValueError:  # includes bytes that are not UTF-8
        return None
    if not isinstance(row, dict) or not isinstance(row.get("result"), dict):
        return None
    names = {f.name for f in fields(Feedback)}
    try:
        return Feedback(**{k: v for k, v in row.items() if k in names})
    except TypeError:
        return None


def _rated(item: Feedback) -> tuple:
    """What a thumb is about: the same question with the same answer (or verdict) is the same thing rated."""
    given = item.result.get("answer") if item.kind == "answer" else json.dumps(item.result, sort_keys=True)
    return item.kind, item.question, given


def to_gold(items: list[Feedback]) -> tuple[list[dict], list[dict]]:
    """The marked-wrong ratings as gold lines for an evaluator to complete: questions (evals/gold.jsonl's format)
    and claims (evals/claims.jsonl's). A question line is answerable with nothing expected yet, so `rag eval --gold`
    runs it as it stands; a claim line needs its expected verdict filled in before `rag eval --claims` takes it."""
    questions, claims = [], []
    latest = {_rated(item): item for item in items}  # a later thumb on the same answer replaces an earlier one
    for item in latest.values():
        if item.rating != "down":
            continue
        given = {"comment": item.comment, "mode": item.mode, "time": item.time, "index_build": item.index_build}
        if item.kind == "answer":
            plan = item.result.get("plan") or {}
            given |= {"answer": item.result.get("answer", ""), "abstained": item.result.get("abstained"),
                      "cited": [c.get("section") for c in item.result.get("citations", [])]}
            questions.append({"id": f"fb-{item.id}", "question": item.question, "kind": plan.get("kind") or "narrative",
                              "answerable": True, "expected_figures": [], "keywords": [], "supporting": [],
                              "split": "feedback", "to_complete": "expected_figures, keywords or expected_items, "
                              "supporting; or answerable false and kind unanswerable", "feedback": given})
        else:
            verdicts = [item.result] if "verdict" in item.result else item.result.get("claims", [])
            given |= {"verdicts": [v.get("verdict") for v in verdicts]}
            claims.append({"id": f"fb-{item.id}", "claim": item.question, "expected_verdict": None,
                           "to_complete": "expected_verdict", "feedback": given})
    return questions, claims
