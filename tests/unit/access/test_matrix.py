"""The access matrix, generated from the rules table: every route x every role x own / other person / other team.

Each case calls the route's own handler (the function template.yaml maps it to) on moto with the identity the
authorizer would pass, and expects what the table's row says for that role on that data:
- allowed: 2xx, and the target's data is in the answer;
- filtered: 2xx, and the target's data is not in it (a list, a team, the people);
- hidden: 404, the same answer as for something that does not exist (no learning that it does);
- forbidden: 403 (the role may not call the route, or may read but not change that achievement).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import boto3
import pytest
from moto import mock_aws

from achievements.access.deps import deps as access_deps
from achievements.access.models import TokenIn
from achievements.access.rules import ROLES, RULES, Data, Rule, sight
from achievements.access.service import issue_token
from achievements.analysis.deps import requests as analysis_deps
from achievements.core.callers import Caller, Reach, Role
from achievements.core.models import AchievementDraft, Category, Source, utcnow
from achievements.core.ownership import Owner, Person, etag_of
from achievements.insights.deps import deps as insights_deps
from achievements.kpi.deps import deps as kpi_deps
from achievements.manual.deps import deps as manual_deps
from achievements.people.deps import deps as people_deps
from achievements.prometheus.deps import deps as prometheus_deps
from achievements.reviews.deps import deps as reviews_deps
from achievements.store import AchievementStore
from achievements.threads.deps import deps as threads_deps
from achievements.threads.deps import sync_deps
from achievements.threads.settings import ThreadsSyncSettings
from devstack.template import api_routes, create_tables
from tests.analysis_support import create_template_queues
from tests.conftest import TEST_PREFIX, Tables, api_event, build_on, clients_of
from tests.fakes.prometheus import Clock, FakePrometheus
from tests.fakes.threads_adaptor import down_url
from tests.unit.access.conftest import BOOTSTRAP_USAGE_KEY, PLAN_NAME, as_caller

TEAMS = {"ci": [], "ann": ["red"], "lee": ["red"], "bob": ["red"], "zoe": ["blue"], "ada": []}
CALLERS = {
    Role.INGEST: Caller("t-ci", Role.INGEST, "ci"),
    Role.MEMBER: Caller("t-ann", Role.MEMBER, "ann"),
    Role.LEAD: Caller("t-lee", Role.LEAD, "lee", ("red",)),
    Role.ADMIN: Caller("t-ada", Role.ADMIN, "ada"),
}
KINDS = ("own", "other person", "other team")
ACHIEVEMENT_ROUTES = [rule.key for rule in RULES if rule.data == Data.ACHIEVEMENT]


class Target(NamedTuple):
    kind: str
    person: str
    team: str  # the team the case is about: the caller's (red) for own / other person, blue for other team


def target_of(caller: Caller, kind: str) -> Target:
    if kind == "own":
        return Target(kind, caller.person, "red")
    return Target(kind, "bob", "red") if kind == "other person" else Target(kind, "zoe", "blue")


def reached(reach: Reach, caller: Caller, person: str) -> bool:
    if reach == Reach.ALL or person == caller.person:
        return True
    return reach == Reach.TEAMS and bool(set(TEAMS[person]) & set(caller.teams))


def expected(rule: Rule, caller: Caller, target: Target) -> str:
    """What the table's row says for this caller on this target (the semantics of docs/access.md, per data kind)."""
    reach = rule.of(caller.role)
    if reach == Reach.NONE:
        return "forbidden"
    if rule.data in {Data.EVENTS, Data.DEPLOYMENT, Data.CREDENTIALS}:
        return "allowed"
    if rule.data == Data.TEAM:
        if reach == Reach.ALL or (reach == Reach.TEAMS and target.team in caller.teams):
            return "allowed"
        return "filtered" if target.team in TEAMS[caller.person] else "hidden"
    if rule.data == Data.SCOPE:
        # asked for as person=<own>, else team=<the target's>: a lead may name one of their teams
        if reach == Reach.ALL or target.kind == "own" or (reach == Reach.TEAMS and target.team in caller.teams):
            return "allowed"
        return "hidden"
    if reached(reach, caller, target.person):
        return "allowed"
    if rule.data in {Data.LISTING, Data.PEOPLE}:
        return "filtered"
    if rule.data == Data.ACHIEVEMENT:
        return "forbidden" if reached(sight(caller.role), caller, target.person) else "hidden"
    return "forbidden" if rule.data == Data.NEW_ACHIEVEMENT else "hidden"


