"""Achievements built in memory for the review tests (no store): ids, dates, scores, sources as asked."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from achievements.core.models import Achievement, Category, Source


def made(
    achievement_id: int,
    occurred_at: datetime,
    category: Category = Category.DEVELOPMENT,
    source: Source = Source.MANUAL,
    score: float | None = None,
    **fields: Any,
) -> Achievement:
    moment = occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=UTC)
    return Achievement(
        id=achievement_id,
        title=fields.pop("title", f"Achievement {achievement_id}"),
        description=fields.pop("description", ""),
        category=category,
        source=source,
        source_ref=f"ref-{achievement_id}",
        occurred_at=moment,
        created_at=moment,
        updated_at=moment,
        fingerprint=f"fp-{achievement_id}",
        impact_score=score,
        **fields,
    )
