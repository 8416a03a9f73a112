"""Deep analysis (SPEC §3): the schema an analyzer must fill, its stored form, the queue message, the answers.

`DeepAnalysisContent` is what a model produces; it is sent to OpenAI as the structured-output schema, so it
uses only JSON-schema keywords strict mode accepts (enums, minimum/maximum, pattern, maxItems). Rules the schema
cannot express (a salary minimum not above its maximum) are pydantic validators: whatever comes back is
validated again here, whatever the achievement text asked for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictInt,
    model_serializer,
    model_validator,
)

SkillLevel = Literal["Junior", "Mid-level", "Senior", "Senior/Expert", "Expert"]
Rating = Literal["Low", "Moderate", "High", "Very High"]
AnalyzerName = Literal["openai", "offline"]


class _Strict(BaseModel):
    # Strict types too: "90" is not a score, whatever a model (or a fake of one) sends.
    model_config = ConfigDict(extra="forbid", strict=True)


class SalaryRange(_Strict):
    min: int = Field(ge=0, le=10_000_000, description="Yearly base salary, lower bound")
    max: int = Field(ge=0, le=10_000_000, description="Yearly base salary, upper bound (not below min)")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD")

    @model_validator(mode="after")
    def _min_not_above_max(self) -> SalaryRange:
        if self.min > self.max:
            raise ValueError(f"salary_range.min {self.min} is above salary_range.max {self.max}")
        return self


class SkillsAssessment(_Strict):
    technical_skills: list[str] = Field(max_length=12)
    soft_skills: list[str] = Field(max_length=8)
    transferable_skills: list[str] = Field(max_length=8)
    skill_level: SkillLevel


class CareerImplications(_Strict):
    suitable_roles: list[str] = Field(max_length=8)
    salary_range: SalaryRange
    career_level: str = Field(description="e.g. Mid, Senior, Senior+, Staff+")
    advancement_potential: Rating


class MarketRelevance(_Strict):
    industry_demand: Rating
    future_relevance: str = Field(description="How long the skills stay in demand, e.g. 5+ years")
    uniqueness: str
    competitive_advantage: str


class DeepAnalysisContent(_Strict):
    """What an analyzer says about one achievement: SPEC §3 'Deep analysis', field for field."""

    impact_score: int = Field(ge=0, le=100, description="0-100: how much the achievement mattered")
    reasoning: str = Field(description="Why this score, citing the achievement's own numbers")
    skills: SkillsAssessment
    career_implications: CareerImplications
    market_relevance: MarketRelevance
    strengths: list[str] = Field(max_length=8)
    next_steps: list[str] = Field(max_length=8)
    market_value: str = Field(description="e.g. 'High demand - $150k-$200k range'")


class TokenUsage(BaseModel):
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    total_tokens: int = Field(default=0, ge=0)


class DeepAnalysis(DeepAnalysisContent):
    """A stored analysis: the content plus who produced it, when, from which content, at what cost."""

    # Stored analyses are read back leniently: a later version may have added fields.
    model_config = ConfigDict(extra="ignore", strict=False)

    analyzer: AnalyzerName
    analyzer_version: str
    model: str | None = Field(default=None, description="The OpenAI model that answered; none offline")
    analyzed_at: datetime
    achievement_fingerprint: str = Field(description="Fingerprint of the achievement content analysed")
    token_usage: TokenUsage = Field(default_factory=TokenUsage)
    duration_seconds: float = Field(default=0.0, ge=0)
    fallback_reason: str | None = Field(
        default=None, description="Why the offline analyzer answered although OpenAI is configured"
    )


class AnalysisJob(BaseModel):
    """Body of one analysis-queue message."""

    model_config = ConfigDict(extra="ignore")

    achievement_id: StrictInt = Field(ge=1)
    fingerprint: str | None = Field(default=None, description="The content fingerprint when it was requested")
    requested_at: datetime | None = None
    trigger: Literal["manual", "auto"] = Field(
        default="manual", description="auto: queued by the pipeline's auto-analysis rule (subject to the daily cap)"
    )


class AnalysisTarget(BaseModel):
    """What one analysis is of (the idempotency key): an achievement with one content."""

    achievement_id: int
    fingerprint: str


def career_sentence(career: CareerImplications) -> str:
    """The reference's `career_implications` sentence ("Strong candidate for Staff+ engineering roles")."""
    roles = ", ".join(career.suitable_roles) or "roles at this level"
    salary = career.salary_range
    return (
        f"Suitable for {roles} ({career.career_level} level, advancement potential "
        f"{career.advancement_potential.lower()}; {salary.currency} {salary.min:,}-{salary.max:,})"
    )


