"""What a review says, from the achievements of two periods (pure): every number with the ids behind it.

- Period: `period=2026-Q3` (quarter), `2026-H1` (half), `2026` (year), `2026-07` (month) or `last-90d`
  (the N days up to now), or `from`/`to` (dates or ISO 8601 date-times; `to` defaults to now); none: the
  last 90 days. A named period is compared with the one before it (2026-Q2, 2025-H2, ...); `last-Nd` and
  `from`/`to` with the span of equal length that ends just before it.
- Headline numbers: achievements, average impact score (scored ones), estimated revenue (the viral posts'
  `metrics.estimated_revenue_usd`) and KPI wins (KPI milestones and Prometheus achievements); each with the
  previous period's value, the change, and the ids it is computed from.
- Highlights: the HIGHLIGHTS highest-impact achievements (then the highest revenue, then the newest), each
  with its evidence: the pull request or release link, the post, the metric and its target.
- Skills: the analysis' technical, soft and transferable skills plus the technologies of each achievement;
  `new` when no achievement of the previous period showed it.
- Next steps: the analyses' `next_steps`, the most often suggested first; plus deep analysis for the
  achievements that have none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from achievements.core.aggregates import month_of, normalize_term, skills_of
from achievements.core.errors import InvalidInput
from achievements.core.models import Achievement, Category, Source
from achievements.reviews.models import (
    Evidence,
    HeadlineNumber,
    Highlight,
    MonthNumbers,
    NextStep,
    Period,
    Review,
    ReviewEntry,
    ReviewScope,
    ReviewSection,
    SkillShown,
    Win,
)

DEFAULT_DAYS = 90
MAX_DAYS = 3660
HIGHLIGHTS = 5
MAX_SKILLS = 20
MAX_WINS = 10
MAX_NEXT_STEPS = 8
SECTION_ENTRIES = 10
KPI_SOURCES = (Source.KPI, Source.PROMETHEUS)
CATEGORY_TITLES: dict[Category, str] = {
    Category.CONTENT: "Content & audience",
    Category.BUSINESS: "Business impact",
    Category.PERFORMANCE: "Performance",
    Category.DEVELOPMENT: "Development",
    Category.INFRASTRUCTURE: "Infrastructure",
    Category.RELIABILITY: "Reliability",
    Category.LEADERSHIP: "Leadership",
}
_TICK = timedelta(microseconds=1)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_LAST_DAYS = re.compile(r"^last-(\d{1,4})d$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD_RULE = "2026-Q3, 2026-H1, 2026, 2026-07 or last-<days>d (e.g. last-90d)"


# ---- the period ----------------------------------------------------------------------------------------------


def _month_start(year: int, month: int) -> datetime:
    """The first moment of a month counted from year 0 (month may run past 12 or below 1)."""
    index = year * 12 + month - 1
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _months(year: int, first: int, count: int) -> tuple[datetime, datetime]:
    start = _month_start(year, first)
    return start, _month_start(year, first + count) - _TICK


def _moment(text: str, end_of_day: bool, name: str) -> datetime:
    value = re.sub(r" (\d{2}:\d{2})$", r"+\1", text.strip())  # an unencoded "+" of an offset is a space
    try:
        if _DATE_ONLY.match(value):
            return datetime.combine(date.fromisoformat(value), time.max if end_of_day else time.min, tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(f"invalid {name} {text!r}: a date (YYYY-MM-DD) or an ISO 8601 date-time") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _named(period: str) -> tuple[str, datetime, datetime, str, datetime, datetime] | None:
    """(kind, start, end, previous label, previous start, previous end) of a named calendar period."""
    year_text = period[:4]
    if year_text.isdigit() and not 1970 <= int(year_text) <= 9998:
        raise InvalidInput(f"invalid period {period!r}: the year must be 1970 to 9998")
    if match := _QUARTER.match(period):
        year, quarter = int(match[1]), int(match[2])
        before = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        return (
            "quarter",
            *_months(year, 3 * quarter - 2, 3),
            f"{before[0]}-Q{before[1]}",
            *_months(before[0], 3 * before[1] - 2, 3),
        )
    if match := _HALF.match(period):
        year, half = int(match[1]), int(match[2])
        before = (year, 1) if half == 2 else (year - 1, 2)
        return (
            "half",
            *_months(year, 6 * half - 5, 6),
            f"{before[0]}-H{before[1]}",
            *_months(before[0], 6 * before[1] - 5, 6),
        )
    if match := _YEAR.match(period):
        year = int(match[1])
        return ("year", *_months(year, 1, 12), str(year - 1), *_months(year - 1, 1, 12))
    if match := _MONTH.match(period):
        year, month = int(match[1]), int(match[2])
        previous_start = _month_start(year, month - 1)
        return (
            "month",
            *_months(year, month, 1),
            f"{previous_start:%Y-%m}",
            *_months(previous_start.year, previous_start.month, 1),
        )
    return None


def _span_label(start: datetime, end: datetime) -> str:
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"


def resolve_period(period: str | None, date_from: str | None, date_to: str | None, now: datetime) -> Period:
    """The period asked for (422 naming the problem otherwise) and the previous one of equal length."""
    if period is not None and (date_from is not None or date_to is not None):
        raise InvalidInput("invalid request: give period or from/to, not both")
    if period is not None:
        text = period.strip()
        named = _named(text)
        if named is not None:
            kind, start, end, previous_label, previous_start, previous_end = named
            return Period(
                label=text,
                kind=kind,  # type: ignore[arg-type]
                start=start,
                end=end,
                previous_label=previous_label,
                previous_start=previous_start,
                previous_end=previous_end,
            )
        match = _LAST_DAYS.match(text)
        if match is None:
            raise InvalidInput(f"invalid period {period!r}: one of {PERIOD_RULE}")
        days = int(match[1])
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput(f"invalid period {period!r}: last-<days>d takes 1 to {MAX_DAYS} days")
        return _equal_length(f"last {days} days", "last-days", now - timedelta(days=days), now)
    if date_from is None and date_to is None:
        return _equal_length(f"last {DEFAULT_DAYS} days", "last-days", now - timedelta(days=DEFAULT_DAYS), now)
    if date_from is None:
        raise InvalidInput("invalid request: to needs a from (or give period)")
    start = _moment(date_from, end_of_day=False, name="from")
    end = _moment(date_to, end_of_day=True, name="to") if date_to is not None else now
    if start.year < 1970 or end.year > 9998:
        raise InvalidInput("invalid request: from and to must lie in the years 1970 to 9998")
    if start > end:
        raise InvalidInput("invalid request: from is after to")
    if end - start > timedelta(days=MAX_DAYS):
        raise InvalidInput(f"invalid request: a review spans at most {MAX_DAYS} days")
    return _equal_length(_span_label(start, end), "range", start, end)


def _equal_length(label: str, kind: str, start: datetime, end: datetime) -> Period:
    previous_end = start - _TICK
    previous_start = previous_end - (end - start)
    return Period(
        label=label if kind == "range" else f"{label} ({_span_label(start, end)})",
        kind=kind,  # type: ignore[arg-type]
        start=start,
        end=end,
        previous_label=_span_label(previous_start, previous_end),
        previous_start=previous_start,
        previous_end=previous_end,
    )


def split_periods(achievements: Iterable[Achievement], period: Period) -> tuple[list[Achievement], list[Achievement]]:
    """The period's achievements and the previous period's (others dropped), each oldest first."""
    current, previous = [], []
    for achievement in achievements:
        if period.start <= achievement.occurred_at <= period.end:
            current.append(achievement)
        elif period.previous_start <= achievement.occurred_at <= period.previous_end:
            previous.append(achievement)
    order = lambda a: (a.occurred_at, a.id)  # noqa: E731
    return sorted(current, key=order), sorted(previous, key=order)


# ---- numbers -------------------------------------------------------------------------------------------------


def revenue_of(achievement: Achievement) -> float | None:
    value = achievement.metrics.get("estimated_revenue_usd")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _ids(achievements: Iterable[Achievement]) -> list[int]:
    return sorted(a.id for a in achievements)


def _average(achievements: Sequence[Achievement]) -> float | None:
    scores = [a.impact_score for a in achievements if a.impact_score is not None]
    return round(sum(scores) / len(scores), 1) if scores else None


def _number(
    name: str, label: str, current: tuple[float | None, list[int]], previous: tuple[float | None, list[int]]
) -> HeadlineNumber:
    now_value, then_value = current[0], previous[0]
    change = round(now_value - then_value, 2) if now_value is not None and then_value is not None else None
    change_pct = round(change / then_value * 100, 1) if change is not None and then_value else None
    return HeadlineNumber(
        name=name,  # type: ignore[arg-type]
        label=label,
        current=now_value,
        previous=then_value,
        change=change,
        change_pct=change_pct,
        cited=current[1],
        previous_cited=previous[1],
    )


def headline(current: Sequence[Achievement], previous: Sequence[Achievement]) -> list[HeadlineNumber]:
    def numbers(achievements: Sequence[Achievement]) -> dict[str, tuple[float | None, list[int]]]:
        scored = [a for a in achievements if a.impact_score is not None]
        earning = [a for a in achievements if revenue_of(a) is not None]
        kpis = [a for a in achievements if a.source in KPI_SOURCES]
        return {
            "achievements": (float(len(achievements)), _ids(achievements)),
            "average_impact": (_average(scored), _ids(scored)),
            "revenue_usd": (round(sum(revenue_of(a) or 0.0 for a in earning), 2), _ids(earning)),
            "kpi_wins": (float(len(kpis)), _ids(kpis)),
        }

    now, then = numbers(current), numbers(previous)
    labels = {
        "achievements": "Achievements",
        "average_impact": "Average impact score",
        "revenue_usd": "Estimated revenue (USD)",
        "kpi_wins": "KPI wins",
    }
    return [_number(name, label, now[name], then[name]) for name, label in labels.items()]


def months_of(achievements: Sequence[Achievement], months: Sequence[str]) -> list[MonthNumbers]:
    rows = {month: MonthNumbers(month=month, count=0, by_category={}, average_impact=None) for month in months}
    scores: dict[str, list[float]] = {}
    for achievement in achievements:
        row = rows.get(month_of(achievement.occurred_at))
        if row is None:
            continue
        row.count += 1
        row.by_category[achievement.category.value] = row.by_category.get(achievement.category.value, 0) + 1
        if achievement.impact_score is not None:
            scores.setdefault(row.month, []).append(achievement.impact_score)
    for month, values in scores.items():
        rows[month].average_impact = round(sum(values) / len(values), 1)
    return list(rows.values())


# ---- highlights and evidence ---------------------------------------------------------------------------------


def _metric_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def evidence_of(achievement: Achievement) -> list[Evidence]:
    """Links (where there are) to what shows it happened; always the achievement itself last."""
    found: list[Evidence] = []
    proof, metrics = achievement.evidence, achievement.metrics
    url = proof.get("url") if isinstance(proof.get("url"), str) else None
    repo = proof.get("repo") if isinstance(proof.get("repo"), str) else None
    if achievement.source == Source.GITHUB and "tag" in proof:
        found.append(Evidence(kind="release", label=f"Release {proof['tag']} of {repo or 'the repository'}", url=url))
    elif achievement.source == Source.GITHUB and "number" in proof:
        found.append(Evidence(kind="pull_request", label=f"Pull request #{proof['number']} in {repo or '?'}", url=url))
    elif achievement.source == Source.THREADS:
        post = proof.get("post_id")
        views, rate = metrics.get("views"), metrics.get("engagement_rate")
        numbers = ""
        if isinstance(views, int | float) and isinstance(rate, int | float):
            numbers = f": {_metric_text(views)} views at {rate:.1%} engagement"
        found.append(Evidence(kind="post", label=f"Threads post {post or '(no id)'}{numbers}", url=url))
    elif url is not None:
        found.append(Evidence(kind="achievement", label="Source", url=url))
    metric = metrics.get("metric_name")
    if isinstance(metric, str) and metric:
        value = metrics.get("achieved_value")
        target = metrics.get("target_value")
        text = f"Metric {metric}"
        if value is not None:
            text += f": {_metric_text(value)}"
        if target is not None:
            text += f" (target {_metric_text(target)})"
        found.append(Evidence(kind="metric", label=text))
    found.append(
        Evidence(kind="achievement", label=f"Achievement #{achievement.id} (GET /achievements/{achievement.id})")
    )
    return found


def _why(achievement: Achievement) -> str:
    parts = []
    if achievement.impact_score is not None:
        parts.append(f"impact {achievement.impact_score:g}/100")
    revenue = revenue_of(achievement)
    text = achievement.business_value or achievement.impact
    if revenue and "$" not in text:
        parts.append(f"${revenue:,.2f} estimated revenue")
    if text:
        parts.append(" ".join(text.split())[:200])
    return "; ".join(parts) or "the most recent of the period"


def _rank(achievement: Achievement) -> tuple[float, float, float, int]:
    return (
        -(achievement.impact_score if achievement.impact_score is not None else -1.0),
        -(revenue_of(achievement) or 0.0),
        -achievement.occurred_at.timestamp(),
        achievement.id,
    )


def highlights(current: Sequence[Achievement]) -> list[Highlight]:
    return [
        Highlight(
            id=a.id,
            title=a.title,
            category=a.category,
            source=a.source,
            occurred_at=a.occurred_at,
            impact_score=a.impact_score,
            why=_why(a),
            evidence=evidence_of(a),
        )
        for a in sorted(current, key=_rank)[:HIGHLIGHTS]
    ]


# ---- skills, wins, sections, next steps ---------------------------------------------------------------------


def shown_skills(achievement: Achievement) -> list[str]:
    """The analysis' skills and the technologies, each once (case-insensitively), in that order."""
    seen: dict[str, str] = {}
    for value in [*skills_of(achievement), *achievement.technologies]:
        term = normalize_term(value)
        if term and term.casefold() not in seen:
            seen[term.casefold()] = term
    return list(seen.values())


