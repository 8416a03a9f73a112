"""Which event a change is: pure rules on plain achievement dicts."""

from __future__ import annotations

from typing import Any

import pytest

from achievements.pipeline.models import DetailType
from achievements.pipeline.rules import domain_event
from achievements.pipeline.texts import numbers_text

ITEM: dict[str, Any] = {
    "id": 7,
    "title": "Viral post",
    "category": "content",
    "source": "threads",
    "fingerprint": "f1",
    "updated_at": "2026-12-01T10:00:00Z",
    "impact_score": None,
    "metrics": {"views": 12000, "engagement_rate": 0.085, "viral": True},
}


def test_an_insert_is_created_and_worth_analysing() -> None:
    # Given a new item, When it becomes an event
    event = domain_event("INSERT", None, ITEM, "100", "https://api/Prod")
    # Then it is Created, content changed, with its numbers, link and ids
    assert event is not None
    assert event.detail_type is DetailType.CREATED
    detail = event.detail
    assert (detail.id, detail.event_id, detail.version, detail.content_changed) == (7, "100", ITEM["updated_at"], True)
    assert detail.numbers == "not scored yet; engagement_rate 0.09, views 12,000"
    assert detail.link == "https://api/Prod/achievements/7"
    assert (detail.person, detail.teams) == (None, [])


def test_a_content_change_is_updated_with_the_changed_fields() -> None:
    # Given the same item with new numbers and a new fingerprint (and a later updated_at)
    new = {**ITEM, "metrics": {"views": 20000}, "fingerprint": "f2", "updated_at": "2026-12-01T11:00:00Z"}
    # When it becomes an event, Then it is Updated, naming what changed (not the bookkeeping)
    event = domain_event("MODIFY", ITEM, new, "101")
    assert event is not None
    assert event.detail_type is DetailType.UPDATED
    assert event.detail.changed == ["fingerprint", "metrics"]
    assert event.detail.content_changed is True
    assert event.detail.fingerprint == "f2"


def test_an_attached_analysis_is_analysed_and_not_worth_analysing_again() -> None:
    # Given the item with an analysis and a score attached
    new = {**ITEM, "analysis": {"impact_score": 90}, "impact_score": 90.0, "updated_at": "2026-12-01T12:00:00Z"}
    # When it becomes an event, Then it is Analysed, with the score and no content change
    event = domain_event("MODIFY", ITEM, new, "102")
    assert event is not None
    assert event.detail_type is DetailType.ANALYSED
    assert (event.detail.impact_score, event.detail.content_changed) == (90.0, False)
    assert event.detail.changed == ["analysis", "impact_score"]
    assert event.detail.numbers.startswith("impact 90/100; ")


def test_a_change_of_bookkeeping_only_is_no_event() -> None:
    # Given only updated_at moved, When it becomes an event, Then there is none
    assert domain_event("MODIFY", ITEM, {**ITEM, "updated_at": "2026-12-02T00:00:00Z"}, "103") is None


def test_a_removal_is_deleted_from_the_old_image() -> None:
    # Given a removed item, When it becomes an event, Then it is Deleted with the last version
    event = domain_event("REMOVE", ITEM, None, "104")
    assert event is not None
    assert (event.detail_type, event.detail.id, event.detail.content_changed) == (DetailType.DELETED, 7, False)


def test_a_soft_delete_is_deleted_and_a_restore_is_updated() -> None:
    # Given the item soft-deleted (DELETE /achievements/{id}), then restored, then changed while deleted
    deleted = {**ITEM, "deleted_at": "2026-12-01T13:00:00Z", "updated_at": "2026-12-01T13:00:00Z"}
    restored = {**ITEM, "deleted_at": None, "updated_at": "2026-12-01T14:00:00Z"}
    moved = {**deleted, "person": "ana", "updated_at": "2026-12-01T15:00:00Z"}
    # When each becomes an event
    gone = domain_event("MODIFY", ITEM, deleted, "107")
    back = domain_event("MODIFY", deleted, restored, "108")
    # Then the delete is Deleted (nothing to analyse), the restore Updated, and a deleted one's change no event
    assert gone is not None
    assert (gone.detail_type, gone.detail.changed, gone.detail.content_changed) == (
        DetailType.DELETED,
        ["deleted_at"],
        False,
    )
    assert back is not None
    assert (back.detail_type, back.detail.content_changed) == (DetailType.UPDATED, False)
    assert domain_event("MODIFY", deleted, moved, "109") is None


def test_person_teams_and_version_are_read_from_the_item_when_present() -> None:
    # Given an item with a person, teams (ids or objects) and a version
    item = {**ITEM, "person": {"id": "ana"}, "teams": ["platform", {"name": "growth"}], "version": 3}
    # When it becomes an event, Then they are in the detail
    event = domain_event("INSERT", None, item, "105")
    assert event is not None
    assert (event.detail.person, event.detail.teams, event.detail.version) == ("ana", ["platform", "growth"], "3")


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [("INSERT", None, None), ("MODIFY", ITEM, None), ("REMOVE", None, ITEM), ("INSERT", None, {"title": "no id"})],
)
def test_a_record_without_what_it_needs_is_refused(name: str, old: Any, new: Any) -> None:
    # Given a record missing its image or the achievement's fields, When it becomes an event, Then it raises
    with pytest.raises((ValueError, KeyError)):
        domain_event(name, old, new, "106")


def test_numbers_show_at_most_four_metrics_and_the_score() -> None:
    # Given many metrics, When they are written out, Then the score and the first four numbers by name
    metrics = {name: 1 for name in "abcdef"}
    assert numbers_text(metrics, 71.5) == "impact 71.5/100; a 1, b 1, c 1, d 1"
