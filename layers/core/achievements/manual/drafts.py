"""A manual achievement as a draft (pure): source `manual`, its ref from the Idempotency-Key."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from achievements.core.models import AchievementDraft, Source
from achievements.manual.models import ManualAchievementIn


def manual_ref(idempotency_key: str | None) -> str:
    """The same key is the same achievement; without one, every POST is a new one."""
    return f"key:{idempotency_key}" if idempotency_key else f"request:{uuid.uuid4()}"


def manual_draft(body: ManualAchievementIn, idempotency_key: str | None) -> AchievementDraft:
    # `author` is the person named in the body: a retry naming someone else is another body (422).
    return AchievementDraft(
        **body.model_dump(exclude={"person"}),
        source=Source.MANUAL,
        source_ref=manual_ref(idempotency_key),
        author=body.person,
    )


def edited_fingerprint(fingerprint: str, changes: dict[str, Any]) -> str:
    """The fingerprint after a content edit: it moves, so an analysis of the old content is stale."""
    canonical = json.dumps(changes, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{fingerprint}|{canonical}".encode()).hexdigest()