class DeepAnalysisView(BaseModel):
    """An analysis as the API answers it: the reference's example keys with its types (`skills` a list of strings,
    `career_implications` a sentence), and the structured parts beside them (SPEC §3)."""

    impact_score: int
    strengths: list[str]
    skills: list[str] = Field(description="Technical, soft and transferable skills, in that order")
    career_implications: str = Field(description="One sentence; the structured parts are in `career`")
    next_steps: list[str]
    market_value: str
    reasoning: str
    skills_assessment: SkillsAssessment
    career: CareerImplications
    market_relevance: MarketRelevance
    analyzer: AnalyzerName
    analyzer_version: str
    model: str | None = None
    analyzed_at: datetime
    achievement_fingerprint: str
    token_usage: TokenUsage
    duration_seconds: float
    fallback_reason: str | None = None

    @classmethod
    def of(cls, analysis: DeepAnalysis) -> DeepAnalysisView:
        skills = analysis.skills
        every = [*skills.technical_skills, *skills.soft_skills, *skills.transferable_skills]
        return cls(
            impact_score=analysis.impact_score,
            strengths=analysis.strengths,
            skills=list(dict.fromkeys(every)),
            career_implications=career_sentence(analysis.career_implications),
            next_steps=analysis.next_steps,
            market_value=analysis.market_value,
            reasoning=analysis.reasoning,
            skills_assessment=skills,
            career=analysis.career_implications,
            market_relevance=analysis.market_relevance,
            analyzer=analysis.analyzer,
            analyzer_version=analysis.analyzer_version,
            model=analysis.model,
            analyzed_at=analysis.analyzed_at,
            achievement_fingerprint=analysis.achievement_fingerprint,
            token_usage=analysis.token_usage,
            duration_seconds=analysis.duration_seconds,
            fallback_reason=analysis.fallback_reason,
        )


class DeepAnalysisAnswer(BaseModel):
    """Answer of `POST /analyze/deep/{id}` and `GET /analyze/deep/{id}`."""

    status: Literal["queued", "pending", "completed"]
    achievement_id: int
    analysis: DeepAnalysisView | None = None
    stale: bool | None = Field(
        default=None,
        description=(
            "True when the achievement changed since this analysis: it stays (and keeps counting) until a new "
            "one replaces it; POST /analyze/deep/{id} queues that one (SPEC §5)"
        ),
    )
    message_id: str | None = None
    detail: str | None = None

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {key: value for key, value in handler(self).items() if value is not None}


# ---- failures of the worker: each one fails only its own message, which SQS delivers again ---------------


class AnalysisFailed(Exception):
    """An analysis did not complete; the message is retried, then dead-lettered after maxReceiveCount."""

    reason = "failed"


class AnalysisUnavailable(AnalysisFailed):
    """OpenAI timed out, rate-limited or failed after the SDK's own retries: worth another delivery."""

    reason = "openai_unavailable"


class AnalysisOutputInvalid(AnalysisFailed):
    """The model answered with something that is not the schema (bad JSON, out of range, truncated)."""

    reason = "output_invalid"


class AnalysisStale(AnalysisFailed):
    """The achievement changed while it was analysed; the next delivery analyses the new content."""

    reason = "stale"


class AnalysisRefused(Exception):
    """The model refused; not retried (the same text would be refused again): the offline analyzer answers."""

    def __init__(self, message: str, usage: TokenUsage | None = None, model: str | None = None) -> None:
        super().__init__(message)
        self.usage = usage or TokenUsage()
        self.model = model
