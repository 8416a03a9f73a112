"""A tiny exporter of the Threads-Agent metrics on loopback, for a real Prometheus to scrape.

Gauges (engagement, revenue, cost per follow), counters (posts generated, HTTP requests by status) and
histograms (content generation latency, HTTP request duration). Every scrape of /metrics counts as a
period of traffic: each histogram observes its current latency `observations_per_scrape` times and
`requests_per_scrape` requests are counted (a share `error_ratio` of them as 500s), so `rate()` and
`histogram_quantile()` have something to work on.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from devstack.dynamodb_local import free_port
from devstack.loopback import serve, shutdown

BUCKETS = (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 5.0, 10.0)
GAUGES = ("posts_engagement_rate", "revenue_projection_monthly", "cost_per_follow_dollars")
HISTOGRAMS = ("content_generation_latency_seconds", "http_request_duration_seconds")


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


@dataclass
class Histogram:
    buckets: tuple[float, ...] = BUCKETS
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, value: float, times: int = 1) -> None:
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[index] += times
        self.total += value * times
        self.count += times

    def lines(self, name: str) -> list[str]:
        rows = [f'{name}_bucket{{le="{_number(b)}"}} {c}' for b, c in zip(self.buckets, self.counts, strict=True)]
        rows.append(f'{name}_bucket{{le="+Inf"}} {self.count}')
        rows.append(f"{name}_sum {_number(self.total)}")
        rows.append(f"{name}_count {self.count}")
        return rows


@dataclass
class ThreadsAgentExporter:
    """Serves /metrics on 127.0.0.1; change what it reports with `set` and `omit`, from any thread."""

    port: int = field(default_factory=free_port)
    persona: str = "ai-jesus"
    gauges: dict[str, float] = field(
        default_factory=lambda: {
            "posts_engagement_rate": 0.078,
            "revenue_projection_monthly": 22500.0,
            "cost_per_follow_dollars": 0.008,
        }
    )
    latencies: dict[str, float] = field(
        default_factory=lambda: {"content_generation_latency_seconds": 1.2, "http_request_duration_seconds": 0.3}
    )
    posts_generated_total: float = 150.0
    error_ratio: float = 0.005
    requests_per_scrape: int = 1000
    observations_per_scrape: int = 10
    omitted: set[str] = field(default_factory=set)
    scrapes: int = 0
    _histograms: dict[str, Histogram] = field(default_factory=lambda: {name: Histogram() for name in HISTOGRAMS})
    _requests: dict[str, float] = field(default_factory=lambda: {"200": 0.0, "500": 0.0})
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def set(self, name: str, value: float) -> None:
        with self._lock:
            if name in self.gauges:
                self.gauges[name] = value
            elif name in self.latencies:
                self.latencies[name] = value
            elif name == "posts_generated_total":
                self.posts_generated_total = value
            elif name == "error_ratio":
                self.error_ratio = value
            else:
                raise KeyError(name)

    def omit(self, *names: str) -> None:
        """Stop exporting these metrics (a metric missing from the Threads-Agent)."""
        with self._lock:
            self.omitted.update(names)

    def render(self) -> str:
        """The exposition of one scrape (and the traffic it stands for)."""
        with self._lock:
            self.scrapes += 1
            for name, histogram in self._histograms.items():
                histogram.observe(self.latencies[name], self.observations_per_scrape)
            errors = self.requests_per_scrape * self.error_ratio
            self._requests["500"] += errors
            self._requests["200"] += self.requests_per_scrape - errors
            persona = f'persona_id="{self.persona}"'
            lines: list[str] = []
            for name, value in self.gauges.items():
                if name not in self.omitted:
                    lines += [f"# TYPE {name} gauge", f"{name}{{{persona}}} {_number(value)}"]
            if "posts_generated_total" not in self.omitted:
                lines += [
                    "# TYPE posts_generated_total counter",
                    f"posts_generated_total{{{persona}}} {_number(self.posts_generated_total)}",
                ]
            if "http_requests_total" not in self.omitted:
                lines.append("# TYPE http_requests_total counter")
                lines += [f'http_requests_total{{status="{s}"}} {_number(n)}' for s, n in self._requests.items()]
            for name, histogram in self._histograms.items():
                if name not in self.omitted:
                    lines += [f"# TYPE {name} histogram", *histogram.lines(name)]
            return "\n".join(lines) + "\n"

    def start(self) -> ThreadsAgentExporter:
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404)
                    return
                body = exporter.render().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self._server = serve(Handler, self.port, "threads-exporter")
        return self

    def stop(self) -> None:
        if self._server is not None:
            shutdown(self._server)
            self._server = None

    def __enter__(self) -> ThreadsAgentExporter:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