def skills(current: Sequence[Achievement], previous: Sequence[Achievement]) -> list[SkillShown]:
    before = {skill.casefold() for a in previous for skill in shown_skills(a)}
    found: dict[str, tuple[str, list[int]]] = {}
    for achievement in current:
        for skill in shown_skills(achievement):
            ids = found.setdefault(skill.casefold(), (skill, []))[1]
            ids.append(achievement.id)
    ranked = sorted(found.items(), key=lambda item: (-len(item[1][1]), item[0]))[:MAX_SKILLS]
    return [
        SkillShown(name=name, count=len(ids), new=key not in before, cited=sorted(ids)) for key, (name, ids) in ranked
    ]


def _kpi_detail(achievement: Achievement) -> str:
    metrics = achievement.metrics
    value, target = metrics.get("achieved_value"), metrics.get("target_value")
    if value is not None and target is not None:
        gain = metrics.get("improvement_percentage")
        extra = f", {gain:g}% better" if isinstance(gain, int | float) and not isinstance(gain, bool) else ""
        return f"{_metric_text(value)} against a target of {_metric_text(target)}{extra}"
    return " ".join((achievement.impact or achievement.description).split())[:200]


def _content_detail(achievement: Achievement) -> str:
    metrics = achievement.metrics
    views, rate, revenue = metrics.get("views"), metrics.get("engagement_rate"), revenue_of(achievement)
    if isinstance(views, int | float) and isinstance(rate, int | float):
        money = f", ${revenue:,.2f} estimated revenue" if revenue is not None else ""
        return f"{_metric_text(views)} views at {rate:.1%} engagement{money}"
    return " ".join((achievement.impact or achievement.description).split())[:200]


