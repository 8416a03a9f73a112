"""Bounded concurrent load on the local stack over loopback: no lost or duplicated achievements.

N posts from W workers, a share of them duplicates of earlier posts (same post_id, delivered again,
possibly at the same time). Afterwards the store is read back: exactly one achievement per distinct
post, each acknowledged id present, and every duplicate answered with its original's id.

    .venv/bin/python -m bench.load [--posts 2000] [--workers 32] [--duplicates 0.5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from devstack.aws_services import local_client
from devstack.stack import LocalStack

KEY = "load-key"


@dataclass
class Result:
    post_id: str
    status: int
    body: dict[str, Any]
    seconds: float


def plan(posts: int, duplicate_share: float, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    distinct = max(1, int(posts * (1 - duplicate_share)))
    ids = [f"load-{n}" for n in range(distinct)]
    ids += [rng.choice(ids) for _ in range(posts - distinct)]
    rng.shuffle(ids)
    return ids


def post_body(post_id: str) -> dict[str, Any]:
    return {
        "hook": f"Load post {post_id}",
        "engagement_rate": 0.08,
        "views": 10_000,
        "likes": 800,
        "shares": 150,
        "persona_id": "load",
        "post_id": post_id,
    }


def run(posts: int, workers: int, duplicate_share: float, deadline_seconds: float) -> dict[str, Any]:
    ids = plan(posts, duplicate_share)
    results: list[Result] = []
    lock = threading.Lock()
    with LocalStack(port=0, admin_token=KEY, quiet=True) as stack:
        assert stack.gateway is not None
        assert stack.dynamodb is not None
        for function in stack.functions.values():
            function.spec.max_concurrency = 8
        deadline = time.monotonic() + deadline_seconds
        limits = httpx.Limits(max_connections=workers)
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(base_url=stack.gateway.url, headers=headers, timeout=60, limits=limits) as http:

            def send(post_id: str) -> None:
                if time.monotonic() > deadline:
                    return
                started = time.perf_counter()
                response = http.post("/threads/track", json=post_body(post_id))
                with lock:
                    results.append(
                        Result(post_id, response.status_code, response.json(), time.perf_counter() - started)
                    )

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(send, ids))
            wall = time.perf_counter() - started

        client = local_client("dynamodb", stack.dynamodb.endpoint)
        stored: dict[int, str] = {}
        paginator = client.get_paginator("scan")
        for page in paginator.paginate(TableName=stack.table_names["AchievementsTable"]):
            for item in page["Items"]:
                if item["sk"]["S"] == "ACHIEVEMENT" and item["source"]["S"] == "threads":
                    stored[int(item["id"]["N"])] = item["source_ref"]["S"]

    acknowledged = [r for r in results if r.status in (200, 201)]
    id_of: dict[str, set[int]] = {}
    for result in acknowledged:
        id_of.setdefault(result.post_id, set()).add(int(result.body["achievement_id"]))
    latencies = sorted(r.seconds for r in results)
    return {
        "sent": len(results),
        "distinct_posts": len(set(r.post_id for r in results)),
        "acknowledged": len(acknowledged),
        "created": sum(1 for r in acknowledged if r.status == 201),
        "errors": len(results) - len(acknowledged),
        "stored": len(stored),
        "ids_per_post_max": max((len(v) for v in id_of.values()), default=0),
        "lost": sorted({i for ids_ in id_of.values() for i in ids_} - set(stored)),
        "duplicated_refs": len(stored) - len(set(stored.values())),
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0.0,
        "throughput_rps": len(results) / wall if wall else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--duplicates", type=float, default=0.5, help="share of deliveries that repeat a post")
    parser.add_argument("--deadline", type=float, default=300, help="stop sending after this many seconds")
    args = parser.parse_args()
    figures = run(args.posts, args.workers, args.duplicates, args.deadline)
    for key, value in figures.items():
        print(f"{key:18} {value:.1f}" if isinstance(value, float) else f"{key:18} {value}")
    ok = figures["lost"] == [] and figures["duplicated_refs"] == 0 and figures["ids_per_post_max"] <= 1
    ok = ok and figures["created"] == figures["stored"] == figures["distinct_posts"]
    print("consistent: " + ("yes" if ok else "NO"))


if __name__ == "__main__":
    main()
