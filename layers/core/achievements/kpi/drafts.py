"""A KPI milestone as an achievement draft (pure): `track_kpi_milestone`'s texts and dedupe ref."""

from __future__ import annotations

from datetime import datetime

from achievements.core.errors import InvalidInput
from achievements.core.models import AchievementDraft, Direction, Source
from achievements.kpi.texts import kpi_milestone_text, spec_for


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
    )
