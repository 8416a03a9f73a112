"""Deep analysis requests: queue an achievement for the worker, or answer with its current analysis."""

from __future__ import annotations

from pydantic import ValidationError

from achievements.analysis.models import AnalysisJob, DeepAnalysis, DeepAnalysisAnswer, DeepAnalysisView
from achievements.analysis.queue import AnalysisQueue
from achievements.core.errors import NotFound
from achievements.core.models import Achievement, utcnow
from achievements.core.observability import logger
from achievements.store import AchievementStore


def current_analysis(achievement: Achievement) -> DeepAnalysis | None:
    """The stored analysis when it is of the achievement's present content; None when absent or stale."""
    analysis = stored_analysis(achievement)
    if analysis is None or analysis.achievement_fingerprint != achievement.fingerprint:
        return None
    return analysis


def stored_analysis(achievement: Achievement) -> DeepAnalysis | None:
    """The stored analysis, current or stale (SPEC §5: an update never drops it); None when absent.

    One that no longer validates (written by an older schema) counts as absent: it is analysed again.
    """
    if not achievement.analysis:
        return None
    try:
        return DeepAnalysis.model_validate(achievement.analysis)
    except ValidationError:
        logger.warning("stored analysis does not fit the schema; it will be redone", extra={"id": achievement.id})
        return None


def _existing(achievement_id: int, store: AchievementStore) -> Achievement:
    achievement = store.get(achievement_id)
    if achievement is None:
        raise NotFound(f"achievement {achievement_id} does not exist")
    if achievement.deleted_at is not None:
        # Soft-deleted (DELETE /achievements/{id}): gone for every reader until restored, analysis included.
        raise NotFound(f"achievement {achievement_id} is deleted (POST /achievements/{achievement_id}/restore)")
    return achievement


def request_deep_analysis(achievement_id: int, store: AchievementStore, queue: AnalysisQueue) -> DeepAnalysisAnswer:
    """`POST /analyze/deep/{id}`: completed at once when the present content is analysed, else queued."""
    achievement = _existing(achievement_id, store)
    analysis = current_analysis(achievement)
    if analysis is not None:
        return DeepAnalysisAnswer(
            status="completed", achievement_id=achievement_id, analysis=DeepAnalysisView.of(analysis)
        )
    job = AnalysisJob(achievement_id=achievement_id, fingerprint=achievement.fingerprint, requested_at=utcnow())
    message_id = queue.send(job)
    return DeepAnalysisAnswer(
        status="queued",
        achievement_id=achievement_id,
        message_id=message_id,
        detail=f"GET /analyze/deep/{achievement_id} answers completed once the worker is done",
    )


def deep_analysis_status(achievement_id: int, store: AchievementStore) -> DeepAnalysisAnswer:
    """`GET /analyze/deep/{id}`: completed with the analysis (marked stale when the content changed since), else
    pending. SPEC §5: an update never drops an analysis; it stays until a new one replaces it."""
    achievement = _existing(achievement_id, store)
    analysis = stored_analysis(achievement)
    if analysis is not None:
        stale = analysis.achievement_fingerprint != achievement.fingerprint
        return DeepAnalysisAnswer(
            status="completed",
            achievement_id=achievement_id,
            analysis=DeepAnalysisView.of(analysis),
            stale=stale,
            detail=(
                f"the achievement changed since this analysis; POST /analyze/deep/{achievement_id} queues a new one"
                if stale
                else None
            ),
        )
    detail = f"no analysis of this achievement yet; POST /analyze/deep/{achievement_id} queues one"
    return DeepAnalysisAnswer(status="pending", achievement_id=achievement_id, detail=detail)
