"""Aggregates and the read API against a real DynamoDB Local: concurrent writers, paging while writing."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from achievements.insights.deps import deps as insights_deps
from achievements.store import AchievementStore
from achievements.store.reads import AchievementReader, achievement_of
from achievements.threads.deps import deps as threads_deps
from achievements.threads.drafts import viral_post_draft
from achievements.threads.models import ViralPostIn
from functions.insights_query import app as insights_app
from functions.threads_webhook import app as threads_app
from tests.conftest import Tables, api_event, build_on, load_event

pytestmark = pytest.mark.integration


@pytest.fixture
def wired(local_tables: Tables) -> AchievementStore:
    build_on(insights_deps, local_tables)
    return build_on(threads_deps, local_tables).store


def post_body(number: int, views: int = 10000) -> dict[str, Any]:
    return dict(json.loads(load_event("threads_track.json")["body"]) | {"post_id": f"p-{number}", "views": views})


def post(number: int, views: int = 10000) -> dict[str, Any]:
    return api_event("threads_track.json", body=post_body(number, views))


def get(name: str, context: Any, query: dict[str, str] | None = None) -> dict[str, Any]:
    event = load_event(name)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()} or None
    response = insights_app.lambda_handler(event, context)
    assert response["statusCode"] == 200, response["body"]
    return json.loads(response["body"])


def test_concurrent_creates_and_updates_leave_exact_aggregates(wired, local_tables, lambda_context) -> None:
    # Given 30 new posts and 60 updates of them (two each), all at once (they share aggregate items)
    # When the 30 creates are written on 30 threads, then 60 updates (two per post) likewise - through the
    # store, as 30 concurrent Lambda instances would: Powertools keeps a resolver's current event and route on
    # the app, so one process must not run two resolvers at once (Lambda never does)
    with ThreadPoolExecutor(max_workers=30) as pool:
        list(pool.map(lambda n: wired.upsert(viral_post_draft(ViralPostIn(**post_body(n)))), range(30)))
        results = list(
            pool.map(lambda n: wired.upsert(viral_post_draft(ViralPostIn(**post_body(n % 30, 20000 + n)))), range(60))
        )
    # and one more update goes through the Threads handler
    answer = threads_app.lambda_handler(post(0, views=90000), lambda_context)

    # Then every write landed, and the aggregates equal the sum over the stored achievements
    assert len(results) == 60
    assert answer["statusCode"] == 200, answer["body"]
    snapshot = AchievementReader(local_tables.achievements, client=local_tables.client).aggregates()
    assert snapshot == local_tables.recomputed_aggregates()
    assert (snapshot.total, snapshot.by_source) == (30, {"threads": 30})
    revenues = [achievement_of(item).metrics["estimated_revenue_usd"] for item in local_tables.achievement_items()]
    assert snapshot.revenue_usd == sum(float(revenue or 0) for revenue in revenues)


def test_career_insights_reads_do_not_grow_with_the_table(wired, local_tables, lambda_context) -> None:
    # Given every DynamoDB call made on the tables' client recorded by operation name
    calls: list[str] = []
    local_tables.client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    seen = []
    # When career insights are read with 5 achievements in the table, and again with 60
    for size in (5, 60):
        for n in range(len(local_tables.achievement_items()), size):
            threads_app.lambda_handler(post(n), lambda_context)
        calls.clear()
        body = get("career_insights.json", lambda_context)
        assert body["numbers"]["total"] == size
        seen.append(list(calls))
    # Then both reads cost the same one BatchGetItem and one Query, whatever the table's size
    assert seen == [["BatchGetItem", "Query"], ["BatchGetItem", "Query"]]


def test_paging_while_posts_arrive_neither_repeats_nor_skips(wired, local_tables, lambda_context) -> None:
    # Given 25 posts
    for n in range(25):
        threads_app.lambda_handler(post(n), lambda_context)
    before = {int(item["id"]["N"]) for item in local_tables.achievement_items()}

    # When a client pages (oldest first, 4 per page) while 20 more posts and 10 updates arrive
    # (written through the store: Powertools keeps the current event in a class attribute, so two resolvers
    # must not run in one process at once - Lambda never does that)
    seen: list[int] = []
    cursor = None
    with ThreadPoolExecutor(max_workers=4) as pool:
        writes = [pool.submit(wired.upsert, viral_post_draft(ViralPostIn(**post_body(25 + n)))) for n in range(20)]
        writes += [pool.submit(wired.upsert, viral_post_draft(ViralPostIn(**post_body(n, 30000)))) for n in range(10)]
        for _ in range(30):
            body = get(
                "achievements_list.json",
                lambda_context,
                {"limit": "4", "sort": "oldest", **({"cursor": cursor} if cursor else {})},
            )
            seen += [item["id"] for item in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        for write in writes:
            write.result()

    # Then every achievement that existed before is listed exactly once, in creation order
    assert len(seen) == len(set(seen))
    assert [i for i in seen if i in before] == sorted(before)
