"""The embedding model, loaded once and lazily from site-packages (never a hub)."""

from __future__ import annotations

import os
import threading
from functools import lru_cache

import numpy as np

from rag import onnx_embed
from rag.model_files import model_path

_lock = threading.Lock()


@lru_cache(maxsize=2)
def _model(name: str):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_path(name)), device="cpu")


def encode(name: str, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
    """Unit-normalised float32 embeddings, so inner product is cosine similarity."""
    with _lock:  # sentence-transformers is not safe to call from many threads at once
        vectors = _model(name).encode(
            texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=progress, convert_to_numpy=True
        )
    return np.asarray(vectors, dtype="float32")


def encode_documents(settings, texts: list[str], threads: int | None = None) -> np.ndarray:
    """Vectors for an index build: the ONNX export on every core, or `threads` (exported once, the only step that
    needs torch), else sentence-transformers. tests/test_onnx_embed.py checks both give the same vectors and
    retrieval."""
    if onnx_embed.ensure(settings, quiet=True) is not None:
        return onnx_embed.encode(settings, texts, threads=threads or os.cpu_count() or 1)
    return encode(settings.embed_model, texts, batch_size=64)


def encode_query(settings, texts: list[str]) -> np.ndarray:
    """Query vectors: the ONNX export when `rag index` has made it (no torch import), else sentence-transformers."""
    if onnx_embed.available(settings):
        return onnx_embed.encode(settings, texts)
    return encode(settings.embed_model, texts)
