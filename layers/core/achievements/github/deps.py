"""GitHubWebhookFunction's object graph, built once per container."""

from __future__ import annotations

from dataclasses import dataclass

from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.core.secrets import SecretSource, secret_source
from achievements.github.deliveries import DeliveryLog
from achievements.github.settings import GitHubWebhookSettings, github_webhook_settings
from achievements.store import AchievementStore


@dataclass(frozen=True)
class GitHubDeps:
    settings: GitHubWebhookSettings
    store: AchievementStore
    deliveries: DeliveryLog
    webhook_secret: SecretSource


def _build(settings: GitHubWebhookSettings, clients: AwsClients) -> GitHubDeps:
    table = settings.achievements_table_name
    return GitHubDeps(
        settings,
        AchievementStore.of(settings, clients),
        DeliveryLog(table, client=clients.dynamodb),
        # The client is made on first use (a delivery refused before its signature is read costs none).
        secret_source(settings.webhook_secret_id, settings.webhook_secret, settings.secret_max_age_seconds, clients),
    )


deps = Container(_build, github_webhook_settings)
