"""The KPI catalogue: every metric with its direction, unit, category, default threshold and PromQL."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from achievements.core.models import Category, Direction


class Unit(StrEnum):
    USD = "usd"
    SECONDS = "seconds"
    RATIO = "ratio"
    COUNT = "count"


@dataclass(frozen=True, slots=True)
class MetricSpec:
    name: str
    direction: Direction
    threshold: float
    unit: Unit
    category: Category
    noun: str
    query: str
    technologies: tuple[str, ...] = ("Prometheus",)
    # The sane range of a value or target of this metric (SPEC §5: outside it, the KPI route answers 422).
    bounds: tuple[float, float] = (0.0, 1e12)


CATALOGUE: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec(
            "posts_engagement_rate",
            Direction.HIGHER,
            0.06,
            Unit.RATIO,
            Category.CONTENT,
            "engagement rate",
            "avg(posts_engagement_rate)",
            bounds=(0.0, 1.0),
        ),
        MetricSpec(
            "revenue_projection_monthly",
            Direction.HIGHER,
            20000,
            Unit.USD,
            Category.BUSINESS,
            "revenue",
            "max(revenue_projection_monthly)",
        ),
        MetricSpec(
            "cost_per_follow_dollars",
            Direction.LOWER,
            0.01,
            Unit.USD,
            Category.BUSINESS,
            "cost per follow",
            "avg(cost_per_follow_dollars)",
            bounds=(0.0, 1e6),
        ),
        MetricSpec(
            "content_generation_latency_seconds",
            Direction.LOWER,
            2.0,
            Unit.SECONDS,
            Category.PERFORMANCE,
            "content generation latency",
            "histogram_quantile(0.95, sum by (le) (rate(content_generation_latency_seconds_bucket[1h])))",
            ("Prometheus", "Grafana", "Kubernetes", "Performance Monitoring"),
            bounds=(0.0, 86_400.0),
        ),
        MetricSpec(
            "posts_generated_total",
            Direction.HIGHER,
            100,
            Unit.COUNT,
            Category.CONTENT,
            "posts generated",
            "sum(posts_generated_total)",
        ),
        MetricSpec(
            "http_request_duration_seconds",
            Direction.LOWER,
            0.5,
            Unit.SECONDS,
            Category.PERFORMANCE,
            "HTTP request duration",
            "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[1h])))",
            ("Prometheus", "Grafana", "Kubernetes", "Performance Monitoring"),
            bounds=(0.0, 86_400.0),
        ),
        MetricSpec(
            "error_rate",
            Direction.LOWER,
            0.01,
            Unit.RATIO,
            Category.RELIABILITY,
            "error rate",
            # `or vector(0)`: no 5xx series at all means no errors, not "no data".
            '(sum(rate(http_requests_total{status=~"5.."}[1h])) or vector(0)) / sum(rate(http_requests_total[1h]))',
            bounds=(0.0, 1.0),
        ),
        MetricSpec(
            "uptime",
            Direction.HIGHER,
            0.999,
            Unit.RATIO,
            Category.RELIABILITY,
            "uptime",
            # One value over every scraped target (`up` has a series per target).
            "avg(avg_over_time(up[1d]))",
            bounds=(0.0, 1.0),
        ),
    )
}


def metric_label(name: str) -> str:
    """`content_generation_latency_seconds` -> `Content Generation Latency Seconds` (the reference's titles)."""
    return " ".join(word.capitalize() for word in name.split("_") if word)


def _trim(value: float, places: int) -> str:
    text = f"{Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: float, unit: Unit) -> str:
    """Human text of a value in its unit: `$25,000`, `$0.008`, `1.2s`, `7.8%`, `1,000`."""
    if unit is Unit.USD:
        if float(value).is_integer():
            return f"${int(value):,}"
        if abs(value) >= 1:
            return f"${value:,.2f}"
        return f"${_trim(value, 4)}"
    if unit is Unit.SECONDS:
        return f"{round(float(value), 3)}s"
    if unit is Unit.RATIO:
        return f"{_trim(value * 100, 2)}%"
    return f"{int(value):,}" if float(value).is_integer() else _trim(value, 3)


def format_percentage(value: float) -> int | float:
    """Whole numbers stay ints (`40`, not `40.0`), others keep one decimal."""
    rounded = round(value, 1)
    return int(rounded) if rounded.is_integer() else rounded
