"""InsightsQueryFunction's object graph (both AnalystAuth modes), built once per container."""

from __future__ import annotations

from dataclasses import dataclass

from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.core.secrets import SecretSource
from achievements.insights.cursor import CursorCodec
from achievements.insights.settings import InsightsSettings, insights_settings
from achievements.store import AchievementStore
from achievements.store.reads import AchievementReader


@dataclass(frozen=True)
class InsightsDeps:
    settings: InsightsSettings
    store: AchievementStore
    reader: AchievementReader
    cursors: CursorCodec


def _build(settings: InsightsSettings, clients: AwsClients) -> InsightsDeps:
    table = settings.achievements_table_name
    cursor_key = SecretSource(
        settings.cursor_secret_id or "",
        local_value=settings.cursor_signing_key.get_secret_value() if settings.cursor_signing_key else None,
        max_age_seconds=settings.secret_max_age_seconds,
        client_factory=lambda: clients.secretsmanager,
    )
    return InsightsDeps(
        settings,
        AchievementStore(table, client=clients.dynamodb),
        AchievementReader(table, client=clients.dynamodb),
        CursorCodec(cursor_key.get, settings.cursor_ttl_seconds),
    )


deps = Container(_build, insights_settings)
