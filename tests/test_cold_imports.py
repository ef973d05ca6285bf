"""A cold `rag ask`, `rag figures` or exact-figure `rag check` must not import torch.

Importing torch, transformers and sentence-transformers costs seconds before any
work is done; queries embed through the ONNX export instead (rag/onnx_embed.py).
Each case runs the real CLI entry point in a fresh interpreter and reports which
heavy modules ended up in `sys.modules` when it exited. A behaviour test, not a
timed one: timings live in bench/run.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag import onnx_embed

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["torch", "transformers", "sentence_transformers", "gradio", "langchain_core", "langchain_openai",
         "matplotlib", "pandas"]
# Prints, at exit, the heavy modules the command imported, after its own output.
PROBE = (
    "import atexit, json, sys\n"
    f"heavy = {HEAVY!r}\n"
    "atexit.register(lambda: print('IMPORTED ' + json.dumps([m for m in heavy if m in sys.modules]), file=sys.stderr))\n"
    "from rag.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def imported_by(*args: str) -> tuple[list[str], subprocess.CompletedProcess]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, timeout=300)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("IMPORTED ")]
    assert lines, f"the probe did not report (exit {proc.returncode}): {proc.stderr[-500:]}"
    return json.loads(lines[-1].removeprefix("IMPORTED ")), proc


@pytest.fixture(scope="module", autouse=True)
def exported(assistant):
    # The session index is built and current, and the ONNX export exists, as after `rag index`.
    assert onnx_embed.ensure(assistant.settings) is not None


def test_cold_ask_json_imports_nothing_heavy():
    heavy, proc = imported_by("ask", "--json", "How many NHS staff vacancies were there?")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["citations"], "a retrieval-only ask should still cite the report"
    assert heavy == [], f"`rag ask --json` imported {heavy}"


def test_figures_imports_nothing_heavy():
    heavy, proc = imported_by("figures", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["figures"]
    assert heavy == [], f"`rag figures` imported {heavy}"


def test_exact_figure_check_imports_nothing_heavy():
    heavy, proc = imported_by("check", "--json", "NHS leaders say 93,000 posts are vacant")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "supported"
    assert heavy == [], f"`rag check` imported {heavy}"


def test_probe_sees_a_heavy_import():
    # Guards the probe itself: a command that does load torch must be reported.
    code = PROBE.replace("from rag.cli import main\n", "import torch  # noqa\nfrom rag.cli import main\n")
    proc = subprocess.run([sys.executable, "-c", code, "figures", "--json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert 'IMPORTED ["torch"' in proc.stderr
