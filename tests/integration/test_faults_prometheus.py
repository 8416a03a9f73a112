"""Prometheus down, then back, under the scheduled scrape of the local stack (template's schedule, sped up).

While nothing listens on the Prometheus URL the scheduled runs end normally (no function error, nothing for
the dead-letter queue) and GET /prometheus/status reports every metric unreachable; once a real Prometheus
answers on that URL, the next scheduled run succeeds and creates each achievement once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from achievements.core.metrics import CATALOGUE
from devstack.dynamodb_local import free_port
from devstack.prometheus import PrometheusServer
from devstack.stack import LocalStack
from devstack.threads_exporter import ThreadsAgentExporter
from tests.conftest import load_event
from tests.integration.conftest import api_client, stored_achievements, wait_for_status

pytestmark = pytest.mark.integration
KEY = "prometheus-fault-key"
SCHEDULE_EVERY = 2.0
PROMETHEUS_PORT = free_port()


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    overrides = {"PrometheusUrl": f"http://127.0.0.1:{PROMETHEUS_PORT}", "PrometheusTimeoutSeconds": "2"}
    with LocalStack(
        port=0, admin_token=KEY, schedule_every=SCHEDULE_EVERY, parameter_overrides=overrides, quiet=True
    ) as running:
        yield running


@pytest.fixture(scope="module")
def http(stack: LocalStack) -> Iterator[httpx.Client]:
    with api_client(stack, KEY) as client:
        yield client


def prometheus_achievements(stack: LocalStack) -> list[str]:
    return sorted(item["source_ref"]["S"] for item in stored_achievements(stack, "prometheus"))


def scheduled_run(body: dict[str, Any]) -> dict[str, Any]:
    return dict(body.get("last_run") or {}) if (body.get("last_run") or {}).get("trigger") == "schedule" else {}


def test_scheduled_scrapes_survive_prometheus_down_and_succeed_once_it_is_back(
    stack: LocalStack, http: httpx.Client
) -> None:
    # Given the schedule firing every few seconds and nothing listening on the Prometheus URL
    # When a scheduled run has finished
    down = wait_for_status(http, lambda body: scheduled_run(body).get("outcome") == "failed")

    # Then the status reports the failed run, every metric unreachable, and nothing was created
    assert down["status"] == "active"
    assert down["last_outcome"] == "failed"
    assert {name: error["kind"] for name, error in down["last_errors"].items()} == dict.fromkeys(
        CATALOGUE, "unreachable"
    )
    assert prometheus_achievements(stack) == []

    # And the function itself ended normally (a report, not an error the schedule would retry or dead-letter)
    report = stack.invoke("PrometheusScrapeFunction", load_event("prometheus_schedule.json"))
    assert (report["trigger"], report["outcome"]) == ("schedule", "failed")
    assert set(report["errors"]) == set(CATALOGUE)

    # When Prometheus comes back on that URL, scraping the Threads-Agent exporter
    with ThreadsAgentExporter() as exporter, PrometheusServer(targets=[exporter.target], port=PROMETHEUS_PORT) as up:
        for spec in CATALOGUE.values():
            up.wait_for(spec.query, timeout=60)
        back_at = datetime.fromisoformat(http.get("/prometheus/status").json()["last_run"]["finished_at"])

        # Then the next scheduled run succeeds and clears the errors
        recovered = wait_for_status(
            http,
            lambda body: (
                scheduled_run(body).get("outcome") == "succeeded"
                and datetime.fromisoformat(scheduled_run(body)["started_at"]) > back_at
            ),
        )
        # And the scheduled runs that follow create nothing twice
        later = wait_for_status(
            http,
            lambda body: (
                datetime.fromisoformat(scheduled_run(body).get("started_at") or "1970-01-01T00:00:00+00:00")
                > datetime.fromisoformat(recovered["last_run"]["finished_at"])
            ),
        )

    assert recovered["last_outcome"] == "succeeded"
    assert recovered["last_errors"] == {}
    assert recovered["last_values"]["posts_engagement_rate"] == 0.078
    assert later["last_run"]["achievements"] == [] or all(
        a["status"] == "unchanged" for a in later["last_run"]["achievements"]
    )
    achievements = prometheus_achievements(stack)
    assert len(achievements) == len(set(achievements)) == 8
