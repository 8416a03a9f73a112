"""SnapStart: after a restore randomness is re-seeded and restores are counted as such; priming does no I/O."""

from __future__ import annotations

import json
import os
import random
from typing import Any

import pytest
from aws_lambda_powertools.metrics.provider import cold_start
from aws_lambda_powertools.tracing import tracer as tracer_module

from achievements.core import snapstart
from achievements.core.aws import AwsClients
from achievements.http.priming import OPERATIONS, prime, prime_clients, request
from achievements.http.resolver import make_resolver


@pytest.fixture(autouse=True)
def _cold_start_flags() -> Any:
    """Powertools' process-wide cold-start flags, as they were before each test (a restore clears them)."""
    saved = cold_start.is_cold_start, tracer_module.is_cold_start
    yield
    cold_start.is_cold_start, tracer_module.is_cold_start = saved


def test_a_restore_reseeds_randomness(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the random state a snapshot would hold (every restored copy would draw the same numbers)
    random.seed(1234)
    snapshot = random.getstate()

    # When two environments are restored from it
    draws = []
    for _ in range(2):
        random.setstate(snapshot)
        snapstart.restored()
        draws.append(random.random())

    # Then they draw different numbers
    assert draws[0] != draws[1]


def test_a_restore_counts_as_restore_not_as_a_cold_start(capsys: pytest.CaptureFixture[str]) -> None:
    # Given an environment whose first invoke would count a cold start
    cold_start.is_cold_start = True

    # When it is restored from a snapshot
    snapstart.restored()

    # Then a Restore metric is written and Powertools no longer counts a ColdStart
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "CloudWatchMetrics" in line]
    assert [m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"] for m in metrics] == [snapstart.RESTORE_METRIC]
    assert cold_start.is_cold_start is False


def test_the_runtime_hook_is_absent_here_and_restored_is_its_equivalent() -> None:
    # Given / When this machine's Python (no snapshot_restore_py) / Then the hooks are run by hand
    assert snapstart.RUNTIME_HOOK is False


@pytest.mark.parametrize(
    ("kind", "primes"),
    [("snap-start", True), ("provisioned-concurrency", True), ("on-demand", False), (None, False)],
)
def test_priming_runs_only_when_init_runs_ahead_of_time(kind, primes, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given Lambda's initialization type
    if kind is None:
        monkeypatch.delenv(snapstart.INITIALIZATION_TYPE, raising=False)
    else:
        monkeypatch.setenv(snapstart.INITIALIZATION_TYPE, kind)

    # When an app is primed
    app = make_resolver()
    done = prime(app, AwsClients(), services=())

    # Then it runs for SnapStart and provisioned concurrency only
    assert done is primes


def test_priming_sends_every_operation_through_botocore_without_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given clients whose endpoint would refuse any connection
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    clients = AwsClients()
    sent: list[str] = []
    for service in OPERATIONS:
        clients.get(service).meta.events.register("before-send", lambda request, **_: sent.append(request.url))

    # When they are primed
    calls = prime_clients(clients, tuple(OPERATIONS))

    # Then every operation went up to the wire, was answered locally, and the hook is gone afterwards
    assert calls == sum(len(operations) for operations in OPERATIONS.values())
    assert len(sent) == calls
    with pytest.raises(Exception, match="Could not connect"):
        clients.dynamodb.get_item(TableName="t", Key={"pk": {"S": "x"}})


def test_a_priming_request_that_is_not_refused_fails_the_init(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an app whose route answers 200 (it would have done its work, I/O included)
    monkeypatch.setenv(snapstart.INITIALIZATION_TYPE, "snap-start")
    app = make_resolver()

    @app.get("/ok")
    def ok() -> dict[str, Any]:
        return {}

    # When it is primed with that request / Then init fails loudly
    with pytest.raises(RuntimeError, match="answered 200"):
        prime(app, AwsClients(), request("GET", "/ok"), services=())


def test_every_api_function_primes_with_refused_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given SnapStart's init of each API function (fresh interpreters: the modules prime at import)
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, snapstart.INITIALIZATION_TYPE: "snap-start", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "layers" / "core")])
    for name in (
        "threads_webhook",
        "kpi_milestone",
        "analysis_request",
        "github_webhook",
        "prometheus_scrape",
        "insights_query",
        "people_api",
        "manual_achievements",
        "reviews",
    ):
        # When its module is imported
        done = subprocess.run(
            [sys.executable, "-c", f"import functions.{name}.app"], env=env, cwd=ROOT, capture_output=True, text=True
        )
        # Then init succeeded (every priming request was refused before any I/O; none could connect)
        assert done.returncode == 0, f"{name}: {done.stderr[-2000:]}"
