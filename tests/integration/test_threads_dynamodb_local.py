"""The Threads handler against a real DynamoDB Local: reference payload, repeats, concurrent deliveries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from achievements.http.resolver import track_answer
from achievements.store import AchievementStore
from achievements.threads.deps import deps
from achievements.threads.models import ViralPostIn
from achievements.threads.service import track_viral_post
from functions.threads_webhook import app as threads_app
from tests.conftest import Tables, api_event, at_once, build_on, load_event

pytestmark = pytest.mark.integration
EVENT = "threads_track.json"


@pytest.fixture
def store(local_tables: Tables) -> AchievementStore:
    return build_on(deps, local_tables).store


def call(event: dict[str, Any], context) -> tuple[int, dict[str, Any]]:
    response = threads_app.lambda_handler(event, context)
    return int(response["statusCode"]), json.loads(response["body"])


def tracked(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """One body parsed and stored by the code `POST /threads/track` runs, answered as the route answers."""
    answer = track_answer(track_viral_post(ViralPostIn.model_validate(body), deps.current().store))
    assert answer.body is not None
    return answer.status_code, answer.body.model_dump(mode="json", exclude_none=True)


def test_reference_payload_round_trips_through_dynamodb_local(store, lambda_context) -> None:
    # When the reference payload is delivered to fresh tables, Then it is created as achievement 1 worth $8.00
    status, body = call(load_event(EVENT), lambda_context)
    assert (status, body) == (201, {"status": "created", "achievement_id": 1})
    achievement = store.get(1)
    assert achievement is not None
    assert "$8.00" in achievement.business_value
    assert achievement.metrics["estimated_revenue_usd"] == 8.0

    # When it is delivered again, Then it answers unchanged with the same id
    status, body = call(load_event(EVENT), lambda_context)
    assert (status, body) == (200, {"status": "unchanged", "achievement_id": 1})


def test_fifty_concurrent_deliveries_of_one_post_create_exactly_one_achievement(
    store, local_tables, lambda_context
) -> None:
    # Given 50 deliveries of the same post at once
    event = load_event(EVENT)
    # When all 50 are tracked at once
    answers = at_once(tracked, [json.loads(event["body"]) for _ in range(50)])

    # Then exactly one was created, the others answer with its id, and the table holds one achievement
    statuses = sorted(body["status"] for _, body in answers)
    assert statuses == ["created"] + ["unchanged"] * 49
    assert {body["achievement_id"] for _, body in answers} == {answers[0][1]["achievement_id"]}
    assert [status for status, _ in answers].count(201) == 1
    assert len(local_tables.achievement_items()) == 1
    refs = [item for item in local_tables.items() if item["sk"]["S"] == "REF"]
    assert len(refs) == 1
    # and one more delivery through the handler answers as the HTTP API does
    assert call(event, lambda_context) == (
        200,
        {"status": "unchanged", "achievement_id": answers[0][1]["achievement_id"]},
    )


def test_concurrent_distinct_posts_get_distinct_ids(store, local_tables, lambda_context) -> None:
    # Given 20 posts that differ only in post_id
    posts = [json.loads(load_event(EVENT)["body"]) | {"post_id": f"p-{n}"} for n in range(20)]
    # When they are delivered at once
    answers = at_once(tracked, posts)
    # Then each is created under its own id, and the table holds 20 achievements
    ids = [body["achievement_id"] for _, body in answers]
    assert len(set(ids)) == 20
    assert all(status == 201 for status, _ in answers)
    assert len(local_tables.achievement_items()) == 20


def test_concurrent_updates_of_one_post_leave_one_consistent_achievement(store, local_tables, lambda_context) -> None:
    # Given a post already tracked as achievement 1, and 15 versions of it with different view counts
    base = json.loads(load_event(EVENT)["body"]) | {"post_id": "p-upd"}
    call(api_event(EVENT, body=base), lambda_context)
    versions = [base | {"views": 10000 + n} for n in range(1, 16)]
    # When the 15 versions are delivered at once
    answers = at_once(tracked, versions)
    # Then all answer for achievement 1, and the stored achievement is exactly one of the versions
    assert {body["achievement_id"] for _, body in answers} == {1}
    assert all(body["status"] in {"updated", "unchanged"} for _, body in answers)
    achievement = store.get(1)
    assert achievement is not None
    ref = next(item for item in local_tables.items() if item["sk"]["S"] == "REF")
    # the ref's fingerprint and the achievement agree: whichever update won, it won whole
    assert ref["fingerprint"]["S"] == achievement.fingerprint
    assert achievement.metrics["views"] in {post["views"] for post in versions}
