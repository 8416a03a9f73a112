"""The Prometheus scrape: query every KPI at once, turn improvements and milestones into achievements.

A metric that fails (Prometheus down, slow, an error, no data, NaN) is reported with its reason and
creates nothing; the others carry on. Concurrent runs (schedule + manual) create each achievement
once: improvements are keyed by the metric state version they improved on, milestones by the milestone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, partial
from typing import Any

import httpx
from aws_lambda_powertools.utilities.parameters import SecretsProvider, SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from achievements.core.aws import make_client
from achievements.core.errors import InvalidInput
from achievements.core.http_auth import auth_from_secret
from achievements.core.models import AchievementDraft, Source, WriteStatus, utcnow
from achievements.core.observability import logger, metrics
from achievements.prometheus.client import PrometheusClient, PrometheusQueryError
from achievements.prometheus.drafts import (
    InvalidScrapeConfig,
    MetricOverride,
    ScrapeTarget,
    improvement_draft,
    milestone_drafts,
    parse_overrides,
    scrape_targets,
)
from achievements.prometheus.models import (
    IntelligentThresholdsStatus,
    MetricError,
    MetricState,
    MetricStatus,
    ScrapedAchievement,
    ScrapeOutcome,
    ScrapeReport,
    ScrapeTrigger,
    StatusResponse,
)
from achievements.prometheus.settings import PrometheusSettings
from achievements.prometheus.state import MetricStateStore
from achievements.prometheus.thresholds import EffectiveThreshold, ThresholdSource, intelligent_threshold
from achievements.store import AchievementStore

VALUE, HISTORY = "value", "history"


@cache
def _ssm() -> SSMProvider:
    return SSMProvider(boto3_client=make_client("ssm"))


@cache
def _secrets() -> SecretsProvider:
    return SecretsProvider(boto3_client=make_client("scrape-secretsmanager"))


def ssm_overrides(settings: PrometheusSettings) -> dict[str, MetricOverride]:
    """The thresholds/queries overrides in the SSM parameter (none without a parameter), cached a minute."""
    name = settings.overrides_parameter
    if not name:
        return {}
    try:
        text = _ssm().get(name, max_age=settings.config_cache_seconds)
    except GetParameterError as error:
        raise InvalidScrapeConfig(f"SSM parameter {name} could not be read: {error}") from error
    return parse_overrides(str(text), f"SSM parameter {name}")


def secret_auth(settings: PrometheusSettings) -> httpx.Auth | None:
    """Bearer or basic auth from the Secrets Manager secret (none without a secret, or when it holds `{}`)."""
    secret_id = settings.auth_secret_id
    if not secret_id:
        return None
    try:
        secret = _secrets().get(secret_id, max_age=settings.config_cache_seconds)
    except GetParameterError as error:
        raise InvalidScrapeConfig(f"the Prometheus auth secret could not be read: {error}") from error
    try:
        return auth_from_secret(secret if isinstance(secret, str | bytes) else str(secret))
    except ValueError as error:
        raise InvalidScrapeConfig(f"the Prometheus auth secret is unusable: {error}") from error


def _error(failure: PrometheusQueryError, prefix: str = "") -> MetricError:
    return MetricError(kind=failure.kind.value, message=f"{prefix}{failure.message}")


@dataclass
class _Run:
    """One scrape's working notes, turned into its report at the end."""

    run_id: str
    trigger: ScrapeTrigger
    started_at: datetime
    values: dict[str, float] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    threshold_sources: dict[str, str] = field(default_factory=dict)
    achievements: list[ScrapedAchievement] = field(default_factory=list)
    errors: dict[str, MetricError] = field(default_factory=dict)

    def report(self, finished_at: datetime, attempted: int, error: str | None = None) -> ScrapeReport:
        if error is not None or (attempted and len(self.errors) == attempted):
            outcome = ScrapeOutcome.FAILED
        elif self.errors:
            outcome = ScrapeOutcome.PARTIAL
        else:
            outcome = ScrapeOutcome.SUCCEEDED
        return ScrapeReport(
            run_id=self.run_id,
            trigger=self.trigger,
            started_at=self.started_at,
            finished_at=finished_at,
            outcome=outcome,
            error=error,
            values=self.values,
            thresholds=self.thresholds,
            threshold_sources=self.threshold_sources,
            achievements=self.achievements,
            errors=self.errors,
        )


