"""`rag index add`: other documents in the same index, with their own doc_id and valid offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_rag

from rag import corpus, index
from rag.chunk import chunk_source_text
from rag.ingest import clean_text

MARKDOWN = """# Local recovery plan

## Waiting times

The trust cut its **waiting list** by 4,200 patients in 2022, says the [board paper](http://example.org).
This line wraps the same paragraph.

- Diagnostics capacity rose by 12%.
- Theatre utilisation reached 85%.

## Staffing

| role | vacancies |
|---|---|
| nurses | 310 |
"""

HTML = """<html><head><title>Community care update</title><style>p {color: red}</style></head><body>
<nav>Home | About</nav><h1>Community care</h1><p>Community nursing teams made 1.2 million visits.</p>
<h2>Mental health</h2><ul><li>Referrals rose 18% &amp; waits grew.</li><li>Crisis lines took 40,000 calls.</li></ul>
<script>var hidden = "never indexed";</script></body></html>
"""

TEXT = "Dental access\n\nA plain paragraph about dental access that\nwraps over two lines.\n\n- first bullet point\n- second bullet point\n"


def _pdf(path: Path, pages: list[str]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for text in pages:
            fig = plt.figure(figsize=(8.5, 11))
            fig.text(0.1, 0.9, text, va="top")
            pdf.savefig(fig)
            plt.close(fig)
    return path


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "plan.md").write_text(MARKDOWN)
    (tmp_path / "community.html").write_text(HTML)
    (tmp_path / "dental.txt").write_text(TEXT)
    _pdf(tmp_path / "ambulance.pdf", ["Ambulance handovers took 59 minutes on average.", "Page two: 7,000 beds closed."])
    return tmp_path


def _paragraphs(doc):
    return [(s, p) for s in doc.sections for p in s.paragraphs]


def _assert_offsets(doc):
    for _, p in _paragraphs(doc):
        assert clean_text(doc.text[p.start:p.end])[0] == p.text


def test_markdown_sections_from_headings(files):
    doc = corpus.read_document(files / "plan.md")
    assert doc.doc_id == "plan" and doc.kind == "markdown"
    assert [s.path for s in doc.sections] == [
        ["plan", "Local recovery plan", "Waiting times"],
        ["plan", "Local recovery plan", "Staffing"],
    ]
    texts = [p.text for _, p in _paragraphs(doc)]
    assert texts[0].startswith("The trust cut its waiting list by 4,200 patients") and "**" not in texts[0]
    assert "board paper" in texts[0] and "http" not in texts[0] and "wraps the same paragraph" in texts[0]
    assert [p.kind for _, p in _paragraphs(doc)][1:3] == ["bullet", "bullet"]
    assert "nurses | 310" in texts
    _assert_offsets(doc)


def test_html_skips_scripts_and_navigation(files):
    doc = corpus.read_document(files / "community.html")
    assert doc.title == "Community care update"
    assert [s.path[-1] for s in doc.sections] == ["Community care", "Mental health"]
    texts = [p.text for _, p in _paragraphs(doc)]
    assert texts == ["Community nursing teams made 1.2 million visits.", "Referrals rose 18% & waits grew.",
                     "Crisis lines took 40,000 calls."]
    assert "never indexed" not in doc.text and "Home | About" not in doc.text
    _assert_offsets(doc)


def test_plain_text_is_one_section(files):
    doc = corpus.read_document(files / "dental.txt")
    assert len(doc.sections) == 1
    texts = [p.text for _, p in _paragraphs(doc)]
    assert "A plain paragraph about dental access that wraps over two lines." in texts
    assert texts[-2:] == ["first bullet point", "second bullet point"]
    _assert_offsets(doc)


def test_pdf_keeps_pages(files):
    doc = corpus.read_document(files / "ambulance.pdf")
    assert [(s.path[-1], s.pages) for s in doc.sections] == [("page 1", "1"), ("page 2", "2")]
    assert "59 minutes" in doc.sections[0].paragraphs[0].text
    _assert_offsets(doc)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.md", None, "does not exist"),
        ("slides.pptx", b"PK\x03\x04", "unsupported file type"),
        ("binary.txt", b"\x00\x01\x02abc", "binary"),
        ("latin.txt", "caf\xe9".encode("latin-1"), "not valid UTF-8"),
        ("empty.md", b"   \n\n", "no text to index"),
        ("fake.pdf", b"hello, not a pdf", "does not look like a PDF"),
        ("broken.pdf", b"%PDF-1.4\n garbage", "could not be read as a PDF"),
    ],
)
def test_bad_files_are_refused_with_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(corpus.CorpusError, match=message) as exc:
        corpus.read_document(path)
    assert "\n" not in str(exc.value)


def test_cli_refuses_bad_file_without_touching_index(index_copy, tmp_path):
    before = (index_copy.index_dir / index.MANIFEST).read_text()
    (tmp_path / "good.md").write_text("# A\n\nSome text.\n")
    out = run_rag("--index-dir", str(index_copy.index_dir), "index", "add", str(tmp_path / "good.md"),
                  str(tmp_path / "nope.html"))
    assert out.returncode == 1
    err = out.stderr.decode()
    assert err.count("\n") == 1 and "nope.html does not exist" in err and "Traceback" not in err
    assert (index_copy.index_dir / index.MANIFEST).read_text() == before
    assert not (index_copy.index_dir / corpus.DOCUMENTS).exists()


def test_add_documents_to_an_index(index_copy, files, monkeypatch):
    from rag import embed
    from rag.assistant import Assistant

    settings = index_copy
    report_before = index.load(settings, rebuild=False)
    embedded: list[str] = []
    real_encode = embed.encode_documents
    monkeypatch.setattr(embed, "encode_documents",
                        lambda settings, texts: embedded.extend(texts) or real_encode(settings, texts))

    docs = corpus.save_files(settings, [files / "plan.md", files / "community.html", files / "dental.txt",
                                        files / "ambulance.pdf"])
    manifest = index.build(settings, progress=False)
    assert {d.doc_id for d in docs} == {"plan", "community", "dental", "ambulance"}
    # Only the new documents were embedded; the report's vectors were reused.
    assert embedded and not any("NHS leaders" in t for t in embedded)
    assert set(manifest["documents"]) == {"plan", "community", "dental", "ambulance"}
    assert index.staleness(settings) is None

    after = index.load(settings, rebuild=False)
    report_ids = [c.id for c in report_before.chunks]
    assert [c.id for c in after.chunks if c.doc_id == "manifesto"] == report_ids
    assert after.twins == report_before.twins
    added = [c for c in after.chunks if c.doc_id != "manifesto"]
    assert {c.doc_id for c in added} == {"plan", "community", "dental", "ambulance"}
    for c in added:
        assert c.edition == c.doc_id
        assert chunk_source_text(after.sources[c.edition], c) == c.text
    # Reused vectors equal freshly computed ones for the report's chunks.
    import numpy as np

    i = report_ids.index(report_ids[0])
    fresh = real_encode(settings, [report_before.chunks[i].embedding_text()])[0]
    assert float(np.dot(after.vectors.reconstruct(i), fresh)) > 0.9999

    ans = Assistant(settings, rebuild=False).ask("How many calls did crisis lines take?")
    assert not ans.abstained and "40,000" in ans.answer
    assert ans.citations[0].chunk_id.startswith("community:")
    cited = ans.citations[0]
    assert after.sources["community"][cited.start:cited.end] == "Crisis lines took 40,000 calls."


def test_readding_a_changed_file_replaces_it_and_damage_is_detected(index_copy, tmp_path):
    settings = index_copy
    path = tmp_path / "update.md"
    path.write_text("# Update\n\nBeds open: 100.\n")
    corpus.save_files(settings, [path])
    index.build(settings, progress=False)
    path.write_text("# Update\n\nBeds open: 250.\n")
    corpus.save_files(settings, [path])
    index.build(settings, progress=False)
    texts = [c.text for c in index.load(settings, rebuild=False).chunks if c.doc_id == "update"]
    assert texts == ["Beds open: 250."]

    stored = settings.index_dir / corpus.DOCUMENTS / "update.txt"
    stored.write_text(stored.read_text().replace("250", "999"))
    assert "added document changed" in index.staleness(settings)
    meta = json.loads((settings.index_dir / corpus.DOCUMENTS / "update.json").read_text())
    assert meta["source"] == "update.md" and meta["kind"] == "markdown"


def test_two_files_with_one_doc_id_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "notes.md").write_text("# A\n\ntext a\n")
    (tmp_path / "b" / "notes.txt").write_text("text b\n")
    from rag.settings import Settings

    settings = Settings.from_env(index_dir=tmp_path / "idx")
    with pytest.raises(corpus.CorpusError, match="both be document 'notes'"):
        corpus.save_files(settings, [tmp_path / "a" / "notes.md", tmp_path / "b" / "notes.txt"])
    assert not (tmp_path / "idx").exists()


def test_remove_takes_only_a_stored_documents_id_never_a_path(tmp_path):
    from rag.settings import Settings

    settings = Settings.from_env(index_dir=tmp_path / "index")
    (tmp_path / "index" / "documents").mkdir(parents=True)
    precious = tmp_path / "precious.json"
    precious.write_text("{}")
    (tmp_path / "index" / "manifest.json").write_text("{}")
    for doc_id in ("../manifest", "../../precious", str(tmp_path / "precious"), "manifesto"):
        with pytest.raises(corpus.CorpusError):
            corpus.remove(settings, doc_id)
    assert precious.exists() and (tmp_path / "index" / "manifest.json").exists()
