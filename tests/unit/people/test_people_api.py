"""The people registry through the Lambda handler on moto: people, aliases, teams, attribution, bad input."""

from __future__ import annotations

from typing import Any

from achievements.core.models import AchievementDraft, Category, Source
from achievements.people.deps import PeopleDeps
from tests.conftest import Tables
from tests.unit.people.conftest import Invoke, queued

ALICE = {"name": "Alice Example", "aliases": ["github:alice", "persona:ai-jesus"], "teams": ["platform"]}


def pull_request(login: str, ref: str) -> AchievementDraft:
    return AchievementDraft(
        title=f"Merged {ref}",
        description="",
        category=Category.DEVELOPMENT,
        source=Source.GITHUB,
        source_ref=ref,
        author=login,
        technologies=["Python"],
    )


def test_a_person_is_stored_listed_and_their_team_answers(call: Invoke, queue_url: str) -> None:
    # Given a person with two aliases and a team
    status, _, body = call("PUT", "/people/alice", body=ALICE)

    # When the registry and the team are read
    _, _, one = call("GET", "/people/alice")
    _, _, everyone = call("GET", "/people")
    _, _, team = call("GET", "/teams/platform")

    # Then each answers the person; both new aliases are queued for re-attribution
    assert status == 200
    assert body["reattributing"] == ["github:alice", "persona:ai-jesus"]
    assert (one["slug"], one["aliases"], one["teams"]) == ("alice", ALICE["aliases"], ["platform"])
    assert [p["slug"] for p in everyone["items"]] == ["alice"]
    assert everyone["default_owner"] == "me"
    assert [m["slug"] for m in team["members"]] == ["alice"]
    assert sorted(job["alias"] for job in queued(queue_url)) == ["github:alice", "persona:ai-jesus"]


def test_events_are_attributed_by_alias_else_to_the_default_owner(
    call: Invoke, people: PeopleDeps, moto_tables: Tables
) -> None:
    # Given alice claims github:alice
    call("PUT", "/people/alice", body=ALICE)

    # When pull requests of alice and of an unknown login are stored
    mine = people.store.upsert(pull_request("alice", "pr-1"))
    other = people.store.upsert(pull_request("bob", "pr-2"))

    # Then alice's is hers with her teams; the other is the default owner's, waiting for an alias
    first, second = people.store.get(mine.achievement_id), people.store.get(other.achievement_id)
    assert first is not None
    assert second is not None
    assert (first.person, first.teams, first.attributed_by) == ("alice", ["platform"], "alias")
    assert (second.person, second.teams, second.attributed_by) == ("me", [], "default")
    unclaimed = [item["sk"]["S"] for item in moto_tables.items() if item["pk"]["S"] == "UNCLAIMED#github"]
    assert unclaimed == [f"bob#{other.achievement_id:012d}"]


def test_an_alias_claimed_by_a_second_person_is_409_and_nothing_is_written(call: Invoke, moto_tables: Tables) -> None:
    # Given alice holds github:alice
    call("PUT", "/people/alice", body=ALICE)
    before = moto_tables.items()

    # When bob claims it too
    status, _, body = call("PUT", "/people/bob", body={"name": "Bob", "aliases": ["github:bob", "github:alice"]})

    # Then 409 names the alias, and neither bob nor github:bob was written
    assert status == 409
    assert body == {"message": "alias 'github:alice' belongs to another person"}
    assert moto_tables.items() == before


def test_unknown_person_and_team_are_404(call: Invoke) -> None:
    assert call("GET", "/people/nobody")[:1] == (404,)
    assert call("DELETE", "/people/nobody")[:1] == (404,)
    assert call("GET", "/teams/nobody")[:1] == (404,)
    assert call("GET", "/teams/nobody/skills")[:1] == (404,)
    assert call("GET", "/analyze/career-insights", query={"person": "nobody"})[:1] == (404,)
    assert call("GET", "/analyze/career-insights", query={"team": "nobody"})[:1] == (404,)


def test_the_default_owner_exists_without_a_registry(call: Invoke) -> None:
    status, _, body = call("GET", "/people/me")
    assert (status, body["slug"], body["registered"]) == (200, "me", False)


def test_slugs_and_aliases_that_are_not_ones_are_422_naming_them(call: Invoke, moto_tables: Tables) -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("/people/Alice", ALICE, "invalid person 'Alice'"),
        ("/people/-x", ALICE, "invalid person '-x'"),
        ("/people/alice", {**ALICE, "aliases": ["twitter:alice"]}, "alias 'twitter:alice' must be one of"),
        ("/people/alice", {**ALICE, "aliases": ["github:al ice"]}, "alias 'github:al ice'"),
        ("/people/alice", {**ALICE, "teams": ["Platform Team"]}, "invalid team 'Platform Team'"),
        ("/people/alice", {**ALICE, "teams": ["a", "b", "c", "d", "e", "f"]}, "invalid request: teams"),
    ]
    for path, body, message in cases:
        status, _, answer = call("PUT", path, body=body)
        assert status == 422, (path, body)
        assert message in answer["message"]
    assert call("GET", "/teams/Not_A_Slug")[:1] == (422,)
    assert moto_tables.items() == []


def test_a_body_over_the_limit_is_413_and_nothing_is_written(call: Invoke, moto_tables: Tables) -> None:
    status, _, body = call("PUT", "/people/alice", raw_body='{"name": "' + "x" * 70_000 + '"}')
    assert status == 413
    assert "limit" in body["message"]
    assert moto_tables.items() == []


def test_removing_an_alias_and_a_team_releases_them(call: Invoke) -> None:
    # Given alice with two aliases in platform
    call("PUT", "/people/alice", body=ALICE)

    # When she keeps one alias and moves team, and bob then claims the released alias
    call("PUT", "/people/alice", body={**ALICE, "aliases": ["github:alice"], "teams": ["data"]})
    status, _, _ = call("PUT", "/people/bob", body={"name": "Bob", "aliases": ["persona:ai-jesus"]})

    # Then bob holds it and platform is gone
    assert status == 200
    assert call("GET", "/teams/platform")[:1] == (404,)
    assert [m["slug"] for m in call("GET", "/teams/data")[2]["members"]] == ["alice"]


def test_deleting_a_person_frees_their_aliases(call: Invoke) -> None:
    call("PUT", "/people/alice", body=ALICE)
    assert call("DELETE", "/people/alice")[:1] == (200,)
    assert call("GET", "/people/alice")[:1] == (404,)
    assert call("PUT", "/people/bob", body={"name": "Bob", "aliases": ["github:alice"]})[:1] == (200,)
