"""The deep-analysis functions' object graphs: the request side (no openai import) and the SQS worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from achievements.analysis.cap import DailyCap
from achievements.analysis.queue import AnalysisQueue
from achievements.analysis.settings import (
    AnalysisRequestSettings,
    DeepAnalysisSettings,
    analysis_request_settings,
    deep_analysis_settings,
)
from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.core.secrets import secret_source
from achievements.store import AchievementStore

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from aws_lambda_powertools.utilities.batch import AsyncBatchProcessor
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    from achievements.analysis.worker import AnalysisQueueRecord, Analyzer, DeepAnalysisWorker

# The worker's modules (batch processing, idempotency, the parser's SQS models, the analyzers) are imported by
# the functions below, which only DeepAnalysisFunction calls: AnalysisRequestFunction's cold start does not
# load them (docs/quality.md, "Cold start").


@dataclass(frozen=True)
class RequestDeps:
    settings: AnalysisRequestSettings
    store: AchievementStore
    queue: AnalysisQueue


def _build_requests(settings: AnalysisRequestSettings, clients: AwsClients) -> RequestDeps:
    store = AchievementStore.of(settings, clients)
    return RequestDeps(settings, store, AnalysisQueue(settings.analysis_queue_url, client_factory=lambda: clients.sqs))


requests = Container(_build_requests, analysis_request_settings)


def idempotency_config() -> IdempotencyConfig:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    # One analysis per achievement content: the key is the job's id and the fingerprint it was queued for.
    return IdempotencyConfig(
        event_key_jmespath="[achievement_id, fingerprint]",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=3600,
    )


@dataclass(frozen=True)
class WorkerDeps:
    settings: DeepAnalysisSettings
    worker: DeepAnalysisWorker
    idempotency_config: IdempotencyConfig
    processor: AsyncBatchProcessor
    executor: ThreadPoolExecutor

    async def record_handler(self, record: AnalysisQueueRecord) -> dict[str, Any]:
        import asyncio

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.worker.handle_record, record.messageId, record.body)


def key_source(settings: DeepAnalysisSettings, clients: AwsClients) -> Callable[[], str | None]:
    """The secret (by ARN, cached) when configured, else the local OPENAI_API_KEY; neither: the offline analyzer."""
    from achievements.analysis.worker import api_key_from_secret

    if not (settings.openai_api_key_secret_id or settings.openai_api_key):
        return lambda: None
    source = secret_source(
        settings.openai_api_key_secret_id, settings.openai_api_key, settings.secret_max_age_seconds, clients
    )
    return lambda: api_key_from_secret(source.get().decode())


def _build_worker(
    settings: DeepAnalysisSettings, clients: AwsClients, wrap_analyzer: Callable[[Analyzer], Analyzer] | None = None
) -> WorkerDeps:
    from concurrent.futures import ThreadPoolExecutor

    from aws_lambda_powertools.utilities.batch import AsyncBatchProcessor, EventType
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from achievements.analysis.worker import AnalysisQueueRecord, AnalyzerProvider, DeepAnalysisWorker, Idempotency

    def build_openai_analyzer(api_key: str) -> Analyzer:
        # openai is imported here, when a real key first needs a client: not by the API functions, and not at
        # the worker's init (offline deployments never load it). The SDK's __init__ imports all its types, so
        # `import openai` is the smallest import it allows (docs/quality.md, "Cold start").
        from achievements.analysis.client import OpenAIAnalyzer, make_openai_client

        client = make_openai_client(
            api_key, settings.openai_base_url, settings.openai_timeout_seconds, settings.openai_max_retries
        )
        return OpenAIAnalyzer(client, settings.openai_model, settings.openai_max_output_tokens)

    config = idempotency_config()
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table_name, boto3_client=clients.get("idempotency-dynamodb")
    )
    worker = DeepAnalysisWorker(
        AchievementStore.of(settings, clients),
        AnalyzerProvider(key_source(settings, clients), build_openai_analyzer, wrap_analyzer),
        Idempotency(persistence, config),
        DailyCap(settings.achievements_table_name, clients.dynamodb, settings.auto_analysis_daily_cap),
    )
    return WorkerDeps(
        settings,
        worker,
        config,
        # A batch whose every record failed is reported like any other (all of them), not as a function error.
        AsyncBatchProcessor(event_type=EventType.SQS, model=AnalysisQueueRecord, raise_on_entire_batch_failure=False),
        # The analyses wait on OpenAI, not on the CPU: one thread per record of a (max 10) batch.
        ThreadPoolExecutor(max_workers=settings.analysis_concurrency, thread_name_prefix="analysis"),
    )


worker = Container(_build_worker, deep_analysis_settings)