@dataclass
class PrometheusScraper:
    """The scrape and its status, over injected Prometheus client, stores and configuration sources."""

    settings: PrometheusSettings
    prometheus: PrometheusClient
    store: AchievementStore
    state: MetricStateStore
    load_overrides: Callable[[PrometheusSettings], dict[str, MetricOverride]] = ssm_overrides
    load_auth: Callable[[PrometheusSettings], httpx.Auth | None] = secret_auth
    clock: Callable[[], datetime] = utcnow

    def targets(self) -> list[ScrapeTarget]:
        """The metrics to scrape: the catalogue with the SSM parameter's overrides (raises if unusable)."""
        return scrape_targets(self.load_overrides(self.settings))

    # ---- the scrape --------------------------------------------------------------------------------

    def scrape(
        self, trigger: ScrapeTrigger, run_id: str | None = None, only: Sequence[str] | None = None
    ) -> ScrapeReport:
        run = _Run(run_id or str(uuid.uuid4()), trigger, self.clock())
        try:
            targets = self.targets()
            auth = self.load_auth(self.settings)
        except InvalidScrapeConfig as error:
            logger.error("scrape configuration unusable", extra={"reason": str(error)})
            return self._finish(run, 0, str(error))
        if only is not None:
            targets = self._subset(targets, only)

        at = run.started_at
        results = self.prometheus.gather(self._queries(targets, at, auth))
        states, _ = self.state.load([target.name for target in targets])
        for target in targets:
            self._evaluate(run, target, results, states[target.name], at)
        return self._finish(run, len(targets))

    @staticmethod
    def _subset(targets: list[ScrapeTarget], only: Sequence[str]) -> list[ScrapeTarget]:
        known = {target.name for target in targets}
        unknown = sorted(set(only) - known)
        if unknown:
            raise InvalidInput(f"unknown or disabled metrics: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        return [target for target in targets if target.name in set(only)]

    def _queries(
        self, targets: list[ScrapeTarget], at: datetime, auth: httpx.Auth | None
    ) -> dict[tuple[str, str], Callable[[], Any]]:
        calls: dict[tuple[str, str], Callable[[], Any]] = {}
        policy = self.settings.history_policy
        for target in targets:
            calls[(target.name, VALUE)] = partial(self.prometheus.instant, target.query, at, auth)
            if self.settings.intelligent_thresholds and not target.milestones:
                start, end = at - policy.window, at - policy.step
                calls[(target.name, HISTORY)] = partial(
                    self.prometheus.history, target.query, start, end, policy.step, auth
                )
        return calls

    def _evaluate(
        self,
        run: _Run,
        target: ScrapeTarget,
        results: dict[tuple[str, str], Any],
        state: MetricState,
        at: datetime,
    ) -> None:
        name = target.name
        value = results[(name, VALUE)]
        if isinstance(value, PrometheusQueryError):
            self._fail(run, name, _error(value), at)
            return
        threshold = EffectiveThreshold(target.threshold, ThresholdSource.STATIC, 0)
        if (name, HISTORY) in results:
            history = results[(name, HISTORY)]
            if isinstance(history, PrometheusQueryError):
                # Without its history the intelligent threshold is unknown: better nothing than a bogus milestone.
                self._fail(run, name, _error(history, "history: "), at)
                return
            threshold = intelligent_threshold(
                target.spec.direction, target.threshold, history, self.settings.history_policy
            )
        run.values[name] = value
        run.thresholds[name] = threshold.value
        run.threshold_sources[name] = threshold.source.value

        if target.milestones:
            for milestone, draft in milestone_drafts(target, value, at):
                # Each milestone once: an existing one is left as it was, even when the counter reset and rose again.
                if self.store.find_by_ref(Source.PROMETHEUS, draft.source_ref) is None:
                    self._write(run, name, "milestone", draft)
                    logger.info("milestone reached", extra={"metric": name, "milestone": milestone})
        else:
            improvement = improvement_draft(target, value, threshold.value, state.last_value, state.version, at)
            if improvement is not None:
                self._write(run, name, "improvement", improvement)
        self.state.record_value(name, value, threshold.value, at)

    def _write(self, run: _Run, name: str, kind: str, draft: AchievementDraft) -> None:
        result = self.store.upsert(draft)
        run.achievements.append(
            ScrapedAchievement(
                achievement_id=result.achievement_id,
                status=result.status,
                metric_name=name,
                kind=kind,  # type: ignore[arg-type]
                title=draft.title,
            )
        )

    def _fail(self, run: _Run, name: str, error: MetricError, at: datetime) -> None:
        logger.warning("metric not scraped", extra={"metric": name, "kind": error.kind, "reason": error.message})
        run.errors[name] = error
        self.state.record_error(name, error, at)

    def _finish(self, run: _Run, attempted: int, error: str | None = None) -> ScrapeReport:
        report = run.report(self.clock(), attempted, error)
        self.state.record_run(report)
        created = sum(1 for item in report.achievements if item.status is WriteStatus.CREATED)
        metrics.add_metric(name="achievement_collector_prometheus_scrapes_total", unit="Count", value=1)
        if report.errors:
            metrics.add_metric(name="prometheus_scrape_errors_total", unit="Count", value=len(report.errors))
        if created:
            metrics.add_metric(name="achievement_collector_kpi_milestones_total", unit="Count", value=created)
        logger.info(
            "scrape finished",
            extra={
                "run_id": report.run_id,
                "trigger": report.trigger.value,
                "outcome": report.outcome.value,
                "achievements_created": created,
                "failed_metrics": sorted(report.errors),
            },
        )
        return report

    # ---- the status --------------------------------------------------------------------------------

    def status(self) -> StatusResponse:
        config_error = None
        try:
            targets = self.targets()
        except InvalidScrapeConfig as error:
            config_error, targets = str(error), []
        states, last_run = self.state.load([target.name for target in targets])
        settings = self.settings
        return StatusResponse(
            status="active" if settings.schedule_state == "ENABLED" else "paused",
            interval_hours=settings.interval_hours,
            thresholds={target.name: target.threshold for target in targets},
            last_values={name: state.last_value for name, state in states.items() if state.last_value is not None},
            last_run_at=last_run.started_at if last_run else None,
            last_outcome=last_run.outcome if last_run else None,
            last_errors={name: state.last_error for name, state in states.items() if state.last_error is not None},
            intelligent_thresholds=IntelligentThresholdsStatus(
                enabled=settings.intelligent_thresholds,
                window_hours=settings.history_window_hours,
                quantile=settings.history_quantile,
                min_samples=settings.history_min_samples,
            ),
            metrics={
                target.name: MetricStatus(
                    threshold=target.threshold,
                    direction=target.spec.direction.value,
                    query=target.query,
                    milestones=list(target.milestones),
                    last_value=states[target.name].last_value,
                    last_value_at=states[target.name].last_value_at,
                    last_checked_at=states[target.name].last_checked_at,
                    last_error=states[target.name].last_error,
                )
                for target in targets
            },
            last_run=last_run,
            config_error=config_error,
        )
