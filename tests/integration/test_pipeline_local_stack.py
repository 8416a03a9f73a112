"""The pipeline end to end on the local stack: one POST /threads/track -> stream -> outbox -> bus -> the template's
rules -> the analysis queue -> DeepAnalysisFunction -> Achievement Analysed; notifications to the local receiver."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from devstack.stack import LocalStack
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration
KEY = "pipeline-test-key"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    # NotifyScore 0: every analysis notifies, so the high-impact path runs too
    with LocalStack(port=0, admin_token=KEY, quiet=True, parameter_overrides={"NotifyScore": "0"}) as running:
        yield running


@pytest.fixture(scope="module")
def http(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.gateway.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as client:  # type: ignore[union-attr]
        yield client


def test_one_post_ends_analysed_and_notified(stack: LocalStack, http: httpx.Client) -> None:
    # Given the running stack, When one viral post is tracked (and nothing else is called)
    post = {"hook": "Pipelines ship themselves", "engagement_rate": 0.09, "views": 20000, "post_id": "pipe-1"}
    created = http.post("/threads/track", json=post)
    assert created.status_code == 201
    achievement_id = created.json()["achievement_id"]
    # Then its analysis completes without any request for it
    answer = wait_until(
        lambda: (a := http.get(f"/analyze/deep/{achievement_id}").json())["status"] == "completed" and a
    )
    assert answer["analysis"]["analyzer"] == "offline"
    # And the people topic's subscriber and the chat webhook got one message per event, naming it with its link
    assert stack.receiver is not None
    link = f"{stack.gateway.url}/Prod/achievements/{achievement_id}"  # type: ignore[union-attr]
    mine = lambda: [m for m in stack.receiver.received if link in m["body"]]  # type: ignore[union-attr]  # noqa: E731
    wait_until(lambda: len(mine()) >= 4)
    time.sleep(1)
    received = mine()
    topic = sorted(m["body"] for m in received if m["path"] == "/topics/PeopleTopic")
    chat = sorted(json.loads(m["body"])["text"] for m in received if m["path"] == "/chat")
    assert topic == chat
    assert [text.split(" (")[0] for text in topic] == [
        f"Achievement #{achievement_id} analysed",
        f"New achievement #{achievement_id}",
    ]
    assert all("Viral Post: Pipelines ship themselves" in text for text in topic)
    # And the link in the message answers with the achievement
    assert http.get(f"/achievements/{achievement_id}").json()["id"] == achievement_id


def test_a_repeat_of_the_post_publishes_nothing_new(stack: LocalStack, http: httpx.Client) -> None:
    # Given a tracked post, analysed and notified
    post = {"hook": "Once is enough", "engagement_rate": 0.07, "views": 9000, "post_id": "pipe-2"}
    achievement_id = http.post("/threads/track", json=post).json()["achievement_id"]
    wait_until(lambda: http.get(f"/analyze/deep/{achievement_id}").json()["status"] == "completed")
    assert stack.receiver is not None
    link = f"/achievements/{achievement_id}"
    count = lambda: sum(link in m["body"] for m in stack.receiver.received)  # type: ignore[union-attr]  # noqa: E731
    wait_until(lambda: count() >= 4)
    # When the same post is tracked again three times
    for _ in range(3):
        assert http.post("/threads/track", json=post).json()["status"] == "unchanged"
    time.sleep(3)
    # Then nobody is told again
    assert count() == 4
