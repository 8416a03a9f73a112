"""`GET /analyze/career-insights`: two DynamoDB reads whatever the number of achievements.

One BatchGetItem of the aggregate items kept on write, one Query (Limit TOP_ACHIEVEMENTS) of the impact
index; everything else is derived from those numbers (insights/rules.py), and the answer carries them.
"""

from __future__ import annotations

from datetime import datetime

from achievements.core.errors import NotFound
from achievements.core.models import Achievement, utcnow
from achievements.insights import rules as insights
from achievements.insights.models import CareerInsights, CareerInsightsResponse, SalaryRange, TopAchievement
from achievements.store import AchievementStore
from achievements.store.reads import AchievementReader

TOP_ACHIEVEMENTS = 10


def career_insights(reader: AchievementReader, now: datetime | None = None) -> CareerInsightsResponse:
    now = now or utcnow()
    snapshot = reader.aggregates()
    top = [
        # Its fields are the achievement's own: read from it, not copied one by one.
        TopAchievement.model_validate(a, from_attributes=True)
        for a in reader.top_by_impact(TOP_ACHIEVEMENTS)
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
    return achievement
