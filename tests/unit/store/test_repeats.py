"""SPEC §5 in the store: a repeat updates only when it lowers none of the numbers its source keeps (`not_below`),
checked on the read and enforced by the write's condition; an update never drops a score."""

from __future__ import annotations

from typing import Any

import pytest

from achievements.core.models import AchievementDraft, Category, Source, WriteStatus
from achievements.core.rules import regression
from achievements.store import AchievementStore
from achievements.store.reads import AchievementReader
from tests.conftest import Tables


def draft(ref: str = "r", description: str = "d", **floors: float) -> AchievementDraft:
    return AchievementDraft(
        title="t",
        description=description,
        category=Category.CONTENT,
        source=Source.THREADS,
        source_ref=ref,
        not_below=floors,
    )


@pytest.mark.parametrize(
    ("stored", "incoming", "worse"),
    [
        ({"views": 10.0}, {"views": 10.0}, False),
        ({"views": 10.0}, {"views": 11.0}, False),
        ({"views": 10.0}, {"views": 9.0}, True),
        ({"views": 10.0, "likes": 5.0}, {"views": 20.0, "likes": 4.0}, True),
        ({"views": 10.0}, {}, True),
        ({}, {"views": 1.0}, False),
    ],
)
def test_regression_is_any_kept_number_lowered_or_missing(stored: Any, incoming: Any, worse: bool) -> None:
    # Given a stored floor and a repeat, When compared, Then it is worse exactly when one number went down
    assert (regression(stored, incoming) is not None) is worse


def test_a_repeat_that_lowers_a_number_is_unchanged_with_the_reason(store: AchievementStore) -> None:
    # Given an achievement whose event had 20,000 views
    first = store.upsert(draft(views=20_000, description="20k"))
    # When a repeat with 10,000 views arrives
    again = store.upsert(draft(views=10_000, description="10k"))
    # Then nothing changes and the answer says why
    assert (again.status, again.achievement_id) == (WriteStatus.UNCHANGED, first.achievement_id)
    assert again.reason == "views would go down from 20,000 to 10,000"
    stored = store.get(first.achievement_id)
    assert stored is not None
    assert (stored.description, stored.not_below) == ("20k", {"views": 20_000})


def test_the_write_condition_refuses_a_lower_number_whatever_the_read_said(
    store: AchievementStore, moto_tables: Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an achievement at 20,000 views, and a writer whose read sees no floor at all (a race it lost)
    first = store.upsert(draft(views=20_000, description="20k"))
    current = store.get(first.achievement_id)
    assert current is not None
    blind = current.model_copy(update={"not_below": {}})
    real_get = store.get
    reads = iter([blind])
    monkeypatch.setattr(store, "get", lambda achievement_id: next(reads, None) or real_get(achievement_id))
    # When that writer writes 10,000 views
    again = store.upsert(draft(views=10_000, description="10k"))
    # Then the transaction's condition refused it, the retry read the real floor, and nothing went down
    assert again.status is WriteStatus.UNCHANGED
    stored = real_get(first.achievement_id)
    assert stored is not None
    assert stored.description == "20k"


def test_an_update_keeps_the_score_so_the_aggregates_keep_counting_it(
    store: AchievementStore, moto_tables: Tables
) -> None:
    # Given an analysed achievement
    first = store.upsert(draft(views=1))
    current = store.get(first.achievement_id)
    assert current is not None
    assert store.save_analysis(first.achievement_id, {"impact_score": 64}, 64.0, current.fingerprint)
    # When a better repeat updates it
    assert store.upsert(draft(views=2, description="more")).status is WriteStatus.UPDATED
    # Then the score and analysis stay (stale: of the old fingerprint) and the aggregates still count the score
    stored = store.get(first.achievement_id)
    assert stored is not None
    assert (stored.impact_score, stored.analysis) == (64.0, {"impact_score": 64})
    assert stored.fingerprint != current.fingerprint
    aggregates = AchievementReader(moto_tables.achievements, client=moto_tables.client).aggregates()
    assert aggregates.scored == 1
    assert aggregates == moto_tables.recomputed_aggregates()
