"""Query embeddings without torch: the same model exported once to ONNX.

A cold `rag ask` spent most of its time importing torch and
sentence-transformers to embed one short question. The index build (which
loads torch anyway) exports the packaged all-MiniLM-L6-v2 to ONNX under
`settings.cache_dir`; queries then run it with onnxruntime, tokenised by the
model's own `tokenizer.json`, mean-pooled and normalised in numpy exactly as
sentence-transformers does (tests/test_onnx_embed.py checks the vectors agree).
When the exported file is missing, `rag.embed.encode_query` falls back to
sentence-transformers.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import uuid
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.model_files import max_seq_length, model_path
from rag.settings import Settings

_export_lock = threading.Lock()


def onnx_path(settings: Settings) -> Path:
    """Where the export of the configured model lives; the name changes when the weights do."""
    weights = model_path(settings.embed_model) / "model.safetensors"
    st = weights.stat()
    key = hashlib.sha1(f"{weights.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:12]
    return settings.cache_dir / "onnx" / f"{Path(settings.embed_model).name}-{key}.onnx"


@lru_cache(maxsize=4)
def _cached_path(name: str, cache_dir: Path) -> str:
    # onnx_path hashes the weights' stat; once per process is enough on the query path.
    from dataclasses import replace

    return str(onnx_path(replace(Settings(), embed_model=name, cache_dir=cache_dir)))


def available(settings: Settings) -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return Path(_cached_path(settings.embed_model, settings.cache_dir)).exists()


def ensure(settings: Settings, quiet: bool = False) -> Path | None:
    """Export the model to ONNX unless already done; None (and a warning) when that fails."""
    path = onnx_path(settings)
    if path.exists():
        return path
    with _export_lock:
        if path.exists():
            return path
        try:
            _export(settings, path)
        except Exception as exc:  # noqa: BLE001 - any failure just keeps the slower fallback
            if not quiet:
                print(f"rag: warning: could not export the query model to ONNX ({exc}); "
                      "queries will load sentence-transformers", file=sys.stderr)
            return None
    return path


def _export(settings: Settings, path: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_path(settings.embed_model)))
    model.eval()

    class LastHidden(torch.nn.Module):
        # BertModel's positional signature differs across transformers versions; keywords do not.
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
    ids = torch.ones(1, 8, dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    import warnings

    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHidden(model), (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(tmp),
                input_names=names, output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in names + ["last_hidden_state"]},
                opset_version=17, dynamo=False,
            )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@lru_cache(maxsize=4)
def _session(path: str, threads: int = 1):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    # One short question gains little from a second thread, and on a busy 2-core machine the
    # second thread waits for a core: measured p50 39 ms with one thread against 52 ms with two.
    # A build embeds hundreds of texts and uses every core.
    opts.intra_op_num_threads = threads
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


@lru_cache(maxsize=2)
def _tokenizer(name: str, max_len: int):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_path(name) / "tokenizer.json"))
    tok.enable_truncation(max_len)
    tok.enable_padding()
    return tok


def _pooling_is_mean(name: str) -> bool:
    cfg = model_path(name) / "1_Pooling" / "config.json"
    return not cfg.exists() or bool(json.loads(cfg.read_text()).get("pooling_mode_mean_tokens", True))


def encode(settings: Settings, texts: list[str], batch_size: int = 32, threads: int = 1) -> np.ndarray:
    """Unit-normalised float32 embeddings from the ONNX export (raises when it is missing).

    Texts are embedded in batches of similar length (shortest first), so a short text is never padded to the
    longest one; the vectors come back in the order given."""
    name = settings.embed_model
    if not _pooling_is_mean(name):
        raise ValueError(f"{name} does not use mean pooling; the ONNX path only implements mean pooling")
    tok = _tokenizer(name, max_seq_length(name))
    session = _session(_cached_path(settings.embed_model, settings.cache_dir), threads)
    if not texts:
        return np.zeros((0, session.get_outputs()[0].shape[-1]), dtype="float32")
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), 0), dtype="float32")
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        vectors = _embed_batch(session, tok.encode_batch([texts[i] for i in rows]))
        if out.shape[1] == 0:
            out = np.zeros((len(texts), vectors.shape[1]), dtype="float32")
        out[rows] = vectors
    return out


def _embed_batch(session, encodings) -> np.ndarray:
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
    return (pooled / norms).astype("float32")
