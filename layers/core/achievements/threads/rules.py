"""The reference's viral rule and revenue estimate for Threads posts (SPEC §3), in exact decimals."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from achievements.core.models import Achievement, Source

VIRAL_ENGAGEMENT_THRESHOLD = 0.06
REVENUE_PER_ENGAGED_VIEW = Decimal("0.01")
CENT = Decimal("0.01")


def is_viral(engagement_rate: float) -> bool:
    """Viral at 6% engagement or more: the threshold itself counts."""
    return engagement_rate >= VIRAL_ENGAGEMENT_THRESHOLD


def engaged_views(views: int, engagement_rate: float) -> Decimal:
    # Decimal of the float's shortest repr, so 10,000 x 0.08 is exactly 800, not 800.0000000000001.
    return Decimal(views) * Decimal(repr(engagement_rate))


def estimated_revenue(views: int, engagement_rate: float) -> Decimal:
    """$0.01 per engaged view, rounded half-up to the cent."""
    return (engaged_views(views, engagement_rate) * REVENUE_PER_ENGAGED_VIEW).quantize(CENT, ROUND_HALF_UP)


# ---- repeats of a post (SPEC §5): its counters never go down ----------------------------------------------

COUNTERS = ("views", "likes", "shares")


class CountersWentDown(Exception):
    """A repeat of a post with a counter lower than the stored one: the stored numbers stay."""

    def __init__(self, fell: dict[str, tuple[int, int]]) -> None:
        self.fell = fell
        shown = ", ".join(f"{name} {before:,} -> {after:,}" for name, (before, after) in fell.items())
        super().__init__(f"counters would go down ({shown}); the stored numbers are kept")


def _count(metrics: Mapping[str, Any], name: str) -> int:
    value = metrics.get(name)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def counter_changes(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Which counters grew from `before` to `after` (achievement metrics), and which fell (before, after)."""
    grew = [name for name in COUNTERS if _count(after, name) > _count(before, name)]
    fell = {
        name: (_count(before, name), _count(after, name))
        for name in COUNTERS
        if _count(after, name) < _count(before, name)
    }
    return grew, fell


def counters_never_go_down(achievement: Achievement, previous: Achievement | None) -> list[dict[str, Any]]:
    """A store write hook: refuses (raises) an update of a Threads post whose counters fell.

    The store calls it with the achievement as just re-read inside its optimistic write (the write is
    conditional on that read), so two syncs racing cannot replace higher numbers with lower ones.
    """
    if previous is None or achievement.source is not Source.THREADS:
        return []
    _, fell = counter_changes(previous.metrics, achievement.metrics)
    if fell:
        raise CountersWentDown(fell)
    return []


def counters_floor(views: int, likes: int, shares: int) -> dict[str, float]:
    """SPEC §5: a repeat of a post may not lower any of its counters (the store refuses one that does)."""
    return {"views": float(views), "likes": float(likes), "shares": float(shares)}
