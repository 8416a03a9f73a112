"""Texts of scrape achievements: the reference's latency example exactly, and every other metric's phrasing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from achievements.core.metrics import CATALOGUE, MetricSpec, Unit
from achievements.core.models import Category, Direction
from achievements.prometheus.texts import IMPACT_PHRASES, kpi_achievement_text, milestone_text

AT = datetime(2025, 1, 25, 16, 30, tzinfo=UTC)


def test_reference_latency_example_is_reproduced_exactly() -> None:
    # Given the reference's content generation latency of 1.2 s against its 2.0 s target, no previous value
    spec = CATALOGUE["content_generation_latency_seconds"]

    # When its achievement text is built
    text = kpi_achievement_text(spec, 1.2, 2.0, None, AT)

    # Then every field reads as in the reference example
    assert text.title == "KPI Achievement: Content Generation Latency Seconds"
    assert text.category is Category.PERFORMANCE
    assert text.description == "Reduced Content Generation Latency Seconds target: 1.2s (target: 2.0s)"
    assert text.impact == "Optimized generation to 1.2s, 40% faster - enhancing user experience"
    assert text.metrics == {
        "metric_name": "content_generation_latency_seconds",
        "achieved_value": 1.2,
        "target_value": 2.0,
        "improvement_percentage": 40,
        "timestamp": "2025-01-25T16:30:00Z",
    }
    assert isinstance(text.metrics["improvement_percentage"], int)
    assert spec.technologies == ("Prometheus", "Grafana", "Kubernetes", "Performance Monitoring")


def test_higher_is_better_metric_reads_exceeded_with_its_unit() -> None:
    # When the text is built for monthly revenue of $25,000 against its $20,000 target (higher is better)
    text = kpi_achievement_text(CATALOGUE["revenue_projection_monthly"], 25000.0, 20000.0, None, AT)

    # Then it reads "Exceeded", with dollar amounts, a 25% margin and the business category
    assert text.title == "KPI Achievement: Revenue Projection Monthly"
    assert text.description == "Exceeded Revenue Projection Monthly target: $25,000 (target: $20,000)"
    assert text.impact == "Grew projected monthly revenue to $25,000, 25% higher - a stronger outlook"
    assert text.business_value == "Revenue 25% better than target ($25,000 vs $20,000)"
    assert text.category is Category.BUSINESS


def test_with_a_previous_value_the_percentage_is_against_it_and_it_is_kept() -> None:
    # Given engagement rose from 6.5% to 7.8% (target 6%), When its achievement text is built
    text = kpi_achievement_text(CATALOGUE["posts_engagement_rate"], 0.078, 0.06, 0.065, AT)

    # Then the improvement is 20% over the previous value, not 30% over the target
    assert text.metrics["improvement_percentage"] == 20
    assert text.metrics["previous_value"] == 0.065
    assert text.description == "Exceeded Posts Engagement Rate target: 7.8% (target: 6%)"
    assert text.impact == "Lifted engagement to 7.8%, 20% higher - content resonating with the audience"
    assert text.business_value == "Engagement rate 20% better than the previous value (7.8% vs 6.5%)"


@pytest.mark.parametrize("name", sorted(set(CATALOGUE) - {"posts_generated_total"}))
def test_every_improvement_metric_has_its_own_phrase_with_only_measured_numbers(name: str) -> None:
    # Given each improvement metric at 50% better than its threshold, in its own direction
    spec = CATALOGUE[name]
    value = spec.threshold * (1.5 if spec.direction is Direction.HIGHER else 0.5)

    # When its achievement text is built
    text = kpi_achievement_text(spec, value, spec.threshold, None, AT)

    # Then the impact uses the metric's own phrase
    assert name in IMPACT_PHRASES
    assert text.impact.startswith(IMPACT_PHRASES[name].split("{")[0])
    # 50% better than the target, whichever the direction; no other number is invented
    assert "50%" in text.impact
    assert text.metrics["improvement_percentage"] == 50


def test_posts_generated_milestone_text() -> None:
    # When the text is built for 523 posts passing the 500 milestone
    text = milestone_text(CATALOGUE["posts_generated_total"], 500, 523.0, AT)

    # Then it reads as a content milestone, with the 4.6% past the milestone in its metrics
    assert text.title == "KPI Milestone: 500 Posts Generated"
    assert text.category is Category.CONTENT
    assert text.description == "Reached Posts Generated Total milestone: 523 (milestone: 500)"
    assert text.impact == "Generated 523 posts, passing the 500 milestone - growing content output"
    assert text.metrics == {
        "metric_name": "posts_generated_total",
        "achieved_value": 523.0,
        "target_value": 500,
        "milestone": 500,
        "improvement_percentage": 4.6,
        "timestamp": "2025-01-25T16:30:00Z",
    }


def test_a_metric_outside_the_catalogue_gets_a_generic_phrase() -> None:
    # Given a lower-is-better metric the catalogue and its phrases do not know
    spec = MetricSpec("queue_wait_seconds", Direction.LOWER, 3.0, Unit.SECONDS, Category.PERFORMANCE, "queue wait", "q")

    # When its achievement text is built for 1.5 s against 3.0 s
    text = kpi_achievement_text(spec, 1.5, 3.0, None, AT)

    # Then it gets a generic "Improved ... lower" phrase with the measured numbers only
    assert text.title == "KPI Achievement: Queue Wait Seconds"
    assert text.description == "Reduced Queue Wait Seconds target: 1.5s (target: 3.0s)"
    assert text.impact == "Improved queue wait to 1.5s, 50% lower"


@pytest.mark.parametrize(
    ("direction", "value", "reference", "expected"),
    [
        (Direction.LOWER, 1.2, 2.0, 40),
        (Direction.LOWER, 1.475, 2.0, 26.3),  # 26.25 exactly: half-up, not binary-float 26.2
        (Direction.HIGHER, 0.078, 0.065, 20),
        (Direction.HIGHER, 523.0, 500, 4.6),
        (Direction.HIGHER, 5.0, 0, 0),
    ],
)
def test_percentages_are_exact_and_rounded_half_up(direction, value, reference, expected) -> None:
    from achievements.prometheus.texts import percentage

    # Given a direction, value and reference, When percentage() runs, Then it is exact, half-up, an int when whole
    assert percentage(direction, value, reference) == expected
    assert type(percentage(direction, value, reference)) is type(expected)