def wins(current: Sequence[Achievement]) -> tuple[list[Win], list[Win]]:
    kpi = [a for a in current if a.source in KPI_SOURCES]
    content = [a for a in current if a.source == Source.THREADS or a.category == Category.CONTENT]
    content = [a for a in content if a.source not in KPI_SOURCES]
    return (
        [Win(id=a.id, title=a.title, detail=_kpi_detail(a)) for a in sorted(kpi, key=_rank)[:MAX_WINS]],
        [Win(id=a.id, title=a.title, detail=_content_detail(a)) for a in sorted(content, key=_rank)[:MAX_WINS]],
    )


def sections(current: Sequence[Achievement]) -> list[ReviewSection]:
    by_category: dict[Category, list[Achievement]] = {}
    for achievement in current:
        by_category.setdefault(achievement.category, []).append(achievement)
    order = sorted(by_category, key=lambda c: (-len(by_category[c]), list(Category).index(c)))
    return [
        ReviewSection(
            category=category,
            title=CATEGORY_TITLES[category],
            count=len(by_category[category]),
            average_impact=_average(by_category[category]),
            cited=_ids(by_category[category]),
            entries=[
                ReviewEntry.model_validate(a, from_attributes=True)
                for a in sorted(by_category[category], key=_rank)[:SECTION_ENTRIES]
            ],
            more=max(0, len(by_category[category]) - SECTION_ENTRIES),
        )
        for category in order
    ]


