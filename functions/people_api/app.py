"""People and teams (SPEC §8): the registry, a team's members and its skills inventory."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.access.guard import access_of, admitted
from achievements.core.models import TrackResponse
from achievements.core.observability import logger, metrics, tracer
from achievements.core.ownership import Person
from achievements.http.priming import prime, request
from achievements.http.resolver import documented, make_resolver, resolve
from achievements.people import service
from achievements.people.deps import deps
from achievements.people.models import PeopleList, PersonIn, PersonOut, Team, TeamSkills
from achievements.people.settings import people_settings

deps.build(people_settings())
app = make_resolver()

PersonPath = Annotated[str, Path(min_length=1, max_length=64, description="The person's slug", examples=["alice"])]
TeamPath = Annotated[str, Path(min_length=1, max_length=64, description="The team's slug", examples=["platform"])]
NOT_A_SLUG = {422: documented("the slug is not one (lowercase letters, digits, inner hyphens), or a bad field")}


@app.get(
    "/people", summary="Every registered person", responses={200: documented("the people", PeopleList)}, tags=["people"]
)
def get_people() -> PeopleList:
    return service.list_people(deps.current().registry, access_of(app).within)


@app.get(
    "/people/<person>",
    summary="One person (the default owner answers even when unregistered)",
    responses={200: documented("the person", Person), 404: documented("no such person"), **NOT_A_SLUG},
    tags=["people"],
)
def get_person(person: PersonPath) -> Person:
    return service.get_person(deps.current().registry, person, access_of(app).within)


@app.put(
    "/people/<person>",
    summary="Create or replace a person: name, aliases, teams",
    description=(
        "Aliases (`github:<login>`, `persona:<persona_id>`, `prometheus:<metric>`, `prometheus:*`) attribute "
        "future events; achievements the default owner got for a newly claimed alias move to this person "
        "asynchronously (`reattributing`). An alias held by another person is refused with 409."
    ),
    responses={
        200: documented("the stored person", PersonOut),
        400: documented("body missing or not JSON"),
        409: documented("an alias belongs to another person, or the person changed meanwhile"),
        413: documented("body over the size limit"),
        415: documented("Content-Type is not JSON"),
        **NOT_A_SLUG,
    },
    tags=["people"],
)
def put_person(person: PersonPath, body: Annotated[PersonIn, Body()]) -> PersonOut:
    graph = deps.current()
    return service.put_person(graph.registry, graph.queue, person, body)


@app.delete(
    "/people/<person>",
    summary="Remove a person, their aliases and memberships (their achievements stay theirs)",
    responses={
        200: documented('removed: {"status": "deleted"}', TrackResponse),
        404: documented("no such person"),
        **NOT_A_SLUG,
    },
    tags=["people"],
)
def delete_person(person: PersonPath) -> TrackResponse:
    service.delete_person(deps.current().registry, person)
    return TrackResponse(status="deleted")


@app.get(
    "/teams/<team>",
    summary="A team's members",
    responses={200: documented("the team", Team), 404: documented("nobody is in this team"), **NOT_A_SLUG},
    tags=["people"],
)
def get_team(team: TeamPath) -> Team:
    return service.get_team(deps.current().registry, team, access_of(app).within)


@app.get(
    "/teams/<team>/skills",
    summary="A team's skills inventory: who showed which skill, and what nobody has shown yet",
    responses={200: documented("the inventory", TeamSkills), 404: documented("nobody is in this team"), **NOT_A_SLUG},
    tags=["people"],
)
def get_team_skills(team: TeamPath) -> TeamSkills:
    graph = deps.current()
    return service.team_skills(graph.registry, graph.reader, team, access_of(app).within)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@admitted  # the access rules table (access/rules.py): 401/403 before anything reads the request
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, deps.current().settings.max_body_bytes)


# SnapStart priming: requests refused before any read (a body without a name; a path that is not a slug)
prime(app, deps.clients, request("PUT", "/people/priming", {}), request("GET", "/teams/Not-A-Slug/skills"))
