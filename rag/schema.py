"""Typed data objects shared by the library, the CLI and the UI.

The JSON the CLI prints is these objects serialised with `to_dict`, so field
names here are a public contract: add fields, never rename them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any


def to_dict(obj: Any) -> Any:
    """Serialise a dataclass (or a list of them) to plain JSON-ready data."""
    if isinstance(obj, list):
        return [to_dict(o) for o in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    if is_dataclass(obj):
        return asdict(obj)
    return obj


@dataclass
class Paragraph:
    """One paragraph of an edition: cleaned text plus its raw span in the source file."""

    text: str
    start: int
    end: int
    footnotes: list[int] = field(default_factory=list)
    kind: str = "text"  # text | bullet | quote | note | footnote
    # Raw spans the text was cleaned from; several when a page break split it.
    spans: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.spans:
            self.spans = [[self.start, self.end]]


@dataclass
class Section:
    edition: str
    path: list[str]
    paragraphs: list[Paragraph] = field(default_factory=list)
    pages: str | None = None  # printed page range, PDF edition only
    highlights: list[str] = field(default_factory=list)  # pull quotes set apart from the text, which they restate

    @property
    def title(self) -> str:
        return self.path[-1]

    @property
    def path_str(self) -> str:
        return " › ".join(self.path)


@dataclass
class Chunk:
    id: str
    doc_id: str
    edition: str
    section: str
    text: str
    start: int
    end: int
    paragraph_spans: list[list[int]] = field(default_factory=list)
    footnotes: list[int] = field(default_factory=list)
    pages: str | None = None

    def embedding_text(self) -> str:
        # The section title is embedded with the text so "what do leaders need on
        # regulation" can find a passage that never says "regulation" itself.
        return f"{self.section}\n{self.text}"

    @classmethod
    def from_dict(cls, d: dict) -> Chunk:
        return cls(**d)


@dataclass
class Passage:
    """A retrieved chunk with its scores; `also` holds the other edition's twin."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None
    also: list[Chunk] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def chunk_ids(self) -> list[str]:
        return [self.chunk.id] + [c.id for c in self.also]


@dataclass
class Citation:
    n: int
    chunk_id: str
    edition: str
    section: str
    quote: str
    start: int | None = None
    end: int | None = None
    also: list[str] = field(default_factory=list)
    document: str | None = None  # the cited document's title (`rag docs`); its id is the chunk id's first part


@dataclass
class Figure:
    text: str
    value: float | None
    unit: str
    kind: str = "number"  # number | percent | money | rate | count | date | range | ratio
    high: float | None = None  # upper bound of a range
    approx: str | None = None  # "more than", "around", ... when the text hedges
    start: int = 0
    end: int = 0
    supported: bool | None = None
    chunk_id: str | None = None


@dataclass
class Qualifier:
    """A phrase narrowing a question: a period, a length of time, a group, a place or an edition."""

    kind: str  # time | duration | group | place | edition
    text: str  # as the question words it ("at the end of 2020", "mental health leaders")


@dataclass
class QuestionPlan:
    """What a question asks for, decided before any sentence is chosen (rag.answer.question)."""

    kind: str  # figure | comparison | list | narrative | summary | document
    focus: str  # what it is about, in the question's words, without the asking words
    terms: list[str] = field(default_factory=list)  # the focus's content words, stemmed
    unit: str | None = None  # the kind of figure asked for: % | GBP | date | count | rate | year, month, … (a length) | frequency
    qualifiers: list[Qualifier] = field(default_factory=list)
    sides: list[str] = field(default_factory=list)  # comparison: the two things compared
    chapter: str | None = None  # a chapter the question names (summaries, "in the workforce chapter")
    counted: str | None = None  # what a "how many" question counts ("nursing vacancies"), when it is a thing


@dataclass
class Sentence:
    """One sentence of the report with where it sits; built with the index, embedded once."""

    chunk_id: str
    edition: str
    section: str
    para: int  # paragraph number within its section, in report order
    pos: int  # sentence number within its paragraph
    kind: str  # text | bullet | quote | note
    text: str
    highlight: bool = False  # restated in a pull quote: a point the report itself singles out


@dataclass
class Answer:
    id: str | None
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    mode: str = "extractive"
    timings_ms: dict[str, float] = field(default_factory=dict)
    see_also: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verified: bool = True
    removed: list[str] = field(default_factory=list)
    fallback: str | None = None
    error: str | None = None
    plan: QuestionPlan | None = None
    # Up to three questions on the cited sections' neighbours, each checked to be answered (rag.follow_up).
    follow_ups: list[str] = field(default_factory=list)

    @classmethod
    def failed(cls, question: object, error: str, mode: str, qid: str | None = None) -> Answer:
        """The answer to input that cannot be asked (empty, too long, binary, an unknown document)."""
        return cls(id=qid, question=str(question)[:200], answer="", abstained=True, error=error, mode=mode)


@dataclass
class FigureMatch:
    claim: str
    report: str | None
    match: str  # exact | rounded | approximate | different


@dataclass
class Evidence:
    chunk_id: str
    edition: str
    section: str
    quote: str
    source: dict | None = None
    pages: str | None = None


@dataclass
class Verdict:
    id: str | None
    claim: str
    verdict: str  # supported | contradicted | not_found
    figures: list[FigureMatch] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str | None = None


@dataclass
class ClaimVerdict(Verdict):
    """A verdict on one claim of a longer text, with its character offsets in that text (rag.claims).
    `verdict` is also "nothing_to_check" for a sentence that states no figure."""

    start: int = 0
    end: int = 0


@dataclass
class TextCheck:
    """The verdicts on a whole text: one per claim in order, and the count of each verdict."""

    text: str
    claims: list[ClaimVerdict] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass
class Feedback:
    """A member's thumbs up or down on one answer or one check, as stored (rag.feedback). No personal data: no
    name, address or IP is asked for or kept; only what was asked, what came back and the comment typed."""

    id: str
    time: str  # UTC, ISO 8601
    kind: str  # answer | check
    rating: str  # up | down | cleared (a thumb taken back)
    question: str  # the question asked, or the claim or text checked
    result: dict  # the Answer, Verdict or TextCheck as its JSON
    mode: str | None = None
    index_build: str | None = None
    comment: str = ""


@dataclass
class Hit:
    """One candidate chunk from a store (rag.store), best first: its fused score, its dense (cosine) score and its
    rank in each list where the store reports them."""

    chunk_id: str
    score: float
    dense: float
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass
class DocumentInfo:
    """One document of the library, as `rag docs` lists it."""

    id: str
    title: str
    kind: str  # report | text | markdown | html | pdf
    chunks: int
    added: str | None = None
    source: str | None = None
