"""The outbox: one DynamoDB stream record of the achievements table -> at most one event on the bus, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from achievements.core.observability import metrics
from achievements.pipeline.bus import EventBus
from achievements.pipeline.models import AchievementEvent
from achievements.pipeline.rules import domain_event
from achievements.store.codec import from_item
from achievements.store.keys import KEY_ATTRIBUTES, is_achievement_key

EVENTS_PUBLISHED = "achievement_collector_pipeline_events_published_total"
RECORDS_SKIPPED = "achievement_collector_pipeline_records_skipped_total"
PUBLISH_RETRIES = "achievement_collector_pipeline_publish_retries_total"


def _image(stream: dict[str, Any], name: str) -> dict[str, Any] | None:
    image = stream.get(name)
    if image is None:
        return None
    data = from_item(image)
    for key in KEY_ATTRIBUTES:
        data.pop(key, None)
    return data


def event_of(record: dict[str, Any], link_base: str | None = None) -> AchievementEvent | None:
    """The domain event of one raw stream record, or None (not an achievement item, or nothing changed)."""
    stream = record["dynamodb"]
    if not is_achievement_key(stream["Keys"]):
        return None
    return domain_event(
        record["eventName"],
        _image(stream, "OldImage"),
        _image(stream, "NewImage"),
        str(stream["SequenceNumber"]),
        link_base,
    )


class StreamOutbox:
    """Publishes each record's event through `publish_once` (idempotent on the event id: a retried record of an
    already published change puts nothing on the bus again, so nobody is notified twice)."""

    def __init__(self, bus: EventBus, link_base: str | None = None) -> None:
        self.bus = bus
        self.link_base = link_base
        self.publish_once: Callable[..., dict[str, Any]] = self._publish

    def handle_record(self, record: dict[str, Any]) -> dict[str, Any]:
        """Raises for a record it cannot read or publish: only this record (and those after it) is retried."""
        event = event_of(record, self.link_base)
        if event is None:
            metrics.add_metric(name=RECORDS_SKIPPED, unit=MetricUnit.Count, value=1)
            return {"status": "skipped"}
        return self.publish_once(event=event)

    def _publish(self, *, event: AchievementEvent) -> dict[str, Any]:
        rounds = self.bus.publish([event])
        metrics.add_metric(name=EVENTS_PUBLISHED, unit=MetricUnit.Count, value=1)
        if rounds > 1:
            metrics.add_metric(name=PUBLISH_RETRIES, unit=MetricUnit.Count, value=rounds - 1)
        return {"status": "published", "detail_type": event.detail_type.value, "event_id": event.detail.event_id}
