"""`POST /analyze/deep/{id}` and `GET /analyze/deep/{id}` through the Lambda handler, on moto DynamoDB and SQS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import boto3
import pytest

from achievements.analysis.deps import requests
from achievements.analysis.settings import analysis_request_settings
from functions.analysis_request import app as request_app
from functions.deep_analysis import app as worker_app
from tests.analysis_support import batch, create_template_queues, job, kpi_draft, make_worker, post_draft, seed
from tests.conftest import ROOT, Tables, clients_of, load_event

POST, GET = "analyze_deep_post.json", "analyze_deep_get.json"


@pytest.fixture
def queue_url(moto_tables: Tables) -> str:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url, _ = create_template_queues(sqs)["AnalysisQueue"]
    settings = analysis_request_settings().model_copy(update={"analysis_queue_url": url})
    requests.build(settings, clients_of(moto_tables, sqs=sqs))
    return url


def call(name: str, achievement_id: str, context: Any) -> tuple[int, dict[str, Any]]:
    event = load_event(name)
    event["path"] = f"/analyze/deep/{achievement_id}"
    event["pathParameters"] = {"id": achievement_id}
    response = request_app.lambda_handler(event, context)
    return int(response["statusCode"]), json.loads(response["body"])


def queued(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def run_worker(moto_tables: Tables, context: Any, *ids: int) -> dict[str, Any]:
    make_worker(moto_tables)
    return dict(worker_app.lambda_handler(batch(*(job(i) for i in ids)), context))


def test_the_event_file_queues_achievement_1_and_answers_202(lambda_context, store, queue_url) -> None:
    # Given achievement 1
    [achievement_id] = seed(store, kpi_draft())
    achievement = store.get(achievement_id)
    assert achievement is not None
    # When events/analyze_deep_post.json is handled as is
    response = request_app.lambda_handler(load_event(POST), lambda_context)
    # Then it is queued with its content fingerprint
    body = json.loads(response["body"])
    assert response["statusCode"] == 202
    assert body["status"] == "queued"
    assert body["achievement_id"] == 1
    assert body["message_id"]
    [message] = queued(queue_url)
    assert message["achievement_id"] == 1
    assert message["fingerprint"] == achievement.fingerprint


def test_status_is_pending_until_the_worker_completes_it(lambda_context, store, queue_url, moto_tables, monkeypatch):
    # Given achievement 1, queued
    seed(store, post_draft("p-1"))
    assert call(POST, "1", lambda_context)[0] == 202
    # When its status is read before the worker ran
    status, body = call(GET, "1", lambda_context)
    # Then it is pending
    assert (status, body["status"], body["achievement_id"]) == (200, "pending", 1)
    assert "analysis" not in body
    # When the worker has analysed it
    assert run_worker(moto_tables, lambda_context, 1) == {"batchItemFailures": []}
    status, body = call(GET, "1", lambda_context)
    # Then it is completed with the analysis, labelled with its analyzer
    assert (status, body["status"]) == (200, "completed")
    analysis = body["analysis"]
    assert analysis["analyzer"] == "offline"
    assert 0 <= analysis["impact_score"] <= 100
    assert set(analysis) >= {
        "impact_score",
        "reasoning",
        "skills",
        "career_implications",
        "market_relevance",
        "strengths",
        "next_steps",
        "market_value",
        "analyzed_at",
        "analyzer_version",
        "token_usage",
    }


def test_a_second_request_for_unchanged_content_answers_completed_without_queueing(
    lambda_context, store, queue_url, moto_tables, monkeypatch
) -> None:
    # Given achievement 1 already analysed
    seed(store, post_draft("p-1"))
    run_worker(moto_tables, lambda_context, 1)
    # When the analysis is requested again
    status, body = call(POST, "1", lambda_context)
    # Then it answers completed at once and nothing is queued
    assert (status, body["status"]) == (200, "completed")
    assert body["analysis"]["analyzer"] == "offline"
    assert queued(queue_url) == []


def test_changed_content_keeps_the_analysis_marked_stale_and_a_request_queues_a_new_one(
    lambda_context, store, queue_url, moto_tables, monkeypatch
) -> None:
    # Given an analysed post whose numbers then change (a repeat delivery with more views)
    seed(store, post_draft("p-1", views=10_000))
    run_worker(moto_tables, lambda_context, 1)
    analysed = store.get(1)
    seed(store, post_draft("p-1", views=50_000))
    # When its status is read
    status, body = call(GET, "1", lambda_context)
    # Then the analysis is still there, marked stale (SPEC §5), and the score still counts
    assert (status, body["status"], body["stale"]) == (200, "completed", True)
    assert "changed since this analysis" in body["detail"]
    assert body["analysis"]["impact_score"] == analysed.impact_score
    assert store.get(1).impact_score == analysed.impact_score
    # And a request queues it again
    assert call(POST, "1", lambda_context)[0] == 202
    assert [message["achievement_id"] for message in queued(queue_url)] == [1]


@pytest.mark.parametrize("name", [POST, GET])
def test_unknown_achievement_is_404_and_nothing_is_queued(lambda_context, queue_url, name: str) -> None:
    # Given no achievement 42, When it is requested, Then 404 naming it and no message
    status, body = call(name, "42", lambda_context)
    assert (status, body) == (404, {"message": "achievement 42 does not exist"})
    assert queued(queue_url) == []


@pytest.mark.parametrize("name", [POST, GET])
@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "1.5", "99999999999999999999999"])
def test_an_id_that_is_not_a_positive_integer_is_422_and_nothing_is_queued(
    lambda_context, store, queue_url, name: str, bad_id: str
) -> None:
    # Given an existing achievement 1 (so nothing could be queued by accident)
    seed(store, post_draft("p-1"))
    # When the id in the path is not a positive integer
    status, body = call(name, bad_id, lambda_context)
    # Then 422 naming the id, and no message
    assert status == 422
    assert body["message"] == "invalid request: id"
    assert queued(queue_url) == []


def test_the_request_function_does_not_import_openai() -> None:
    # Given a fresh interpreter, When the request function's module is imported (a cold start)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "core"), str(ROOT)]),
        "ANALYSIS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
    }
    probe = "import sys, functions.analysis_request.app; print('openai' in sys.modules)"
    imported = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    # Then openai is not loaded
    assert imported.stdout.strip() == "False"
