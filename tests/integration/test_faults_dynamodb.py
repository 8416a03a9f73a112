"""DynamoDB Local stopped (SIGTERM) in the middle of a concurrent load on the local stack, then restarted.

DynamoDB Local keeps its data on disk (-dbPath) and comes back on the same port. Clients retry a 503 a
bounded number of times. Afterwards: every acknowledged achievement is in the store, no post has two,
the failures during the outage were clean 503s with Retry-After (never a 5xx with a trace, never a hang),
and delivering any post again answers the id it was acknowledged with.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from achievements.store.aggregates import read_aggregates
from achievements.store.codec import from_item
from devstack.dynamodb_local import free_port
from devstack.stack import LocalStack
from tests.integration.conftest import local_client

pytestmark = pytest.mark.integration
KEY = "dynamodb-fault-key"
DISTINCT_POSTS = 90
DELIVERIES = 240  # the rest repeat earlier posts, some at the same time
WORKERS = 16
KILL_AFTER = 60  # deliveries acknowledged before DynamoDB Local is killed
OUTAGE_SECONDS = 3.0  # down this long (plus its restart) while the load goes on
CLIENT_ATTEMPTS = 8  # each delivery: the first try and up to 7 retries of a 503
HUNG_AFTER_SECONDS = 60.0  # a request still unanswered then counts as hung
UNAVAILABLE_PREFIX = "the store is unavailable ("
POST_REF = "post:"  # a post's source_ref is post:<post_id> (threads/drafts.py)


@dataclass
class Answer:
    status: int | None  # None: no HTTP answer (timeout or transport error)
    headers: dict[str, str]
    body: dict[str, Any]
    at: float
    seconds: float
    error: str = ""


@dataclass
class Delivery:
    post_id: str
    answers: list[Answer] = field(default_factory=list)

    @property
    def acknowledged(self) -> Answer | None:
        last = self.answers[-1] if self.answers else None
        return last if last is not None and last.status in (200, 201) else None


def post_body(post_id: str) -> dict[str, Any]:
    return {"hook": f"Fault post {post_id}", "engagement_rate": 0.09, "views": 5_000, "post_id": post_id}


def send(http: httpx.Client, post_id: str) -> Answer:
    started = time.monotonic()
    try:
        response = http.post("/threads/track", json=post_body(post_id))
    except httpx.TimeoutException as error:
        return Answer(None, {}, {}, time.monotonic(), time.monotonic() - started, f"hung: {error!r}")
    except httpx.TransportError as error:
        return Answer(None, {}, {}, time.monotonic(), time.monotonic() - started, f"transport: {error!r}")
    try:
        body = response.json()
    except ValueError:
        body = {"not_json": response.text}
    return Answer(response.status_code, dict(response.headers), body, time.monotonic(), time.monotonic() - started)


def deliver(http: httpx.Client, post_id: str) -> Delivery:
    """A client that retries a 503 after Retry-After (bounded), and gives up on anything else."""
    delivery = Delivery(post_id)
    for _ in range(CLIENT_ATTEMPTS):
        answer = send(http, post_id)
        delivery.answers.append(answer)
        if answer.status != 503:
            break
        time.sleep(min(2.0, float(answer.headers.get("retry-after", "1"))) * random.uniform(0.5, 1.0))
    return delivery


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    data_dir: Path = tmp_path_factory.mktemp("dynamodb-fault")
    with LocalStack(port=0, admin_token=KEY, data_dir=data_dir, dynamodb_port=free_port(), quiet=True) as running:
        for function in running.functions.values():
            function.spec.max_concurrency = 8
        yield running


def stored_threads_achievements(stack: LocalStack) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(achievement items, REF items) of the threads source, read straight from DynamoDB Local."""
    assert stack.dynamodb is not None
    client = local_client(stack.dynamodb.endpoint)
    items = [
        item
        for page in client.get_paginator("scan").paginate(TableName=stack.table_names["AchievementsTable"])
        for item in page["Items"]
    ]
    achievements = [from_item(i) for i in items if i["sk"]["S"] == "ACHIEVEMENT" and i["source"]["S"] == "threads"]
    refs = [from_item(i) for i in items if i["sk"]["S"] == "REF" and i["pk"]["S"].startswith("REF#threads#")]
    return achievements, refs


