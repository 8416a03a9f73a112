"""The people API's use cases: the registry, teams, and a team's skills inventory."""

from __future__ import annotations

from achievements.core.callers import Within
from achievements.core.errors import NotFound
from achievements.core.ownership import Person, aggregate_signs
from achievements.people import rules
from achievements.people.models import PeopleList, PersonIn, PersonOut, Team, TeamSkills
from achievements.people.queue import ReattributionJob, ReattributionQueue
from achievements.store.people import PeopleRegistry
from achievements.store.reads import AchievementReader


def put_person(registry: PeopleRegistry, queue: ReattributionQueue, slug: str, body: PersonIn) -> PersonOut:
    """Create or replace a person; every alias newly claimed queues the re-attribution of its past achievements."""
    rules.require_slug("person", slug)
    checked = rules.checked_person(body)
    stored, claimed = registry.put(Person(slug=slug, **checked.model_dump()))
    for alias in claimed:
        queue.send(ReattributionJob(alias=alias, person=slug))
    return PersonOut(**stored.model_dump(), reattributing=claimed)


def get_person(registry: PeopleRegistry, slug: str, within: Within | None = None) -> Person:
    rules.require_slug("person", slug)
    person = registry.get(slug)
    if person is None or (within is not None and not within.holds(slug, person.teams)):
        raise NotFound(f"no person {slug!r}")
    return person


def delete_person(registry: PeopleRegistry, slug: str) -> None:
    """Remove a person, their aliases and memberships; their achievements stay theirs."""
    rules.require_slug("person", slug)
    if not registry.delete(slug):
        raise NotFound(f"no person {slug!r}")


def list_people(registry: PeopleRegistry, within: Within | None = None) -> PeopleList:
    people = [p for p in registry.people() if within is None or within.holds(p.slug, p.teams)]
    return PeopleList(items=people, count=len(people), default_owner=registry.default_owner)


def _members(registry: PeopleRegistry, team: str, within: Within | None) -> list[str]:
    """The team's members the caller reaches (SPEC §9): all for their own team, else only themselves."""
    slugs = registry.members(team)
    if within is None or team in within.teams:
        return slugs
    return [slug for slug in slugs if slug == within.person]


def get_team(registry: PeopleRegistry, team: str, within: Within | None = None) -> Team:
    rules.require_slug("team", team)
    slugs = _members(registry, team, within)
    if not slugs:
        raise NotFound(f"no team {team!r} (a team exists while someone is in it)")
    members = [person for slug in slugs if (person := registry.get(slug)) is not None]
    return Team(team=team, members=members, count=len(members))


def team_skills(
    registry: PeopleRegistry, reader: AchievementReader, team: str, within: Within | None = None
) -> TeamSkills:
    """Who on the team showed which skill (per-person aggregates: one BatchGetItem per member).

    A caller who reaches only themselves sees only their own skills, and as not shown what they have not shown.
    """
    rules.require_slug("team", team)
    slugs = _members(registry, team, within)
    if not slugs:
        raise NotFound(f"no team {team!r} (a team exists while someone is in it)")
    per_person = {}
    for slug in slugs:
        snapshot = reader.scoped_aggregates(aggregate_signs(slug, None, registry.default_owner))
        per_person[slug] = (snapshot.skills, snapshot.technologies)
    recommended = reader.aggregates().skills
    skills, missing = rules.inventory(per_person, recommended)
    return TeamSkills(team=team, members=slugs, skills=skills, not_yet_shown=missing)
