"""Texts of a KPI milestone, reproducing the reference's example exactly."""

from __future__ import annotations

from dataclasses import dataclass

from achievements.core.metrics import CATALOGUE, MetricSpec, Unit, format_percentage, format_value, metric_label
from achievements.core.models import Category, Direction
from achievements.core.rules import improvement_percentage, meets_target


@dataclass(frozen=True, slots=True)
class KpiMilestoneText:
    title: str
    category: Category
    description: str
    business_value: str
    impact: str
    surpassed_by_percentage: int | float


def milestone_grade(percentage: float) -> str:
    if percentage >= 50:
        return "exceptional achievement"
    if percentage >= 20:
        return "strong achievement"
    if percentage >= 10:
        return "solid achievement"
    return "target met"


def spec_for(metric_name: str, direction: Direction | None) -> MetricSpec | None:
    """The catalogue's spec, or an ad-hoc one for an unknown metric when the caller gave its direction."""
    known = CATALOGUE.get(metric_name)
    if known is not None:
        return known
    if direction is None:
        return None
    noun = metric_label(metric_name).lower()
    return MetricSpec(metric_name, direction, 0.0, Unit.COUNT, Category.BUSINESS, noun, metric_name)


def _business_value(spec: MetricSpec, value: float, target: float, pct: int | float) -> str:
    shown = format_value(value, spec.unit)
    if spec.name == "revenue_projection_monthly":
        return f"{shown} direct monthly revenue impact"
    if spec.unit is Unit.USD and spec.direction is Direction.LOWER:
        return f"{pct}% lower {spec.noun} ({shown} vs {format_value(target, spec.unit)} budgeted)"
    if spec.unit is Unit.USD:
        return f"{shown} {spec.noun} impact"
    if spec.direction is Direction.LOWER:
        return f"{spec.noun.capitalize()} {pct}% better than target at {shown}"
    return f"{spec.noun.capitalize()} at {shown}, {pct}% above target"


def kpi_milestone_text(spec: MetricSpec, value: float, target: float) -> KpiMilestoneText | None:
    """Texts of the milestone, or None when the value does not meet the target in the metric's direction."""
    if not meets_target(spec.direction, value, target):
        return None
    pct = format_percentage(improvement_percentage(spec.direction, value, target))
    verb = "Surpassed" if spec.direction is Direction.HIGHER else "Beat"
    return KpiMilestoneText(
        title=f"KPI Milestone: {metric_label(spec.name)}",
        category=spec.category,
        description=(
            f"Achieved {spec.noun} target: {format_value(value, spec.unit)} (target: {format_value(target, spec.unit)})"
        ),
        business_value=_business_value(spec, value, target, pct),
        impact=f"{verb} target by {pct}% - {milestone_grade(float(pct))}",
        surpassed_by_percentage=pct,
    )


def kept_best_text(spec: MetricSpec, value: float, target: float, best: float | None) -> str:
    """Why a repeat of a milestone changed nothing: it is not better than the value stored for this target."""
    stored = f" than the stored {format_value(best, spec.unit)}" if best is not None else ""
    return (
        f"{spec.name} {format_value(value, spec.unit)} is not better{stored} for target "
        f"{format_value(target, spec.unit)} ({spec.direction.value} is better): the milestone keeps its best value"
    )
