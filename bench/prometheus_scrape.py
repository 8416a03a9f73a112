"""Prometheus scrape: wall time of a scrape of every KPI against a Prometheus that delays each query by D.

The stand-in Prometheus (devstack.slow_prometheus, loopback HTTP) answers each API request after D
seconds. Printed as ratios to D, measured in this run (median of --runs): fetching the N KPIs
concurrently should take about 1 x D, not N x D (the sequential baseline, measured too); with
intelligent thresholds each KPI also asks for its history, still at once; the full scrape adds the
DynamoDB writes (moto, in-process) on top.

    .venv/bin/python -m bench.prometheus_scrape [--delay 0.5] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "core"), str(ROOT)]
os.environ.update(
    {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "POWERTOOLS_METRICS_NAMESPACE": "AchievementCollector",
    }
)

from achievements.prometheus.client import PrometheusClient  # noqa: E402
from achievements.prometheus.drafts import scrape_targets  # noqa: E402
from achievements.prometheus.thresholds import HistoryPolicy  # noqa: E402
from devstack.slow_prometheus import SlowPrometheus  # noqa: E402


def timed(run: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.prometheus_scrape", description=__doc__)
    parser.add_argument("--delay", type=float, default=0.5, help="D: seconds each query waits (default 0.5)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    delay, runs = args.delay, args.runs

    targets = scrape_targets()
    at = datetime.now(UTC)
    policy = HistoryPolicy(timedelta(hours=168))
    queries_with_history = len(targets) + sum(1 for t in targets if not t.milestones)
    with SlowPrometheus(delay=delay) as prometheus:
        client = PrometheusClient(prometheus.url, timeout_seconds=max(5.0, delay * 4))

        def concurrent() -> None:
            results = client.gather({t.name: partial(client.instant, t.query, at) for t in targets})
            assert all(isinstance(value, float) for value in results.values()), results

        def with_history() -> None:
            calls: dict[tuple[str, str], Callable[[], object]] = {}
            for t in targets:
                calls[(t.name, "value")] = partial(client.instant, t.query, at)
                if not t.milestones:
                    start, end = at - policy.window, at - policy.step
                    calls[(t.name, "history")] = partial(client.history, t.query, start, end, policy.step)
            results = client.gather(calls)
            assert not any(isinstance(value, Exception) for value in results.values()), results

        def sequential() -> None:
            for t in targets:
                client.instant(t.query, at)

        concurrent()  # warm the connection pool
        prometheus.peak_in_flight = 0
        fetch = timed(concurrent, runs)
        peak_fetch = prometheus.peak_in_flight
        prometheus.peak_in_flight = 0
        history = timed(with_history, runs)
        peak_history = prometheus.peak_in_flight
        baseline = timed(sequential, 1)
        full = full_scrape(prometheus.url, delay, runs)
        client.close()

    n = len(targets)
    print(f"Prometheus scrape of {n} KPIs, each query delayed D = {delay:g}s (median of {runs})")
    rows = [
        (f"concurrent fetch, {n} queries", fetch, f"peak {peak_fetch} in flight"),
        (f"with intelligent thresholds, {queries_with_history} queries", history, f"peak {peak_history} in flight"),
        ("full scrape incl. DynamoDB writes (moto)", full, "the answer a caller waits for"),
        (f"sequential baseline, {n} queries", baseline, "what one-by-one would cost"),
    ]
    for label, seconds, note in rows:
        print(f"  {label:<44} {seconds / delay:5.2f} x D   ({note})")


def full_scrape(url: str, delay: float, runs: int) -> float:
    import boto3
    from moto import mock_aws

    from achievements.core.aws import AwsClients
    from achievements.prometheus.deps import deps
    from achievements.prometheus.models import ScrapeTrigger
    from achievements.prometheus.settings import PrometheusSettings
    from devstack.template import create_tables

    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        table = create_tables(dynamodb, "bench")["AchievementsTable"]
        settings = PrometheusSettings(PROMETHEUS_URL=url, ACHIEVEMENTS_TABLE_NAME=table)  # type: ignore[call-arg]
        scraper = deps.build(
            settings,
            AwsClients(dynamodb=dynamodb),
            prometheus=PrometheusClient(url, timeout_seconds=max(5.0, delay * 4)),
            load_overrides=lambda _settings: {},
            load_auth=lambda _settings: None,
        ).scraper
        return timed(lambda: scraper.scrape(ScrapeTrigger.MANUAL), runs)


if __name__ == "__main__":
    main()
