"""Pydantic models of the read API: career insights, the achievements listing and the portfolio."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from achievements.core.models import Achievement, Category, Source

Basis = Literal["stored counts", "analysis", "estimate", "rule"]


# ---- career insights ---------------------------------------------------------------------------------------


class Trajectory(BaseModel):
    """Growth of the recent months against the months before, from the stored month counts."""

    label: Literal["upward", "steady", "downward", "emerging", "inactive", "no_data"]
    statement: str
    recent_months: list[str] = Field(description="The recent window, oldest first (YYYY-MM, UTC)")
    baseline_months: list[str] = Field(description="The months before it, oldest first")
    recent_count: int
    baseline_count: int
    recent_per_month: float
    baseline_per_month: float
    growth_pct: float | None = Field(description="(recent - baseline) / baseline per month; null without baseline")
    recent_average_impact: float | None = None
    baseline_average_impact: float | None = None
    impact_trend: Literal["accelerating", "stable", "declining"] | None = Field(
        default=None, description="Average impact score of the recent window vs the baseline, when both are scored"
    )
    basis: Basis = "stored counts"


class Competency(BaseModel):
    name: str
    evidence: int = Field(description="How many achievements show it")
    basis: Literal["category", "analysis", "technology"]
    detail: str


class LeadershipComponents(BaseModel):
    presence: float = Field(description="5 x min(1, share / 0.25)")
    volume: float = Field(description="2 x min(1, signals / 10)")
    impact: float = Field(description="3 x average impact score of scored leadership achievements / 100")


class Leadership(BaseModel):
    score: float = Field(ge=0, le=10)
    formula: str
    components: LeadershipComponents
    signals: int
    total: int
    share: float
    scored_signals: int
    average_impact: float | None
    basis: Basis = "stored counts"


class Recommendation(BaseModel):
    text: str
    because: str = Field(description="The stored numbers behind it")
    basis: Basis = "rule"


class SuitableRole(BaseModel):
    name: str
    basis: Literal["analysis", "estimate"]
    evidence: str


class SalaryRangeInsight(BaseModel):
    min: int
    max: int
    currency: str
    basis: Literal["analysis", "estimate"]
    analyses: int = Field(description="How many analyses' ranges were averaged (0 for an estimate)")
    note: str


class TopAchievement(BaseModel):
    id: int
    title: str
    category: Category
    source: Source
    impact_score: float
    occurred_at: datetime


class AnalysedSalary(BaseModel):
    analyses: int
    average_min: float
    average_max: float


class InsightNumbers(BaseModel):
    """The stored numbers every statement above is derived from."""

    total: int
    analysed: int
    scored: int
    average_impact_score: float | None
    by_category: dict[str, int]
    by_source: dict[str, int]
    by_month: dict[str, int]
    average_impact_by_category: dict[str, float]
    average_impact_by_month: dict[str, float] = Field(
        default_factory=dict, description="Average impact score of each month's scored achievements (YYYY-MM)"
    )
    leadership_signals: int
    estimated_revenue_usd: float
    top_achievements: list[TopAchievement] = Field(description="Highest impact_score first (scored ones only)")
    top_skills: dict[str, int]
    top_technologies: dict[str, int]
    analysed_roles: dict[str, int]
    analysed_levels: dict[str, int]
    analysed_salary: dict[str, AnalysedSalary] = Field(description="Per currency, from the analyses' ranges")


class SalaryRange(BaseModel):
    """The reference's `salary_range`: `{min, max, currency}` (0..0 with no achievements)."""

    min: int
    max: int
    currency: str


class CareerInsights(BaseModel):
    """The reference's fields with the reference's types (SPEC §3), and the evidence behind each beside them."""

    trajectory: str = Field(description="One sentence; the numbers behind it are in `trajectory_detail`")
    competencies: list[str] = Field(description="Names; why each is in `competency_evidence`")
    leadership_score: float = Field(ge=0, le=10, description="0-10; see `leadership` for the formula and parts")
    recommendations: list[str] = Field(description="Texts; the numbers behind each are in `recommendation_evidence`")
    suitable_roles: list[str] = Field(description="Role names; where each comes from is in `suitable_role_evidence`")
    salary_range: SalaryRange = Field(description="`{min, max, currency}`; its basis is in `salary_range_detail`")
    trajectory_detail: Trajectory
    competency_evidence: list[Competency]
    leadership: Leadership
    recommendation_evidence: list[Recommendation]
    suitable_role_evidence: list[SuitableRole]
    salary_range_detail: SalaryRangeInsight | None = Field(description="Null with no achievements")


class CareerInsightsResponse(BaseModel):
    """Answer of `GET /analyze/career-insights`."""

    status: Literal["completed", "no_data"]
    generated_at: datetime
    insights: CareerInsights
    numbers: InsightNumbers


# ---- listing -----------------------------------------------------------------------------------------------

Sort = Literal["newest", "oldest", "impact"]
DateField = Literal["created_at", "occurred_at"]


class ListFilters(BaseModel):
    """The filters and order of `GET /achievements`; a cursor is only valid with the filters that made it."""

    category: Category | None = None
    source: Source | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    date_field: DateField = "created_at"
    min_impact: float | None = None
    sort: Sort = "newest"
    person: str | None = None
    team: str | None = None


class AchievementPage(BaseModel):
    """One page of `GET /achievements`."""

    items: list[Achievement]
    count: int
    limit: int
    next_cursor: str | None = Field(
        description="Opaque; pass as `cursor` with the same filters for the next page. Null on the last page"
    )


# ---- portfolio ---------------------------------------------------------------------------------------------

PortfolioFormat = Literal["markdown", "json", "html"]


class PortfolioEntry(BaseModel):
    id: int
    title: str
    description: str
    occurred_at: datetime
    source: Source
    impact_score: float | None
    impact: str
    business_value: str
    technologies: list[str]
    metrics: dict[str, bool | int | float | str | None]


class PortfolioSection(BaseModel):
    category: Category
    title: str
    count: int = Field(description="Achievements of this category in the portfolio")
    total: int = Field(description="Achievements of this category stored")
    entries: list[PortfolioEntry]


class ExecutiveSummary(BaseModel):
    headline: str
    highlights: list[str]
    total: int
    included: int
    limit: int
    leadership_score: float
    trajectory: str


class Portfolio(BaseModel):
    """`GET /portfolio?format=json`; the markdown and html formats render the same content."""

    title: str
    generated_at: datetime
    summary: ExecutiveSummary
    sections: list[PortfolioSection]
