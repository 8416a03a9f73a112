"""The kernel's pure rules of SPEC §3: the metric catalogue, improvement detection, directions, labels."""

from __future__ import annotations

import pytest

from achievements.core.metrics import CATALOGUE, Unit, format_value, metric_label
from achievements.core.models import Direction
from achievements.core.rules import improvement_percentage, is_improvement


def test_every_metric_of_the_catalogue_has_a_direction_and_the_reference_thresholds() -> None:
    # Given the reference's threshold and direction for each of the eight metrics
    expected = {
        "posts_engagement_rate": (0.06, Direction.HIGHER),
        "revenue_projection_monthly": (20000, Direction.HIGHER),
        "cost_per_follow_dollars": (0.01, Direction.LOWER),
        "content_generation_latency_seconds": (2.0, Direction.LOWER),
        "posts_generated_total": (100, Direction.HIGHER),
        "http_request_duration_seconds": (0.5, Direction.LOWER),
        "error_rate": (0.01, Direction.LOWER),
        "uptime": (0.999, Direction.HIGHER),
    }
    # When the CATALOGUE is read, Then it holds exactly those metrics with those thresholds and directions
    assert {name: (spec.threshold, spec.direction) for name, spec in CATALOGUE.items()} == expected


@pytest.mark.parametrize(
    ("direction", "value", "threshold", "previous", "expected"),
    [
        # higher is better: at the threshold counts, then 10% over the previous value is required
        (Direction.HIGHER, 0.06, 0.06, None, True),
        (Direction.HIGHER, 0.059, 0.06, None, False),
        (Direction.HIGHER, 0.078, 0.06, 0.07, True),
        (Direction.HIGHER, 0.077, 0.06, 0.07, False),
        (Direction.HIGHER, 22000, 20000, 20000, False),
        (Direction.HIGHER, 22001, 20000, 20000, True),
        # lower is better: at or under the threshold, then 10% under the previous value
        (Direction.LOWER, 1.2, 2.0, None, True),
        (Direction.LOWER, 2.0, 2.0, None, True),
        (Direction.LOWER, 2.1, 2.0, None, False),
        (Direction.LOWER, 1.2, 2.0, 1.3, False),
        (Direction.LOWER, 1.0, 2.0, 1.2, True),
        (Direction.LOWER, 0.009, 0.01, 0.01, False),
        (Direction.LOWER, 0.0089, 0.01, 0.01, True),
    ],
)
def test_improvement_needs_the_threshold_and_ten_percent_over_the_previous_value(
    direction: Direction, value: float, threshold: float, previous: float | None, expected: bool
) -> None:
    # Given a direction, value, threshold and previous value, When is_improvement decides, Then it is expected
    assert is_improvement(direction, value, threshold, previous) is expected


def test_improvement_percentage_of_the_reference_latency_example_is_40() -> None:
    # Given a latency of 1.2 s against a 2.0 s threshold (lower is better), When the improvement is computed
    # Then it is 40%
    assert improvement_percentage(Direction.LOWER, 1.2, 2.0) == pytest.approx(40)
    # And $25,000 against $20,000 (higher is better) is 25%
    assert improvement_percentage(Direction.HIGHER, 25000, 20000) == pytest.approx(25)
    # And a zero threshold gives 0% rather than a division by zero
    assert improvement_percentage(Direction.HIGHER, 5, 0) == 0.0


def test_labels_and_values_read_as_in_the_reference() -> None:
    # Given a metric name, When metric_label renders it, Then it is title-cased words
    assert metric_label("content_generation_latency_seconds") == "Content Generation Latency Seconds"
    # And values of each unit, When format_value renders them, Then dollars, seconds, percentages and counts
    # read as in the reference
    assert format_value(25000.0, Unit.USD) == "$25,000"
    assert format_value(0.008, Unit.USD) == "$0.008"
    assert format_value(1234.5, Unit.USD) == "$1,234.50"
    assert format_value(1.2, Unit.SECONDS) == "1.2s"
    assert format_value(2.0, Unit.SECONDS) == "2.0s"
    assert format_value(0.078, Unit.RATIO) == "7.8%"
    assert format_value(1000, Unit.COUNT) == "1,000"
