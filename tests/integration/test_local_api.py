"""The app behind the local API Gateway (routes and API key from template.yaml) over plain HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from devstack.dynamodb_local import free_port
from devstack.stack import LocalStack
from devstack.template import api_routes
from tests.conftest import load_event
from tests.integration.conftest import api_client, stored_achievements

pytestmark = pytest.mark.integration
KEY = "integration-test-key"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(port=free_port(), admin_token=KEY) as running:
        yield running


@pytest.fixture(scope="module")
def http(stack: LocalStack) -> Iterator[httpx.Client]:
    with api_client(stack, KEY) as client:
        yield client


def test_reference_payload_over_http_is_created_then_answers_the_same_id(http: httpx.Client) -> None:
    post = json.loads(load_event("threads_track.json")["body"]) | {"post_id": "http-1"}
    first = http.post("/threads/track", json=post)
    assert first.status_code == 201
    achievement_id = first.json()["achievement_id"]
    assert first.json() == {"status": "created", "achievement_id": achievement_id}
    again = http.post("/threads/track", json=post)
    assert (again.status_code, again.json()) == (200, {"status": "unchanged", "achievement_id": achievement_id})


def test_stage_prefixed_path_is_served_too(http: httpx.Client) -> None:
    body = json.loads(load_event("kpi_milestone.json")["body"])
    answer = http.post("/Prod/kpi/milestones", json=body)
    assert answer.status_code in (200, 201)


# POST /github/webhook authenticates by signature instead (tests/integration/test_github_webhook_local.py).
TOKEN_ROUTES = [route for route in api_routes() if route.authorizer == "AccessAuthorizer"]
UNAUTHORIZED = "missing, unknown, revoked or expired token: send Authorization: Bearer <token>"


def test_every_route_but_the_hook_is_behind_the_authorizer() -> None:
    assert {f"{r.method} {r.path}" for r in api_routes() if r not in TOKEN_ROUTES} == {"POST /github/webhook"}


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_route_refuses_a_request_without_a_valid_token(stack: LocalStack, route) -> None:
    assert route.api_key_required
    assert stack.gateway is not None
    before = len(stored_achievements(stack))
    path = re.sub(r"\{[^}]+\}", "1", route.path)
    for headers in ({}, {"x-api-key": KEY}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
        answer = httpx.request(route.method, stack.gateway.url + path, json={}, headers=headers, timeout=30)
        assert answer.status_code == 401, headers
        assert answer.json() == {"message": UNAUTHORIZED}
    assert len(stored_achievements(stack)) == before


def test_unknown_route_is_404_naming_it(http: httpx.Client) -> None:
    answer = http.post("/threads/untrack", json={})
    assert (answer.status_code, answer.json()) == (404, {"message": "no route POST /threads/untrack"})


def test_bad_input_over_http_is_a_clear_4xx_and_writes_nothing(stack: LocalStack, http: httpx.Client) -> None:
    before = len(stored_achievements(stack))
    not_json = http.post("/threads/track", content=b"{oops", headers={"Content-Type": "application/json"})
    assert (not_json.status_code, not_json.json()["message"]) == (400, "request body is not valid JSON")
    too_big = http.post("/threads/track", json={"hook": "x" * 70_000, "engagement_rate": 0.5})
    assert too_big.status_code == 413
    negative = http.post("/threads/track", json={"hook": "h", "engagement_rate": 0.5, "views": -3})
    assert negative.status_code == 422
    assert "views" in negative.json()["message"]
    assert len(stored_achievements(stack)) == before
