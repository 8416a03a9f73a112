"""PrometheusScrapeFunction as deployed by template.yaml, in the local stack, against a real Prometheus.

The function runs in its own worker process with the template's environment (auth secret and overrides
parameter created locally from the template), its schedule fires from the template's ScheduleV2 Input,
and the routes answer over HTTP behind the API key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from achievements.core.metrics import CATALOGUE
from devstack.prometheus import PrometheusServer
from devstack.stack import LocalStack
from devstack.threads_exporter import ThreadsAgentExporter
from tests.conftest import load_event
from tests.integration.conftest import api_client, stored_achievements, wait_for_status

pytestmark = pytest.mark.integration
KEY = "prometheus-e2e-key"
SCHEDULE_EVERY = 3.0
# Every catalogue KPI is past its threshold in the exporter's numbers. Uptime alone depends on the machine: a
# scrape of the exporter that overran Prometheus's timeout (1 s at a 1 s interval) on a loaded machine is real
# downtime to Prometheus (`up` 0), and then no uptime milestone is due.
STEADY = {name for name in CATALOGUE if name != "uptime"}


def due(status: dict[str, Any]) -> set[str]:
    """The KPIs with an achievement due after the scrape that `status` reports."""
    return STEADY | ({"uptime"} if status["last_values"]["uptime"] >= CATALOGUE["uptime"].threshold else set())


def recorded(stack: LocalStack) -> list[str]:
    """The metric of each stored KPI achievement (one entry per achievement)."""
    return sorted(item["source_ref"]["S"].split(":")[0] for item in stored_achievements(stack, "prometheus"))


@pytest.fixture(scope="module")
def prometheus() -> Iterator[PrometheusServer]:
    with ThreadsAgentExporter() as exporter, PrometheusServer(targets=[exporter.target]) as server:
        for spec in CATALOGUE.values():
            server.wait_for(spec.query, timeout=60)
        yield server


@pytest.fixture(scope="module")
def stack(prometheus: PrometheusServer) -> Iterator[LocalStack]:
    with LocalStack(
        port=0,
        admin_token=KEY,
        schedule_every=SCHEDULE_EVERY,
        parameter_overrides={"PrometheusUrl": prometheus.url},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def http(stack: LocalStack) -> Iterator[httpx.Client]:
    with api_client(stack, KEY) as client:
        yield client


def test_the_schedule_runs_the_scrape_and_the_status_shows_it(stack: LocalStack, http: httpx.Client) -> None:
    # Given the local stack firing the template's schedule every few seconds
    # When a scheduled run has finished
    status = wait_for_status(http, lambda body: (body.get("last_run") or {}).get("trigger") == "schedule")

    # Then the status reports it with the reference's fields
    assert status["status"] == "active"
    assert status["interval_hours"] == 24
    assert stack.functions["PrometheusScrapeFunction"].spec.env["PROMETHEUS_URL"] not in json.dumps(status)
    assert status["thresholds"]["content_generation_latency_seconds"] == 2.0
    assert status["last_outcome"] == "succeeded"
    assert status["last_values"]["posts_engagement_rate"] == 0.078
    assert status["last_errors"] == {}
    assert recorded(stack) == sorted(due(status)), status["last_values"]


def test_manual_scrape_over_http_alongside_the_schedule_creates_nothing_twice(
    stack: LocalStack, http: httpx.Client
) -> None:
    # Given the local stack firing the template's schedule every few seconds against the exporter's Prometheus
    # When manual scrapes run while the schedule keeps firing
    answers = [http.post("/prometheus/scrape") for _ in range(3)]

    # Then each answers what it found, and the achievements still exist once each
    for answer in answers:
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["trigger"] == "manual"
        assert body["outcome"] == "succeeded"
        assert body["values"]["posts_generated_total"] == 150
    # (each steady KPI once; uptime's milestone depends on whether any run saw it past its threshold)
    assert [name for name in recorded(stack) if name != "uptime"] == sorted(STEADY)


def test_the_ready_schedule_event_invokes_the_function_directly(stack: LocalStack) -> None:
    # When the ready ScheduleV2 event (events/prometheus_schedule.json) invokes the scrape function directly
    result = stack.invoke("PrometheusScrapeFunction", load_event("prometheus_schedule.json"))
    # Then it runs as a scheduled scrape under the event's run id, and succeeds
    assert result["trigger"] == "schedule"
    assert result["run_id"] == "d0bd1be4-3a2a-4b8a-9c3e-5b1f0f6f2a11"
    assert result["outcome"] == "succeeded"


def test_a_subset_request_with_an_unknown_metric_is_422_over_http(http: httpx.Client) -> None:
    # When a manual scrape over HTTP asks for a metric not in the catalogue ("latency"), Then it is 422 naming it
    answer = http.post("/prometheus/scrape", json={"metrics": ["latency"]})
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("unknown or disabled metrics: latency")
