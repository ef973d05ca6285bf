"""The ONNX query encoder must give the same vectors, and so the same retrieval, as sentence-transformers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag import embed, onnx_embed
from rag.retrieve import Retriever

ROOT = Path(__file__).resolve().parent.parent
GOLD = [json.loads(line)["question"] for line in (ROOT / "evals" / "gold.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def exported(settings):
    path = onnx_embed.ensure(settings)
    assert path is not None and path.exists()
    return path


def test_onnx_vectors_match_sentence_transformers(settings, exported):
    texts = GOLD + ["", "£", "x " * 400]  # empty, symbol-only, and longer than the model window
    onnx = onnx_embed.encode(settings, texts)
    torch_vectors = embed.encode(settings.embed_model, texts)
    assert onnx.shape == torch_vectors.shape == (len(texts), 384)
    cosines = (onnx * torch_vectors).sum(axis=1)
    assert cosines.min() > 0.9999, f"lowest cosine {cosines.min():.6f} for {texts[int(cosines.argmin())]!r}"
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def test_gold_top_k_unchanged(assistant, exported):
    settings = assistant.settings
    onnx_retriever = Retriever(assistant.index, settings)
    torch_retriever = Retriever(assistant.index, settings)
    torch_retriever.embed_query = lambda q: embed.encode(settings.embed_model, [q])
    differ = []
    for q in GOLD[::2]:  # half the gold set: each question is embedded alone by torch, 74 s for the whole
        a = [p.chunk_ids for p in onnx_retriever.search(q, 10)]
        b = [p.chunk_ids for p in torch_retriever.search(q, 10)]
        if a != b:
            differ.append(q)
    assert not differ, f"{len(differ)} gold questions retrieve differently, e.g. {differ[0]!r}"


def _fresh_python(code: str) -> list[str]:
    """The words `code` prints, run in a new interpreter (what it imports is its own)."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_retriever_uses_onnx_without_importing_torch(settings, exported):
    code = (
        "import sys\n"
        "from rag.assistant import Assistant\n"
        "a = Assistant()\n"
        "a.search('How many NHS staff vacancies were there?')\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    assert _fresh_python(code) == ["False", "False"]


def test_missing_export_falls_back_to_sentence_transformers(settings, tmp_path):
    from dataclasses import replace

    bare = replace(settings, cache_dir=tmp_path / "empty-cache")
    assert not onnx_embed.available(bare)
    v = embed.encode_query(bare, ["waiting list"])
    assert v.shape == (1, 384) and abs(float(np.linalg.norm(v)) - 1.0) < 1e-5


def test_index_build_vectors_match_the_torch_path(assistant, exported):
    """The build embeds with the ONNX export, batched by length on every core: the same vectors as
    sentence-transformers for every chunk, and the same dense top-10 for every gold question, up to ties."""
    settings = assistant.settings
    texts = [c.embedding_text() for c in assistant.index.chunks]
    onnx = embed.encode_documents(settings, texts)
    torch_vectors = embed.encode(settings.embed_model, texts, batch_size=64)
    cosines = (onnx * torch_vectors).sum(axis=1)
    assert cosines.min() > 0.9999, f"lowest cosine {cosines.min():.6f} for chunk {int(cosines.argmin())}"
    queries = onnx_embed.encode(settings, GOLD)
    top_onnx = np.argsort(-(queries @ onnx.T), axis=1, kind="stable")[:, :10]
    top_torch = np.argsort(-(queries @ torch_vectors.T), axis=1, kind="stable")[:, :10]
    # Where the two orders differ, it is a tie: the chunks swapped score the same (to 1e-4) with torch's vectors.
    # (Two chunks about one case study can score within 1e-5 of each other for a question.) How many questions
    # meet such a tie depends on the CPU's float rounding (on the CI machine 1873 of 1910 kept their order, under
    # the 99% this test once asked), so the test bounds the scores, not the count.
    torch_scores = queries @ torch_vectors.T
    differ = [q for q, a, b, s in zip(GOLD, top_onnx, top_torch, torch_scores) if not np.allclose(s[a], s[b], atol=1e-4)]
    assert not differ, f"{len(differ)} gold questions rank chunks differently, e.g. {differ[0]!r}"
    # The index holds these vectors, in chunk order.
    stored = assistant.index.vectors.reconstruct_n(0, assistant.index.vectors.ntotal)
    assert np.allclose(stored, onnx, atol=1e-5)


def test_index_build_does_not_import_torch_once_exported(settings, exported, tmp_path):
    code = (
        "import sys\n"
        "from rag import index\n"
        "from rag.settings import Settings\n"
        "index.build(Settings.from_env(), progress=False, reuse=False)\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    env = {**os.environ, "RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_CACHE_DIR": str(settings.cache_dir)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"], out.stdout


def test_warm_up_builds_one_session_before_the_question_needs_it(settings, exported):
    """`rag ask` starts the ONNX session while the index loads; the question then waits for that session
    rather than building a second one, and torch stays unimported."""
    code = (
        "import sys\n"
        "from rag import onnx_embed\n"
        "from rag.assistant import Assistant\n"
        "a = Assistant()\n"
        "a.warm_up()\n"
        "ans = a.ask('How many NHS staff vacancies were there?', 'extractive', suggest=False)\n"
        "print(onnx_embed._session.cache_info().misses, '93,806' in ans.answer, 'torch' in sys.modules)\n"
    )
    assert _fresh_python(code) == ["1", "True", "False"]


def test_warm_up_is_waited_for_at_exit(settings, exported):
    # A question refused at once ends `rag ask` while the session is still being built; a daemon thread inside
    # onnxruntime at interpreter exit aborted the process (SIGABRT) in CI. The exit must wait for it instead.
    from rag.assistant import Assistant

    a = Assistant(settings)
    a.warm_up()
    assert a._warming is not None and not a._warming.daemon
    a._warming.join()
