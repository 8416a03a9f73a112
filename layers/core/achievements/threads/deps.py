"""ThreadsWebhookFunction's object graph, built once per container."""

from __future__ import annotations

from dataclasses import dataclass

from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.core.settings import CoreSettings, core_settings
from achievements.store import AchievementStore


@dataclass(frozen=True)
class ThreadsDeps:
    settings: CoreSettings
    store: AchievementStore


def _build(settings: CoreSettings, clients: AwsClients) -> ThreadsDeps:
    return ThreadsDeps(settings, AchievementStore(settings.achievements_table_name, client=clients.dynamodb))


deps = Container(_build, core_settings)
