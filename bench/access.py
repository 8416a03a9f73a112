"""What the access authorizer costs per request: cached and uncached, as a ratio to a request without it.

Over the local stack (the same authorizer function, run and cached as API Gateway does: devstack/authorizer.py),
one route (`GET /achievements/{id}`, a member reading their own) with an issued member token, three ways
interleaved in rounds in one run:
- without: the gateway hands the function the same identity without running any authorizer;
- cached: the authorizer's answer is in the cache (AuthorizerCacheSeconds > 0, after the first call);
- uncached: every request runs the authorizer function (AuthorizerCacheSeconds=0): one GetItem of the token.
Printed: median and p90 latency, ratios to "without", authorizer calls and DynamoDB calls per request.
The usage-plan key check is API Gateway's own on every metered request, with or without an authorizer; locally
it is two calls to moto, so the benchmark checks against the plan's keys read once.
Bounded: ROUNDS x BATCH requests per way (default 10 x 20).

    .venv/bin/python -m bench.access [--rounds 10] [--batch 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import httpx

from devstack.authorizer import LocalAuthorizer, Verdict
from devstack.dynamodb_local import free_port
from devstack.stack import LocalStack

ADMIN = "bench-admin-token"


class NoAuthorizer:
    """Stands for a route without an authorizer: the identity the real one gave, at no cost."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict

    def authorize(self, event: dict[str, Any], method_arn: str) -> Verdict:
        return self.verdict


def timed(http: httpx.Client, path: str, headers: dict[str, str], count: int) -> list[float]:
    took = []
    for _ in range(count):
        started = time.perf_counter()
        answer = http.get(path, headers=headers)
        took.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
    return took


Result = tuple[dict[str, list[float]], dict[str, int], dict[str, int]]


def measure(rounds: int, batch: int, count_dynamodb_calls: bool) -> Result:
    """Latencies, authorizer calls and DynamoDB calls of each way, interleaved in rounds on one local stack."""
    overrides = {"AuthorizerCacheSeconds": "3600"}
    stack = LocalStack(
        port=free_port(),
        admin_token=ADMIN,
        parameter_overrides=overrides,
        count_dynamodb_calls=count_dynamodb_calls,
        quiet=True,
    )
    with stack, httpx.Client(base_url=stack.gateway.url, timeout=60) as http:  # type: ignore[union-attr]
        admin = {"Authorization": f"Bearer {ADMIN}"}
        assert http.put("/people/ann", json={"name": "Ann", "teams": ["red"]}, headers=admin).status_code == 200
        created = http.post(
            "/achievements", json={"title": "Shipped", "category": "development", "person": "ann"}, headers=admin
        )
        path = f"/achievements/{created.json()['achievement_id']}"
        token = http.post("/tokens", json={"role": "member", "person": "ann"}, headers=admin).json()["token"]
        member = {"Authorization": f"Bearer {token}"}

        assert stack.gateway is not None
        key = next(iter(stack.gateway.authorizers))
        real: LocalAuthorizer = stack.gateway.authorizers[key]
        keys = real.usage_keys() if real.usage_keys is not None else set()
        real.usage_keys = lambda: keys
        timed(http, path, member, 5)  # warm: the workers up, the answer cached
        _, verdict = real._cache[(member["Authorization"],)]
        ways: dict[str, Any] = {"without": NoAuthorizer(verdict), "cached": real, "uncached": real}
        samples: dict[str, list[float]] = {way: [] for way in ways}
        calls: dict[str, int] = dict.fromkeys(ways, 0)
        dynamodb: dict[str, int] = dict.fromkeys(ways, 0)
        for _ in range(rounds):
            for way, authorizer in ways.items():
                real.ttl = 0.0 if way == "uncached" else 3600.0
                if way == "cached":
                    timed(http, path, member, 1)  # the entry, if the uncached way let it lapse
                stack.gateway.authorizers[key] = authorizer
                before = real.calls
                if stack.call_counter is not None:
                    stack.call_counter.reset()
                samples[way] += timed(http, path, member, batch)
                calls[way] += real.calls - before
                if stack.call_counter is not None:
                    dynamodb[way] += sum(stack.call_counter.snapshot().values())
        stack.gateway.authorizers[key] = real
    return samples, calls, dynamodb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    rounds, batch = max(2, min(args.rounds, 50)), max(5, min(args.batch, 100))

    samples, calls, _ = measure(rounds, batch, count_dynamodb_calls=False)
    # DynamoDB calls are counted on a second stack: the counting proxy's own hop would blur the latencies.
    _, _, dynamodb = measure(2, batch, count_dynamodb_calls=True)

    total = rounds * batch
    base = statistics.median(samples["without"])
    print(f"GET /achievements/{{id}} with a member token, local stack, {total} requests per way, interleaved\n")
    print(f"{'way':10} {'median ms':>10} {'p90 ms':>8} {'ratio':>6} {'authorizer calls':>17} {'DynamoDB calls':>15}")
    for way, took in samples.items():
        median = statistics.median(took)
        p90 = statistics.quantiles(took, n=10)[-1]
        print(
            f"{way:10} {median:10.2f} {p90:8.2f} {median / base:6.2f} "
            f"{calls[way] / total:17.2f} {dynamodb[way] / (2 * batch):15.2f}"
        )
    cached, uncached = (statistics.median(samples[way]) for way in ("cached", "uncached"))
    print(
        f"\n  ratio to a request without the authorizer: cached {cached / base:.2f}, uncached {uncached / base:.2f}"
        f" (uncached/cached {uncached / cached:.2f})"
    )


if __name__ == "__main__":
    main()
