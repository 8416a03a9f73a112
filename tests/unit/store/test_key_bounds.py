"""Key bounds of the time-ordered indexes sort as the stored ISO 8601 times do, whatever the year."""

from __future__ import annotations

from datetime import UTC, datetime

from achievements.store.reads import occurred_bound, second_bound


def test_a_year_before_1000_keeps_four_digits_and_sorts_before_a_later_year() -> None:
    # Given a moment in the year 321 and one in 2000
    early, late = datetime(321, 5, 28, tzinfo=UTC), datetime(2000, 1, 1, tzinfo=UTC)

    # When they become key bounds
    bounds = [second_bound(early, upper=False), second_bound(late, upper=True)]

    # Then the year has four digits, as the stored times have, and the lower bound sorts first
    assert bounds[0] == "0321-05-28T00:00:00"
    assert bounds == sorted(bounds)
    assert occurred_bound(early, upper=False) == "0321-05-28T00:00:00.000000Z"
    assert early.isoformat().startswith("0321-")  # how pydantic stores it
