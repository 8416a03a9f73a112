"""`GET /achievements`: filtered, ordered, cursor-paged walks over an index (never a Scan).

- newest/oldest walk gsi1 (`<created_at>#<id>`): a created_at range is a key condition; an occurred_at range
  is checked on each item. Positions are keys, and created_at never changes, so pages stay stable while
  achievements are created or updated: nothing is repeated or skipped (new ones appear before the first
  page for newest, after the last for oldest).
- impact walks the impact index gsi2 (`<score>#<id>`, scored achievements only): min_impact is a key
  condition. An achievement re-scored while a client pages may move past the cursor.
- category, source and min_impact are filter expressions; every filter is checked again here exactly.
- A page reads at most MAX_QUERIES_PER_PAGE Query pages; a narrow filter may answer fewer than `limit`
  items with a next_cursor: follow next_cursor until it is null.
"""

from __future__ import annotations

from datetime import datetime

from achievements.core.callers import Within
from achievements.core.errors import InvalidCursor, InvalidInput
from achievements.core.models import Achievement, utcnow
from achievements.insights.cursor import CursorCodec, filters_hash
from achievements.insights.models import AchievementPage, ListFilters
from achievements.store.reads import AchievementReader, IndexQuery, achievement_of, position_of, position_problem

MAX_QUERIES_PER_PAGE = 5
QUERY_PAGE = 100
MAX_LIMIT = 100


def index_query(filters: ListFilters, default_owner: str = "me", within: Within | None = None) -> IndexQuery:
    by_created = filters.date_field == "created_at"
    return IndexQuery(
        index="gsi2" if filters.sort == "impact" else "gsi1",
        ascending=filters.sort == "oldest",
        created_from=filters.date_from if by_created else None,
        created_to=filters.date_to if by_created else None,
        category=filters.category,
        source=filters.source,
        min_impact=filters.min_impact,
        person=filters.person,
        team=filters.team,
        legacy=filters.person is not None and filters.person == default_owner,
        within=within,
    )


def matches(achievement: Achievement, filters: ListFilters, default_owner: str = "me") -> bool:
    if filters.category is not None and achievement.category != filters.category:
        return False
    if filters.source is not None and achievement.source != filters.source:
        return False
    if filters.person is not None and (achievement.person or default_owner) != filters.person:
        return False
    if filters.team is not None and filters.team not in achievement.teams:
        return False
    if filters.min_impact is not None and (
        achievement.impact_score is None or achievement.impact_score < filters.min_impact
    ):
        return False
    moment = achievement.created_at if filters.date_field == "created_at" else achievement.occurred_at
    if filters.date_from is not None and moment < filters.date_from:
        return False
    return not (filters.date_to is not None and moment > filters.date_to)


def validate_filters(filters: ListFilters) -> None:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidInput(
            f"invalid request: from ({filters.date_from.isoformat()}) is after to ({filters.date_to.isoformat()})"
        )


def list_achievements(
    reader: AchievementReader,
    codec: CursorCodec,
    filters: ListFilters,
    limit: int,
    cursor: str | None = None,
    now: datetime | None = None,
    default_owner: str = "me",
    within: Within | None = None,
) -> AchievementPage:
    """One page of the listing; `within` keeps it to what the caller reaches (SPEC §9)."""
    validate_filters(filters)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"invalid request: limit must be 1..{MAX_LIMIT}")
    now = now or utcnow()
    spec = index_query(filters, default_owner, within)
    signature = filters_hash(filters)
    position = codec.decode(cursor, signature, now) if cursor else None
    problem = position_problem(spec.index, position) if position is not None else None
    if problem is not None:
        raise InvalidCursor(f"cursor does not belong to this listing ({problem}): start again without a cursor")

    found: list[Achievement] = []
    query_limit = min(QUERY_PAGE, limit + 1)
    for _ in range(MAX_QUERIES_PER_PAGE):
        items, next_position = reader.query(spec, position, query_limit)
        for index, item in enumerate(items):
            achievement = achievement_of(item)
            if not matches(achievement, filters, default_owner) or (
                within is not None and not within.holds_achievement(achievement)
            ):
                continue
            found.append(achievement)
            if len(found) == limit:
                more = index < len(items) - 1 or next_position is not None
                following = codec.encode(position_of(item, spec.index), signature, now) if more else None
                return AchievementPage(items=found, count=len(found), limit=limit, next_cursor=following)
        if next_position is None:
            return AchievementPage(items=found, count=len(found), limit=limit, next_cursor=None)
        position = next_position
        query_limit = QUERY_PAGE
    # Budget spent on a narrow filter: answer what was found and where to go on.
    assert position is not None
    return AchievementPage(
        items=found, count=len(found), limit=limit, next_cursor=codec.encode(position, signature, now)
    )
