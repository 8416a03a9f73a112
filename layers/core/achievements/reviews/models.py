"""Pydantic models of `GET /reviews`: the review document (its JSON format) and its parts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from achievements.core.models import Category, Source

ReviewFormat = Literal["markdown", "json", "html"]
PeriodKind = Literal["quarter", "half", "year", "month", "last-days", "range"]


class Period(BaseModel):
    """A period and the one it is compared with (the previous period of equal length)."""

    label: str = Field(examples=["2026-Q3"])
    kind: PeriodKind
    start: datetime = Field(description="First moment of the period (inclusive, UTC)")
    end: datetime = Field(description="Last moment of the period (inclusive)")
    previous_label: str
    previous_start: datetime
    previous_end: datetime


class ReviewScope(BaseModel):
    person: str | None = None
    team: str | None = None
    name: str = Field(description="Whose review it is, as shown: the person's name, the team or 'everyone'")


class HeadlineNumber(BaseModel):
    """One number of the period against the previous period, with the achievements behind each."""

    name: Literal["achievements", "average_impact", "revenue_usd", "kpi_wins"]
    label: str
    current: float | None = Field(description="Null: nothing to average (no scored achievement)")
    previous: float | None
    change: float | None = Field(description="current - previous, when both exist")
    change_pct: float | None = Field(description="change / previous x 100, when previous is not zero")
    cited: list[int] = Field(description="Ids of the period's achievements this number is computed from")
    previous_cited: list[int] = Field(description="Ids of the previous period's achievements behind it")


class Evidence(BaseModel):
    """A link (or a reference without one) to what shows the achievement happened."""

    kind: Literal["pull_request", "release", "post", "metric", "achievement"]
    label: str
    url: str | None = None


class Highlight(BaseModel):
    id: int
    title: str
    category: Category
    source: Source
    occurred_at: datetime
    impact_score: float | None
    why: str = Field(description="Why it is a highlight (its numbers)")
    evidence: list[Evidence]


class SkillShown(BaseModel):
    name: str
    count: int = Field(description="Achievements of the period showing it")
    new: bool = Field(description="Not shown by any achievement of the previous period")
    cited: list[int]


class Win(BaseModel):
    """A KPI or content win of the period: its achievement and its main numbers."""

    id: int
    title: str
    detail: str


class ReviewEntry(BaseModel):
    id: int
    title: str
    occurred_at: datetime
    source: Source
    impact_score: float | None
    impact: str
    business_value: str


class ReviewSection(BaseModel):
    category: Category
    title: str
    count: int
    average_impact: float | None
    cited: list[int]
    entries: list[ReviewEntry] = Field(description="Highest impact first, at most SECTION_ENTRIES")
    more: int = Field(description="Achievements of this category not listed")


class NextStep(BaseModel):
    text: str
    cited: list[int] = Field(description="The analysed achievements that suggest it")


class MonthNumbers(BaseModel):
    month: str
    count: int
    by_category: dict[str, int]
    average_impact: float | None


class ReviewSummary(BaseModel):
    """A paragraph written from the numbers: by OpenAI (labelled AI-written) or by the offline writer."""

    text: str
    written_by: Literal["openai", "offline"]
    label: str = Field(description="Shown with it, always: who wrote it and how to read it")
    model: str | None = None
    cited: list[int]
    fallback_reason: str | None = Field(default=None, description="Why OpenAI's paragraph was not used")


class Review(BaseModel):
    """`GET /reviews?format=json`; the markdown and html formats render the same content."""

    title: str
    generated_at: datetime
    scope: ReviewScope
    period: Period
    headline: list[HeadlineNumber]
    highlights: list[Highlight]
    skills: list[SkillShown]
    kpi_wins: list[Win]
    content_wins: list[Win]
    sections: list[ReviewSection]
    next_steps: list[NextStep]
    months: list[MonthNumbers]
    summary: ReviewSummary | None = None
    items_read: int = Field(description="Achievement items read from the store for both periods")
    complete: bool = Field(description="False when the read stopped at its limit (the numbers are a lower bound)")


class SummaryContent(BaseModel):
    """What OpenAI returns (structured output): one paragraph and the achievements it draws on."""

    paragraph: str = Field(min_length=1, max_length=1500)
    cited_ids: list[int] = Field(max_length=50)
