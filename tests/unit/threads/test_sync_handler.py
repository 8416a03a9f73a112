"""ThreadsSyncFunction through its Lambda handler: the events in events/, bad input, the schedule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from achievements.threads.deps import sync_deps
from achievements.threads.settings import ThreadsSyncSettings
from functions.threads_sync import app as sync_app
from tests.conftest import api_event, clients_of, load_event
from tests.fakes.threads_adaptor import ThreadsAdaptor, down_url

SYNC, STATUS, SCHEDULE = "threads_sync.json", "threads_sync_status.json", "threads_sync_schedule.json"


@pytest.fixture
def adaptor() -> Iterator[ThreadsAdaptor]:
    with ThreadsAdaptor() as running:
        yield running


def build(moto_tables, url: str) -> None:
    settings = ThreadsSyncSettings(ACHIEVEMENTS_TABLE_NAME=moto_tables.achievements, THREADS_ADAPTOR_URL=url)
    sync_deps.build(settings, clients_of(moto_tables))


def call(event: dict[str, Any], context) -> tuple[int, dict[str, Any]]:
    response = sync_app.lambda_handler(event, context)
    return int(response["statusCode"]), json.loads(response["body"])


def test_post_threads_sync_answers_the_report(moto_tables, adaptor, lambda_context) -> None:
    # Given the function's graph on moto, reading the demo adaptor
    build(moto_tables, adaptor.url)

    # When POST /threads/sync arrives (the ready event)
    status, body = call(load_event(SYNC), lambda_context)

    # Then it answers 200 with the run's report
    assert status == 200
    assert body["trigger"] == "manual"
    assert body["run_id"] == "4f1c2b7e-8d3a-4c55-9e21-0a6b7c8d9e10"
    assert body["outcome"] == "succeeded"
    assert body["counts"]["created"] == 3
    assert {line["status"] for line in body["posts"]} == {"created", "skipped"}


def test_get_status_after_a_sync_shows_the_last_run(moto_tables, adaptor, lambda_context) -> None:
    # Given a sync ran
    build(moto_tables, adaptor.url)
    call(load_event(SYNC), lambda_context)

    # When GET /threads/sync/status arrives
    status, body = call(load_event(STATUS), lambda_context)

    # Then it shows when, how and what
    assert status == 200
    assert body["status"] == "active"
    assert body["interval_hours"] == 1
    assert body["adaptor_host"] == adaptor.url
    assert body["last_trigger"] == "manual"
    assert body["last_outcome"] == "succeeded"
    assert body["last_counts"]["created"] == 3
    assert body["last_run"]["run_id"] == "4f1c2b7e-8d3a-4c55-9e21-0a6b7c8d9e10"


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"limit": 0}, 422, "limit"),
        ({"limit": 201}, 422, "limit"),
        ({"limit": "5"}, 422, "limit"),
        ({"persona_id": ""}, 422, "persona_id"),
        ({"persona_id": "a/b"}, 422, "persona_id"),
        ({"unknown": 1}, 422, "unknown"),
    ],
)
def test_bad_bodies_get_a_4xx_naming_the_field_and_run_nothing(
    moto_tables, adaptor, lambda_context, body: Any, status: int, fragment: str
) -> None:
    # Given the function's graph
    build(moto_tables, adaptor.url)

    # When POST /threads/sync arrives with this body
    code, answer = call(api_event(SYNC, body), lambda_context)

    # Then it is refused, naming the problem, and the adaptor was never called
    assert code == status
    assert fragment in answer["message"]
    assert adaptor.calls == []


def test_a_body_that_is_not_json_is_a_400(moto_tables, adaptor, lambda_context) -> None:
    build(moto_tables, adaptor.url)
    # When the body is not JSON
    code, answer = call(api_event(SYNC, raw_body="{limit"), lambda_context)
    # Then 400 says so
    assert code == 400
    assert "not valid JSON" in answer["message"]


def test_the_schedule_runs_a_sync_and_never_raises_when_the_adaptor_is_down(moto_tables, lambda_context) -> None:
    # Given nothing listening at the adaptor's URL
    build(moto_tables, down_url())

    # When the schedule's event arrives
    result = sync_app.lambda_handler(load_event(SCHEDULE), lambda_context)

    # Then it returns the failed run's report, with the Scheduler's execution id as run id
    assert result["trigger"] == "schedule"
    assert result["run_id"] == "7e3f4a9b-0c5d-4e77-a043-2c8d9e0f1a32"
    assert result["outcome"] == "failed"
    assert result["errors"][0]["kind"] == "unreachable"


def test_the_template_input_with_unrendered_placeholders_runs_too(moto_tables, adaptor, lambda_context) -> None:
    # Given the schedule's Input as the template writes it (what the local scheduler sends)
    from devstack.event_sources import schedule_sources
    from devstack.functions import parameter_values

    (source,) = [s for s in schedule_sources(parameter_values(), {}) if s.function == "ThreadsSyncFunction"]
    build(moto_tables, adaptor.url)

    # When it arrives
    result = sync_app.lambda_handler(source.payload, lambda_context)

    # Then it syncs, with a generated run id
    assert result["counts"]["created"] == 3
    assert result["run_id"]
    assert not result["run_id"].startswith("<aws")


def test_an_event_of_no_known_kind_raises_so_it_reaches_the_dead_letter_queue(
    moto_tables, adaptor, lambda_context
) -> None:
    build(moto_tables, adaptor.url)
    # When an event that is neither API Gateway's nor the schedule's arrives
    # Then the invocation fails, naming what it expected
    with pytest.raises(ValueError, match="nor the sync schedule's event"):
        sync_app.lambda_handler({"hello": "world"}, lambda_context)


def test_a_store_failure_raises_from_the_schedule_so_scheduler_retries(moto_tables, adaptor, lambda_context) -> None:
    # Given the graph pointing at a table that does not exist
    settings = ThreadsSyncSettings(ACHIEVEMENTS_TABLE_NAME="missing-table", THREADS_ADAPTOR_URL=adaptor.url)
    sync_deps.build(settings, clients_of(moto_tables))

    # When the schedule's event arrives
    # Then the run raises (EventInvokeConfig retries it, then the dead-letter queue keeps it)
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        sync_app.lambda_handler(load_event(SCHEDULE), lambda_context)
