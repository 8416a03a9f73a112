"""Manual writes flow through the pipeline like any other (SPEC §6, §8): the table's stream -> the outbox -> the bus
-> the template's rules. A create and a content edit are analysed without a request; a delete is Achievement Deleted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from achievements.store import AchievementStore
from tests.conftest import Tables
from tests.unit.manual.test_manual_api import MENTORING, create, etag
from tests.unit.people.conftest import Invoke
from tests.unit.pipeline.conftest import Pipeline, make_pipeline


@pytest.fixture
def moto_tables(moto_streamed_tables: Tables) -> Tables:
    """Here the tables keep their streams: the pipeline reads them."""
    return moto_streamed_tables


@pytest.fixture
def pipeline(moto_tables: Any, call: Invoke) -> Pipeline:
    return make_pipeline(moto_tables)


def publish(pipeline: Pipeline, lambda_context: Any) -> None:
    from functions.pipeline_outbox import app

    pipeline.outbox()
    assert app.lambda_handler({"Records": pipeline.new_records()}, lambda_context) == {"batchItemFailures": []}


def jobs(pipeline: Pipeline) -> list[dict[str, Any]]:
    return [json.loads(body) for body in pipeline.messages("AnalysisQueue")]


def fingerprint(pipeline: Pipeline, achievement_id: int) -> str:
    stored = AchievementStore(pipeline.tables.achievements, client=pipeline.tables.client).get(achievement_id)
    assert stored is not None
    return stored.fingerprint


def test_a_manual_create_and_a_content_edit_are_analysed_without_a_request(
    pipeline: Pipeline, call: Invoke, lambda_context: Any
) -> None:
    # Given a manual achievement, published
    achievement_id = create(call)
    publish(pipeline, lambda_context)
    # Then it was queued for analysis by the auto-analysis rule, with its fingerprint, and people were told
    assert jobs(pipeline) == [
        {"achievement_id": achievement_id, "fingerprint": fingerprint(pipeline, achievement_id), "trigger": "auto"}
    ]
    [message] = pipeline.messages(pipeline.delivery_queue("NotifyNewAchievementRule", "people-topic"))
    assert json.loads(message).startswith(f"New achievement #{achievement_id} (leadership, from manual)")

    # When it is hidden (no content change), then its title is edited
    hidden = call("PATCH", f"/achievements/{achievement_id}", body={"hidden": True}, headers={"If-Match": "*"})
    assert hidden[0] == 200
    publish(pipeline, lambda_context)
    assert jobs(pipeline) == []
    before = fingerprint(pipeline, achievement_id)
    tag = etag(call, achievement_id)
    edited = call(
        "PATCH", f"/achievements/{achievement_id}", body={"title": "Mentored three"}, headers={"If-Match": tag}
    )
    assert edited[0] == 200
    publish(pipeline, lambda_context)

    # Then only the content edit queued a new analysis, of the new content (the old analysis is stale)
    after = fingerprint(pipeline, achievement_id)
    assert after != before
    assert jobs(pipeline) == [{"achievement_id": achievement_id, "fingerprint": after, "trigger": "auto"}]


def test_a_delete_is_achievement_deleted_and_a_restore_achievement_updated(
    pipeline: Pipeline, call: Invoke, lambda_context: Any
) -> None:
    # Given a rule on the bus catching every event into a queue, and a published manual achievement
    url = pipeline.sqs.create_queue(QueueName="test-every-event")["QueueUrl"]
    arn = pipeline.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = pipeline.names["AchievementsBus"]
    pattern = json.dumps({"source": ["achievement-collector"]})
    pipeline.events.put_rule(Name="every-event", EventBusName=bus, EventPattern=pattern)
    pipeline.events.put_targets(Rule="every-event", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    achievement_id = create(call, {**MENTORING, "title": "Gave the architecture talk"})
    publish(pipeline, lambda_context)
    pipeline.messages(url)
    assert len(jobs(pipeline)) == 1

    # When it is deleted, then restored
    assert call("DELETE", f"/achievements/{achievement_id}")[0] == 200
    publish(pipeline, lambda_context)
    deleted = [json.loads(body) for body in pipeline.messages(url)]
    assert call("POST", f"/achievements/{achievement_id}/restore")[0] == 200
    publish(pipeline, lambda_context)
    restored = [json.loads(body) for body in pipeline.messages(url)]

    # Then the delete is one Achievement Deleted, the restore one Updated, and neither is queued for analysis
    assert [(e["detail-type"], e["detail"]["id"], e["detail"]["person"]) for e in deleted] == [
        ("Achievement Deleted", achievement_id, "me")
    ]
    assert [(e["detail-type"], e["detail"]["changed"]) for e in restored] == [("Achievement Updated", ["deleted_at"])]
    assert jobs(pipeline) == []
