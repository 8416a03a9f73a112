"""Career insights derived from the aggregate snapshot alone (pure): every statement cites its numbers.

Formulas (also in README "Career insights"):
- trajectory: achievements per month in the RECENT_MONTHS months ending with the current month (UTC) vs the
  BASELINE_MONTHS months before; growth >= +25 % is "upward", <= -25 % "downward", else "steady";
  "emerging" when the baseline is empty, "inactive" when both are. Impact trend: average impact score of the
  two windows (when both have scored achievements), +/- 5 points is "accelerating"/"declining".
- leadership_score (0-10) = presence + volume + impact, where presence = 5 x min(1, share / 0.25)
  (share = leadership signals / total), volume = 2 x min(1, signals / 10), impact = 3 x (average impact score of
  scored leadership achievements / 100, 0 when none is scored).
- suitable_roles: the analyses' most named roles; else (an estimate) ROLE_TABLE for the two largest categories,
  plus "Tech Lead" when leadership_score >= 6.
- salary_range: the average of the analyses' ranges in their most used currency; else (an estimate)
  SALARY_BANDS_USD for the level LEVEL_RULES infer.
"""

from __future__ import annotations

from datetime import datetime

from achievements.core.aggregates import AggregateSnapshot
from achievements.core.models import Category, Source
from achievements.insights.models import (
    AnalysedSalary,
    Competency,
    InsightNumbers,
    Leadership,
    LeadershipComponents,
    Recommendation,
    SalaryRangeInsight,
    SuitableRole,
    TopAchievement,
    Trajectory,
)

RECENT_MONTHS = 3
BASELINE_MONTHS = 9
GROWTH_THRESHOLD_PCT = 25.0
IMPACT_TREND_POINTS = 5.0
LEADERSHIP_SHARE_SATURATION = 0.25
LEADERSHIP_VOLUME_SATURATION = 10
TOP_TERMS = 5

COMPETENCY_OF_CATEGORY: dict[Category, str] = {
    Category.CONTENT: "Content & Audience Growth",
    Category.BUSINESS: "Business Impact",
    Category.PERFORMANCE: "Performance Engineering",
    Category.DEVELOPMENT: "Software Development",
    Category.INFRASTRUCTURE: "Infrastructure & Cloud",
    Category.RELIABILITY: "Reliability Engineering",
    Category.LEADERSHIP: "Technical Leadership",
}

# Rule-based role estimate, by category (used only when no analysis names roles).
ROLE_TABLE: dict[Category, tuple[str, ...]] = {
    Category.CONTENT: ("Content Strategist", "Growth Marketing Lead"),
    Category.BUSINESS: ("Product Manager", "Business Operations Lead"),
    Category.PERFORMANCE: ("Performance Engineer", "Senior Backend Engineer"),
    Category.DEVELOPMENT: ("Software Engineer", "Full-stack Engineer"),
    Category.INFRASTRUCTURE: ("Platform Engineer", "Cloud Engineer"),
    Category.RELIABILITY: ("Site Reliability Engineer", "Production Engineer"),
    Category.LEADERSHIP: ("Engineering Manager", "Tech Lead"),
}

# Illustrative yearly US base-salary bands by level, used only when no analysis gives a range. They are a
# documented assumption of this app, not market data: the answer labels them `"basis": "estimate"`.
SALARY_BANDS_USD: dict[str, tuple[int, int]] = {
    "Staff+": (180_000, 260_000),
    "Senior": (140_000, 200_000),
    "Mid-level": (100_000, 150_000),
    "Junior": (70_000, 105_000),
}
LEVEL_RULES = (
    "Staff+ when leadership_score >= 7 and average impact >= 70; Senior when leadership_score >= 4 or average "
    "impact >= 60; Mid-level with 10+ achievements; else Junior"
)
CORE_ENGINEERING = (Category.DEVELOPMENT, Category.RELIABILITY, Category.PERFORMANCE, Category.INFRASTRUCTURE)


def _round(value: float, digits: int = 1) -> float:
    return round(value + 0.0, digits)


