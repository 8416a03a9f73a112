"""InsightsQueryFunction's object graph (both AnalystAuth modes), built once per container."""

from __future__ import annotations

from dataclasses import dataclass

from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.core.secrets import secret_source
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
    key = secret_source(
        settings.cursor_secret_id, settings.cursor_signing_key, settings.secret_max_age_seconds, clients
    )
    store = AchievementStore.of(settings, clients)
    reader = AchievementReader(settings.achievements_table_name, client=store.client)
    return InsightsDeps(settings, store, reader, CursorCodec(key.get, settings.cursor_ttl_seconds))


deps = Container(_build, insights_settings)
