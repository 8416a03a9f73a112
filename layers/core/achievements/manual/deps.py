"""ManualAchievementsFunction's object graph, built once per container."""

from __future__ import annotations

from dataclasses import dataclass

from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.core.settings import CoreSettings, core_settings
from achievements.store import AchievementStore
from achievements.store.people import PeopleRegistry


@dataclass(frozen=True)
class ManualDeps:
    settings: CoreSettings
    store: AchievementStore
    registry: PeopleRegistry


def _build(settings: CoreSettings, clients: AwsClients) -> ManualDeps:
    store = AchievementStore.of(settings, clients)
    return ManualDeps(settings, store, store.registry)


deps = Container(_build, core_settings)
