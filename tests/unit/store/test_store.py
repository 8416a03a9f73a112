"""The store: sequential ids, dedupe by (source, source_ref), updates in place, no partial write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from achievements.core.models import AchievementDraft, Category, Source, WriteStatus
from achievements.store import AchievementStore
from achievements.store.achievements import achievement_key


def draft(ref: str = "post:1", views: int = 100, **changes) -> AchievementDraft:
    fields = {
        "title": "Viral Post: hello",
        "description": "desc",
        "category": Category.CONTENT,
        "source": Source.THREADS,
        "source_ref": ref,
        "metrics": {"views": views, "engagement_rate": 0.08},
        **changes,
    }
    return AchievementDraft(**fields)


def test_new_events_get_sequential_ids(store: AchievementStore) -> None:
    # When three events with different refs are stored
    results = [store.upsert(draft(ref=f"post:{n}")) for n in range(3)]

    # Then each is created, with ids 1, 2, 3 in order
    assert [(r.status, r.achievement_id) for r in results] == [(WriteStatus.CREATED, n) for n in (1, 2, 3)]


def test_repeat_of_the_same_event_is_unchanged_with_the_same_id(store: AchievementStore, moto_tables) -> None:
    # Given an event already stored
    first = store.upsert(draft())

    # When the same event is stored again
    again = store.upsert(draft())

    # Then it is unchanged, keeps its id, and there is still one achievement item
    assert again.status is WriteStatus.UNCHANGED
    assert again.achievement_id == first.achievement_id
    assert len(moto_tables.achievement_items()) == 1


def test_repeat_with_newer_numbers_updates_in_place(store: AchievementStore) -> None:
    # Given an achievement from a post seen at 100 views
    first = store.upsert(draft(views=100))
    created = store.get(first.achievement_id)
    assert created is not None

    # When the same post arrives with 500 views
    again = store.upsert(draft(views=500))

    # Then the same achievement holds the new numbers and keeps its creation time and occurrence
    assert (again.status, again.achievement_id) == (WriteStatus.UPDATED, first.achievement_id)
    updated = store.get(first.achievement_id)
    assert updated is not None
    assert updated.metrics["views"] == 500
    assert updated.created_at == created.created_at
    assert updated.occurred_at == created.occurred_at
    assert updated.updated_at >= created.updated_at


def test_same_ref_in_another_source_is_another_achievement(store: AchievementStore) -> None:
    # Given an achievement for ref "42" from Threads
    a = store.upsert(draft(ref="42"))

    # When an event with the same ref arrives from GitHub
    b = store.upsert(draft(ref="42", source=Source.GITHUB, category=Category.DEVELOPMENT))

    # Then it becomes another achievement with its own id
    assert a.achievement_id != b.achievement_id


def test_occurred_at_given_by_the_event_is_kept(store: AchievementStore) -> None:
    # Given an event that says it occurred on 2025-01-25 16:30 UTC
    when = datetime(2025, 1, 25, 16, 30, tzinfo=UTC)

    # When it is stored and read back
    result = store.upsert(draft(occurred_at=when))
    stored = store.get(result.achievement_id)

    # Then its occurrence time is the event's
    assert stored is not None
    assert stored.occurred_at == when


def test_failed_transaction_writes_nothing_and_the_next_attempt_takes_a_free_id(
    store: AchievementStore, moto_tables
) -> None:
    # Given an item already sitting at the id the counter will hand out next (a foreign write)
    moto_tables.client.put_item(
        TableName=moto_tables.achievements, Item={**achievement_key(1), "title": {"S": "squatter"}}
    )

    # When an event is stored
    result = store.upsert(draft())

    # Then the first transaction (id 1) wrote neither its achievement nor its ref; the retry got id 2
    assert result.achievement_id == 2
    squatter = moto_tables.client.get_item(TableName=moto_tables.achievements, Key=achievement_key(1))["Item"]
    assert squatter["title"]["S"] == "squatter"
    refs = [item for item in moto_tables.items() if item["sk"]["S"] == "REF"]
    assert [int(ref["achievement_id"]["N"]) for ref in refs] == [2]


def test_floats_survive_the_round_trip_exactly(store: AchievementStore) -> None:
    # When metrics holding 0.1 + 0.2, a 10**12 int, a negative float and a bool are stored and read back
    result = store.upsert(draft(metrics={"rate": 0.1 + 0.2, "big": 10**12, "neg": -1.5, "flag": True}))
    stored = store.get(result.achievement_id)

    # Then they come back exactly equal, types included
    assert stored is not None
    assert stored.metrics == {"rate": 0.1 + 0.2, "big": 10**12, "neg": -1.5, "flag": True}


def test_unknown_id_reads_as_none(store: AchievementStore) -> None:
    # When an id that was never given out is read, Then there is none
    assert store.get(999) is None


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_numbers_cannot_make_a_draft(bad: float) -> None:
    # When a draft is made with a NaN or infinite metric, Then it is refused as not a finite number
    with pytest.raises(ValueError, match="finite number"):
        draft(metrics={"x": bad})


def test_analysis_is_saved_only_for_the_content_that_was_analysed(store: AchievementStore) -> None:
    # Given an achievement whose content (100 views) was read for analysis
    result = store.upsert(draft(views=100))
    analysed = store.get(result.achievement_id)
    assert analysed is not None

    # And the achievement changed after the analysis started (now 900 views)
    store.upsert(draft(views=900))

    # When its stale analysis is saved, Then it is refused, leaving no analysis
    assert store.save_analysis(result.achievement_id, {"impact_score": 50}, 50, analysed.fingerprint) is False
    current = store.get(result.achievement_id)
    assert current is not None
    assert current.analysis is None

    # When an analysis of the current content is saved, Then it is kept with its impact score
    assert store.save_analysis(result.achievement_id, {"impact_score": 70}, 70, current.fingerprint) is True
    saved = store.get(result.achievement_id)
    assert saved is not None
    assert (saved.analysis, saved.impact_score) == ({"impact_score": 70}, 70)

    # When an analysis is saved for an unknown id, Then it is refused
    assert store.save_analysis(404, {}, None, "x") is False
