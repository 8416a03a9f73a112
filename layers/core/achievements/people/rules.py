"""What makes a person's body valid (pure): slugs, aliases, teams; and the skills inventory's arithmetic."""

from __future__ import annotations

from collections.abc import Mapping

from achievements.core.errors import InvalidInput
from achievements.core.ownership import SLUG_RULE, alias_problem, is_slug
from achievements.people.models import PersonIn, SkillHolder, TeamSkill

MAX_NOT_YET_SHOWN = 20


def require_slug(kind: str, text: str) -> str:
    if not is_slug(text):
        raise InvalidInput(f"invalid {kind} {text!r}: a slug is {SLUG_RULE}")
    return text


def checked_person(body: PersonIn) -> PersonIn:
    """The body with its lists de-duplicated, or InvalidInput naming the first bad alias or team."""
    for alias in body.aliases:
        problem = alias_problem(alias)
        if problem:
            raise InvalidInput(f"invalid request: {problem}")
    for team in body.teams:
        require_slug("team", team)
    return body.model_copy(
        update={"aliases": list(dict.fromkeys(body.aliases)), "teams": list(dict.fromkeys(body.teams))}
    )


def inventory(
    per_person: Mapping[str, tuple[Mapping[str, int], Mapping[str, int]]], recommended: Mapping[str, int]
) -> tuple[list[TeamSkill], list[str]]:
    """Skills and technologies per person (`{person: (skills, technologies)}`) as the team's inventory.

    Ordered by how many achievements show each; `recommended` (the deployment's analysed skills) minus
    what the team showed are the skills not yet shown, the most common first.
    """
    found: dict[tuple[str, str], dict[str, int]] = {}
    for person, (skills, technologies) in per_person.items():
        for kind, counts in (("skill", skills), ("technology", technologies)):
            for name, count in counts.items():
                if count > 0:
                    found.setdefault((kind, name), {})[person] = count
    entries = [
        TeamSkill(
            skill=name,
            kind=kind,
            achievements=sum(holders.values()),
            people=[
                SkillHolder(person=p, achievements=c) for p, c in sorted(holders.items(), key=lambda h: (-h[1], h[0]))
            ],
        )
        for (kind, name), holders in found.items()
    ]
    entries.sort(key=lambda e: (-e.achievements, e.kind, e.skill.casefold()))
    shown = {name.casefold() for (_, name) in found}
    missing = [
        name
        for name, _ in sorted(recommended.items(), key=lambda r: (-r[1], r[0].casefold()))
        if name.casefold() not in shown
    ]
    return entries, missing[:MAX_NOT_YET_SHOWN]
