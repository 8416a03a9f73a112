"""The GitHub webhook for real: concurrent deliveries on DynamoDB Local, and signed HTTP deliveries through
the local stack (API Gateway without API key, the secret read from local Secrets Manager)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import SecretStr

from achievements.github.deps import deps
from achievements.github.service import read_delivery, receive_delivery
from achievements.github.settings import github_webhook_settings
from devstack.aws_services import LOCAL_SECRET_VALUES
from devstack.stack import LocalStack
from functions.github_webhook import app as github_app
from tests.conftest import Tables, at_once, build_on, load_event

pytestmark = pytest.mark.integration
LOCAL_SECRET = "local-github-webhook-secret"
PR_EVENT = "github_pull_request_merged.json"


def test_local_stack_signs_with_the_documented_local_secret() -> None:
    # When the local stack's seeded GitHub webhook secret is read, Then it is the one these tests sign with
    assert LOCAL_SECRET_VALUES["GitHubWebhookSecret"] == LOCAL_SECRET


# ---- the handler on DynamoDB Local ---------------------------------------------------------------------


@pytest.fixture
def wired(local_tables: Tables) -> Tables:
    settings = github_webhook_settings().model_copy(
        update={"webhook_secret_id": "", "webhook_secret": SecretStr(LOCAL_SECRET)}
    )
    build_on(deps, local_tables, settings)
    return local_tables


def call(event: dict[str, Any], context) -> tuple[int, dict[str, Any]]:
    response = github_app.lambda_handler(event, context)
    return int(response["statusCode"]), json.loads(response["body"])


def received(event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """One delivery read and stored by the code `POST /github/webhook` runs, answered as the route answers."""
    graph, request = deps.current(), APIGatewayProxyEvent(event)
    body = github_app.raw_body(request.body, request.is_base64_encoded)
    answer = receive_delivery(
        read_delivery(request.headers, body, graph.webhook_secret.get), graph.store, graph.deliveries
    )
    return answer.status_code, answer.body.model_dump(mode="json", exclude_none=True)


def with_delivery_id(event: dict[str, Any], delivery_id: str) -> dict[str, Any]:
    copied = copy.deepcopy(event)
    copied["headers"]["X-GitHub-Delivery"] = delivery_id
    return copied


def deliveries_recorded(tables: Tables) -> int:
    return sum(1 for item in tables.items() if item["sk"]["S"] == "DELIVERY")


def test_thirty_concurrent_copies_of_one_delivery_make_one_achievement(wired: Tables, lambda_context) -> None:
    # Given 30 copies of one delivery arriving at once (same X-GitHub-Delivery)
    event = load_event(PR_EVENT)
    # When all 30 are received at once
    answers = at_once(received, [copy.deepcopy(event) for _ in range(30)])

    # Then one is created and every answer carries its id; one achievement, one delivery record
    assert [status for status, _ in answers].count(201) == 1
    assert {status for status, _ in answers} <= {200, 201}
    assert len({body["achievement_id"] for _, body in answers}) == 1
    assert {body["status"] for _, body in answers} <= {"created", "unchanged", "duplicate"}
    assert len(wired.achievement_items()) == 1
    assert deliveries_recorded(wired) == 1


def test_thirty_concurrent_deliveries_of_one_pull_request_make_one_achievement(wired: Tables, lambda_context) -> None:
    # Given the same merged PR in 30 different deliveries at once
    event = load_event(PR_EVENT)
    events = [with_delivery_id(event, str(uuid.uuid4())) for _ in range(30)]
    # When all 30 are received at once
    answers = at_once(received, events)

    # Then one achievement, 30 deliveries each recorded against it
    assert sorted(body["status"] for _, body in answers) == ["created"] + ["unchanged"] * 29
    assert len({body["achievement_id"] for _, body in answers}) == 1
    assert len(wired.achievement_items()) == 1
    assert deliveries_recorded(wired) == 30
    # and one more delivery through the handler answers as the HTTP API does
    status, body = call(with_delivery_id(event, str(uuid.uuid4())), lambda_context)
    assert (status, body["status"], body["achievement_id"]) == (200, "unchanged", answers[0][1]["achievement_id"])


# ---- over HTTP through the local stack -----------------------------------------------------------------


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(port=0, admin_token="github-test-key") as running:
        yield running


@pytest.fixture(scope="module")
def http(stack: LocalStack) -> Iterator[httpx.Client]:
    assert stack.gateway is not None
    # No x-api-key: GitHub cannot send one
    with httpx.Client(base_url=stack.gateway.url, timeout=60) as client:
        yield client


def github_headers(name: str, body: bytes, secret: str = LOCAL_SECRET, **overrides: str) -> dict[str, str]:
    headers = {
        key: value
        for key, value in load_event(name)["headers"].items()
        if key.lower().startswith("x-github") or key in ("Content-Type", "User-Agent")
    }
    headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return headers | overrides


def test_signed_delivery_over_http_is_created_then_redelivery_answers_the_same_id(http: httpx.Client) -> None:
    # Given GitHub's merged-PR payload signed with the local stack's webhook secret, under a fresh delivery id
    body = load_event(PR_EVENT)["body"].encode()
    headers = github_headers(PR_EVENT, body, **{"X-GitHub-Delivery": str(uuid.uuid4())})

    # When GitHub posts it (no API key), and then redelivers it
    first = http.post("/github/webhook", content=body, headers=headers)
    again = http.post("/github/webhook", content=body, headers=headers)

    # Then it is created once; the redelivery answers the same id
    assert (first.status_code, first.json()["status"]) == (201, "created"), first.text
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert again.json()["achievement_id"] == first.json()["achievement_id"]


@pytest.mark.parametrize(
    ("secret", "status"),
    [("not-the-secret", 401), (LOCAL_SECRET, 200)],
    ids=["wrong-secret", "right-secret"],
)
def test_ping_over_http_needs_the_right_signature(http: httpx.Client, secret: str, status: int) -> None:
    # Given GitHub's ping payload, signed with the parametrized secret
    body = load_event("github_ping.json")["body"].encode()
    # When it is posted to /github/webhook, Then the local stack's secret gets 200 and a wrong one 401
    answer = http.post("/github/webhook", content=body, headers=github_headers("github_ping.json", body, secret))
    assert answer.status_code == status, answer.text


def test_unsigned_delivery_over_http_is_401(http: httpx.Client) -> None:
    # Given a merged-PR delivery with GitHub's headers but no X-Hub-Signature-256 header
    body = load_event(PR_EVENT)["body"].encode()
    headers = github_headers(PR_EVENT, body)
    del headers["X-Hub-Signature-256"]
    # When it is posted to /github/webhook
    answer = http.post("/github/webhook", content=body, headers=headers)
    # Then it is refused with 401 and a message saying deliveries must be signed
    assert answer.status_code == 401
    assert answer.json() == {
        "message": "missing X-Hub-Signature-256 header: deliveries must be signed with the webhook secret"
    }
