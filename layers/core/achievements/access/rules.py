"""THE rules table (SPEC §9): which role may call which route, and on whose data. Pure: no I/O.

docs/access.md shows this table (a test renders it from here and compares); a test checks its routes are
exactly template.yaml's, so no route is served without a row. The authorizer allows a caller exactly the
routes their role reaches (API Gateway refuses the others with 403), and every handler applies the same row
again to the request: the route (403) and the data (filtered, or 404 for what the caller may not see).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple

from achievements.core.callers import Reach, Role


class Data(StrEnum):
    """Whose data a route touches, which says what a reach means on it."""

    EVENTS = "events"  # writes an integration's events (attributed by the people rules); reads nothing back
    DEPLOYMENT = "deployment"  # the deployment's own state (the scrape's status)
    CREDENTIALS = "credentials"  # access tokens
    ACHIEVEMENT = "achievement"  # one achievement by id: beyond reach 404 (403 if the caller may read it)
    NEW_ACHIEVEMENT = "new achievement"  # the body's `person` (default: the caller) must be within reach
    LISTING = "listing"  # the achievements listed are filtered to the reach
    SCOPE = "scope"  # ?person=|team=: default the caller; a person or team beyond reach is 404
    PEOPLE = "people"  # the registry's people, filtered to the reach
    PERSON = "person"  # one person by slug: beyond reach 404
    TEAM = "team"  # one team: its members filtered to the reach (none left: 404)
    PUBLIC = "public"  # no token: the request authenticates itself (GitHub's HMAC signature)


class Rule(NamedTuple):
    method: str
    path: str  # as template.yaml names it: /achievements/{achievement_id}
    data: Data
    reach: dict[Role, Reach]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def of(self, role: Role) -> Reach:
        return self.reach.get(role, Reach.NONE)


_ = Reach.NONE
OWN, TEAMS, ALL = Reach.OWN, Reach.TEAMS, Reach.ALL
ROLES = (Role.INGEST, Role.MEMBER, Role.LEAD, Role.ADMIN)


def _rule(route: str, data: Data, ingest: Reach, member: Reach, lead: Reach, admin: Reach) -> Rule:
    method, path = route.split(" ", 1)
    reach = dict(zip(ROLES, (ingest, member, lead, admin), strict=True))
    return Rule(method, path, data, {role: r for role, r in reach.items() if r != Reach.NONE})


# fmt: off
RULES: tuple[Rule, ...] = (
    #      route                                         data                  ingest member lead  admin
    _rule("POST /threads/track",                         Data.EVENTS,          ALL,   _,     _,    ALL),
    _rule("POST /kpi/milestones",                        Data.EVENTS,          ALL,   _,     _,    ALL),
    _rule("POST /threads/sync",                          Data.EVENTS,          ALL,   _,     _,    ALL),
    _rule("GET /threads/sync/status",                    Data.DEPLOYMENT,      _,     _,     _,    ALL),
    _rule("POST /prometheus/scrape",                     Data.EVENTS,          ALL,   _,     _,    ALL),
    _rule("GET /prometheus/status",                      Data.DEPLOYMENT,      _,     _,     _,    ALL),
    _rule("POST /github/webhook",                        Data.PUBLIC,          _,     _,     _,    _),
    _rule("POST /analyze/deep/{id}",                     Data.ACHIEVEMENT,     _,     OWN,   TEAMS, ALL),
    _rule("GET /analyze/deep/{id}",                      Data.ACHIEVEMENT,     _,     OWN,   TEAMS, ALL),
    _rule("GET /analyze/career-insights",                Data.SCOPE,           _,     OWN,   TEAMS, ALL),
    _rule("GET /achievements",                           Data.LISTING,         _,     OWN,   TEAMS, ALL),
    _rule("GET /achievements/{achievement_id}",          Data.ACHIEVEMENT,     _,     OWN,   TEAMS, ALL),
    _rule("GET /portfolio",                              Data.SCOPE,           _,     OWN,   TEAMS, ALL),
    _rule("GET /reviews",                                Data.SCOPE,           _,     OWN,   TEAMS, ALL),
    _rule("POST /achievements",                          Data.NEW_ACHIEVEMENT, ALL,   OWN,   OWN,  ALL),
    _rule("PATCH /achievements/{achievement_id}",        Data.ACHIEVEMENT,     _,     OWN,   OWN,  ALL),
    _rule("DELETE /achievements/{achievement_id}",       Data.ACHIEVEMENT,     _,     OWN,   OWN,  ALL),
    _rule("POST /achievements/{achievement_id}/restore", Data.ACHIEVEMENT,     _,     OWN,   OWN,  ALL),
    _rule("GET /people",                                 Data.PEOPLE,          _,     OWN,   TEAMS, ALL),
    _rule("GET /people/{person}",                        Data.PERSON,          _,     OWN,   TEAMS, ALL),
    _rule("PUT /people/{person}",                        Data.PERSON,          _,     _,     _,    ALL),
    _rule("DELETE /people/{person}",                     Data.PERSON,          _,     _,     _,    ALL),
    _rule("GET /teams/{team}",                           Data.TEAM,            _,     OWN,   TEAMS, ALL),
    _rule("GET /teams/{team}/skills",                    Data.TEAM,            _,     OWN,   TEAMS, ALL),
    _rule("POST /tokens",                                Data.CREDENTIALS,     _,     _,     _,    ALL),
    _rule("GET /tokens",                                 Data.CREDENTIALS,     _,     _,     _,    ALL),
    _rule("DELETE /tokens/{token_id}",                   Data.CREDENTIALS,     _,     _,     _,    ALL),
)
# fmt: on
BY_KEY: dict[str, Rule] = {rule.key: rule for rule in RULES}
# What a role may read of any achievement: a write beyond the route's reach but within this is 403, not 404.
SIGHT_ROUTE = "GET /achievements/{achievement_id}"


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")


_PATTERNS = tuple((rule, _pattern(rule.path)) for rule in RULES)


def rule_for(method: str, resource: str | None, path: str | None = None) -> Rule | None:
    """The row of a request: by API Gateway's resource (`/achievements/{achievement_id}`), else by its path."""
    found = BY_KEY.get(f"{method.upper()} {resource}") if resource else None
    if found is not None or not path:
        return found
    return next((rule for rule, pattern in _PATTERNS if rule.method == method.upper() and pattern.match(path)), None)


def sight(role: Role) -> Reach:
    return BY_KEY[SIGHT_ROUTE].of(role)


def allowed_routes(role: Role) -> list[Rule]:
    """The routes a role may call at all (what the authorizer's policy allows)."""
    return [rule for rule in RULES if rule.data != Data.PUBLIC and rule.of(role) != Reach.NONE]


def policy_resource(path: str) -> str:
    """A route's resource in an execute-api ARN: each path parameter is one `*` (`achievements/*/restore`)."""
    return re.sub(r"\{[^}]+\}", "*", path).lstrip("/")


REACH_TEXT = {Reach.NONE: "—", Reach.OWN: "own", Reach.TEAMS: "own + teams'", Reach.ALL: "all"}


def markdown_table() -> str:
    """The table as docs/access.md shows it."""
    lines = [
        "| route | data | ingest | member | lead | admin |",
        "|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        if rule.data == Data.PUBLIC:
            cells = ["no token: HMAC"] * len(ROLES)
        else:
            cells = [REACH_TEXT[rule.of(role)] for role in ROLES]
        lines.append(f"| `{rule.key}` | {rule.data.value} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