def month_window(now: datetime, count: int, skip: int = 0) -> list[str]:
    """`count` months (YYYY-MM), oldest first, ending `skip` months before the month of `now`."""
    year, month = now.year, now.month
    months = []
    for back in range(skip, skip + count):
        total = year * 12 + (month - 1) - back
        months.append(f"{total // 12:04d}-{total % 12 + 1:02d}")
    return list(reversed(months))


def _average_impact(snapshot: AggregateSnapshot, months: list[str]) -> float | None:
    scored = sum(snapshot.month_scored.get(m, 0) for m in months)
    impact = sum(snapshot.month_impact.get(m, 0.0) for m in months)
    return _round(impact / scored) if scored else None


def trajectory(snapshot: AggregateSnapshot, now: datetime) -> Trajectory:
    recent = month_window(now, RECENT_MONTHS)
    baseline = month_window(now, BASELINE_MONTHS, skip=RECENT_MONTHS)
    recent_count = sum(snapshot.by_month.get(m, 0) for m in recent)
    baseline_count = sum(snapshot.by_month.get(m, 0) for m in baseline)
    recent_rate = recent_count / RECENT_MONTHS
    baseline_rate = baseline_count / BASELINE_MONTHS
    recent_impact, baseline_impact = _average_impact(snapshot, recent), _average_impact(snapshot, baseline)
    window = f"the last {RECENT_MONTHS} months ({recent[0]} to {recent[-1]})"
    before = f"the {BASELINE_MONTHS} months before ({baseline[0]} to {baseline[-1]})"
    growth: float | None = None
    if snapshot.total == 0:
        label, statement = "no_data", "No achievements are stored yet."
    elif recent_count == 0 and baseline_count == 0:
        latest = max(snapshot.by_month) if snapshot.by_month else "unknown"
        label = "inactive"
        statement = (
            f"Inactive: no achievements in {window} or {before}; {snapshot.total} stored, the latest in {latest}."
        )
    elif baseline_count == 0:
        label = "emerging"
        statement = f"Emerging: {recent_count} achievements in {window} and none in {before}."
    else:
        growth = _round((recent_rate - baseline_rate) / baseline_rate * 100)
        if growth >= GROWTH_THRESHOLD_PCT:
            label = "upward"
        elif growth <= -GROWTH_THRESHOLD_PCT:
            label = "downward"
        else:
            label = "steady"
        statement = (
            f"{label.capitalize()}: {recent_rate:.1f} achievements/month in {window} vs "
            f"{baseline_rate:.1f}/month in {before} ({growth:+.0f}%)."
        )
    impact_trend = None
    if recent_impact is not None and baseline_impact is not None:
        change = recent_impact - baseline_impact
        if change >= IMPACT_TREND_POINTS:
            impact_trend = "accelerating"
        elif change <= -IMPACT_TREND_POINTS:
            impact_trend = "declining"
        else:
            impact_trend = "stable"
        statement += (
            f" Impact {impact_trend}: average impact score {recent_impact:.1f} recently vs {baseline_impact:.1f}."
        )
    return Trajectory(
        label=label,  # type: ignore[arg-type]
        statement=statement,
        recent_months=recent,
        baseline_months=baseline,
        recent_count=recent_count,
        baseline_count=baseline_count,
        recent_per_month=_round(recent_rate, 2),
        baseline_per_month=_round(baseline_rate, 2),
        growth_pct=growth,
        recent_average_impact=recent_impact,
        baseline_average_impact=baseline_impact,
        impact_trend=impact_trend,  # type: ignore[arg-type]
    )


