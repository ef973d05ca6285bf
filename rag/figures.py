"""Find every figure in a text, normalise it, and compare figures.

"82 per cent" and "82%" are the same figure; so are "93,806" and "93806",
"£10 billion" and "£10bn", "seven in ten" and 70%. A figure keeps its hedge
("more than", "around") so the claim checker can judge rounding.

Hand-written rather than a library: the parsers on PyPI (quantulum3,
number-parser) do not know "per cent", "£6.5-7 billion" or "seven in ten",
and pull in large models; these few regular expressions are the whole job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.schema import Figure

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALES = {
    "trillion": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
}
_SCALE = r"(?:trillion|billion|bn|million|thousand|m|k)\b"
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty": 20,
    "hundred": 100, "a": 1, "an": 1,
}
_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten)"
MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
_MONTH_NUM = {m: i + 1 for i, m in enumerate(MONTHS.split("|"))}
_FRACTIONS = {
    "two thirds": 200 / 3, "two-thirds": 200 / 3, "three quarters": 75.0,
    "three-quarters": 75.0, "a third": 100 / 3, "one third": 100 / 3,
    "a quarter": 25.0, "one quarter": 25.0, "half": 50.0, "a half": 50.0,
    "one in three": 100 / 3,
}
_HEDGES = (
    "more than", "over", "almost", "nearly", "around", "about", "approximately",
    "just under", "just over", "under", "up to", "at least", "fewer than",
    "less than", "some", "roughly", "close to", "in excess of", "upwards of",
)
_HEDGE_RE = re.compile(r"(?:" + "|".join(sorted(_HEDGES, key=len, reverse=True)) + r")\s*\(?\s*$", re.I)

_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "money",
        re.compile(
            rf"(?:between\s+)?£\s?(?P<a>{_NUM})\s?(?P<sa>{_SCALE})?"
            rf"(?:\s?(?:-|–|to|and)\s?£?(?P<b>{_NUM})\s?(?P<sb>{_SCALE})?)?",
            re.I,
        ),
    ),
    (
        "rate",
        re.compile(
            # "3 COVID-19 deaths per 100,000": the words between may be "COVID-19", whose 19 is no rate.
            rf"(?<![\w-])(?P<a>{_NUM})\s+(?:[a-z][\w-]*\s+){{0,3}}?per\s+(?P<per>{_NUM})"
            r"(?:\s+(?:population|people|residents))?",
            re.I,
        ),
    ),
    (
        "percent",
        re.compile(
            # Anchored at the start of a number: unanchored, a long run of digits was retried at every digit.
            rf"(?<![\d,.])(?P<a>{_NUM})(?:\s?(?:-|–|to)\s?(?P<b>{_NUM}))?\s?(?:%|per\s?cent\b|percent\b)",
            re.I,
        ),
    ),
    ("ratio", re.compile(rf"\b(?P<a>{_WORD}|\d+)\s+in\s+(?P<per>{_WORD}|\d+)\b(?!\s*(?:days|years|weeks))", re.I)),
    (
        "fraction",
        re.compile(
            r"\b(?P<f>two[- ]thirds|three[- ]quarters|a third|one third|a quarter|one quarter|a half|half)\b"
            r"(?!\s+of\s+the\s+year)(?!-)",
            re.I,
        ),
    ),
    ("fyear", re.compile(r"\b(?P<y>(?:19|20)\d\d)/(?P<y2>\d\d)\b")),
    (
        "date",
        re.compile(
            rf"\b(?:(?P<d>\d{{1,2}})\s+)?(?P<m>{MONTHS})(?:\s+(?P<y>(?:19|20)\d\d))?\b",
            re.I,
        ),
    ),
    ("count", re.compile(rf"(?<![\d,.])(?P<a>{_NUM})\s?(?P<sa>trillion|billion|million|thousand)\b", re.I)),
    ("year", re.compile(r"(?<![\d,.£])(?P<y>(?:19|20)\d\d)(?:-(?P<y2>\d\d))?(?!\d|%|,\d|\.\d)")),
    # "COVID-19" is a name, not the figure 19.
    ("number", re.compile(rf"(?<![\w.£])(?<![A-Za-z]-)(?P<a>{_NUM})(?![\w%]|\.\d)")),
]


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _word_or_num(s: str) -> float:
    s = s.lower()
    return float(NUMBER_WORDS[s]) if s in NUMBER_WORDS else _num(s)


def _hedge(text: str, start: int) -> str | None:
    m = _HEDGE_RE.search(text[max(0, start - 20):start])
    return m.group(0).strip(" (").lower() if m else None


def find_figures(text: str) -> list[Figure]:
    """Every figure in `text`, left to right, without overlaps."""
    taken: list[tuple[int, int]] = []
    found: list[Figure] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            a, b = m.span()
            raw = m.group(0).rstrip()
            b = a + len(raw)
            if not raw or not free(a, b):
                continue
            fig = _make(kind, m, raw, a, b)
            if fig is None:
                continue
            fig.approx = fig.approx or _hedge(text, a)
            taken.append((a, b))
            found.append(fig)
    found.sort(key=lambda f: f.start)
    return found


def _make(kind: str, m: re.Match, raw: str, a: int, b: int) -> Figure | None:
    g = m.groupdict()
    if kind == "money":
        sb = g.get("sb") or g.get("sa")
        sa = g.get("sa") or (sb if g.get("b") else None)
        low = _num(g["a"]) * _SCALES.get((sa or "").lower(), 1)
        high = _num(g["b"]) * _SCALES.get((sb or "").lower(), 1) if g.get("b") else None
        return Figure(raw, low, "GBP", "range" if high else "money", high=high, start=a, end=b)
    if kind == "rate":
        per = _num(g["per"])
        return Figure(raw, _num(g["a"]), f"per {per:,.0f}", "rate", start=a, end=b)
    if kind == "percent":
        high = _num(g["b"]) if g.get("b") else None
        return Figure(raw, _num(g["a"]), "%", "range" if high else "percent", high=high, start=a, end=b)
    if kind == "ratio":
        num, den = _word_or_num(g["a"]), _word_or_num(g["per"])
        if den not in (2, 3, 4, 5, 10, 100) or num > den or num == 0:
            return None
        return Figure(raw, round(100 * num / den, 2), "%", "ratio", start=a, end=b)
    if kind == "fraction":
        key = re.sub(r"\s+", " ", g["f"].lower())
        return Figure(raw, round(_FRACTIONS[key], 2), "%", "fraction", start=a, end=b)
    if kind == "fyear":
        return Figure(raw, float(g["y"]), "financial year", "date", high=float(g["y"]) + 1, start=a, end=b)
    if kind == "date":
        if not g.get("d") and not g.get("y"):
            return None  # "May" or "March" alone is too often not a date
        month = _MONTH_NUM[g["m"].lower()]
        year = int(g["y"]) if g.get("y") else 0
        day = int(g["d"]) if g.get("d") else 0
        return Figure(raw, float(year * 10000 + month * 100 + day), "date", "date", start=a, end=b)
    if kind == "count":
        return Figure(raw, _num(g["a"]) * _SCALES[g["sa"].lower()], "", "count", start=a, end=b)
    if kind == "year":
        high = float(g["y"][:2] + g["y2"]) if g.get("y2") else None
        return Figure(raw, float(g["y"]), "year", "date", high=high, start=a, end=b)
    if kind == "number":
        return Figure(raw, _num(g["a"]), "", "count", start=a, end=b)
    return None


def publication_year(front_matter: Iterable[str]) -> int:
    """The year a document was published: the latest date in its front matter (0 when it states none)."""
    years = [int(f.value) // 10000 for text in front_matter for f in find_figures(text) if f.unit == "date" and f.value]
    return max([y for y in years if y] or [0])


def key(fig: Figure) -> tuple:
    """A hashable identity: two figures with the same key are the same figure."""
    value = round(fig.value, 2) if fig.value is not None else None
    high = round(fig.high, 2) if fig.high is not None else None
    return (fig.unit, value, high)


def same(a: Figure, b: Figure) -> bool:
    if a.unit != b.unit or a.value is None or b.value is None:
        return False
    if not _close(a.value, b.value):
        return False
    if a.high is None or b.high is None:
        return a.high is None and b.high is None
    return _close(a.high, b.high)


def _close(x: float, y: float) -> bool:
    return abs(x - y) <= 1e-6 * max(1.0, abs(x), abs(y)) or (
        # "two thirds" (66.67) states the same share as "67 per cent" would not,
        # so only exact arithmetic equality counts here; rounding is the checker's job.
        False
    )


def appears_in(fig: Figure, text_or_figures: str | list[Figure]) -> bool:
    """Whether `fig` is stated in a text (or a list of its figures)."""
    pool = find_figures(text_or_figures) if isinstance(text_or_figures, str) else text_or_figures
    return any(same(fig, other) or _date_within(fig, other) for other in pool)


def _date_within(fig: Figure, other: Figure) -> bool:
    # "2021" is stated by "July 2021"; a bare year is weaker than a full date.
    if fig.unit == "year" and other.unit == "date" and other.value:
        return int(other.value) // 10000 == int(fig.value)
    if fig.unit == "date" and other.unit == "date" and fig.value and other.value:
        fy, fm, fd = _ymd(fig.value)
        oy, om, od = _ymd(other.value)
        return fm == om and (fy in (0, oy)) and (fd in (0, od))
    return False


def _ymd(v: float) -> tuple[int, int, int]:
    v = int(v)
    return v // 10000, (v // 100) % 100, v % 100


def cut_out(text: str, figs: list[Figure], fill: str = "") -> str:
    """`text` with each of `figs` (figures found in it) replaced by `fill`: what it says besides its figures."""
    for f in sorted(figs, key=lambda f: -f.start):
        text = text[:f.start] + fill + text[f.end:]
    return text


def is_trivial(fig: Figure) -> bool:
    """Figures that carry no claim on their own (list numbering, "1" in "one of")."""
    return fig.kind == "count" and fig.value is not None and fig.value < 10 and "," not in fig.text and "." not in fig.text


def strip_citation_markers(text: str) -> str:
    # "[1]" and "[2, 3]" are citation markers, not figures.
    return re.sub(r"\[\d+(?:\s*,\s*\d+)*\]", lambda m: " " * len(m.group(0)), text)


def compare(claim: Figure, report: Figure) -> str:
    """How a claimed figure relates to the report's: exact, rounded, approximate or different."""
    if claim.unit != report.unit or claim.value is None or report.value is None:
        return "different"
    if same(claim, report):
        return "exact"
    rv_low = report.value
    rv_high = report.high if report.high is not None else report.value
    cv = claim.value
    hedge = claim.approx or ""
    if claim.high is None and report.high is not None and rv_low - 1e-9 <= cv <= rv_high + 1e-9:
        return "approximate"  # a point claimed inside a stated range
    if hedge in ("more than", "over", "in excess of", "upwards of", "just over", "at least"):
        if cv <= rv_low and _within(cv, rv_low, 0.1):
            return "rounded"
        return "different"
    if hedge in ("under", "less than", "fewer than", "just under", "almost", "nearly", "up to", "close to"):
        if cv >= rv_high and _within(cv, rv_high, 0.1):
            return "rounded"
        return "different"
    if claim.unit == "%" and (claim.kind in ("ratio", "fraction") or report.kind in ("ratio", "fraction")):
        if abs(cv - rv_low) <= 5.0:
            return "approximate"
        return "different"
    if hedge in ("around", "about", "approximately", "roughly", "some"):
        if _within(cv, rv_low, 0.05) or (claim.unit == "%" and abs(cv - rv_low) <= 2):
            return "approximate"
        return "different"
    # Rounded: the report's figure rounds to the claim's at the claim's own precision, and lies within 10% of it
    # ("£10 billion" is not £6.5 billion rounded to the nearest ten billion).
    if _rounds_to(rv_low, cv) and _within(cv, rv_low, ROUNDED_TOLERANCE):
        return "rounded"
    return "different"


ROUNDED_TOLERANCE = 0.10  # docs/check.md, "When a claimed figure matches"


def _within(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-9)


def _rounds_to(exact: float, rounded: float) -> bool:
    """Whether `rounded` is `exact` rounded to its own last significant digit."""
    if rounded == 0:
        return False
    s = f"{rounded:.6f}".rstrip("0").rstrip(".")
    if "." in s:
        step = 10 ** -len(s.split(".")[1])
    else:
        trailing = len(s) - len(s.rstrip("0"))
        step = 10**trailing
    return abs(exact - rounded) <= step / 2 + 1e-9 and step > 0 and abs(exact - rounded) > 0


def describe(fig: Figure) -> str:
    return fig.text if not fig.approx else f"{fig.approx} {fig.text}"