def test_dynamodb_killed_mid_load_and_restarted_loses_and_duplicates_nothing(stack: LocalStack) -> None:
    # Given the local stack over DynamoDB Local (data on disk) and a load of distinct and repeated posts
    assert stack.gateway is not None
    assert stack.dynamodb is not None
    rng = random.Random(8)
    posts = [f"fault-{n}" for n in range(DISTINCT_POSTS)]
    plan = posts + [rng.choice(posts) for _ in range(DELIVERIES - DISTINCT_POSTS)]
    rng.shuffle(plan)
    acknowledged = threading.Semaphore(0)
    timeline: dict[str, float] = {}
    probe: list[Answer] = []

    with httpx.Client(
        base_url=stack.gateway.url,
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=HUNG_AFTER_SECONDS,
        limits=httpx.Limits(max_connections=WORKERS + 2),
    ) as http:

        def worker(post_id: str) -> Delivery:
            delivery = deliver(http, post_id)
            if delivery.acknowledged is not None:
                acknowledged.release()
            return delivery

        def outage() -> None:
            # When DynamoDB Local is killed after KILL_AFTER acknowledgements, while the load goes on ...
            for _ in range(KILL_AFTER):
                assert acknowledged.acquire(timeout=120)
            assert stack.dynamodb is not None
            assert stack.dynamodb.process is not None
            # SIGTERM: DynamoDB Local goes down at once (connections refused) but keeps what it acknowledged;
            # under SIGKILL it was seen to lose acknowledged writes, which DynamoDB itself never does.
            os.kill(stack.dynamodb.process.pid, signal.SIGTERM)
            stack.dynamodb.process.wait(timeout=10)
            timeline["killed"] = time.monotonic()
            # ... a request made while it is certainly down is answered (one try, no client retry) ...
            probe.append(send(http, "fault-probe"))
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - timeline["killed"])))
            # ... and it comes back on the same port with the same data
            stack.dynamodb.process = None
            stack.dynamodb.start()
            timeline["restarted"] = time.monotonic()

        with ThreadPoolExecutor(max_workers=WORKERS + 1) as pool:
            controller = pool.submit(outage)
            deliveries = list(pool.map(worker, plan))
            controller.result(timeout=120)

        # And every post is delivered once more after the recovery
        again = {post_id: send(http, post_id) for post_id in [*posts, "fault-probe"]}

    answers = [answer for delivery in deliveries for answer in delivery.answers]
    failures = [answer for answer in answers if answer.status not in (200, 201)]
    print(
        f"\n{len(plan)} deliveries of {DISTINCT_POSTS} posts, {len(answers)} requests, {len(failures)} answered 503; "
        f"DynamoDB Local down {timeline['restarted'] - timeline['killed']:.1f} s (incl. restart); "
        f"slowest answer {max(a.seconds for a in answers):.1f} s; most tries of one delivery "
        f"{max(len(d.answers) for d in deliveries)}"
    )

    # Then the outage happened in the middle of the load: acknowledgements before the kill and after the restart
    assert any(a.at < timeline["killed"] for a in answers if a.status in (200, 201))
    assert any(a.at > timeline["restarted"] for a in answers if a.status in (200, 201))

    # And the request made during the outage, and every failure, was a clean 503: JSON, Retry-After, no trace
    [during] = probe
    assert during.status == 503, during
    assert during.headers["retry-after"] == "1"
    assert during.body["message"].startswith(UNAVAILABLE_PREFIX)
    assert [a.error for a in answers if a.status is None] == []  # nothing hung, no connection broke
    assert {a.status for a in failures} <= {503}, [(a.status, a.body) for a in failures if a.status != 503]
    for failure in failures:
        assert failure.headers.get("retry-after") == "1"
        assert failure.headers.get("content-type") == "application/json"
        assert set(failure.body) == {"message"}
        assert failure.body["message"].startswith(UNAVAILABLE_PREFIX)

    # And the clients' bounded retries got every delivery acknowledged, all deliveries of a post with one id
    assert [d.post_id for d in deliveries if d.acknowledged is None] == []
    ids_of: dict[str, set[int]] = {}
    for delivery in deliveries:
        assert delivery.acknowledged is not None
        ids_of.setdefault(delivery.post_id, set()).add(int(delivery.acknowledged.body["achievement_id"]))
    assert {post_id: len(ids) for post_id, ids in ids_of.items() if len(ids) != 1} == {}
    acknowledged_id = {post_id: ids.pop() for post_id, ids in ids_of.items()}

    # And delivering each post again after the recovery answers its acknowledged id (no write was in doubt)
    for post_id, answer in again.items():
        assert answer.status in (200, 201), (post_id, answer)
        if post_id in acknowledged_id:
            assert (answer.status, answer.body) == (
                200,
                {"status": "unchanged", "achievement_id": acknowledged_id[post_id]},
            )
    acknowledged_id["fault-probe"] = int(again["fault-probe"].body["achievement_id"])

    # And the store holds exactly what was acknowledged: one achievement per post, refs and aggregates agree
    achievements, refs = stored_threads_achievements(stack)
    by_ref: dict[str, list[int]] = {}
    for item in achievements:
        by_ref.setdefault(item["source_ref"].removeprefix(POST_REF), []).append(int(item["id"]))
    assert {ref: ids for ref, ids in by_ref.items() if len(ids) != 1} == {}
    assert {ref: ids[0] for ref, ids in by_ref.items()} == acknowledged_id
    assert {
        ref["pk"].removeprefix(f"REF#threads#{POST_REF}"): int(ref["achievement_id"]) for ref in refs
    } == acknowledged_id
    assert stack.dynamodb is not None
    client = local_client(stack.dynamodb.endpoint)
    snapshot = read_aggregates(client, stack.table_names["AchievementsTable"])
    assert snapshot.total == snapshot.by_source["threads"] == len(acknowledged_id) == DISTINCT_POSTS + 1
