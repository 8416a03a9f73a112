"""The Threads-Agent sync on a real DynamoDB Local and in the local stack (`make local`) with the demo adaptor.

- two or more syncs at once (schedule + manual), and a push racing them: each post is one achievement;
- the local stack starts the demo threads-adaptor, the template's schedule fires the sync, its viral
  posts appear as achievements, and syncing again and again changes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from achievements.store.reads import AchievementReader
from achievements.threads.deps import sync_deps
from achievements.threads.models import SyncReport, SyncTrigger
from achievements.threads.settings import ThreadsSyncSettings
from devstack.stack import LocalStack
from tests.conftest import Tables, clients_of
from tests.fakes.threads_adaptor import ThreadsAdaptor, post
from tests.integration.conftest import api_client, stored_achievements, wait_until

pytestmark = pytest.mark.integration
KEY = "threads-sync-e2e-key"


def sync_on(tables: Tables, url: str) -> Any:
    settings = ThreadsSyncSettings(ACHIEVEMENTS_TABLE_NAME=tables.achievements, THREADS_ADAPTOR_URL=url)
    return sync_deps.build(settings, clients_of(tables)).sync


def test_syncs_at_once_store_each_post_once(local_tables: Tables) -> None:
    # Given an adaptor with 12 viral posts, answering each call after 50 ms
    with ThreadsAdaptor(posts=[post(f"race-{n}") for n in range(12)], delay=0.05) as adaptor:
        sync = sync_on(local_tables, adaptor.url)
        triggers = [SyncTrigger.SCHEDULE, SyncTrigger.MANUAL, SyncTrigger.MANUAL, SyncTrigger.MANUAL]

        # When four syncs run at once (the schedule and manual ones)
        with ThreadPoolExecutor(max_workers=4) as pool:
            reports: list[SyncReport] = list(pool.map(sync.sync, triggers))

    # Then each post is one achievement, created by exactly one sync, the others naming the same id
    assert len(local_tables.achievement_items()) == 12
    assert sum(report.counts.created for report in reports) == 12
    for report in reports:
        assert report.outcome == "succeeded"
        assert report.counts.failed == 0
    ids = [{line.thread_id: line.achievement_id for line in report.posts} for report in reports]
    assert all(found == ids[0] for found in ids)
    assert len(set(ids[0].values())) == 12
    # and the aggregates kept on write equal a recount
    reader = AchievementReader(local_tables.achievements, client=local_tables.client)
    assert reader.aggregates() == local_tables.recomputed_aggregates()


def test_racing_syncs_with_different_numbers_never_lower_a_counter(local_tables: Tables) -> None:
    # Given a stored post, then two adaptors (replicas) reporting it with different grown counters
    with ThreadsAdaptor(posts=[post("grow", impressions=10000)]) as first:
        sync_on(local_tables, first.url).sync(SyncTrigger.MANUAL)
    with (
        ThreadsAdaptor(posts=[post("grow", impressions=20000, likes=1500)], delay=0.02) as higher,
        ThreadsAdaptor(posts=[post("grow", impressions=15000, likes=1000)], delay=0.02) as lower,
    ):
        syncs = [sync_on(local_tables, higher.url), sync_on(local_tables, lower.url)] * 3

        # When they sync at once, several times
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(lambda sync: sync.sync(SyncTrigger.MANUAL), syncs))

    # Then the stored post holds the highest numbers seen
    (item,) = local_tables.achievement_items()
    assert item["metrics"]["M"]["views"]["N"] == "20000"
    assert item["metrics"]["M"]["likes"]["N"] == "1500"


# ---- the local stack ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    stack = LocalStack(port=0, admin_token=KEY, demo_threads_adaptor=True, first_sync_after=1.0, quiet=True)
    with stack as s:
        yield s


@pytest.fixture(scope="module")
def http(stack: LocalStack) -> Iterator[httpx.Client]:
    with api_client(stack, KEY) as client:
        yield client


def wait_for_sync_status(http: httpx.Client, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        answer = http.get("/threads/sync/status")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        if body.get("last_trigger") == "schedule":
            return body
        time.sleep(0.3)
    raise AssertionError(f"no scheduled sync within {timeout}s: {body}")


@pytest.fixture(scope="module")
def first_scheduled(stack: LocalStack, http: httpx.Client) -> dict[str, Any]:
    """The status once the first scheduled sync has run (before any test syncs by hand), and the pipeline's
    automatic analysis of what it created has landed: after that, nothing changes the stored posts by itself."""
    status = wait_for_sync_status(http)
    wait_for_current_analyses(stack, http)
    return status


def wait_for_current_analyses(stack: LocalStack, http: httpx.Client) -> None:
    """Until the pipeline's automatic analysis of every stored post is of its present content (none pending or
    stale): only then does nothing change the stored items by itself."""

    def current(item: dict[str, Any]) -> bool:
        body = http.get(f"/analyze/deep/{item['id']['N']}").json()
        return bool(body["status"] == "completed" and not body.get("stale"))

    wait_until(
        lambda: all(current(item) for item in stored_achievements(stack, "threads")),
        what="a current automatic analysis of every synced post",
    )


def test_the_first_scheduled_sync_stores_the_demo_adaptors_viral_posts(
    stack: LocalStack, first_scheduled: dict[str, Any]
) -> None:
    # Given `make local`'s stack: the demo threads-adaptor and the template's sync schedule
    assert stack.threads_adaptor is not None
    env = stack.functions["ThreadsSyncFunction"].spec.env
    assert env["THREADS_ADAPTOR_URL"] == stack.threads_adaptor.url

    # When the first scheduled sync has run
    status = first_scheduled

    # Then its three viral posts are achievements, and the status tells the run
    assert status["last_outcome"] == "succeeded"
    assert status["interval_hours"] == 1
    assert status["adaptor_host"] == stack.threads_adaptor.url
    assert status["last_counts"]["created"] == 3
    stored = stored_achievements(stack, "threads")
    assert sorted(item["source_ref"]["S"] for item in stored) == [
        "post:demo-thread-1",
        "post:demo-thread-3",
        "post:demo-thread-5",
    ]


def test_syncing_again_over_http_changes_nothing(
    stack: LocalStack, http: httpx.Client, first_scheduled: dict[str, Any]
) -> None:
    # Given the scheduled sync ran, and the pipeline has analysed what is stored now (an earlier push may have
    # changed a post)
    wait_for_current_analyses(stack, http)
    before = sorted(json.dumps(item, sort_keys=True) for item in stored_achievements(stack))

    # When POST /threads/sync runs again and again
    answers = [http.post("/threads/sync", json={}) for _ in range(3)]

    # Then each reports the viral posts unchanged, and no achievement moved
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.json()["counts"]["unchanged"] == 3
        assert answer.json()["trigger"] == "manual"
    assert sorted(json.dumps(item, sort_keys=True) for item in stored_achievements(stack)) == before


def test_a_push_of_a_synced_post_is_the_same_achievement(
    stack: LocalStack, http: httpx.Client, first_scheduled: dict[str, Any]
) -> None:
    # Given the scheduled sync ran
    ids = {item["source_ref"]["S"]: int(item["id"]["N"]) for item in stored_achievements(stack, "threads")}

    # When the same post is pushed with post_id = its thread_id
    answer = http.post(
        "/threads/track",
        json={
            "hook": "AI will revolutionize everything",
            "engagement_rate": 0.08,
            "views": 10000,
            "likes": 650,
            "shares": 100,
            "persona_id": "ai-jesus",
            "post_id": "demo-thread-1",
        },
    )

    # Then it answers with that achievement's id, and no new one exists
    assert answer.status_code == 200, answer.text
    assert answer.json()["achievement_id"] == ids["post:demo-thread-1"]
    assert len(stored_achievements(stack, "threads")) == 3
