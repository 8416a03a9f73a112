"""Pure scrape rules: configuration overrides, improvement/milestone drafts and their keys, intelligent thresholds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from achievements.core.metrics import CATALOGUE
from achievements.core.models import Direction, Source
from achievements.prometheus.drafts import (
    InvalidScrapeConfig,
    improvement_draft,
    improvement_ref,
    milestone_drafts,
    parse_overrides,
    scrape_targets,
)
from achievements.prometheus.thresholds import HistoryPolicy, ThresholdSource, intelligent_threshold, quantile

AT = datetime(2025, 1, 25, 16, 30, tzinfo=UTC)


def targets_by_name(*layers):
    return {target.name: target for target in scrape_targets(*layers)}


# ---- configuration ---------------------------------------------------------------------------------


def test_without_overrides_every_catalogue_metric_is_scraped_with_its_defaults() -> None:
    # When the targets are built with no overrides
    targets = targets_by_name()

    # Then every catalogue metric is there, in catalogue order, with its catalogue threshold
    assert list(targets) == list(CATALOGUE)
    assert {name: t.threshold for name, t in targets.items()} == {n: s.threshold for n, s in CATALOGUE.items()}
    # And only the counter has milestones, and latency is queried as a p95 histogram quantile
    assert targets["posts_generated_total"].milestones == (100, 500, 1000, 5000, 10000)
    assert targets["content_generation_latency_seconds"].milestones == ()
    assert targets["content_generation_latency_seconds"].query.startswith("histogram_quantile(0.95")


def test_overrides_change_threshold_query_and_milestones_and_can_disable_a_metric() -> None:
    # Given overrides from JSON (what the SSM parameter holds)
    overrides = parse_overrides(
        '{"content_generation_latency_seconds": {"threshold": 1.5, "query": "max(latency)"},'
        ' "posts_generated_total": {"milestones": [50, 100]}, "uptime": {"enabled": false}}',
        "test",
    )

    # When the targets are built
    targets = targets_by_name(overrides)

    # Then only the overridden fields changed, and the disabled metric is gone
    latency = targets["content_generation_latency_seconds"]
    assert (latency.threshold, latency.query) == (1.5, "max(latency)")
    assert latency.spec.direction is Direction.LOWER
    assert targets["posts_generated_total"].milestones == (50, 100)
    assert "uptime" not in targets


def test_later_layers_win_field_by_field() -> None:
    # Given a first layer setting error_rate's threshold and query, and a second setting only its threshold
    first = parse_overrides('{"error_rate": {"threshold": 0.02, "query": "a"}}', "first")
    second = parse_overrides('{"error_rate": {"threshold": 0.03}}', "second")

    # When the targets are built from both layers
    target = targets_by_name(first, second)["error_rate"]

    # Then the threshold comes from the second layer and the query is kept from the first
    assert (target.threshold, target.query) == (0.03, "a")


def test_a_new_metric_can_be_added_with_direction_threshold_and_query() -> None:
    # Given overrides adding queue_wait_seconds, unknown to the catalogue, with every field it needs
    overrides = parse_overrides(
        '{"queue_wait_seconds": {"direction": "lower", "threshold": 3, "query": "max(queue_wait_seconds)",'
        ' "unit": "seconds", "category": "infrastructure"}}',
        "test",
    )

    # When the targets are built
    target = targets_by_name(overrides)["queue_wait_seconds"]

    # Then the new metric is scraped with the given direction, threshold, query, unit and category
    assert target.spec.direction is Direction.LOWER
    assert (target.threshold, target.query, target.spec.unit.value, target.spec.category.value) == (
        3.0,
        "max(queue_wait_seconds)",
        "seconds",
        "infrastructure",
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{not json", "is not valid JSON"),
        ('{"uptime": {"threshold": "high"}}', "uptime.threshold"),
        ('{"uptime": {"threshold": true}}', "uptime.threshold"),
        ('{"uptime": {"thresold": 0.99}}', "uptime.thresold"),
        ('{"Uptime!": {"threshold": 0.99}}', "Uptime!"),
        ('{"uptime": {"direction": "sideways"}}', "uptime.direction"),
        ('{"posts_generated_total": {"milestones": [500, 100]}}', "strictly ascending"),
        ('{"posts_generated_total": {"milestones": [0, 100]}}', "positive"),
        ('["uptime"]', "value"),
    ],
)
def test_invalid_overrides_are_refused_naming_the_field(text: str, fragment: str) -> None:
    # Given overrides that are malformed or have a bad field, When they are parsed
    with pytest.raises(InvalidScrapeConfig, match="SSM parameter /x") as raised:
        parse_overrides(text, "SSM parameter /x")

    # Then they are refused naming the source and the offending field
    assert fragment in str(raised.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"uptime": {"direction": "lower"}}', "uptime is higher-is-better"),
        ('{"queue_wait": {"threshold": 3}}', "give its direction, query"),
    ],
)
def test_overrides_that_contradict_the_catalogue_or_miss_fields_are_refused(text: str, fragment: str) -> None:
    # Given overrides that flip a catalogue direction or add a metric without its fields
    with pytest.raises(InvalidScrapeConfig, match=fragment):
        # When the targets are built, Then they are refused saying what is wrong
        scrape_targets(parse_overrides(text, "test"))


# ---- drafts ----------------------------------------------------------------------------------------


def test_reference_improvement_draft_is_a_prometheus_achievement_keyed_by_state_version() -> None:
    # Given the catalogue latency target (lower is better, threshold 2.0)
    target = targets_by_name()["content_generation_latency_seconds"]

    # When a first reading of 1.2 is drafted against state version 0
    draft = improvement_draft(target, 1.2, 2.0, None, 0, AT)

    # Then it is a Prometheus achievement keyed by metric, kind and state version, with the reference's texts
    assert draft is not None
    assert (draft.source, draft.source_ref) == (Source.PROMETHEUS, "content_generation_latency_seconds:improvement:0")
    assert draft.title == "KPI Achievement: Content Generation Latency Seconds"
    assert draft.occurred_at == AT
    assert draft.technologies == ["Prometheus", "Grafana", "Kubernetes", "Performance Monitoring"]
    assert draft.tags == ["prometheus", "kpi", "content_generation_latency_seconds"]


def test_same_previous_state_gives_the_same_key_and_a_newer_state_a_new_one() -> None:
    # Given two runs that read state version 3, When each keys its improvement
    # Then both make one key (the store dedupes them)
    assert improvement_ref("uptime", 3) == improvement_ref("uptime", 3) == "uptime:improvement:3"

    # When state version 4 is read, Then the key is new: a new improvement
    assert improvement_ref("uptime", 4) != improvement_ref("uptime", 3)


@pytest.mark.parametrize(
    ("value", "previous", "created"),
    [(1.2, None, True), (2.1, None, False), (1.2, 1.3, False), (1.0, 1.2, True)],
)
def test_improvement_follows_threshold_and_ten_percent_rule(value: float, previous, created: bool) -> None:
    # Given a latency reading and its previous value, When drafted against 2.0
    target = targets_by_name()["content_generation_latency_seconds"]

    # Then an improvement needs the threshold met and, with a previous value, 10% better than it
    assert (improvement_draft(target, value, 2.0, previous, 1, AT) is not None) is created


def test_milestone_metric_never_yields_an_improvement() -> None:
    # Given the posts counter, a milestone metric
    target = targets_by_name()["posts_generated_total"]

    # When a value far past its threshold is drafted as an improvement, Then there is none
    assert improvement_draft(target, 5000, 100, None, 0, AT) is None


def test_every_milestone_reached_is_drafted_once_with_its_own_key() -> None:
    # Given the posts counter with milestones 100, 500, 1000, 5000, 10000
    target = targets_by_name()["posts_generated_total"]

    # When 99 posts are read, Then no milestone is reached
    assert milestone_drafts(target, 99, AT) == []

    # When 1,200 posts are read, Then 100, 500 and 1000 are each drafted once, keyed by the milestone
    drafts = milestone_drafts(target, 1200, AT)
    assert [m for m, _ in drafts] == [100, 500, 1000]
    assert [d.source_ref for _, d in drafts] == [
        "posts_generated_total:milestone:100",
        "posts_generated_total:milestone:500",
        "posts_generated_total:milestone:1000",
    ]
    # And the title names the milestone, formatted: 1,000 Posts Generated
    assert [d.title for _, d in drafts][-1] == "KPI Milestone: 1,000 Posts Generated"


def test_milestones_under_a_raised_threshold_do_not_count() -> None:
    # Given the posts counter with its threshold raised to 500
    target = targets_by_name(parse_overrides('{"posts_generated_total": {"threshold": 500}}', "t"))[
        "posts_generated_total"
    ]

    # When 1,200 posts are read, Then only the 500 and 1000 milestones count
    assert [m for m, _ in milestone_drafts(target, 1200, AT)] == [500, 1000]


# ---- intelligent thresholds ------------------------------------------------------------------------


def test_quantile_interpolates_linearly() -> None:
    # Given samples (sorted or not, or a single one), When a quantile is taken, Then it interpolates between ranks
    assert quantile([1, 2, 3, 4, 5], 0.5) == 3
    assert quantile([1, 2, 3, 4, 5], 0.9) == pytest.approx(4.6)
    assert quantile([5, 1, 4, 2, 3], 0.1) == pytest.approx(1.4)
    assert quantile([7], 0.9) == 7


POLICY = HistoryPolicy(timedelta(hours=168), quantile=0.9, min_samples=5)


def test_higher_is_better_threshold_rises_to_the_historical_quantile() -> None:
    # Given six higher-is-better samples, mostly above the configured 0.06
    history = [0.05, 0.06, 0.07, 0.08, 0.09, 0.10]

    # When the effective threshold is computed for higher-is-better at the 0.9 quantile
    effective = intelligent_threshold(Direction.HIGHER, 0.06, history, POLICY)

    # Then it rises to the historical 0.9 quantile, 0.095, from 6 samples
    assert effective.source is ThresholdSource.HISTORY
    assert effective.value == pytest.approx(0.095)
    assert effective.samples == 6


def test_lower_is_better_threshold_falls_to_the_low_historical_quantile() -> None:
    # Given a latency history with one NaN sample, under the configured 2.0
    history = [1.0, 1.2, 1.4, 1.6, 1.8, 2.5, float("nan")]

    # When the effective threshold is computed for lower-is-better
    effective = intelligent_threshold(Direction.LOWER, 2.0, history, POLICY)

    # Then it falls to the low historical quantile, 1.1, from the 6 real samples
    assert effective.source is ThresholdSource.HISTORY
    assert effective.value == pytest.approx(1.1)
    assert effective.samples == 6  # NaN samples are dropped


def test_history_never_lowers_the_bar_below_the_configured_threshold() -> None:
    # Given a latency history always worse than the configured 2.0 target
    # When the effective threshold is computed from that history
    effective = intelligent_threshold(Direction.LOWER, 2.0, [3.0, 3.5, 4.0, 4.5, 5.0], POLICY)

    # Then the configured 2.0 stays (static), while the historical 3.2 is still reported
    assert (effective.value, effective.source) == (2.0, ThresholdSource.STATIC)
    assert effective.historical == pytest.approx(3.2)


def test_too_little_history_keeps_the_configured_threshold() -> None:
    # Given only 2 samples, fewer than the policy's 5, When the threshold is computed
    effective = intelligent_threshold(Direction.HIGHER, 0.06, [0.09, 0.1], POLICY)

    # Then the configured 0.06 stays (static), reporting the 2 samples
    assert (effective.value, effective.source, effective.samples) == (0.06, ThresholdSource.STATIC, 2)


def test_history_step_gives_240_points_per_window_but_never_under_a_minute() -> None:
    # When a week-long window is sampled, Then its step is 168 h / 240 = 42 minutes
    assert HistoryPolicy(timedelta(hours=168)).step == timedelta(minutes=42)

    # When an hour-long window is sampled, Then its step is a minute, not 15 s
    assert HistoryPolicy(timedelta(hours=1)).step == timedelta(minutes=1)


@pytest.mark.parametrize("kwargs", [{"window": timedelta(seconds=30)}, {"window": timedelta(hours=1), "quantile": 0.4}])
def test_unusable_history_policies_are_refused(kwargs) -> None:
    # Given a window under a minute or a quantile under 0.5, When a policy is made, Then it is refused naming history
    with pytest.raises(ValueError, match="history"):
        HistoryPolicy(**kwargs)


def test_two_scrapes_of_one_state_keep_the_better_improvement(store) -> None:
    # Given two scrapes that read the same previous state (same key): one saw 1.2 s, the other 1.5 s
    target = targets_by_name()["content_generation_latency_seconds"]
    better = improvement_draft(target, 1.2, 2.0, None, 3, AT)
    worse = improvement_draft(target, 1.5, 2.0, None, 3, AT)
    assert better is not None
    assert worse is not None
    # When the better one is written first, then the worse one
    first = store.upsert(better)
    second = store.upsert(worse)
    # Then the worse one changes nothing (SPEC §5: lower is better here, so 1.5 s is worse)
    assert second.status.value == "unchanged"
    assert second.achievement_id == first.achievement_id
    stored = store.get(first.achievement_id)
    assert stored is not None
    assert stored.metrics["achieved_value"] == 1.2
