"""A whole text checked claim by claim: a paragraph of a draft, a press release, an article.

The text is split into sentences, and a sentence into clauses when each clause states a figure of its own
("The waiting list stands at 5.6 million, and 82% of leaders are confident ..."). Every piece keeps its
character offsets in the text. A piece that states no figure (no number, date, share or quantity in words)
has nothing the checker can judge and is listed as such. A piece that opens by referring back ("It", "This
figure", "The clinic") is checked with the subject of the sentence before it, and its notes say so.
"""

from __future__ import annotations

import re
import string
import time
from dataclasses import dataclass, fields

from rag import figures
from rag.schema import ClaimVerdict, TextCheck, Verdict
from rag.text import split_sentences

# Clause boundaries inside a sentence: a semicolon, or a comma followed by a joining word.
_CLAUSE = re.compile(r";\s+|,\s+(?=(?:and|but|while|whereas|yet|although|though|with)\b)|(?<!\s)\s+(?=(?:while|whereas)\b)",
                     re.I)
# A sentence that opens by referring back: a pronoun, "this"/"that" before a verb ("This means ..."; not "This
# year ..."), or a definite noun ("the clinic") that an earlier sentence names.
_BACK = re.compile(
    r"^(?:(?:and|but|so)\s+)?(?P<ref>"
    r"(?:this|that|the|these|those)\s+(?:figure|number|total|rise|increase|fall|share|clinic|service|panel|survey|"
    r"scheme|pilot|trust|system|report|study|programme|fund|funding|plan|organisation|hospital|partnership|"
    r"project|initiative|team|sum|amount|money)|it|its|they|their|these|those|he|she|"
    r"(?:this|that)(?=\s+(?:is|was|are|were|has|had|will|would|means|meant|shows|showed|suggests|represents|"
    r"compares|includes|included|rose|fell|grew)\b))\b",
    re.I,
)
_TRIM = string.whitespace + ",;"
_VERB = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can|could|says?|said|found|finds|shows?|showed|"
                   r"stood|stands|reached|rose|fell|grew|took|opened|launched|treated|saw|sees|runs?|ran|needs?|gets?)\b",
                   re.I)
_QUANTITY_WORDS = re.compile(
    r"\b(?:half|a third|two-thirds|a quarter|three-quarters|(?:one|two|three|four|five|six|seven|eight|nine)\s+in\s+"
    r"(?:five|ten)|most|majority|minority|doubled?|tripled?|twice|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?)\b", re.I)


@dataclass
class Piece:
    """One claim (or one sentence with nothing to check) and where it sits in the text."""

    text: str
    start: int
    end: int
    checkable: bool
    subject: str = ""  # the subject taken from the sentence before, for a back-reference


def states_something(text: str) -> bool:
    """A figure the checker can compare: a number, a date, a share, or a quantity in words."""
    if any(not figures.is_trivial(f) for f in figures.find_figures(text)):
        return True
    return bool(_QUANTITY_WORDS.search(text))


_PRONOUNS = {"it", "its", "they", "their", "this", "these", "that", "those", "he", "she", "figure", "number", "total",
             "rise", "increase", "fall", "share", "sum", "amount"}


def antecedent(sentence: str, before: list[str]) -> str:
    """What a back-reference points at, in the words of an earlier sentence: for "The clinic ...", the words
    around "clinic" in the nearest sentence naming one (up to five back); for "It" or "This figure", the
    subject of the sentence just before."""
    m = _BACK.match(sentence.strip())
    if not m or not before:
        return ""
    noun = m.group("ref").split()[-1].lower()
    if noun not in _PRONOUNS:
        for earlier in reversed(before[-5:]):
            found = re.search(rf"((?:[\w'’-]+\W+){{0,6}}){re.escape(noun)}\b((?:\W+[\w'’-]+){{0,4}})", earlier, re.I)
            if found and not _BACK.match(earlier.strip()):
                return found.group(0)
        return ""  # "The clinic" named for the first time: not a reference to the sentence before
    return subject_of(before[-1])


def split(text: str) -> list[Piece]:
    """Sentences, and the clauses of a sentence that each state a figure, with their offsets in `text`."""
    pieces: list[Piece] = []
    before: list[str] = []
    for block_start, block in _blocks(text):
        for a, b in split_sentences(block):
            a, b = a + block_start, b + block_start
            sentence = text[a:b]
            parts = _clauses(sentence, a)
            for start, end in parts:
                piece = text[start:end].strip(_TRIM)
                if not piece.strip(".!?"):
                    continue  # a stray ";" or "," between lines is not a claim
                start += len(text[start:end]) - len(text[start:end].lstrip(_TRIM))
                pieces.append(Piece(piece, start, start + len(piece), states_something(piece), antecedent(piece, before)))
            before.append(sentence)
    return pieces


def _blocks(text: str):
    """Paragraphs and lines: a line break ends a sentence even without a full stop (a heading, a list item)."""
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            yield pos, line
        pos += len(line) + 1


