"""What one achievement adds to the aggregates kept on write, and the snapshot those aggregates add up to.

Pure: no I/O. The store writes `delta(new, old)` in the same transaction as the achievement, so the stored
aggregates always equal the sum of `contribution(a)` over the stored achievements (see store/aggregates.py).

Counted per achievement:
- `total`; `category#<c>`, `source#<s>`, `month#<YYYY-MM>` (month of `occurred_at` in UTC);
- `scored`, `impact_sum` and per category/month `*_scored#`/`*_impact#`: achievements with an `impact_score`;
- `analysed`: achievements with a deep analysis; `salary_count#<CUR>`, `salary_min_sum#<CUR>`,
  `salary_max_sum#<CUR>` from the analyses' salary ranges;
- `leadership_signals` (+ `leadership_scored`, `leadership_impact_sum`): achievements in the leadership
  category or naming a leadership term (LEADERSHIP_TERMS) in a tag, technology or analysed soft skill;
- `revenue_usd`: sum of `metrics.estimated_revenue_usd` (viral posts' revenue estimate);
- terms (free text, counted in hashed buckets): `technology#`, `skill#` (technical, soft and transferable
  skills of the analysis), `role#` (suitable roles), `level#` (career level); at most MAX_TERMS_PER_KIND
  distinct terms of each kind per achievement, each cut to MAX_TERM_LENGTH characters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from pydantic import BaseModel, Field

from achievements.core.models import Achievement, Category

MAX_TERMS_PER_KIND = 20
MAX_TERM_LENGTH = 60
# Substrings (case-insensitive) that make a tag, technology or soft skill a leadership signal.
LEADERSHIP_TERMS = ("leadership", "mentor", "coaching", "management", "team lead", "tech lead", "stakeholder")
TERM_KINDS = ("technology", "skill", "role", "level")


class Contribution(NamedTuple):
    """Numbers one achievement adds: `counts` go to the shard's counts item, `terms` to term buckets."""

    counts: dict[str, Decimal]
    terms: dict[str, Decimal]