@dataclass
class World:
    tables: Tables
    store: AchievementStore
    fake: FakePrometheus
    queues: dict[str, str]
    ids: dict[tuple[str, str], int] = field(default_factory=dict)

    def achievement(self, route: str, person: str) -> int:
        return self.ids[(route, person)]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One moto world for the module: the people, and one achievement per person for each by-id route."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        tables = Tables(client, create_tables(client, TEST_PREFIX, streams=False))
        queues = {name: url for name, (url, _) in create_template_queues(boto3.client("sqs")).items()}
        apigateway = boto3.client("apigateway", region_name="us-east-1")
        plan = apigateway.create_usage_plan(name=PLAN_NAME)["id"]
        key = apigateway.create_api_key(name="bootstrap", value=BOOTSTRAP_USAGE_KEY, enabled=True)["id"]
        apigateway.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
        store = AchievementStore(tables.achievements, client=client)
        for slug, teams in TEAMS.items():
            store.registry.put(Person(slug=slug, name=slug.title(), teams=teams))
        found = World(tables, store, FakePrometheus(), queues)
        for route in [*ACHIEVEMENT_ROUTES, "GET /achievements"]:
            for slug, teams in TEAMS.items():
                draft = AchievementDraft(
                    title=f"{slug}'s work",
                    description="shipped",
                    category=Category.DEVELOPMENT,
                    source=Source.MANUAL,
                    source_ref=f"{route}:{slug}",
                    technologies=["Python"],
                )
                result = store.upsert(draft, owner=Owner(slug, teams, "explicit"))
                found.ids[(route, slug)] = result.achievement_id
        yield found


@pytest.fixture(autouse=True)
def _graphs(world: World) -> None:
    # Given every API function's graph on the module's moto tables and queues
    tables, sqs = world.tables, boto3.client("sqs", region_name="us-east-1")
    for deps in (threads_deps, kpi_deps, insights_deps, manual_deps, reviews_deps):
        build_on(deps, tables)
    people = people_deps.default_settings().model_copy(
        update={"reattribution_queue_url": world.queues["ReattributionQueue"]}
    )
    build_on(people_deps, tables, people, sqs=sqs)
    analysis = analysis_deps.default_settings().model_copy(update={"analysis_queue_url": world.queues["AnalysisQueue"]})
    build_on(analysis_deps, tables, analysis, sqs=sqs)
    prometheus_deps.build(
        clients=clients_of(tables),
        prometheus=world.fake.client(),
        load_overrides=lambda _settings: {},
        load_auth=lambda _settings: None,
        clock=Clock(),
    )
    sync = ThreadsSyncSettings(ACHIEVEMENTS_TABLE_NAME=tables.achievements, THREADS_ADAPTOR_URL=down_url())
    sync_deps.build(sync, clients_of(tables))
    access = access_deps.default_settings().model_copy(update={"tokens_table_name": tables.names["TokensTable"]})
    build_on(access_deps, tables, access, apigateway=boto3.client("apigateway", region_name="us-east-1"))


class Request(NamedTuple):
    path: str
    query: dict[str, str] | None = None
    body: Any = None
    headers: dict[str, str] | None = None


def _ensure_deleted(world: World, achievement_id: int, deleted: bool) -> None:
    current = world.store.get(achievement_id)
    assert current is not None
    if (current.deleted_at is not None) != deleted:
        change = {"deleted_at": utcnow() if deleted else None, "updated_at": utcnow()}
        assert world.store.replace(current.model_copy(update=change), current)


def _by_id(route: str, suffix: str = "") -> Callable[[World, Caller, Target], Request]:
    def make(world: World, caller: Caller, target: Target) -> Request:
        achievement_id = world.achievement(route, target.person)
        prefix = "/analyze/deep" if route.endswith("/analyze/deep/{id}") else "/achievements"
        headers = None
        body = None
        if route.startswith("PATCH"):
            _ensure_deleted(world, achievement_id, False)
            current = world.store.get(achievement_id)
            assert current is not None
            headers, body = {"If-Match": etag_of(current)}, {"title": f"edited by {caller.person}"}
        if route.endswith("/restore"):
            _ensure_deleted(world, achievement_id, True)
        return Request(f"{prefix}/{achievement_id}{suffix}", headers=headers, body=body)

    return make


def _fresh_person(world: World, caller: Caller, target: Target) -> Request:
    slug = f"gone-{len(world.ids)}"
    world.ids[("gone", slug)] = 0
    world.store.registry.put(Person(slug=slug, name="Gone"))
    return Request(f"/people/{slug}")


def _token_to_revoke(world: World, caller: Caller, target: Target) -> Request:
    graph = access_deps.current()
    made = issue_token(graph.tokens, graph.usage, TokenIn(role="member", person=target.person), utcnow())
    return Request(f"/tokens/{made.token_id}")


