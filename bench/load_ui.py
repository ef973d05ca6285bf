"""Load on the web page: N concurrent gradio_client users for S seconds.

Starts `ui.py` (extractive mode) on a free loopback port as a subprocess, waits
until it answers, then runs `--clients` threads, each with its own
gradio_client.Client, asking gold questions (evals/gold.jsonl) through the
page's `/ask` endpoint until `--seconds` have passed or `--max-requests` were
sent. Prints requests served, errors, and p50/p95/max latency, then stops the
server. A benchmark that measures and prints; it asserts nothing.

    flock /tmp/heavy.lock .venv/bin/python bench/load_ui.py            # 8 clients, 60 s
    .venv/bin/python bench/load_ui.py --clients 2 --seconds 10         # a quick look
    .venv/bin/python bench/load_ui.py --target api                     # services on POST /api/ask
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only: the load never leaves this machine
STARTUP_SECONDS = 300


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def gold_questions(path: Path) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows if r.get("question")]


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")
    env = {**os.environ, "RAG_UI_HOST": HOST, "RAG_MODE": "extractive", "GRADIO_ANALYTICS_ENABLED": "False"}
    return subprocess.Popen([sys.executable, str(ROOT / "ui.py"), "--host", HOST, "--port", str(port)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)


def wait_until_up(proc: subprocess.Popen, url: str, log_path: Path) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < STARTUP_SECONDS:
        if proc.poll() is not None:
            raise RuntimeError(f"ui.py exited with {proc.returncode}: {log_path.read_text()[-1000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"ui.py did not answer on {url} within {STARTUP_SECONDS} s")


def stop_server(proc: subprocess.Popen) -> None:
    # SIGINT first: ui.py catches KeyboardInterrupt and shuts Gradio down itself.
    for stop in (lambda: proc.send_signal(signal.SIGINT), proc.terminate, proc.kill):
        if proc.poll() is not None:
            return
        stop()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass


class PageUser:
    """One member on the page, through gradio_client and the page's `/ask` event (the queue included)."""

    def __init__(self, url: str, timeout: float):
        from gradio_client import Client

        self.client = Client(url, verbose=False)
        self.timeout = timeout

    def ask(self, question: str) -> str | None:
        job = self.client.submit(question, "extractive", [], api_name="/ask")
        chat = job.result(timeout=self.timeout)[0]  # the chat first; the page's other outputs follow it
        reply = chat[-1]["content"] if chat else ""
        if isinstance(reply, dict | list):  # a gradio version that wraps message content
            reply = json.dumps(reply)
        return None if "rr-answer" in reply else f"no answer for {question[:60]!r}: {str(reply)[:120]!r}"

    def close(self) -> None:
        self.client.close()


class ApiClient:
    """One service calling `POST /api/ask` with an HTTP client that keeps its connection."""

    def __init__(self, url: str, timeout: float):
        import httpx

        self.client = httpx.Client(base_url=url, timeout=timeout)

    def ask(self, question: str) -> str | None:
        r = self.client.post("/api/ask", json={"question": question})
        body = r.json()
        if r.status_code != 200 or not (body.get("citations") or body.get("abstained")):
            return f"HTTP {r.status_code} for {question[:60]!r}: {r.text[:120]!r}"
        return None

    def close(self) -> None:
        self.client.close()


def client_loop(make, url: str, questions: list[str], offset: int, deadline: float, max_requests: int,
                timeout: float, tally: Tally) -> None:
    try:
        user = make(url, timeout)
    except Exception as exc:  # noqa: BLE001 - counted, not raised: the report is the point
        with tally.lock:
            tally.errors.append(f"connect: {type(exc).__name__}: {exc}")
        return
    i = offset
    try:
        while time.monotonic() < deadline:
            with tally.lock:
                if tally.sent >= max_requests:
                    return
                tally.sent += 1
            question = questions[i % len(questions)]
            i += 1
            t0 = time.perf_counter()
            try:
                why = user.ask(question)
            except Exception as exc:  # noqa: BLE001 - counted, not raised
                why = f"{type(exc).__name__}: {str(exc)[:160]}"
            elapsed = time.perf_counter() - t0
            with tally.lock:
                tally.latencies.append(elapsed)
                if why is not None:
                    tally.errors.append(why)
    finally:
        user.close()


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_load(target: str = "page", clients: int = 8, seconds: float = 60.0, max_requests: int = 5000,
             timeout: float = 60.0, gold: Path = ROOT / "evals" / "gold.jsonl", quiet: bool = False) -> dict:
    """Start ui.py, run the load, stop it; the measurements as a dict (bench/run.py prints them in its table)."""
    questions = gold_questions(gold)
    if not questions:
        raise ValueError(f"no questions in {gold}")
    port = free_port()
    url = f"http://{HOST}:{port}/"
    log_path = ROOT / "bench" / "results" / "load_ui-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    proc = start_server(port, log_path)
    try:
        startup = wait_until_up(proc, url, log_path)
        if not quiet:
            print(f"ui.py up on {url} after {startup:.1f} s; {clients} {target} clients for {seconds:.0f} s, "
                  f"{len(questions)} gold questions, extractive mode; the load generator runs on the same "
                  f"{os.cpu_count()} cores", flush=True)
        make = PageUser if target == "page" else ApiClient
        tally = Tally()
        t0 = time.monotonic()
        deadline = t0 + seconds
        threads = [threading.Thread(target=client_loop, daemon=True,
                                    args=(make, url, questions, n * 17, deadline, max_requests, timeout, tally))
                   for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + timeout + 30)
        wall = time.monotonic() - t0
    finally:
        stop_server(proc)
    lat = sorted(tally.latencies)
    served = len(lat) - len([e for e in tally.errors if not e.startswith("connect:")])
    return {
        "target": target, "clients": clients, "seconds": round(wall, 1), "startup_s": round(startup, 2),
        "sent": len(lat), "served": served, "per_second": round(served / wall, 1), "errors": len(tally.errors),
        "first_errors": list(dict.fromkeys(tally.errors))[:5],
        "p50_s": percentile(lat, 50) if lat else None, "p95_s": percentile(lat, 95) if lat else None,
        "max_s": lat[-1] if lat else None, "server_exit": proc.returncode,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent users (default 8)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to send questions (default 60)")
    parser.add_argument("--max-requests", type=int, default=5000, help="stop after this many questions in all")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one answer may take before it is an error")
    parser.add_argument("--gold", type=Path, default=ROOT / "evals" / "gold.jsonl")
    parser.add_argument("--target", choices=["page", "api"], default="page",
                        help="page: members through the chat page's queue; api: services calling POST /api/ask")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 0 < args.seconds <= 600:
        parser.error("--clients must be 1..64 and --seconds 0..600")
    try:
        r = run_load(args.target, args.clients, args.seconds, args.max_requests, args.timeout, args.gold)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"requests sent:   {r['sent']}")
    print(f"requests served: {r['served']} ({r['per_second']}/s over {r['seconds']} s)")
    print(f"errors:          {r['errors']}")
    for err in r["first_errors"]:
        print(f"  {err}")
    if r["p50_s"] is not None:
        print(f"latency p50:     {r['p50_s']:.3f} s")
        print(f"latency p95:     {r['p95_s']:.3f} s")
        print(f"latency max:     {r['max_s']:.3f} s")
    print(f"server stopped (exit code {r['server_exit']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
