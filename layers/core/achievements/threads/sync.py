"""The Threads-Agent sync (SPEC §7): pull the adaptor's published posts; viral ones become achievements.

One list per persona, then one engagement read per viral post, all concurrently (bounded), each call
bounded by its timeout and the whole run by a budget; then the writes, one by one in the adaptor's order.
A post's failure is reported with its reason and creates nothing; the rest carry on. A post is stored on
the same `source_ref` as a push with `post_id` (one achievement, whoever told us first) and updated only
when its counters grew (SPEC §5). Two syncs at once (schedule + manual) store each post once: the
store's conditional writes decide.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from pydantic import ValidationError

from achievements.core.http_auth import auth_from_secret
from achievements.core.models import Source, utcnow
from achievements.core.observability import logger, metrics
from achievements.core.secrets import SecretSource, SecretUnavailable
from achievements.store import AchievementStore
from achievements.store.achievements import fingerprint
from achievements.threads.client import AdaptorError, ThreadsAdaptorClient
from achievements.threads.drafts import NotMeasurable, adaptor_post_draft, adaptor_posts, adaptor_viral_post, post_ref
from achievements.threads.models import (
    AdaptorPost,
    SyncCounts,
    SyncedPost,
    SyncFailure,
    SyncFailureKind,
    SyncOutcome,
    SyncReport,
    SyncStatus,
    SyncTrigger,
    ViralPostIn,
)
from achievements.threads.rules import VIRAL_ENGAGEMENT_THRESHOLD, CountersWentDown, counter_changes, is_viral
from achievements.threads.settings import ThreadsSyncSettings
from achievements.threads.state import SyncStateStore

GRACE_SECONDS = 1.0  # past the run budget, for calls already under way to hit their own timeouts


def failed_line(
    kind: SyncFailureKind, message: str, thread_id: str | None, persona_id: str | None, rate: float | None = None
) -> tuple[SyncedPost, SyncFailure]:
    """A post that failed: its line in the report and its entry in the errors."""
    line = SyncedPost(
        thread_id=thread_id or "",
        persona_id=persona_id,
        status="failed",
        engagement_rate=rate,
        reason=f"{kind.value}: {message}",
    )
    return line, SyncFailure(kind=kind, message=message, thread_id=thread_id, persona_id=persona_id)


_Decided = tuple[SyncedPost, SyncFailure | None]  # a post's line in the report, and its failure if any


@dataclass(frozen=True)
class _Measured:
    """A viral post with its engagement read: what the store is asked to keep."""

    post: AdaptorPost
    viral: ViralPostIn
    comments: int


class AdaptorAuthUnusable(Exception):
    """The adaptor's auth secret cannot be read or used: the sync calls nothing with it."""


def secret_auth(source: SecretSource | None) -> Callable[[], httpx.Auth | None]:
    """The adaptor's auth from its Secrets Manager secret (cached by the source); none without a secret."""

    def load() -> httpx.Auth | None:
        if source is None:
            return None
        try:
            return auth_from_secret(source.get())
        except SecretUnavailable as error:
            raise AdaptorAuthUnusable(f"the threads-adaptor auth secret could not be read: {error}") from error
        except ValueError as error:
            raise AdaptorAuthUnusable(f"the threads-adaptor auth secret is unusable: {error}") from error

    return load


@dataclass
class _Run:
    """One sync's working notes, turned into its report at the end."""

    run_id: str
    trigger: SyncTrigger
    started_at: datetime
    personas: list[str]
    limit: int
    posts: list[SyncedPost] = field(default_factory=list)
    errors: list[SyncFailure] = field(default_factory=list)
    lists_read: int = 0
    viral: int = 0

    def report(self, finished_at: datetime, adaptor_host: str) -> SyncReport:
        counts = SyncCounts(seen=len(self.posts), viral=self.viral)
        for post in self.posts:
            setattr(counts, post.status, getattr(counts, post.status) + 1)
        if self.lists_read == 0:
            outcome = SyncOutcome.FAILED
        elif self.errors:
            outcome = SyncOutcome.PARTIAL
        else:
            outcome = SyncOutcome.SUCCEEDED
        return SyncReport(
            run_id=self.run_id,
            trigger=self.trigger,
            started_at=self.started_at,
            finished_at=finished_at,
            outcome=outcome,
            adaptor_host=adaptor_host,
            persona_ids=self.personas,
            limit=self.limit,
            counts=counts,
            posts=self.posts,
            errors=self.errors,
        )


