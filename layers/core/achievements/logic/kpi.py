"""KPI milestones: `track_kpi_milestone(metric_name, value, target)` from the reference."""

from __future__ import annotations

from datetime import datetime

from achievements.dal import AchievementStore
from achievements.domain.kpi import kpi_milestone_text, spec_for
from achievements.domain.metrics import format_value
from achievements.exceptions import InvalidInput
from achievements.models import AchievementDraft, Direction, Source, TrackResponse
from achievements.observability import metrics


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


def track_kpi_milestone(
    metric_name: str,
    value: float,
    target: float,
    store: AchievementStore,
    direction: Direction | None = None,
    occurred_at: datetime | None = None,
) -> TrackResponse:
    draft = kpi_milestone_draft(metric_name, value, target, direction, occurred_at)
    if draft is None:
        spec = spec_for(metric_name, direction)
        assert spec is not None
        return TrackResponse(
            status="skipped",
            reason=(
                f"{metric_name} {format_value(value, spec.unit)} does not meet its target "
                f"{format_value(target, spec.unit)} ({spec.direction.value} is better)"
            ),
        )
    result = store.upsert(draft)
    if result.status == "created":
        metrics.add_metric(name="kpi_milestones_total", unit="Count", value=1)
    return TrackResponse(status=result.status.value, achievement_id=result.achievement_id)
