"""Whose an achievement is: slugs, aliases, the identity an event carries, and the aggregate scopes it counts in.

Pure: no I/O. SPEC §8: a person is resolved from the event — an explicit `person`, else an alias in the
people registry (`github:<login>`, `persona:<persona_id>`, `prometheus:<metric>` or `prometheus:*`), else
the deployment's default owner. An achievement stored before people existed has no `person`: it belongs to
the default owner (no migration).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from achievements.core.models import Achievement, AchievementDraft, Source

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
SLUG_RULE = "1-64 characters: lowercase letters, digits and inner hyphens"
ALIAS_KINDS = ("github", "persona", "prometheus")
ALIAS_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
# A person's teams and aliases are bounded: every write of one of their achievements moves each team's
# aggregates in the same transaction (TransactWriteItems takes 100 items), and PUT /people writes every alias.
MAX_TEAMS = 5
MAX_ALIASES = 20
AttributedBy = Literal["explicit", "alias", "default"]
# Aggregate scopes besides the global one: every attributed achievement counts in ATTRIBUTED, in its person's
# and in each of its teams'. The default owner's numbers are their own plus global minus ATTRIBUTED (the
# achievements stored before people existed).
ATTRIBUTED = "ATTRIBUTED"


class Owner(NamedTuple):
    person: str
    teams: list[str]
    attributed_by: AttributedBy


def is_slug(text: str) -> bool:
    return bool(SLUG.match(text))


def alias_problem(alias: str) -> str | None:
    """Why `alias` is not one (None when it is): `<kind>:<value>` with a known kind, `prometheus:*` allowed."""
    kind, _, value = alias.partition(":")
    if kind not in ALIAS_KINDS or not value:
        return f"alias {alias!r} must be one of {', '.join(k + ':<id>' for k in ALIAS_KINDS)} (or prometheus:*)"
    if kind == "prometheus" and value == "*":
        return None
    if not ALIAS_VALUE.match(value):
        return f"alias {alias!r}: the id after '{kind}:' has characters an id of {kind} cannot have"
    return None


def identity_of(achievement: AchievementDraft) -> str | None:
    """The alias an event's own identity would be registered under (its author, persona or metric)."""
    if achievement.source == Source.GITHUB and achievement.author:
        return f"github:{achievement.author}"
    if achievement.source == Source.THREADS and achievement.persona_id:
        return f"persona:{achievement.persona_id}"
    if achievement.source in {Source.PROMETHEUS, Source.KPI}:
        metric = achievement.metrics.get("metric_name")
        if isinstance(metric, str) and metric:
            return f"prometheus:{metric}"
    return None


def candidate_aliases(draft: AchievementDraft) -> list[str]:
    """The registry aliases that may own this event, the most specific first."""
    identity = identity_of(draft)
    if identity is None:
        return ["prometheus:*"] if draft.source in {Source.PROMETHEUS, Source.KPI} else []
    return [identity, "prometheus:*"] if identity.startswith("prometheus:") else [identity]


def claims(alias: str, identity: str | None) -> bool:
    """Whether an alias owns an event of this identity (`prometheus:*` owns every metric)."""
    if identity is None:
        return False
    return alias == identity or (alias == "prometheus:*" and identity.startswith("prometheus:"))


def person_of(achievement: Achievement, default_owner: str) -> str:
    return achievement.person or default_owner


def scopes_of(achievement: Achievement | None) -> list[str]:
    """The scoped aggregates an achievement counts in (none for one stored before people existed)."""
    if achievement is None or achievement.person is None:
        return []
    return [ATTRIBUTED, f"PERSON#{achievement.person}", *(f"TEAM#{team}" for team in achievement.teams)]


def etag_of(achievement: Achievement) -> str:
    """The strong entity tag of an achievement's current state (every write moves `updated_at`)."""
    state = f"{achievement.id}|{achievement.updated_at.isoformat()}"
    return '"' + hashlib.sha256(state.encode()).hexdigest()[:32] + '"'


class Person(BaseModel):
    """A person of the registry: who they are, which identities are theirs, which teams they are in."""

    model_config = ConfigDict(extra="forbid")

    slug: str
    name: str = Field(min_length=1, max_length=200)
    aliases: list[str] = Field(default_factory=list, max_length=MAX_ALIASES)
    teams: list[str] = Field(default_factory=list, max_length=MAX_TEAMS)
    registered: bool = Field(default=True, description="False for the default owner when nobody registered them")
    created_at: datetime | None = None
    updated_at: datetime | None = None


def aggregate_signs(person: str | None, team: str | None, default_owner: str) -> dict[str | None, int]:
    """Which aggregate scopes add up to one person's, one team's or everyone's numbers (None: the global ones)."""
    if team is not None:
        return {f"TEAM#{team}": 1}
    if person is None:
        return {None: 1}
    if person == default_owner:
        # Their attributed achievements, plus those stored before people existed (global minus attributed).
        return {None: 1, ATTRIBUTED: -1, f"PERSON#{person}": 1}
    return {f"PERSON#{person}": 1}
