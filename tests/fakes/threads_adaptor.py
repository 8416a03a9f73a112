"""The threads-adaptor for tests: the devstack demo adaptor (SPEC §7's contract) with its fault knobs.

Every failure mode of the sync's issue is one call away: `down()` (nothing listening), `slow(path, s)`,
`adaptor.answer(path, status, body)` (500, 404, non-JSON, JSON of the wrong shape, NaN...), `viral(...)`
to add a post with exact counters.
"""

from __future__ import annotations

from datetime import datetime

from devstack.dynamodb_local import free_port
from devstack.threads_adaptor import AdaptorPostRecord, ThreadsAdaptor

__all__ = ["AdaptorPostRecord", "ThreadsAdaptor", "down_url", "post"]


def down_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"


def post(
    thread_id: str,
    impressions: int = 10000,
    likes: int = 650,
    comments: int = 50,
    shares: int = 100,
    persona_id: str = "ai-jesus",
    content: str | None = None,
    published_at: datetime | None = None,
) -> AdaptorPostRecord:
    """A post with exact counters (the defaults: 8% of 10,000 impressions, viral)."""
    return AdaptorPostRecord(
        thread_id,
        persona_id,
        content if content is not None else f"Hook of {thread_id}\nThe rest of the post.",
        published_at or datetime(2025, 1, 25, 16, 30),
        impressions,
        likes,
        comments,
        shares,
    )
