"""Career insight formulas (pure): each label, score and estimate follows from the numbers it cites."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from achievements.core.aggregates import AggregateSnapshot, SalaryTotals
from achievements.core.errors import CursorExpired, InvalidCursor
from achievements.insights import rules as insights
from achievements.insights.cursor import CursorCodec

NOW = datetime(2025, 6, 15, tzinfo=UTC)  # recent window 2025-04..06, baseline 2024-07..2025-03


def snapshot(by_month: dict[str, int], **fields) -> AggregateSnapshot:
    return AggregateSnapshot(total=fields.pop("total", sum(by_month.values())), by_month=by_month, **fields)


def test_month_windows_cross_the_year() -> None:
    # When month_window takes 3 months back from 2025-06, Then the window is 2025-04..2025-06
    assert insights.month_window(NOW, 3) == ["2025-04", "2025-05", "2025-06"]

    # When the 9 months before those 3 are asked for, Then the window crosses the year: 2024-07..2025-03
    assert insights.month_window(NOW, 9, skip=3) == [
        "2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("by_month", "label", "growth"),
    [
        ({"2025-05": 6, "2024-09": 9}, "upward", 100.0),  # 2/month vs 1/month
        ({"2025-05": 3, "2024-09": 9}, "steady", 0.0),
        ({"2025-05": 1, "2024-09": 9}, "downward", -66.7),
        ({"2025-05": 2}, "emerging", None),
        ({"2023-01": 4}, "inactive", None),
        ({}, "no_data", None),
    ],
)
def test_trajectory_label_follows_the_month_counts(by_month, label, growth) -> None:
    # Given recent vs baseline month counts, When trajectory() runs at NOW, Then label and growth % follow the rates
    path = insights.trajectory(snapshot(by_month), NOW)
    assert (path.label, path.growth_pct) == (label, growth)

    # Then recent_count is the sum of the months in the recent window
    assert path.recent_count == sum(by_month.get(m, 0) for m in path.recent_months)


def test_trajectory_statement_cites_its_numbers_and_the_impact_trend() -> None:
    # Given 2/month recently vs 1/month before, with impact averaging 80 recently vs 60 before
    data = snapshot(
        {"2025-05": 6, "2024-09": 9},
        month_scored={"2025-05": 2, "2024-09": 2},
        month_impact={"2025-05": 160.0, "2024-09": 120.0},
    )

    # When the trajectory is computed at NOW
    path = insights.trajectory(data, NOW)

    # Then the statement cites both rates, both windows, the growth and the impact trend
    assert path.statement == (
        "Upward: 2.0 achievements/month in the last 3 months (2025-04 to 2025-06) vs 1.0/month in the 9 months "
        "before (2024-07 to 2025-03) (+100%). Impact accelerating: average impact score 80.0 recently vs 60.0."
    )
    assert path.impact_trend == "accelerating"


@pytest.mark.parametrize(
    ("signals", "total", "scored", "impact_sum", "score"),
    [
        (0, 10, 0, 0.0, 0.0),
        (1, 20, 0, 0.0, 1.2),  # 5*(0.05/0.25)=1.0 + 2*(1/10)=0.2
        (10, 40, 10, 900.0, 9.7),  # 5 + 2 + 3*0.9
        (30, 30, 30, 3000.0, 10.0),
    ],
)
def test_leadership_score_formula(signals, total, scored, impact_sum, score) -> None:
    # Given leadership signals, scored and impact totals, When leadership() scores them, Then the score matches
    data = AggregateSnapshot(
        total=total, leadership_signals=signals, leadership_scored=scored, leadership_impact_sum=impact_sum
    )
    assert insights.leadership(data).score == score


def test_salary_comes_from_analyses_when_there_are_some() -> None:
    # Given salary totals from two USD analyses and one EUR analysis
    data = AggregateSnapshot(
        total=3,
        salary={
            "USD": SalaryTotals(count=2, min_sum=300_000, max_sum=410_000),
            "EUR": SalaryTotals(count=1, min_sum=90_000, max_sum=120_000),
        },
    )

    # When the salary range is computed
    salary = insights.salary_range(data, leadership_score=0)

    # Then it averages the USD (majority currency) analyses: 150k-205k, basis "analysis"
    assert salary is not None
    assert (salary.min, salary.max, salary.currency, salary.basis, salary.analyses) == (
        150_000,
        205_000,
        "USD",
        "analysis",
        2,
    )


@pytest.mark.parametrize(
    ("total", "scored", "impact_sum", "leadership_score", "level"),
    [
        (3, 0, 0.0, 0.0, "Junior"),
        (12, 0, 0.0, 0.0, "Mid-level"),
        (12, 4, 260.0, 0.0, "Senior"),
        (12, 4, 300.0, 7.5, "Staff+"),
    ],
)
def test_without_analyses_the_salary_is_a_labelled_estimate(total, scored, impact_sum, leadership_score, level) -> None:
    # Given totals with no salary analyses and a leadership score for the level
    data = AggregateSnapshot(total=total, scored=scored, impact_sum=impact_sum)

    # When the salary range is computed
    salary = insights.salary_range(data, leadership_score)

    # Then it is the band for that level, marked "estimate", with a note naming the level and "not market data"
    assert salary is not None
    assert (salary.min, salary.max, salary.basis) == (*insights.SALARY_BANDS_USD[level], "estimate")
    assert level in salary.note
    assert "not market data" in salary.note


def test_roles_from_analyses_else_from_the_role_table() -> None:
    # Given analyses that name roles, When suitable_roles() runs, Then the analysed roles come first by count
    analysed = AggregateSnapshot(total=2, analysed=2, roles={"Staff Engineer": 2, "Tech Lead": 1})
    assert [(r.name, r.basis) for r in insights.suitable_roles(analysed, 0)] == [
        ("Staff Engineer", "analysis"),
        ("Tech Lead", "analysis"),
    ]

    # Given no analyses but categories and a 6.5 leadership score
    estimated = AggregateSnapshot(total=3, by_category={"reliability": 2, "content": 1})

    # When suitable_roles() runs, Then roles come from the category table, plus Tech Lead for the leadership score
    assert [r.name for r in insights.suitable_roles(estimated, 6.5)] == [
        "Site Reliability Engineer",
        "Production Engineer",
        "Content Strategist",
        "Growth Marketing Lead",
        "Tech Lead",
    ]


def test_recommendations_cite_numbers() -> None:
    # Given 10 achievements, 2 analysed, all in category content, with no leadership
    data = AggregateSnapshot(total=10, analysed=2, by_category={"content": 10})

    # When recommendations are drawn from the data, its leadership and trajectory
    lead = insights.leadership(data)
    path = insights.trajectory(data, NOW)
    found = insights.recommendations(data, path, lead)

    # Then each recommendation cites the numbers behind it
    assert [r.because for r in found] == [
        "only 2 of 10 achievements are analysed; impact scores, skills, roles and salary ranges come from analyses",
        "0 of 10 achievements (0%) show leadership",
        "10 of 10 achievements (100%) are in category content",
        "0 of 10 achievements are in category development",
        "0 of 10 achievements are in category reliability",
    ]


def test_cursor_round_trip_and_refusals() -> None:
    # Given a cursor codec with a 60 s TTL and a token encoded for "filters" at NOW
    codec = CursorCodec(lambda: b"k", ttl_seconds=60)
    position = {"pk": "A", "sk": "B", "gsi1pk": "C", "gsi1sk": "D"}
    token = codec.encode(position, "filters", NOW)

    # When decoded 59 s later with the same filters, Then the position comes back
    assert codec.decode(token, "filters", NOW + timedelta(seconds=59)) == position

    # When decoded at 60 s, Then the cursor has expired
    with pytest.raises(CursorExpired):
        codec.decode(token, "filters", NOW + timedelta(seconds=60))

    # When decoded for other filters, with another key or malformed, Then each is refused with its reason
    with pytest.raises(InvalidCursor, match="other filters"):
        codec.decode(token, "other", NOW)
    with pytest.raises(InvalidCursor, match="signature"):
        CursorCodec(lambda: b"other-key", 60).decode(token, "filters", NOW)
    with pytest.raises(InvalidCursor, match="malformed"):
        codec.decode("no-dot", "filters", NOW)
