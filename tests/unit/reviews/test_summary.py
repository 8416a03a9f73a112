"""The review's summary through the real openai client against the fake OpenAI on loopback, and its fallbacks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from pydantic import SecretStr

from achievements.reviews.deps import ReviewsDeps
from achievements.reviews.deps import deps as reviews_deps
from tests.conftest import Tables, build_on
from tests.fakes.openai_server import FakeOpenAI, Malformed, Refusal, ServerError, Success
from tests.unit.reviews.conftest import Call, add, register


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def reviews(moto_tables: Tables, fake: FakeOpenAI) -> ReviewsDeps:
    """The reviews graph with an OpenAI key and the fake's URL (one attempt, 2 s)."""
    settings = reviews_deps.default_settings().model_copy(
        update={
            "openai_api_key": SecretStr("sk-fake-key"),
            "openai_base_url": fake.base_url,
            "openai_timeout_seconds": 2.0,
            "openai_max_retries": 0,
        }
    )
    graph: ReviewsDeps = build_on(reviews_deps, moto_tables, settings)
    register(graph.store, "alice", "Alice", [])
    return graph


@pytest.fixture
def pr(reviews: ReviewsDeps) -> int:
    return add(reviews.store, "pr", "alice", datetime(2026, 7, 3), score=90, title="PR #7: faster checkout")


def summary_of(call: Call, **query: Any) -> dict[str, Any]:
    status, _, review = call(person="alice", period="2026-Q3", format="json", summary="true", **query)
    assert status == 200, review
    return dict(review["summary"])


def test_openai_writes_the_summary_labelled_as_ai_with_structured_output(call: Call, fake: FakeOpenAI, pr: int) -> None:
    # Given OpenAI answers a paragraph citing the review's PR
    fake.script(Success(content={"paragraph": "Alice shipped  one strong PR (#7).", "cited_ids": [pr]}))
    # When the review is asked for with a summary
    summary = summary_of(call)
    # Then the paragraph is OpenAI's, labelled AI-written with the model, citing the PR
    assert summary["written_by"] == "openai", summary
    assert summary["text"] == "Alice shipped one strong PR (#7)."
    assert summary["label"].startswith("AI-written summary (gpt-4o-mini")
    assert summary["cited"] == [pr]
    # And the request asked for the schema, sent the numbers as data and the key as a bearer token
    request = fake.requests[-1]
    assert request.body["response_format"]["json_schema"]["name"] == "SummaryContent"
    assert "PR #7: faster checkout" in request.body["messages"][1]["content"]
    assert request.headers["authorization"] == "Bearer sk-fake-key"


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (ServerError(503), "HTTP 503"),
        (Malformed(), "did not fit the summary schema"),
        (Refusal(), "refused"),
        (Success(content={"paragraph": "Made up.", "cited_ids": [4242]}), "does not hold: [4242]"),
    ],
    ids=["server-error", "malformed", "refusal", "unknown-ids"],
)
def test_an_unusable_openai_answer_falls_back_to_the_offline_summary_with_the_reason(
    call: Call, fake: FakeOpenAI, pr: int, behaviour: Any, reason: str
) -> None:
    # Given OpenAI fails, refuses, answers off-schema or cites achievements the review does not hold
    fake.script(behaviour)
    # When the review is asked for with a summary
    summary = summary_of(call)
    # Then the review still answers, with the offline writer's paragraph labelled with why
    assert summary["written_by"] == "offline"
    assert reason in summary["fallback_reason"]
    assert "Alice recorded 1 achievements in 2026-Q3" in summary["text"]


def test_no_summary_asked_makes_no_openai_call(call: Call, fake: FakeOpenAI, pr: int) -> None:
    # Given / When the review without summary=true
    status, _, review = call(person="alice", period="2026-Q3", format="json")
    # Then OpenAI is not called
    assert status == 200
    assert review["summary"] is None
    assert fake.calls == 0


def test_the_key_test_selects_the_offline_writer_without_calling_openai(
    moto_tables: Tables, fake: FakeOpenAI, lambda_context: Any
) -> None:
    # Given the deployed secret's initial value, "test", as the key
    settings = reviews_deps.default_settings().model_copy(
        update={"openai_api_key": SecretStr("test"), "openai_base_url": fake.base_url}
    )
    graph: ReviewsDeps = build_on(reviews_deps, moto_tables, settings)
    register(graph.store, "alice", "Alice", [])
    add(graph.store, "pr", "alice", datetime(2026, 7, 3), score=90)
    # When a review with a summary is written
    from achievements.reviews.service import review

    written = review(graph, person="alice", period="2026-Q3", summary=True)
    # Then the offline writer wrote it, with no fallback reason and no call to OpenAI
    assert written.summary is not None
    assert written.summary.written_by == "offline"
    assert written.summary.fallback_reason is None
    assert fake.calls == 0
