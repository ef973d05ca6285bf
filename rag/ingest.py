"""Parse the report's two editions into a tree of sections.

Both editions are plain text converted from other formats (see data/README.md).
The web edition has one paragraph per line; the PDF edition wraps lines, repeats
pull quotes out of the flow, breaks words and paragraphs across pages and
garbles the survey-findings page. Every paragraph keeps the character spans of
the source text it was cleaned from, so a citation can point at the exact text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rag.schema import Paragraph, Section

CHAPTERS = [
    ("A sustained focus on tackling health inequalities", r"A sustained focus on tackling health inequalities"),
    ("Recovering the backlog and managing expectations", r"Recovering the backlog and managing expectations"),
    (
        "Action on staff shortages and sustained support for health and wellbeing",
        r"Action on staff shortages and sustained support for health and wellbeing",
    ),
    ("Accelerating moves to integrated care and system working", r"Accelerating moves to integrated care and system working"),
    ("A lighter, leaner regulatory culture", r"A lighter, leaner,? regulatory culture"),
    ("A new financial deal for health and social care", r"A new financial deal for health and social care"),
]
TOP_LEVEL = [
    ("Key points", r"Key points"),
    ("Introduction", r"Introduction"),
    ("Survey findings", r"Survey findings: the views of healthcare (?:leaders|professionals)"),
    ("Charting a new course", r"(?:Findings(?:: Charting a new course for health and care)?|Charting a new course(?: for health and care)?)"),
    *[(title, r"(?:\d\.\s+)?" + rx) for title, rx in CHAPTERS],
    ("Building back better", r"Building back better"),
    ("Ten-point plan", r"What (?:healthcare|NHS) leaders need: ten-point plan"),
    ("References", r"References"),
    ("About", r"About(?: us)?"),
]
# The title page and the back page (address, copyright): the report's furniture, no chapter of it.
PAGE_FURNITURE = ("Front matter", "Back matter")
CHAPTER_PARTS = ["The challenge", "What have NHS leaders told us?", "What do NHS leaders need?"]
SURVEY_PARTS = {
    "health inequalities": "Health inequalities",
    "demand for care": "Demand for care",
    "workforce": "Workforce",
    "funding": "Funding",
    "beneficial changes": "Beneficial changes",
    "nhs reforms": "NHS reforms",
    "nhs reform": "NHS reforms",
    "regulation": "Regulation",
}
# The web edition prints case studies without their titles; these openings tell
# which case study a bullet starts (titles as the PDF edition prints them).
CASE_STUDY_OPENINGS = {
    "Staff at North East London ICS": "Case study: Increasing vaccination uptake among diverse communities",
    "West Yorkshire and Harrogate": "Case study: Seeking patients' views on elective recovery",
    "Barking, Havering and Redbridge": "Case study: Responding to the COVID-19 pandemic and long COVID",
    "Through two innovative schemes": "Case study: Patient-focused integrated care in Cambridgeshire and Peterborough",
}
_TOP_RE = [(title, re.compile(rf"^{rx}\s*$", re.I)) for title, rx in TOP_LEVEL]
_BULLET = re.compile(r"^\s*(?:[-•\uf0b7]\s+|\u2022\s*)")
_PDF_ITEM_START = re.compile(r"^\s?(?:[-•]\s|\d{1,2}\.\s)")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_TERMINAL = re.compile(r"[.!?:;…]['’”\")\]]*\s*$")
_FIGURE_ONLY = re.compile(r"^(?:(?:\d+%|\d+ in \d+|£?\d+(?:\.\d+)? (?:million|billion))\s*)+$")


@dataclass
class Edition:
    """One parsed edition: its sections, footnote entries and printed page map."""

    name: str
    path: Path
    text: str
    sections: list[Section] = field(default_factory=list)
    footnotes: dict[int, str] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)


@dataclass
class _Line:
    text: str
    start: int
    end: int


def edition_name(path: Path) -> str:
    stem = path.name
    if ".web." in stem:
        return "web"
    if ".pdf." in stem:
        return "pdf"
    return path.stem


def read_source(path: Path) -> str:
    """Read a source file as UTF-8, refusing binary input with a clear error."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise ValueError(f"{path} looks like a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not valid UTF-8 text (byte {exc.start})") from exc


def parse_edition(path: Path) -> Edition:
    text = read_source(path)
    name = edition_name(path)
    ed = Edition(name=name, path=path, text=text)
    if name == "pdf":
        items = _pdf_items(text)
    else:
        items = _web_items(text)
    _build_sections(ed, items)
    _drop_pull_quotes(ed)
    if name == "pdf":
        _join_broken(ed)
        _repair_survey(ed)
    _strip_glued_quotes(ed)
    _assign_pages(ed)
    ed.sections = [s for s in ed.sections if s.paragraphs]
    return ed


