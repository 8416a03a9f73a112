"""Pydantic models of the people API: a person's body, the registry's answers, a team and its skills."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from achievements.core.models import Visible
from achievements.core.ownership import MAX_ALIASES, MAX_TEAMS, Person


class PersonIn(BaseModel):
    """PUT /people/{person}: the whole person (aliases and teams replace the stored ones)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(min_length=1, max_length=200), Visible] = Field(examples=["Alice Example"])
    aliases: list[str] = Field(
        default_factory=list,
        max_length=MAX_ALIASES,
        description="github:<login>, persona:<persona_id>, prometheus:<metric> or prometheus:*",
        examples=[["github:alice", "persona:ai-jesus"]],
    )
    teams: list[str] = Field(default_factory=list, max_length=MAX_TEAMS, examples=[["platform"]])


class PersonOut(Person):
    """A person, and the aliases whose past achievements are being re-attributed to them (PUT answers)."""

    reattributing: list[str] = Field(default_factory=list)


class PeopleList(BaseModel):
    items: list[Person]
    count: int
    default_owner: str = Field(description="Who owns what no alias claims (template parameter DefaultOwner)")


class Team(BaseModel):
    team: str
    members: list[Person]
    count: int


class SkillHolder(BaseModel):
    person: str
    achievements: int = Field(description="How many of their achievements show it")


class TeamSkill(BaseModel):
    skill: str
    kind: str = Field(description="skill (from analyses) or technology")
    achievements: int
    people: list[SkillHolder] = Field(description="Who showed it, most often first")


class TeamSkills(BaseModel):
    team: str
    members: list[str]
    skills: list[TeamSkill]
    not_yet_shown: list[str] = Field(
        description="Skills the deployment's analyses name that nobody on the team has shown yet"
    )
