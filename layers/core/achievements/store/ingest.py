"""The object graph of an ingest function whose only outside system is the store (threads, KPI)."""

from __future__ import annotations

from dataclasses import dataclass

from achievements.core.aws import AwsClients
from achievements.core.settings import CoreSettings
from achievements.store.achievements import AchievementStore


@dataclass(frozen=True)
class IngestDeps:
    settings: CoreSettings
    store: AchievementStore


def ingest_deps(settings: CoreSettings, clients: AwsClients) -> IngestDeps:
    return IngestDeps(
        settings,
        AchievementStore.of(settings, clients),
    )
