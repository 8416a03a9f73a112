"""Manual achievements' use cases: create (idempotent by key), edit with If-Match, hide, delete, restore."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from achievements.core.errors import (
    BadRequest,
    Conflict,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from achievements.core.models import Achievement, TrackResponse, utcnow
from achievements.core.ownership import SLUG_RULE, Owner, etag_of, is_slug
from achievements.manual.drafts import edited_fingerprint, manual_draft
from achievements.manual.models import CONTENT_FIELDS, AchievementPatch, ManualAchievementIn
from achievements.store import AchievementStore
from achievements.store.people import PeopleRegistry

MAX_KEY_LENGTH = 200


def _owner(registry: PeopleRegistry, person: str | None) -> Owner:
    if person is None:
        default = registry.get(registry.default_owner)
        return Owner(registry.default_owner, default.teams if default else [], "default")
    if not is_slug(person):
        raise InvalidInput(f"invalid person {person!r}: a slug is {SLUG_RULE}")
    owner = registry.owner_for(person)
    if owner is None:
        raise NotFound(f"no person {person!r}: PUT /people/{person} first")
    return owner


def _checked_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise BadRequest(f"Idempotency-Key must be 1..{MAX_KEY_LENGTH} printable characters")
    return key


def create(
    store: AchievementStore, registry: PeopleRegistry, body: ManualAchievementIn, idempotency_key: str | None
) -> TrackResponse:
    """A new manual achievement; the same Idempotency-Key and body answer the same id, another body 422."""
    draft = manual_draft(body, _checked_key(idempotency_key))
    if draft.occurred_at and draft.occurred_at > utcnow():
        raise InvalidInput("invalid request: occurred_at is in the future")
    result = store.upsert(draft, owner=_owner(registry, body.person), refuse_changes=True)
    return TrackResponse(status=result.status.value, achievement_id=result.achievement_id)


def _current(store: AchievementStore, achievement_id: int) -> Achievement:
    achievement = store.get(achievement_id)
    if achievement is None:
        raise NotFound(f"no achievement with id {achievement_id}")
    return achievement


def _check_match(achievement: Achievement, if_match: str | None, required: bool) -> None:
    if if_match is None:
        if required:
            raise PreconditionRequired(f"If-Match is required: send the ETag of GET /achievements/{achievement.id}")
        return
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" not in tags and etag_of(achievement) not in tags:
        raise PreconditionFailed(
            f"achievement {achievement.id} changed since that ETag: GET it again and re-apply the edit"
        )


# A write that lost a race is re-read and re-done this many times in all (another writer keeps winning: 412).
WRITE_ATTEMPTS = 5


def _written(
    store: AchievementStore, achievement_id: int, change: Callable[[Achievement], Achievement | None]
) -> Achievement:
    """Read the achievement, `change` it (None: nothing to write) and write it. A write that lost a race to
    another writer (the pipeline's analysis of a new achievement, a second edit) is re-read and re-done: the
    change's own checks, If-Match among them, run again on what is stored now, so a stale ETag is still 412."""
    for _ in range(WRITE_ATTEMPTS):
        current = _current(store, achievement_id)
        new = change(current)
        if new is None:
            return current
        if store.replace(new, current):
            return new
    raise PreconditionFailed(f"achievement {achievement_id} changed meanwhile: GET it again and re-apply the edit")


def edit(
    store: AchievementStore,
    registry: PeopleRegistry,
    achievement_id: int,
    patch: AchievementPatch,
    if_match: str | None,
) -> Achievement:
    changes: dict[str, Any] = patch.changes()
    if not changes:
        raise InvalidInput("invalid request: nothing to change (give at least one editable field)")

    def edited(current: Achievement) -> Achievement:
        if current.deleted_at is not None:
            raise Conflict(
                f"achievement {achievement_id} is deleted: POST /achievements/{achievement_id}/restore first"
            )
        _check_match(current, if_match, required=True)
        if "occurred_at" in changes and changes["occurred_at"] > utcnow():
            raise InvalidInput("invalid request: occurred_at is in the future")
        update: dict[str, Any] = dict(changes)
        if "person" in changes:
            owner = _owner(registry, changes["person"])
            update.update(person=owner.person, teams=owner.teams, attributed_by="explicit")
        content = {name: value for name, value in changes.items() if name in CONTENT_FIELDS}
        if content:
            update["fingerprint"] = edited_fingerprint(current.fingerprint, content)
        update["edited"] = sorted(
            {*current.edited, *(name for name in changes if name in CONTENT_FIELDS | {"occurred_at"})}
        )
        update["updated_at"] = utcnow()
        return Achievement.model_validate({**current.model_dump(), **update})

    return _written(store, achievement_id, edited)


def delete(store: AchievementStore, achievement_id: int, if_match: str | None) -> None:
    """Soft delete: it leaves every listing and every aggregate; restore brings it back. Repeats are no-ops."""

    def deleted(current: Achievement) -> Achievement | None:
        if current.deleted_at is not None:
            return None
        _check_match(current, if_match, required=False)
        now = utcnow()
        return current.model_copy(update={"deleted_at": now, "updated_at": now})

    _written(store, achievement_id, deleted)


def restore(store: AchievementStore, achievement_id: int, if_match: str | None) -> Achievement:
    def restored(current: Achievement) -> Achievement:
        if current.deleted_at is None:
            raise Conflict(f"achievement {achievement_id} is not deleted")
        _check_match(current, if_match, required=False)
        return current.model_copy(update={"deleted_at": None, "updated_at": utcnow()})

    return _written(store, achievement_id, restored)
