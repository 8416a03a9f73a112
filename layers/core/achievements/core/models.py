"""Pydantic models of the achievement and of what the API takes and answers."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    FiniteFloat,
    SerializerFunctionWrapHandler,
    StrictBool,
    StrictInt,
    model_serializer,
    model_validator,
)

from achievements.core.texts import clean_text, cleaned


class Category(StrEnum):
    CONTENT = "content"
    BUSINESS = "business"
    PERFORMANCE = "performance"
    DEVELOPMENT = "development"
    INFRASTRUCTURE = "infrastructure"
    RELIABILITY = "reliability"
    LEADERSHIP = "leadership"


class Source(StrEnum):
    THREADS = "threads"
    PROMETHEUS = "prometheus"
    GITHUB = "github"
    MANUAL = "manual"
    KPI = "kpi"


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


MetricValue = StrictBool | StrictInt | FiniteFloat | str | None


def utcnow() -> datetime:
    return datetime.now(UTC)


class AchievementDraft(BaseModel):
    """Everything an event says about an achievement, before the store gives it an id.

    Every string in it is cleaned of control, bidi-override and tag characters (core/texts.py) before it is
    stored, rendered or put in a prompt.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _clean_strings(cls, data: Any) -> Any:
        return cleaned(data) if isinstance(data, dict) else data

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(max_length=4000)
    category: Category
    source: Source
    source_ref: str = Field(min_length=1, max_length=512, description="External id unique within the source")
    occurred_at: datetime | None = Field(
        default=None, description="When it happened; the store uses the creation time when the event gave none"
    )
    impact: str = ""
    impact_score: float | None = Field(default=None, ge=0, le=100)
    business_value: str = ""
    metrics: dict[str, MetricValue] = Field(default_factory=dict)
    technologies: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    persona_id: str | None = None
    author: str | None = None
    evidence: dict[str, Any] = Field(default_factory=dict)
    not_below: dict[str, FiniteFloat] = Field(
        default_factory=dict,
        description=(
            "Numbers a repeat of the event may not lower (SPEC §5), set by the source's rules: a post's counters, "
            "a milestone's % past target, a GitHub payload's time; a repeat that lowers one is unchanged"
        ),
    )


class Achievement(AchievementDraft):
    """A stored achievement: a draft plus its sequential id and bookkeeping."""

    id: int = Field(ge=1)
    occurred_at: datetime
    created_at: datetime
    updated_at: datetime
    fingerprint: str = Field(description="Hash of the event content; a repeat with the same one is unchanged")
    analysis: dict[str, Any] | None = None
    # People (SPEC §8). Absent on achievements stored before people existed: those belong to the default owner.
    person: str | None = Field(default=None, description="Whose it is (a slug); null: the default owner")
    teams: list[str] = Field(default_factory=list, description="The person's teams when it was written")
    attributed_by: Literal["explicit", "alias", "default"] | None = Field(
        default=None, description="How `person` was chosen: given explicitly, by an alias, or the default owner"
    )
    hidden: bool = Field(default=False, description="Left out of the portfolio (still counted)")
    deleted_at: datetime | None = Field(default=None, description="Soft-deleted (restorable); counts nowhere")
    edited: list[str] = Field(
        default_factory=list, description="Fields a person edited: a repeat of the event keeps their text"
    )


class WriteStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class WriteResult(BaseModel):
    status: WriteStatus
    achievement_id: int
    reason: str | None = Field(default=None, description="Why a repeat changed nothing, when it was worse")


class TrackResponse(BaseModel):
    """Answer of the ingest routes: created/updated/unchanged with the id, or skipped with the reason."""

    status: str = Field(examples=["created", "updated", "unchanged", "skipped"])
    achievement_id: int | None = None
    reason: str | None = None

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # The reference answers {"status": "created", "achievement_id": 42}: no null fields.
        return {key: value for key, value in handler(self).items() if value is not None}


class ErrorResponse(BaseModel):
    message: str
    details: list[dict[str, Any]] | None = None


def _date_time_text(value: Any) -> Any:
    # Lax parsing would read a number as Unix time: `"posted_at": 0` would silently mean 1970.
    if isinstance(value, int | float):
        raise ValueError("expected an ISO 8601 date-time string, not a number")
    return value


def _decimal_digits(value: Any) -> Any:
    # Lax int parsing takes "01", "+1", "1_000" and " 1"; an id is written one way only.
    if isinstance(value, str) and not (value.isascii() and value.isdigit() and value[:1] != "0"):
        raise ValueError("expected a positive integer in decimal digits (no sign, leading zero, space or _)")
    return value


def _visible(value: str) -> str:
    kept = clean_text(value)
    if not kept.strip():
        raise ValueError("holds no visible character (control, bidi-override and tag characters are removed)")
    return kept


# Text of a request body, after its StringConstraints (`Annotated[str, StringConstraints(...), Cleaned]`): the
# limits apply to what was sent (as the OpenAPI document says), what is kept has control, bidi-override and tag
# characters removed.
Cleaned = AfterValidator(clean_text)
# The same, and at least one visible character must be left: a title of control characters only is a 422.
Visible = AfterValidator(_visible)

# An id in a path: a positive integer written in plain decimal digits.
IdNumber = Annotated[int, BeforeValidator(_decimal_digits)]


def in_utc_range(value: datetime) -> datetime:
    """`value`, when it is still a date-time once converted to UTC (year 1 at +23:59 is not: it would be year 0)."""
    try:
        value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("date-time is out of range once converted to UTC (years 1..9999)") from error
    return value


# A date-time with an offset that has a UTC equivalent (payloads from outside systems: GitHub).
UtcDateTime = Annotated[AwareDatetime, AfterValidator(in_utc_range)]
# A request body's date-time: an ISO 8601 string with an offset (as the OpenAPI document says), never a number.
RequestDateTime = Annotated[AwareDatetime, BeforeValidator(_date_time_text), AfterValidator(in_utc_range)]
