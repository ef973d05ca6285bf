"""More documents in the same index: `rag index add FILE...` (see `rag.cli`).

Each added file (plain text, Markdown, HTML or PDF) becomes a document with its
own `doc_id`. Its extracted text is stored under `<index>/documents/<doc_id>.txt`
with its sections in `<doc_id>.json`; chunk offsets point into that stored text,
so citations stay valid even if the original file moves or changes. A document
is its own "edition" (edition = doc_id), so it never twins with the report.
The report's own sources are untouched: `rag.index.build` chunks them as before
and adds the stored documents, re-embedding only chunks it has not seen.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from rag.chunk import chunk_section
from rag.files import atomic_write
from rag.ingest import clean_text, read_source
from rag.schema import Chunk, Paragraph, Section
from rag.settings import Settings

DOCUMENTS = "documents"
FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html", ".pdf": "pdf"}
RESERVED = {"manifesto", "web", "pdf"}
REPORT_ID = "manifesto"
REPORT_TITLE = "Manifesto for recovery: The health and care system after COVID-19"
MAX_BYTES = 50_000_000


class CorpusError(ValueError):
    """A file that cannot be added; the message is one line for the user."""


@dataclass
class Block:
    """One extracted piece of a document before it is laid out as text."""

    text: str
    heading: int = 0  # 1-6 for a heading, 0 for a paragraph
    kind: str = "text"
    page: int | None = None


@dataclass
class Document:
    doc_id: str
    title: str
    kind: str
    source: str
    source_sha256: str
    text: str
    sections: list[Section] = field(default_factory=list)


def documents_dir(settings: Settings) -> Path:
    return settings.index_dir / DOCUMENTS


def doc_id_for(path: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:60] or "document"
    return f"{slug}-doc" if slug in RESERVED else slug


# ---- reading each format into blocks -------------------------------------------------


def _text_blocks(raw: str) -> list[Block]:
    blocks: list[Block] = []
    for part in re.split(r"\n\s*\n", raw):
        lines = [ln for ln in part.splitlines() if ln.strip()]
        if not lines:
            continue
        # A block of bullet lines is several paragraphs; any other block is one wrapped paragraph.
        if all(re.match(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+", ln) for ln in lines):
            blocks += [Block(re.sub(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+", "", ln), kind="bullet") for ln in lines]
        else:
            blocks.append(Block(" ".join(ln.strip() for ln in lines)))
    return blocks


def _markdown_blocks(raw: str) -> list[Block]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(raw)
    blocks: list[Block] = []
    heading = 0
    in_list = 0
    row: list[str] | None = None
    for tok in tokens:
        if tok.type == "heading_open":
            heading = int(tok.tag[1])
        elif tok.type == "heading_close":
            heading = 0
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            in_list += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            in_list -= 1
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and row is not None:
            blocks.append(Block(" | ".join(c for c in row if c)))
            row = None
        elif tok.type == "inline":
            text = "".join(
                " " if c.type in ("softbreak", "hardbreak") else (c.content or "")
                for c in tok.children or []
                if c.type in ("text", "code_inline", "softbreak", "hardbreak", "image")
            ).strip()
            if row is not None:
                row.append(text)
            elif text:
                blocks.append(Block(text, heading=heading, kind="bullet" if in_list and not heading else "text"))
    return blocks


class _HTMLBlocks(HTMLParser):
    BLOCK = {"p", "div", "li", "td", "th", "tr", "blockquote", "section", "article", "br", "dd", "dt",
             "h1", "h2", "h3", "h4", "h5", "h6", "pre", "figcaption", "caption", "title"}
    SKIP = {"script", "style", "noscript", "template", "svg", "nav", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.heading = 0
        self.kind = "text"
        self.skip = 0
        self.title = ""
        self.in_title = False

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.buf)).strip()
        if text:
            self.blocks.append(Block(text, heading=self.heading, kind=self.kind))
        self.buf = []

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.flush()
            self.heading = int(tag[1]) if re.fullmatch(r"h[1-6]", tag) else 0
            self.kind = "bullet" if tag == "li" else "quote" if tag == "blockquote" else "text"

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.flush()
            self.heading, self.kind = 0, "text"

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        elif not self.skip:
            self.buf.append(data)


def _html_blocks(raw: str) -> tuple[list[Block], str]:
    parser = _HTMLBlocks()
    parser.feed(raw)
    parser.close()
    parser.flush()
    return parser.blocks, re.sub(r"\s+", " ", parser.title).strip()


def _pdf_blocks(path: Path) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise CorpusError(f"{path} is an encrypted PDF; decrypt it first")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, CorpusError):
            raise
        raise CorpusError(f"{path} could not be read as a PDF ({exc})") from exc
    blocks: list[Block] = []
    for n, page_text in enumerate(pages, 1):
        for b in _text_blocks(_pdf_paragraphs(page_text)):
            b.page = n
            blocks.append(b)
    return blocks


def _pdf_paragraphs(page_text: str) -> str:
    # pypdf gives one line per printed line and rarely a blank line between
    # paragraphs: start a new paragraph after a line that ends a sentence and is
    # visibly shorter than the page's longest lines.
    lines = [ln.rstrip() for ln in page_text.splitlines()]
    width = max((len(ln) for ln in lines), default=0)
    out: list[str] = []
    for ln in lines:
        out.append(ln)
        if re.search(r"[.!?:]['’”\")]?$", ln) and len(ln) < 0.8 * width:
            out.append("")
    return "\n".join(out)


# ---- laying blocks out as the stored text, with sections ------------------------------


def _layout(doc_id: str, title: str, blocks: list[Block]) -> tuple[str, list[Section]]:
    """Write blocks as plain text (headings and paragraphs one per line) and map them to sections."""
    parts: list[str] = []
    pos = 0
    sections: dict[tuple[str, ...], Section] = {}
    order: list[Section] = []
    stack: list[tuple[int, str]] = []
    for b in blocks:
        text = b.text.replace("\n", " ").strip()
        if not text:
            continue
        start = pos
        parts.append(text + "\n\n")
        pos += len(text) + 2
        if b.heading:
            while stack and stack[-1][0] >= b.heading:
                stack.pop()
            stack.append((b.heading, text[:120]))
            continue
        path = [title] + [t for _, t in stack]
        if b.page is not None:
            path.append(f"page {b.page}")
        key = tuple(path)
        if key not in sections:
            sections[key] = Section(edition=doc_id, path=path, pages=str(b.page) if b.page is not None else None)
            order.append(sections[key])
        clean, notes = clean_text(text)
        if clean:
            sections[key].paragraphs.append(
                Paragraph(text=clean, start=start, end=start + len(text), footnotes=notes, kind=b.kind)
            )
    return "".join(parts), [s for s in order if s.paragraphs]


def read_document(path: Path) -> Document:
    """Extract one file into a Document; CorpusError with a one-line reason when it cannot be."""
    if not path.exists():
        raise CorpusError(f"{path} does not exist")
    if not path.is_file():
        raise CorpusError(f"{path} is not a file")
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise CorpusError(f"{path}: unsupported file type {path.suffix or '(none)'}; use one of "
                          + ", ".join(sorted(FORMATS)))
    if path.stat().st_size > MAX_BYTES:
        raise CorpusError(f"{path} is over the {MAX_BYTES // 1_000_000} MB limit")
    data = path.read_bytes()
    title = path.stem
    if kind == "pdf":
        if not data.startswith(b"%PDF"):
            raise CorpusError(f"{path} does not look like a PDF file")
        blocks = _pdf_blocks(path)
    else:
        try:
            raw = read_source(path)
        except ValueError as exc:
            raise CorpusError(str(exc)) from exc
        if kind == "markdown":
            blocks = _markdown_blocks(raw)
        elif kind == "html":
            blocks, html_title = _html_blocks(raw)
            title = html_title or title
        else:
            blocks = _text_blocks(raw)
    doc_id = doc_id_for(path)
    text, sections = _layout(doc_id, title, blocks)
    if kind == "markdown":  # the document's own first heading names it in `rag docs` and citations
        title = next((b.text for b in blocks if b.heading == 1), title)
    if not sections:
        raise CorpusError(f"{path} has no text to index")
    return Document(doc_id=doc_id, title=title, kind=kind, source=path.name,
                    source_sha256=hashlib.sha256(data).hexdigest(), text=text, sections=sections)


# ---- the stored documents ---------------------------------------------------------------


def save(settings: Settings, doc: Document, meta: dict | None = None) -> None:
    """Store a document's text and metadata (`meta` when a Ray worker already laid it out)."""
    folder = documents_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    meta = meta or metadata(doc)
    # Text first: a reader that sees the new metadata must find its text.
    for name, body in ((f"{doc.doc_id}.txt", doc.text), (f"{doc.doc_id}.json", json.dumps(meta, ensure_ascii=False))):
        atomic_write(folder / name, body)