def clean_text(raw: str) -> tuple[str, list[int]]:
    """Clean one raw span: join wrapped lines, drop marks, collect footnote numbers."""
    footnotes = [int(d) for d in re.findall(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", raw) for d in [d.translate(_SUPERSCRIPTS)]]
    s = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", "", raw)
    s = re.sub(r"\^\{[^}]*\}", "", s)
    s = re.sub(r"\\[a-z]+(?:\{[^}]*\})?", "", s)
    s = s.replace("**", "").replace("\u00a0", " ")
    lines = [_BULLET.sub("", ln).strip() for ln in s.splitlines()]
    s = " ".join(ln for ln in lines if ln)
    # Words broken across a line end lose their first hyphen: "dayto-day".
    s = re.sub(r"\b([a-z]{2,})(to|by|on|in)-(\1)\b", r"\1-\2-\3", s)
    s = re.sub(r"\s+", " ", s).strip()
    s, marks = _footnote_marks(s)
    return s, footnotes + marks


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(_Line(body, pos, pos + len(body)))
        pos += len(raw)
    return out


def _blocks(text: str) -> list[list[_Line]]:
    blocks: list[list[_Line]] = [[]]
    for ln in _lines(text):
        if ln.text.strip():
            blocks[-1].append(ln)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _web_items(text: str) -> list[list[_Line]]:
    # One paragraph per line in the web edition.
    return [[ln] for ln in _lines(text) if ln.text.strip()]


def _pdf_items(text: str) -> list[list[_Line]]:
    items: list[list[_Line]] = []
    for block in _blocks(text):
        current: list[_Line] = []
        for ln in block:
            if current and _PDF_ITEM_START.match(ln.text) and not ln.text.startswith("  "):
                items.append(current)
                current = []
            current.append(ln)
        items.append(current)
    return items


def _match_top(text: str) -> str | None:
    for title, rx in _TOP_RE:
        if rx.match(text):
            return title
    return None


def _build_sections(ed: Edition, items: list[list[_Line]]) -> None:
    top = "Front matter"
    sub: str | None = None
    sections: dict[tuple[str, ...], Section] = {}
    pending_point: str | None = None
    in_contents = False
    footnote_counter = 0

    def section() -> Section:
        path = (top,) if sub is None else (top, sub)
        if path not in sections:
            sections[path] = Section(edition=ed.name, path=list(path))
            ed.sections.append(sections[path])
        return sections[path]

    for item in items:
        raw = ed.text[item[0].start:item[-1].end]
        text, notes = clean_text(raw)
        if not text:
            continue
        bare = re.sub(r"\s+", " ", raw.strip().lstrip("•-").strip())
        if text == "Contents" or in_contents:
            # The contents page is kept only for its page numbers.
            in_contents = _contents_line(ed, raw, text) if text != "Contents" else True
            if in_contents:
                continue
        heading = _match_top(bare) if len(item) == 1 else None
        if heading:
            if heading != top:
                top, sub = heading, None
            continue
        is_chapter = top in {c for c, _ in CHAPTERS}
        if is_chapter and bare in CHAPTER_PARTS:
            sub = bare
            continue
        if is_chapter and text.lower() == "chapter footnotes":
            sub = "Footnotes"
            continue
        if is_chapter and text.startswith("Case study:"):
            sub = text
            continue
        if is_chapter:
            for opening, title in CASE_STUDY_OPENINGS.items():
                if text.startswith(opening):
                    sub = title
        if top == "Survey findings" and text.lower() in SURVEY_PARTS:
            sub = SURVEY_PARTS[text.lower()]
            continue
        if top == "Ten-point plan":
            m = re.match(r"^Number (\d+)$", text)
            if m:
                pending_point = m.group(1)
                continue
            m = re.match(r"^(?:(\d+)\.\s+)?([^:]{3,60}):", text)
            if m and (m.group(1) or pending_point):
                number = m.group(1) or pending_point
                sub = f"{number}. {m.group(2).strip()}"
                pending_point = None
        if top == "References" and footnote_counter and not re.match(r"^\s?-", raw):
            top, sub = "Back matter", None  # address and copyright after the list
        if text.startswith("Figure ") and re.match(r"^Figure \d+:", text):
            continue  # captions of charts the text editions do not carry
        kind = "text"
        lost_marker = ed.name == "pdf" and re.match(r"^ [A-Za-z]", raw) is not None
        if _BULLET.match(raw) or lost_marker or (ed.name == "pdf" and _PDF_ITEM_START.match(raw)):
            kind = "bullet"
        if text.startswith(("“", '"')):
            kind = "quote"
        if top == "References" or sub == "Footnotes":
            kind = "footnote"
            m = re.match(r"^(?:\d+\.\s+)?(\d+)\.\s+(.*)$", text) if sub == "Footnotes" else None
            if m:
                number, body = int(m.group(1)), m.group(2)
            else:
                footnote_counter += 1
                m2 = re.match(r"^(\d+)\.\s+(.*)$", text)
                number, body = (int(m2.group(1)), m2.group(2)) if m2 else (footnote_counter, text)
                footnote_counter = number
            ed.footnotes[number] = body
            notes = [number]
        if raw.lstrip().startswith("^{"):
            kind = "note"
        para = Paragraph(text=text, start=item[0].start, end=item[-1].end, footnotes=notes, kind=kind)
        section().paragraphs.append(para)


def _join_broken(ed: Edition) -> None:
    """Rejoin PDF paragraphs that a page break, pull quote or chart note cut in two."""
    for sec in ed.sections:
        if sec.path[0] == "Survey findings":
            continue
        kept: list[Paragraph] = []
        for p in sec.paragraphs:
            target = _open_paragraph(kept) if p.kind == "text" else None
            if target is not None and (p.text[:1].islower() or _ends_mid_phrase(target.text)):
                target.text = target.text + " " + p.text
                target.end = p.end
                target.footnotes += p.footnotes
                target.spans.append(p.spans[0])
                continue
            kept.append(p)
        sec.paragraphs = kept


def _ends_mid_phrase(text: str) -> bool:
    return bool(re.search(r"\b(?:of|the|a|an|and|to|in|for|with|by|on)$", text))


def _open_paragraph(kept: list[Paragraph]) -> Paragraph | None:
    # Look back past a chart note or quote that the layout dropped into the flow.
    for p in reversed(kept[-3:]):
        if p.kind in ("text", "bullet") and not _TERMINAL.search(p.text) and not _FIGURE_ONLY.match(p.text):
            return p
    return None


def _footnote_marks(text: str) -> tuple[str, list[int]]:
    notes: list[int] = []

    def repl(m: re.Match) -> str:
        notes.append(int(m.group(1)))
        return ""

    # "...rest of England. 1 His report" — a bare number after punctuation,
    # followed by a capital or the end, is a footnote mark ("’ 7 million" is not).
    text = re.sub(r"(?<=[.,;’”'\")])\s+(\d{1,2})(?=\s+[A-Z“‘\"]|\s*$)", repl, text)
    return text.strip(), notes


def _contents_line(ed: Edition, raw: str, text: str) -> bool:
    m = re.match(r"^\s*-\s*\**(\d+)\**\s+(.+)$", raw)
    if m:
        title = _match_top(m.group(2).strip())
        if title:
            ed.pages[title] = m.group(1)
        return True
    # Garbled glyphs from the contents page's artwork.
    return bool(re.search(r"\\[a-z]+|\t", raw)) or len(text) < 3


def _trigrams(text: str) -> list[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9£%]+", text.lower())
    return [tuple(words[i:i + 3]) for i in range(len(words) - 2)]


def _is_repeat(candidate: str, others: list[str], min_words: int = 3) -> bool:
    """Whether most of `candidate`'s word triples are stated again in one other paragraph."""
    grams = _trigrams(candidate)
    if not min_words - 2 <= len(grams) <= 30:
        return False
    for other in others:
        pool = set(_trigrams(other))
        if len(pool) > len(grams) and sum(g in pool for g in grams) / len(grams) >= 0.7:
            return True
    return False


def _drop_pull_quotes(ed: Edition) -> None:
    """Remove pull quotes: short unpunctuated repeats of text stated in full elsewhere."""
    for sec in ed.sections:
        if sec.path[0] in ("Survey findings", "Front matter", "References"):
            continue
        nearby = [p.text for s in ed.sections if s.path[0] == sec.path[0] for p in s.paragraphs]
        everywhere = [p.text for s in ed.sections for p in s.paragraphs]
        kept: list[Paragraph] = []
        for p in sec.paragraphs:
            if p.kind in ("text", "bullet") and not _TERMINAL.search(p.text):
                if _is_repeat(p.text, [t for t in everywhere if t != p.text]) or _shares_words(p.text, nearby):
                    sec.highlights.append(p.text)
                    continue
            if p.kind == "text" and _FIGURE_ONLY.match(p.text):
                continue  # a stray callout figure ("10 million") from a pull quote
            kept.append(p)
        sec.paragraphs = kept


def _shares_words(candidate: str, others: list[str]) -> bool:
    words = re.findall(r"[a-z0-9£%]+", candidate.lower())
    if not 3 <= len(words) <= 15:
        return False
    for other in others:
        pool = set(re.findall(r"[a-z0-9£%]+", other.lower()))
        if other != candidate and len(pool) > len(words) and sum(w in pool for w in words) / len(words) >= 0.8:
            return True
    return False


def _strip_glued_quotes(ed: Edition) -> None:
    everywhere = [p.text for s in ed.sections for p in s.paragraphs]
    for sec in ed.sections:
        if sec.path[0] in ("Survey findings", "Front matter", "References"):
            continue
        for p in sec.paragraphs:
            _strip_glued_quote(ed, p, [t for t in everywhere if t != p.text])


def _strip_glued_quote(ed: Edition, p: Paragraph, others: list[str]) -> None:
    # A pull quote the converter glued to the start of the next paragraph:
    # "...the health sector in England For this latest report, ..."
    if len(p.spans) != 1:
        return
    best = 0
    lower_words = set(re.findall(r"(?<![\w./@-])[a-z]+(?=[\s,;:.])", ed.text))
    for m in re.finditer(r"[a-z0-9%'] (?=[A-Z])", p.text):
        # The glued-on sentence starts with an ordinary word ("For", "The"), not a name.
        if p.text[m.end():].split(" ", 1)[0].lower() not in lower_words:
            continue
        prefix = p.text[: m.start() + 1]
        if re.search(r"[.!?:;]", prefix) or len(prefix.split()) < 6:
            continue
        if _is_repeat(prefix, others, min_words=6) and ed.text[p.start:p.end].startswith(prefix):
            best = len(prefix) + 1
    if best:
        p.text = p.text[best:]
        p.start += best
        p.spans = [[p.start, p.end]]


def _repair_survey(ed: Edition) -> None:
    """Pair the PDF survey page's callout figures with the statements they head.

    The layout puts figures and statements in separate lines, sometimes two
    figures before two statements run together. Statements take the figures
    queued just before them, in order; a statement with no figure left (the
    page's garbled fragments) is dropped rather than given a wrong figure.
    """
    for sec in ed.sections:
        if sec.path[0] != "Survey findings":
            continue
        queue: list[tuple[str, int, int]] = []
        kept: list[Paragraph] = []
        for p in sec.paragraphs:
            raw = ed.text[p.start:p.end]
            if raw.strip() != p.text:
                kept.append(p)
                continue
            offset = p.start + (len(raw) - len(raw.lstrip()))
            if _FIGURE_ONLY.match(p.text):
                for m in re.finditer(r"\d+%|\d+ in \d+", p.text):
                    queue.append((m.group(0), offset + m.start(), offset + m.end()))
                continue
            body = p.text
            trailing: tuple[str, int, int] | None = None
            tm = re.search(r"\s(\d+%)$", body)
            if tm:
                trailing = (tm.group(1), offset + tm.start(1), offset + tm.end(1))
                body = body[: tm.start()]
            pieces = [(m.group(0), m.start()) for m in re.finditer(r".+?(?:\.(?= [a-z])|$)", body)]
            pieces = [(t.strip(), s + (len(t) - len(t.lstrip()))) for t, s in pieces if t.strip()]
            if pieces and body[:1].islower() and len(queue) >= len(pieces):
                figs = queue[-len(pieces):]
                del queue[-len(pieces):]
                for (fig, fs, fe), (stmt, ss) in zip(figs, pieces):
                    para = Paragraph(
                        text=f"{fig} {stmt}", start=fs, end=offset + ss + len(stmt), kind="bullet",
                        spans=[[fs, fe], [offset + ss, offset + ss + len(stmt)]],
                    )
                    kept.append(para)
            elif not body[:1].islower():
                kept.append(p)
            if trailing:
                queue.append(trailing)
        sec.paragraphs = kept


def _assign_pages(ed: Edition) -> None:
    if not ed.pages:
        return
    order = [title for title, _ in TOP_LEVEL if title in ed.pages]
    starts = [int(ed.pages[t]) for t in order]
    ranges = {}
    for i, title in enumerate(order):
        end = starts[i + 1] - 1 if i + 1 < len(order) else None
        ranges[title] = f"{starts[i]}-{end}" if end and end > starts[i] else str(starts[i])
    for sec in ed.sections:
        sec.pages = ranges.get(sec.path[0])


def paragraph_source_text(ed_text: str, para: Paragraph) -> str:
    """Re-clean the paragraph's raw spans: equals `para.text` for a faithful parse."""
    return " ".join(clean_text(ed_text[s:e])[0] for s, e in para.spans)
