"""ReviewsFunction's object graph, built once per container (openai only imported once a summary needs it)."""

from __future__ import annotations

from dataclasses import dataclass

from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.core.llm import make_openai_client, openai_key_source
from achievements.reviews.service import SummaryWriter, SummaryWriters
from achievements.reviews.settings import ReviewsSettings, reviews_settings
from achievements.store import AchievementStore
from achievements.store.reads import AchievementReader


@dataclass(frozen=True)
class ReviewsDeps:
    settings: ReviewsSettings
    store: AchievementStore
    reader: AchievementReader
    writers: SummaryWriters


def _build(settings: ReviewsSettings, clients: AwsClients) -> ReviewsDeps:
    def build_openai(api_key: str) -> SummaryWriter:
        from achievements.reviews.client import OpenAISummaryWriter

        client = make_openai_client(
            api_key, settings.openai_base_url, settings.openai_timeout_seconds, settings.openai_max_retries
        )
        return OpenAISummaryWriter(client, settings.openai_model, settings.openai_max_output_tokens)

    store = AchievementStore.of(settings, clients)
    keys = openai_key_source(
        settings.openai_api_key_secret_id, settings.openai_api_key, settings.secret_max_age_seconds, clients
    )
    return ReviewsDeps(
        settings,
        store,
        AchievementReader(settings.achievements_table_name, client=store.client),
        SummaryWriters(keys, build_openai),
    )


deps = Container(_build, reviews_settings)
