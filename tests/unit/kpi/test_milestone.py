"""KPI milestones reproduce the reference's example texts exactly."""

from __future__ import annotations

import pytest

from achievements.core.errors import InvalidInput
from achievements.core.models import Category, Direction
from achievements.kpi.drafts import kpi_milestone_draft
from achievements.kpi.service import track_kpi_milestone


def test_revenue_milestone_matches_the_reference_example_exactly() -> None:
    # When MRR of 25,000 exceeds the 20,000 target
    draft = kpi_milestone_draft("revenue_projection_monthly", 25000.0, 20000.0)

    # Then every text is the reference's
    assert draft is not None
    assert draft.title == "KPI Milestone: Revenue Projection Monthly"
    assert draft.category is Category.BUSINESS
    assert draft.description == "Achieved revenue target: $25,000 (target: $20,000)"
    assert draft.business_value == "$25,000 direct monthly revenue impact"
    assert draft.impact == "Surpassed target by 25% - strong achievement"
    assert draft.metrics["improvement_percentage"] == 25


def test_lower_is_better_metric_beats_its_target_by_going_under_it() -> None:
    # When content generation latency of 1.2 s beats its 2.0 s target (lower is better)
    draft = kpi_milestone_draft("content_generation_latency_seconds", 1.2, 2.0)

    # Then it is a performance milestone graded by how far under the target it went: 40%
    assert draft is not None
    assert draft.category is Category.PERFORMANCE
    assert draft.description == "Achieved content generation latency target: 1.2s (target: 2.0s)"
    assert draft.impact == "Beat target by 40% - strong achievement"


@pytest.mark.parametrize(
    ("metric", "value", "target"),
    [("revenue_projection_monthly", 19999.0, 20000.0), ("cost_per_follow_dollars", 0.02, 0.01)],
)
def test_missed_target_makes_no_milestone(metric: str, value: float, target: float) -> None:
    # Given a value that misses its target (either direction), When a milestone is drafted, Then there is none
    assert kpi_milestone_draft(metric, value, target) is None


def test_missed_target_is_skipped_with_the_reason_and_nothing_written(store, moto_tables) -> None:
    # Given a cost per follow of $0.02 against a $0.01 target (lower is better), When the milestone is tracked
    answer = track_kpi_milestone("cost_per_follow_dollars", 0.02, 0.01, store)

    # Then it is skipped with the reason, and nothing is written to the table
    assert answer.status == "skipped"
    assert answer.reason == "cost_per_follow_dollars $0.02 does not meet its target $0.01 (lower is better)"
    assert moto_tables.items() == []


def test_unknown_metric_needs_a_direction() -> None:
    # When a metric the texts do not know is drafted without a direction, Then it is refused asking for one
    with pytest.raises(InvalidInput, match="give its direction"):
        kpi_milestone_draft("weekly_signups", 120, 100)

    # When it is drafted again with direction higher, Then the milestone is made and titled from the metric name
    draft = kpi_milestone_draft("weekly_signups", 120, 100, direction=Direction.HIGHER)
    assert draft is not None
    assert draft.title == "KPI Milestone: Weekly Signups"


def test_known_metric_refuses_the_opposite_direction() -> None:
    # When a known lower-is-better metric is drafted with direction higher, Then it is refused naming its direction
    with pytest.raises(InvalidInput, match="lower-is-better"):
        kpi_milestone_draft("cost_per_follow_dollars", 0.005, 0.01, direction=Direction.HIGHER)


@pytest.mark.parametrize(
    ("pct_value", "grade"),
    [
        (30000.0, "Surpassed target by 50% - exceptional achievement"),
        (22500.0, "Surpassed target by 12.5% - solid achievement"),
        (20100.0, "Surpassed target by 0.5% - target met"),
    ],
)
def test_impact_grade_follows_the_margin(pct_value: float, grade: str) -> None:
    # Given a revenue value 50%, 12.5% or 0.5% over target, When drafted, Then the impact grade matches the margin
    draft = kpi_milestone_draft("revenue_projection_monthly", pct_value, 20000.0)
    assert draft is not None
    assert draft.impact == grade