def leadership(snapshot: AggregateSnapshot) -> Leadership:
    signals, total = snapshot.leadership_signals, snapshot.total
    share = signals / total if total else 0.0
    average = snapshot.leadership_impact_sum / snapshot.leadership_scored if snapshot.leadership_scored else None
    presence = 5 * min(1.0, share / LEADERSHIP_SHARE_SATURATION)
    volume = 2 * min(1.0, signals / LEADERSHIP_VOLUME_SATURATION)
    impact = 3 * (average / 100) if average is not None else 0.0
    score = min(10.0, max(0.0, _round(presence + volume + impact)))
    return Leadership(
        score=score,
        formula=(
            "5 x min(1, share / 0.25) + 2 x min(1, signals / 10) + 3 x (average impact score of scored "
            "leadership achievements / 100); a signal is an achievement in the leadership category or naming "
            "a leadership term (leadership, mentor, coaching, management, team lead, tech lead, stakeholder) "
            "in a tag, technology or analysed soft skill"
        ),
        components=LeadershipComponents(
            presence=_round(presence, 2), volume=_round(volume, 2), impact=_round(impact, 2)
        ),
        signals=signals,
        total=total,
        share=_round(share, 3),
        scored_signals=snapshot.leadership_scored,
        average_impact=_round(average) if average is not None else None,
    )


def _top(counts: dict[str, int], n: int = TOP_TERMS) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))[:n])


def _category_order(snapshot: AggregateSnapshot) -> list[Category]:
    present = [c for c in Category if snapshot.by_category.get(c.value, 0) > 0]
    return sorted(present, key=lambda c: (-snapshot.by_category[c.value], c.value))


def competencies(snapshot: AggregateSnapshot) -> list[Competency]:
    found: list[Competency] = []
    for category in _category_order(snapshot)[:4]:
        count = snapshot.by_category[category.value]
        found.append(
            Competency(
                name=COMPETENCY_OF_CATEGORY[category],
                evidence=count,
                basis="category",
                detail=f"{count} of {snapshot.total} achievements are in category {category.value}",
            )
        )
    for skill, count in _top(snapshot.skills, 6).items():
        found.append(
            Competency(
                name=skill,
                evidence=count,
                basis="analysis",
                detail=f"named as a skill by {count} of {snapshot.analysed} deep analyses",
            )
        )
    named = {competency.name.casefold() for competency in found}
    for technology, count in _top(snapshot.technologies).items():
        if technology.casefold() in named:
            continue
        found.append(
            Competency(
                name=technology,
                evidence=count,
                basis="technology",
                detail=f"listed as a technology on {count} achievements",
            )
        )
    return found


def suitable_roles(snapshot: AggregateSnapshot, leadership_score: float) -> list[SuitableRole]:
    if snapshot.roles:
        return [
            SuitableRole(name=role, basis="analysis", evidence=f"suggested by {count} of {snapshot.analysed} analyses")
            for role, count in _top(snapshot.roles).items()
        ]
    roles: list[SuitableRole] = []
    for category in _category_order(snapshot)[:2]:
        count = snapshot.by_category[category.value]
        for role in ROLE_TABLE[category]:
            roles.append(
                SuitableRole(
                    name=role,
                    basis="estimate",
                    evidence=(
                        f"role table for category {category.value} ({count} achievements); no analysis names roles"
                    ),
                )
            )
    if leadership_score >= 6 and all(role.name != "Tech Lead" for role in roles):
        roles.append(
            SuitableRole(name="Tech Lead", basis="estimate", evidence=f"leadership score {leadership_score}/10 >= 6")
        )
    return roles


def inferred_level(snapshot: AggregateSnapshot, leadership_score: float) -> str:
    average = snapshot.average_impact
    if leadership_score >= 7 and average is not None and average >= 70:
        return "Staff+"
    if leadership_score >= 4 or (average is not None and average >= 60):
        return "Senior"
    if snapshot.total >= 10:
        return "Mid-level"
    return "Junior"


def salary_range(snapshot: AggregateSnapshot, leadership_score: float) -> SalaryRangeInsight | None:
    if snapshot.salary:
        currency, totals = max(snapshot.salary.items(), key=lambda item: (item[1].count, item[0]))
        low = round(totals.min_sum / totals.count / 1000) * 1000
        high = round(totals.max_sum / totals.count / 1000) * 1000
        return SalaryRangeInsight(
            min=low,
            max=max(low, high),
            currency=currency,
            basis="analysis",
            analyses=totals.count,
            note=f"average of the salary ranges of {totals.count} deep analyses in {currency}, rounded to 1,000",
        )
    if snapshot.total == 0:
        return None
    level = inferred_level(snapshot, leadership_score)
    low, high = SALARY_BANDS_USD[level]
    return SalaryRangeInsight(
        min=low,
        max=high,
        currency="USD",
        basis="estimate",
        analyses=0,
        note=(
            f"no analysis gives a salary range: illustrative US band for the inferred level {level} "
            f"({LEVEL_RULES}); not market data"
        ),
    )


