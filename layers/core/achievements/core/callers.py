"""Who is calling and how far they reach (SPEC §9): roles, reaches, and whose achievements a caller may see.

Pure: no I/O. The rules table saying which role reaches how far on each route is access/rules.py; this is
what a reach means on an achievement, a person or a team, shared by every feature that filters by caller.
- OWN: the caller's own achievements (an achievement with no `person` is the default owner's);
- TEAMS: their own and every achievement written as one of their teams' (a lead's teams are on their token);
- ALL: everything; NONE: the route is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from achievements.core.models import Achievement


class Role(StrEnum):
    INGEST = "ingest"  # a machine (Threads-Agent, a CI job): writes events, reads nothing
    MEMBER = "member"  # reads and edits their own achievements
    LEAD = "lead"  # reads their teams' achievements too
    ADMIN = "admin"  # everything: people, credentials, every achievement


class Reach(StrEnum):
    NONE = "none"
    OWN = "own"
    TEAMS = "teams"
    ALL = "all"


REACH_ORDER = (Reach.NONE, Reach.OWN, Reach.TEAMS, Reach.ALL)


class Caller(NamedTuple):
    """The identity the authorizer put in the request context (never read from the body)."""

    token_id: str
    role: Role
    person: str
    teams: tuple[str, ...] = ()
    expires_at: int | None = None  # epoch seconds; None: never


class Within(NamedTuple):
    """The achievements one caller reaches on one route: their person's, and their teams' (empty for OWN)."""

    person: str
    teams: tuple[str, ...]
    default_owner: bool  # the caller is the deployment's default owner: achievements without a person are theirs

    def holds(self, person: str | None, teams: Iterable[str]) -> bool:
        if person is None:
            if self.default_owner:
                return True
        elif person == self.person:
            return True
        return bool(set(self.teams) & set(teams))

    def holds_achievement(self, achievement: Achievement) -> bool:
        return self.holds(achievement.person, achievement.teams)


def within(caller: Caller, reach: Reach, default_owner: str) -> Within | None:
    """What `reach` leaves the caller: None for everything (ALL); NONE reaches nothing at all."""
    if reach == Reach.ALL:
        return None
    teams = caller.teams if reach == Reach.TEAMS else ()
    if reach == Reach.NONE:
        return Within(person="", teams=(), default_owner=False)
    return Within(person=caller.person, teams=teams, default_owner=caller.person == default_owner)


def reaches(caller: Caller, reach: Reach, default_owner: str, person: str | None, teams: Iterable[str]) -> bool:
    """Whether an achievement (or a person) of `person` in `teams` is within the caller's reach."""
    scope = within(caller, reach, default_owner)
    return scope is None or scope.holds(person, teams)


def wider(first: Reach, second: Reach) -> Reach:
    return max(first, second, key=REACH_ORDER.index)
