"""Pydantic models of the Prometheus scrape: what it takes, what it answers, what it remembers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from achievements.core.models import WriteStatus

MetricName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,99}$")]


class ScrapeTrigger(StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"


class ScrapeOutcome(StrEnum):
    SUCCEEDED = "succeeded"  # every metric answered
    PARTIAL = "partial"  # some metrics failed (see errors); the others were evaluated
    FAILED = "failed"  # nothing could be evaluated (every metric failed, or the configuration is unusable)


class MetricError(BaseModel):
    kind: str = Field(examples=["timeout", "no_data", "not_finite"])
    message: str


class ScrapedAchievement(BaseModel):
    achievement_id: int
    status: WriteStatus
    metric_name: str
    kind: Literal["improvement", "milestone"]
    title: str


class ScrapeReport(BaseModel):
    """What one scrape found: the answer of `POST /prometheus/scrape`, and the last run in the status."""

    run_id: str
    trigger: ScrapeTrigger
    started_at: datetime
    finished_at: datetime
    outcome: ScrapeOutcome
    error: str | None = Field(default=None, description="Why the whole scrape failed (e.g. unusable configuration)")
    values: dict[str, float] = Field(default_factory=dict, description="Value of each metric that answered")
    thresholds: dict[str, float] = Field(default_factory=dict, description="Effective threshold each value met or not")
    threshold_sources: dict[str, str] = Field(default_factory=dict, description="`static` or `history`")
    achievements: list[ScrapedAchievement] = Field(default_factory=list)
    errors: dict[str, MetricError] = Field(default_factory=dict, description="Each metric that failed, and why")


class ScrapeRequest(BaseModel):
    """Optional body of `POST /prometheus/scrape`: scrape only some metrics."""

    model_config = ConfigDict(extra="forbid", strict=True)

    metrics: list[MetricName] | None = Field(default=None, min_length=1, max_length=50)


class MetricState(BaseModel):
    """What is remembered of one metric between runs (a Lambda keeps nothing)."""

    name: str
    last_value: float | None = None
    last_value_at: datetime | None = None
    threshold: float | None = None
    version: int = Field(default=0, description="How many values were recorded; part of improvement dedupe keys")
    last_checked_at: datetime | None = None
    last_error: MetricError | None = None


class IntelligentThresholdsStatus(BaseModel):
    enabled: bool
    window_hours: float
    quantile: float
    min_samples: int


class MetricStatus(BaseModel):
    threshold: float
    direction: str
    query: str
    milestones: list[float] = Field(default_factory=list)
    last_value: float | None = None
    last_value_at: datetime | None = None
    last_checked_at: datetime | None = None
    last_error: MetricError | None = None


class StatusResponse(BaseModel):
    """`GET /prometheus/status`: the reference's fields plus when the scrape last ran and what failed."""

    status: Literal["active", "paused"]
    interval_hours: int
    thresholds: dict[str, float]
    last_values: dict[str, float]
    last_run_at: datetime | None = None
    last_outcome: ScrapeOutcome | None = None
    last_errors: dict[str, MetricError] = Field(
        default_factory=dict, description="Metrics failing as of their last check"
    )
    intelligent_thresholds: IntelligentThresholdsStatus
    metrics: dict[str, MetricStatus] = Field(default_factory=dict)
    last_run: ScrapeReport | None = None
    config_error: str | None = None
