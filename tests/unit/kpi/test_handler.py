"""`POST /kpi/milestones` through the Lambda handler, on moto."""

from __future__ import annotations

import json
from typing import Any

import pytest

from achievements.kpi.deps import deps
from functions.kpi_milestone import app as kpi_app
from tests.conftest import Tables, api_event, clients_of, load_event

EVENT = "kpi_milestone.json"


@pytest.fixture(autouse=True)
def _graph(moto_tables: Tables) -> None:
    deps.build(clients=clients_of(moto_tables))


def call(event: dict[str, Any], context) -> tuple[int, dict[str, Any]]:
    response = kpi_app.lambda_handler(event, context)
    return int(response["statusCode"]), json.loads(response["body"])


def test_reference_revenue_milestone_is_created_with_the_reference_texts(lambda_context, store) -> None:
    # Given the reference event: monthly revenue of $25,000 against a $20,000 target, When it is posted
    status, body = call(load_event(EVENT), lambda_context)

    # Then the milestone is created as achievement 1
    assert (status, body) == (201, {"status": "created", "achievement_id": 1})
    # And it is stored with the reference's title, category, description, business value and impact texts
    achievement = store.get(1)
    assert achievement is not None
    assert (achievement.title, achievement.category, achievement.description) == (
        "KPI Milestone: Revenue Projection Monthly",
        "business",
        "Achieved revenue target: $25,000 (target: $20,000)",
    )
    assert achievement.business_value == "$25,000 direct monthly revenue impact"
    assert achievement.impact == "Surpassed target by 25% - strong achievement"
    assert achievement.source == "kpi"


def test_same_target_reached_again_with_a_better_value_updates_the_milestone(lambda_context, store) -> None:
    # Given the reference milestone already stored at 25% over target
    call(load_event(EVENT), lambda_context)

    # When the same metric and target arrive with a better value, 30,000
    body = {"metric_name": "revenue_projection_monthly", "value": 30000.0, "target": 20000.0}
    status, answer = call(api_event(EVENT, body=body), lambda_context)

    # Then achievement 1 is updated in place and regraded to 50% over target, exceptional
    assert (status, answer) == (200, {"status": "updated", "achievement_id": 1})
    achievement = store.get(1)
    assert achievement is not None
    assert achievement.impact == "Surpassed target by 50% - exceptional achievement"


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"metric_name": "Revenue!", "value": 1.0, "target": 1.0}, 422, "metric_name"),
        ({"metric_name": "revenue_projection_monthly", "value": "25000", "target": 1.0}, 422, "value"),
        ({"metric_name": "revenue_projection_monthly", "target": 1.0}, 422, "value"),
        ({"metric_name": "revenue_projection_monthly", "value": 2.0, "target": 1.0, "extra": 1}, 422, "extra"),
        ({"metric_name": "weekly_signups", "value": 2.0, "target": 1.0}, 422, "give its direction"),
        ({"metric_name": "weekly_signups", "value": 2.0, "target": 1.0, "direction": "up"}, 422, "direction"),
        # Found by fuzzing: numbers DynamoDB cannot store (> 9.99e125, < 1e-130) or a % past target that overflows
        ({"metric_name": "revenue_projection_monthly", "value": 3.2e241, "target": 1.0}, 422, "value"),
        ({"metric_name": "revenue_projection_monthly", "value": 2.0, "target": -1e16}, 422, "target"),
        ({"metric_name": "revenue_projection_monthly", "value": 1e-200, "target": 0.0}, 422, "value"),
        ({"metric_name": "revenue_projection_monthly", "value": 5.0, "target": 1e-300}, 422, "target"),
    ],
)
def test_bad_milestones_are_422_and_nothing_is_written(
    lambda_context, moto_tables, body: dict[str, Any], status: int, fragment: str
) -> None:
    # Given an invalid milestone body, When it is posted
    code, answer = call(api_event(EVENT, body=body), lambda_context)

    # Then it is refused with 422 naming the bad field, and nothing is written to the table
    assert code == status
    assert fragment in answer["message"]
    assert moto_tables.items() == []


