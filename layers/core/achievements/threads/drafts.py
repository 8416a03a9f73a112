"""A viral Threads post as an achievement draft, pushed or pulled from the adaptor (pure: texts, numbers, ref)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from achievements.core.models import AchievementDraft, Category, Source
from achievements.threads.models import AdaptorEngagement, AdaptorPost, ViralPostIn
from achievements.threads.rules import (
    VIRAL_ENGAGEMENT_THRESHOLD,
    counters_floor,
    engaged_views,
    estimated_revenue,
)

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


# ---- the Threads-Agent sync: an adaptor's post as the same achievement a push would make (SPEC §7) --------

ADAPTOR_ORIGIN = "threads-adaptor"
HOOK_FROM_PREVIEW = "the first line of the threads-adaptor's preview (its first 100 characters)"


class NotMeasurable(ValueError):
    """The adaptor's numbers cannot stand behind an achievement (a rate without impressions)."""


def first_line(content: str) -> str:
    """The hook: the preview's first non-empty line."""
    for line in content.splitlines():
        if line.strip():
            return line.strip()
    return content.strip()


def adaptor_viral_post(post: AdaptorPost, engagement: AdaptorEngagement) -> ViralPostIn:
    """SPEC §7's mapping: post_id <- thread_id, hook <- first line of content, views <- impressions_count,
    likes, shares, persona_id, posted_at <- published_at; the rate is the engagement's (the newer reading).
    """
    if engagement.impressions_count == 0 and engagement.engagement_rate > 0:
        raise NotMeasurable(
            f"engagement_rate {engagement.engagement_rate} with impressions_count 0: nothing stands behind the rate"
        )
    return ViralPostIn(
        hook=first_line(post.content)[:1000],
        body=post.content,
        engagement_rate=engagement.engagement_rate,
        views=engagement.impressions_count,
        likes=engagement.likes_count,
        shares=engagement.shares_count,
        persona_id=engagement.persona_id or post.persona_id,
        post_id=post.thread_id,
        posted_at=engagement.published_at or post.published_at,
    )


def adaptor_post_draft(
    post: ViralPostIn, comments: int, previous_evidence: Mapping[str, Any] | None = None
) -> AchievementDraft:
    """The draft of a pulled post, on the same `source_ref` as `POST /threads/track` with `post_id`.

    A post first pushed with its full text keeps that text (the adaptor only has a preview); a post
    known only from the adaptor says that its hook came from the preview.
    """
    pushed = previous_evidence is not None and previous_evidence.get("origin") != ADAPTOR_ORIGIN
    if pushed and previous_evidence is not None and isinstance(previous_evidence.get("hook"), str):
        post = post.model_copy(
            update={"hook": previous_evidence["hook"], "body": str(previous_evidence.get("body") or "")}
        )
    draft = viral_post_draft(post)
    evidence: dict[str, Any] = {**draft.evidence, "comments": comments, "synced_from": ADAPTOR_ORIGIN}
    if not pushed:
        evidence.update({"origin": ADAPTOR_ORIGIN, "hook_from": HOOK_FROM_PREVIEW})
    return draft.model_copy(update={"evidence": evidence})


def adaptor_posts(entries: Sequence[Any]) -> Iterator[tuple[int, AdaptorPost | str, str | None]]:
    """Each entry of `GET /posts` validated: (index, the post or why it is invalid, its thread_id if readable)."""
    for index, entry in enumerate(entries):
        thread_id = entry.get("thread_id") if isinstance(entry, dict) else None
        shown = thread_id[:256] if isinstance(thread_id, str) and thread_id else None
        if not isinstance(entry, dict):
            yield index, f"entry {index} is a JSON {type(entry).__name__}, not an object", None
            continue
        try:
            yield index, AdaptorPost.model_validate(entry), shown
        except ValidationError as error:
            fields = "; ".join(f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()[:5])
            yield index, f"entry {index}: {fields}", shown
