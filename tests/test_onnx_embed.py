"""The ONNX query encoder must give the same vectors, and so the same retrieval, as sentence-transformers."""

from __future__ import annotations

import json
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
    for q in GOLD:
        a = [p.chunk_ids for p in onnx_retriever.search(q, 10)]
        b = [p.chunk_ids for p in torch_retriever.search(q, 10)]
        if a != b:
            differ.append(q)
    assert not differ, f"{len(differ)} gold questions retrieve differently, e.g. {differ[0]!r}"


def test_retriever_uses_onnx_without_importing_torch(settings, exported):
    code = (
        "import sys\n"
        "from rag.assistant import Assistant\n"
        "a = Assistant()\n"
        "a.search('How many NHS staff vacancies were there?')\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_missing_export_falls_back_to_sentence_transformers(settings, tmp_path):
    from dataclasses import replace

    bare = replace(settings, cache_dir=tmp_path / "empty-cache")
    assert not onnx_embed.available(bare)
    v = embed.encode_query(bare, ["waiting list"])
    assert v.shape == (1, 384) and abs(float(np.linalg.norm(v)) - 1.0) < 1e-5