def _clauses(sentence: str, offset: int) -> list[tuple[int, int]]:
    """Split a sentence at its clause boundaries only when every part states a figure of its own."""
    cuts = [m for m in _CLAUSE.finditer(sentence)]
    if not cuts:
        return [(offset, offset + len(sentence))]
    spans, start = [], 0
    for m in cuts:
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(sentence)))
    # Merge a part without a figure into the part before it ("5.6 million, and rising"): it is not a claim.
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and not states_something(sentence[a:b]):
            merged[-1][1] = b
        else:
            merged.append([a, b])
    if len(merged) > 1 and not states_something(sentence[merged[0][0]:merged[0][1]]):
        merged[1][0] = merged[0][0]
        merged.pop(0)
    return [(offset + a, offset + b) for a, b in merged]


def subject_of(sentence: str) -> str:
    """The subject of a sentence, roughly: its words before the first verb, without figures."""
    m = _VERB.search(sentence)
    head = sentence[: m.start()] if m and m.start() > 0 else " ".join(sentence.split()[:8])
    head = figures.cut_out(head, figures.find_figures(head))
    return re.sub(r"\s+", " ", head).strip(" ,;:.")


def resolved(piece: Piece) -> str:
    """The claim as the checker reads it: without a joining word it opened with ("and 82% of leaders ..."),
    and with a back-reference replaced by the subject it refers to."""
    if not piece.subject:
        return re.sub(r"^(?:and|but|while|whereas|yet|so|with)\s+", "", piece.text, flags=re.I)
    m = _BACK.match(piece.text)
    rest = piece.text[m.end():].lstrip(" ,")
    if m.group("ref").lower() in ("its", "their"):
        return f"{piece.subject}'s {rest}"
    return f"{piece.subject} {rest}"


def check_text(assistant, text: str, pieces: list[Piece] | None = None) -> TextCheck:
    """One verdict per piece of `text` (split here unless `pieces` are given), each with "start" and "end";
    pieces with nothing to check say so."""
    from rag.answer import QuestionError, clean_question

    t0 = time.perf_counter()
    out = TextCheck(text=text)
    limit = assistant.settings.max_text_chars
    if not text.strip():
        raise QuestionError("the text is empty")
    if len(text) > limit:
        raise QuestionError(f"the text is {len(text):,} characters long; the limit is {limit:,}")
    for piece in split(text) if pieces is None else pieces:
        if not piece.checkable:
            v: Verdict = Verdict(id=None, claim=piece.text, verdict="nothing_to_check",
                                 notes=["Nothing to check: this states no figure, date or share."])
        else:
            try:
                v = assistant.check(clean_question(resolved(piece), assistant.settings))
            except QuestionError as exc:
                v = Verdict(id=None, claim=piece.text, verdict="not_found", error=str(exc), notes=[str(exc)])
            v.claim = piece.text
            if piece.subject:
                v.notes.insert(0, f"Refers back: checked as about “{piece.subject}”, from the sentence before.")
        out.claims.append(ClaimVerdict(**{f.name: getattr(v, f.name) for f in fields(v)}, start=piece.start, end=piece.end))
    out.summary = {k: sum(v.verdict == k for v in out.claims)
                   for k in ("supported", "contradicted", "not_found", "nothing_to_check")}
    out.timings_ms["total"] = round((time.perf_counter() - t0) * 1000, 2)
    return out


SINGLE_CLAIM_MAX = 2000  # past this, a text is checked as a text (and refused past RAG_MAX_TEXT_CHARS) unsplit


def check_claim_or_text(assistant, text: object) -> Verdict | TextCheck:
    """What `rag check`, the page and the API give: one claim (one sentence, or a claim without a full stop, or
    input that is not text at all) gets the single-claim Verdict as it always has; a text gets a TextCheck,
    split once. A long text is never one claim, and is not split to find out. Raises QuestionError for a text
    that is empty or over the limit."""
    if isinstance(text, str) and len(text) > SINGLE_CLAIM_MAX:
        return check_text(assistant, text)
    pieces = split(text) if isinstance(text, str) else []
    if len(pieces) <= 1:
        return assistant.check(text)
    return check_text(assistant, text, pieces)


LABELS = {"supported": "SUPPORTED", "contradicted": "CONTRADICTED", "not_found": "NOT FOUND",
          "nothing_to_check": "NOTHING TO CHECK"}


def render(result: TextCheck) -> str:
    """The text check for a terminal: each claim with its verdict, figures, notes and evidence, then the counts."""
    lines = []
    for n, v in enumerate(result.claims, 1):
        lines.append(f"[{n}] {LABELS.get(v.verdict, v.verdict)} (characters {v.start}-{v.end}): {v.claim}")
        for f in v.figures:
            lines.append(f"    figure: claim {f.claim} / report {f.report or '—'} ({f.match})")
        for note in v.notes:
            lines.append(f"    note: {note}")
        for e in v.evidence[:2]:
            pages = f", pp. {e.pages}" if e.pages else ""
            lines.append(f"    [{e.edition}] {e.section}{pages}: “{e.quote}”")
    counts = ", ".join(f"{k.replace('_', ' ')} {c}" for k, c in result.summary.items())
    lines.append(f"{len(result.claims)} pieces: {counts}")
    return "\n".join(lines)
