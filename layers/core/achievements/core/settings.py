"""Environment of the functions as pydantic settings, validated once per container."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CoreSettings(BaseSettings):
    """What every function reads from its environment (names only; secrets come from Secrets Manager)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    achievements_table_name: str = Field(min_length=3, validation_alias="ACHIEVEMENTS_TABLE_NAME")
    max_body_bytes: int = Field(default=64 * 1024, gt=0, validation_alias="MAX_BODY_BYTES")
    # SPEC §8: whose an achievement is when neither the event nor the registry says (template DefaultOwner).
    default_owner: str = Field(
        default="me", pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$", validation_alias="DEFAULT_OWNER"
    )


@lru_cache(maxsize=1)
def core_settings() -> CoreSettings:
    return CoreSettings()  # type: ignore[call-arg]
