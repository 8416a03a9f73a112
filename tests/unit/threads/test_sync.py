"""The Threads-Agent sync against the loopback threads-adaptor (SPEC §7): mapping, repeats, every fault."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from achievements.core.models import Source
from achievements.threads.deps import sync_deps
from achievements.threads.models import SyncReport, SyncTrigger, ViralPostIn
from achievements.threads.service import track_viral_post
from achievements.threads.settings import ThreadsSyncSettings
from achievements.threads.sync import AdaptorAuthUnusable
from tests.conftest import Tables, clients_of
from tests.fakes.threads_adaptor import ThreadsAdaptor, down_url, post


@pytest.fixture
def adaptor() -> Iterator[ThreadsAdaptor]:
    with ThreadsAdaptor() as running:
        yield running


def graph(tables: Tables, url: str, **settings: Any) -> Any:
    values = {"ACHIEVEMENTS_TABLE_NAME": tables.achievements, "THREADS_ADAPTOR_URL": url, **settings}
    options = {key: values.pop(key) for key in ("load_auth",) if key in values}
    return sync_deps.build(ThreadsSyncSettings(**values), clients_of(tables), **options)


def run(tables: Tables, url: str, **settings: Any) -> SyncReport:
    return graph(tables, url, **settings).sync.sync(SyncTrigger.MANUAL)


def achievements(tables: Tables) -> dict[str, dict[str, Any]]:
    """The stored achievements by post id (from their evidence)."""
    from achievements.store.reads import achievement_of

    found = {}
    for item in tables.achievement_items():
        achievement = achievement_of(item)
        found[achievement.evidence["post_id"]] = achievement.model_dump(mode="json")
    return found


def lines(report: SyncReport) -> dict[str, Any]:
    return {line.thread_id: line for line in report.posts}


def kinds(report: SyncReport) -> list[tuple[str | None, str]]:
    return [(error.thread_id, error.kind.value) for error in report.errors]


def assert_counts_add_up(report: SyncReport) -> None:
    counts = report.counts
    assert counts.seen == len(report.posts)
    assert counts.seen == counts.created + counts.updated + counts.unchanged + counts.skipped + counts.failed


# ---- mapping and repeats --------------------------------------------------------------------------------


def test_viral_posts_become_achievements_mapped_as_spec_section_7_says(moto_tables, adaptor) -> None:
    # Given the demo adaptor: five posts, three at or above 6%

    # When a sync runs
    report = run(moto_tables, adaptor.url)

    # Then the three viral posts are created, the two others skipped with the reason
    assert report.outcome == "succeeded"
    assert report.counts.model_dump() == {
        "seen": 5,
        "viral": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 2,
        "failed": 0,
    }
    assert_counts_add_up(report)
    assert "below the viral threshold 0.06" in (lines(report)["demo-thread-2"].reason or "")
    stored = achievements(moto_tables)
    assert sorted(stored) == ["demo-thread-1", "demo-thread-3", "demo-thread-5"]
    # and each is what a push of the same post with post_id would be: views <- impressions, hook <- first line
    first = stored["demo-thread-1"]
    assert first["source"] == "threads"
    assert first["source_ref"] == "post:demo-thread-1"
    assert first["title"] == "Viral Post: AI will revolutionize everything"
    assert first["persona_id"] == "ai-jesus"
    assert first["metrics"]["views"] == 10000
    assert first["metrics"]["likes"] == 650
    assert first["metrics"]["shares"] == 100
    assert first["metrics"]["engagement_rate"] == 0.08
    assert first["metrics"]["estimated_revenue_usd"] == 8.0
    assert first["occurred_at"].startswith("2025-01-25T14:30:00")  # published_at without zone: UTC
    # and it says the hook came from the adaptor's preview (its content is cut at 100 characters)
    assert first["evidence"]["origin"] == "threads-adaptor"
    assert "preview" in first["evidence"]["hook_from"]
    assert first["evidence"]["body"].endswith("...")
    assert len(first["evidence"]["body"]) == 103
    # and only the viral posts' engagement was read
    assert sorted(path for path, _, _ in adaptor.calls_to("/engagement/")) == [
        "/engagement/demo-thread-1",
        "/engagement/demo-thread-3",
        "/engagement/demo-thread-5",
    ]


def test_syncing_again_and_again_changes_nothing(moto_tables, adaptor) -> None:
    # Given a first sync stored the viral posts
    sync = graph(moto_tables, adaptor.url).sync
    sync.sync(SyncTrigger.MANUAL)
    before = moto_tables.items()

    # When it runs again, twice
    reports = [sync.sync(SyncTrigger.SCHEDULE), sync.sync(SyncTrigger.MANUAL)]

    # Then every viral post is unchanged and no achievement item moved
    for report in reports:
        assert report.counts.unchanged == 3
        assert report.counts.created == report.counts.updated == 0
    after = [item for item in moto_tables.items() if item["pk"]["S"] != "THREADS_SYNC"]
    assert sorted(map(json.dumps, after)) == sorted(
        json.dumps(item) for item in before if item["pk"]["S"] != "THREADS_SYNC"
    )


def test_grown_counters_update_the_achievement_and_lower_ones_never_replace_it(moto_tables, adaptor) -> None:
    # Given a synced post
    sync = graph(moto_tables, adaptor.url).sync
    created = lines(sync.sync(SyncTrigger.MANUAL))["demo-thread-1"]

    # When its counters grow
    adaptor.grow("demo-thread-1", impressions=5000, likes=500, shares=50)
    grown = lines(sync.sync(SyncTrigger.MANUAL))["demo-thread-1"]

    # Then it is updated in place
    assert (grown.status, grown.achievement_id) == ("updated", created.achievement_id)
    assert achievements(moto_tables)["demo-thread-1"]["metrics"]["views"] == 15000

    # When the adaptor later reports fewer views (a recount)
    adaptor.grow("demo-thread-1", impressions=-2000)
    fewer = lines(sync.sync(SyncTrigger.MANUAL))["demo-thread-1"]

    # Then the stored numbers stay and the line says why
    assert (fewer.status, fewer.achievement_id) == ("unchanged", created.achievement_id)
    assert "views 15,000 -> 13,000" in (fewer.reason or "")
    assert achievements(moto_tables)["demo-thread-1"]["metrics"]["views"] == 15000


def test_push_and_pull_of_one_post_make_one_achievement_and_keep_the_pushed_text(moto_tables, adaptor, store) -> None:
    # Given the post was pushed with its full text and post_id = the adaptor's thread_id
    pushed = track_viral_post(
        ViralPostIn(
            hook="AI will revolutionize everything (full hook)",
            body="The whole post, not a preview.",
            engagement_rate=0.08,
            views=9000,
            likes=600,
            shares=90,
            persona_id="ai-jesus",
            post_id="demo-thread-1",
        ),
        store,
    )

    # When the sync pulls the same post with grown counters
    line = lines(run(moto_tables, adaptor.url))["demo-thread-1"]

    # Then it updates that achievement: the numbers from the adaptor, the text from the push
    assert (line.status, line.achievement_id) == ("updated", pushed.achievement_id)
    stored = achievements(moto_tables)["demo-thread-1"]
    assert stored["id"] == pushed.achievement_id
    assert stored["metrics"]["views"] == 10000
    assert stored["title"] == "Viral Post: AI will revolutionize everything (full hook)"
    assert stored["evidence"]["body"] == "The whole post, not a preview."
    assert "origin" not in stored["evidence"]
    assert len(moto_tables.achievement_items()) == 3


def test_a_push_after_a_pull_finds_the_same_achievement(moto_tables, adaptor, store) -> None:
    # Given the sync created the post's achievement
    line = lines(run(moto_tables, adaptor.url))["demo-thread-3"]

    # When the same post is pushed with post_id
    pushed = track_viral_post(
        ViralPostIn(
            hook="Ship it on Friday?", engagement_rate=0.08, views=5000, likes=300, shares=60, post_id="demo-thread-3"
        ),
        store,
    )

    # Then it is that achievement, not a second one
    assert pushed.achievement_id == line.achievement_id
    assert pushed.status in ("updated", "unchanged")
    assert len(moto_tables.achievement_items()) == 3


def test_the_store_hook_refuses_lower_counters_even_when_the_pre_check_raced(moto_tables, adaptor) -> None:
    # Given a stored post with 10,000 views
    sync = graph(moto_tables, adaptor.url).sync
    sync.sync(SyncTrigger.MANUAL)
    from achievements.threads.drafts import adaptor_post_draft

    lower = ViralPostIn(hook="AI", engagement_rate=0.09, views=9000, likes=800, shares=100, post_id="demo-thread-1")

    # When a write of lower views reaches the store directly (as a racing sync's would)
    result = sync.store.upsert(adaptor_post_draft(lower, 0))
    # Then the store's counter floors (SPEC §5) keep it unchanged, saying why, and the numbers stay
    assert result.status == "unchanged"
    assert result.reason is not None
    assert "views" in result.reason
    assert achievements(moto_tables)["demo-thread-1"]["metrics"]["views"] == 10000


def test_duplicate_thread_ids_in_one_answer_make_one_achievement(moto_tables, adaptor) -> None:
    # Given an answer listing one post twice
    entry = post("dup-1").listed()
    adaptor.answer("/posts", 200, [entry, entry])
    adaptor.add(post("dup-1"))

    # When a sync runs
    report = run(moto_tables, adaptor.url)

    # Then the post is created once, the repeat skipped as a duplicate, its engagement read once
    assert [(line.status, (line.reason or "")[:9]) for line in report.posts] == [
        ("created", ""),
        ("skipped", "duplicate"),
    ]
    assert len(moto_tables.achievement_items()) == 1
    assert len(adaptor.calls_to("/engagement/")) == 1
    assert_counts_add_up(report)


@pytest.mark.parametrize(
    ("published_at", "expected"),
    [
        ("2025-01-25T16:30:00", "2025-01-25T16:30:00"),  # no zone: UTC, as the adaptor means it
        ("2025-01-25T16:30:00.123456", "2025-01-25T16:30:00.123456"),
        ("2025-01-25T18:30:00+02:00", "2025-01-25T16:30:00"),  # a zone: converted
        ("2025-01-25T16:30:00Z", "2025-01-25T16:30:00"),
    ],
)
def test_published_at_with_or_without_a_zone_is_the_same_utc_instant(
    moto_tables, adaptor, published_at: str, expected: str
) -> None:
    # Given a post (and its engagement) whose published_at is written this way
    adaptor.posts = [post("zoned")]
    entry = {**post("zoned").listed(), "published_at": published_at}
    adaptor.answer("/posts", 200, [entry])
    adaptor.answer("/engagement/zoned", 200, {**post("zoned").engagement(), "published_at": published_at})

    # When a sync runs
    run(moto_tables, adaptor.url)

    # Then the achievement occurred at that instant in UTC
    assert achievements(moto_tables)["zoned"]["occurred_at"].startswith(expected)


# ---- faults: the run completes for the rest, reports each failure, creates nothing bogus ----------------


def test_adaptor_down_fails_the_run_with_the_reason_and_creates_nothing(moto_tables) -> None:
    # Given nothing listening at the adaptor's URL
    sync = graph(moto_tables, down_url()).sync

    # When a sync runs
    report = sync.sync(SyncTrigger.SCHEDULE)

    # Then it fails, says why, stores nothing, and the status remembers it
    assert report.outcome == "failed"
    assert kinds(report) == [(None, "unreachable")]
    assert moto_tables.achievement_items() == []
    status = sync.status()
    assert status.last_outcome == "failed"
    assert status.last_trigger == "schedule"
    assert status.last_errors[0].kind == "unreachable"


def test_an_adaptor_slower_than_the_timeout_is_reported_as_a_timeout(moto_tables, adaptor) -> None:
    # Given the list answering after 3 s, with a 0.5 s timeout
    adaptor.delays["/posts"] = 3.0

    # When a sync runs
    report = run(moto_tables, adaptor.url, THREADS_ADAPTOR_TIMEOUT_SECONDS=0.5)

    # Then the list timed out, nothing was stored
    assert report.outcome == "failed"
    assert kinds(report) == [(None, "timeout")]
    assert moto_tables.achievement_items() == []


def test_one_slow_engagement_times_out_alone(moto_tables, adaptor) -> None:
    # Given one post's engagement answering after 3 s, with a 0.5 s timeout
    adaptor.delays["/engagement/demo-thread-5"] = 3.0

    # When a sync runs
    report = run(moto_tables, adaptor.url, THREADS_ADAPTOR_TIMEOUT_SECONDS=0.5)

    # Then that post failed with a timeout; the other viral posts were created
    assert report.outcome == "partial"
    assert kinds(report) == [("demo-thread-5", "timeout")]
    assert report.counts.created == 2
    assert sorted(achievements(moto_tables)) == ["demo-thread-1", "demo-thread-3"]


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (500, {"detail": "Internal Server Error"}, "http_error"),
        (401, {"detail": "Not authenticated"}, "http_error"),
        (200, b"<html>gateway</html>", "bad_response"),
        (200, {"posts": []}, "bad_response"),  # JSON, but an object instead of the array
        (200, b'"just a string"', "bad_response"),
    ],
)
def test_an_unusable_posts_answer_fails_the_run_and_creates_nothing(moto_tables, adaptor, status, body, kind) -> None:
    # Given the list answering this way
    adaptor.answer("/posts", status, body)

    # When a sync runs
    report = run(moto_tables, adaptor.url)

    # Then the run failed with the kind of fault, and nothing was stored
    assert report.outcome == "failed"
    assert kinds(report) == [(None, kind)]
    assert moto_tables.achievement_items() == []


def test_a_404_for_one_engagement_fails_that_post_only(moto_tables, adaptor) -> None:
    # Given the adaptor no longer knowing one listed post
    adaptor.answer("/engagement/demo-thread-3", 404, {"detail": "Post not found"})

    # When a sync runs
    report = run(moto_tables, adaptor.url)

    # Then that post is a failure named not_found; the others were created
    assert report.outcome == "partial"
    assert kinds(report) == [("demo-thread-3", "not_found")]
    assert "Post not found" in report.errors[0].message
    assert lines(report)["demo-thread-3"].status == "failed"
    assert sorted(achievements(moto_tables)) == ["demo-thread-1", "demo-thread-5"]
    assert_counts_add_up(report)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"engagement_rate": float("nan")}, "finite"),
        ({"engagement_rate": -0.1}, "greater than or equal to 0"),
        ({"engagement_rate": 1.5}, "less than or equal to 1"),
        ({"engagement_rate": "0.08"}, "engagement_rate"),
        ({"likes_count": -5}, "likes_count"),
        ({"thread_id": ""}, "thread_id"),
        ({"published_at": "yesterday"}, "published_at"),
        ({"published_at": 1737822600}, "published_at"),
    ],
)
def test_an_invalid_list_entry_fails_alone(moto_tables, adaptor, change: dict[str, Any], fragment: str) -> None:
    # Given one entry breaking the contract among good ones (NaN written as Python's json writes it)
    entries = [p.listed() for p in adaptor.posts]
    entries[0] = {**entries[0], **change}
    adaptor.answer("/posts", 200, json.dumps(entries).encode())

    # When a sync runs
    report = run(moto_tables, adaptor.url)

    # Then that entry failed as invalid_post, naming the field; the other viral posts were created
    assert report.outcome == "partial"
    assert [error.kind for error in report.errors] == ["invalid_post"]
    assert fragment in report.errors[0].message
    assert report.counts.failed == 1
    assert sorted(achievements(moto_tables)) == ["demo-thread-3", "demo-thread-5"]
    assert_counts_add_up(report)


def test_entries_that_are_not_objects_fail_alone(moto_tables, adaptor) -> None:
    # Given a list holding a number and null besides a good post
    adaptor.answer("/posts", 200, [42, None, post("ok-1").listed()])
    adaptor.add(post("ok-1"))

    # When a sync runs
    report = run(moto_tables, adaptor.url)

    # Then both are reported, the good post created
    assert [error.kind for error in report.errors] == ["invalid_post", "invalid_post"]
    assert sorted(achievements(moto_tables)) == ["ok-1"]


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"engagement_rate": float("nan")}, "invalid_post"),
        ({"engagement_rate": 7}, "invalid_post"),
        ({"impressions_count": -1}, "invalid_post"),
        ({"thread_id": "another-post"}, "bad_response"),
        ({"impressions_count": 0}, "no_impressions"),
    ],
)
def test_an_invalid_engagement_fails_its_post_and_creates_nothing_bogus(
    moto_tables, adaptor, change: dict[str, Any], kind: str
) -> None:
    # Given one viral post whose engagement answer is wrong this way
    adaptor.answer("/engagement/demo-thread-1", 200, json.dumps({**adaptor.posts[0].engagement(), **change}).encode())

    # When a sync runs
    report = run(moto_tables, adaptor.url)

    # Then that post failed with the kind; no achievement of it exists
    assert kinds(report) == [("demo-thread-1", kind)]
    assert "demo-thread-1" not in achievements(moto_tables)
    assert report.counts.created == 2


def test_a_post_no_longer_viral_by_its_engagement_is_skipped(moto_tables, adaptor) -> None:
    # Given a listed viral post whose engagement now says 5%
    adaptor.answer("/engagement/demo-thread-1", 200, {**adaptor.posts[0].engagement(), "engagement_rate": 0.05})

    # When a sync runs
    line = lines(run(moto_tables, adaptor.url))["demo-thread-1"]

    # Then it is skipped, saying the engagement's rate is below the threshold
    assert line.status == "skipped"
    assert "engagement now" in (line.reason or "")
    assert "demo-thread-1" not in achievements(moto_tables)


def test_a_huge_list_is_cut_to_the_limit_and_reported(moto_tables, adaptor) -> None:
    # Given an adaptor ignoring the limit: 2,000 posts for limit 10 (none viral, so no engagement calls)
    adaptor.answer("/posts", 200, [post(f"p{n}", likes=1, comments=0, shares=0).listed() for n in range(2000)])

    # When a sync runs with limit 10
    report = run(moto_tables, adaptor.url, THREADS_SYNC_LIMIT=10)

    # Then only the first 10 were read, and the excess is reported
    assert report.counts.seen == 10
    assert report.outcome == "partial"
    assert kinds(report) == [(None, "too_large")]
    assert "2,000 posts for limit 10" in report.errors[0].message
    assert adaptor.calls_to("/posts")[0][1]["limit"] == ["10"]


def test_an_answer_over_the_byte_cap_is_refused_without_reading_it_all(moto_tables, adaptor) -> None:
    # Given a 6 MB answer (over the 4 MB cap)
    adaptor.answer("/posts", 200, b"[" + b" " * 6_000_000 + b"]")

    # When a sync runs
    report = run(moto_tables, adaptor.url)

    # Then it failed as too_large
    assert kinds(report) == [(None, "too_large")]
    assert moto_tables.achievement_items() == []


# ---- personas, limits, auth ------------------------------------------------------------------------------


def test_configured_personas_are_listed_one_by_one(moto_tables, adaptor) -> None:
    # Given two configured personas
    report = run(moto_tables, adaptor.url, THREADS_SYNC_PERSONA_IDS="ai-jesus,ai-elon", THREADS_SYNC_LIMIT=7)

    # Then one list per persona was read, each with the limit, and every viral post stored once
    asked = sorted((call[1]["persona_id"][0], call[1]["limit"][0]) for call in adaptor.calls_to("/posts"))
    assert asked == [("ai-elon", "7"), ("ai-jesus", "7")]
    assert report.persona_ids == ["ai-jesus", "ai-elon"]
    assert report.counts.created == 3


def test_a_requested_persona_and_limit_replace_the_configured_ones(moto_tables, adaptor) -> None:
    # Given two configured personas
    # When a sync asks for one persona and a limit through the request
    report = graph(moto_tables, adaptor.url, THREADS_SYNC_PERSONA_IDS="a,b").sync.sync(
        SyncTrigger.MANUAL, persona_id="ai-jesus", limit=3
    )

    # Then only that persona was listed with that limit
    assert [call[1] for call in adaptor.calls_to("/posts")] == [{"persona_id": ["ai-jesus"], "limit": ["3"]}]
    assert report.persona_ids == ["ai-jesus"]
    assert report.limit == 3


def test_the_auth_secret_is_sent_as_a_bearer_token(moto_tables, adaptor) -> None:
    # Given the adaptor's auth secret holding a bearer token
    import boto3

    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    arn = secrets.create_secret(Name="adaptor-auth", SecretString='{"bearer_token": "s3cr3t"}')["ARN"]
    settings = ThreadsSyncSettings(
        ACHIEVEMENTS_TABLE_NAME=moto_tables.achievements,
        THREADS_ADAPTOR_URL=adaptor.url,
        THREADS_ADAPTOR_AUTH_SECRET_ID=arn,
    )
    sync = sync_deps.build(settings, clients_of(moto_tables, secretsmanager=secrets)).sync

    # When a sync runs
    report = sync.sync(SyncTrigger.MANUAL)

    # Then every call carried it, and the status says a secret is used without showing it
    assert report.outcome == "succeeded"
    assert {auth for _, _, auth in adaptor.calls} == {"Bearer s3cr3t"}
    status = sync.status().model_dump_json()
    assert '"auth":"secret"' in status
    assert "s3cr3t" not in status + report.model_dump_json()


def test_an_unusable_auth_secret_fails_the_run_before_calling_the_adaptor(moto_tables, adaptor) -> None:
    # Given an auth loader that cannot produce credentials
    def broken() -> None:
        raise AdaptorAuthUnusable("the threads-adaptor auth secret is unusable: the secret must be a JSON object")

    # When a sync runs
    report = run(moto_tables, adaptor.url, load_auth=broken)

    # Then it failed as a configuration fault, and the adaptor was not called
    assert report.outcome == "failed"
    assert kinds(report) == [(None, "config")]
    assert adaptor.calls == []


def test_the_status_shows_the_adaptor_host_but_never_its_path_or_credentials(moto_tables) -> None:
    # Given an adaptor URL with a path and a query
    sync = graph(moto_tables, "https://adaptor.example.com:8443/api/v1?token=abc").sync

    # When the status is read before any run
    status = sync.status()

    # Then it shows the scheme, host and port only, and no last run
    assert status.adaptor_host == "https://adaptor.example.com:8443"
    assert status.last_run is None
    assert status.interval_hours == 1
    assert status.status == "active"


def test_an_adaptor_url_with_credentials_is_refused_at_cold_start() -> None:
    # When the settings hold a URL with a user and password
    # Then they do not validate, naming the variable
    with pytest.raises(ValueError, match="THREADS_ADAPTOR_URL must not carry credentials"):
        ThreadsSyncSettings(ACHIEVEMENTS_TABLE_NAME="table", THREADS_ADAPTOR_URL="http://u:p@adaptor:8000")


def test_a_source_ref_is_the_push_one_for_the_same_post_id(moto_tables, adaptor, store) -> None:
    # When a sync created a post
    run(moto_tables, adaptor.url)

    # Then the store finds it by the ref a push with post_id uses
    assert store.find_by_ref(Source.THREADS, "post:demo-thread-5") is not None


def test_the_run_logs_its_counts_at_info_level(moto_tables, adaptor, caplog) -> None:
    # Given the function logging at INFO (as deployed: every log call really formats its record)
    from achievements.core.observability import logger

    logger.setLevel("INFO")
    try:
        # When a sync runs
        run(moto_tables, adaptor.url)
    finally:
        logger.setLevel("WARNING")

    # Then one structured record tells the outcome and the counts
    (finished,) = [record for record in caplog.records if record.getMessage() == "threads sync finished"]
    assert finished.outcome == "succeeded"  # type: ignore[attr-defined]
    assert finished.posts_created == 3  # type: ignore[attr-defined]
    assert finished.posts_skipped == 2  # type: ignore[attr-defined]
