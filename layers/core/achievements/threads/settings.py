"""Environment of the Threads-Agent sync function, validated once per container (names only, no secrets)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import ConfigDict, Field, field_validator

from achievements.core.settings import CoreSettings


class ThreadsSyncSettings(CoreSettings):
    """docs/threads.md, "Threads-Agent sync": every field's variable and default."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    adaptor_url: str = Field(default="http://threads-adaptor:8000", validation_alias="THREADS_ADAPTOR_URL")
    timeout_seconds: float = Field(default=5.0, gt=0, le=20, validation_alias="THREADS_ADAPTOR_TIMEOUT_SECONDS")
    auth_secret_id: str = Field(default="", max_length=2048, validation_alias="THREADS_ADAPTOR_AUTH_SECRET_ID")
    auth_cache_seconds: int = Field(default=300, ge=0, le=3600, validation_alias="THREADS_ADAPTOR_AUTH_CACHE_SECONDS")
    limit: int = Field(default=50, ge=1, le=200, validation_alias="THREADS_SYNC_LIMIT")
    persona_ids: tuple[str, ...] = Field(default=(), validation_alias="THREADS_SYNC_PERSONA_IDS")
    max_concurrency: int = Field(default=8, ge=1, le=32, validation_alias="THREADS_SYNC_MAX_CONCURRENCY")
    run_seconds: float = Field(default=22.0, gt=0, le=900, validation_alias="THREADS_SYNC_RUN_SECONDS")
    interval_hours: int = Field(default=1, ge=1, validation_alias="THREADS_SYNC_INTERVAL_HOURS")
    schedule_state: Literal["ENABLED", "DISABLED"] = Field(
        default="ENABLED", validation_alias="THREADS_SYNC_SCHEDULE_STATE"
    )

    @field_validator("persona_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
        return value

    @field_validator("persona_ids")
    @classmethod
    def _plain_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(value) > 20 or any(len(item) > 128 or not item.isprintable() for item in value):
            raise ValueError("THREADS_SYNC_PERSONA_IDS: at most 20 printable ids of at most 128 characters")
        return value

    @field_validator("adaptor_url")
    @classmethod
    def _http_url_without_password(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("THREADS_ADAPTOR_URL must be an http(s) URL")
        if parts.username is not None or parts.password is not None:
            raise ValueError("THREADS_ADAPTOR_URL must not carry credentials: put them in the auth secret")
        return value

    @property
    def adaptor_host(self) -> str:
        """Scheme, host and port of the adaptor, as reports and the status show it."""
        parts = urlsplit(self.adaptor_url)
        host = parts.hostname or ""
        return urlunsplit((parts.scheme, f"{host}:{parts.port}" if parts.port else host, "", "", ""))


@lru_cache(maxsize=1)
def threads_sync_settings() -> ThreadsSyncSettings:
    return ThreadsSyncSettings()  # type: ignore[call-arg]
