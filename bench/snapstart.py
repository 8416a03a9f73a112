"""SnapStart, modelled locally: a restored snapshot's first request against a fresh cold start's.

No Lambda runs here, so the closest honest model of SnapStart is used. One process runs a function's init
as SnapStart does (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start: imports, graph, priming), then "snapshots" by
fork(); each forked child is one restored environment: it runs the after-restore hooks
(achievements.core.snapstart.restored, what the runtime's snapshot_restore_py hook calls) and serves
requests. Against it, in the same run: a fresh interpreter's cold start (on-demand init, then the first
request), and a fork without priming (what the priming buys). DynamoDB is moto's server on 127.0.0.1.

It proves: what init leaves in the snapshot (imports, clients, the compiled routes and models, the primed
operations) is not paid again by a restored environment, and how much of the first request's extra CPU the
priming moves before the snapshot (first/steady; a fork of an environment that has already served requests
gives the model's own first-request cost: copy-on-write page faults, which a real restore's lazily loaded
memory resembles). It also checks correctness: each restore draws different
random numbers (re-seeded), and the cold-start metric counts restores as `Restore`, not `ColdStart`.
It does not prove Lambda's own restore latency (loading the snapshot's memory from its cache, paged in
lazily: Lambda reports it as Restore Duration, typically a few hundred ms), nor anything about the network
(DynamoDB is local; priming opens no connection, so none is stale after a restore).

    .venv/bin/python -m bench.snapstart [--requests N] [--restores N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from devstack.dynamodb_local import free_port
from devstack.template import ROOT, create_tables

FUNCTIONS = {
    # name: (code dir, event file, field made unique per request so each one does the same work)
    "ThreadsWebhookFunction": ("functions/threads_webhook", "threads_track.json", "hook"),
    "InsightsQueryFunction": ("functions/insights_query", "achievements_list.json", None),
}


def _event(template: dict[str, Any], unique: str | None, n: int) -> dict[str, Any]:
    event = json.loads(json.dumps(template))
    if unique:
        body = json.loads(event["body"])
        body[unique] = f"{body[unique]} #{n} {time.time_ns()}"
        event["body"] = json.dumps(body)
    return event


def _invoke(handler: Any, event: dict[str, Any], name: str) -> tuple[float, float, int]:
    from devstack.worker import LocalContext

    wall, cpu = time.perf_counter(), time.process_time()
    answer = handler(event, LocalContext(name))
    return time.perf_counter() - wall, time.process_time() - cpu, int(answer["statusCode"])


def _serve(name: str, requests: int) -> dict[str, Any]:
    """Import the handler (init) and serve `requests` requests; seconds of wall and CPU of each step."""
    code, event_file, unique = FUNCTIONS[name]
    template = json.loads((ROOT / "events" / event_file).read_text())
    wall, cpu = time.perf_counter(), time.process_time()
    sys.path[:0] = [str(ROOT / code), str(ROOT / "layers" / "core")]
    import app  # type: ignore[import-not-found]

    init = (time.perf_counter() - wall, time.process_time() - cpu)
    return {"init": init, "handler": app.lambda_handler, "template": template, "unique": unique}


def _requests(state: dict[str, Any], name: str, requests: int) -> list[tuple[float, float, int]]:
    return [_invoke(state["handler"], _event(state["template"], state["unique"], n), name) for n in range(requests)]


def child(name: str, mode: str, requests: int, restores: int) -> None:
    """One measurement in a fresh interpreter; prints JSON lines."""
    import io
    import random
    from contextlib import redirect_stdout

    if mode != "cold":
        os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start" if mode == "primed" else "on-demand"
    quiet = io.StringIO()
    with redirect_stdout(quiet):
        state = _serve(name, requests)
        if mode == "warm":  # the model's own artifact: a fork of an environment that has served requests already
            _requests(state, name, requests)
    if mode == "cold":
        with redirect_stdout(quiet):
            served = _requests(state, name, requests)
        print(json.dumps({"init": state["init"], "requests": served}))
        return
    # The "snapshot": everything init made, shared copy-on-write by every restored child.
    for _ in range(restores):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            captured = io.StringIO()
            from achievements.core import snapstart

            started = time.perf_counter()
            with redirect_stdout(captured):
                snapstart.restored()
                hook = time.perf_counter() - started
                served = _requests(state, name, requests)
            metrics = [line for line in captured.getvalue().splitlines() if '"CloudWatchMetrics"' in line]
            result = {
                "hook": hook,
                "requests": served,
                "random": random.random(),
                "restore_metric": any('"Restore"' in line for line in metrics),
                "cold_start_metric": any('"ColdStart"' in line for line in metrics),
            }
            os.write(write, json.dumps(result).encode())
            os._exit(0)
        os.close(write)
        chunks = []
        while chunk := os.read(read, 65536):
            chunks.append(chunk)
        os.waitpid(pid, 0)
        print(b"".join(chunks).decode())


def run_child(name: str, mode: str, requests: int, restores: int, env: dict[str, str]) -> list[dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.snapstart", "--child", name, mode, str(requests), str(restores)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=12, help="requests per environment (first + steady)")
    parser.add_argument("--restores", type=int, default=3, help="environments restored from one snapshot")
    parser.add_argument("--rounds", type=int, default=3, help="cold starts / snapshots per function (medians)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, mode, requests, restores = args.child
        child(name, mode, int(requests), int(restores))
        return

    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        names = create_tables(client, "bench")
        with tempfile.TemporaryDirectory() as pycache:
            env = {
                **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
                "PYTHONPYCACHEPREFIX": pycache,
                "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
                "ACHIEVEMENTS_TABLE_NAME": names["AchievementsTable"],
                "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "CURSOR_SIGNING_KEY": "bench",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "ERROR",
                "POWERTOOLS_METRICS_NAMESPACE": "AchievementCollector",
                "PYDANTIC_DISABLE_PLUGINS": "__all__",
            }
            for name in FUNCTIONS:
                report(name, args, {**env, "POWERTOOLS_SERVICE_NAME": name, "AWS_LAMBDA_FUNCTION_NAME": name})
    finally:
        server.stop()


def report(name: str, args: argparse.Namespace, env: dict[str, str]) -> None:
    run_child(name, "cold", 2, 0, env)  # compiles the bytecode once, outside the figures
    cold_first, cold_cpu, cold_ratio, restored_first, restored_ratio = [], [], [], [], []
    unprimed_ratio, warm_ratio = [], []
    randoms, metric_ok = [], True
    for _ in range(args.rounds):
        cold = run_child(name, "cold", args.requests, 0, env)[0]
        steady_cpu = statistics.median(r[1] for r in cold["requests"][1:])
        cold_first.append(cold["init"][0] + cold["requests"][0][0])
        cold_cpu.append(cold["init"][1] + cold["requests"][0][1])
        cold_ratio.append(cold["requests"][0][1] / steady_cpu)
        for mode in ("primed", "unprimed", "warm"):
            for restore in run_child(name, mode, args.requests, args.restores, env):
                first, rest = restore["requests"][0], restore["requests"][1:]
                ratio = first[1] / statistics.median(r[1] for r in rest)
                if mode == "primed":
                    restored_first.append(restore["hook"] + first[0])
                    restored_ratio.append(ratio)
                    randoms.append(restore["random"])
                    metric_ok &= restore["restore_metric"] and not restore["cold_start_metric"]
                elif mode == "unprimed":
                    unprimed_ratio.append(ratio)
                else:
                    warm_ratio.append(ratio)
    med = statistics.median
    print(f"{name}  ({args.rounds} rounds x {args.restores} restores, {args.requests} requests each; medians)")
    print(f"  cold start, first request (init + invoke):     {_ms(med(cold_first))}  ({_ms(med(cold_cpu))} CPU)")
    print(f"  restored snapshot, first request (hook + invoke): {_ms(med(restored_first))}")
    print(f"  restored first / cold first:                   {med(restored_first) / med(cold_first):.3f}")
    print(f"  first-invoke / steady CPU, on-demand init:      {med(cold_ratio):.2f}")
    print(f"  first-invoke / steady CPU, restored unprimed:   {med(unprimed_ratio):.2f}")
    print(f"  first-invoke / steady CPU, restored primed:     {med(restored_ratio):.2f}")
    print(f"  first-invoke / steady CPU, fork of a warm one:  {med(warm_ratio):.2f}  (the fork model's own cost)")
    distinct = len(set(randoms)) == len(randoms)
    print(f"  restores draw distinct random numbers: {distinct}; Restore metric, no ColdStart: {metric_ok}\n")


if __name__ == "__main__":
    main()
