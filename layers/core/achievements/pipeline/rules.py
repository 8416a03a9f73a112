"""Which domain event a change of an achievement item is (pure: plain dicts in, an event or None out)."""

from __future__ import annotations

from typing import Any

from achievements.pipeline.models import AchievementEvent, AchievementEventDetail, DetailType
from achievements.pipeline.texts import numbers_text

# Bookkeeping that moves with every write: a change of only these is no change for anyone downstream.
BOOKKEEPING = frozenset({"updated_at"})
ANALYSIS_FIELD = "analysis"
CONTENT_FIELD = "fingerprint"
# A soft delete (DELETE /achievements/{id}) sets it: for everyone downstream the achievement is gone.
DELETED_FIELD = "deleted_at"


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(
        name for name in old.keys() | new.keys() if name not in BOOKKEEPING and old.get(name) != new.get(name)
    )


def _name(value: Any) -> str | None:
    # A person or team may be stored as an id or as an object with one (issue 15 adds them).
    if isinstance(value, dict):
        found = value.get("id") or value.get("name")
        return None if found is None else str(found)
    return None if value is None else str(value)


def _teams(item: dict[str, Any]) -> list[str]:
    teams = item.get("teams") or []
    names = [_name(team) for team in teams] if isinstance(teams, list) else []
    return [name for name in names if name]


def version_of(item: dict[str, Any]) -> str:
    return str(item["version"]) if item.get("version") is not None else str(item["updated_at"])


def domain_event(
    event_name: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    event_id: str,
    link_base: str | None = None,
) -> AchievementEvent | None:
    """The event of one stream record of an achievement item (INSERT, MODIFY, REMOVE), or None for no change.

    A MODIFY that soft-deletes the achievement (sets `deleted_at`) is Deleted; a restore (clears it) is Updated;
    a change of a deleted one (its re-attribution) is no event: downstream it does not exist.

    Raises KeyError/ValueError for an image that is not an achievement's (the record is then retried, parked).
    """
    changed: list[str] = []
    if event_name == "INSERT" and new is not None:
        detail_type, item, content_changed = DetailType.CREATED, new, True
    elif event_name == "REMOVE" and old is not None:
        detail_type, item, content_changed = DetailType.DELETED, old, False
    elif event_name == "MODIFY" and old is not None and new is not None:
        changed = changed_fields(old, new)
        if not changed:
            return None
        analysed = ANALYSIS_FIELD in changed and new.get(ANALYSIS_FIELD) is not None
        detail_type, item = (DetailType.ANALYSED if analysed else DetailType.UPDATED), new
        content_changed = CONTENT_FIELD in changed
        if new.get(DELETED_FIELD) is not None:
            # Soft-deleted now (or changed while deleted, e.g. re-attributed): Deleted, nothing worth analysing.
            if old.get(DELETED_FIELD) is not None:
                return None
            detail_type, content_changed = DetailType.DELETED, False
    else:
        raise ValueError(f"a stream record {event_name!r} without the image it needs")
    achievement_id = int(item["id"])
    score = item.get("impact_score")
    detail = AchievementEventDetail(
        event_id=event_id,
        id=achievement_id,
        version=version_of(item),
        person=_name(item.get("person")),
        teams=_teams(item),
        category=str(item["category"]),
        source=str(item["source"]),
        title=str(item["title"]),
        impact_score=None if score is None else float(score),
        changed=changed,
        content_changed=content_changed,
        fingerprint=item.get(CONTENT_FIELD),
        numbers=numbers_text(item.get("metrics") or {}, score),
        link=f"{link_base.rstrip('/')}/achievements/{achievement_id}" if link_base else None,
    )
    return AchievementEvent(detail_type=detail_type, detail=detail)
