"""The scrape's memory in DynamoDB (moto, tables from template.yaml): values, versions, errors, last run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from achievements.prometheus.models import MetricError, ScrapeOutcome, ScrapeReport, ScrapeTrigger
from achievements.prometheus.state import MetricStateStore
from tests.fakes.prometheus import AT


@pytest.fixture
def state(moto_tables) -> MetricStateStore:
    return MetricStateStore(moto_tables.achievements, client=moto_tables.client)


def report(started_offset_s: float, outcome: ScrapeOutcome = ScrapeOutcome.SUCCEEDED) -> ScrapeReport:
    started = AT + timedelta(seconds=started_offset_s)
    return ScrapeReport(
        run_id=f"run-{started_offset_s}",
        trigger=ScrapeTrigger.MANUAL,
        started_at=started,
        finished_at=started + timedelta(seconds=1),
        outcome=outcome,
        values={"uptime": 0.9995},
        errors={"error_rate": MetricError(kind="no_data", message="no series")},
    )


def test_never_recorded_metrics_load_as_fresh_states_and_no_last_run(state) -> None:
    # When states are loaded for metrics that were never recorded
    states, last_run = state.load(["uptime", "error_rate"])

    # Then there is no last run, and each state is fresh: no value, version 0
    assert last_run is None
    assert states["uptime"].last_value is None
    assert states["uptime"].version == 0


def test_recording_values_counts_versions_and_keeps_the_latest(state, moto_tables) -> None:
    # When two uptime values are recorded a day apart, Then each write is accepted
    assert state.record_value("uptime", 0.999, 0.999, AT)
    assert state.record_value("uptime", 0.9995, 0.999, AT + timedelta(hours=24))

    # Then the state holds the latest and has counted both
    states, _ = state.load(["uptime"])
    assert states["uptime"].last_value == 0.9995
    assert states["uptime"].version == 2
    assert states["uptime"].last_value_at == AT + timedelta(hours=24)
    keys = {(item["pk"]["S"], item["sk"]["S"]) for item in moto_tables.items()}
    assert keys == {("METRIC#uptime", "STATE")}


def test_an_error_is_remembered_beside_the_last_good_value_and_cleared_by_the_next_one(state) -> None:
    # Given a good uptime value, then a timeout error recorded an hour later
    state.record_value("uptime", 0.999, 0.999, AT)
    state.record_error("uptime", MetricError(kind="timeout", message="slow"), AT + timedelta(hours=1))

    # When the states are loaded
    states, _ = state.load(["uptime"])

    # Then the error sits beside the last good value, and the version counts only values
    assert states["uptime"].last_value == 0.999
    assert states["uptime"].last_error == MetricError(kind="timeout", message="slow")
    assert states["uptime"].version == 1

    # When the next good value is recorded, Then the error is cleared and the version moves on
    state.record_value("uptime", 0.9991, 0.999, AT + timedelta(hours=2))
    states, _ = state.load(["uptime"])
    assert states["uptime"].last_error is None
    assert states["uptime"].version == 2


def test_an_older_check_never_overwrites_a_newer_one(state) -> None:
    # Given a newer run already recorded its value
    assert state.record_value("uptime", 0.9995, 0.999, AT + timedelta(minutes=5))

    # When a slower, older run records afterwards
    assert not state.record_value("uptime", 0.5, 0.999, AT)
    assert not state.record_error("uptime", MetricError(kind="timeout", message="slow"), AT)

    # Then the newer value and version stand
    states, _ = state.load(["uptime"])
    assert (states["uptime"].last_value, states["uptime"].version, states["uptime"].last_error) == (0.9995, 1, None)


def test_the_last_run_is_the_one_that_started_last(state) -> None:
    # Given a run that started at +10 s, When a run that started earlier (+5 s) records after it, Then it is refused
    assert state.record_run(report(10))
    assert not state.record_run(report(5, ScrapeOutcome.FAILED))

    # Then the last run loaded is the one that started last
    _, last_run = state.load([])
    assert last_run == report(10)


def test_many_metrics_load_in_one_batch(state, moto_tables) -> None:
    # Given 120 metric names, only the first 3 of them recorded
    names = [f"metric_{n}" for n in range(120)]
    for name in names[:3]:
        state.record_value(name, 1.0, 1.0, AT)

    # When all 120 are loaded at once
    states, _ = state.load(names)

    # Then every one has a state: version 1 for the recorded ones, 0 (fresh) for the rest
    assert len(states) == 120
    assert [states[name].version for name in names[:4]] == [1, 1, 1, 0]
