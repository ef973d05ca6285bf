"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol.

It answers from the passages it is sent, the way a well-behaved model would:
it finds the first numbered passage with a sentence stating a number and
echoes that sentence with the passage's citation marker. The first path
segment picks a behaviour, so one server covers every failure:
`http://127.0.0.1:PORT/<behaviour>/v1`.

Behaviours: ok, invent (a figure no passage states), sleep (longer than any
client timeout), error500, malformed (a 200 whose body is not JSON),
empty (a completion with empty content), emptybody (a 200 with no body),
trickle (a body or stream that never ends).
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BEHAVIOURS = ("ok", "invent", "sleep", "error500", "malformed", "empty", "emptybody", "trickle")
INVENTED = "The NHS needs £99 billion next year [1]."

_PASSAGE = re.compile(r"^\[(\d+)\] (.*?)(?=^\[\d+\] |\n\s*Question:|\Z)", re.S | re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"‘(])")


def passages_in(messages: list[dict]) -> dict[int, str]:
    """The numbered passages in the last user message: {n: text}."""
    user = [m for m in messages if m.get("role") == "user"]
    content = user[-1].get("content", "") if user else ""
    if isinstance(content, list):  # content parts
        content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return {int(n): " ".join(t.split()) for n, t in _PASSAGE.findall(content)}


def reply_for(messages: list[dict]) -> str:
    """One sentence copied from the first passage that states a number, cited; or a refusal."""
    passages = passages_in(messages)
    for n, text in sorted(passages.items()):
        for sent in _SENTENCE_END.split(text):
            if re.search(r"\d", sent):
                return f"{sent.rstrip(' .')} [{n}]."
    return "The passages do not say."


class _Handler(BaseHTTPRequestHandler):
    server: OpenAIStub

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        parts = self.path.strip("/").split("/")
        behaviour = parts[0] if parts and parts[0] in BEHAVIOURS else "ok"
        if not self.path.endswith("/chat/completions"):
            self._send(404, b'{"error": {"message": "not found"}}')
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        self.server.requests.append({"behaviour": behaviour, "path": self.path, "body": body})
        stream = bool(body.get("stream"))
        text = INVENTED if behaviour == "invent" else reply_for(body.get("messages", []))
        stop = self.server.stopping

        if behaviour == "sleep":
            stop.wait(60)  # far longer than the client's timeout; ends when the server stops
            if stop.is_set():
                return
        if behaviour == "error500":
            self._send(500, b'{"error": {"message": "internal error", "type": "server_error"}}')
            return
        if behaviour == "malformed":
            self._send(200, b'{"choices": [ this is not JSON')
            return
        if behaviour == "emptybody":
            self._send(200, b"")
            return
        if behaviour == "empty":
            text = ""
        if behaviour == "trickle":
            self._trickle(stream)
            return
        if stream:
            self._stream(text)
        else:
            self._send(200, json.dumps(_completion(text)).encode())

    def _send(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _event(self, obj: object) -> None:
        data = obj if isinstance(obj, str) else json.dumps(obj)
        self.wfile.write(f"data: {data}\n\n".encode())
        self.wfile.flush()

    def _stream(self, text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self._event(_chunk({"role": "assistant", "content": ""}))
        for piece in re.findall(r"\S+\s*", text):
            self._event(_chunk({"content": piece}))
        self._event(_chunk({}, finish="stop"))
        self._event("[DONE]")

    def _trickle(self, stream: bool) -> None:
        """Send a little every 0.3 s, forever: each read succeeds, so only a total bound ends it."""
        self.send_response(200)
        if stream:
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
        else:
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(10**9))
            self.end_headers()
        try:
            while not self.server.stopping.wait(0.3):
                if stream:
                    self._event(_chunk({"content": "and "}))
                else:
                    self.wfile.write(b" ")
                    self.wfile.flush()
        except OSError:  # the client gave up and closed the connection
            pass


def _completion(text: str) -> dict:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "test",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(delta: dict, finish: str | None = None) -> dict:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "test",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


class OpenAIStub(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping must not keep the test process alive

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, behaviour: str = "ok") -> str:
        return f"http://127.0.0.1:{self.port}/{behaviour}/v1"

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()  # wakes sleeping and trickling handlers
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
