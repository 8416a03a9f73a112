"""A loopback stand-in for a slow or protected Prometheus: every API request is answered after `delay` s.

With `upstream` it is a proxy in front of a real Prometheus (forwarding the query and its answer);
without, it is a fake answering each instant query with `values[query]` (or `default_value`) and each
range query with that value at every step. With `bearer_token` set it answers 401 to any request not
carrying it, as an authenticating reverse proxy in front of Prometheus does. It records the peak
number of requests in flight, so a test or benchmark can see that queries really ran side by side.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from devstack.dynamodb_local import free_port
from devstack.loopback import serve, shutdown


@dataclass
class SlowPrometheus:
    delay: float = 0.0
    upstream: str | None = None
    values: dict[str, float] = field(default_factory=dict)
    default_value: float = 1.0
    bearer_token: str | None = None
    port: int = field(default_factory=free_port)
    requests: int = 0
    peak_in_flight: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answer(self, path: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, bytes]:
        if self.bearer_token is not None and headers.get("authorization") != f"Bearer {self.bearer_token}":
            return 401, b"Unauthorized\n"
        if self.upstream is not None:
            forwarded = {key: value for key, value in headers.items() if key == "authorization"}
            answer = httpx.get(self.upstream + path, params=params, headers=forwarded, timeout=30)
            return answer.status_code, answer.content
        if path == "/api/v1/query":
            value = self.values.get(params.get("query", ""), self.default_value)
            at = float(params.get("time", time.time()))
            data: dict[str, Any] = {"resultType": "vector", "result": [{"metric": {}, "value": [at, repr(value)]}]}
        elif path == "/api/v1/query_range":
            value = self.values.get(params.get("query", ""), self.default_value)
            start, end = float(params["start"]), float(params["end"])
            step = float(params["step"].rstrip("s"))
            points = [[start + i * step, repr(value)] for i in range(int((end - start) // step) + 1)]
            data = {"resultType": "matrix", "result": [{"metric": {}, "values": points}]}
        else:
            return 404, b"404 page not found\n"
        return 200, json.dumps({"status": "success", "data": data}).encode()

    def start(self) -> SlowPrometheus:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with fake._lock:
                    fake.requests += 1
                    fake._in_flight += 1
                    fake.peak_in_flight = max(fake.peak_in_flight, fake._in_flight)
                try:
                    time.sleep(fake.delay)
                    split = urlsplit(self.path)
                    params = {key: values[-1] for key, values in parse_qs(split.query).items()}
                    headers = {key.lower(): value for key, value in self.headers.items()}
                    status, body = fake._answer(split.path, params, headers)
                finally:
                    with fake._lock:
                        fake._in_flight -= 1
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if status == 200 else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self._server = serve(Handler, self.port, "slow-prometheus")
        return self

    def stop(self) -> None:
        if self._server is not None:
            shutdown(self._server)
            self._server = None

    def __enter__(self) -> SlowPrometheus:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
