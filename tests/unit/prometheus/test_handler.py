"""PrometheusScrapeFunction through its Lambda handler: the events in events/, bad input, the schedule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from achievements.core.metrics import CATALOGUE
from achievements.core.observability import logger
from achievements.prometheus.deps import deps
from functions.prometheus_scrape import app as scrape_app
from tests.conftest import api_event, clients_of, load_event
from tests.fakes.prometheus import Clock, FakePrometheus

SCRAPE, STATUS, SCHEDULE = "prometheus_scrape.json", "prometheus_status.json", "prometheus_schedule.json"


@pytest.fixture
def fake() -> FakePrometheus:
    return FakePrometheus()


@pytest.fixture(autouse=True)
def _graph(moto_tables, fake) -> None:
    # Given the function's graph on moto, reading the fake Prometheus, with no SSM overrides and no auth
    deps.build(
        clients=clients_of(moto_tables),
        prometheus=fake.client(),
        load_overrides=lambda _settings: {},
        load_auth=lambda _settings: None,
        clock=Clock(),
    )


def call(event: dict[str, Any], context) -> tuple[int, dict[str, Any]]:
    response = scrape_app.lambda_handler(event, context)
    return int(response["statusCode"]), json.loads(response["body"])


def test_manual_scrape_answers_values_achievements_with_ids_and_errors(lambda_context, fake, store) -> None:
    # Given a good latency and a metric Prometheus lacks
    fake.set(content_generation_latency_seconds=1.2)
    del fake.answers["uptime"]

    # When POST /prometheus/scrape arrives (the ready event)
    status, body = call(load_event(SCRAPE), lambda_context)

    # Then it answers 200 with what it found
    assert status == 200
    assert body["trigger"] == "manual"
    assert body["run_id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert body["outcome"] == "partial"
    assert body["values"]["content_generation_latency_seconds"] == 1.2
    assert body["achievements"] == [
        {
            "achievement_id": 1,
            "status": "created",
            "metric_name": "content_generation_latency_seconds",
            "kind": "improvement",
            "title": "KPI Achievement: Content Generation Latency Seconds",
        }
    ]
    assert body["errors"] == {
        "uptime": {"kind": "no_data", "message": "the query matched no series (metric missing or no recent samples)"}
    }
    assert store.get(1) is not None


def test_manual_scrape_of_some_metrics(lambda_context, fake) -> None:
    # When a manual scrape asks for only uptime and error_rate
    status, body = call(api_event(SCRAPE, body={"metrics": ["uptime", "error_rate"]}), lambda_context)

    # Then it answers 200 with values for exactly those two metrics
    assert status == 200
    assert sorted(body["values"]) == ["error_rate", "uptime"]


@pytest.mark.parametrize(
    ("event", "status", "fragment"),
    [
        (api_event(SCRAPE, body={"metrics": ["nope"]}), 422, "unknown or disabled metrics: nope"),
        (api_event(SCRAPE, body={"metrics": ["Uptime!"]}), 422, "metrics.0"),
        (api_event(SCRAPE, body={"metrics": []}), 422, "metrics"),
        (api_event(SCRAPE, body={"metrics": "uptime"}), 422, "metrics"),
        (api_event(SCRAPE, body={"metric": ["uptime"]}), 422, "metric"),
        (api_event(SCRAPE, raw_body="{"), 400, "not valid JSON"),
        (api_event(SCRAPE, raw_body='["uptime"]'), 422, "not an array"),
        (api_event(SCRAPE, raw_body="x" * 70000), 413, "limit is"),
        (
            api_event(SCRAPE, raw_body="metrics=uptime", headers={"Content-Type": "text/plain"}),
            415,
            "Content-Type must be application/json",
        ),
    ],
    ids=["unknown-metric", "bad-name", "empty-list", "not-a-list", "extra-field", "json", "array", "size", "type"],
)
def test_bad_scrape_requests_are_4xx_naming_the_problem_and_nothing_is_queried_or_written(
    lambda_context, fake, moto_tables, event, status: int, fragment: str
) -> None:
    # Given a scrape request with a bad metric list, body, size or content type, When it is posted
    code, body = call(event, lambda_context)

    # Then it is refused with the 4xx naming the problem, Prometheus is not queried and nothing is written
    assert code == status
    assert fragment in body["message"] + json.dumps(body.get("details", []))
    assert fake.requests == []
    assert moto_tables.items() == []


def test_status_answers_the_reference_fields(lambda_context, fake) -> None:
    # Given a finished manual scrape that read engagement 0.078 and monthly revenue 22,500
    fake.set(posts_engagement_rate=0.078, revenue_projection_monthly=22500.0)
    call(load_event(SCRAPE), lambda_context)

    # When GET /prometheus/status arrives
    status, body = call(load_event(STATUS), lambda_context)

    # Then it answers the reference fields: active, the 24 h interval, thresholds, last values and last run
    assert status == 200
    assert body["status"] == "active"
    assert body["interval_hours"] == 24
    assert body["thresholds"]["posts_engagement_rate"] == 0.06
    assert body["thresholds"]["revenue_projection_monthly"] == 20000
    assert body["last_values"]["posts_engagement_rate"] == 0.078
    assert body["last_values"]["revenue_projection_monthly"] == 22500
    assert body["last_outcome"] == "succeeded"
    assert body["last_run_at"] is not None
    assert body["last_errors"] == {}


@pytest.fixture
def info_logs() -> Iterator[None]:
    # As deployed (POWERTOOLS_LOG_LEVEL=INFO): every log call of a run really formats its record.
    logger.setLevel("INFO")
    yield
    logger.setLevel("WARNING")


def test_scheduled_run_returns_its_report_and_emits_its_metrics(
    lambda_context, fake, capsys, caplog, info_logs
) -> None:
    # Given latency and posts that pass their thresholds and an uptime query that times out
    fake.set(content_generation_latency_seconds=1.2, posts_generated_total=150.0, uptime=httpx.ReadTimeout)

    # When the scheduled event arrives, logging at INFO as deployed
    result = scrape_app.lambda_handler(load_event(SCHEDULE), lambda_context)

    # Then the report is a partial schedule run under the event's id, with milestones for latency and posts
    assert result["trigger"] == "schedule"
    assert result["run_id"] == "d0bd1be4-3a2a-4b8a-9c3e-5b1f0f6f2a11"
    assert result["outcome"] == "partial"
    assert [a["metric_name"] for a in result["achievements"]] == [
        "content_generation_latency_seconds",
        "posts_generated_total",
    ]
    # And the EMF metrics count one scrape and two milestones
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert any(blob.get("achievement_collector_prometheus_scrapes_total") == [1.0] for blob in emitted)
    assert any(blob.get("achievement_collector_kpi_milestones_total") == [2.0] for blob in emitted)
    # And the "scrape finished" log names the two achievements created and the failed uptime metric
    (finished,) = [record for record in caplog.records if record.getMessage() == "scrape finished"]
    assert finished.achievements_created == 2  # type: ignore[attr-defined]
    assert finished.failed_metrics == ["uptime"]  # type: ignore[attr-defined]


def test_scheduled_run_with_prometheus_down_completes_without_raising(lambda_context, fake, moto_tables) -> None:
    # Given every catalogue metric's query failing to connect
    fake.set(**dict.fromkeys(CATALOGUE, httpx.ConnectError))

    # When the scheduled event arrives
    result = scrape_app.lambda_handler(load_event(SCHEDULE), lambda_context)

    # Then the run returns a failed report with an error per metric, and no achievement is written
    assert result["outcome"] == "failed"
    assert len(result["errors"]) == len(CATALOGUE)
    assert moto_tables.achievement_items() == []


def test_schedule_input_with_unfilled_placeholders_still_runs(lambda_context) -> None:
    # Given what a local scheduler sends: the template's Input as written, placeholders unfilled
    event = {
        "trigger": "schedule",
        "schedule_arn": "<aws.scheduler.schedule-arn>",
        "scheduled_time": "<aws.scheduler.scheduled-time>",
        "execution_id": "<aws.scheduler.execution-id>",
        "attempt": "<aws.scheduler.attempt-number>",
    }

    # When the handler runs it
    result = scrape_app.lambda_handler(event, lambda_context)

    # Then it runs as a schedule, with a generated run id rather than the placeholder
    assert result["trigger"] == "schedule"
    assert not result["run_id"].startswith("<")


def test_an_event_that_is_neither_api_nor_schedule_is_refused(lambda_context, fake, moto_tables) -> None:
    # When an event from another source (an EventBridge rule) reaches the handler, Then it raises naming the events
    with pytest.raises(ValueError, match="nor the scrape schedule's event"):
        scrape_app.lambda_handler({"source": "aws.events", "detail": {}}, lambda_context)

    # And Prometheus is not queried and nothing is written
    assert fake.requests == []
    assert moto_tables.items() == []
