"""OpenAI failing (429, 5xx, timeouts) under the local stack's analysis queue: retried through SQS, then settled.

HTTP -> AnalysisRequestFunction -> local SQS -> the poller -> DeepAnalysisFunction (its own process, the
real openai client, the template's 3 attempts per delivery) -> a fake OpenAI on loopback. The test shortens
two deployment values to keep it fast: the queue's visibility timeout (redelivery after 2 s, not 12 min) and
the OpenAI timeout (1 s, not 25 s). maxReceiveCount stays the template's default (5).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from achievements.store.aggregates import read_aggregates
from devstack.aws_services import local_client as local_aws_client
from devstack.stack import LocalStack
from tests.fakes.openai_server import Behaviour, FakeOpenAI, RateLimited, ServerError, Slow, Success
from tests.integration.conftest import local_client, wait_until

pytestmark = pytest.mark.integration
KEY = "openai-fault-key"
OPENAI_KEY = "sk-openai-fault-test"
VISIBILITY_SECONDS = 2
OPENAI_TIMEOUT_SECONDS = 1
ATTEMPTS_PER_DELIVERY = 3  # the template's OPENAI_MAX_RETRIES (2) + 1
ACHIEVEMENTS = 5
TOKENS_PER_ANALYSIS = Success().prompt_tokens + Success().completion_tokens


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def stack(fake: FakeOpenAI) -> Iterator[LocalStack]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEVSTACK_SECRET_OpenAIApiKeySecret", OPENAI_KEY)
        with LocalStack(
            port=0,
            admin_token=KEY,
            extra_env={"OPENAI_BASE_URL": fake.base_url},
            quiet=True,
            # The manual path alone (the jobs' bodies are checked): no automatic analyses beside it
            parameter_overrides={"AutoAnalysis": "none"},
        ) as running:
            assert running.services is not None
            # Instances start on the first message, so they see the shorter OpenAI timeout.
            running.functions["DeepAnalysisFunction"].spec.env["OPENAI_TIMEOUT_SECONDS"] = str(OPENAI_TIMEOUT_SECONDS)
            assert running.functions["DeepAnalysisFunction"].spec.env["OPENAI_MAX_RETRIES"] == "2"
            # A fresh stack: empty queues (the local services reset when a stack starts alone in the process)
            assert running.services.reset
            assert queue_depth(running, "AnalysisQueue") == queue_depth(running, "AnalysisDeadLetterQueue") == 0
            sqs = local_aws_client("sqs", running.services.endpoint)
            sqs.set_queue_attributes(
                QueueUrl=running.names["AnalysisQueue"], Attributes={"VisibilityTimeout": str(VISIBILITY_SECONDS)}
            )
            yield running


@pytest.fixture(scope="module")
def http(stack: LocalStack) -> Iterator[httpx.Client]:
    assert stack.gateway is not None
    with httpx.Client(base_url=stack.gateway.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as client:
        yield client


def sqs(stack: LocalStack) -> Any:
    assert stack.services is not None
    return local_aws_client("sqs", stack.services.endpoint)


def queue_depth(stack: LocalStack, logical_id: str) -> int:
    attributes = sqs(stack).get_queue_attributes(
        QueueUrl=stack.names[logical_id],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def dead_letters(stack: LocalStack) -> list[str]:
    """Every body in the DLQ (received with a visibility long enough not to see one twice)."""
    bodies: list[str] = []
    while True:
        messages = (
            sqs(stack)
            .receive_message(
                QueueUrl=stack.names["AnalysisDeadLetterQueue"], MaxNumberOfMessages=10, VisibilityTimeout=60
            )
            .get("Messages", [])
        )
        if not messages:
            return bodies
        bodies.extend(message["Body"] for message in messages)


def create_posts(http: httpx.Client, prefix: str, count: int) -> list[int]:
    ids = []
    for n in range(count):
        post = {"hook": f"{prefix} post {n}", "engagement_rate": 0.07, "views": 3_000, "post_id": f"{prefix}-{n}"}
        answer = http.post("/threads/track", json=post)
        assert answer.status_code == 201, answer.text
        ids.append(int(answer.json()["achievement_id"]))
    return ids


def request_analyses(http: httpx.Client, ids: list[int]) -> None:
    for achievement_id in ids:
        answer = http.post(f"/analyze/deep/{achievement_id}")
        assert (answer.status_code, answer.json()["status"]) == (202, "queued"), answer.text


def test_openai_failing_for_a_while_then_recovering_completes_every_analysis_exactly_once(
    stack: LocalStack, http: httpx.Client, fake: FakeOpenAI
) -> None:
    # Given OpenAI failing every call of the first delivery (429s, 500s, 503s and timeouts), then 5 more calls
    failures: list[Behaviour] = [RateLimited(retry_after=0.05), ServerError(500), Slow(3.0), ServerError(503)] * 5
    assert len(failures) == ACHIEVEMENTS * ATTEMPTS_PER_DELIVERY + 5
    fake.script(*failures)
    calls_before = fake.calls
    ids = create_posts(http, "openai-flaky", ACHIEVEMENTS)

    # When their analyses are requested
    request_analyses(http, ids)

    # Then the failed deliveries come back through the queue until every analysis is completed
    def all_completed() -> bool:
        return all(http.get(f"/analyze/deep/{i}").json()["status"] == "completed" for i in ids)

    wait_until(all_completed, 90, "every analysis completed")
    wait_until(lambda: queue_depth(stack, "AnalysisQueue") == 0, 30, "an empty analysis queue")

    # And OpenAI answered each achievement exactly once: every call was a scripted failure or one success each
    assert fake.calls - calls_before == len(failures) + ACHIEVEMENTS
    for achievement_id in ids:
        analysis = http.get(f"/analyze/deep/{achievement_id}").json()["analysis"]
        assert analysis["analyzer"] == "openai"
        assert analysis["token_usage"]["total_tokens"] == TOKENS_PER_ANALYSIS  # one call's tokens, recorded once
        assert analysis["fallback_reason"] is None

    # And the aggregates counted each analysis once, and nothing was dead-lettered
    assert stack.dynamodb is not None
    snapshot = read_aggregates(local_client(stack.dynamodb.endpoint), stack.table_names["AchievementsTable"])
    assert snapshot.analysed == ACHIEVEMENTS
    assert dead_letters(stack) == []


def test_openai_failing_for_good_moves_each_message_to_the_dlq_with_its_body_intact(
    stack: LocalStack, http: httpx.Client, fake: FakeOpenAI
) -> None:
    # Given OpenAI answering 500 to every call
    fake.default = ServerError(500)
    try:
        ids = create_posts(http, "openai-down", 2)
        fingerprints = {}
        for achievement_id in ids:
            achievement = http.get(f"/achievements/{achievement_id}")
            assert achievement.status_code == 200, achievement.text
            fingerprints[achievement_id] = achievement.json()["fingerprint"]

        # When their analyses are requested and every delivery fails
        request_analyses(http, ids)
        bodies: list[str] = []

        def all_dead_lettered() -> bool:
            bodies.extend(dead_letters(stack))
            return len(bodies) >= len(ids)

        wait_until(all_dead_lettered, 120, "both messages in the DLQ")
    finally:
        fake.default = Success()

    # Then each job is in the DLQ once, as it was sent (valid JSON naming the achievement and its content)
    jobs = sorted((json.loads(body) for body in bodies), key=lambda job: job["achievement_id"])
    assert [job["achievement_id"] for job in jobs] == sorted(ids)
    assert {job["achievement_id"]: job["fingerprint"] for job in jobs} == fingerprints
    assert all(set(job) == {"achievement_id", "fingerprint", "requested_at"} for job in jobs)
    # And the queue is empty, and the analyses stay pending (nothing half-written)
    assert queue_depth(stack, "AnalysisQueue") == 0
    for achievement_id in ids:
        assert http.get(f"/analyze/deep/{achievement_id}").json()["status"] == "pending"