POST = {"hook": "Shipped it", "engagement_rate": 0.08, "views": 10_000, "persona_id": "ai-jesus"}
REQUESTS: dict[str, Callable[[World, Caller, Target], Request]] = {
    "POST /threads/track": lambda w, c, t: Request("/threads/track", body={**POST, "post_id": f"{c.person}-{t.kind}"}),
    "POST /kpi/milestones": lambda w, c, t: Request(
        "/kpi/milestones", body={"metric_name": "revenue_projection_monthly", "value": 25_000, "target": 20_000}
    ),
    "POST /prometheus/scrape": lambda w, c, t: Request("/prometheus/scrape"),
    "POST /threads/sync": lambda w, c, t: Request("/threads/sync", body={"limit": 1}),
    "GET /threads/sync/status": lambda w, c, t: Request("/threads/sync/status"),
    "GET /prometheus/status": lambda w, c, t: Request("/prometheus/status"),
    "POST /analyze/deep/{id}": _by_id("POST /analyze/deep/{id}"),
    "GET /analyze/deep/{id}": _by_id("GET /analyze/deep/{id}"),
    "GET /achievements/{achievement_id}": _by_id("GET /achievements/{achievement_id}"),
    "PATCH /achievements/{achievement_id}": _by_id("PATCH /achievements/{achievement_id}"),
    "DELETE /achievements/{achievement_id}": _by_id("DELETE /achievements/{achievement_id}"),
    "POST /achievements/{achievement_id}/restore": _by_id("POST /achievements/{achievement_id}/restore", "/restore"),
    "GET /analyze/career-insights": lambda w, c, t: Request(
        "/analyze/career-insights", query={"person": t.person} if t.kind == "own" else {"team": t.team}
    ),
    "GET /portfolio": lambda w, c, t: Request(
        "/portfolio", query={"format": "json", **({"person": t.person} if t.kind == "own" else {"team": t.team})}
    ),
    "GET /reviews": lambda w, c, t: Request(
        "/reviews", query={"format": "json", **({"person": t.person} if t.kind == "own" else {"team": t.team})}
    ),
    "GET /achievements": lambda w, c, t: Request("/achievements", query={"person": t.person, "limit": "100"}),
    "POST /achievements": lambda w, c, t: Request(
        "/achievements", body={"title": "Recorded by hand", "category": "leadership", "person": t.person}
    ),
    "GET /people": lambda w, c, t: Request("/people"),
    "GET /people/{person}": lambda w, c, t: Request(f"/people/{t.person}"),
    "PUT /people/{person}": lambda w, c, t: Request(
        f"/people/{t.person}", body={"name": t.person.title(), "teams": TEAMS[t.person]}
    ),
    "DELETE /people/{person}": _fresh_person,
    "GET /teams/{team}": lambda w, c, t: Request(f"/teams/{t.team}"),
    "GET /teams/{team}/skills": lambda w, c, t: Request(f"/teams/{t.team}/skills"),
    "POST /tokens": lambda w, c, t: Request("/tokens", body={"role": "member", "person": t.person}),
    "GET /tokens": lambda w, c, t: Request("/tokens"),
    "DELETE /tokens/{token_id}": _token_to_revoke,
}
HANDLERS = {f"{route.method} {route.path}": route.code_uri for route in api_routes()}


def call(rule: Rule, caller: Caller | None, request: Request, context: Any) -> tuple[int, Any]:
    """The route's own handler (template.yaml's function for it), as API Gateway calls it behind the authorizer."""
    module = importlib.import_module(HANDLERS[rule.key].rstrip("/").replace("/", ".") + ".app")
    event = api_event("achievements_list.json", body=request.body)
    params = dict(zip(_names(rule.path), _values(rule.path, request.path), strict=True))
    event.update(httpMethod=rule.method, path=request.path, resource=rule.path, pathParameters=params or None)
    event["headers"] = {**event["headers"], "Content-Type": "application/json", **(request.headers or {})}
    event["multiValueHeaders"] = {key: [value] for key, value in event["headers"].items()}
    event["queryStringParameters"] = request.query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in request.query.items()} if request.query else None
    response = module.lambda_handler(as_caller(event, caller), context)
    body = response.get("body")
    try:
        return int(response["statusCode"]), json.loads(body) if body else None
    except ValueError:
        return int(response["statusCode"]), body


def _names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _values(template: str, path: str) -> list[str]:
    return [value for part, value in zip(template.split("/"), path.split("/"), strict=True) if part.startswith("{")]


