"""Prompts live as text files in `prompts/`, loaded by name, so they can be read and compared."""

from __future__ import annotations

import re

from rag.settings import Settings

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def load_prompt(name: str, settings: Settings) -> str:
    """The text of `prompts/<name>.txt`; a missing prompt is a clear error."""
    if not _NAME.match(name):
        raise ValueError(f"bad prompt name {name!r}: use letters, digits, _ and -")
    path = settings.prompts_dir / f"{name}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"no prompt named {name!r} (looked for {path})") from None
