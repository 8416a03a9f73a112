"""Environment of the access code (names only: the bootstrap token is a secret)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from achievements.core.settings import CoreSettings


class CallerSettings(CoreSettings):
    """Every API function: where its callers' identity comes from."""

    caller_auth: Literal["authorizer", "iam"] = Field(
        default="authorizer",
        description="authorizer: the Lambda authorizer's context; iam: a SigV4-signed caller (AnalystAuth=IAM)",
        validation_alias="CALLER_AUTH",
    )


class AccessSettings(CallerSettings):
    """The authorizer and the tokens API: the tokens table, the bootstrap admin token, the usage plan."""

    tokens_table_name: str = Field(min_length=3, validation_alias="TOKENS_TABLE_NAME")
    bootstrap_token_secret_id: str | None = Field(
        default=None,
        description="Name or ARN of the Secrets Manager secret holding the bootstrap admin token",
        validation_alias="BOOTSTRAP_TOKEN_SECRET_ID",
    )
    bootstrap_token: SecretStr | None = Field(
        default=None, description="Local use and tests only", validation_alias="BOOTSTRAP_TOKEN"
    )
    bootstrap_cache_seconds: int = Field(default=60, ge=0, le=3600, validation_alias="BOOTSTRAP_TOKEN_CACHE_SECONDS")
    usage_plan_name: str = Field(
        default="", description="The API's usage plan (found by name)", validation_alias="USAGE_PLAN_NAME"
    )
    bootstrap_usage_key: str = Field(
        default="",
        description="The bootstrap token's usage-plan key (a key value; no credential: the API takes keys only "
        "from the authorizer)",
        validation_alias="BOOTSTRAP_USAGE_KEY",
    )

    @model_validator(mode="after")
    def _a_bootstrap_source(self) -> AccessSettings:
        if not self.bootstrap_token_secret_id and not self.bootstrap_token:
            raise ValueError("set BOOTSTRAP_TOKEN_SECRET_ID (deployed) or BOOTSTRAP_TOKEN (local)")
        return self


@lru_cache(maxsize=1)
def caller_settings() -> CallerSettings:
    return CallerSettings()  # type: ignore[call-arg]


@lru_cache(maxsize=1)
def access_settings() -> AccessSettings:
    return AccessSettings()  # type: ignore[call-arg]
