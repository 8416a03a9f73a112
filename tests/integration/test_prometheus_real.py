"""The scrape against a real Prometheus (Debian's 2.42 on loopback) scraping a Threads-Agent exporter.

DynamoDB Local holds the state and achievements; faults come from the real Prometheus (missing metrics,
NaN, bad PromQL, many series), from nothing listening (down) and from a delaying proxy (slow).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from achievements.core.http_auth import BearerAuth
from achievements.core.metrics import CATALOGUE
from achievements.prometheus.client import PrometheusClient
from achievements.prometheus.drafts import parse_overrides
from achievements.prometheus.models import ScrapeOutcome, ScrapeTrigger
from achievements.prometheus.service import PrometheusScraper
from achievements.prometheus.settings import PrometheusSettings
from achievements.prometheus.state import MetricStateStore
from achievements.store import AchievementStore
from achievements.store.codec import from_item
from devstack.dynamodb_local import free_port
from devstack.prometheus import PrometheusServer, openmetrics
from devstack.slow_prometheus import SlowPrometheus
from devstack.threads_exporter import ThreadsAgentExporter
from tests.conftest import Tables

pytestmark = pytest.mark.integration
MANUAL = ScrapeTrigger.MANUAL
# histogram_quantile(0.95) of observations all in one bucket interpolates inside it: lower + width * 0.95
LATENCY_P95 = 1.0 + (1.5 - 1.0) * 0.95  # 1.2 s falls in (1.0, 1.5]
HTTP_P95 = 0.25 + (0.5 - 0.25) * 0.95  # 0.3 s falls in (0.25, 0.5]
EXPECTED = {
    "posts_engagement_rate": 0.078,
    "revenue_projection_monthly": 22500.0,
    "cost_per_follow_dollars": 0.008,
    "content_generation_latency_seconds": LATENCY_P95,
    "posts_generated_total": 150.0,
    "http_request_duration_seconds": HTTP_P95,
    "error_rate": 0.005,
    "uptime": 1.0,
}
PASSWORD = "s3cret"
PASSWORD_BCRYPT = "$2b$04$4YU6y9ip..kwIlJYZu0JhuDuMitrA2JM5E/eIro666Dpct9XOj6vO"


def every_query_answers(prometheus: PrometheusServer, names: list[str], auth: httpx.Auth | None = None) -> None:
    for name in names:
        prometheus.wait_for(CATALOGUE[name].query, timeout=60, auth=auth)


def wait_for_value(prometheus: PrometheusServer, name: str, value: float) -> None:
    prometheus.wait_for(
        CATALOGUE[name].query,
        lambda result: bool(result) and math.isclose(float(result[0]["value"][1]), value),
        timeout=30,
    )


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[ThreadsAgentExporter, PrometheusServer]]:
    with ThreadsAgentExporter() as exporter, PrometheusServer(targets=[exporter.target]) as prometheus:
        every_query_answers(prometheus, list(CATALOGUE))
        yield exporter, prometheus


def scraper_for(
    url: str, tables: Tables, timeout: float = 5.0, overrides: str = "", auth: httpx.Auth | None = None, **env: Any
) -> PrometheusScraper:
    return PrometheusScraper(
        PrometheusSettings(PROMETHEUS_URL=url, PROMETHEUS_TIMEOUT_SECONDS=timeout, **env),  # type: ignore[arg-type]
        PrometheusClient(url, timeout),
        AchievementStore(tables.achievements, client=tables.client),
        MetricStateStore(tables.achievements, client=tables.client),
        load_overrides=lambda _settings: parse_overrides(overrides, "test overrides"),
        load_auth=lambda _settings: auth,
    )


def stored(tables: Tables) -> dict[str, dict[str, Any]]:
    """Achievements by source_ref."""
    return {item["source_ref"]: item for item in map(from_item, tables.achievement_items())}


# ---- a healthy Prometheus --------------------------------------------------------------------------


def test_scrape_of_a_real_prometheus_creates_each_achievement_and_a_rerun_is_a_noop(live, local_tables) -> None:
    # Given Prometheus scraping the Threads-Agent exporter (every KPI past its threshold)
    _, prometheus = live
    scraper = scraper_for(prometheus.url, local_tables)

    # When the scrape runs
    report = scraper.scrape(MANUAL)

    # Then every value is what PromQL computes from the exporter, and each KPI made its achievement
    assert report.outcome is ScrapeOutcome.SUCCEEDED, report.errors
    assert report.values == pytest.approx(EXPECTED)
    assert sorted(stored(local_tables)) == sorted(
        [f"{name}:improvement:0" for name in CATALOGUE if name != "posts_generated_total"]
        + ["posts_generated_total:milestone:100"]
    )
    latency = stored(local_tables)["content_generation_latency_seconds:improvement:0"]
    assert latency["title"] == "KPI Achievement: Content Generation Latency Seconds"
    assert latency["description"] == "Reduced Content Generation Latency Seconds target: 1.475s (target: 2.0s)"
    assert latency["impact"] == "Optimized generation to 1.475s, 26.3% faster - enhancing user experience"
    assert latency["source"] == "prometheus"

    # When it runs again with Prometheus unchanged
    again = scraper.scrape(MANUAL)

    # Then nothing new is written
    assert again.achievements == []
    assert len(local_tables.achievement_items()) == 8


def test_a_better_value_later_is_a_new_achievement_against_the_previous_one(live, local_tables) -> None:
    exporter, prometheus = live
    scraper = scraper_for(prometheus.url, local_tables)
    scraper.scrape(MANUAL, only=["posts_engagement_rate"])
    try:
        # Given engagement rose from 7.8% to 9% (15.4% better) and Prometheus scraped it
        exporter.set("posts_engagement_rate", 0.09)
        wait_for_value(prometheus, "posts_engagement_rate", 0.09)

        # When the scrape runs again
        report = scraper.scrape(MANUAL, only=["posts_engagement_rate"])
    finally:
        exporter.set("posts_engagement_rate", 0.078)
        wait_for_value(prometheus, "posts_engagement_rate", 0.078)

    # Then a second engagement achievement, measured against the previous value
    assert [(a.metric_name, a.status.value) for a in report.achievements] == [("posts_engagement_rate", "created")]
    second = stored(local_tables)["posts_engagement_rate:improvement:1"]
    assert second["metrics"]["previous_value"] == 0.078
    assert second["metrics"]["improvement_percentage"] == 15.4


def test_schedule_and_manual_scrapes_at_once_create_each_achievement_once(live, local_tables) -> None:
    # Given a scheduled and a manual scrape started at the same instant, three times over
    _, prometheus = live
    scheduled, manual = scraper_for(prometheus.url, local_tables), scraper_for(prometheus.url, local_tables)
    reports: list[Any] = []
    # When each round releases both scrapes on their own threads through a barrier and waits for them
    for _ in range(3):
        start = threading.Barrier(2, timeout=30)

        def run(scraper: PrometheusScraper, trigger: ScrapeTrigger, start: threading.Barrier = start) -> None:
            start.wait()
            reports.append(scraper.scrape(trigger))

        threads = [
            threading.Thread(target=run, args=(scheduled, ScrapeTrigger.SCHEDULE)),
            threading.Thread(target=run, args=(manual, MANUAL)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    # Then each achievement exists once, and every id any run answered is one of them
    achievements = stored(local_tables)
    assert len(achievements) == len(local_tables.achievement_items()) == 8
    ids = {item["id"] for item in achievements.values()}
    assert {a.achievement_id for report in reports for a in report.achievements} <= ids
    assert sum(a.status.value == "created" for report in reports for a in report.achievements) == 8
    assert all(report.outcome is ScrapeOutcome.SUCCEEDED for report in reports)


# ---- faults ----------------------------------------------------------------------------------------


def test_faults_of_a_real_prometheus_are_reported_per_metric(local_tables) -> None:
    # Given an exporter missing two metrics and reporting NaN engagement, and two broken queries
    exporter = ThreadsAgentExporter()
    exporter.omit("cost_per_follow_dollars", "http_requests_total")
    exporter.set("posts_engagement_rate", float("nan"))
    many_series = '{__name__=~"revenue_projection_monthly|posts_generated_total"}'
    overrides = json.dumps(
        {
            "content_generation_latency_seconds": {"query": "histogram_quantile(0.95, "},
            "revenue_projection_monthly": {"query": many_series},
        }
    )
    with exporter, PrometheusServer(targets=[exporter.target]) as prometheus:
        every_query_answers(prometheus, ["posts_generated_total", "http_request_duration_seconds", "uptime"])

        # When the scrape runs
        report = scraper_for(prometheus.url, local_tables, overrides=overrides).scrape(ScrapeTrigger.SCHEDULE)

    # Then each fault is named for its metric, the healthy metrics went through, nothing bogus was created
    assert report.outcome is ScrapeOutcome.PARTIAL
    assert {name: error.kind for name, error in report.errors.items()} == {
        "posts_engagement_rate": "not_finite",
        "cost_per_follow_dollars": "no_data",
        "error_rate": "no_data",
        "content_generation_latency_seconds": "query_error",
        "revenue_projection_monthly": "multiple_series",
    }
    assert "bad_data" in report.errors["content_generation_latency_seconds"].message
    assert sorted(report.values) == ["http_request_duration_seconds", "posts_generated_total", "uptime"]
    assert sorted(stored(local_tables)) == [
        "http_request_duration_seconds:improvement:0",
        "posts_generated_total:milestone:100",
        "uptime:improvement:0",
    ]


def test_prometheus_down_reports_every_metric_unreachable(local_tables) -> None:
    # Given a scraper pointed at a loopback port nothing listens on
    scraper = scraper_for(f"http://127.0.0.1:{free_port()}", local_tables)
    # When the scheduled scrape runs
    report = scraper.scrape(ScrapeTrigger.SCHEDULE)
    # Then every catalogue metric is unreachable, the failed run is in the status, and nothing was created
    assert report.outcome is ScrapeOutcome.FAILED
    assert {error.kind for error in report.errors.values()} == {"unreachable"}
    assert set(report.errors) == set(CATALOGUE)
    assert local_tables.achievement_items() == []
    assert scraper.status().last_outcome is ScrapeOutcome.FAILED


def test_a_prometheus_slower_than_the_timeout_times_out_every_metric_and_creates_nothing(live, local_tables) -> None:
    # Given a proxy delaying every answer of the live Prometheus by 3 s, and a 1 s scrape timeout
    _, prometheus = live
    with SlowPrometheus(delay=3.0, upstream=prometheus.url) as slow:
        # When the scheduled scrape runs through the proxy
        report = scraper_for(slow.url, local_tables, timeout=1.0).scrape(ScrapeTrigger.SCHEDULE)
    # Then every metric timed out, the run failed, and no achievement was created
    assert report.outcome is ScrapeOutcome.FAILED
    assert {error.kind for error in report.errors.values()} == {"timeout"}
    assert local_tables.achievement_items() == []


def test_a_slow_prometheus_within_the_timeout_is_queried_all_at_once(live, local_tables) -> None:
    # Given a proxy delaying every answer of the live Prometheus by 1 s, well within a 5 s scrape timeout
    _, prometheus = live
    with SlowPrometheus(delay=1.0, upstream=prometheus.url) as slow:
        # When a manual scrape runs through the proxy
        report = scraper_for(slow.url, local_tables, timeout=5.0).scrape(MANUAL)
    # Then it succeeds with every expected value, having sent all the KPI queries at once
    assert report.outcome is ScrapeOutcome.SUCCEEDED
    assert report.values == pytest.approx(EXPECTED)
    # every KPI's query was in flight at the same time
    assert slow.peak_in_flight == len(CATALOGUE)


# ---- a protected Prometheus ------------------------------------------------------------------------


def test_prometheus_behind_basic_auth_needs_the_right_password(local_tables) -> None:
    # Given a Prometheus requiring basic auth for user grafana, and the right and a wrong password for it
    right, wrong = httpx.BasicAuth("grafana", PASSWORD), httpx.BasicAuth("grafana", "guess")
    with (
        ThreadsAgentExporter() as exporter,
        PrometheusServer(targets=[exporter.target], basic_auth_users={"grafana": PASSWORD_BCRYPT}) as prometheus,
    ):
        every_query_answers(prometheus, ["uptime"], auth=right)
        # When a scrape sends the wrong password, Then uptime fails with HTTP 401 and nothing is created
        refused = scraper_for(prometheus.url, local_tables, auth=wrong).scrape(MANUAL, only=["uptime"])
        assert refused.errors["uptime"].kind == "http_error"
        assert "HTTP 401" in refused.errors["uptime"].message
        assert local_tables.achievement_items() == []

        # When a scrape sends the right password
        allowed = scraper_for(prometheus.url, local_tables, auth=right).scrape(MANUAL, only=["uptime"])
    # Then uptime is read and makes its achievement
    assert allowed.values == {"uptime": 1.0}
    assert [a.metric_name for a in allowed.achievements] == ["uptime"]


def test_prometheus_behind_a_bearer_token_proxy(live, local_tables) -> None:
    # Given a proxy in front of the live Prometheus that demands the bearer token "t0k"
    _, prometheus = live
    with SlowPrometheus(upstream=prometheus.url, bearer_token="t0k") as proxy:
        # When one scrape sends no token and another sends the right one
        refused = scraper_for(proxy.url, local_tables).scrape(MANUAL, only=["uptime"])
        allowed = scraper_for(proxy.url, local_tables, auth=BearerAuth("t0k")).scrape(MANUAL, only=["uptime"])
    # Then the first is refused with HTTP 401 and the second reads uptime
    assert refused.errors["uptime"].message == "HTTP 401: Unauthorized"
    assert allowed.values == {"uptime": 1.0}


# ---- intelligent thresholds from backfilled history ------------------------------------------------


def history(now: float) -> str:
    """48 h of per-minute samples ending 10 min ago: cost per follow cycling 0.004..0.008 (lower is better),
    engagement 0.05..0.09 (higher is better)."""
    samples = []
    for minute in range(48 * 60, 10, -1):
        at, step = now - minute * 60, minute % 5
        samples.append(("cost_per_follow_dollars", {"job": "backfill"}, round(0.004 + 0.001 * step, 3), at))
        samples.append(("posts_engagement_rate", {"job": "backfill"}, round(0.05 + 0.01 * step, 2), at))
    return openmetrics(samples, {"cost_per_follow_dollars": "gauge", "posts_engagement_rate": "gauge"})


def test_intelligent_thresholds_come_from_the_backfilled_history(local_tables) -> None:
    # Given intelligent thresholds on (48 h window, 24 samples at least) and Prometheus backfilled with 48 h of
    # cost per follow (0.004..0.008) and engagement (0.05..0.09) history
    env = {
        "INTELLIGENT_THRESHOLDS_ENABLED": "true",
        "INTELLIGENT_THRESHOLDS_WINDOW_HOURS": 48,
        "INTELLIGENT_THRESHOLDS_MIN_SAMPLES": 24,
    }
    exporter = ThreadsAgentExporter()
    server = PrometheusServer(targets=[exporter.target])
    server.backfill(history(time.time()))
    with exporter, server as prometheus:
        every_query_answers(prometheus, list(CATALOGUE))
        scraper = scraper_for(prometheus.url, local_tables, **env)

        # When the scrape runs: 0.8 cents per follow and 7.8% engagement beat the static targets, not history
        report = scraper.scrape(MANUAL)
        thresholds, sources = report.thresholds, report.threshold_sources
        assert (sources["cost_per_follow_dollars"], sources["posts_engagement_rate"]) == ("history", "history")
        assert thresholds["cost_per_follow_dollars"] == pytest.approx(0.004)
        assert thresholds["posts_engagement_rate"] == pytest.approx(0.09)
        # metrics with only minutes of history keep their static threshold (and still achieve against it)
        assert sources["content_generation_latency_seconds"] == "static"
        made = {a.metric_name for a in report.achievements}
        assert {"cost_per_follow_dollars", "posts_engagement_rate"}.isdisjoint(made)
        assert "content_generation_latency_seconds" in made

        # When cost per follow drops below anything in its history
        exporter.set("cost_per_follow_dollars", 0.003)
        wait_for_value(prometheus, "cost_per_follow_dollars", 0.003)
        later = scraper.scrape(MANUAL, only=["cost_per_follow_dollars"])

    # Then that is an achievement, against the historical target
    assert [a.metric_name for a in later.achievements] == ["cost_per_follow_dollars"]
    cost = stored(local_tables)["cost_per_follow_dollars:improvement:1"]
    assert cost["description"] == "Reduced Cost Per Follow Dollars target: $0.003 (target: $0.004)"
