"""Environment of the deep-analysis functions as pydantic settings (names only: the key lives in Secrets Manager)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from achievements.core.settings import CoreSettings, OpenAISettings


class AnalysisRequestSettings(CoreSettings):
    """AnalysisRequestFunction: where to queue analyses."""

    analysis_queue_url: str = Field(min_length=1, validation_alias="ANALYSIS_QUEUE_URL")


class DeepAnalysisSettings(OpenAISettings):
    """DeepAnalysisFunction: the OpenAI client's model, key source, timeout and retries."""

    idempotency_table_name: str = Field(min_length=3, validation_alias="IDEMPOTENCY_TABLE_NAME")
    # 3 attempts x 25 s + SDK backoff stays well under the worker's 120 s timeout.
    openai_timeout_seconds: float = Field(default=25.0, gt=0, le=300, validation_alias="OPENAI_TIMEOUT_SECONDS")
    openai_max_retries: int = Field(default=2, ge=0, le=5, validation_alias="OPENAI_MAX_RETRIES")
    openai_max_output_tokens: int = Field(default=1500, ge=256, le=16_000, validation_alias="OPENAI_MAX_OUTPUT_TOKENS")
    auto_analysis_daily_cap: int = Field(
        default=100, ge=0, description="Automatic analyses per UTC day", validation_alias="AUTO_ANALYSIS_DAILY_CAP"
    )
    analysis_concurrency: int = Field(default=10, ge=1, le=10, validation_alias="ANALYSIS_CONCURRENCY")


@lru_cache(maxsize=1)
def analysis_request_settings() -> AnalysisRequestSettings:
    return AnalysisRequestSettings()  # type: ignore[call-arg]


@lru_cache(maxsize=1)
def deep_analysis_settings() -> DeepAnalysisSettings:
    return DeepAnalysisSettings()  # type: ignore[call-arg]
