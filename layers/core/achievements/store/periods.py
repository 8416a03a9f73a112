"""A period's achievements of one person, one team or everyone: the read behind portfolios and reviews (SPEC §8).

A person's come from gsi3 (`OWNER#<person>` / occurred_at): the items read are the period's; a team's are its
members' (one walk each, only those written as the team's). The default owner's also include the achievements
stored before people existed (a walk of gsi1 from `from`), as do everyone's (gsi1 from `from`: created at or
after they occurred). Hidden and deleted achievements are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pydantic import BaseModel

from achievements.core.errors import InvalidInput, NotFound
from achievements.core.models import Achievement, Category
from achievements.core.ownership import SLUG_RULE, is_slug
from achievements.store.people import PeopleRegistry
from achievements.store.reads import AchievementReader, IndexQuery, achievement_of

QUERY_PAGE = 100
# A period's read stops at this many achievements (the caller says so when it stopped there).
MAX_PERIOD_READ = 5000


class Scope(BaseModel):
    person: str | None = None
    team: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    category: Category | None = None

    @property
    def everyone(self) -> bool:
        return self.person is None and self.team is None


def checked_scope(registry: PeopleRegistry, scope: Scope) -> Scope:
    """The scope, or 422 for a bad slug / both person and team, 404 for an unknown person or team."""
    if scope.person is not None and scope.team is not None:
        raise InvalidInput("invalid request: give person or team, not both")
    for kind, slug in (("person", scope.person), ("team", scope.team)):
        if slug is not None and not is_slug(slug):
            raise InvalidInput(f"invalid {kind} {slug!r}: a slug is {SLUG_RULE}")
    if scope.date_from and scope.date_to and scope.date_from > scope.date_to:
        raise InvalidInput("invalid request: from is after to")
    if scope.person is not None and registry.get(scope.person) is None:
        raise NotFound(f"no person {scope.person!r}")
    if scope.team is not None and not registry.members(scope.team):
        raise NotFound(f"no team {scope.team!r}")
    return scope


def _walk(reader: AchievementReader, spec: IndexQuery) -> Iterator[Achievement]:
    position = None
    while True:
        items, position = reader.query(spec, position, QUERY_PAGE)
        yield from (achievement_of(item) for item in items)
        if position is None:
            return


def _in_period(achievement: Achievement, scope: Scope) -> bool:
    if achievement.hidden or achievement.deleted_at is not None:
        return False
    if scope.category is not None and achievement.category != scope.category:
        return False
    if scope.date_from is not None and achievement.occurred_at < scope.date_from:
        return False
    return not (scope.date_to is not None and achievement.occurred_at > scope.date_to)


def period_achievements(
    reader: AchievementReader, registry: PeopleRegistry, scope: Scope, most: int = MAX_PERIOD_READ
) -> tuple[list[Achievement], int]:
    """The scope's visible achievements of the period (reading at most `most` items), and how many were read."""
    walks: list[IndexQuery] = []

    def owner_walk(person: str, team: str | None) -> IndexQuery:
        return IndexQuery(
            index="gsi3",
            person=person,
            team=team,
            occurred_from=scope.date_from,
            occurred_to=scope.date_to,
            category=scope.category,
        )

    if scope.team is not None:
        walks = [owner_walk(member, scope.team) for member in registry.members(scope.team)]
    elif scope.person is not None:
        walks = [owner_walk(scope.person, None)]
        if scope.person == registry.default_owner:
            # Stored before people existed: created at or after their occurred_at, so from `from` on.
            walks.append(
                IndexQuery(index="gsi1", created_from=scope.date_from, category=scope.category, legacy_only=True)
            )
    else:
        walks = [IndexQuery(index="gsi1", created_from=scope.date_from, category=scope.category)]
    found: dict[int, Achievement] = {}
    read = 0
    for spec in walks:
        for achievement in _walk(reader, spec):
            read += 1
            if _in_period(achievement, scope):
                found[achievement.id] = achievement
            if read >= most:
                return list(found.values()), read
    return list(found.values()), read
