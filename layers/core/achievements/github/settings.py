"""Environment of the GitHub webhook function (names only: the webhook secret lives in Secrets Manager)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, model_validator

from achievements.core.settings import CoreSettings

# Below 1 MB on purpose: merged-PR and release payloads run to tens of KB (a PR body is at most 65,536
# characters, a release body 125,000), while GitHub itself would send up to 25 MB.
DEFAULT_GITHUB_MAX_BODY_BYTES = 512 * 1024


class GitHubWebhookSettings(CoreSettings):
    """GitHubWebhookFunction: where the webhook secret is and how large a delivery may be."""

    webhook_secret_id: str = Field(
        default="",
        description="Name or ARN of the Secrets Manager secret holding the webhook secret",
        validation_alias="GITHUB_WEBHOOK_SECRET_ID",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Local runs only, used when GITHUB_WEBHOOK_SECRET_ID is empty; the deployed stack never sets it",
        validation_alias="GITHUB_WEBHOOK_SECRET",
    )
    secret_max_age_seconds: int = Field(default=300, ge=0, le=3600, validation_alias="GITHUB_WEBHOOK_SECRET_MAX_AGE")
    github_max_body_bytes: int = Field(
        default=DEFAULT_GITHUB_MAX_BODY_BYTES, ge=1024, validation_alias="GITHUB_MAX_BODY_BYTES"
    )

    @model_validator(mode="after")
    def _has_a_secret(self) -> GitHubWebhookSettings:
        if not self.webhook_secret_id and not (self.webhook_secret and self.webhook_secret.get_secret_value()):
            raise ValueError("set GITHUB_WEBHOOK_SECRET_ID (deployed) or GITHUB_WEBHOOK_SECRET (local runs only)")
        return self


@lru_cache(maxsize=1)
def github_webhook_settings() -> GitHubWebhookSettings:
    return GitHubWebhookSettings()  # type: ignore[call-arg]
