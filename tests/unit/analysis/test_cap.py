"""The daily cap on automatic analyses: over it, an automatic job is skipped (left for a manual request)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from achievements.analysis.cap import DailyCap
from achievements.store import AchievementStore
from functions.deep_analysis import app as worker_app
from tests.analysis_support import CountingAnalyzer, analysis_of, batch, make_worker, seed_posts
from tests.conftest import Tables


@pytest.fixture
def capped(moto_tables: Tables) -> CountingAnalyzer:
    """The worker with the offline analyzer and a cap of 2 automatic analyses a day."""
    counting: dict[str, CountingAnalyzer] = {}

    def wrap(inner: Any) -> CountingAnalyzer:
        counting["analyzer"] = CountingAnalyzer(inner)
        return counting["analyzer"]

    make_worker(moto_tables, wrap=wrap, auto_cap=2)
    return counting["analyzer"]


def auto_job(store: AchievementStore, achievement_id: int) -> dict[str, Any]:
    achievement = store.get(achievement_id)
    assert achievement is not None
    return {"achievement_id": achievement_id, "fingerprint": achievement.fingerprint, "trigger": "auto"}


def emitted(capsys: pytest.CaptureFixture[str], name: str) -> float:
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    return sum(sum(blob[name]) if isinstance(blob.get(name), list) else blob.get(name, 0) for blob in blobs)


def test_automatic_jobs_over_the_cap_are_acknowledged_skipped_and_counted(
    lambda_context, store, capped, capsys
) -> None:
    # Given three achievements and a cap of two automatic analyses a day
    ids = seed_posts(store, 3)
    # When their three automatic jobs are handled
    response = worker_app.lambda_handler(batch(*(auto_job(store, i) for i in ids)), lambda_context)
    # Then none is retried, two are analysed, the third is skipped and counted
    assert response == {"batchItemFailures": []}
    assert capped.calls == 2
    assert sum(analysis_of(store, i) is not None for i in ids) == 2
    assert emitted(capsys, "achievement_collector_auto_analyses_skipped_total") == 1


def test_a_manual_request_analyses_what_the_cap_skipped(lambda_context, store, capped) -> None:
    # Given the cap used up by two automatic analyses and a third skipped
    ids = seed_posts(store, 3)
    worker_app.lambda_handler(batch(*(auto_job(store, i) for i in ids)), lambda_context)
    [skipped] = [i for i in ids if analysis_of(store, i) is None]
    # When someone asks for its analysis (POST /analyze/deep/{id} queues a manual job)
    response = worker_app.lambda_handler(batch({"achievement_id": skipped}), lambda_context)
    # Then it is analysed: manual requests are never capped
    assert response == {"batchItemFailures": []}
    assert analysis_of(store, skipped) is not None
    assert capped.calls == 3


def test_repeated_automatic_jobs_of_one_content_use_the_cap_once(lambda_context, store, capped) -> None:
    # Given one achievement whose automatic job arrives five times (events, redeliveries)
    [only, other] = seed_posts(store, 2)
    job = auto_job(store, only)
    # When they are handled, then another achievement's automatic job
    worker_app.lambda_handler(batch(*[job] * 5), lambda_context)
    worker_app.lambda_handler(batch(auto_job(store, other)), lambda_context)
    # Then one analysis each: the repeats found the analysis and took nothing from the cap
    assert capped.calls == 2
    assert analysis_of(store, other) is not None


def test_the_cap_is_per_utc_day_and_zero_means_no_automatic_analysis(moto_tables: Tables) -> None:
    # Given a cap of one on two days, and a cap of zero
    day = {"now": "2026-12-01"}
    cap = DailyCap(moto_tables.achievements, moto_tables.client, 1, today=lambda: day["now"])
    # When taken twice on a day, then on the next, Then one each day
    assert [cap.take(), cap.take()] == [True, False]
    day["now"] = "2026-12-02"
    assert cap.take() is True
    assert DailyCap(moto_tables.achievements, moto_tables.client, 0).take() is False
