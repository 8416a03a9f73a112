"""The reference's viral rule and revenue estimate for Threads posts (SPEC §3), in exact decimals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

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


COUNTERS = ("views", "likes", "shares")


def counters_floor(views: int, likes: int, shares: int) -> dict[str, float]:
    """SPEC §5: a repeat of a post may not lower any of its counters (the store refuses one that does)."""
    return {"views": float(views), "likes": float(likes), "shares": float(shares)}
