"""A client written from the reference document works unchanged (SPEC §3): for each route with an example
answer in /work/shared/reference/achievement-collector-phase2.md, our answer has the same keys with the same
JSON types (recursively), whatever else it adds beside them."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from achievements.analysis.deps import requests
from achievements.analysis.settings import analysis_request_settings
from achievements.insights.deps import deps as insights_deps
from achievements.prometheus.deps import deps as prometheus_deps
from achievements.store import AchievementStore
from achievements.threads.deps import deps as threads_deps
from functions.analysis_request import app as request_app
from functions.deep_analysis import app as worker_app
from functions.insights_query import app as insights_app
from functions.prometheus_scrape import app as scrape_app
from functions.threads_webhook import app as threads_app
from tests.analysis_support import batch, create_template_queues, job, make_worker, post_draft, seed
from tests.conftest import ROOT, Tables, build_on, clients_of, load_event
from tests.fakes.prometheus import Clock, FakePrometheus

# The original design document, kept in the repo unchanged: its example answers are the contract.
REFERENCE = ROOT / "shared" / "reference" / "achievement-collector-phase2.md"


def reference_answer(route: str) -> dict[str, Any]:
    """The JSON answer the reference shows after `route` (its first `{` after `Response:`)."""
    text = REFERENCE.read_text()
    start = text.index(route)
    response = text.index("Response:", start)
    answer, _ = json.JSONDecoder().raw_decode(text[text.index("{", response) :])
    return answer  # type: ignore[no-any-return]


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object", type(None): "null"}[type(value)]


def mismatches(reference: Any, ours: Any, path: str = "") -> list[str]:
    """Every place where `ours` lacks a key of `reference` or has another JSON type there."""
    if kind(reference) != kind(ours):
        return [f"{path or '.'}: {kind(ours)}, the reference has {kind(reference)}"]
    found: list[str] = []
    if isinstance(reference, dict):
        for key, value in reference.items():
            if key not in ours:
                found.append(f"{path}.{key}: missing")
            else:
                found.extend(mismatches(value, ours[key], f"{path}.{key}"))
    elif isinstance(reference, list) and reference and ours:
        for item in ours:
            found.extend(mismatches(reference[0], item, f"{path}[]"))
    return found


def test_the_type_check_itself_finds_a_changed_type() -> None:
    # Given the reference's insights and an answer whose trajectory became an object, Then the check says so
    reference = reference_answer("GET /analyze/career-insights")
    changed = json.loads(json.dumps(reference))
    changed["insights"]["trajectory"] = {"label": "upward"}
    changed["insights"]["competencies"] = [{"name": "x"}]
    assert mismatches(reference, changed) == [
        ".insights.trajectory: object, the reference has string",
        ".insights.competencies[]: object, the reference has string",
    ]


def call(app: Any, event: dict[str, Any], context: Any) -> tuple[int, dict[str, Any]]:
    response = app.lambda_handler(event, context)
    return int(response["statusCode"]), json.loads(response["body"])


def test_post_threads_track_answers_the_reference_types(moto_tables: Tables, lambda_context) -> None:
    # Given the reference's own request
    threads_deps.build(clients=clients_of(moto_tables))
    # When it is posted
    status, ours = call(threads_app, load_event("threads_track.json"), lambda_context)
    # Then the answer has the reference's keys and types
    assert status == 201
    assert mismatches(reference_answer("POST /threads/track"), ours) == []


def test_get_prometheus_status_answers_the_reference_types(moto_tables: Tables, lambda_context) -> None:
    # Given a scrape that read values
    fake = FakePrometheus()
    fake.set(posts_engagement_rate=0.078, revenue_projection_monthly=22500.0)
    prometheus_deps.build(
        clients=clients_of(moto_tables),
        prometheus=fake.client(),
        load_overrides=lambda _settings: {},
        load_auth=lambda _settings: None,
        clock=Clock(),
    )
    assert call(scrape_app, load_event("prometheus_scrape.json"), lambda_context)[0] == 200
    # When the status is read
    status, ours = call(scrape_app, load_event("prometheus_status.json"), lambda_context)
    # Then the answer has the reference's keys and types, and no internal URL
    assert status == 200
    assert mismatches(reference_answer("GET /prometheus/status"), ours) == []
    assert "prometheus_url" not in ours


def test_deep_analysis_answers_the_reference_types(moto_tables: Tables, lambda_context) -> None:
    # Given an analysed achievement
    sqs = boto3.client("sqs", region_name="us-east-1")
    url, _ = create_template_queues(sqs)["AnalysisQueue"]
    requests.build(
        analysis_request_settings().model_copy(update={"analysis_queue_url": url}), clients_of(moto_tables, sqs=sqs)
    )
    [achievement_id] = seed(AchievementStore(moto_tables.achievements, client=moto_tables.client), post_draft("p-1"))
    make_worker(moto_tables)
    assert worker_app.lambda_handler(batch(job(achievement_id)), lambda_context) == {"batchItemFailures": []}
    # When the analysis is requested as the reference does (POST /analyze/deep/42)
    event = load_event("analyze_deep_post.json")
    event["path"], event["pathParameters"] = f"/analyze/deep/{achievement_id}", {"id": str(achievement_id)}
    status, ours = call(request_app, event, lambda_context)
    # Then the completed answer has the reference's keys and types (skills a list of strings, a sentence for
    # career_implications), the structured parts beside them
    assert (status, ours["status"]) == (200, "completed")
    assert mismatches(reference_answer("POST /analyze/deep/42"), ours) == []
    assert {"skills_assessment", "career", "market_relevance"} <= set(ours["analysis"])


@pytest.mark.parametrize("stored", [False, True])
def test_career_insights_answer_the_reference_types(moto_tables: Tables, lambda_context, stored: bool) -> None:
    # Given no achievement, or one analysed
    build_on(insights_deps, moto_tables)
    if stored:
        store = AchievementStore(moto_tables.achievements, client=moto_tables.client)
        [achievement_id] = seed(store, post_draft("p-1"))
        current = store.get(achievement_id)
        assert current is not None
        store.save_analysis(achievement_id, {"impact_score": 80}, 80.0, current.fingerprint)
    # When the insights are asked for
    status, ours = call(insights_app, load_event("career_insights.json"), lambda_context)
    # Then the answer has the reference's keys and types (trajectory a sentence, lists of strings,
    # leadership_score a number, salary_range {min, max, currency}); the evidence is beside them
    assert status == 200
    assert mismatches(reference_answer("GET /analyze/career-insights"), ours) == []
    assert {"trajectory_detail", "competency_evidence", "recommendation_evidence", "suitable_role_evidence"} <= set(
        ours["insights"]
    )
