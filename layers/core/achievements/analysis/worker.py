"""The deep-analysis worker: one queue message -> at most one analyzer call -> the analysis saved.

No OpenAI call happens for an achievement whose present content is already analysed (a redelivered message, a
second request), and concurrent deliveries of the same job are serialised by Powertools idempotency keyed by
(achievement id, content fingerprint): the second one fails fast and, redelivered later, finds the analysis.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aws_lambda_powertools import single_metric
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json

from achievements.analysis.cap import DailyCap
from achievements.analysis.models import (
    AnalysisFailed,
    AnalysisJob,
    AnalysisRefused,
    AnalysisStale,
    AnalysisTarget,
    DeepAnalysis,
    TokenUsage,
)
from achievements.analysis.offline import OFFLINE_ANALYZER_VERSION, offline_analysis
from achievements.analysis.service import current_analysis
from achievements.core.llm import OFFLINE_KEYS
from achievements.core.llm import api_key_from_secret as api_key_from_secret  # re-exported (analysis.deps)
from achievements.core.models import Achievement, utcnow
from achievements.core.observability import METRICS_NAMESPACE, logger, metrics
from achievements.store import AchievementStore

IDEMPOTENCY_KEY_PREFIX = "deep-analysis"
ANALYSIS_DURATION = "achievement_collector_ai_analysis_duration_seconds"
AUTO_ANALYSES_SKIPPED = "achievement_collector_auto_analyses_skipped_total"


class OverDailyCap(Exception):
    """An automatic job past the day's cap: acknowledged, not analysed, left for a manual request."""


class AnalysisQueueRecord(SqsRecordModel):
    """An SQS record whose body is an AnalysisJob; a body that is not one fails only its own record."""

    body: Json[AnalysisJob]  # type: ignore[assignment]


class Analyzer(Protocol):
    name: str
    version: str

    def analyze(self, achievement: Achievement) -> DeepAnalysis: ...


class OfflineAnalyzer:
    name = "offline"
    version = OFFLINE_ANALYZER_VERSION

    def analyze(
        self, achievement: Achievement, fallback_reason: str | None = None, usage: TokenUsage | None = None
    ) -> DeepAnalysis:
        started = time.perf_counter()
        content = offline_analysis(achievement)
        return DeepAnalysis(
            **content.model_dump(),
            analyzer="offline",
            analyzer_version=self.version,
            analyzed_at=utcnow(),
            achievement_fingerprint=achievement.fingerprint,
            token_usage=usage or TokenUsage(),
            duration_seconds=round(time.perf_counter() - started, 6),
            fallback_reason=fallback_reason,
        )


class AnalyzerProvider:
    """The analyzer for the key configured now: offline without a key (or `test`), else OpenAI (one client per key)."""

    def __init__(
        self,
        key_source: Callable[[], str | None],
        build_openai: Callable[[str], Analyzer],
        wrap: Callable[[Analyzer], Analyzer] | None = None,
    ) -> None:
        """`wrap` decorates every analyzer it hands out (tests count calls through it)."""
        self.key_source = key_source
        self.wrap = wrap or (lambda analyzer: analyzer)
        self.build_openai = lambda key: self.wrap(build_openai(key))
        self.offline = OfflineAnalyzer()  # also the fallback when OpenAI refuses
        self._offline = self.wrap(self.offline)
        self._lock = threading.Lock()
        self._key: str | None = None
        self._openai: Analyzer | None = None

    def current(self) -> Analyzer:
        # One lock: the records of a batch run in threads; the key is fetched (cached) and a client built once.
        with self._lock:
            key = (self.key_source() or "").strip()
            if key in OFFLINE_KEYS:
                return self._offline
            if self._openai is None or key != self._key:
                self._openai, self._key = self.build_openai(key), key
            return self._openai


@dataclass(frozen=True)
class Idempotency:
    persistence: BasePersistenceLayer
    config: IdempotencyConfig


def record_metric(name: str, unit: MetricUnit, value: float, **dimensions: str) -> None:
    """One metric with its own dimensions, flushed at once (safe from the batch's threads)."""
    with single_metric(
        name=name, unit=unit, value=value, namespace=METRICS_NAMESPACE, default_dimensions=metrics.default_dimensions
    ) as metric:
        for key, dimension in dimensions.items():
            metric.add_dimension(name=key, value=dimension)