def metadata(doc: Document) -> dict:
    """What is stored beside a document's text: its title, kind, source, checksums and sections."""
    return {
        "doc_id": doc.doc_id, "title": doc.title, "kind": doc.kind, "source": doc.source,
        "source_sha256": doc.source_sha256, "text_sha256": hashlib.sha256(doc.text.encode()).hexdigest(),
        "sections": [
            {"path": s.path, "pages": s.pages,
             "paragraphs": [{"text": p.text, "start": p.start, "end": p.end, "kind": p.kind,
                             "footnotes": p.footnotes} for p in s.paragraphs]}
            for s in doc.sections
        ],
        "added": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def stored(settings: Settings) -> list[dict]:
    folder = documents_dir(settings)
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def fingerprints(settings: Settings) -> dict[str, str]:
    """doc_id -> checksum of its stored files, for the index manifest (a change forces a rebuild)."""
    folder = documents_dir(settings)
    if not folder.is_dir():
        return {}
    out = {}
    for meta in sorted(folder.glob("*.json")):
        h = hashlib.sha256(meta.read_bytes())
        txt = meta.with_suffix(".txt")
        h.update(txt.read_bytes() if txt.exists() else b"missing")
        out[meta.stem] = h.hexdigest()
    return out


def texts(settings: Settings) -> dict[str, str]:
    """edition (= doc_id) -> stored text, for citations' offsets."""
    folder = documents_dir(settings)
    return {m["doc_id"]: (folder / f"{m['doc_id']}.txt").read_text(encoding="utf-8") for m in stored(settings)}


def chunks(settings: Settings, count_tokens, max_tokens: int) -> list[Chunk]:
    out: list[Chunk] = []
    folder = documents_dir(settings)
    for meta in stored(settings):
        text = (folder / f"{meta['doc_id']}.txt").read_text(encoding="utf-8")
        out += chunks_of(meta, text, count_tokens, max_tokens)
    return out


def chunks_of(meta: dict, text: str, count_tokens, max_tokens: int) -> list[Chunk]:
    """A stored document's chunks, from its metadata and text: the one path the build and Ray workers share, so
    both give the same chunk ids."""
    out: list[Chunk] = []
    for s in meta["sections"]:
        sec = Section(edition=meta["doc_id"], path=s["path"], pages=s.get("pages"),
                      paragraphs=[Paragraph(**p) for p in s["paragraphs"]])
        out += chunk_section(text, sec, count_tokens, max_tokens, meta["doc_id"])
    return out


def expand(paths: list[Path]) -> list[Path]:
    """Files as given, and a folder's supported files (recursively, sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS)
            if not found:
                raise CorpusError(f"{path} holds no file of a supported type ({', '.join(sorted(FORMATS))})")
            out += found
        else:
            out.append(path)
    return out


def check_unique(docs: list[Document]) -> None:
    seen: dict[str, str] = {}
    for d in docs:
        if d.doc_id in seen:
            raise CorpusError(f"{d.source} and {seen[d.doc_id]} would both be document {d.doc_id!r}; rename one")
        seen[d.doc_id] = d.source


def remove(settings: Settings, doc_id: str) -> None:
    """Delete a stored document's files; the next build leaves its chunks out."""
    folder = documents_dir(settings)
    if doc_id in RESERVED:
        raise CorpusError(f"{doc_id!r} is the report itself and cannot be removed")
    known = [m["doc_id"] for m in stored(settings)]
    if doc_id not in known:  # only a stored document's own id, never a path ("../manifest")
        raise CorpusError(f"no document {doc_id!r} (added documents: {', '.join(known) or 'none'})")
    meta = folder / f"{doc_id}.json"
    meta.unlink()  # metadata first: a reader never finds metadata without its text
    (folder / f"{doc_id}.txt").unlink(missing_ok=True)
    if not any(folder.iterdir()):
        folder.rmdir()  # the last added document gone: the index is the report's alone again


def save_files(settings: Settings, files: list[Path]) -> list[Document]:
    """Read every file first (so one bad file adds nothing), then store them; `rag.index.build` picks them up."""
    docs = [read_document(Path(f)) for f in files]
    check_unique(docs)
    for d in docs:
        save(settings, d)
    return docs
