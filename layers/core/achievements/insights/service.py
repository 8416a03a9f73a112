"""`GET /analyze/career-insights`: two DynamoDB reads whatever the number of achievements.

One BatchGetItem of the aggregate items kept on write, one Query (Limit TOP_ACHIEVEMENTS) of the impact
index; everything else is derived from those numbers (insights/rules.py), and the answer carries them.
"""

from __future__ import annotations

from datetime import datetime

from achievements.core.errors import NotFound
from achievements.core.models import Achievement, utcnow
from achievements.insights import rules as insights
from achievements.insights.deps import InsightsDeps
from achievements.insights.models import (
    CareerInsights,
    CareerInsightsResponse,
    Portfolio,
    SalaryRange,
    TopAchievement,
)
from achievements.insights.portfolio import build_portfolio
from achievements.insights.scoped import (
    Scope,
    checked_scope,
    period_achievements,
    scoped_snapshot,
    scoped_top,
    snapshot_of,
)
from achievements.store import AchievementStore
from achievements.store.reads import AchievementReader

TOP_ACHIEVEMENTS = 10


def career_insights(
    reader: AchievementReader, now: datetime | None = None, scope: Scope | None = None, default_owner: str = "me"
) -> CareerInsightsResponse:
    """Everyone's insights, or one person's / one team's (their aggregates: still a constant number of reads)."""
    now = now or utcnow()
    scoped = scope is not None and not scope.everyone
    snapshot = scoped_snapshot(reader, scope, default_owner) if scope and scoped else reader.aggregates()
    best = (
        scoped_top(reader, scope, default_owner, TOP_ACHIEVEMENTS)
        if scope and scoped
        else reader.top_by_impact(TOP_ACHIEVEMENTS, visible_only=True)  # hidden ones stay out
    )
    top = [
        # Its fields are the achievement's own: read from it, not copied one by one.
        TopAchievement.model_validate(a, from_attributes=True)
        for a in best
        if a.impact_score is not None
    ]
    path = insights.trajectory(snapshot, now)
    lead = insights.leadership(snapshot)
    competencies = insights.competencies(snapshot)
    recommendations = insights.recommendations(snapshot, path, lead)
    roles = insights.suitable_roles(snapshot, lead.score)
    salary = insights.salary_range(snapshot, lead.score)
    return CareerInsightsResponse(
        status="completed" if snapshot.total else "no_data",
        generated_at=now,
        insights=CareerInsights(
            trajectory=path.statement,
            competencies=[competency.name for competency in competencies],
            leadership_score=lead.score,
            recommendations=[recommendation.text for recommendation in recommendations],
            suitable_roles=[role.name for role in roles],
            salary_range=(
                SalaryRange(min=salary.min, max=salary.max, currency=salary.currency)
                if salary
                else SalaryRange(min=0, max=0, currency="USD")
            ),
            trajectory_detail=path,
            competency_evidence=competencies,
            leadership=lead,
            recommendation_evidence=recommendations,
            suitable_role_evidence=roles,
            salary_range_detail=salary,
        ),
        numbers=insights.numbers(snapshot, top),
    )


def achievement_by_id(store: AchievementStore, achievement_id: int) -> Achievement:
    """One achievement, with its analysis when deep analysis ran; NotFound for an unknown id."""
    achievement = store.get(achievement_id)
    if achievement is None:
        raise NotFound(f"no achievement with id {achievement_id}")
    if achievement.deleted_at is not None:
        raise NotFound(f"achievement {achievement_id} is deleted (POST /achievements/{achievement_id}/restore)")
    return achievement


def scoped_insights(graph: InsightsDeps, scope: Scope) -> CareerInsightsResponse:
    """GET /analyze/career-insights?person=|team=: the scope checked (404 unknown), then its insights."""
    checked = checked_scope(graph.store.registry, scope)
    return career_insights(graph.reader, scope=checked, default_owner=graph.settings.default_owner)


def scoped_portfolio(graph: InsightsDeps, scope: Scope) -> Portfolio:
    """GET /portfolio: everyone's (as before), or a person's / team's / period's from that period's items."""
    checked = checked_scope(graph.store.registry, scope)
    limit = graph.settings.portfolio_max_achievements
    if checked == Scope():
        return build_portfolio(graph.reader, limit)
    chosen, _ = period_achievements(graph.reader, graph.store.registry, checked)
    return build_portfolio(graph.reader, limit, snapshot=snapshot_of(chosen), scoped=chosen)
