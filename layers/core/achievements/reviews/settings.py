"""Environment of the reviews function as pydantic settings (names only: the OpenAI key lives in Secrets Manager)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from achievements.core.settings import OpenAISettings
from achievements.store.periods import MAX_PERIOD_READ


class ReviewsSettings(OpenAISettings):
    """ReviewsFunction: how much a review may read, and the OpenAI client of its optional summary."""

    review_max_items: int = Field(
        default=MAX_PERIOD_READ,
        ge=100,
        le=20_000,
        description="A review reads at most this many achievements (both periods); past it, it says it is partial",
        validation_alias="REVIEW_MAX_ITEMS",
    )
    # An API answer: the template sets one 10 s try and one retry, inside API Gateway's 29 s.
    openai_timeout_seconds: float = Field(default=8.0, gt=0, le=300, validation_alias="OPENAI_TIMEOUT_SECONDS")
    openai_max_retries: int = Field(default=1, ge=0, le=5, validation_alias="OPENAI_MAX_RETRIES")
    openai_max_output_tokens: int = Field(default=400, ge=100, le=2000, validation_alias="OPENAI_MAX_OUTPUT_TOKENS")


@lru_cache(maxsize=1)
def reviews_settings() -> ReviewsSettings:
    return ReviewsSettings()  # type: ignore[call-arg]
