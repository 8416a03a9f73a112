"""The four charts of a document drawn from its achievements (pure): per month by category, average impact per
month, category mix and top skills."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from achievements.core.aggregates import month_of
from achievements.core.models import Achievement, Category
from achievements.render.charts import (
    SERIES_COLOURS,
    MonthlyStack,
    chart_grid,
    month_bars,
    ranked_bars,
    stacked_month_bars,
)

TOP_SKILLS = 8
CATEGORY_LABELS = {category.value: category.value.capitalize() for category in Category}


class ChartPoint(NamedTuple):
    """What the charts need of one achievement."""

    occurred_at: datetime
    category: Category
    impact_score: float | None


def points_of(achievements: Iterable[Achievement]) -> list[ChartPoint]:
    return [ChartPoint(a.occurred_at, a.category, a.impact_score) for a in achievements]


def monthly_stack(achievements: Sequence[ChartPoint], months: Sequence[str]) -> MonthlyStack:
    counts: dict[str, dict[str, int]] = {month: {} for month in months}
    for achievement in achievements:
        month = counts.get(month_of(achievement.occurred_at))
        if month is not None:
            month[achievement.category.value] = month.get(achievement.category.value, 0) + 1
    present = {name for month in counts.values() for name in month}
    series = [category.value for category in Category if category.value in present]
    return MonthlyStack(months=list(months), series=series, counts=counts, labels=CATEGORY_LABELS)


def average_impact_by_month(achievements: Sequence[ChartPoint], months: Sequence[str]) -> dict[str, float | None]:
    sums: dict[str, tuple[float, int]] = {}
    for achievement in achievements:
        if achievement.impact_score is None:
            continue
        month = month_of(achievement.occurred_at)
        total, count = sums.get(month, (0.0, 0))
        sums[month] = (total + achievement.impact_score, count + 1)
    return {m: round(sums[m][0] / sums[m][1], 1) if m in sums else None for m in months}


def achievement_charts(
    prefix: str, achievements: Sequence[ChartPoint], months: Sequence[str], skills: Mapping[str, int]
) -> str:
    """The grid of the four charts (ids `<prefix>-months`, `-impact`, `-categories`, `-skills`)."""
    mix: dict[str, int] = {}
    for achievement in achievements:
        mix[achievement.category.value] = mix.get(achievement.category.value, 0) + 1
    top_skills = sorted(skills.items(), key=lambda item: (-item[1], item[0].casefold()))[:TOP_SKILLS]
    return chart_grid(
        [
            stacked_month_bars(f"{prefix}-months", "Achievements per month", monthly_stack(achievements, months)),
            month_bars(
                f"{prefix}-impact",
                "Average impact score per month",
                months,
                average_impact_by_month(achievements, months),
                "",
                100,
            ),
            ranked_bars(
                f"{prefix}-categories",
                "Category mix",
                [(CATEGORY_LABELS[name], count) for name, count in mix.items()],
                "achievements",
                {CATEGORY_LABELS[name]: colour for name, colour in SERIES_COLOURS.items()},
            ),
            ranked_bars(
                f"{prefix}-skills",
                "Top skills",
                [(name, float(n)) for name, n in top_skills],
                "achievements",
                parts_of_whole=False,
            ),
        ]
    )
