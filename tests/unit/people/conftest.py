"""People tests: the people, manual and insights graphs on moto, with a real (moto) re-attribution queue."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from achievements.insights.deps import deps as insights_deps
from achievements.manual.deps import deps as manual_deps
from achievements.people.deps import PeopleDeps
from achievements.people.deps import deps as people_deps
from tests.conftest import Tables, api_event, build_on

Invoke = Callable[..., tuple[int, dict[str, str], Any]]


@pytest.fixture
def queue_url(moto_tables: Tables) -> str:
    return boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="test-ReattributionQueue")["QueueUrl"]


@pytest.fixture
def people(moto_tables: Tables, queue_url: str) -> PeopleDeps:
    sqs = boto3.client("sqs", region_name="us-east-1")
    settings = people_deps.default_settings().model_copy(update={"reattribution_queue_url": queue_url})
    graph: PeopleDeps = build_on(people_deps, moto_tables, settings, sqs=sqs)
    build_on(manual_deps, moto_tables)
    build_on(insights_deps, moto_tables)
    return graph


def _answer(response: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    body = response.get("body")
    headers = dict(response.get("headers") or {})
    for key, values in (response.get("multiValueHeaders") or {}).items():
        headers[key] = ", ".join(values)
    return int(response["statusCode"]), headers, json.loads(body) if body else None


@pytest.fixture
def call(people: PeopleDeps, lambda_context: Any) -> Invoke:
    """Call any people/manual/insights route like API Gateway would: `call("PUT", "/people/alice", body=...)`."""
    from functions.insights_query import app as insights_app
    from functions.manual_achievements import app as manual_app
    from functions.people_api import app as people_app

    def invoke(
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        raw_body: str | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        handler = people_app if path.startswith(("/people", "/teams")) else manual_app
        if method == "GET" and not path.startswith(("/people", "/teams")):
            handler = insights_app
        event = api_event("achievement_get.json", body=body, raw_body=raw_body)
        event.update(httpMethod=method, path=path, resource=path, pathParameters=None)
        event["headers"] = {**event["headers"], "Content-Type": "application/json", **(headers or {})}
        event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
        return _answer(handler.lambda_handler(event, lambda_context))

    return invoke


def queued(queue_url: str) -> list[dict[str, Any]]:
    """The jobs waiting in the queue, taken off it (received and deleted)."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return [json.loads(message["Body"]) for message in messages]
