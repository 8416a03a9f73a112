"""An OpenAI-compatible fake on 127.0.0.1: `POST /v1/chat/completions` with scriptable behaviours.

The real `openai` client talks to it through `base_url`, so its retries, timeouts and structured-output
parsing run for real. Each call takes the next scripted behaviour (then the default one):

    with FakeOpenAI() as fake:
        fake.script(RateLimited(retry_after=0.01), Success())
        client = openai.OpenAI(api_key="sk-fake", base_url=fake.base_url)

Every request is recorded (JSON body and headers) for assertions.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VALID_ANALYSIS: dict[str, Any] = {
    "impact_score": 82,
    "reasoning": "Revenue of $25,000 against a $20,000 target is a strong, measured business result.",
    "skills": {
        "technical_skills": ["Python", "Prometheus"],
        "soft_skills": ["Ownership"],
        "transferable_skills": ["Data Analysis"],
        "skill_level": "Senior",
    },
    "career_implications": {
        "suitable_roles": ["Staff Engineer", "Engineering Manager"],
        "salary_range": {"min": 150000, "max": 210000, "currency": "USD"},
        "career_level": "Senior+",
        "advancement_potential": "High",
    },
    "market_relevance": {
        "industry_demand": "Very High",
        "future_relevance": "5+ years",
        "uniqueness": "Above typical results",
        "competitive_advantage": "Strong differentiator",
    },
    "strengths": ["Business impact", "Measured results"],
    "next_steps": ["Write a case study"],
    "market_value": "High demand - $150k-$210k range",
}


@dataclass(frozen=True)
class Success:
    """200 with `content` (default: a valid analysis) as the assistant message."""

    content: dict[str, Any] | str | None = None
    prompt_tokens: int = 420
    completion_tokens: int = 180


@dataclass(frozen=True)
class RateLimited:
    """429 with Retry-After (seconds)."""

    retry_after: float = 0.01


@dataclass(frozen=True)
class ServerError:
    status: int = 500


@dataclass(frozen=True)
class Slow:
    """Answer (successfully) only after `seconds`: longer than the client's timeout, it is a timeout."""

    seconds: float = 5.0


@dataclass(frozen=True)
class Malformed:
    """200 whose message content is not JSON of the schema (by default not JSON at all)."""

    content: str = '{"impact_score": 90, "reasoning": "cut off'


@dataclass(frozen=True)
class Refusal:
    text: str = "I'm sorry, I can't help with that request."


Behaviour = Success | RateLimited | ServerError | Slow | Malformed | Refusal


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeOpenAI:
    """The fake server; `latency` delays every answer (the benchmark's per-call latency L)."""

    default: Behaviour = field(default_factory=Success)
    latency: float = 0.0
    requests: list[Recorded] = field(default_factory=list)
    _script: deque[Behaviour] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    # ---- control -----------------------------------------------------------------------------------

    def script(self, *behaviours: Behaviour) -> FakeOpenAI:
        with self._lock:
            self._script.extend(behaviours)
        return self

    def _next(self, body: dict[str, Any], path: str, headers: dict[str, str]) -> Behaviour:
        with self._lock:
            self.requests.append(Recorded(path, headers, body))
            return self._script.popleft() if self._script else self.default

    @property
    def calls(self) -> int:
        with self._lock:
            return len(self.requests)

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeOpenAI:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-openai", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes Slow/latency sleepers
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        if self.thread is not None:
            self.thread.join(timeout=5)
            self.thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # ---- answers -----------------------------------------------------------------------------------

    def _completion(self, body: dict[str, Any], message: dict[str, Any], usage: tuple[int, int]) -> dict[str, Any]:
        prompt, completion = usage
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": f"{body.get('model', 'unknown')}-fake-2025-01-01",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }

    def answer(self, behaviour: Behaviour, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        """(status, headers, JSON body) of one behaviour."""
        if isinstance(behaviour, RateLimited):
            error = {"message": "Rate limit reached for requests", "type": "requests", "code": "rate_limit_exceeded"}
            return 429, {"retry-after": str(behaviour.retry_after)}, {"error": error}
        if isinstance(behaviour, ServerError):
            return behaviour.status, {}, {"error": {"message": "The server had an error", "type": "server_error"}}
        if isinstance(behaviour, Refusal):
            message = {"role": "assistant", "content": None, "refusal": behaviour.text}
            return 200, {}, self._completion(body, message, (300, 12))
        if isinstance(behaviour, Malformed):
            message = {"role": "assistant", "content": behaviour.content, "refusal": None}
            return 200, {}, self._completion(body, message, (300, 40))
        success = behaviour if isinstance(behaviour, Success) else Success()
        content = success.content if success.content is not None else VALID_ANALYSIS
        text = content if isinstance(content, str) else json.dumps(content)
        message = {"role": "assistant", "content": text, "refusal": None}
        return 200, {}, self._completion(body, message, (success.prompt_tokens, success.completion_tokens))

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def _send(self, status: int, headers: dict[str, str], payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout): nothing to answer

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {}, {"error": {"message": f"no route {self.path}"}})
                    return
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    self._send(400, {}, {"error": {"message": "request body is not JSON"}})
                    return
                behaviour = fake._next(body, self.path, {k.lower(): v for k, v in self.headers.items()})
                delay = fake.latency + (behaviour.seconds if isinstance(behaviour, Slow) else 0.0)
                if delay and fake._stopping.wait(delay):
                    return
                self._send(*fake.answer(behaviour, body))

        return Handler
