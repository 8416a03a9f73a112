"""Environment of the Prometheus scrape function, validated once per container (names only, no secrets)."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from achievements.core.settings import CoreSettings
from achievements.prometheus.thresholds import HistoryPolicy


class PrometheusSettings(CoreSettings):
    """README, "Environment variables": every field's variable and default."""

    prometheus_url: str = Field(default="http://prometheus:9090", validation_alias="PROMETHEUS_URL")
    timeout_seconds: float = Field(default=5.0, gt=0, le=20, validation_alias="PROMETHEUS_TIMEOUT_SECONDS")
    auth_secret_id: str = Field(default="", max_length=2048, validation_alias="PROMETHEUS_AUTH_SECRET_ID")
    overrides_parameter: str = Field(default="", max_length=2048, validation_alias="PROMETHEUS_OVERRIDES_PARAMETER")
    config_cache_seconds: int = Field(default=60, ge=0, le=3600, validation_alias="PROMETHEUS_CONFIG_CACHE_SECONDS")
    interval_hours: int = Field(default=24, ge=1, validation_alias="SCRAPE_INTERVAL_HOURS")
    schedule_state: Literal["ENABLED", "DISABLED"] = Field(default="ENABLED", validation_alias="SCRAPE_SCHEDULE_STATE")
    intelligent_thresholds: bool = Field(default=False, validation_alias="INTELLIGENT_THRESHOLDS_ENABLED")
    history_window_hours: float = Field(
        default=168, ge=1, le=24 * 90, validation_alias="INTELLIGENT_THRESHOLDS_WINDOW_HOURS"
    )
    history_quantile: float = Field(default=0.9, ge=0.5, le=1, validation_alias="INTELLIGENT_THRESHOLDS_QUANTILE")
    history_min_samples: int = Field(default=24, ge=1, validation_alias="INTELLIGENT_THRESHOLDS_MIN_SAMPLES")

    @field_validator("prometheus_url")
    @classmethod
    def _http_url_without_password(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("PROMETHEUS_URL must be an http(s) URL")
        if parts.password is not None:
            raise ValueError("PROMETHEUS_URL must not carry a password: put it in the PROMETHEUS_AUTH_SECRET_ID secret")
        return value

    @property
    def history_policy(self) -> HistoryPolicy:
        return HistoryPolicy(
            timedelta(hours=self.history_window_hours), self.history_quantile, self.history_min_samples
        )


@lru_cache(maxsize=1)
def prometheus_settings() -> PrometheusSettings:
    return PrometheusSettings()  # type: ignore[call-arg]
