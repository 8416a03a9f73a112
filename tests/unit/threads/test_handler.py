"""`POST /threads/track` through the Lambda handler, on moto: answers, stored numbers, every bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from achievements.threads.deps import deps
from functions.threads_webhook import app as threads_app
from tests.conftest import Tables, api_event, clients_of, load_event

EVENT = "threads_track.json"


@pytest.fixture(autouse=True)
def _graph(moto_tables: Tables) -> None:
    deps.build(clients=clients_of(moto_tables))


def call(event: dict[str, Any], context) -> tuple[int, dict[str, Any]]:
    response = threads_app.lambda_handler(event, context)
    return int(response["statusCode"]), json.loads(response["body"])


def test_reference_payload_creates_an_achievement_worth_eight_dollars(lambda_context, store) -> None:
    # Given the reference's example post (10,000 views at 8%)
    event = load_event(EVENT)

    # When it is tracked
    status, body = call(event, lambda_context)

    # Then it is created with id 1, exactly the reference's answer, and carries $8.00 estimated revenue
    assert (status, body) == (201, {"status": "created", "achievement_id": 1})
    achievement = store.get(1)
    assert achievement is not None
    assert achievement.business_value == "$8.00 estimated revenue from 800 engaged views"
    assert achievement.metrics["estimated_revenue_usd"] == 8.0
    assert achievement.metrics["engaged_views"] == 800
    assert achievement.persona_id == "ai-jesus"
    assert achievement.category == "content"
    assert achievement.source == "threads"


def test_posting_it_again_answers_the_same_id(lambda_context, moto_tables) -> None:
    # Given the reference post already tracked
    call(load_event(EVENT), lambda_context)

    # When it is posted again unchanged
    status, body = call(load_event(EVENT), lambda_context)

    # Then it answers unchanged with the same id 1, and there is still one achievement item
    assert (status, body) == (200, {"status": "unchanged", "achievement_id": 1})
    assert len(moto_tables.achievement_items()) == 1


def test_same_post_with_newer_numbers_is_updated(lambda_context, store) -> None:
    # Given a post t-1 tracked at 10,000 views
    post = json.loads(load_event(EVENT)["body"]) | {"post_id": "t-1"}
    call(api_event(EVENT, body=post), lambda_context)

    # When the same post arrives with 20,000 views
    status, body = call(api_event(EVENT, body=post | {"views": 20000}), lambda_context)

    # Then achievement 1 is updated in place, its revenue now $16.00 from 1,600 engaged views
    assert (status, body) == (200, {"status": "updated", "achievement_id": 1})
    achievement = store.get(1)
    assert achievement is not None
    assert achievement.business_value == "$16.00 estimated revenue from 1,600 engaged views"


def test_below_the_threshold_is_skipped_with_the_reason(lambda_context, moto_tables) -> None:
    # Given the reference post at 5.99% engagement, just under the 6% threshold
    post = json.loads(load_event(EVENT)["body"]) | {"engagement_rate": 0.0599}

    # When it is tracked
    status, body = call(api_event(EVENT, body=post), lambda_context)

    # Then it is skipped with the reason, and nothing is written
    assert status == 200
    assert body == {"status": "skipped", "reason": "engagement_rate 0.0599 is below the viral threshold 0.06"}
    assert moto_tables.items() == []


def test_threshold_itself_is_viral(lambda_context) -> None:
    # Given the reference post at exactly 6% engagement
    post = json.loads(load_event(EVENT)["body"]) | {"engagement_rate": 0.06}

    # When it is tracked, Then it is created as viral
    status, body = call(api_event(EVENT, body=post), lambda_context)
    assert (status, body["status"]) == (201, "created")


VALID = {"hook": "AI will revolutionize everything", "engagement_rate": 0.08, "views": 10000}


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        ({k: v for k, v in VALID.items() if k != "hook"}, 422, "hook", "Field required"),
        ({k: v for k, v in VALID.items() if k != "engagement_rate"}, 422, "engagement_rate", "Field required"),
        (VALID | {"engagement_rate": "0.08"}, 422, "engagement_rate", "valid number"),
        (VALID | {"engagement_rate": 1.01}, 422, "engagement_rate", "less than or equal to 1"),
        (VALID | {"engagement_rate": -0.1}, 422, "engagement_rate", "greater than or equal to 0"),
        (VALID | {"views": -1}, 422, "views", "greater than or equal to 0"),
        (VALID | {"likes": -5}, 422, "likes", "greater than or equal to 0"),
        (VALID | {"shares": 1.5}, 422, "shares", "valid integer"),
        (VALID | {"views": "10000"}, 422, "views", "valid integer"),
        (VALID | {"views": True}, 422, "views", "valid integer"),
        (VALID | {"hook": ""}, 422, "hook", "at least 1 character"),
        (VALID | {"hook": 42}, 422, "hook", "valid string"),
        (VALID | {"posted_at": "yesterday"}, 422, "posted_at", "datetime"),
        (VALID | {"posted_at": "2025-01-25T16:30:00"}, 422, "posted_at", "timezone"),
        # Found by fuzzing: lax parsing took a number as Unix time (0 = 1970)
        (VALID | {"posted_at": 0}, 422, "posted_at", "not a number"),
        (VALID | {"posted_at": 1737822600.5}, 422, "posted_at", "not a number"),
    ],
)
def test_bad_fields_are_422_naming_the_field_and_nothing_is_written(
    lambda_context, moto_tables, body: Any, status: int, field: str, message: str
) -> None:
    # Given a post with one field missing, mistyped or out of range, When it is tracked
    code, answer = call(api_event(EVENT, body=body), lambda_context)

    # Then it is refused with 422 naming the field and pydantic's reason, and nothing is written
    assert code == status
    assert field in answer["message"]
    assert any(message in detail["msg"] for detail in answer["details"])
    assert moto_tables.items() == []


@pytest.mark.parametrize(
    ("raw", "status", "message"),
    [
        ("{not json", 400, "request body is not valid JSON"),
        ("", 400, "request body is required"),
    ],
)
def test_unparseable_bodies_are_400(lambda_context, moto_tables, raw: str, status: int, message: str) -> None:
    # Given a body that is not JSON or is empty, When it is tracked
    code, answer = call(api_event(EVENT, raw_body=raw), lambda_context)

    # Then it is refused with 400 saying so, and nothing is written
    assert (code, answer["message"]) == (status, message)
    assert moto_tables.items() == []


def test_json_array_body_is_422_not_its_first_element(lambda_context, moto_tables) -> None:
    # When the body is a JSON array holding a valid post
    code, answer = call(api_event(EVENT, body=[VALID]), lambda_context)

    # Then it is refused with 422: the body must be an object, and nothing is written
    assert (code, answer["message"]) == (422, "invalid request: body must be a JSON object, not an array")
    assert moto_tables.items() == []


def test_missing_body_is_400(lambda_context, moto_tables) -> None:
    # When the event has no body at all, Then it is refused with 400: a body is required
    code, answer = call(api_event(EVENT, body=None) | {"body": None}, lambda_context)
    assert (code, answer["message"]) == (400, "request body is required")


def test_body_over_64_kib_is_413_before_parsing(lambda_context, moto_tables) -> None:
    # Given a valid post padded past the 64 KiB limit: refused for its size alone
    body = json.dumps(VALID | {"body": "x" * (64 * 1024)})

    # When it is tracked
    code, answer = call(api_event(EVENT, raw_body=body), lambda_context)

    # Then it is refused with 413 giving its size and the limit, and nothing is written
    assert code == 413
    assert answer["message"] == f"request body is {len(body)} bytes; the limit is 65536"
    assert moto_tables.items() == []


def test_body_of_exactly_64_kib_is_accepted(lambda_context) -> None:
    # Given a post whose `body` field pads the request to exactly 64 KiB
    padding = 64 * 1024 - len(json.dumps(VALID | {"body": ""}))
    body = json.dumps(VALID | {"body": "x" * padding})
    assert len(body) == 64 * 1024

    # When it is tracked
    code, answer = call(api_event(EVENT, raw_body=body), lambda_context)

    # Then it passes the size gate: the 422 is for the over-long `body` field, not the request size
    assert code == 422  # past the size gate; refused only because `body` exceeds its own 20,000-char limit
    assert "body" in answer["message"]


def test_form_encoded_body_is_415(lambda_context, moto_tables) -> None:
    # Given a valid post sent as form-encoded
    event = api_event(EVENT, body=VALID)
    event["headers"]["Content-Type"] = "application/x-www-form-urlencoded"

    # When it is tracked
    code, answer = call(event, lambda_context)

    # Then it is refused with 415 naming the Content-Type expected and the one sent
    assert code == 415
    assert answer["message"] == "Content-Type must be application/json, not application/x-www-form-urlencoded"


def test_unknown_route_is_404_naming_it(lambda_context) -> None:
    # Given a post to a path the API does not route
    event = api_event(EVENT, body=VALID, path="/threads/nope", resource="/threads/nope")

    # When it is handled
    code, answer = call(event, lambda_context)

    # Then it is refused with 404 naming the method and path
    assert (code, answer["message"]) == (404, "no route POST /threads/nope")


def test_wrong_method_is_4xx(lambda_context) -> None:
    # Given the track event sent with GET instead of POST
    event = api_event(EVENT, httpMethod="GET")

    # When it is handled, Then it is refused as not found or method not allowed
    code, _ = call(event, lambda_context)
    assert code in (404, 405)


# ---- SPEC §5: a repeat never lowers a post's counters, never drops its analysis --------------------------------


@pytest.mark.parametrize("lowered", ["views", "likes", "shares"])
def test_a_repeat_with_lower_counters_is_unchanged_and_keeps_the_higher_ones(
    lambda_context, store, lowered: str
) -> None:
    # Given a post tracked with its counters
    post = json.loads(load_event(EVENT)["body"]) | {"post_id": "t-1"}
    call(api_event(EVENT, body=post), lambda_context)
    # When it is delivered again with one counter lower (and another higher)
    other = "views" if lowered != "views" else "likes"
    repeat = post | {lowered: post[lowered] - 1, other: post[other] + 100}
    status, body = call(api_event(EVENT, body=repeat), lambda_context)
    # Then nothing changes, and the answer says which counter would have gone down
    assert (status, body["status"], body["achievement_id"]) == (200, "unchanged", 1)
    assert f"{lowered} would go down" in body["reason"]
    stored = store.get(1)
    assert stored is not None
    assert (stored.metrics[lowered], stored.metrics[other]) == (post[lowered], post[other])


def test_a_better_repeat_keeps_the_analysis_and_its_score(lambda_context, store, moto_tables) -> None:
    # Given a tracked post with a deep analysis scoring 77
    post = json.loads(load_event(EVENT)["body"]) | {"post_id": "t-1"}
    call(api_event(EVENT, body=post), lambda_context)
    analysed = store.get(1)
    assert analysed is not None
    assert store.save_analysis(
        1, {"impact_score": 77, "achievement_fingerprint": analysed.fingerprint}, 77.0, analysed.fingerprint
    )
    # When the post comes again with more views
    status, body = call(api_event(EVENT, body=post | {"views": post["views"] * 2}), lambda_context)
    # Then it is updated, and the analysis and its score stay (the analysis is of the older content: stale)
    assert (status, body["status"]) == (200, "updated")
    stored = store.get(1)
    assert stored is not None
    assert stored.impact_score == 77.0
    assert stored.analysis is not None
    assert stored.analysis["achievement_fingerprint"] != stored.fingerprint
    assert moto_tables.recomputed_aggregates().scored == 1
