"""An in-process Prometheus for unit tests (httpx.MockTransport) and a scraper wired to moto tables."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from achievements.core.metrics import CATALOGUE
from achievements.prometheus.client import PrometheusClient
from achievements.prometheus.drafts import MetricOverride
from achievements.prometheus.service import PrometheusScraper
from achievements.prometheus.settings import PrometheusSettings
from achievements.prometheus.state import MetricStateStore
from achievements.store import AchievementStore

AT = datetime(2025, 1, 25, 16, 30, tzinfo=UTC)
# Values that meet no threshold: a scrape of them creates nothing (tests set the ones they need).
QUIET: dict[str, Any] = {
    "posts_engagement_rate": 0.05,
    "revenue_projection_monthly": 15000.0,
    "cost_per_follow_dollars": 0.02,
    "content_generation_latency_seconds": 2.5,
    "posts_generated_total": 40.0,
    "http_request_duration_seconds": 0.8,
    "error_rate": 0.03,
    "uptime": 0.99,
}

# What a metric can answer: a number, a raw Prometheus value string ("NaN"), an httpx.Response, or an
# exception class to raise (httpx.ConnectError, httpx.ReadTimeout).
Answer = Any


def _vector(value: str) -> dict[str, Any]:
    return {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [0, value]}]}}


@dataclass
class FakePrometheus:
    """Answers each catalogue metric's default query from `answers` (by metric name); others: no series."""

    answers: dict[str, Answer] = field(default_factory=lambda: dict(QUIET))
    history: dict[str, Answer] = field(default_factory=dict)  # metric -> list of values, or an Answer
    queries: dict[str, str] = field(default_factory=lambda: {spec.query: name for name, spec in CATALOGUE.items()})
    requests: list[httpx.Request] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, **answers: Answer) -> None:
        self.answers.update(answers)

    def _respond(self, answer: Answer, request: httpx.Request, render: Callable[[Any], dict[str, Any]]) -> Any:
        if isinstance(answer, httpx.Response):
            return answer
        if isinstance(answer, type) and issubclass(answer, Exception):
            raise answer("fake failure", request=request)  # type: ignore[call-arg]
        return httpx.Response(200, json=render(answer))

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
        name = self.queries.get(request.url.params.get("query", ""))
        if request.url.path.endswith("/query_range"):
            series = self.history.get(name or "", [])

            def matrix(values: list[float]) -> dict[str, Any]:
                points = [[n, repr(float(v))] for n, v in enumerate(values)]
                result = [{"metric": {}, "values": points}] if points else []
                return {"status": "success", "data": {"resultType": "matrix", "result": result}}

            return self._respond(series, request, matrix)
        if name is None or name not in self.answers:
            return httpx.Response(200, json={"status": "success", "data": {"resultType": "vector", "result": []}})
        answer = self.answers[name]
        return self._respond(answer, request, lambda v: _vector(v if isinstance(v, str) else repr(float(v))))

    def client(self, timeout: float = 2.0) -> PrometheusClient:
        return PrometheusClient("http://prometheus:9090", timeout, transport=httpx.MockTransport(self.handle))


class Clock:
    """A settable clock: each scrape of a test happens at a known, later time."""

    def __init__(self, start: datetime = AT) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


def make_scraper(
    client: Any,
    table: str,
    fake: FakePrometheus,
    settings: PrometheusSettings | None = None,
    overrides: dict[str, MetricOverride] | None = None,
    auth: httpx.Auth | None = None,
    clock: Callable[[], datetime] | None = None,
) -> PrometheusScraper:
    return PrometheusScraper(
        settings or PrometheusSettings(),
        fake.client(),
        AchievementStore(table, client=client),
        MetricStateStore(table, client=client),
        load_overrides=lambda _settings: dict(overrides or {}),
        load_auth=lambda _settings: auth,
        clock=clock or Clock(),
    )
