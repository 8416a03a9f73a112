"""The API contract of `POST /threads/track` (SPEC §3)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from achievements.core.models import CleanText, RequestDateTime


class ViralPostIn(BaseModel):
    """Body of `POST /threads/track` (SPEC §3)."""

    model_config = ConfigDict(strict=True, extra="ignore", str_strip_whitespace=True)

    hook: CleanText = Field(min_length=1, max_length=1000)
    body: CleanText = Field(default="", max_length=20000)
    engagement_rate: float = Field(ge=0, le=1, allow_inf_nan=False)
    views: int = Field(default=0, ge=0, le=10**12)
    likes: int = Field(default=0, ge=0, le=10**12)
    shares: int = Field(default=0, ge=0, le=10**12)
    persona_id: CleanText | None = Field(default=None, min_length=1, max_length=128)
    post_id: CleanText | None = Field(default=None, min_length=1, max_length=256)
    posted_at: RequestDateTime | None = Field(default=None, strict=False)
