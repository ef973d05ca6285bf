"""Shared fixtures. Integration fixtures use the real model and the real index."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def settings():
    from rag.settings import Settings

    return Settings.from_env()


@pytest.fixture(scope="session")
def assistant(settings):
    from rag.assistant import Assistant

    a = Assistant(settings)
    _ = a.index  # build or load once for the whole session
    return a


@pytest.fixture()
def index_copy(assistant, tmp_path):
    """A private copy of the built index, for tests that damage it."""
    from rag.settings import Settings

    dst = tmp_path / "index"
    shutil.copytree(assistant.settings.index_dir, dst, ignore=shutil.ignore_patterns(".lock"))
    return Settings.from_env(index_dir=dst)


def run_rag(*args: str, input: bytes | None = None, env: dict | None = None, timeout: float = 300):
    """Run the installed `rag` command as a user would, in a subprocess."""
    exe = Path(sys.executable).parent / "rag"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "rag.cli"]
    return subprocess.run(
        cmd + list(args), input=input, capture_output=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
