"""KPI milestones: `track_kpi_milestone(metric_name, value, target)` from the reference."""

from __future__ import annotations

from datetime import datetime

from achievements.core.metrics import format_value
from achievements.core.models import Direction, TrackResponse
from achievements.core.observability import metrics
from achievements.kpi.drafts import kpi_milestone_draft
from achievements.kpi.texts import kept_best_text, spec_for
from achievements.store import AchievementStore


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
        metrics.add_metric(name="achievement_collector_kpi_milestones_total", unit="Count", value=1)
    reason = None
    if result.reason:
        spec = spec_for(metric_name, direction)
        assert spec is not None
        stored = store.get(result.achievement_id)
        best = stored.metrics.get("achieved_value") if stored else None
        reason = kept_best_text(spec, value, target, best if isinstance(best, int | float) else None)
    return TrackResponse(status=result.status.value, achievement_id=result.achievement_id, reason=reason)
