"""PipelineOutboxFunction on moto: the table's real stream records -> events on the bus -> the template's rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from achievements.core.models import AchievementDraft, Category, Source
from achievements.store import AchievementStore
from tests.unit.pipeline.conftest import Pipeline, make_pipeline

NEW_RULE, ANALYSED_RULE = "NotifyNewAchievementRule", "NotifyHighImpactRule"


def draft(ref: str = "post:1", views: int = 100, **changes: Any) -> AchievementDraft:
    fields: dict[str, Any] = {
        "title": f"Viral post {ref}",
        "description": "A post that went viral",
        "category": Category.CONTENT,
        "source": Source.THREADS,
        "source_ref": ref,
        "metrics": {"views": views, "engagement_rate": 0.08},
    }
    return AchievementDraft(**{**fields, **changes})


def handle(pipeline: Pipeline, records: list[dict[str, Any]], lambda_context: Any, **seams: Any) -> dict[str, Any]:
    from functions.pipeline_outbox import app

    pipeline.outbox(**seams)
    return app.lambda_handler({"Records": records}, lambda_context)


def jobs(pipeline: Pipeline) -> list[dict[str, Any]]:
    return [json.loads(body) for body in pipeline.messages("AnalysisQueue")]


def test_a_new_achievement_is_one_created_event_queued_for_analysis_and_notified(
    pipeline: Pipeline, lambda_context: Any
) -> None:
    # Given a new achievement written by the store (achievement, ref, counter and aggregates in the stream)
    store = AchievementStore(pipeline.tables.achievements, client=pipeline.tables.client)
    written = store.upsert(draft())
    records = pipeline.new_records()
    assert len(records) > 1
    # When the outbox handles the batch
    response = handle(pipeline, records, lambda_context)
    # Then nothing failed, and only the achievement's record became an event: one analysis job, one notification
    assert response == {"batchItemFailures": []}
    achievement = store.get(written.achievement_id)
    assert achievement is not None
    assert jobs(pipeline) == [
        {"achievement_id": written.achievement_id, "fingerprint": achievement.fingerprint, "trigger": "auto"}
    ]
    [message] = pipeline.messages(pipeline.delivery_queue(NEW_RULE, "people-topic"))
    assert json.loads(message) == (
        f"New achievement #{written.achievement_id} (content, from threads): Viral post post:1 - not scored yet; "
        f"engagement_rate 0.08, views 100. https://api.example/Prod/achievements/{written.achievement_id}"
    )
    [chat] = pipeline.messages(pipeline.delivery_queue(NEW_RULE, "chat-webhook"))
    assert json.loads(chat)["text"] == json.loads(message)


def test_a_content_update_is_analysed_again_an_analysis_notifies_only_at_the_score(
    pipeline: Pipeline, lambda_context: Any
) -> None:
    # Given an achievement already published
    store = AchievementStore(pipeline.tables.achievements, client=pipeline.tables.client)
    written = store.upsert(draft())
    handle(pipeline, pipeline.new_records(), lambda_context)
    pipeline.messages("AnalysisQueue")
    # When its content changes, then an analysis scoring 85 (>= NotifyScore 80) is saved
    store.upsert(draft(views=500))
    updated = store.get(written.achievement_id)
    assert updated is not None
    store.save_analysis(written.achievement_id, {"impact_score": 85}, 85.0, updated.fingerprint)
    response = handle(pipeline, pipeline.new_records(), lambda_context)
    # Then the update is queued for analysis with its new fingerprint, and the analysis notifies people
    assert response == {"batchItemFailures": []}
    assert jobs(pipeline) == [
        {"achievement_id": written.achievement_id, "fingerprint": updated.fingerprint, "trigger": "auto"}
    ]
    [message] = pipeline.messages(pipeline.delivery_queue(ANALYSED_RULE, "people-topic"))
    assert json.loads(message).startswith(f"Achievement #{written.achievement_id} analysed (content, from threads)")
    assert "impact 85/100" in json.loads(message)


def test_an_analysis_below_the_score_notifies_nobody(pipeline: Pipeline, lambda_context: Any) -> None:
    # Given an achievement analysed with a score under NotifyScore
    store = AchievementStore(pipeline.tables.achievements, client=pipeline.tables.client)
    written = store.upsert(draft())
    achievement = store.get(written.achievement_id)
    assert achievement is not None
    store.save_analysis(written.achievement_id, {"impact_score": 40}, 40.0, achievement.fingerprint)
    # When the outbox handles the stream
    handle(pipeline, pipeline.new_records(), lambda_context)
    # Then only the creation was notified
    assert pipeline.messages(pipeline.delivery_queue(ANALYSED_RULE, "people-topic")) == []
    assert len(pipeline.messages(pipeline.delivery_queue(NEW_RULE, "people-topic"))) == 1


def test_auto_analysis_of_a_category_list_lets_only_those_categories_through(moto_tables: Any, lambda_context) -> None:
    # Given AutoAnalysis limited to business achievements
    pipeline = make_pipeline(moto_tables, {"AutoAnalysis": "business,leadership"})
    store = AchievementStore(pipeline.tables.achievements, client=pipeline.tables.client)
    store.upsert(draft(ref="content"))
    business = store.upsert(draft(ref="business", category=Category.BUSINESS))
    # When both are published
    handle(pipeline, pipeline.new_records(), lambda_context)
    # Then only the business one is queued
    assert [job["achievement_id"] for job in jobs(pipeline)] == [business.achievement_id]


def test_auto_analysis_none_creates_no_rule(moto_tables: Any) -> None:
    # Given AutoAnalysis none, When the bus is made from the template, Then no rule targets the analysis queue
    pipeline = make_pipeline(moto_tables, {"AutoAnalysis": "none"})
    rules = pipeline.events.list_rules(EventBusName=pipeline.names["AchievementsBus"])["Rules"]
    assert "local-AutoAnalysisRule" not in {rule["Name"] for rule in rules}
    assert {"local-NotifyNewAchievementRule", "local-NotifyHighImpactRule"} <= {rule["Name"] for rule in rules}


def test_an_unreadable_record_fails_alone_and_the_others_are_published(pipeline: Pipeline, lambda_context: Any) -> None:
    # Given two new achievements, the first one's record damaged (no id in its image)
    store = AchievementStore(pipeline.tables.achievements, client=pipeline.tables.client)
    store.upsert(draft(ref="a"))
    second = store.upsert(draft(ref="b"))
    records = [r for r in pipeline.new_records() if r["dynamodb"]["Keys"]["sk"]["S"] == "ACHIEVEMENT"]
    del records[0]["dynamodb"]["NewImage"]["id"]
    # When the outbox handles them
    response = handle(pipeline, records, lambda_context)
    # Then exactly the damaged record is reported failed, and the other one is published
    assert response == {"batchItemFailures": [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]}
    assert [job["achievement_id"] for job in jobs(pipeline)] == [second.achievement_id]


class FlakyBus:
    """The bus's client, refusing entries or calls as told, then passing them to moto's."""

    def __init__(self, events: Any, refuse: int = 0, throttle: int = 0) -> None:
        self.events = events
        self.refuse, self.throttle = refuse, throttle
        self.calls: list[int] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(len(Entries))
        if self.throttle:
            self.throttle -= 1
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "PutEvents")
        if self.refuse:
            self.refuse -= 1
            refused = {"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}
            return {"FailedEntryCount": len(Entries), "Entries": [refused for _ in Entries]}
        return dict(self.events.put_events(Entries=Entries))


def test_refused_entries_are_retried_until_the_bus_takes_them(pipeline: Pipeline, lambda_context: Any) -> None:
    # Given a bus refusing the entry twice (FailedEntryCount), then taking it
    store = AchievementStore(pipeline.tables.achievements, client=pipeline.tables.client)
    store.upsert(draft())
    flaky = FlakyBus(pipeline.events, refuse=2)
    # When the outbox publishes
    response = handle(pipeline, pipeline.new_records(), lambda_context, events=flaky, sleep=lambda _: None)
    # Then the record succeeds after three calls of one entry, and the event is on the bus once
    assert response == {"batchItemFailures": []}
    assert flaky.calls == [1, 1, 1]
    assert len(jobs(pipeline)) == 1


def test_a_bus_that_keeps_refusing_fails_the_record_and_its_retry_publishes_once(
    pipeline: Pipeline, lambda_context: Any
) -> None:
    # Given a bus throttling every call of the first delivery
    store = AchievementStore(pipeline.tables.achievements, client=pipeline.tables.client)
    store.upsert(draft())
    records = pipeline.new_records()
    achievement = next(r for r in records if r["dynamodb"]["Keys"]["sk"]["S"] == "ACHIEVEMENT")
    throttled = FlakyBus(pipeline.events, throttle=99)
    # When the outbox handles the batch
    response = handle(pipeline, records, lambda_context, events=throttled, sleep=lambda _: None)
    # Then only the achievement's record failed (the others are no events); a throttled call is not retried by the
    # outbox (the real client's standard retry mode already tried it 4 times: the "events" budget, core/aws.py)
    assert response == {"batchItemFailures": [{"itemIdentifier": achievement["dynamodb"]["SequenceNumber"]}]}
    assert throttled.calls == [1]
    # And a batch of only that record fails as a whole: a function error, so Lambda bisects and retries it
    with pytest.raises(Exception, match="All records failed"):
        handle(
            pipeline, [achievement], lambda_context, events=FlakyBus(pipeline.events, throttle=99), sleep=lambda _: None
        )
    # Then nothing is on the bus yet
    assert jobs(pipeline) == []
    # When Lambda delivers the batch twice more with the bus healthy again
    assert handle(pipeline, records, lambda_context) == {"batchItemFailures": []}
    assert handle(pipeline, records, lambda_context) == {"batchItemFailures": []}
    # Then the event was published exactly once (idempotent on the stream sequence number): one job, one message
    assert len(jobs(pipeline)) == 1
    assert len(pipeline.messages(pipeline.delivery_queue(NEW_RULE, "people-topic"))) == 1


def test_the_event_file_publishes_one_created_event_and_skips_the_counter(
    pipeline: Pipeline, lambda_context: Any
) -> None:
    # Given events/pipeline_stream.json (the id counter's change, then achievement 1's insert)
    from tests.conftest import load_event

    event = load_event("pipeline_stream.json")
    # When the outbox handles it
    response = handle(pipeline, event["Records"], lambda_context)
    # Then nothing failed, and the one achievement was queued for analysis
    assert response == {"batchItemFailures": []}
    assert [job["achievement_id"] for job in jobs(pipeline)] == [1]
