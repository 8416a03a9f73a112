"""What a Prometheus scrape looks at (metrics, thresholds, PromQL, milestones) and what a value achieves."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    StrictBool,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from achievements.core.metrics import CATALOGUE, MetricSpec, Unit, metric_label
from achievements.core.models import AchievementDraft, Category, Direction, Source
from achievements.core.rules import best_value_floor, is_improvement
from achievements.prometheus.models import MetricName
from achievements.prometheus.texts import SCRAPE_TAGS, KpiAchievementText, kpi_achievement_text, milestone_text

# posts_generated_total is a counter: it achieves milestones (each once), not "10% better than last time".
DEFAULT_MILESTONES: dict[str, tuple[float, ...]] = {"posts_generated_total": (100, 500, 1000, 5000, 10000)}


class InvalidScrapeConfig(ValueError):
    """The thresholds/queries configuration cannot be used; the scrape creates nothing with it."""


class MetricOverride(BaseModel):
    """One metric's configuration over the catalogue's defaults (README, "Thresholds and queries")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: StrictBool = True
    threshold: FiniteFloat | None = Field(default=None, strict=True)
    query: str | None = Field(default=None, min_length=1, max_length=4000)
    direction: Direction | None = None
    unit: Unit | None = None
    category: Category | None = None
    milestones: tuple[FiniteFloat, ...] | None = Field(default=None, max_length=50)

    @field_validator("milestones")
    @classmethod
    def _ascending_positive(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and (any(m <= 0 for m in value) or list(value) != sorted(set(value))):
            raise ValueError("milestones must be positive and strictly ascending")
        return value


_OVERRIDES = TypeAdapter(dict[MetricName, MetricOverride])


def parse_overrides(text: str, origin: str) -> dict[str, MetricOverride]:
    """Overrides from JSON (`{"metric": {"threshold": 1.5, "query": "..."}}`); errors name `origin` and fields."""
    if not text.strip():
        return {}
    try:
        return _OVERRIDES.validate_python(json.loads(text))
    except json.JSONDecodeError as error:
        raise InvalidScrapeConfig(f"{origin} is not valid JSON: {error.msg} (char {error.pos})") from error
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in detail['loc']) or 'value'}: {detail['msg']}" for detail in error.errors()
        )
        raise InvalidScrapeConfig(f"{origin} is invalid: {problems}") from error


@dataclass(frozen=True, slots=True)
class ScrapeTarget:
    """One metric as this scrape sees it: its spec with the configured threshold and query."""

    spec: MetricSpec
    milestones: tuple[float, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def threshold(self) -> float:
        return self.spec.threshold

    @property
    def query(self) -> str:
        return self.spec.query

    @property
    def reached_milestones(self) -> tuple[float, ...]:
        """Milestones that count: those at or past the threshold in the metric's direction."""
        if self.spec.direction is Direction.HIGHER:
            return tuple(m for m in self.milestones if m >= self.threshold)
        return tuple(m for m in self.milestones if m <= self.threshold)


def _merge(layers: tuple[Mapping[str, MetricOverride], ...]) -> dict[str, dict[str, object]]:
    merged: dict[str, dict[str, object]] = {}
    for layer in layers:
        for name, override in layer.items():
            merged.setdefault(name, {}).update(override.model_dump(include=override.model_fields_set))
    return merged


def scrape_targets(*layers: Mapping[str, MetricOverride]) -> list[ScrapeTarget]:
    """The catalogue with the override layers applied in order (later layers win, field by field)."""
    merged = _merge(layers)
    targets: list[ScrapeTarget] = []
    for name in [*CATALOGUE, *sorted(set(merged) - set(CATALOGUE))]:
        fields = merged.get(name, {})
        if fields.get("enabled", True) is False:
            continue
        known = CATALOGUE.get(name)
        direction = fields.get("direction")
        if known is not None:
            if direction is not None and direction is not known.direction:
                raise InvalidScrapeConfig(
                    f"{name} is {known.direction.value}-is-better; its direction cannot be overridden"
                )
            spec = known
        else:
            missing = [key for key in ("direction", "threshold", "query") if fields.get(key) is None]
            if missing:
                raise InvalidScrapeConfig(f"{name} is not in the catalogue: give its {', '.join(missing)}")
            spec = MetricSpec(
                name,
                Direction(str(direction)),
                0.0,
                Unit.COUNT,
                Category.PERFORMANCE,
                metric_label(name).lower(),
                "",
            )
        changes = {
            key: fields[key] for key in ("threshold", "query", "unit", "category") if fields.get(key) is not None
        }
        spec = dataclasses.replace(spec, **changes)  # type: ignore[arg-type]
        milestones = fields.get("milestones")
        targets.append(
            ScrapeTarget(spec, tuple(milestones) if milestones is not None else DEFAULT_MILESTONES.get(name, ()))  # type: ignore[arg-type]
        )
    return targets


def improvement_ref(metric_name: str, state_version: int) -> str:
    """Dedupe key of an improvement: the metric and how many values were recorded before it.

    Two scrapes that read the same previous state (a scheduled and a manual run at once) make the
    same key, so the store keeps one achievement; the next scrape reads a newer state and a new key.
    """
    return f"{metric_name}:improvement:{state_version}"


def milestone_ref(metric_name: str, milestone: float) -> str:
    return f"{metric_name}:milestone:{milestone:g}"


def _draft(target: ScrapeTarget, text: KpiAchievementText, source_ref: str, at: datetime) -> AchievementDraft:
    return AchievementDraft(
        title=text.title,
        description=text.description,
        category=text.category,
        source=Source.PROMETHEUS,
        source_ref=source_ref,
        occurred_at=at,
        impact=text.impact,
        business_value=text.business_value,
        metrics=text.metrics,
        technologies=list(target.spec.technologies),
        tags=[*SCRAPE_TAGS, target.name],
    )


def improvement_draft(
    target: ScrapeTarget, value: float, threshold: float, previous: float | None, state_version: int, at: datetime
) -> AchievementDraft | None:
    """The achievement of an improvement (SPEC §3 rules), or None; milestone metrics never improve this way."""
    if target.milestones or not is_improvement(target.spec.direction, value, threshold, previous):
        return None
    text = kpi_achievement_text(target.spec, value, threshold, previous, at)
    draft = _draft(target, text, improvement_ref(target.name, state_version), at)
    # Two scrapes of one state make one achievement: the later one may only make its value better (SPEC §5).
    return draft.model_copy(update={"not_below": best_value_floor(target.spec.direction, value)})


def milestone_drafts(target: ScrapeTarget, value: float, at: datetime) -> list[tuple[float, AchievementDraft]]:
    """Every milestone `value` has reached, lowest first, with its achievement (the caller creates each once)."""
    if target.spec.direction is Direction.HIGHER:
        reached = [m for m in target.reached_milestones if value >= m]
    else:
        reached = [m for m in target.reached_milestones if value <= m]
    return [
        (m, _draft(target, milestone_text(target.spec, m, value, at), milestone_ref(target.name, m), at))
        for m in reached
    ]
