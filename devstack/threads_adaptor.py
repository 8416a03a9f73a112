"""A demo Threads-Agent threads-adaptor on loopback, speaking exactly its HTTP contract (SPEC §7).

    GET /posts?persona_id=&limit=50   newest first; content = the first 100 characters + "..." when longer
    GET /engagement/{thread_id}      the post's counters; unknown id -> 404 {"detail": "Post not found"}
    GET /health                      {"status": "ok"}

engagement_rate is (likes + comments + shares) / impressions, as the adaptor computes it. Tests steer it
from any thread: `add`/`grow` posts, `answer` a path with a given status and raw body, `delay` a path
(or every call), and read `calls` (path, query, Authorization header) to see what the sync asked.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from devstack.dynamodb_local import free_port
from devstack.loopback import serve, shutdown

PREVIEW_CHARS = 100


@dataclass
class AdaptorPostRecord:
    thread_id: str
    persona_id: str
    content: str
    published_at: datetime  # naive, UTC (the adaptor's own format)
    impressions: int
    likes: int
    comments: int
    shares: int

    @property
    def engagement_rate(self) -> float:
        return (self.likes + self.comments + self.shares) / self.impressions if self.impressions else 0.0

    def listed(self) -> dict[str, Any]:
        content = self.content if len(self.content) <= PREVIEW_CHARS else self.content[:PREVIEW_CHARS] + "..."
        return {
            "thread_id": self.thread_id,
            "persona_id": self.persona_id,
            "content": content,
            "engagement_rate": self.engagement_rate,
            "likes_count": self.likes,
            "comments_count": self.comments,
            "published_at": self.published_at.isoformat(),
        }

    def engagement(self) -> dict[str, Any]:
        return {
            "thread_id": self.thread_id,
            "persona_id": self.persona_id,
            "engagement_rate": self.engagement_rate,
            "likes_count": self.likes,
            "comments_count": self.comments,
            "shares_count": self.shares,
            "impressions_count": self.impressions,
            "published_at": self.published_at.isoformat(),
            "updated_at": datetime.now(UTC).replace(tzinfo=None).isoformat(),
        }


def demo_posts(now: datetime | None = None) -> list[AdaptorPostRecord]:
    """Two personas, five posts: three viral (>= 6%), two not."""
    start = (now or datetime(2025, 1, 25, 16, 30)).replace(tzinfo=None)

    def at(hours: int) -> datetime:
        return start - timedelta(hours=hours)

    return [
        AdaptorPostRecord(
            "demo-thread-1",
            "ai-jesus",
            "AI will revolutionize everything\nHere is why the next decade of software belongs to the people who "
            "learn to work alongside their models, not against them.",
            at(2),
            10000,
            650,
            50,
            100,
        ),
        AdaptorPostRecord("demo-thread-2", "ai-jesus", "Monday thoughts on focus", at(5), 8000, 150, 20, 10),
        AdaptorPostRecord(
            "demo-thread-3",
            "ai-elon",
            "Ship it on Friday?\nA short thread on release habits.",
            at(8),
            5000,
            300,
            40,
            60,
        ),
        AdaptorPostRecord("demo-thread-4", "ai-elon", "Coffee first.", at(12), 4000, 100, 10, 5),
        AdaptorPostRecord(
            "demo-thread-5", "ai-jesus", "The one habit that doubled my output", at(30), 20000, 1500, 200, 300
        ),
    ]


@dataclass
class ThreadsAdaptor:
    """Serves the adaptor's routes on 127.0.0.1 from `posts`; change them with the methods, from any thread."""

    port: int = field(default_factory=free_port)
    posts: list[AdaptorPostRecord] = field(default_factory=demo_posts)
    delay: float = 0.0  # seconds before answering any call
    delays: dict[str, float] = field(default_factory=dict)  # path -> seconds (overrides `delay`)
    answers: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # path -> (status, raw JSON body)
    calls: list[tuple[str, dict[str, list[str]], str | None]] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0  # the most calls served at once (the sync's concurrency, seen from here)
    last_answered_at: float = 0.0  # time.monotonic() when the last answer was sent
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, post: AdaptorPostRecord) -> None:
        with self._lock:
            self.posts.append(post)

    def grow(self, thread_id: str, **counters: int) -> None:
        """Add to a post's counters (impressions, likes, comments, shares)."""
        with self._lock:
            post = next(p for p in self.posts if p.thread_id == thread_id)
            for name, more in counters.items():
                setattr(post, name, getattr(post, name) + more)

    def answer(self, path: str, status: int, body: Any) -> None:
        """Answer `path` with `status` and `body` (bytes as they are, anything else as JSON)."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        with self._lock:
            self.answers[path] = (status, raw)

    def calls_to(self, prefix: str) -> list[tuple[str, dict[str, list[str]], str | None]]:
        with self._lock:
            return [call for call in self.calls if call[0].startswith(prefix)]

    def respond(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes]:
        with self._lock:
            if path in self.answers:
                return self.answers[path]
            posts = sorted(self.posts, key=lambda p: p.published_at, reverse=True)
        if path == "/health":
            return 200, b'{"status": "ok"}'
        if path == "/posts":
            persona = query["persona_id"][0] if query.get("persona_id") else None
            try:
                limit = int((query.get("limit") or ["50"])[0])
            except ValueError:
                return 422, b'{"detail": "limit must be an integer"}'
            chosen = [p.listed() for p in posts if persona is None or p.persona_id == persona][:limit]
            return 200, json.dumps(chosen).encode()
        if path.startswith("/engagement/"):
            thread_id = unquote(path.removeprefix("/engagement/"))
            found = next((p for p in posts if p.thread_id == thread_id), None)
            if found is None:
                return 404, b'{"detail": "Post not found"}'
            return 200, json.dumps(found.engagement()).encode()
        return 404, b'{"detail": "Not Found"}'

    def start(self) -> ThreadsAdaptor:
        adaptor = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                with adaptor._lock:
                    adaptor.calls.append((parts.path, query, self.headers.get("Authorization")))
                    pause = adaptor.delays.get(parts.path, adaptor.delay)
                    adaptor.in_flight += 1
                    adaptor.peak_in_flight = max(adaptor.peak_in_flight, adaptor.in_flight)
                try:
                    if pause:
                        time.sleep(pause)
                    status, body = adaptor.respond(parts.path, query)
                finally:
                    with adaptor._lock:
                        adaptor.in_flight -= 1
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    adaptor.last_answered_at = time.monotonic()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout): nothing to answer

            def log_message(self, *_: object) -> None:
                pass

        self._server = serve(Handler, self.port, "threads-adaptor")
        return self

    def stop(self) -> None:
        if self._server is not None:
            shutdown(self._server)
            self._server = None

    def __enter__(self) -> ThreadsAdaptor:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def main() -> None:
    """`python -m devstack.threads_adaptor`: the demo threads-adaptor on 127.0.0.1, until Ctrl-C."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(prog="python -m devstack.threads_adaptor", description=main.__doc__)
    parser.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default 8001)")
    args = parser.parse_args()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    with ThreadsAdaptor(port=args.port) as adaptor:
        print(f"  threads-adaptor  {adaptor.url}   (GET /posts, /engagement/{{thread_id}}, /health)", flush=True)
        stopping.wait()


if __name__ == "__main__":
    main()
