"""Gold paragraphs: whole texts with several claims each, scored claim by claim (evals/paragraphs.jsonl).

Each gold claim is an exact substring ("quote") of its paragraph with the verdict it should get. The checker's
pieces (rag.claims) are matched to gold claims by the overlap of their character spans; a gold claim that no
piece overlaps, or that only a `nothing_to_check` piece covers, is lost. A claim's piece is the one overlapping it
most.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rag import claims

VERDICTS = ("supported", "contradicted", "not_found")


@dataclass
class GoldParagraph:
    id: str
    text: str
    claims: list[dict]  # {"quote", "expected_verdict", "start", "end"}
    split: str | None = None


@dataclass
class ParagraphResult:
    id: str
    split: str | None
    claims: int
    correct: int
    lost: int
    rows: list[dict] = field(default_factory=list)  # per gold claim: quote, expected, got, start, end
    timings_ms: dict[str, float] = field(default_factory=dict)


def load_paragraphs(path: Path) -> list[GoldParagraph]:
    """The gold paragraphs; a malformed line is named by its number."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = row["text"]
            gold = []
            for c in row["claims"]:
                start = text.find(c["quote"])
                if start < 0:
                    raise ValueError(f"quote {c['quote'][:40]!r} is not in the text")
                if c["expected_verdict"] not in VERDICTS:
                    raise ValueError(f"expected_verdict must be one of {', '.join(VERDICTS)}")
                gold.append({**c, "start": start, "end": start + len(c["quote"])})
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path} line {n}: {exc}") from None
        out.append(GoldParagraph(str(row["id"]), text, gold, row.get("split")))
    return out


def score(assistant, paragraph: GoldParagraph) -> ParagraphResult:
    checked = claims.check_text(assistant, paragraph.text)
    rows, correct, lost = [], 0, 0
    for g in paragraph.claims:
        overlaps = [(min(g["end"], v.end) - max(g["start"], v.start), v) for v in checked.claims]
        overlap, piece = max(overlaps, key=lambda x: x[0], default=(0, None))
        got = piece.verdict if piece is not None and overlap > 0 else "lost"
        if got in ("lost", "nothing_to_check"):
            lost += 1
        correct += got == g["expected_verdict"]
        rows.append({"quote": g["quote"], "expected": g["expected_verdict"], "got": got,
                     "start": g["start"], "end": g["end"]})
    return ParagraphResult(paragraph.id, paragraph.split, len(paragraph.claims), correct, lost, rows,
                           dict(checked.timings_ms))


def aggregate(results: list[ParagraphResult]) -> dict:
    total = sum(r.claims for r in results)
    return {
        "paragraphs": len(results),
        "paragraph_claims": total,
        "paragraph_claim_accuracy": sum(r.correct for r in results) / total if total else None,
        "paragraph_claims_lost": sum(r.lost for r in results),
    }