def recommendations(
    snapshot: AggregateSnapshot, path: Trajectory, lead: Leadership, limit: int = 6
) -> list[Recommendation]:
    total = snapshot.total
    found: list[Recommendation] = []
    if total == 0:
        return [
            Recommendation(
                text="Start collecting: track viral posts, KPI milestones, Prometheus scrapes or GitHub merges",
                because="no achievements are stored",
            )
        ]
    unanalysed = total - snapshot.analysed
    if unanalysed and snapshot.analysed < total / 2:
        found.append(
            Recommendation(
                text=f"Run deep analysis (POST /analyze/deep/{{id}}) on the {unanalysed} achievements without one",
                because=(
                    f"only {snapshot.analysed} of {total} achievements are analysed; impact scores, skills, roles "
                    "and salary ranges come from analyses"
                ),
            )
        )
    if path.label == "downward":
        found.append(
            Recommendation(
                text="Recent months are quieter than before: record this quarter's work", because=path.statement
            )
        )
    if lead.score >= 7:
        found.append(
            Recommendation(
                text="Target senior/staff and technical leadership roles",
                because=f"leadership score {lead.score}/10 from {lead.signals} leadership achievements",
            )
        )
    elif total >= 5 and lead.share < 0.10:
        found.append(
            Recommendation(
                text="Record leadership work: mentoring, reviews, initiatives you led",
                because=f"{lead.signals} of {total} achievements ({lead.share:.0%}) show leadership",
            )
        )
    order = _category_order(snapshot)
    if order:
        top = order[0]
        count = snapshot.by_category[top.value]
        found.append(
            Recommendation(
                text=f"Lead your portfolio with {COMPETENCY_OF_CATEGORY[top]}",
                because=f"{count} of {total} achievements ({count / total:.0%}) are in category {top.value}",
            )
        )
    if total >= 5:
        for category in [c for c in CORE_ENGINEERING if snapshot.by_category.get(c.value, 0) == 0][:2]:
            found.append(
                Recommendation(
                    text=f"Add evidence of {category.value} work",
                    because=f"0 of {total} achievements are in category {category.value}",
                )
            )
    return found[:limit]


def numbers(snapshot: AggregateSnapshot, top: list[TopAchievement]) -> InsightNumbers:
    return InsightNumbers(
        total=snapshot.total,
        analysed=snapshot.analysed,
        scored=snapshot.scored,
        average_impact_score=_round(snapshot.average_impact) if snapshot.average_impact is not None else None,
        by_category={c.value: snapshot.by_category.get(c.value, 0) for c in Category},
        by_source={s.value: snapshot.by_source.get(s.value, 0) for s in Source},
        by_month=dict(sorted(snapshot.by_month.items())),
        average_impact_by_category={
            category: _round(snapshot.category_impact.get(category, 0.0) / count)
            for category, count in sorted(snapshot.category_scored.items())
            if count
        },
        average_impact_by_month={
            month: _round(snapshot.month_impact.get(month, 0.0) / count)
            for month, count in sorted(snapshot.month_scored.items())
            if count
        },
        leadership_signals=snapshot.leadership_signals,
        estimated_revenue_usd=_round(snapshot.revenue_usd, 2),
        top_achievements=top,
        top_skills=_top(snapshot.skills, 10),
        top_technologies=_top(snapshot.technologies, 10),
        analysed_roles=_top(snapshot.roles, 10),
        analysed_levels=_top(snapshot.levels, 10),
        analysed_salary={
            code: AnalysedSalary(
                analyses=totals.count,
                average_min=_round(totals.min_sum / totals.count),
                average_max=_round(totals.max_sum / totals.count),
            )
            for code, totals in sorted(snapshot.salary.items())
        },
    )
