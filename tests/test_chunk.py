"""Section-aware chunks that fit the embedding model's window."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import model_files
from rag.chunk import chunk_edition, chunk_source_text
from rag.ingest import parse_edition

DATA = Path(__file__).resolve().parent.parent / "data"
MODEL = "all-MiniLM-L6-v2"


@pytest.fixture(scope="module", params=["web", "pdf"])
def chunked(request):
    ed = parse_edition(DATA / f"manifesto-for-recovery.{request.param}.txt")
    return ed, chunk_edition(ed, lambda t: model_files.count_tokens(MODEL, t), 200)


def test_no_chunk_is_silently_truncated(chunked):
    _, chunks = chunked
    window = model_files.max_seq_length(MODEL)
    assert window == 256
    for c in chunks:
        # The model sees the section path with the text: all of it must fit.
        assert model_files.count_tokens(MODEL, c.embedding_text()) <= window, c.id


def test_chunks_never_cross_sections_and_map_back(chunked):
    ed, chunks = chunked
    by_section = {s.path_str: s for s in ed.sections}
    for c in chunks:
        assert c.section in by_section
        sec = by_section[c.section]
        spans = {tuple(span) for p in sec.paragraphs for span in p.spans}
        lo = min(s for s, _ in spans)
        hi = max(e for _, e in spans)
        assert all(lo <= s and e <= hi for s, e in c.paragraph_spans)
        assert chunk_source_text(ed.text, c) == c.text


def test_ids_are_stable_and_unique(chunked):
    ed, chunks = chunked
    again = chunk_edition(ed, lambda t: model_files.count_tokens(MODEL, t), 200)
    assert [c.id for c in chunks] == [c.id for c in again]
    assert len({c.id for c in chunks}) == len(chunks)


def test_long_paragraph_is_split_at_sentences():
    ed = parse_edition(DATA / "manifesto-for-recovery.web.txt")
    small = chunk_edition(ed, lambda t: model_files.count_tokens(MODEL, t), 60)
    assert max(model_files.count_tokens(MODEL, c.text) for c in small) <= 80
    for c in small:
        assert chunk_source_text(ed.text, c) == c.text


def test_a_pull_quote_marks_the_sentence_it_restates_in_every_edition():
    from rag.schema import Sentence
    from rag.sentence_table import _mark_highlights

    def row(edition: str, text: str) -> Sentence:
        return Sentence(f"manifesto:{edition}:x", edition, "Workforce", 0, 0, "text", text)

    rows = [row("pdf", "In the period ending in March 2021, staff vacancies stood at 93,806."),
            row("pdf", "Staff are exhausted."),
            row("web", "In the period ending in June 2021, staff vacancies stood at 93,806.")]
    _mark_highlights(rows, ["In March 2021, staff vacancies stood at 93,806", "10 million",
                            "3. Whole-system solutions: staff are exhausted"])
    assert [r.highlight for r in rows] == [True, False, True]
