"""People through the local stack (DynamoDB Local, local SQS, the template's routes and queue worker)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from tests.conftest import load_event
from tests.integration.conftest import api_client, wait_until

pytestmark = pytest.mark.integration
KEY = "people-key"


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with LocalStack(port=0, admin_token=KEY) as stack, api_client(stack, KEY) as client:
        yield client


def test_an_alias_claimed_later_moves_past_posts_and_their_numbers(http: httpx.Client) -> None:
    # Given two viral posts of a persona nobody has claimed yet (the default owner's)
    post = json.loads(load_event("threads_track.json")["body"]) | {"persona_id": "night-owl"}
    for n in range(2):
        assert http.post("/threads/track", json=post | {"post_id": f"people-{n}"}).status_code == 201
    assert http.get("/analyze/career-insights", params={"person": "me"}).json()["numbers"]["total"] == 2

    # When alice claims the persona
    put = http.put("/people/alice", json={"name": "Alice", "aliases": ["persona:night-owl"], "teams": ["growth"]})
    assert put.status_code == 200
    assert put.json()["reattributing"] == ["persona:night-owl"]

    # Then the queue worker moves both to her and her team, numbers included (bounded wait)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if http.get("/analyze/career-insights", params={"person": "alice"}).json()["numbers"]["total"] == 2:
            break
        time.sleep(0.5)
    assert http.get("/analyze/career-insights", params={"person": "alice"}).json()["numbers"]["total"] == 2
    assert http.get("/analyze/career-insights", params={"team": "growth"}).json()["numbers"]["total"] == 2
    assert http.get("/analyze/career-insights", params={"person": "me"}).json()["numbers"]["total"] == 0
    listed = http.get("/achievements", params={"person": "alice"}).json()["items"]
    assert {(a["person"], a["attributed_by"]) for a in listed} == {("alice", "alias")}


def test_a_manual_achievement_is_created_edited_and_deleted_over_http(http: httpx.Client) -> None:
    # Given a manual achievement posted with an Idempotency-Key
    body = {"title": "Ran the incident review", "category": "leadership"}
    created = http.post("/achievements", json=body, headers={"Idempotency-Key": "review-1"})
    assert created.status_code == 201
    achievement_id = created.json()["achievement_id"]

    # When it is edited with its ETag, and deleted
    tag = http.get(f"/achievements/{achievement_id}").headers["ETag"]
    edited = http.patch(f"/achievements/{achievement_id}", json={"hidden": True}, headers={"If-Match": tag})
    stale = http.patch(f"/achievements/{achievement_id}", json={"hidden": False}, headers={"If-Match": tag})
    deleted = http.delete(f"/achievements/{achievement_id}")

    # Then each answers as documented
    assert (edited.status_code, edited.json()["hidden"]) == (200, True)
    assert stale.status_code == 412
    assert deleted.status_code == 200
    assert http.get(f"/achievements/{achievement_id}").status_code == 404


def test_a_manual_achievement_and_its_content_edit_are_analysed_by_the_pipeline(http: httpx.Client) -> None:
    # Given a manual achievement posted (nothing else is called: the stream, the bus and its rules do the rest)
    body = {"title": "Designed the on-call rotation", "category": "leadership", "technologies": ["PagerDuty"]}
    achievement_id = http.post("/achievements", json=body).json()["achievement_id"]

    def analysis(stale: bool) -> dict[str, Any] | None:
        answer = http.get(f"/analyze/deep/{achievement_id}").json()
        return answer if answer["status"] == "completed" and answer["stale"] is stale else None

    first = wait_until(lambda: analysis(stale=False))
    # When its content is edited
    tag = http.get(f"/achievements/{achievement_id}").headers["ETag"]
    edited = http.patch(
        f"/achievements/{achievement_id}",
        json={"title": "Designed and ran the on-call rotation"},
        headers={"If-Match": tag},
    )
    assert edited.status_code == 200
    # Then a new analysis of the new content replaces the first (stale meanwhile) without any request
    second = wait_until(
        lambda: (
            (a := analysis(stale=False))
            and a["analysis"]["achievement_fingerprint"] != first["analysis"]["achievement_fingerprint"]
            and a
        )
    )
    assert second["analysis"]["achievement_fingerprint"] == edited.json()["fingerprint"]
    # And a soft delete makes the analysis unreadable like the achievement itself
    assert http.delete(f"/achievements/{achievement_id}").status_code == 200
    assert http.get(f"/analyze/deep/{achievement_id}").status_code == 404
