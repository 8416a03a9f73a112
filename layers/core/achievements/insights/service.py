"""`GET /analyze/career-insights`: two DynamoDB reads whatever the number of achievements.

One BatchGetItem of the aggregate items kept on write, one Query (Limit TOP_ACHIEVEMENTS) of the impact
index; everything else is derived from those numbers (insights/rules.py), and the answer carries them.
"""

from __future__ import annotations

from datetime import datetime

from achievements.core.errors import NotFound
from achievements.core.models import Achievement, utcnow
from achievements.insights import rules as insights
from achievements.insights.models import CareerInsights, CareerInsightsResponse, TopAchievement
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
    return CareerInsightsResponse(
        status="completed" if snapshot.total else "no_data",
        generated_at=now,
        insights=CareerInsights(
            trajectory=path,
            competencies=insights.competencies(snapshot),
            leadership_score=lead.score,
            leadership=lead,
            recommendations=insights.recommendations(snapshot, path, lead),
            suitable_roles=insights.suitable_roles(snapshot, lead.score),
            salary_range=insights.salary_range(snapshot, lead.score),
        ),
        numbers=insights.numbers(snapshot, top),
    )


def achievement_by_id(store: AchievementStore, achievement_id: int) -> Achievement:
    """One achievement, with its analysis when deep analysis ran; NotFound for an unknown id."""
    achievement = store.get(achievement_id)
    if achievement is None:
        raise NotFound(f"no achievement with id {achievement_id}")
    return achievement
