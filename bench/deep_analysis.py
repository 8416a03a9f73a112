"""Deep analysis: one SQS batch of 10 against OpenAI with latency L, and the worker's cold start vs the API's.

1. Batch: DeepAnalysisFunction's handler (DynamoDB Local, the real openai client) gets 10 messages while a fake
   OpenAI on loopback answers each call after L seconds. Wall time / L is ~1 when the records are analysed
   concurrently, ~10 if one after another (shown too: the same 10 as 10 batches of 1).
2. Cold start: import time of each function's handler module in fresh interpreters (median of N), as a ratio
   to `import boto3` alone, and whether the module loaded openai (only DeepAnalysisFunction may).

    .venv/bin/python -m bench.deep_analysis [--latency 0.5] [--rounds 3] [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.cold_start import function_env, probe
from devstack.template import ROOT, resources


def cold_starts(runs: int, deadline: float) -> None:
    layer = ROOT / "layers" / "core"
    functions = resources("AWS::Serverless::Function")
    probes: dict[str, tuple[str, list[Path], dict[str, str]]] = {"import boto3 alone": ("boto3", [ROOT], {})}
    for name in sorted(functions):
        props = functions[name]["Properties"]
        module = props.get("Handler", "app.lambda_handler").rsplit(".", 1)[0]
        probes[name] = (module, [ROOT / props["CodeUri"], layer, ROOT], function_env(name))
    samples: dict[str, list[float]] = {name: [] for name in probes}
    openai: dict[str, bool] = {}
    done = 0
    while done < runs and (done == 0 or time.monotonic() < deadline):
        done += 1
        # Round-robin: a load change on the machine hits every module alike.
        for name, (module, path, env) in probes.items():
            seconds, openai[name] = probe(module, path, env, isolated=False)
            samples[name].append(seconds)
    median = {name: statistics.median(values) for name, values in samples.items()}
    baseline = median.pop("import boto3 alone")
    print(f"\ncold start (import of the handler module, fresh interpreter, median of {done}, round-robin)")
    print(f"  import boto3 alone: {baseline * 1000:.0f} ms = 1.00x")
    for name, seconds in median.items():
        print(f"  {name:32} {seconds * 1000:6.0f} ms = {seconds / baseline:5.2f}x   openai imported: {openai[name]}")
    others = [seconds for name, seconds in median.items() if name != "DeepAnalysisFunction"]
    if "DeepAnalysisFunction" in median and others:
        ratio = median["DeepAnalysisFunction"] / statistics.median(others)
        print(f"  DeepAnalysisFunction / median of the other functions: {ratio:.2f}x")


def batch_wall_times(latency: float, rounds: int) -> None:
    from botocore.config import Config

    from devstack.aws_services import local_client
    from devstack.dynamodb_local import DynamoDBLocal
    from devstack.template import create_tables

    # as the template sets it, before the cold start; no X-Ray daemon here
    os.environ.update({**function_env("DeepAnalysisFunction"), "POWERTOOLS_TRACE_DISABLED": "true"})
    from achievements.store import AchievementStore
    from functions.deep_analysis import app as worker_app
    from tests.analysis_support import batch, job, make_worker, seed_posts
    from tests.conftest import LambdaContext, Tables
    from tests.fakes.openai_server import FakeOpenAI

    context: Any = LambdaContext()
    with DynamoDBLocal() as dynamodb, FakeOpenAI(latency=0.0) as fake:
        client = local_client(
            "dynamodb",
            dynamodb.endpoint,
            Config(max_pool_connections=20),
        )
        tables = Tables(client, create_tables(client, "bench"))
        store = AchievementStore(tables.achievements, client=client)
        make_worker(tables, key="sk-bench", base_url=fake.base_url, timeout=30, max_retries=0, serial=False)
        ids = iter(seed_posts(store, 10 + rounds * 20 + 10))

        def run(batches: int, size: int) -> float:
            started = time.perf_counter()
            for _ in range(batches):
                response = worker_app.lambda_handler(batch(*(job(next(ids)) for _ in range(size))), context)
                assert response == {"batchItemFailures": []}, response
            return time.perf_counter() - started

        run(1, 10)  # a warm container (OpenAI client built, first-call costs paid) and a warm DynamoDB Local
        overheads, concurrents = [], []
        for _ in range(rounds):  # alternating, so a load change on the machine hits both alike
            fake.latency = 0.0
            overheads.append(run(1, 10))  # the same batch with an instant OpenAI: store + idempotency
            fake.latency = latency
            concurrents.append(run(1, 10))
        sequential = run(10, 1)
        assert fake.calls == 10 + rounds * 20 + 10
    overhead, concurrent = statistics.median(overheads), statistics.median(concurrents)
    print(
        f"batch of 10 messages, fake OpenAI latency L = {latency:.2f} s per call (warm container, median of {rounds})"
    )
    print(f"  one batch of 10, records concurrently: {concurrent:5.2f} s = {concurrent / latency:5.2f} x L")
    print(f"    the same batch with L = 0 (DynamoDB Local + idempotency only): {overhead:5.2f} s")
    print(f"    time added by OpenAI's latency: {(concurrent - overhead) / latency:5.2f} x L")
    print(f"  10 batches of 1, one after another:    {sequential:5.2f} s = {sequential / latency:5.2f} x L")
    print(f"  speed-up of one concurrent batch: {sequential / concurrent:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds the fake OpenAI takes per call (L)")
    parser.add_argument("--rounds", type=int, default=3, help="batches measured per figure (median)")
    parser.add_argument("--runs", type=int, default=3, help="fresh interpreters per module (median)")
    args = parser.parse_args()
    deadline = time.monotonic() + 50  # the whole run stays under a minute: fewer cold-start rounds if slow
    # The functions' JSON logs and EMF metrics go to stdout; keep only the figures.
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    sys.path.insert(0, str(ROOT / "layers" / "core"))
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        batch_wall_times(args.latency, args.rounds)
    print("\n".join(line for line in captured.getvalue().splitlines() if not line.startswith("{")))
    cold_starts(args.runs, deadline)


if __name__ == "__main__":
    main()