@dataclass
class ThreadsSync:
    """The sync and its status, over an injected adaptor client, stores and auth loader."""

    settings: ThreadsSyncSettings
    adaptor: ThreadsAdaptorClient
    store: AchievementStore
    state: SyncStateStore
    load_auth: Callable[[], httpx.Auth | None] = lambda: None
    clock: Callable[[], datetime] = utcnow
    pool: ThreadPoolExecutor = field(init=False)

    def __post_init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=self.settings.max_concurrency, thread_name_prefix="threads-sync")

    # ---- the sync ----------------------------------------------------------------------------------

    def sync(
        self, trigger: SyncTrigger, run_id: str | None = None, persona_id: str | None = None, limit: int | None = None
    ) -> SyncReport:
        personas = [persona_id] if persona_id else list(self.settings.persona_ids)
        run = _Run(run_id or str(uuid.uuid4()), trigger, self.clock(), personas, limit or self.settings.limit)
        deadline = time.monotonic() + self.settings.run_seconds
        try:
            auth = self.load_auth()
        except AdaptorAuthUnusable as error:
            logger.error("threads sync configuration unusable", extra={"reason": str(error)})
            run.errors.append(SyncFailure(kind=SyncFailureKind.CONFIG, message=str(error)))
            return self._finish(run)

        lists: list[str | None] = list(personas) or [None]  # no personas configured: one list of them all
        listed = self._gather(
            {persona: self.pool.submit(self.adaptor.posts, persona, run.limit, auth) for persona in lists}, deadline
        )
        pulls: dict[str, Future[_Decided | _Measured]] = {}
        order: list[tuple[SyncedPost, SyncFailure | None] | str] = []  # each entry's line, or the pull giving it
        seen: set[str] = set()
        for persona, entries in listed.items():
            if isinstance(entries, AdaptorError):
                logger.warning("threads-adaptor list failed", extra={"persona": persona, "reason": str(entries)})
                run.errors.append(SyncFailure(kind=entries.kind, message=entries.message, persona_id=persona))
                continue
            run.lists_read += 1
            if len(entries) > run.limit:
                run.errors.append(
                    SyncFailure(
                        kind=SyncFailureKind.TOO_LARGE,
                        message=(
                            f"/posts answered {len(entries):,} posts for limit {run.limit}; read the first {run.limit}"
                        ),
                        persona_id=persona,
                    )
                )
                entries = entries[: run.limit]
            for _, post, thread_id in adaptor_posts(entries):
                if isinstance(post, str):
                    order.append(failed_line(SyncFailureKind.INVALID_POST, post, thread_id, persona))
                    continue
                if post.thread_id in seen:
                    duplicate = SyncedPost(
                        thread_id=post.thread_id,
                        persona_id=post.persona_id,
                        status="skipped",
                        reason="duplicate: the same thread_id came earlier in the adaptor's answer",
                    )
                    order.append((duplicate, None))
                    continue
                seen.add(post.thread_id)
                if not is_viral(post.engagement_rate):
                    below = SyncedPost(
                        thread_id=post.thread_id,
                        persona_id=post.persona_id,
                        status="skipped",
                        engagement_rate=post.engagement_rate,
                        reason=f"engagement_rate {post.engagement_rate} is below the viral threshold "
                        f"{VIRAL_ENGAGEMENT_THRESHOLD}",
                    )
                    order.append((below, None))
                    continue
                run.viral += 1
                pulls[post.thread_id] = self.pool.submit(self._pull, post, auth, deadline)
                order.append(post.thread_id)

        # The reads ran side by side; the writes go one by one, in the adaptor's order (newest first).
        pulled = self._gather(pulls, deadline)
        for entry in order:
            if isinstance(entry, str):
                result = pulled[entry]
                if isinstance(result, AdaptorError):  # the run's budget ran out before the read finished
                    entry = failed_line(result.kind, result.message, entry, None)
                elif isinstance(result, _Measured):
                    entry = self._store(result, deadline)
                else:
                    entry = result
            line, failure = entry
            run.posts.append(line)
            if failure is not None:
                run.errors.append(failure)
        return self._finish(run)

    def _gather[K, T](self, futures: dict[K, Future[T]], deadline: float) -> dict[K, T | AdaptorError]:
        """Each future's result (or its AdaptorError), waiting no longer than the run's budget."""
        wait(futures.values(), timeout=max(0.0, deadline - time.monotonic()) + GRACE_SECONDS)
        results: dict[K, T | AdaptorError] = {}
        for key, future in futures.items():
            if not future.done():
                future.cancel()
                results[key] = AdaptorError(
                    SyncFailureKind.TIMEOUT, f"the sync's {self.settings.run_seconds:g}s budget ran out"
                )
                continue
            error = future.exception()
            if error is None:
                results[key] = future.result()
            elif isinstance(error, AdaptorError):
                results[key] = error
            else:
                raise error  # the store failing: the run raises, so Scheduler retries it (then the DLQ)
        return results

    def _pull(self, post: AdaptorPost, auth: httpx.Auth | None, deadline: float) -> _Decided | _Measured:
        """One viral post's engagement (in the pool): what to store, or why nothing."""

        def failed(kind: SyncFailureKind, message: str) -> tuple[SyncedPost, SyncFailure]:
            return failed_line(kind, message, post.thread_id, post.persona_id, post.engagement_rate)

        try:
            engagement = self.adaptor.engagement(post.thread_id, auth)
        except AdaptorError as error:
            return failed(error.kind, error.message)
        line = SyncedPost(thread_id=post.thread_id, persona_id=post.persona_id, status="skipped")
        line.engagement_rate = engagement.engagement_rate
        if not is_viral(engagement.engagement_rate):
            line.reason = (
                f"engagement_rate {engagement.engagement_rate} (engagement now) is below the viral threshold "
                f"{VIRAL_ENGAGEMENT_THRESHOLD}"
            )
            return line, None
        try:
            viral = adaptor_viral_post(post, engagement)
        except NotMeasurable as error:
            return failed(SyncFailureKind.NO_IMPRESSIONS, str(error))
        except ValidationError as error:
            return failed(SyncFailureKind.INVALID_POST, f"not a valid post: {error.error_count()} field(s)")
        return _Measured(post, viral, engagement.comments_count)

    def _store(self, measured: _Measured, deadline: float) -> _Decided:
        """The achievement of one measured post: created, updated when its counters grew, else unchanged."""
        post, viral = measured.post, measured.viral
        if time.monotonic() > deadline:
            return failed_line(
                SyncFailureKind.TIMEOUT,
                f"the sync's {self.settings.run_seconds:g}s budget ran out",
                post.thread_id,
                post.persona_id,
                viral.engagement_rate,
            )
        line = SyncedPost(
            thread_id=post.thread_id,
            persona_id=post.persona_id,
            status="unchanged",
            engagement_rate=viral.engagement_rate,
        )
        counters = {"views": viral.views, "likes": viral.likes, "shares": viral.shares}
        existing = self.store.find_by_ref(Source.THREADS, post_ref(viral))
        if existing is not None and existing[1] == fingerprint(adaptor_post_draft(viral, measured.comments)):
            # What the last sync stored, exactly: one read, as a repeat of `POST /threads/track` costs.
            line.achievement_id, line.reason = existing[0], "no counter grew (views, likes, shares)"
            return line, None
        previous = self.store.get(existing[0]) if existing is not None else None
        if previous is not None:
            grew, fell = counter_changes(previous.metrics, counters)
            if fell or not grew:
                line.achievement_id = previous.id
                line.reason = str(CountersWentDown(fell)) if fell else "no counter grew (views, likes, shares)"
                return line, None
        draft = adaptor_post_draft(viral, measured.comments, previous.evidence if previous else None)
        try:
            result = self.store.upsert(draft)
        except CountersWentDown as error:  # a concurrent sync stored higher numbers meanwhile
            again = self.store.find_by_ref(Source.THREADS, draft.source_ref)
            line.achievement_id, line.reason = again[0] if again else None, str(error)
            return line, None
        line.status, line.achievement_id = result.status.value, result.achievement_id  # type: ignore[assignment]
        return line, None

    def _finish(self, run: _Run) -> SyncReport:
        report = run.report(self.clock(), self.settings.adaptor_host)
        self.state.record_run(report)
        counts = report.counts
        metrics.add_metric(name="threads_syncs_total", unit="Count", value=1)
        if counts.seen:
            metrics.add_metric(name="achievement_collector_threads_integrations_total", unit="Count", value=counts.seen)
        if counts.created:
            metrics.add_metric(
                name="achievement_collector_viral_posts_tracked_total", unit="Count", value=counts.created
            )
        if report.errors:
            metrics.add_metric(name="threads_sync_errors_total", unit="Count", value=len(report.errors))
        logger.info(
            "threads sync finished",
            extra={
                "run_id": report.run_id,
                "trigger": report.trigger.value,
                "outcome": report.outcome.value,
                # prefixed: `created` is a LogRecord attribute the logger refuses to overwrite
                **{f"posts_{name}": value for name, value in counts.model_dump().items()},
                "error_kinds": sorted({error.kind.value for error in report.errors}),
            },
        )
        return report

    # ---- the status --------------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        settings = self.settings
        last = self.state.last_run()
        return SyncStatus(
            status="active" if settings.schedule_state == "ENABLED" else "paused",
            interval_hours=settings.interval_hours,
            adaptor_host=settings.adaptor_host,
            limit=settings.limit,
            persona_ids=list(settings.persona_ids),
            auth="secret" if settings.auth_secret_id else "none",
            last_run_at=last.started_at if last else None,
            last_trigger=last.trigger if last else None,
            last_outcome=last.outcome if last else None,
            last_counts=last.counts if last else None,
            last_errors=last.errors if last else [],
            last_run=last,
        )
