"""Pydantic models of the tokens API and of the identity the authorizer hands the functions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from achievements.core.callers import Caller, Role
from achievements.core.ownership import MAX_TEAMS, SLUG_RULE, is_slug

MAX_DAYS = 366
TokenStatus = Literal["active", "expired", "revoked"]


def _slug(kind: str, value: str) -> str:
    if not is_slug(value):
        raise ValueError(f"{kind} {value!r} is not a slug ({SLUG_RULE})")
    return value


class TokenIn(BaseModel):
    """POST /tokens: whose token it is, what it may do, for how long."""

    model_config = ConfigDict(extra="forbid")

    role: Role = Field(description="ingest (machines: write only), member, lead or admin", examples=["member"])
    person: str = Field(description="Whose token: the person (slug) it acts as", examples=["alice"])
    teams: list[str] = Field(
        default_factory=list,
        max_length=MAX_TEAMS,
        description="A lead's teams (required for a lead, refused for any other role)",
        examples=[["platform"]],
    )
    expires_in_days: int = Field(default=90, ge=1, le=MAX_DAYS, description="Days until it stops working")
    description: str = Field(default="", max_length=200, description="What it is for", examples=["Alice's laptop"])

    @field_validator("person")
    @classmethod
    def _person_slug(cls, value: str) -> str:
        return _slug("person", value)

    @field_validator("teams")
    @classmethod
    def _team_slugs(cls, value: list[str]) -> list[str]:
        return sorted({_slug("team", team) for team in value})

    @model_validator(mode="after")
    def _teams_for_leads(self) -> TokenIn:
        if self.role == Role.LEAD and not self.teams:
            raise ValueError("a lead token needs its teams")
        if self.role != Role.LEAD and self.teams:
            raise ValueError(f"teams are a lead's; a {self.role.value} token has none")
        return self


class Token(BaseModel):
    """A token as GET /tokens lists it: never its secret (only its hash is stored)."""

    token_id: str
    role: Role
    person: str
    teams: list[str] = Field(default_factory=list)
    description: str = ""
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    status: TokenStatus = "active"


class TokenCreated(Token):
    token: str = Field(description="The token itself: shown only in this answer (send it as Authorization: Bearer)")


class TokenList(BaseModel):
    items: list[Token]
    count: int


class CallerContext(BaseModel):
    """The authorizer's context as API Gateway passes it on (`requestContext.authorizer`): strings only."""

    model_config = ConfigDict(extra="ignore")

    token_id: str = Field(min_length=1)
    role: Role
    person: str = Field(min_length=1)
    teams: str = ""  # comma-separated
    expires_at: str = ""  # epoch seconds, "" for never

    @classmethod
    def of(cls, caller: Caller) -> CallerContext:
        return cls(
            token_id=caller.token_id,
            role=caller.role,
            person=caller.person,
            teams=",".join(caller.teams),
            expires_at="" if caller.expires_at is None else str(caller.expires_at),
        )

    def caller(self) -> Caller:
        teams = tuple(team for team in self.teams.split(",") if team)
        expires = int(self.expires_at) if self.expires_at.strip() else None
        return Caller(self.token_id, self.role, self.person, teams, expires)
