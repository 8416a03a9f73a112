"""Viral Threads posts become content achievements (SPEC §3, `POST /threads/track`)."""

from __future__ import annotations

from achievements.core.models import TrackResponse
from achievements.core.observability import metrics
from achievements.store import AchievementStore
from achievements.threads.drafts import viral_post_draft
from achievements.threads.models import ViralPostIn
from achievements.threads.rules import VIRAL_ENGAGEMENT_THRESHOLD, is_viral


def track_viral_post(post: ViralPostIn, store: AchievementStore) -> TrackResponse:
    """Store the post as an achievement when it is viral; say why not otherwise."""
    metrics.add_metric(name="achievement_collector_threads_integrations_total", unit="Count", value=1)
    if not is_viral(post.engagement_rate):
        return TrackResponse(
            status="skipped",
            reason=(
                f"engagement_rate {post.engagement_rate} is below the viral threshold {VIRAL_ENGAGEMENT_THRESHOLD}"
            ),
        )
    result = store.upsert(viral_post_draft(post))
    if result.status == "created":
        metrics.add_metric(name="achievement_collector_viral_posts_tracked_total", unit="Count", value=1)
    reason = f"the stored post keeps its higher counters: {result.reason}" if result.reason else None
    return TrackResponse(status=result.status.value, achievement_id=result.achievement_id, reason=reason)