def test_non_finite_values_are_refused(lambda_context, moto_tables) -> None:
    # Given a body whose value is the JSON literal Infinity
    raw = '{"metric_name": "revenue_projection_monthly", "value": Infinity, "target": 20000}'

    # When it is posted
    code, _answer = call(api_event(EVENT, raw_body=raw), lambda_context)

    # Then it is refused as a bad request and nothing is written to the table
    assert code in (400, 422)
    assert moto_tables.items() == []


# ---- SPEC §5: repeats keep the best value; -0.0 is 0; each catalogue metric has a sane range -----------------


@pytest.mark.parametrize(
    ("metric", "best", "worse", "target"),
    [
        ("revenue_projection_monthly", 30000.0, 21000.0, 20000.0),  # higher is better: a lower revenue
        ("content_generation_latency_seconds", 1.0, 1.8, 2.0),  # lower is better: a higher latency
    ],
)
def test_a_worse_value_for_the_same_target_is_unchanged_with_the_reason(
    lambda_context, store, metric: str, best: float, worse: float, target: float
) -> None:
    # Given a milestone surpassed by a good margin
    call(api_event(EVENT, body={"metric_name": metric, "value": best, "target": target}), lambda_context)
    kept = store.get(1)
    assert kept is not None
    # When the same target is posted again with a worse value
    status, answer = call(
        api_event(EVENT, body={"metric_name": metric, "value": worse, "target": target}), lambda_context
    )
    # Then it is unchanged, says why, and the best value stays
    assert (status, answer["status"], answer["achievement_id"]) == (200, "unchanged", 1)
    assert "the milestone keeps its best value" in answer["reason"]
    assert "is not better than the stored" in answer["reason"]
    stored = store.get(1)
    assert stored is not None
    assert (stored.impact, stored.metrics["achieved_value"]) == (kept.impact, best)


def test_minus_zero_is_the_same_target_as_zero(lambda_context, moto_tables) -> None:
    # Given a milestone of an unknown lower-is-better metric at target 0
    body = {"metric_name": "open_incidents", "value": 0.0, "target": 0.0, "direction": "lower"}
    assert call(api_event(EVENT, body=body), lambda_context)[0] == 201
    # When the same milestone arrives with -0.0 as target and value
    status, answer = call(api_event(EVENT, body=body | {"value": -0.0, "target": -0.0}), lambda_context)
    # Then it is the same milestone, not a second one beside it
    assert (status, answer) == (200, {"status": "unchanged", "achievement_id": 1})
    assert len(moto_tables.achievement_items()) == 1


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"metric_name": "uptime", "value": 1.5, "target": 0.999}, "value 1.5 is outside uptime's range"),
        ({"metric_name": "posts_engagement_rate", "value": 0.5, "target": -0.1}, "target -0.1 is outside"),
        ({"metric_name": "revenue_projection_monthly", "value": 2e12, "target": 1.0}, "value 2e+12 is outside"),
        ({"metric_name": "content_generation_latency_seconds", "value": 1.0, "target": 1e6}, "target 1e+06"),
        # Not in the catalogue: no range of its own, but a "% past target" of 26 digits is refused
        ({"metric_name": "signups", "value": 1e15, "target": 1e-9, "direction": "higher"}, "% past target"),
    ],
)
def test_numbers_outside_a_metric_s_sane_range_are_422(
    lambda_context, moto_tables, body: dict[str, Any], fragment: str
) -> None:
    # Given a value or target no such metric can have, When posted, Then 422 naming it and nothing is written
    status, answer = call(api_event(EVENT, body=body), lambda_context)
    assert status == 422
    assert fragment in answer["message"]
    assert moto_tables.items() == []
