"""The app behind the local API Gateway (routes and API key from template.yaml) over plain HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.template import api_routes
from tests.conftest import load_event
from tests.integration.conftest import api_client, stored_achievements

pytestmark = pytest.mark.integration
KEY = "integration-test-key"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(port=0, admin_token=KEY) as running:
        yield running


@pytest.fixture(scope="module")
def http(stack: LocalStack) -> Iterator[httpx.Client]:
    with api_client(stack, KEY) as client:
        yield client


def test_reference_payload_over_http_is_created_then_answers_the_same_id(http: httpx.Client) -> None:
    # Given the reference Threads payload under a fresh post id
    post = json.loads(load_event("threads_track.json")["body"]) | {"post_id": "http-1"}
    # When it is tracked over HTTP, Then it is created under a new achievement id
    first = http.post("/threads/track", json=post)
    assert first.status_code == 201
    achievement_id = first.json()["achievement_id"]
    assert first.json() == {"status": "created", "achievement_id": achievement_id}
    # When the same payload is tracked again, Then it answers unchanged with the same id
    again = http.post("/threads/track", json=post)
    assert (again.status_code, again.json()) == (200, {"status": "unchanged", "achievement_id": achievement_id})


def test_stage_prefixed_path_is_served_too(http: httpx.Client) -> None:
    # Given the ready KPI milestone payload
    body = json.loads(load_event("kpi_milestone.json")["body"])
    # When it is posted under the stage prefix, /Prod/kpi/milestones
    answer = http.post("/Prod/kpi/milestones", json=body)
    # Then the route answers as it does without the prefix (created, or already there)
    assert answer.status_code in (200, 201)


# POST /github/webhook authenticates by signature instead (tests/integration/test_github_webhook_local.py).
TOKEN_ROUTES = [route for route in api_routes() if route.authorizer == "AccessAuthorizer"]
UNAUTHORIZED = "missing, unknown, revoked or expired token: send Authorization: Bearer <token>"


def test_every_route_but_the_hook_is_behind_the_authorizer() -> None:
    # Given the template's routes, Then all but the GitHub hook are behind the access authorizer
    assert {f"{r.method} {r.path}" for r in api_routes() if r not in TOKEN_ROUTES} == {"POST /github/webhook"}


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_route_refuses_a_request_without_a_valid_token(stack: LocalStack, route) -> None:
    # Given a route behind the authorizer, and how many achievements are stored so far
    assert route.api_key_required
    assert stack.gateway is not None
    before = len(stored_achievements(stack))
    path = re.sub(r"\{[^}]+\}", "1", route.path)
    # When it is called with no token, an API key, a wrong token or no scheme, Then each is 401
    for headers in ({}, {"x-api-key": KEY}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
        answer = httpx.request(route.method, stack.gateway.url + path, json={}, headers=headers, timeout=30)
        assert answer.status_code == 401, headers
        assert answer.json() == {"message": UNAUTHORIZED}
    # Then none wrote an achievement
    assert len(stored_achievements(stack)) == before


def test_unknown_route_is_404_naming_it(http: httpx.Client) -> None:
    # When a POST goes to a route the template does not define, Then it is 404 naming the method and path
    answer = http.post("/threads/untrack", json={})
    assert (answer.status_code, answer.json()) == (404, {"message": "no route POST /threads/untrack"})


def test_bad_input_over_http_is_a_clear_4xx_and_writes_nothing(stack: LocalStack, http: httpx.Client) -> None:
    # Given how many achievements are stored so far
    before = len(stored_achievements(stack))
    # When the body is not valid JSON, Then it is 400 saying so
    not_json = http.post("/threads/track", content=b"{oops", headers={"Content-Type": "application/json"})
    assert (not_json.status_code, not_json.json()["message"]) == (400, "request body is not valid JSON")
    # When the body is larger than the API accepts (a 70,000-character hook), Then it is 413
    too_big = http.post("/threads/track", json={"hook": "x" * 70_000, "engagement_rate": 0.5})
    assert too_big.status_code == 413
    # When views is negative, Then it is 422 naming the field
    negative = http.post("/threads/track", json={"hook": "h", "engagement_rate": 0.5, "views": -3})
    assert negative.status_code == 422
    assert "views" in negative.json()["message"]
    # Then none of the three wrote an achievement
    assert len(stored_achievements(stack)) == before


# ---- the local stack as a user meets it (issue 12) ---------------------------------------------------------


def _raw_exchange(stack: LocalStack, request: bytes, responses: int, timeout: float = 30) -> list[tuple[int, bytes]]:
    """Send raw bytes on one connection; read `responses` HTTP/1.1 responses (status, body) from it."""
    import socket

    assert stack.gateway is not None
    port = int(stack.gateway.url.rsplit(":", 1)[1].split("/")[0])
    answers: list[tuple[int, bytes]] = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(request)
        stream = connection.makefile("rb")
        for _ in range(responses):
            status = int(stream.readline().split()[1])
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            answers.append((status, stream.read(length)))
    return answers


def test_a_chunked_body_is_read_as_the_body_not_as_a_second_request(stack: LocalStack) -> None:
    # Given the reference's post sent with Transfer-Encoding: chunked (as curl -H 'Transfer-Encoding: chunked'
    # or a streaming client does), followed on the same connection by a second, plain request
    body = json.dumps(json.loads(load_event("threads_track.json")["body"]) | {"post_id": "chunked-1"}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:]))
    request = (
        b"POST /threads/track HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + KEY.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
        b"GET /achievements?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY.encode() + b"\r\n\r\n"
    )
    # When both are sent
    (first_status, first_body), (second_status, _) = _raw_exchange(stack, request, responses=2)
    # Then the chunks were the first request's body (created), and the second request was answered on its own
    assert first_status == 201
    assert json.loads(first_body)["status"] == "created"
    assert second_status == 200


def test_a_malformed_chunked_body_is_a_400_not_a_hang(stack: LocalStack) -> None:
    # Given a chunk size that is not hexadecimal, When sent, Then 400 with the message shape
    request = (
        b"POST /threads/track HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY.encode() + b"\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    )
    [(status, body)] = _raw_exchange(stack, request, responses=1)
    assert status == 400
    assert "chunk" in json.loads(body)["message"]


def test_fifty_parallel_requests_get_answers_not_connection_resets(stack: LocalStack) -> None:
    # Given 50 clients, each on its own connection, all at once
    from concurrent.futures import ThreadPoolExecutor

    assert stack.gateway is not None

    def one(n: int) -> int:
        with httpx.Client(base_url=stack.gateway.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as client:  # type: ignore[union-attr]
            return client.get("/achievements", params={"limit": 1}).status_code

    # When they all ask at the same moment
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(one, range(50)))
    # Then every one is answered (no reset, no refused connection)
    assert statuses == [200] * 50
