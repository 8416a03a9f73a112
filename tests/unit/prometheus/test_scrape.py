"""The scrape use case on moto with an in-process Prometheus: rules, milestones, faults, config, thresholds, status."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import httpx
import pytest

from achievements.core.errors import InvalidInput
from achievements.core.metrics import CATALOGUE
from achievements.core.models import Source
from achievements.prometheus import service as prometheus_scrape
from achievements.prometheus.drafts import InvalidScrapeConfig, parse_overrides
from achievements.prometheus.models import MetricError, ScrapeOutcome, ScrapeTrigger
from achievements.prometheus.service import secret_auth, ssm_overrides
from achievements.prometheus.settings import PrometheusSettings
from achievements.prometheus.state import MetricStateStore
from tests.fakes.prometheus import AT, QUIET, Clock, FakePrometheus, make_scraper

MANUAL = ScrapeTrigger.MANUAL


@pytest.fixture
def fake() -> FakePrometheus:
    return FakePrometheus()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def scraper(moto_tables, fake, clock):
    return make_scraper(moto_tables.client, moto_tables.achievements, fake, clock=clock)


def achievements(store, most: int = 30) -> list:
    return [achievement for n in range(1, most + 1) if (achievement := store.get(n)) is not None]


def achievement_items(moto_tables) -> list[dict]:
    return moto_tables.achievement_items()


# ---- the rules -------------------------------------------------------------------------------------


def test_reference_latency_scrape_creates_the_reference_achievement(scraper, fake, store, moto_tables) -> None:
    # Given Prometheus reports a 1.2 s content generation latency (target 2.0 s) and nothing else worth noting
    fake.set(content_generation_latency_seconds=1.2)

    # When the scrape runs
    report = scraper.scrape(MANUAL, run_id="run-1")

    # Then it answers what it found, and one achievement reads as the reference example
    assert report.outcome is ScrapeOutcome.SUCCEEDED
    assert report.values == QUIET | {"content_generation_latency_seconds": 1.2}
    assert report.thresholds == {name: spec.threshold for name, spec in CATALOGUE.items()}
    assert set(report.threshold_sources.values()) == {"static"}
    assert report.errors == {}
    assert [(a.achievement_id, a.status.value, a.metric_name, a.kind) for a in report.achievements] == [
        (1, "created", "content_generation_latency_seconds", "improvement")
    ]
    achievement = store.get(1)
    assert achievement is not None
    assert achievement.title == "KPI Achievement: Content Generation Latency Seconds"
    assert achievement.category == "performance"
    assert achievement.description == "Reduced Content Generation Latency Seconds target: 1.2s (target: 2.0s)"
    assert achievement.impact == "Optimized generation to 1.2s, 40% faster - enhancing user experience"
    assert achievement.metrics == {
        "metric_name": "content_generation_latency_seconds",
        "achieved_value": 1.2,
        "target_value": 2.0,
        "improvement_percentage": 40,
        "timestamp": "2025-01-25T16:30:00Z",
    }
    assert achievement.technologies == ["Prometheus", "Grafana", "Kubernetes", "Performance Monitoring"]
    assert (achievement.source, achievement.source_ref) == (
        Source.PROMETHEUS,
        "content_generation_latency_seconds:improvement:0",
    )
    assert len(achievement_items(moto_tables)) == 1


def test_a_rerun_of_the_same_scrape_creates_and_changes_nothing(scraper, fake, clock, store, moto_tables) -> None:
    # Given a scrape that created achievements
    fake.set(content_generation_latency_seconds=1.2, uptime=0.9995, posts_generated_total=150.0)
    first = scraper.scrape(MANUAL)
    before = sorted(json.dumps(item, sort_keys=True) for item in achievement_items(moto_tables))
    assert len(first.achievements) == 3

    # When the same scrape runs again (Prometheus unchanged)
    clock.advance(minutes=1)
    again = scraper.scrape(MANUAL)

    # Then it finds the same values and writes no achievement
    assert again.values == first.values
    assert again.achievements == []
    assert sorted(json.dumps(item, sort_keys=True) for item in achievement_items(moto_tables)) == before


def test_later_improvements_need_ten_percent_over_the_previous_value(scraper, fake, clock, store) -> None:
    # Given a first latency of 1.2 s, which made the first improvement
    fake.set(content_generation_latency_seconds=1.2)
    assert len(scraper.scrape(MANUAL).achievements) == 1

    # When 1.1 s is read a day later, Then nothing is created: better than 1.2 s but not by 10%
    clock.advance(hours=24)
    fake.set(content_generation_latency_seconds=1.1)
    assert scraper.scrape(MANUAL).achievements == []

    # When 0.95 s is read a day later, Then it is 13.6% under the previous 1.1 s: a new achievement against 1.1 s
    clock.advance(hours=24)
    fake.set(content_generation_latency_seconds=0.95)
    report = scraper.scrape(MANUAL)
    assert [a.status.value for a in report.achievements] == ["created"]
    achievement = store.get(report.achievements[0].achievement_id)
    assert achievement.metrics["improvement_percentage"] == 13.6
    assert achievement.metrics["previous_value"] == 1.1
    assert achievement.impact == "Optimized generation to 0.95s, 13.6% faster - enhancing user experience"
    assert achievement.source_ref == "content_generation_latency_seconds:improvement:2"


def test_every_metric_has_its_direction_in_the_scrape(scraper, fake) -> None:
    # Given every metric on the good side of its threshold (the reference forgot two directions)
    fake.set(
        posts_engagement_rate=0.078,
        revenue_projection_monthly=22500.0,
        cost_per_follow_dollars=0.008,
        content_generation_latency_seconds=1.2,
        http_request_duration_seconds=0.3,
        error_rate=0.004,
        uptime=0.9995,
    )

    # When the scrape runs
    report = scraper.scrape(MANUAL)

    # Then each metric but the posts counter made an improvement, each judged in its own direction
    assert sorted(a.metric_name for a in report.achievements) == sorted(set(CATALOGUE) - {"posts_generated_total"})


def test_posts_generated_milestones_are_each_created_exactly_once(scraper, fake, clock, store) -> None:
    # Given a scrape a day for each posts total
    def run(total: float) -> list[str]:
        clock.advance(hours=24)
        fake.set(posts_generated_total=total)
        report = scraper.scrape(MANUAL)
        return [store.get(a.achievement_id).source_ref.rsplit(":", 1)[1] for a in report.achievements]

    # When the counter climbs, resets and climbs again, Then each run creates only milestones never reached before
    assert run(99) == []
    assert run(150) == ["100"]
    assert run(620) == ["500"]
    assert run(640) == []
    assert run(30) == []  # the counter reset (exporter restart)
    assert run(700) == []  # ...and rose again: 100 and 500 are not created twice
    assert run(12000) == ["1000", "5000", "10000"]

    # Then the five milestones were each created once, titled with the formatted count
    titles = [a.title for a in achievements(store)]
    assert titles == [
        "KPI Milestone: 100 Posts Generated",
        "KPI Milestone: 500 Posts Generated",
        "KPI Milestone: 1,000 Posts Generated",
        "KPI Milestone: 5,000 Posts Generated",
        "KPI Milestone: 10,000 Posts Generated",
    ]


def test_two_scrapes_that_read_the_same_state_make_one_achievement(moto_tables, fake, store) -> None:
    # Given two runs (schedule + manual) that both read the metric state before either wrote it
    first = make_scraper(moto_tables.client, moto_tables.achievements, fake, clock=Clock())
    second = make_scraper(moto_tables.client, moto_tables.achievements, fake, clock=Clock(AT.replace(second=5)))
    names = list(CATALOGUE)
    snapshot = first.state.load(names)
    second.state.load = lambda _names: snapshot  # type: ignore[method-assign]
    fake.set(content_generation_latency_seconds=1.2)

    # When both evaluate, one after the other, the slightly different values they saw
    a = first.scrape(ScrapeTrigger.SCHEDULE)
    fake.set(content_generation_latency_seconds=1.19)
    b = second.scrape(MANUAL)

    # Then there is one achievement: the second run updated the first's instead of creating another
    assert [(x.achievement_id, x.status.value) for x in a.achievements] == [(1, "created")]
    assert [(x.achievement_id, x.status.value) for x in b.achievements] == [(1, "updated")]
    assert len(moto_tables.achievement_items()) == 1
    assert store.get(1).metrics["achieved_value"] == 1.19


# ---- faults ----------------------------------------------------------------------------------------


def test_each_prometheus_fault_is_reported_for_its_metric_and_the_others_carry_on(
    scraper, fake, store, moto_tables
) -> None:
    # Given Prometheus fails each metric differently, except uptime which is good
    fake.set(
        posts_engagement_rate=httpx.ConnectError,
        revenue_projection_monthly=httpx.ReadTimeout,
        cost_per_follow_dollars=httpx.Response(502, text="Bad Gateway"),
        content_generation_latency_seconds=httpx.Response(
            422, json={"status": "error", "errorType": "execution", "error": "query timed out in expression"}
        ),
        http_request_duration_seconds="NaN",
        error_rate="+Inf",
        uptime=0.9995,
    )
    del fake.answers["posts_generated_total"]  # a metric missing from Prometheus

    # When the scrape runs
    report = scraper.scrape(MANUAL)

    # Then every failure is named with its reason, nothing bogus is created, and uptime went through
    assert report.outcome is ScrapeOutcome.PARTIAL
    assert {name: error.kind for name, error in report.errors.items()} == {
        "posts_engagement_rate": "unreachable",
        "revenue_projection_monthly": "timeout",
        "cost_per_follow_dollars": "http_error",
        "content_generation_latency_seconds": "query_error",
        "posts_generated_total": "no_data",
        "http_request_duration_seconds": "not_finite",
        "error_rate": "not_finite",
    }
    assert "query timed out in expression" in report.errors["content_generation_latency_seconds"].message
    assert report.values == {"uptime": 0.9995}
    assert [a.metric_name for a in report.achievements] == ["uptime"]
    assert len(moto_tables.achievement_items()) == 1

    # And the status says what failed, keeping no value for the failed metrics
    status = scraper.status()
    assert status.last_outcome is ScrapeOutcome.PARTIAL
    assert set(status.last_errors) == set(report.errors)
    assert status.last_values == {"uptime": 0.9995}


def test_prometheus_down_fails_the_run_without_raising(scraper, fake, moto_tables) -> None:
    # Given every metric's query failing to connect
    fake.set(**dict.fromkeys(CATALOGUE, httpx.ConnectError))

    # When the scheduled scrape runs
    report = scraper.scrape(ScrapeTrigger.SCHEDULE)

    # Then it fails with one unreachable error per metric, writes no achievement, and the status says failed
    assert report.outcome is ScrapeOutcome.FAILED
    assert {error.kind for error in report.errors.values()} == {"unreachable"}
    assert len(report.errors) == len(CATALOGUE)
    assert moto_tables.achievement_items() == []
    assert scraper.status().last_outcome is ScrapeOutcome.FAILED


def test_a_failed_check_keeps_the_previous_value_for_the_next_comparison(scraper, fake, clock) -> None:
    # Given a first latency of 1.2 s scraped, then a NaN a day later
    fake.set(content_generation_latency_seconds=1.2)
    scraper.scrape(MANUAL)
    clock.advance(hours=24)
    fake.set(content_generation_latency_seconds="NaN")

    # When the NaN is scraped, Then it fails as not finite
    assert scraper.scrape(MANUAL).errors["content_generation_latency_seconds"].kind == "not_finite"

    # When 1.15 s is read next, Then it is compared with 1.2 s (not "no previous value"): not 10% better, nothing
    clock.advance(hours=24)
    fake.set(content_generation_latency_seconds=1.15)
    assert scraper.scrape(MANUAL).achievements == []


# ---- configuration ---------------------------------------------------------------------------------


def test_an_unusable_configuration_fails_the_run_before_querying_and_writes_no_achievement(moto_tables, fake) -> None:
    # Given a scraper whose SSM overrides cannot be parsed
    scraper = make_scraper(moto_tables.client, moto_tables.achievements, fake)

    def broken(_settings):
        raise InvalidScrapeConfig("SSM parameter /x is not valid JSON: Expecting value (char 0)")

    scraper.load_overrides = broken

    # When the scheduled scrape runs
    report = scraper.scrape(ScrapeTrigger.SCHEDULE)

    # Then it fails naming the config error, before querying Prometheus or writing anything
    assert report.outcome is ScrapeOutcome.FAILED
    assert report.error == "SSM parameter /x is not valid JSON: Expecting value (char 0)"
    assert fake.requests == []
    assert moto_tables.achievement_items() == []
    # And the status carries the config error and the failed outcome
    status = scraper.status()
    assert status.config_error == report.error
    assert status.last_outcome is ScrapeOutcome.FAILED


def test_overrides_change_a_threshold_and_a_query(moto_tables, fake, store) -> None:
    # Given the latency target lowered to 1.0 s and its query switched to the median
    overrides = parse_overrides(
        '{"content_generation_latency_seconds": {"threshold": 1.0, "query": "histogram_quantile(0.5, x)"}}', "t"
    )
    fake.queries["histogram_quantile(0.5, x)"] = "content_generation_latency_seconds"
    fake.set(content_generation_latency_seconds=1.2)
    scraper = make_scraper(moto_tables.client, moto_tables.achievements, fake, overrides=overrides)

    # When the scrape runs, Then 1.2 s no longer meets the target, read by the overridden query
    report = scraper.scrape(MANUAL)
    assert report.thresholds["content_generation_latency_seconds"] == 1.0
    assert report.achievements == []
    assert any(r.url.params.get("query") == "histogram_quantile(0.5, x)" for r in fake.requests)

    # When 0.9 s is read, Then it does, with the configured target in its texts
    fake.set(content_generation_latency_seconds=0.9)
    report = scraper.scrape(MANUAL)
    achievement = store.get(report.achievements[0].achievement_id)
    assert achievement.description == "Reduced Content Generation Latency Seconds target: 0.9s (target: 1.0s)"
    assert scraper.status().thresholds["content_generation_latency_seconds"] == 1.0


@pytest.fixture
def aws_providers() -> Iterator[None]:
    # Powertools providers are built once per container; each test's moto account needs fresh ones.
    prometheus_scrape._ssm.cache_clear()
    prometheus_scrape._secrets.cache_clear()
    yield
    prometheus_scrape._ssm.cache_clear()
    prometheus_scrape._secrets.cache_clear()


def settings(**env: object) -> PrometheusSettings:
    return PrometheusSettings(**env)  # type: ignore[arg-type]


def test_overrides_are_read_from_the_ssm_parameter(moto_tables, aws_providers) -> None:
    # Given an SSM parameter lowering uptime's threshold to 0.9999
    ssm = boto3.client("ssm", region_name="us-east-1")
    ssm.put_parameter(Name="/collector/overrides", Type="String", Value='{"uptime": {"threshold": 0.9999}}')

    # When the overrides are read from that parameter, Then the threshold is the parameter's
    loaded = ssm_overrides(settings(PROMETHEUS_OVERRIDES_PARAMETER="/collector/overrides"))
    assert loaded["uptime"].threshold == 0.9999

    # When no parameter is configured, Then there are no overrides
    assert ssm_overrides(settings()) == {}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [(None, "could not be read"), ("{oops", "is not valid JSON"), ('{"uptime": {"threshold": "x"}}', "uptime")],
)
def test_a_missing_or_invalid_ssm_parameter_is_a_configuration_error(
    moto_tables, aws_providers, value, fragment
) -> None:
    # Given the overrides parameter missing, or holding bad JSON or a bad field
    if value is not None:
        boto3.client("ssm", region_name="us-east-1").put_parameter(Name="/collector/o", Type="String", Value=value)

    # When the overrides are read, Then it is a configuration error naming the parameter and the problem
    with pytest.raises(InvalidScrapeConfig, match=fragment) as raised:
        ssm_overrides(settings(PROMETHEUS_OVERRIDES_PARAMETER="/collector/o"))
    assert "/collector/o" in str(raised.value)


def test_bearer_auth_comes_from_secrets_manager(moto_tables, fake, aws_providers) -> None:
    # Given the auth secret holds a bearer token
    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    arn = secrets.create_secret(Name="collector/prometheus-auth", SecretString='{"bearer_token": "t0k"}')["ARN"]
    scraper = make_scraper(
        moto_tables.client, moto_tables.achievements, fake, settings=settings(PROMETHEUS_AUTH_SECRET_ID=arn)
    )
    scraper.load_auth = secret_auth

    # When the scrape runs, Then every query carries it
    scraper.scrape(MANUAL)
    assert {r.headers.get("authorization") for r in fake.requests} == {"Bearer t0k"}

    # When the secret is changed to "{}", Then it means no auth at all
    secrets.put_secret_value(SecretId=arn, SecretString="{}")
    prometheus_scrape._secrets.cache_clear()
    assert secret_auth(settings(PROMETHEUS_AUTH_SECRET_ID=arn)) is None


@pytest.mark.parametrize(("value", "fragment"), [(None, "could not be read"), ('{"username": "u"}', "unusable")])
def test_an_unreadable_or_unusable_auth_secret_fails_the_run(moto_tables, fake, aws_providers, value, fragment) -> None:
    # Given the auth secret missing, or holding a username without a password
    secret_id = "collector/prometheus-auth"
    if value is not None:
        boto3.client("secretsmanager", region_name="us-east-1").create_secret(Name=secret_id, SecretString=value)
    scraper = make_scraper(
        moto_tables.client, moto_tables.achievements, fake, settings=settings(PROMETHEUS_AUTH_SECRET_ID=secret_id)
    )
    scraper.load_auth = secret_auth

    # When the scheduled scrape runs
    report = scraper.scrape(ScrapeTrigger.SCHEDULE)

    # Then it fails naming the problem, before any query is sent
    assert report.outcome is ScrapeOutcome.FAILED
    assert fragment in (report.error or "")
    assert fake.requests == []


# ---- intelligent thresholds ------------------------------------------------------------------------


def intelligent(moto_tables, fake, min_samples: int = 5):
    env = {"INTELLIGENT_THRESHOLDS_ENABLED": "true", "INTELLIGENT_THRESHOLDS_MIN_SAMPLES": min_samples}
    return make_scraper(moto_tables.client, moto_tables.achievements, fake, settings=settings(**env))


def test_intelligent_thresholds_raise_the_bar_to_the_metrics_own_history(moto_tables, fake, store) -> None:
    # Given values that beat the static targets but not the metrics' own recent history
    fake.set(cost_per_follow_dollars=0.008, posts_engagement_rate=0.078, content_generation_latency_seconds=1.2)
    fake.history = {
        "cost_per_follow_dollars": [0.004, 0.005, 0.006, 0.007, 0.008, float("nan")],
        "posts_engagement_rate": [0.05, 0.06, 0.07, 0.08, 0.09],
        "content_generation_latency_seconds": [1.5],  # too little history: the static target stays
    }

    # When the scrape runs with intelligent thresholds
    report = intelligent(moto_tables, fake).scrape(MANUAL)

    # Then the effective thresholds come from history (Q0.1 for lower-, Q0.9 for higher-is-better)
    assert report.thresholds["cost_per_follow_dollars"] == pytest.approx(0.0044)
    assert report.thresholds["posts_engagement_rate"] == pytest.approx(0.086)
    assert report.thresholds["content_generation_latency_seconds"] == 2.0
    assert report.threshold_sources["cost_per_follow_dollars"] == "history"
    assert report.threshold_sources["content_generation_latency_seconds"] == "static"
    # and only the latency (judged on its static target) made an achievement
    assert [a.metric_name for a in report.achievements] == ["content_generation_latency_seconds"]
    # the milestone metric is never asked for history
    range_queries = {r.url.params["query"] for r in fake.requests if r.url.path.endswith("/query_range")}
    assert CATALOGUE["posts_generated_total"].query not in range_queries
    assert len(range_queries) == len(CATALOGUE) - 1


def test_a_value_better_than_its_history_is_an_achievement_against_the_historical_target(
    moto_tables, fake, store
) -> None:
    # Given a cost per follow of $0.003, better than its history (whose Q0.1 is $0.0044)
    fake.set(cost_per_follow_dollars=0.003)
    fake.history = {"cost_per_follow_dollars": [0.004, 0.005, 0.006, 0.007, 0.008]}

    # When the scrape runs with intelligent thresholds
    report = intelligent(moto_tables, fake).scrape(MANUAL)

    # Then the achievement is measured against the historical target in its text and metrics
    (made,) = report.achievements
    achievement = store.get(made.achievement_id)
    assert achievement.description == "Reduced Cost Per Follow Dollars target: $0.003 (target: $0.0044)"
    assert achievement.metrics["target_value"] == pytest.approx(0.0044)


def test_a_failed_history_query_fails_only_its_metric(moto_tables, fake) -> None:
    # Given cost per follow and uptime values, but the cost history query timing out
    fake.set(cost_per_follow_dollars=0.003, uptime=0.9995)
    fake.history = {"cost_per_follow_dollars": httpx.ReadTimeout}

    # When the scrape runs with intelligent thresholds
    report = intelligent(moto_tables, fake).scrape(MANUAL)

    # Then only cost per follow fails, with a history timeout, while uptime still makes its achievement
    assert report.errors == {
        "cost_per_follow_dollars": MetricError(kind="timeout", message="history: no answer from Prometheus within 2s")
    }
    assert [a.metric_name for a in report.achievements] == ["uptime"]


# ---- subsets and status ----------------------------------------------------------------------------


def test_a_subset_of_metrics_queries_only_those(scraper, fake) -> None:
    # When a scrape asks only for uptime
    report = scraper.scrape(MANUAL, only=["uptime"])

    # Then only uptime is queried and reported
    assert list(report.values) == ["uptime"]
    assert [r.url.params["query"] for r in fake.requests] == [CATALOGUE["uptime"].query]


def test_an_unknown_metric_in_the_subset_is_refused_before_anything_runs(scraper, fake, moto_tables) -> None:
    # When a subset names a metric that is not in the catalogue, Then it is refused naming it
    with pytest.raises(InvalidInput, match="unknown or disabled metrics: latency"):
        scraper.scrape(MANUAL, only=["uptime", "latency"])

    # And Prometheus is not queried and nothing is written
    assert fake.requests == []
    assert moto_tables.items() == []


def test_status_before_any_run_shows_configuration_and_no_values(scraper) -> None:
    # Given a scraper that has never run, When its status is read
    status = scraper.status()

    # Then it shows the schedule, the URL, the catalogue thresholds and milestones, and no values or run
    assert status.status == "active"
    assert status.interval_hours == 24
    # the internal Prometheus URL is not shown to API callers
    assert "prometheus:9090" not in status.model_dump_json()
    assert status.thresholds == {name: spec.threshold for name, spec in CATALOGUE.items()}
    assert (status.last_values, status.last_run_at, status.last_outcome, status.last_run) == ({}, None, None, None)
    assert status.metrics["posts_generated_total"].milestones == [100, 500, 1000, 5000, 10000]
    assert status.intelligent_thresholds.enabled is False


def test_status_after_runs_shows_last_values_run_and_errors(scraper, fake, clock) -> None:
    # Given a scheduled scrape, then an hour later a manual one whose uptime query times out
    fake.set(posts_engagement_rate=0.078, revenue_projection_monthly=22500.0)
    scraper.scrape(ScrapeTrigger.SCHEDULE, run_id="exec-1")
    clock.advance(hours=1)
    fake.set(uptime=httpx.ReadTimeout)
    scraper.scrape(MANUAL, run_id="req-2")

    # When the status is read
    status = scraper.status()

    # Then it has the latest values, the last good uptime beside its error, and the manual run as the last
    assert status.last_values["posts_engagement_rate"] == 0.078
    assert status.last_values["revenue_projection_monthly"] == 22500.0
    assert status.last_values["uptime"] == 0.99  # the last good value stays beside the error
    assert status.last_run_at == clock.now
    assert status.last_outcome is ScrapeOutcome.PARTIAL
    assert status.last_run is not None
    assert status.last_run.run_id == "req-2"
    assert status.last_errors["uptime"].kind == "timeout"
    assert status.metrics["uptime"].last_error is not None


def test_status_of_a_paused_schedule_never_shows_the_prometheus_url(moto_tables, fake) -> None:
    # Given a paused schedule and an internal Prometheus URL with a user name
    env = {"SCRAPE_SCHEDULE_STATE": "DISABLED", "PROMETHEUS_URL": "https://grafana@prom.example.com:9443/prom"}
    scraper = make_scraper(moto_tables.client, moto_tables.achievements, fake, settings=settings(**env))
    # When the status is read
    status = scraper.status()
    # Then it says paused, and neither the host nor the user name is in it
    assert status.status == "paused"
    shown = status.model_dump_json()
    assert "prom.example.com" not in shown
    assert "grafana" not in shown


@pytest.mark.parametrize(
    "env",
    [
        {"PROMETHEUS_URL": "ftp://prom"},
        {"PROMETHEUS_URL": "https://user:pw@prom"},
        {"PROMETHEUS_TIMEOUT_SECONDS": "0"},
        {"SCRAPE_SCHEDULE_STATE": "maybe"},
        {"INTELLIGENT_THRESHOLDS_QUANTILE": "0.2"},
    ],
)
def test_unusable_settings_fail_at_cold_start(env) -> None:
    # Given one unusable setting, When the settings are built, Then it is refused naming that setting
    with pytest.raises(ValueError, match=next(iter(env))):
        settings(**env)


def test_state_is_not_touched_by_a_subset_scrape_for_other_metrics(scraper, fake, moto_tables) -> None:
    # Given a scrape of uptime only
    scraper.scrape(MANUAL, only=["uptime"])

    # When the metric states are loaded
    states, _ = MetricStateStore(moto_tables.achievements, client=moto_tables.client).load(list(CATALOGUE))

    # Then only uptime's state has a version: the other metrics' state was not touched
    assert [name for name, state in states.items() if state.version] == ["uptime"]
