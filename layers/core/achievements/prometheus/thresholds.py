"""Intelligent thresholds: a metric's effective threshold derived from its own recent history.

For a window W, quantile q and at least n samples (README, "Intelligent thresholds"):

    H      = the finite values of the metric's PromQL over [t - W, t - s], step s = max(60 s, W / 240)
    higher-is-better:  T_eff = max(T, Q_q(H))
    lower-is-better:   T_eff = min(T, Q_(1-q)(H))
    fewer than n samples in H: T_eff = T

Q_p is the linear-interpolated quantile (position p * (len(H) - 1) in the sorted values). The configured
threshold T stays the floor: history only ever raises the bar, so a milestone means "better than this
metric has been" (with q = 1: better than it has ever been in the window).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from achievements.core.models import Direction

MIN_STEP = timedelta(seconds=60)
POINTS_PER_WINDOW = 240


class ThresholdSource(StrEnum):
    STATIC = "static"  # the configured threshold
    HISTORY = "history"  # raised by the metric's history


@dataclass(frozen=True, slots=True)
class HistoryPolicy:
    window: timedelta
    quantile: float = 0.9
    min_samples: int = 24

    def __post_init__(self) -> None:
        if self.window < MIN_STEP:
            raise ValueError(f"history window must be at least {MIN_STEP}")
        if not 0.5 <= self.quantile <= 1:
            raise ValueError("history quantile must be within 0.5..1")
        if self.min_samples < 1:
            raise ValueError("min_samples must be at least 1")

    @property
    def step(self) -> timedelta:
        return max(MIN_STEP, timedelta(seconds=math.ceil(self.window.total_seconds() / POINTS_PER_WINDOW)))


@dataclass(frozen=True, slots=True)
class EffectiveThreshold:
    value: float
    source: ThresholdSource
    samples: int
    historical: float | None = None  # Q_q(H) (or Q_(1-q)(H)) when there was enough history


def quantile(values: Sequence[float], p: float) -> float:
    """Linear-interpolated quantile of `values` (numpy's default method)."""
    if not values:
        raise ValueError("quantile of no values")
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def intelligent_threshold(
    direction: Direction, threshold: float, history: Sequence[float], policy: HistoryPolicy
) -> EffectiveThreshold:
    """The effective threshold of a metric given its history (see the module docstring for the formula)."""
    samples = [value for value in history if math.isfinite(value)]
    if len(samples) < policy.min_samples:
        return EffectiveThreshold(threshold, ThresholdSource.STATIC, len(samples))
    if direction is Direction.HIGHER:
        historical = quantile(samples, policy.quantile)
        effective = max(threshold, historical)
    else:
        historical = quantile(samples, 1 - policy.quantile)
        effective = min(threshold, historical)
    source = ThresholdSource.STATIC if effective == threshold else ThresholdSource.HISTORY
    return EffectiveThreshold(effective, source, len(samples), historical)
