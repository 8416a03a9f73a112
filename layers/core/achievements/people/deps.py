"""PeopleFunction's and ReattributionFunction's object graph, built once per container."""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.people.queue import ReattributionJob, ReattributionQueue
from achievements.people.reattribution import reattribute
from achievements.people.settings import PeopleSettings, people_settings
from achievements.store import AchievementStore
from achievements.store.people import PeopleRegistry
from achievements.store.reads import AchievementReader


@dataclass(frozen=True)
class PeopleDeps:
    settings: PeopleSettings
    store: AchievementStore
    registry: PeopleRegistry
    reader: AchievementReader
    queue: ReattributionQueue
    processor: BatchProcessor

    def record_handler(self, record: SQSRecord) -> int:
        """One re-attribution message; raising fails only this message (it retries, then the DLQ)."""
        return reattribute(self.store, self.registry, self.queue, ReattributionJob.model_validate_json(record.body))


def _build(settings: PeopleSettings, clients: AwsClients) -> PeopleDeps:
    store = AchievementStore.of(settings, clients)
    return PeopleDeps(
        settings,
        store,
        store.registry,
        AchievementReader(settings.achievements_table_name, client=store.client),
        ReattributionQueue(settings.reattribution_queue_url, client_factory=lambda: clients.sqs),
        BatchProcessor(event_type=EventType.SQS),
    )


deps = Container(_build, people_settings)
