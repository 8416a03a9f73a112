"""Target and improvement rules from the reference, each metric with a direction (KPI milestones, scrape)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from achievements.core.models import Direction

IMPROVEMENT_FACTOR = Decimal("0.1")


def meets_target(direction: Direction, value: float, target: float) -> bool:
    return value >= target if direction is Direction.HIGHER else value <= target


def is_improvement(direction: Direction, value: float, threshold: float, previous: float | None) -> bool:
    """SPEC §3: at or past the threshold and, when a previous value exists, at least 10% better than it."""
    if not meets_target(direction, value, threshold):
        return False
    if previous is None:
        return True
    # Exact decimal arithmetic: 0.009 is not "10% under 0.01" just because 0.01 * 0.9 rounds up in binary.
    current, before = _exact(value), _exact(previous)
    if direction is Direction.HIGHER:
        return current > before * (1 + IMPROVEMENT_FACTOR)
    return current < before * (1 - IMPROVEMENT_FACTOR)


def _exact(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def improvement_percentage(direction: Direction, value: float, reference: float) -> float:
    """How much better `value` is than `reference` (the previous value, else the threshold), in percent.

    1.2 s against 2.0 s, lower is better: 40. 25,000 against 20,000, higher is better: 25.
    """
    if reference == 0:
        return 0.0
    change = (value - reference) if direction is Direction.HIGHER else (reference - value)
    return change / abs(reference) * 100


def _shown(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"


def regression(stored: Mapping[str, float], incoming: Mapping[str, float]) -> str | None:
    """Why a repeat is worse than what is stored (SPEC §5: counters never go down, the best value stays), or None.

    Every number the stored achievement keeps (`not_below`) must be in the repeat too, and not lower.
    """
    for name, before in stored.items():
        after = incoming.get(name)
        if after is None:
            return f"{name} is missing from the repeat (stored {_shown(before)})"
        if after < before:
            return f"{name} would go down from {_shown(before)} to {_shown(after)}"
    return None


def best_value_floor(direction: Direction, value: float) -> dict[str, float]:
    """SPEC §5: a repeat of a KPI achievement (same metric and target) may not make its value worse.

    One number that only grows with a better value: the value itself when higher is better, negated otherwise.
    """
    return {"better": value if direction is Direction.HIGHER else -value}
