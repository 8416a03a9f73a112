"""Texts of the achievements a Prometheus scrape creates, reproducing the reference's example exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from achievements.core.metrics import MetricSpec, format_value, metric_label
from achievements.core.models import Category, Direction, MetricValue

# What each metric's improvement means, in the reference's words ("Optimized generation to 1.2s, 40% faster -
# enhancing user experience"). Only the measured value and percentage are filled in: no invented numbers.
IMPACT_PHRASES: dict[str, str] = {
    "content_generation_latency_seconds": "Optimized generation to {value}, {pct}% faster - enhancing user experience",
    "http_request_duration_seconds": "Cut HTTP request duration to {value}, {pct}% faster - a more responsive API",
    "posts_engagement_rate": "Lifted engagement to {value}, {pct}% higher - content resonating with the audience",
    "revenue_projection_monthly": "Grew projected monthly revenue to {value}, {pct}% higher - a stronger outlook",
    "cost_per_follow_dollars": "Lowered cost per follow to {value}, {pct}% cheaper - more efficient audience growth",
    "error_rate": "Brought the error rate down to {value}, {pct}% lower - a more reliable service",
    "uptime": "Raised uptime to {value}, {pct}% higher - a more dependable service",
}
MILESTONE_PHRASES: dict[str, str] = {
    "posts_generated_total": "Generated {value} posts, passing the {milestone} milestone - growing content output",
}
SCRAPE_TAGS = ("prometheus", "kpi")


@dataclass(frozen=True, slots=True)
class KpiAchievementText:
    title: str
    category: Category
    description: str
    impact: str
    business_value: str
    metrics: dict[str, MetricValue]


def percentage(direction: Direction, value: float, reference: float) -> int | float:
    """How much better `value` is than `reference`, in percent: exact decimals, half-up to 0.1, whole as int.

    1.475 s against 2.0 s is 26.25% -> 26.3 (binary floats and round() would say 26.2).
    """
    current, before = Decimal(repr(float(value))), Decimal(repr(float(reference)))
    if before == 0:
        return 0
    change = current - before if direction is Direction.HIGHER else before - current
    shown = (change / abs(before) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return int(shown) if shown == shown.to_integral_value() else float(shown)


def timestamp(at: datetime) -> str:
    """`2025-01-25T16:30:00Z`, the reference's timestamp format."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def kpi_achievement_text(
    spec: MetricSpec, value: float, target: float, previous: float | None, at: datetime
) -> KpiAchievementText:
    """Texts of an improvement of `spec` to `value` against its target (and the previous value, if any).

    The percentage is against the previous value when one exists, otherwise against the target
    (SPEC §3): 1.2 s after none, target 2.0 s -> 40.
    """
    reference = target if previous is None else previous
    pct = percentage(spec.direction, value, reference)
    label = metric_label(spec.name)
    shown = format_value(value, spec.unit)
    verb = "Exceeded" if spec.direction is Direction.HIGHER else "Reduced"
    phrase = IMPACT_PHRASES.get(spec.name)
    if phrase is None:
        comparative = "higher" if spec.direction is Direction.HIGHER else "lower"
        phrase = f"Improved {spec.noun} to {{value}}, {{pct}}% {comparative}"
    against = "target" if previous is None else "the previous value"
    metrics: dict[str, MetricValue] = {
        "metric_name": spec.name,
        "achieved_value": value,
        "target_value": target,
        "improvement_percentage": pct,
        "timestamp": timestamp(at),
    }
    if previous is not None:
        metrics["previous_value"] = previous
    return KpiAchievementText(
        title=f"KPI Achievement: {label}",
        category=spec.category,
        description=f"{verb} {label} target: {shown} (target: {format_value(target, spec.unit)})",
        impact=phrase.format(value=shown, pct=pct),
        business_value=(
            f"{spec.noun[:1].upper()}{spec.noun[1:]} {pct}% better than {against} "
            f"({shown} vs {format_value(reference, spec.unit)})"
        ),
        metrics=metrics,
    )


def milestone_text(spec: MetricSpec, milestone: float, value: float, at: datetime) -> KpiAchievementText:
    """Texts of a milestone (e.g. 500 posts generated) that `value` reached."""
    label = metric_label(spec.name)
    shown, mark = format_value(value, spec.unit), format_value(milestone, spec.unit)
    phrase = MILESTONE_PHRASES.get(spec.name, "Reached {value} {noun}, passing the {milestone} milestone")
    return KpiAchievementText(
        title=f"KPI Milestone: {mark} {spec.noun.title()}",
        category=spec.category,
        description=f"Reached {label} milestone: {shown} (milestone: {mark})",
        impact=phrase.format(value=shown, milestone=mark, noun=spec.noun),
        business_value=f"{mark} {spec.noun} milestone reached",
        metrics={
            "metric_name": spec.name,
            "achieved_value": value,
            "target_value": milestone,
            "milestone": milestone,
            "improvement_percentage": percentage(spec.direction, value, milestone),
            "timestamp": timestamp(at),
        },
    )
