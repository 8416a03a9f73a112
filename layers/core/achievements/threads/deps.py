"""The Threads functions' object graphs, built once per container.

- ThreadsWebhookFunction (`POST /threads/track`): the store is all it needs.
- ThreadsSyncFunction (schedule, `POST /threads/sync`, `GET /threads/sync/status`): the adaptor client,
  the store (refusing counters that go down), the sync's state and the adaptor's auth secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.core.secrets import SecretSource
from achievements.core.settings import core_settings
from achievements.store import AchievementStore
from achievements.store.achievements import default_write_hooks
from achievements.store.ingest import ingest_deps
from achievements.threads.client import ThreadsAdaptorClient
from achievements.threads.rules import counters_never_go_down
from achievements.threads.settings import ThreadsSyncSettings, threads_sync_settings
from achievements.threads.state import SyncStateStore
from achievements.threads.sync import ThreadsSync, secret_auth

deps = Container(ingest_deps, core_settings)


@dataclass(frozen=True)
class ThreadsSyncDeps:
    settings: ThreadsSyncSettings
    sync: ThreadsSync


def _build_sync(
    settings: ThreadsSyncSettings,
    clients: AwsClients,
    adaptor: ThreadsAdaptorClient | None = None,
    **sync_options: Any,
) -> ThreadsSyncDeps:
    """`adaptor` and `sync_options` (load_auth, clock) are ThreadsSync's seams."""
    table = settings.achievements_table_name
    store = AchievementStore.of(settings, clients, write_hooks=[*default_write_hooks(table), counters_never_go_down])
    if "load_auth" not in sync_options:
        source = (
            SecretSource(
                settings.auth_secret_id,
                max_age_seconds=settings.auth_cache_seconds,
                client_factory=lambda: clients.secretsmanager,
            )
            if settings.auth_secret_id
            else None
        )
        sync_options["load_auth"] = secret_auth(source)
    sync = ThreadsSync(
        settings,
        adaptor or ThreadsAdaptorClient(settings.adaptor_url, settings.timeout_seconds, settings.max_concurrency),
        store,
        SyncStateStore(table, clients.dynamodb),
        **sync_options,
    )
    return ThreadsSyncDeps(settings, sync)


sync_deps = Container(_build_sync, threads_sync_settings)