def next_steps(current: Sequence[Achievement]) -> list[NextStep]:
    suggested: dict[str, tuple[str, list[int], float]] = {}
    for achievement in sorted(current, key=_rank):
        steps = (achievement.analysis or {}).get("next_steps")
        for step in steps if isinstance(steps, list) else []:
            text = " ".join(step.split())[:300] if isinstance(step, str) else ""
            if not text:
                continue
            ids = suggested.setdefault(text.casefold(), (text, [], achievement.impact_score or 0.0))[1]
            if achievement.id not in ids:
                ids.append(achievement.id)
    ranked = sorted(suggested.values(), key=lambda item: (-len(item[1]), -item[2], item[0].casefold()))
    found = [NextStep(text=text, cited=sorted(ids)) for text, ids, _ in ranked[:MAX_NEXT_STEPS]]
    unanalysed = [a for a in current if not a.analysis]
    if unanalysed:
        found.append(
            NextStep(
                text=(
                    f"Queue deep analysis (POST /analyze/deep/{{id}}) for the {len(unanalysed)} achievements of the "
                    "period without one: their skills and next steps are missing here"
                ),
                cited=_ids(unanalysed),
            )
        )
    return found


def build_review(
    scope: ReviewScope,
    period: Period,
    current: Sequence[Achievement],
    previous: Sequence[Achievement],
    months: Sequence[str],
    now: datetime,
    items_read: int,
    complete: bool,
) -> Review:
    kpi_wins, content_wins = wins(current)
    return Review(
        title=f"Review: {scope.name}, {period.label}",
        generated_at=now,
        scope=scope,
        period=period,
        headline=headline(current, previous),
        highlights=highlights(current),
        skills=skills(current, previous),
        kpi_wins=kpi_wins,
        content_wins=content_wins,
        sections=sections(current),
        next_steps=next_steps(current),
        months=months_of(current, months),
        items_read=items_read,
        complete=complete,
    )


def cited_ids(review: Review) -> set[int]:
    """Every achievement id the review shows or cites (an AI summary may cite no other)."""
    found: set[int] = set()
    for number in review.headline:
        found.update(number.cited)
    for part in (review.highlights, review.kpi_wins, review.content_wins):
        found.update(item.id for item in part)
    for section in review.sections:
        found.update(section.cited)
    return found
