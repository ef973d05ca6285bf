"""Shared fixtures. Integration fixtures use the real model and the real index."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
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


@contextlib.contextmanager
def ui_server(log_path: Path, ready_path: str = "/", startup_seconds: float = 300, env: dict | None = None):
    """`python ui.py` on a free loopback port, as a user starts it; yields its base URL and stops it after."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "ui.py"), "--port", str(port)], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "RAG_UI_HOST": "127.0.0.1", **(env or {})})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + startup_seconds
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"ui.py exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url + ready_path, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"ui.py did not answer on {url}{ready_path} within {startup_seconds} s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# --- the page in a real browser (tests/test_ui_browser.py, tests/test_ui_members.py) ---------------------

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
]
STARTUP_SECONDS = 300  # loads the index and the embedding model on a shared 2-core machine


@pytest.fixture(scope="session")
def feedback_dir(tmp_path_factory):
    """Where the page under test stores thumbs and comments."""
    return tmp_path_factory.mktemp("feedback")


@pytest.fixture(scope="session")
def app_url(feedback_dir):
    """One `python ui.py` for every browser test."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with ui_server(ARTIFACTS / "ui-server.log", startup_seconds=STARTUP_SECONDS,
                   env={"RAG_FEEDBACK_DIR": str(feedback_dir)}) as url:
        yield url + "/"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
