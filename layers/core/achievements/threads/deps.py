"""ThreadsWebhookFunction's object graph, built once per container: the store is all it needs."""

from __future__ import annotations

from achievements.core.container import Container
from achievements.core.settings import core_settings
from achievements.store.ingest import ingest_deps

deps = Container(ingest_deps, core_settings)
