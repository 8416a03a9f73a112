"""The offline analyzer: deterministic rules giving the deep-analysis schema from an achievement's own content.

Used when no OpenAI key is configured (or the key is `test`). The same achievement always gets the same
answer; different categories, sources and numbers get different ones. The rules (README "Offline analyzer"):

- impact score = category base + source evidence + points for each number found in `metrics`
  (revenue, engagement, reach, improvement over target or previous value, lines of code changed)
  + breadth of technologies, rounded and clamped to 0..100;
- skill level, career level, advancement potential and uniqueness follow from the score's band;
- skills, roles, salary band, demand and next steps follow from the category, plus skills named by the
  numbers present (e.g. revenue -> Revenue Analytics) and the achievement's own technologies;
- the salary band is the category's band scaled by the skill level, rounded to $5k.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from achievements.analysis.models import (
    CareerImplications,
    DeepAnalysisContent,
    MarketRelevance,
    Rating,
    SalaryRange,
    SkillLevel,
    SkillsAssessment,
)
from achievements.core.models import Achievement, Category, Source

OFFLINE_ANALYZER_VERSION = "offline-rules-1"


@dataclass(frozen=True, slots=True)
class CategoryProfile:
    base_score: float
    technical: tuple[str, ...]
    soft: tuple[str, ...]
    roles: tuple[str, ...]
    salary_usd: tuple[int, int]
    demand: Rating
    future_relevance: str
    next_steps: tuple[str, ...]


PROFILES: dict[Category, CategoryProfile] = {
    Category.CONTENT: CategoryProfile(
        40,
        ("Content Strategy", "Audience Analytics"),
        ("Communication", "Storytelling"),
        ("Content Strategist", "Growth Marketing Manager", "Social Media Lead"),
        (70_000, 110_000),
        "High",
        "2-3 years",
        ("Turn the post's hook into a repeatable content template", "A/B test hooks against this baseline"),
    ),
    Category.BUSINESS: CategoryProfile(
        50,
        ("Business Analytics", "KPI Tracking"),
        ("Commercial Awareness", "Goal Setting"),
        ("Business Analyst", "Product Manager", "Revenue Operations Lead"),
        (85_000, 130_000),
        "High",
        "3-5 years",
        ("Present the result to stakeholders as a one-page case study", "Set the next target from this baseline"),
    ),
    Category.PERFORMANCE: CategoryProfile(
        45,
        ("Performance Optimization", "Observability"),
        ("Problem Solving", "Attention to Detail"),
        ("Performance Engineer", "Backend Engineer", "Site Reliability Engineer"),
        (120_000, 170_000),
        "Very High",
        "5+ years",
        ("Write up the profiling method as an internal guide", "Add a latency SLO so the gain is kept"),
    ),
    Category.DEVELOPMENT: CategoryProfile(
        45,
        ("Software Engineering", "Code Review"),
        ("Collaboration", "Problem Solving"),
        ("Software Engineer", "Full-Stack Engineer", "Tech Lead"),
        (110_000, 160_000),
        "Very High",
        "5+ years",
        ("Document the design decision in an ADR", "Share the change in a team tech talk"),
    ),
    Category.INFRASTRUCTURE: CategoryProfile(
        45,
        ("Cloud Infrastructure", "Automation"),
        ("Systems Thinking", "Ownership"),
        ("Platform Engineer", "DevOps Engineer", "Cloud Architect"),
        (120_000, 170_000),
        "Very High",
        "5+ years",
        ("Codify the setup as reusable infrastructure modules", "Pursue a cloud architecture certification"),
    ),
    Category.RELIABILITY: CategoryProfile(
        45,
        ("Site Reliability Engineering", "Incident Prevention"),
        ("Ownership", "Calm Under Pressure"),
        ("Site Reliability Engineer", "Production Engineer", "Observability Engineer"),
        (125_000, 175_000),
        "High",
        "5+ years",
        ("Turn the fix into an alert and a runbook", "Define an error budget around this service"),
    ),
    Category.LEADERSHIP: CategoryProfile(
        50,
        ("Technical Leadership",),
        ("Leadership", "Mentoring"),
        ("Engineering Manager", "Tech Lead", "Head of Engineering"),
        (150_000, 220_000),
        "High",
        "5+ years",
        ("Mentor someone through a similar initiative", "Write the playbook others can follow"),
    ),
}

SOURCE_EVIDENCE: dict[Source, tuple[float, str]] = {
    Source.KPI: (6, "measured against a KPI target"),
    Source.PROMETHEUS: (6, "measured by production monitoring"),
    Source.GITHUB: (4, "shipped as merged code"),
    Source.THREADS: (2, "public, measurable audience response"),
    Source.MANUAL: (0, "self-reported"),
}

# (lowest score of the band, skill level, career level, advancement potential, uniqueness, salary multiplier)
BANDS: tuple[tuple[int, SkillLevel, str, Rating, str, float], ...] = (
    (88, "Expert", "Staff+", "Very High", "Rare: a top-decile result", 1.3),
    (75, "Senior/Expert", "Senior+", "Very High", "Uncommon: well above typical results", 1.15),
    (60, "Senior", "Senior", "High", "Above typical results", 1.0),
    (45, "Mid-level", "Mid", "Moderate", "A solid, fairly common result", 0.9),
    (0, "Junior", "Junior", "Low", "A common result", 0.75),
)


@dataclass(frozen=True, slots=True)
class Signal:
    points: float
    strength: str
    skill: str | None = None


def _number(achievement: Achievement, *keys: str) -> float | None:
    for key in keys:
        value = achievement.metrics.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
            return float(value)
    return None


def _kpi_value(achievement: Achievement, fragment: str) -> float | None:
    """The achieved value of a KPI/Prometheus metric whose name contains `fragment`."""
    name = achievement.metrics.get("metric_name")
    if isinstance(name, str) and fragment in name:
        return _number(achievement, "achieved_value")
    return None


def signals(achievement: Achievement) -> list[Signal]:
    """Every number of the achievement that moves its score, with what it says about it."""
    found: list[Signal] = []
    revenue = _number(achievement, "estimated_revenue_usd", "revenue_usd", "revenue")
    if revenue is None:
        revenue = _kpi_value(achievement, "revenue")
    if revenue:
        found.append(
            Signal(min(20.0, 4 * math.log10(1 + revenue)), f"${revenue:,.2f} revenue impact", "Revenue Analytics")
        )
    engagement = _number(achievement, "engagement_rate")
    if engagement is None:
        engagement = _kpi_value(achievement, "engagement_rate")
    if engagement:
        found.append(
            Signal(min(12.0, engagement / 0.06 * 6), f"{engagement:.1%} engagement rate", "Engagement Optimization")
        )
    views = _number(achievement, "views")
    if views:
        found.append(Signal(min(8.0, 2 * math.log10(1 + views)), f"{views:,.0f} views reached", "Audience Growth"))
    improvement = _number(achievement, "improvement_percentage")
    if improvement:
        found.append(
            Signal(min(20.0, improvement / 2.5), f"{improvement:g}% better than target", "Measurable Impact Delivery")
        )
    lines = _number(achievement, "lines_changed", "changed_lines")
    if lines is None:
        additions, deletions = _number(achievement, "additions"), _number(achievement, "deletions")
        lines = (additions or 0) + (deletions or 0) if additions is not None or deletions is not None else None
    if lines:
        found.append(Signal(min(10.0, 2.5 * math.log10(1 + lines)), f"{lines:,.0f} lines of code changed", "Git"))
    return found


def _band(score: int) -> tuple[int, SkillLevel, str, Rating, str, float]:
    return next(band for band in BANDS if score >= band[0])


def _unique(items: list[str], limit: int) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item.lower() not in {key.lower() for key in seen}:
            seen[item] = None
    return list(seen)[:limit]


def _round_to(value: float, step: int) -> int:
    return int(round(value / step) * step)


def offline_analysis(achievement: Achievement) -> DeepAnalysisContent:
    """The deterministic analysis of one achievement (same input, same output)."""
    profile = PROFILES[achievement.category]
    source_points, source_strength = SOURCE_EVIDENCE[achievement.source]
    found = signals(achievement)
    breadth = min(6.0, 1.5 * len(set(achievement.technologies)))
    raw = profile.base_score + source_points + sum(signal.points for signal in found) + breadth
    score = max(0, min(100, round(raw)))
    _, skill_level, career_level, potential, uniqueness, multiplier = _band(score)

    parts = [f"base {profile.base_score:g} for {achievement.category.value}"]
    if source_points:
        parts.append(f"+{source_points:g} {source_strength}")
    parts.extend(f"+{signal.points:.1f} for {signal.strength}" for signal in found)
    if breadth:
        parts.append(f"+{breadth:g} for {len(set(achievement.technologies))} technologies")
    reasoning = f"Rule-based score {score}/100 ({skill_level} level): " + "; ".join(parts) + "."

    salary = SalaryRange(
        min=_round_to(profile.salary_usd[0] * multiplier, 5_000),
        max=_round_to(profile.salary_usd[1] * multiplier, 5_000),
        currency="USD",
    )
    roles = list(profile.roles)
    if score >= 75:
        roles[0] = f"Senior {roles[0]}"
    strongest = sorted(found, key=lambda signal: signal.points, reverse=True)
    strengths = [signal.strength.capitalize() for signal in strongest[:3]] or [source_strength.capitalize()]
    next_steps = list(profile.next_steps)
    if not found:
        next_steps.append("Quantify the result with a metric (revenue, time saved, users reached)")
    transferable = ["Data-Driven Decision Making"] if found else []
    transferable += [signal.skill for signal in strongest if signal.skill == "Measurable Impact Delivery"]
    transferable += ["Stakeholder Communication" if score >= 60 else "Continuous Improvement"]
    advantage = "Strong differentiator" if score >= 75 else "Moderate differentiator" if score >= 60 else "Supporting"
    evidence = strongest[0].strength if strongest else source_strength
    return DeepAnalysisContent(
        impact_score=score,
        reasoning=reasoning,
        skills=SkillsAssessment(
            technical_skills=_unique(
                [*achievement.technologies, *profile.technical, *(s.skill for s in strongest if s.skill)], 12
            ),
            soft_skills=_unique([*profile.soft, *(["Analytical Thinking"] if found else [])], 8),
            transferable_skills=_unique(transferable, 8),
            skill_level=skill_level,
        ),
        career_implications=CareerImplications(
            suitable_roles=roles,
            salary_range=salary,
            career_level=career_level,
            advancement_potential=potential,
        ),
        market_relevance=MarketRelevance(
            industry_demand=profile.demand,
            future_relevance=profile.future_relevance,
            uniqueness=uniqueness,
            competitive_advantage=f"{advantage}: {evidence}",
        ),
        strengths=strengths,
        next_steps=next_steps,
        market_value=f"{potential} demand - ${salary.min // 1000}k-${salary.max // 1000}k range",
    )
