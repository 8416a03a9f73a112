"""The pipeline on the local stack: its added latency, and exactly-once counts under duplicates and retries.

1. Latency: `POST /threads/track` until `GET /analyze/deep/{id}` answers `completed`, with nothing else called,
   while a fake OpenAI on loopback answers each call after L seconds. Printed as a ratio to the worker's own
   analysis time (the stored `duration_seconds`): 1.0 would be a pipeline adding nothing.
2. Exactly once: W writes of P distinct posts (repeats, concurrent duplicates, then content updates of U of
   them and their repeats) with the offline analyzer. Then: events published = distinct changes (P created +
   U updated + one analysed per analysis), analyses = distinct fingerprints (P + U), new-achievement
   notifications = P, each once; 0 lost, 0 duplicated.

    .venv/bin/python -m bench.pipeline [--latency 1.0] [--rounds 3] [--posts 400] [--updates 100] [--writes 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any

import httpx

from devstack.aws_services import local_client
from devstack.stack import LocalStack

KEY = "bench-pipeline-key"
OPENAI_SECRET = "DEVSTACK_SECRET_" + "OpenAIApiKeySecret"  # the local value of the template's secret


@contextmanager
def running(**stack_args: Any) -> Iterator[tuple[LocalStack, httpx.Client]]:
    stack = LocalStack(port=0, admin_token=KEY, quiet=True, **stack_args)
    headers = {"Authorization": f"Bearer {KEY}"}
    with stack, httpx.Client(base_url=stack.gateway.url, headers=headers, timeout=60) as http:  # type: ignore[union-attr]
        yield stack, http


def wait_until(check: Callable[[], Any], seconds: float, every: float = 0.05) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise TimeoutError("the pipeline did not finish in time")


def latency(latency_seconds: float, rounds: int) -> None:
    from tests.fakes.openai_server import FakeOpenAI

    previous = os.environ.get(OPENAI_SECRET)
    os.environ[OPENAI_SECRET] = "sk-bench-pipeline"
    try:
        with (
            FakeOpenAI(latency=latency_seconds) as fake,
            running(extra_env={"OPENAI_BASE_URL": fake.base_url}) as (
                _,
                http,
            ),
        ):
            ratios, added = [], []
            for n in range(rounds + 1):  # the first one warms the functions up (cold starts), not counted
                post = {"hook": f"Latency {n}", "engagement_rate": 0.08, "views": 10000, "post_id": f"latency-{n}"}
                started = time.perf_counter()
                achievement_id = http.post("/threads/track", json=post).json()["achievement_id"]
                answer = wait_until(partial(completed_analysis, http, achievement_id), 120)
                total = time.perf_counter() - started
                own = float(answer["analysis"]["duration_seconds"])
                if n:
                    ratios.append(total / own)
                    added.append(total - own)
                print(
                    f"  {'warm-up' if not n else f'round {n}'}: {total:.2f} s end to end, worker's analysis {own:.2f} s"
                )
    finally:
        if previous is None:
            os.environ.pop(OPENAI_SECRET, None)
        else:
            os.environ[OPENAI_SECRET] = previous
    print(
        f"  POST -> completed / worker's analysis time: median {statistics.median(ratios):.2f}x "
        f"(pipeline adds {statistics.median(added):.2f} s; OpenAI latency {latency_seconds:g} s)"
    )


def completed_analysis(http: httpx.Client, achievement_id: int) -> Any:
    """The achievement's analysis once it completed, else False (for wait_until)."""
    answer = http.get(f"/analyze/deep/{achievement_id}").json()
    return answer["status"] == "completed" and answer


def analyses_at_least(stack: LocalStack, count: int) -> bool:
    return idempotency_prefixes(stack)["deep-analysis"] >= count


