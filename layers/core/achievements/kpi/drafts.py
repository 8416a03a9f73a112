"""A KPI milestone as an achievement draft (pure): `track_kpi_milestone`'s texts and dedupe ref."""

from __future__ import annotations

from datetime import datetime

from achievements.core.errors import InvalidInput
from achievements.core.metrics import CATALOGUE, MetricSpec, format_value
from achievements.core.models import AchievementDraft, Direction, Source
from achievements.core.rules import best_value_floor, improvement_percentage
from achievements.kpi.texts import kpi_milestone_text, spec_for

# A value this far past its target (10,000 times) is a typo or a unit mix-up, not a milestone.
MAX_SURPASS_PERCENTAGE = 1_000_000.0


def check_range(spec: MetricSpec, value: float, target: float) -> None:
    """SPEC §5: a catalogue metric's value and target within its sane range; any metric's "% past target" bounded."""
    low, high = spec.bounds
    if spec.name in CATALOGUE:
        for field, number in (("value", value), ("target", target)):
            if not low <= number <= high:
                raise InvalidInput(
                    f"invalid request: {field} {number:g} is outside {spec.name}'s range "
                    f"{format_value(low, spec.unit)}..{format_value(high, spec.unit)}"
                )
    if improvement_percentage(spec.direction, value, target) > MAX_SURPASS_PERCENTAGE:
        raise InvalidInput(
            f"invalid request: value {value:g} is more than {MAX_SURPASS_PERCENTAGE:,.0f}% past target {target:g}: "
            "check the unit"
        )


def kpi_milestone_draft(
    metric_name: str,
    value: float,
    target: float,
    direction: Direction | None = None,
    occurred_at: datetime | None = None,
) -> AchievementDraft | None:
    """The milestone's achievement, or None when the value misses the target."""
    spec = spec_for(metric_name, direction)
    if spec is None:
        raise InvalidInput(f"unknown metric {metric_name!r}: give its direction ('higher' or 'lower')")
    if direction is not None and direction is not spec.direction:
        raise InvalidInput(f"metric {metric_name!r} is {spec.direction.value}-is-better, not {direction.value}")
    check_range(spec, value, target)
    text = kpi_milestone_text(spec, value, target)
    if text is None:
        return None
    return AchievementDraft(
        title=text.title,
        description=text.description,
        category=text.category,
        source=Source.KPI,
        # One milestone per metric and target: a later, better value for the same target updates it.
        source_ref=f"{metric_name}:{target!r}",
        occurred_at=occurred_at,
        impact=text.impact,
        business_value=text.business_value,
        metrics={
            "metric_name": metric_name,
            "achieved_value": value,
            "target_value": target,
            "improvement_percentage": text.surpassed_by_percentage,
        },
        technologies=list(spec.technologies),
        tags=["kpi", metric_name],
        not_below=best_value_floor(spec.direction, value),
    )
