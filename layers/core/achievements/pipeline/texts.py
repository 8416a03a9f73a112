"""Human-readable parts of an event (pure): an achievement's numbers in one line."""

from __future__ import annotations

from typing import Any

MAX_NUMBERS = 4


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def numbers_text(metrics: dict[str, Any], impact_score: float | None) -> str:
    """`impact 85/100; engagement_rate 8.5, views 12,000` (the first few numeric metrics, by name)."""
    numeric = [
        (name, value)
        for name, value in sorted(metrics.items())
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]
    shown = ", ".join(f"{name} {_number(value)}" for name, value in numeric[:MAX_NUMBERS])
    impact = f"impact {_number(impact_score)}/100" if impact_score is not None else "not scored yet"
    return f"{impact}; {shown}" if shown else impact
