"""The viral threshold and the revenue estimate of SPEC §3, exact to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from achievements.threads.rules import engaged_views, estimated_revenue, is_viral


@pytest.mark.parametrize(("rate", "viral"), [(0.06, True), (0.0599999, False), (0.08, True), (0.0, False), (1.0, True)])
def test_viral_threshold_is_inclusive_at_six_percent(rate: float, viral: bool) -> None:
    # Given an engagement rate around 6%, When is_viral() judges it, Then 6% and above is viral, below is not
    assert is_viral(rate) is viral


def test_revenue_is_one_cent_per_engaged_view_from_the_reference_example() -> None:
    # Given 10,000 views at 8% engagement
    # When engaged views and revenue are computed, Then 800 engaged views and $8.00, exactly
    assert engaged_views(10_000, 0.08) == Decimal("800")
    assert estimated_revenue(10_000, 0.08) == Decimal("8.00")


@pytest.mark.parametrize(
    ("views", "rate", "revenue"),
    [(1, 0.06, "0.00"), (100, 0.065, "0.07"), (123_456, 0.0712, "87.90"), (0, 0.5, "0.00")],
)
def test_revenue_rounds_half_up_to_the_cent(views: int, rate: float, revenue: str) -> None:
    # Given views and an engagement rate, When revenue is estimated, Then it is a cent per engaged view, half up
    assert estimated_revenue(views, rate) == Decimal(revenue)
