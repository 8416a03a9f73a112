"""PrometheusScrapeFunction's object graph, built once per container."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.prometheus.client import PrometheusClient
from achievements.prometheus.service import PrometheusScraper
from achievements.prometheus.settings import PrometheusSettings, prometheus_settings
from achievements.prometheus.state import MetricStateStore
from achievements.store import AchievementStore


@dataclass(frozen=True)
class PrometheusDeps:
    settings: PrometheusSettings
    scraper: PrometheusScraper


def _build(
    settings: PrometheusSettings,
    clients: AwsClients,
    prometheus: PrometheusClient | None = None,
    **scraper_options: Any,
) -> PrometheusDeps:
    """`prometheus` and `scraper_options` (load_overrides, load_auth, clock) are PrometheusScraper's seams."""
    table = settings.achievements_table_name
    scraper = PrometheusScraper(
        settings,
        prometheus or PrometheusClient(settings.prometheus_url, settings.timeout_seconds),
        AchievementStore.of(settings, clients),
        MetricStateStore(table, client=clients.dynamodb),
        **scraper_options,
    )
    return PrometheusDeps(settings, scraper)


deps = Container(_build, prometheus_settings)