def seen(rule: Rule, answer: Any, target: Target) -> bool:
    """Whether the target's data is in a 2xx answer of a list-like route."""
    if rule.data == Data.LISTING:
        return any(item.get("person") == target.person for item in answer["items"])
    if rule.data == Data.PEOPLE:
        return target.person in {person["slug"] for person in answer["items"]}
    if rule.data == Data.TEAM:
        members = [m["slug"] if isinstance(m, dict) else m for m in answer["members"]]
        return members != [] and set(members) == {slug for slug, teams in TEAMS.items() if target.team in teams}
    return True


CASES = [(rule, role, kind) for rule in RULES if rule.data != Data.PUBLIC for role in ROLES for kind in KINDS]


def test_every_row_has_a_request_and_a_handler() -> None:
    # Given the rows and the template's routes, When compared with the matrix's requests, Then every row can be called
    assert set(REQUESTS) == {rule.key for rule in RULES if rule.data != Data.PUBLIC}
    assert set(HANDLERS) >= set(REQUESTS)


@pytest.mark.parametrize(
    ("rule", "role", "kind"), CASES, ids=[f"{rule.key} | {role.value} | {kind}" for rule, role, kind in CASES]
)
def test_the_route_answers_the_role_as_the_table_says(
    world: World, rule: Rule, role: Role, kind: str, lambda_context: Any
) -> None:
    # Given a caller of the role and a target: their own, another person's (in their team), another team's
    caller = CALLERS[role]
    target = target_of(caller, kind)
    outcome = expected(rule, caller, target)

    # When the route is called
    status, answer = call(rule, caller, REQUESTS[rule.key](world, caller, target), lambda_context)

    # Then it answers as the table says
    if outcome == "forbidden":
        assert status == 403, answer
    elif outcome == "hidden":
        assert status == 404, answer
    else:
        assert 200 <= status < 300, answer
        assert seen(rule, answer, target) is (outcome == "allowed"), answer


@pytest.mark.parametrize("route", ACHIEVEMENT_ROUTES)
def test_another_persons_achievement_is_answered_like_one_that_does_not_exist(
    world: World, route: str, lambda_context: Any
) -> None:
    # Given a member, zoe's achievement and an id nobody has
    rule = next(rule for rule in RULES if rule.key == route)
    caller = CALLERS[Role.MEMBER]
    theirs = REQUESTS[route](world, caller, target_of(caller, "other team"))
    zoe_id = re.findall(r"/(\d+)", theirs.path)[0]
    missing = theirs._replace(path=theirs.path.replace(f"/{zoe_id}", "/999999"))

    # When the member asks for both
    first, hidden = call(rule, caller, theirs, lambda_context)
    second, unknown = call(rule, caller, missing, lambda_context)

    # Then both are the same 404, but for the id
    assert (first, second) == (404, 404)
    assert hidden["message"].replace(zoe_id, "N") == unknown["message"].replace("999999", "N")


@pytest.mark.parametrize("route", ["GET /analyze/career-insights", "GET /portfolio", "GET /reviews"])
@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEAD])
def test_a_person_scope_is_the_callers_own_only(world: World, route: str, role: Role, lambda_context: Any) -> None:
    # Given a member or a lead, and bob (in their team) and an unknown person
    rule = next(rule for rule in RULES if rule.key == route)
    path = route.split(" ")[1]

    # When they ask for bob's insights, portfolio or review, and for someone nobody registered
    answers = [
        call(rule, CALLERS[role], Request(path, query={"person": person, "format": "json"}), lambda_context)
        for person in ("bob", "nobody-at-all")
    ]

    # Then both are the same 404 (a lead reads their team's with team=, never one person's whole record)
    assert [status for status, _ in answers] == [404, 404]
    assert [answer["message"] for _, answer in answers] == ["no person 'bob'", "no person 'nobody-at-all'"]


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.data != Data.PUBLIC], ids=lambda rule: rule.key)
def test_without_an_identity_every_route_is_401(world: World, rule: Rule, lambda_context: Any) -> None:
    # Given a route's request without an identity, When it is called, Then 401
    caller = CALLERS[Role.ADMIN]
    request = REQUESTS[rule.key](world, caller, target_of(caller, "own"))
    status, answer = call(rule, None, request, lambda_context)
    assert status == 401, answer


def test_an_expired_token_cached_by_api_gateway_is_refused_by_the_function(world: World, lambda_context: Any) -> None:
    # Given an admin whose token expired a second ago (API Gateway may still hold its cached answer)
    caller = CALLERS[Role.ADMIN]._replace(expires_at=int(utcnow().timestamp()) - 1)
    rule = next(rule for rule in RULES if rule.key == "GET /people")

    # When they call a route, Then it is 401 naming the expiry
    status, answer = call(rule, caller, Request("/people"), lambda_context)
    assert (status, answer["message"]) == (401, "the token has expired")
