"""Environment of PipelineOutboxFunction: the bus, the idempotency table, the API's URL for links."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from achievements.core.settings import CoreSettings


class PipelineSettings(CoreSettings):
    event_bus_name: str = Field(min_length=1, validation_alias="EVENT_BUS_NAME")
    idempotency_table_name: str = Field(min_length=3, validation_alias="IDEMPOTENCY_TABLE_NAME")
    api_url: str | None = Field(default=None, description="Base of the events' links", validation_alias="API_URL")
    publish_attempts: int = Field(default=4, ge=1, le=10, validation_alias="PUBLISH_ATTEMPTS")
    # Longer than a stream record lives (24 h): a redelivered record never publishes its event twice.
    published_ttl_seconds: int = Field(default=2 * 86400, ge=3600, validation_alias="PUBLISHED_TTL_SECONDS")


@lru_cache(maxsize=1)
def pipeline_settings() -> PipelineSettings:
    return PipelineSettings()  # type: ignore[call-arg]
