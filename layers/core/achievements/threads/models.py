"""The API contracts of `POST /threads/track` (SPEC §3) and of the Threads-Agent sync (SPEC §7)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from achievements.core.models import Cleaned, RequestDateTime, Visible


class ViralPostIn(BaseModel):
    """Body of `POST /threads/track` (SPEC §3)."""

    model_config = ConfigDict(strict=True, extra="ignore", str_strip_whitespace=True)

    hook: Annotated[str, StringConstraints(min_length=1, max_length=1000), Visible]
    body: Annotated[str, StringConstraints(max_length=20000), Cleaned] = ""
    engagement_rate: float = Field(ge=0, le=1, allow_inf_nan=False)
    views: int = Field(default=0, ge=0, le=10**12)
    likes: int = Field(default=0, ge=0, le=10**12)
    shares: int = Field(default=0, ge=0, le=10**12)
    persona_id: Annotated[str, StringConstraints(min_length=1, max_length=128), Visible] | None = None
    post_id: Annotated[str, StringConstraints(min_length=1, max_length=256), Visible] | None = None
    posted_at: RequestDateTime | None = Field(default=None, strict=False)


# ---- Threads-Agent sync: the threads-adaptor's answers (SPEC §7) and the sync's report/status -------------

AdaptorId = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f/?#]+$")]
Counter = Annotated[int, Field(ge=0, le=10**12)]


def _utc(value: Any) -> Any:
    """The adaptor's `published_at` is ISO 8601 without a zone, meaning UTC; one with a zone is converted."""
    if isinstance(value, int | float):  # bool is an int
        raise ValueError("expected an ISO 8601 date-time string, not a number")
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return value


AdaptorDateTime = Annotated[datetime, BeforeValidator(_utc)]


class AdaptorPost(BaseModel):
    """One entry of the threads-adaptor's `GET /posts` (content: the first 100 characters, then "...")."""

    model_config = ConfigDict(strict=True, extra="ignore", str_strip_whitespace=True)

    thread_id: AdaptorId
    persona_id: str = Field(min_length=1, max_length=128)
    content: str = Field(min_length=1, max_length=20000)
    engagement_rate: float = Field(ge=0, le=1, allow_inf_nan=False)
    likes_count: Counter = 0
    comments_count: Counter = 0
    published_at: AdaptorDateTime = Field(strict=False)


class AdaptorEngagement(BaseModel):
    """The threads-adaptor's `GET /engagement/{thread_id}`: the post's counters now."""

    model_config = ConfigDict(strict=True, extra="ignore", str_strip_whitespace=True)

    thread_id: AdaptorId
    persona_id: str | None = Field(default=None, min_length=1, max_length=128)
    engagement_rate: float = Field(ge=0, le=1, allow_inf_nan=False)
    likes_count: Counter = 0
    comments_count: Counter = 0
    shares_count: Counter = 0
    impressions_count: Counter = 0
    published_at: AdaptorDateTime | None = Field(default=None, strict=False)
    updated_at: AdaptorDateTime | None = Field(default=None, strict=False)


class SyncTrigger(StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"


class SyncOutcome(StrEnum):
    SUCCEEDED = "succeeded"  # every post was read and decided
    PARTIAL = "partial"  # some posts (or one persona's list) failed; the others were stored
    FAILED = "failed"  # nothing could be read (the adaptor down, its answer unusable, the configuration broken)


class SyncFailureKind(StrEnum):
    UNREACHABLE = "unreachable"  # connection refused, DNS, TLS
    TIMEOUT = "timeout"  # no (complete) answer within the timeout
    HTTP_ERROR = "http_error"  # an error status (500, 401, ...)
    NOT_FOUND = "not_found"  # 404 for one post's engagement
    BAD_RESPONSE = "bad_response"  # not JSON, or JSON of another shape than SPEC §7's
    TOO_LARGE = "too_large"  # an answer over the byte limit, or more posts than asked for
    INVALID_POST = "invalid_post"  # a post or its engagement breaks the contract (NaN rate, rate > 1, ...)
    NO_IMPRESSIONS = "no_impressions"  # a rate without impressions behind it: nothing to measure yet
    CONFIG = "config"  # the auth secret is unreadable or unusable


class SyncFailure(BaseModel):
    kind: SyncFailureKind
    message: str
    thread_id: str | None = Field(default=None, description="The post that failed; none for a whole list")
    persona_id: str | None = None


class SyncedPost(BaseModel):
    """What became of one post of the adaptor's list."""

    thread_id: str
    persona_id: str | None = None
    status: Literal["created", "updated", "unchanged", "skipped", "failed"]
    achievement_id: int | None = None
    engagement_rate: float | None = None
    reason: str | None = None


class SyncCounts(BaseModel):
    seen: int = Field(
        default=0, description="Entries read from the adaptor's lists: created + updated + unchanged + skipped + failed"
    )
    viral: int = Field(default=0, description="Posts at or above the viral threshold in the list")
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = Field(default=0, description="Below the threshold (list or engagement), or a duplicate entry")
    failed: int = 0


class SyncReport(BaseModel):
    """One sync: the answer of `POST /threads/sync`, and the last run in `GET /threads/sync/status`."""

    run_id: str
    trigger: SyncTrigger
    started_at: datetime
    finished_at: datetime
    outcome: SyncOutcome
    adaptor_host: str = Field(description="The adaptor's scheme, host and port (never credentials)")
    persona_ids: list[str] = Field(default_factory=list, description="Personas listed (empty: all at once)")
    limit: int
    counts: SyncCounts = Field(default_factory=SyncCounts)
    posts: list[SyncedPost] = Field(default_factory=list)
    errors: list[SyncFailure] = Field(default_factory=list)


class SyncRequest(BaseModel):
    """Optional body of `POST /threads/sync`: one persona, another limit."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    persona_id: str | None = Field(default=None, min_length=1, max_length=128, pattern=r"^[^\x00-\x1f/?#&=]+$")
    limit: int | None = Field(default=None, ge=1, le=200)


class SyncStatus(BaseModel):
    """`GET /threads/sync/status`: the schedule, the adaptor (its host only), the last run."""

    status: Literal["active", "paused"]
    interval_hours: int
    adaptor_host: str
    limit: int
    persona_ids: list[str]
    auth: Literal["secret", "none"] = Field(description="Whether the adaptor is called with the auth secret")
    last_run_at: datetime | None = None
    last_trigger: SyncTrigger | None = None
    last_outcome: SyncOutcome | None = None
    last_counts: SyncCounts | None = None
    last_errors: list[SyncFailure] = Field(default_factory=list)
    last_run: SyncReport | None = None
