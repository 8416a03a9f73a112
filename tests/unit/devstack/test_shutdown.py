"""Stopping the local stack: what is in flight ends first, and nothing starts once the functions are closed."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from devstack.event_sources import LocalScheduler, ScheduleSource
from devstack.functions import FunctionSpec, InvocationError, LocalFunction
from devstack.stack import LocalStack


class Recorder:
    """Stands in for DynamoDB Local: notes when it was stopped."""

    def __init__(self, events: list[str]) -> None:
        self.events = events

    def stop(self) -> None:
        self.events.append("dynamodb stopped")


def test_a_scheduled_run_in_flight_ends_before_dynamodb_local_is_stopped() -> None:
    # Given a schedule whose run is in flight and lasts longer than one loop's old 5 s join
    events: list[str] = []
    started = threading.Event()

    def slow_run(function: str, event: dict[str, Any]) -> None:
        started.set()
        time.sleep(6)
        events.append("run finished")

    scheduler = LocalScheduler(
        ScheduleSource("Sync", "Hourly", 3600, {}), slow_run, every_seconds=3600, first_after=0, log=lambda _: None
    )
    stack = LocalStack(schedulers=[scheduler])
    stack.dynamodb = Recorder(events)  # type: ignore[assignment]
    scheduler.start()
    assert started.wait(10)

    # When the stack stops
    stack.stop()

    # Then the run finished before DynamoDB Local went away, and the schedule fired once
    assert events == ["run finished", "dynamodb stopped"]
    assert scheduler.runs == 1


def slow_init_function(tmp_path: Path, seconds: float) -> LocalFunction:
    (tmp_path / "app.py").write_text(
        f"import time\ntime.sleep({seconds})\n\ndef lambda_handler(event, context):\n    return event\n"
    )
    spec = FunctionSpec("Slow", tmp_path, tmp_path, "app.lambda_handler", {}, timeout=5)
    return LocalFunction(spec, base_env={}, quiet=True)


def test_an_instance_still_initialising_is_stopped_by_close(tmp_path: Path) -> None:
    # Given an invocation whose instance is still in its (slow) init
    function = slow_init_function(tmp_path, 30)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            function.invoke({})
        except InvocationError as error:
            outcome.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 10
    while not function._workers and time.monotonic() < deadline:
        time.sleep(0.02)
    worker = function._workers[0]

    # When the functions are closed
    function.close()
    caller.join(10)

    # Then that instance is gone (it cannot run against stopped services) and the caller is told
    assert not worker.alive()
    assert not caller.is_alive()
    assert len(outcome) == 1


def test_no_instance_starts_after_close(tmp_path: Path) -> None:
    # Given closed functions
    function = slow_init_function(tmp_path, 0)
    function.close()

    # When something still invokes one, Then it is refused and no process is started
    with pytest.raises(InvocationError, match="stopping"):
        function.invoke({"a": 1})
    assert function._workers == []
