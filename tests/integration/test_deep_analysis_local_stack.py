"""Deep analysis end to end on the local stack: HTTP -> AnalysisRequestFunction -> local SQS -> DeepAnalysisFunction
(its own process, as on Lambda) -> the real openai client -> a fake OpenAI on loopback -> DynamoDB Local -> HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from devstack.stack import LocalStack
from tests.fakes.openai_server import FakeOpenAI

pytestmark = pytest.mark.integration
KEY = "deep-analysis-test-key"
OPENAI_KEY = "sk-local-stack-test"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def http(fake: FakeOpenAI) -> Iterator[httpx.Client]:
    # The template's OpenAIApiKeySecret holds a key locally (it starts as "test" = offline otherwise)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEVSTACK_SECRET_OpenAIApiKeySecret", OPENAI_KEY)
        # The manual path alone: the pipeline's auto-analysis would race the request (tests/integration/
        # test_pipeline_local_stack.py covers it)
        stack = LocalStack(
            port=0,
            admin_token=KEY,
            extra_env={"OPENAI_BASE_URL": fake.base_url},
            quiet=True,
            parameter_overrides={"AutoAnalysis": "none"},
        )
        headers = {"Authorization": f"Bearer {KEY}"}
        with stack, httpx.Client(base_url=stack.gateway.url, headers=headers, timeout=60) as client:  # type: ignore[union-attr]
            yield client


def wait_for_completed(http: httpx.Client, achievement_id: int, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        answer = http.get(f"/analyze/deep/{achievement_id}")
        assert answer.status_code == 200
        if answer.json()["status"] == "completed" or time.monotonic() > deadline:
            return dict(answer.json())
        time.sleep(0.2)


def test_a_queued_analysis_completes_through_sqs_and_openai(http: httpx.Client, fake: FakeOpenAI) -> None:
    # Given a viral post stored over HTTP
    post = {"hook": "AI will revolutionize everything", "engagement_rate": 0.08, "views": 10000, "post_id": "deep-1"}
    created = http.post("/threads/track", json=post)
    assert created.status_code == 201
    achievement_id = created.json()["achievement_id"]
    # When its deep analysis is requested
    queued = http.post(f"/analyze/deep/{achievement_id}")
    # Then it is queued, then pending or completed, and completes with OpenAI's analysis
    assert (queued.status_code, queued.json()["status"]) == (202, "queued")
    answer = wait_for_completed(http, achievement_id)
    assert answer["status"] == "completed"
    assert answer["analysis"]["analyzer"] == "openai"
    assert answer["analysis"]["token_usage"]["total_tokens"] == 600
    # And the worker used the key from (local) Secrets Manager
    assert fake.requests[-1].headers["authorization"] == f"Bearer {OPENAI_KEY}"
    # When it is requested again, unchanged, Then it answers completed at once without calling OpenAI
    calls = fake.calls
    again = http.post(f"/analyze/deep/{achievement_id}")
    assert (again.status_code, again.json()["status"]) == (200, "completed")
    assert fake.calls == calls


def test_unknown_and_malformed_ids_over_http(http: httpx.Client) -> None:
    # Given the running stack, When unknown or malformed ids are requested, Then 404 / 422
    assert http.post("/analyze/deep/987654").status_code == 404
    assert http.get("/analyze/deep/987654").status_code == 404
    assert http.post("/analyze/deep/abc").status_code == 422
    assert http.get("/analyze/deep/0").status_code == 422
