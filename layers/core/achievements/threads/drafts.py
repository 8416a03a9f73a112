"""A viral Threads post as an achievement draft (pure: its texts, numbers and dedupe ref)."""

from __future__ import annotations

import hashlib

from achievements.core.models import AchievementDraft, Category, Source
from achievements.threads.models import ViralPostIn
from achievements.threads.rules import VIRAL_ENGAGEMENT_THRESHOLD, counters_floor, engaged_views, estimated_revenue

TECHNOLOGIES = ["Threads", "Content Strategy", "AI Personas"]


def post_ref(post: ViralPostIn) -> str:
    """The post's own id, else a hash of who posted what: a redelivery of one post maps to one achievement."""
    if post.post_id:
        return f"post:{post.post_id}"
    content = "\x1f".join([post.persona_id or "", post.hook, post.body])
    return "content:" + hashlib.sha256(content.encode()).hexdigest()


def viral_post_draft(post: ViralPostIn) -> AchievementDraft:
    engaged = engaged_views(post.views, post.engagement_rate)
    revenue = estimated_revenue(post.views, post.engagement_rate)
    rate_pct = f"{post.engagement_rate * 100:.2f}".rstrip("0").rstrip(".")
    persona = f" by persona {post.persona_id}" if post.persona_id else ""
    engaged_whole = int(engaged) if engaged == engaged.to_integral_value() else float(engaged)
    return AchievementDraft(
        title=f"Viral Post: {post.hook[:120]}",
        description=(
            f"Post{persona} reached {rate_pct}% engagement on {post.views:,} views "
            f"({post.likes:,} likes, {post.shares:,} shares), above the "
            f"{VIRAL_ENGAGEMENT_THRESHOLD:.0%} viral threshold"
        ),
        category=Category.CONTENT,
        source=Source.THREADS,
        source_ref=post_ref(post),
        occurred_at=post.posted_at,
        impact=f"{engaged_whole:,} engaged views at {rate_pct}% engagement",
        business_value=f"${revenue:,.2f} estimated revenue from {engaged_whole:,} engaged views",
        metrics={
            "engagement_rate": post.engagement_rate,
            "views": post.views,
            "likes": post.likes,
            "shares": post.shares,
            "engaged_views": engaged_whole,
            "estimated_revenue_usd": float(revenue),
        },
        technologies=TECHNOLOGIES,
        tags=["viral", "threads"] + ([f"persona:{post.persona_id}"] if post.persona_id else []),
        persona_id=post.persona_id,
        evidence={"hook": post.hook, "body": post.body, **({"post_id": post.post_id} if post.post_id else {})},
        # SPEC §5: a repeat of the post never lowers its counters.
        not_below=counters_floor(post.views, post.likes, post.shares),
    )
