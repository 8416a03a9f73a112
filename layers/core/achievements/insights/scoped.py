"""Insights and portfolio for one person, one team or everyone, and a period (SPEC §8).

- Insights: the scope's aggregates kept on write (core/ownership.py aggregate_signs: one BatchGetItem) and
  its top achievements from at most TOP_PAGES pages of the impact index: constant calls at any size.
- Portfolio: the period's achievements (store/periods.py, shared with the reviews): a person's from gsi3
  (`OWNER#<person>` / occurred_at), so the items read are the period's; a team's are its members'.
"""

from __future__ import annotations

from decimal import Decimal

from achievements.core.aggregates import AggregateSnapshot, contribution
from achievements.core.models import Achievement
from achievements.core.ownership import aggregate_signs
from achievements.store.periods import MAX_PERIOD_READ, Scope, checked_scope, period_achievements
from achievements.store.reads import AchievementReader, IndexQuery

__all__ = [
    "MAX_PERIOD_READ",
    "Scope",
    "checked_scope",
    "period_achievements",
    "scoped_snapshot",
    "scoped_top",
    "snapshot_of",
]

TOP_PAGES = 2


def scoped_snapshot(reader: AchievementReader, scope: Scope, default_owner: str) -> AggregateSnapshot:
    return reader.scoped_aggregates(aggregate_signs(scope.person, scope.team, default_owner))


def scoped_top(reader: AchievementReader, scope: Scope, default_owner: str, limit: int) -> list[Achievement]:
    spec = IndexQuery(
        index="gsi2", person=scope.person, team=scope.team, legacy=scope.person == default_owner, visible_only=True
    )
    return [a for a in reader.top_by_impact_of(spec, limit, TOP_PAGES) if a.impact_score is not None]


def snapshot_of(achievements: list[Achievement]) -> AggregateSnapshot:
    """The aggregates of a set of achievements (the same arithmetic as the ones kept on write)."""
    totals: dict[str, Decimal] = {}
    for achievement in achievements:
        part = contribution(achievement)
        for name, value in {**part.counts, **part.terms}.items():
            totals[name] = totals.get(name, Decimal(0)) + value
    return AggregateSnapshot.from_attributes(totals)