def idempotency_prefixes(stack: LocalStack) -> Counter[str]:
    assert stack.dynamodb is not None
    dynamodb = local_client("dynamodb", stack.dynamodb.endpoint)
    found: Counter[str] = Counter()
    pages = dynamodb.get_paginator("scan").paginate(TableName=stack.names["IdempotencyTable"])
    for page in pages:
        for item in page["Items"]:
            if item.get("status", {}).get("S") == "COMPLETED":  # in progress or released ones are not done
                found[item["id"]["S"].split("#", 1)[0]] += 1
    return found


def exactly_once(posts: int, updates: int, writes: int) -> None:
    overrides = {"AutoAnalysisDailyCap": str(10 * writes), "NotifyScore": "100"}
    with running(parameter_overrides=overrides) as (stack, http):
        first = [
            {"hook": f"Post {n}", "engagement_rate": 0.08, "views": 10000, "post_id": f"once-{n}"} for n in range(posts)
        ]
        changed = [{**post, "views": 20000} for post in first[:updates]]
        repeats_first = max(0, (writes - posts - updates) * 2 // 3)
        repeats_second = max(0, writes - posts - updates - repeats_first)
        rng = random.Random(13)
        # Phase 1: every post, repeats of them (some at the same moment: concurrent duplicate deliveries)
        phase1 = first + [rng.choice(first) for _ in range(repeats_first)]
        rng.shuffle(phase1)
        # Phase 2 (after phase 1's analyses): content updates of some, and repeats of those updates
        phase2 = changed + [rng.choice(changed or first) for _ in range(repeats_second)]
        rng.shuffle(phase2)
        statuses: Counter[str] = Counter()
        ids: set[int] = set()
        started = time.perf_counter()
        for phase, expected_analyses in ((phase1, posts), (phase2, posts + updates)):
            with ThreadPoolExecutor(max_workers=8) as pool:
                for answer in pool.map(lambda body: http.post("/threads/track", json=body), phase):
                    assert answer.status_code in (200, 201), answer.text
                    statuses[answer.json()["status"]] += 1
                    ids.add(answer.json()["achievement_id"])
            wait_until(partial(analyses_at_least, stack, expected_analyses), 600, every=0.5)
        wait_until(lambda: idempotency_prefixes(stack)["pipeline-outbox"] >= 2 * (posts + updates), 300, every=0.5)
        new_messages = lambda: [m for m in stack.receiver.received if m["path"] == "/topics/PeopleTopic"]  # type: ignore[union-attr]  # noqa: E731
        wait_until(lambda: len(new_messages()) >= posts, 120, every=0.5)
        time.sleep(3)  # anything late (a duplicate) would arrive now
        elapsed = time.perf_counter() - started
        records = idempotency_prefixes(stack)
        messages = [m["body"] for m in new_messages() if m["body"].startswith("New achievement")]
        notified = Counter(text.split(" (")[0] for text in messages)
        achievements = [http.get(f"/analyze/deep/{n}").json() for n in sorted(ids)]
        analysed_current = sum(a["status"] == "completed" for a in achievements)
    distinct_changes = posts + updates + (posts + updates)  # created + updated + one analysed per analysis
    print(
        f"  {sum(statuses.values())} writes ({dict(statuses)}) of {posts} posts, {updates} updated, in {elapsed:.1f} s"
    )
    print(f"  events published: {records['pipeline-outbox']} / distinct changes {distinct_changes}")
    print(f"  analyses: {records['deep-analysis']} / distinct fingerprints {posts + updates}")
    print(f"  new-achievement notifications: {len(messages)} / new achievements {posts}")
    print(
        f"  lost: {posts - len(notified)} notifications, {posts - analysed_current} analyses; "
        f"duplicated: {sum(count - 1 for count in notified.values())} notifications"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--writes", type=int, default=1000)
    args = parser.parse_args(argv)
    print(f"pipeline latency on the local stack (fake OpenAI answering after {args.latency:g} s)")
    latency(args.latency, args.rounds)
    print(f"\nexactly once: {args.writes} writes with duplicates and retries (offline analyzer)")
    exactly_once(args.posts, args.updates, args.writes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
