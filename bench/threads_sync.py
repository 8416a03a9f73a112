"""Threads-Agent sync: wall time of a sync of N viral posts against a threads-adaptor delaying each call by D.

The demo threads-adaptor (devstack.threads_adaptor, loopback HTTP) answers every call after D seconds;
the store is a real DynamoDB Local (in memory). A sync is one list, then one engagement read per viral
post, all at once (bounded by THREADS_SYNC_MAX_CONCURRENCY), then the writes one by one: the adaptor's
share of the wall time should be about 2 x D, not (N + 1) x D. Printed as ratios to D, measured in this
run (median of --runs): the wall time of the first sync (N creates), of a repeat (N unchanged), and of
the sequential baseline (concurrency 1); beside each, the adaptor's share: from the sync's start to the
adaptor's last answer (measured by the adaptor), over D. The rest of the wall is DynamoDB's.

    .venv/bin/python -m bench.threads_sync [--posts 32] [--delay 0.5] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from bench.inprocess import prepare

prepare()

from achievements.threads.deps import sync_deps  # noqa: E402
from achievements.threads.models import SyncTrigger  # noqa: E402
from achievements.threads.settings import ThreadsSyncSettings  # noqa: E402
from devstack.threads_adaptor import AdaptorPostRecord, ThreadsAdaptor  # noqa: E402


def timed(run: Callable[[], object], runs: int, adaptor: ThreadsAdaptor) -> tuple[float, float]:
    """Median wall time of `run`, and median time from its start to the adaptor's last answer."""
    walls, shares = [], []
    for _ in range(runs):
        started = time.monotonic()
        run()
        walls.append(time.monotonic() - started)
        shares.append(adaptor.last_answered_at - started)
    return statistics.median(walls), statistics.median(shares)


def viral_posts(n: int, run: int) -> list[AdaptorPostRecord]:
    from datetime import datetime

    return [
        AdaptorPostRecord(f"bench-{run}-{i}", "ai-jesus", f"Post {i}\nbody", datetime(2025, 1, 25), 10000, 650, 50, 100)
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.threads_sync", description=__doc__)
    parser.add_argument("--posts", type=int, default=32, help="N: viral posts listed (default 32)")
    parser.add_argument("--delay", type=float, default=0.5, help="D: seconds each adaptor call waits")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32, help="THREADS_SYNC_MAX_CONCURRENCY (default 32)")
    args = parser.parse_args()
    n, delay, runs = args.posts, args.delay, args.runs

    from devstack.aws_services import local_client
    from devstack.dynamodb_local import DynamoDBLocal
    from devstack.template import create_tables
    from tests.conftest import Tables, clients_of

    with DynamoDBLocal() as dynamodb_local, ThreadsAdaptor(posts=[], delay=delay) as adaptor:
        dynamodb = local_client("dynamodb", dynamodb_local.endpoint)
        tables = Tables(dynamodb, create_tables(dynamodb, "bench"))

        def sync_with(concurrency: int) -> Callable[[], object]:
            settings = ThreadsSyncSettings(
                ACHIEVEMENTS_TABLE_NAME=tables.achievements,
                THREADS_ADAPTOR_URL=adaptor.url,
                THREADS_ADAPTOR_TIMEOUT_SECONDS=max(5.0, delay * 4),
                THREADS_SYNC_MAX_CONCURRENCY=concurrency,
                THREADS_SYNC_LIMIT=min(200, n),
                THREADS_SYNC_RUN_SECONDS=900,
            )  # type: ignore[call-arg]
            sync = sync_deps.build(settings, clients_of(tables)).sync
            return lambda: sync.sync(SyncTrigger.MANUAL)

        concurrent = sync_with(args.concurrency)
        batch = iter(range(10**6))

        def first_sync() -> None:  # N posts never seen: N creates
            adaptor.posts = viral_posts(n, next(batch))
            report = concurrent()
            assert report.counts.created == n, (report.counts, report.errors[:2])  # type: ignore[attr-defined]

        concurrent()  # warm: connections, the first imports
        adaptor.peak_in_flight = 0
        first = timed(first_sync, runs, adaptor)
        peak = adaptor.peak_in_flight
        repeat = timed(concurrent, runs, adaptor)
        sequential = timed(sync_with(1), 1, adaptor)

    print(
        f"Threads-Agent sync of N = {n} viral posts, each adaptor call delayed D = {delay:g}s, "
        f"DynamoDB Local (median of {runs})"
    )
    print(f"  {'':<44} {'wall':>9}   {'adaptor share':>13}")
    rows = [
        ("first sync: 1 list + N engagements, N creates", first, f"peak {peak} calls in flight"),
        ("repeat sync: N unchanged", repeat, "every later scheduled run"),
        ("sequential baseline (concurrency 1)", sequential, f"N + 1 = {n + 1} calls in a row"),
    ]
    for label, (wall, share), note in rows:
        print(f"  {label:<44} {wall / delay:6.2f} x D   {share / delay:6.2f} x D   ({note})")


if __name__ == "__main__":
    main()