class DeepAnalysisWorker:
    def __init__(
        self,
        store: AchievementStore,
        analyzers: AnalyzerProvider,
        idempotency: Idempotency | None = None,
        auto_cap: DailyCap | None = None,
    ) -> None:
        self.store = store
        self.analyzers = analyzers
        self.auto_cap = auto_cap
        self._analyse: Callable[..., dict[str, Any]] = self._analyse_and_save
        if idempotency is not None:
            self._analyse = idempotent_function(
                self._analyse_and_save,
                data_keyword_argument="target",
                persistence_store=idempotency.persistence,
                config=idempotency.config,
                key_prefix=IDEMPOTENCY_KEY_PREFIX,
            )

    def handle_record(self, message_id: str, job: AnalysisJob) -> dict[str, Any]:
        """One queue message, in a thread of the batch; raises (so only this message is retried) on failure."""
        logger.thread_safe_append_keys(message_id=message_id, achievement_id=job.achievement_id)
        try:
            outcome = self.process(job)
            logger.info("analysis done", extra=outcome)
            return outcome
        except AnalysisFailed as failure:
            logger.warning(
                "analysis failed; the message will be retried", extra={"reason": failure.reason, "error": str(failure)}
            )
            raise
        except Exception:
            logger.exception("analysis failed unexpectedly; the message will be retried")
            raise
        finally:
            logger.thread_safe_clear_keys()

    def process(self, job: AnalysisJob) -> dict[str, Any]:
        achievement = self.store.get(job.achievement_id)
        if achievement is None:
            # Retrying cannot make it exist (ids are never reused): acknowledged, logged and counted, not retried.
            logger.warning("analysis skipped: the achievement does not exist")
            record_metric("ai_analysis_skipped_total", MetricUnit.Count, 1, reason="achievement_missing")
            return {"achievement_id": job.achievement_id, "status": "skipped", "reason": "achievement does not exist"}
        existing = current_analysis(achievement)
        if existing is not None:
            # A redelivery or a second request for unchanged content: no analyzer call.
            return {"achievement_id": achievement.id, "status": "already_analyzed", "analyzer": existing.analyzer}
        target = AnalysisTarget(achievement_id=achievement.id, fingerprint=achievement.fingerprint)
        try:
            return self._analyse(target=target, achievement=achievement, trigger=job.trigger)
        except OverDailyCap:
            # Inside the idempotent call, so its record is released: a manual request later analyses this content.
            logger.warning("automatic analysis skipped: the daily cap is reached; left for a manual request")
            record_metric(AUTO_ANALYSES_SKIPPED, MetricUnit.Count, 1)
            return {"achievement_id": achievement.id, "status": "skipped", "reason": "daily cap on automatic analyses"}

    def _analyse_and_save(
        self, *, target: AnalysisTarget, achievement: Achievement, trigger: str = "manual"
    ) -> dict[str, Any]:
        # Counted here, after the redelivery and idempotency checks: a duplicate job uses none of the cap.
        if trigger == "auto" and self.auto_cap is not None and not self.auto_cap.take():
            raise OverDailyCap(f"daily cap of {self.auto_cap.limit} automatic analyses reached")
        analyzer = self.analyzers.current()
        started = time.perf_counter()
        try:
            analysis = analyzer.analyze(achievement)
        except AnalysisRefused as refusal:
            logger.warning("OpenAI refused; the offline analyzer answers", extra={"refusal": str(refusal)})
            record_metric("ai_analysis_refusals_total", MetricUnit.Count, 1, analyzer=analyzer.name)
            analysis = self.analyzers.offline.analyze(
                achievement, fallback_reason=f"OpenAI refused: {refusal}", usage=refusal.usage
            )
        except AnalysisFailed as failure:
            record_metric("ai_analysis_failures_total", MetricUnit.Count, 1, reason=failure.reason)
            raise
        finally:
            elapsed = time.perf_counter() - started
            record_metric(ANALYSIS_DURATION, MetricUnit.Seconds, elapsed, analyzer=analyzer.name)
        saved = self.store.save_analysis(
            target.achievement_id, analysis.model_dump(mode="json"), float(analysis.impact_score), target.fingerprint
        )
        if not saved:
            record_metric("ai_analysis_failures_total", MetricUnit.Count, 1, reason=AnalysisStale.reason)
            raise AnalysisStale(f"achievement {target.achievement_id} changed while it was analysed")
        record_metric("ai_analyses_total", MetricUnit.Count, 1, analyzer=analysis.analyzer)
        return {
            "achievement_id": target.achievement_id,
            "status": "analyzed",
            "analyzer": analysis.analyzer,
            "impact_score": analysis.impact_score,
            "total_tokens": analysis.token_usage.total_tokens,
        }