def month_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def normalize_term(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    term = " ".join(text.split())[:MAX_TERM_LENGTH].strip()
    return term or None


def _terms(values: Iterable[Any]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        term = normalize_term(value)
        if term and term.casefold() not in seen:
            seen[term.casefold()] = term
        if len(seen) == MAX_TERMS_PER_KIND:
            break
    return list(seen.values())


def analysis_field(analysis: Mapping[str, Any] | None, section: str, name: str) -> Any:
    """`analysis[section][name]` (the stored DeepAnalysis shape), else a top-level `analysis[name]`."""
    if not analysis:
        return None
    nested = analysis.get(section)
    if isinstance(nested, Mapping) and name in nested:
        return nested[name]
    return analysis.get(name)


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def skills_of(achievement: Achievement) -> list[str]:
    analysis = achievement.analysis
    return _terms(
        [
            *_list(analysis_field(analysis, "skills", "technical_skills")),
            *_list(analysis_field(analysis, "skills", "soft_skills")),
            *_list(analysis_field(analysis, "skills", "transferable_skills")),
        ]
    )


def is_leadership_signal(achievement: Achievement) -> bool:
    if achievement.category == Category.LEADERSHIP:
        return True
    soft = _list(analysis_field(achievement.analysis, "skills", "soft_skills"))
    words = [t.casefold() for t in _terms([*achievement.tags, *achievement.technologies, *soft])]
    return any(term in word for word in words for term in LEADERSHIP_TERMS)


def contribution(achievement: Achievement | None) -> Contribution:
    """Everything `achievement` adds to the aggregates (nothing for None: an achievement not yet stored)."""
    counts: dict[str, Decimal] = {}
    terms: dict[str, Decimal] = {}
    if achievement is None or achievement.deleted_at is not None:
        # Soft-deleted achievements count nowhere (restoring one counts it again).
        return Contribution(counts, terms)

    def add(target: dict[str, Decimal], name: str, value: Decimal) -> None:
        target[name] = target.get(name, Decimal(0)) + value

    one = Decimal(1)
    category, month = achievement.category.value, month_of(achievement.occurred_at)
    add(counts, "total", one)
    add(counts, f"category#{category}", one)
    add(counts, f"source#{achievement.source.value}", one)
    add(counts, f"month#{month}", one)

    score = _number(achievement.impact_score)
    leadership = is_leadership_signal(achievement)
    if score is not None:
        add(counts, "scored", one)
        add(counts, "impact_sum", score)
        add(counts, f"category_scored#{category}", one)
        add(counts, f"category_impact#{category}", score)
        add(counts, f"month_scored#{month}", one)
        add(counts, f"month_impact#{month}", score)
    if leadership:
        add(counts, "leadership_signals", one)
        if score is not None:
            add(counts, "leadership_scored", one)
            add(counts, "leadership_impact_sum", score)
    revenue = _number(achievement.metrics.get("estimated_revenue_usd"))
    if revenue is not None:
        add(counts, "revenue_usd", revenue)

    analysis = achievement.analysis
    if analysis:
        add(counts, "analysed", one)
        salary = analysis_field(analysis, "career_implications", "salary_range")
        if isinstance(salary, Mapping):
            low, high, currency = _number(salary.get("min")), _number(salary.get("max")), salary.get("currency")
            if low is not None and high is not None and isinstance(currency, str) and currency.isalpha():
                code = currency.upper()[:3]
                add(counts, f"salary_count#{code}", one)
                add(counts, f"salary_min_sum#{code}", low)
                add(counts, f"salary_max_sum#{code}", high)

    for term in _terms(achievement.technologies):
        add(terms, f"technology#{term}", one)
    for term in skills_of(achievement):
        add(terms, f"skill#{term}", one)
    for term in _terms(_list(analysis_field(analysis, "career_implications", "suitable_roles"))):
        add(terms, f"role#{term}", one)
    level = normalize_term(analysis_field(analysis, "career_implications", "career_level"))
    if level:
        add(terms, f"level#{level}", one)
    return Contribution(counts, terms)


def _difference(new: dict[str, Decimal], old: dict[str, Decimal]) -> dict[str, Decimal]:
    changes = {name: new.get(name, Decimal(0)) - old.get(name, Decimal(0)) for name in new.keys() | old.keys()}
    return {name: value for name, value in sorted(changes.items()) if value != 0}


def delta(new: Achievement | None, old: Achievement | None) -> Contribution:
    """What a write replacing `old` by `new` changes in the aggregates (no zero entries)."""
    after, before = contribution(new), contribution(old)
    return Contribution(_difference(after.counts, before.counts), _difference(after.terms, before.terms))


# ---- the snapshot: all shards added up -----------------------------------------------------------------------


class SalaryTotals(BaseModel):
    count: int
    min_sum: float
    max_sum: float


def _whole(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class AggregateSnapshot(BaseModel):
    """The aggregates of every stored achievement, as read in one BatchGetItem (zero entries dropped)."""

    total: int = 0
    by_category: dict[str, int] = Field(default_factory=dict)
    by_source: dict[str, int] = Field(default_factory=dict)
    by_month: dict[str, int] = Field(default_factory=dict)
    scored: int = 0
    impact_sum: float = 0
    category_scored: dict[str, int] = Field(default_factory=dict)
    category_impact: dict[str, float] = Field(default_factory=dict)
    month_scored: dict[str, int] = Field(default_factory=dict)
    month_impact: dict[str, float] = Field(default_factory=dict)
    analysed: int = 0
    leadership_signals: int = 0
    leadership_scored: int = 0
    leadership_impact_sum: float = 0
    revenue_usd: float = 0
    salary: dict[str, SalaryTotals] = Field(default_factory=dict)
    technologies: dict[str, int] = Field(default_factory=dict)
    skills: dict[str, int] = Field(default_factory=dict)
    roles: dict[str, int] = Field(default_factory=dict)
    levels: dict[str, int] = Field(default_factory=dict)

    @property
    def average_impact(self) -> float | None:
        return self.impact_sum / self.scored if self.scored else None

    @classmethod
    def from_attributes(cls, attributes: Mapping[str, Decimal]) -> AggregateSnapshot:
        """Build from the summed attributes of the counts and term items (names as `contribution` writes)."""
        data: dict[str, Any] = {}
        salary: dict[str, dict[str, Any]] = {}
        terms: dict[str, dict[str, dict[str, int]]] = {kind: {} for kind in TERM_KINDS}
        maps = {
            "category": "by_category",
            "source": "by_source",
            "month": "by_month",
            "category_scored": "category_scored",
            "category_impact": "category_impact",
            "month_scored": "month_scored",
            "month_impact": "month_impact",
        }
        for name, raw in attributes.items():
            value = _whole(raw)
            if raw == 0:
                continue
            prefix, _, key = name.partition("#")
            if not key:
                if prefix in cls.model_fields:
                    data[prefix] = value
            elif prefix in maps:
                data.setdefault(maps[prefix], {})[key] = value
            elif prefix.startswith("salary_"):
                field = {"salary_count": "count", "salary_min_sum": "min_sum", "salary_max_sum": "max_sum"}.get(prefix)
                if field:
                    salary.setdefault(key, {"count": 0, "min_sum": 0, "max_sum": 0})[field] = value
            elif prefix in terms:
                # Case variants of one term add up; the most frequent spelling names them.
                variants = terms[prefix].setdefault(key.casefold(), {})
                variants[key] = variants.get(key, 0) + int(value)
        data["salary"] = {code: totals for code, totals in salary.items() if totals["count"] > 0}
        for kind, field_name in zip(TERM_KINDS, ("technologies", "skills", "roles", "levels"), strict=True):
            merged = {}
            for variants in terms[kind].values():
                count = sum(variants.values())
                if count > 0:
                    merged[max(variants, key=lambda v: (variants[v], v))] = count
            data[field_name] = merged
        return cls.model_validate(data)
