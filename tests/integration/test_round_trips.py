"""DynamoDB round trips per request, counted on the wire: the hot routes stay within 3 calls."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from devstack.stack import LocalStack
from tests.conftest import load_event
from tests.integration.conftest import api_client

pytestmark = pytest.mark.integration
KEY = "round-trip-key"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(port=0, admin_token=KEY, count_dynamodb_calls=True) as running:
        yield running


@pytest.fixture(scope="module")
def http(stack: LocalStack) -> Iterator[httpx.Client]:
    with api_client(stack, KEY) as client:
        yield client


def calls_of(stack: LocalStack, request) -> tuple[httpx.Response, dict[str, int]]:
    assert stack.call_counter is not None
    stack.call_counter.reset()
    response = request()
    return response, dict(stack.call_counter.snapshot())


def test_tracking_a_new_post_costs_three_calls_and_a_repeat_one(stack: LocalStack, http: httpx.Client) -> None:
    # Given the reference Threads payload under a fresh post id
    post = json.loads(load_event("threads_track.json")["body"]) | {"post_id": "round-trips-1"}

    # When it is tracked over HTTP and then tracked again, counting each request's DynamoDB calls
    created, first = calls_of(stack, lambda: http.post("/threads/track", json=post))
    repeat, again = calls_of(stack, lambda: http.post("/threads/track", json=post))

    # Then the first costs a GetItem, an UpdateItem and a TransactWriteItems; the repeat only the GetItem
    assert created.status_code == 201
    assert first == {"BatchGetItem": 1, "UpdateItem": 1, "TransactWriteItems": 1}
    assert repeat.status_code == 200
    assert again == {"BatchGetItem": 1}


def test_career_insights_cost_at_most_three_calls(stack: LocalStack, http: httpx.Client) -> None:
    # Given some achievements of several kinds
    for n in range(5):
        body = json.loads(load_event("threads_track.json")["body"]) | {"post_id": f"round-trips-ci-{n}"}
        assert http.post("/threads/track", json=body).status_code == 201

    # When an analyst asks for career insights
    answer, calls = calls_of(stack, lambda: http.get("/analyze/career-insights"))

    # Then it is a constant handful of reads, no Scan
    assert answer.status_code == 200
    assert sum(calls.values()) <= 3
    assert "Scan" not in calls
