"""Environment of the insights function as pydantic settings (names only: the cursor key is a secret)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, model_validator

from achievements.core.settings import CoreSettings


class InsightsSettings(CoreSettings):
    """InsightsQueryFunction: how page cursors are signed and how big a portfolio may get."""

    cursor_secret_id: str | None = Field(
        default=None,
        description="Name or ARN of the Secrets Manager secret the cursor signing key is derived from",
        validation_alias="CURSOR_SECRET_ID",
    )
    cursor_signing_key: SecretStr | None = Field(
        default=None,
        description="Local use and tests only; the deployed stack never sets it",
        validation_alias="CURSOR_SIGNING_KEY",
    )
    cursor_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 86400, validation_alias="CURSOR_TTL_SECONDS")
    secret_max_age_seconds: int = Field(default=300, ge=0, validation_alias="CURSOR_KEY_CACHE_SECONDS")
    portfolio_max_achievements: int = Field(default=500, ge=1, le=1000, validation_alias="PORTFOLIO_MAX_ACHIEVEMENTS")

    @model_validator(mode="after")
    def _a_cursor_key_source(self) -> InsightsSettings:
        if not self.cursor_secret_id and not self.cursor_signing_key:
            raise ValueError("set CURSOR_SECRET_ID (deployed) or CURSOR_SIGNING_KEY (local) to sign page cursors")
        return self


@lru_cache(maxsize=1)
def insights_settings() -> InsightsSettings:
    return InsightsSettings()  # type: ignore[call-arg]
