"""The custom EventBridge bus: PutEvents, retrying only the entries it refused (FailedEntryCount)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from achievements.pipeline.models import EVENT_SOURCE, AchievementEvent

if TYPE_CHECKING:
    from mypy_boto3_events.client import EventBridgeClient

MAX_ENTRIES = 10  # PutEvents' limit per call


class PublishFailed(Exception):
    """Some entries were still refused after every attempt: the stream record fails and is retried, then parked."""


class EventBus:
    """Puts achievement events on one bus; `attempts` rounds, each resending only what the last one refused."""

    def __init__(
        self,
        name: str,
        client: EventBridgeClient,
        attempts: int = 4,
        backoff_seconds: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.client = client
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep

    def entry(self, event: AchievementEvent) -> dict[str, Any]:
        return {
            "EventBusName": self.name,
            "Source": EVENT_SOURCE,
            "DetailType": event.detail_type.value,
            "Detail": event.detail.model_dump_json(),
            "Resources": [],
        }

    def publish(self, events: Sequence[AchievementEvent]) -> int:
        """Put every event (in calls of 10); returns how many rounds it took. Raises PublishFailed."""
        pending = [self.entry(event) for event in events]
        for attempt in range(self.attempts):
            if attempt:
                # Full jitter: a throttled bus is not hit again by every retrying function at once.
                self.sleep(random.uniform(0, self.backoff_seconds * 2**attempt))
            refused: list[dict[str, Any]] = []
            errors: list[str] = []
            for start in range(0, len(pending), MAX_ENTRIES):
                chunk = pending[start : start + MAX_ENTRIES]
                response = self.client.put_events(Entries=chunk)  # type: ignore[arg-type]
                if not response.get("FailedEntryCount"):
                    continue
                for entry, result in zip(chunk, response["Entries"], strict=True):
                    if result.get("ErrorCode"):
                        refused.append(entry)
                        errors.append(f"{result['ErrorCode']}: {result.get('ErrorMessage', '')}")
            if not refused:
                return attempt + 1
            pending = refused
        raise PublishFailed(f"{len(pending)} event(s) refused by {self.name} after {self.attempts} attempts: {errors}")
