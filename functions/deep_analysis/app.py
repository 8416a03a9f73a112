"""DeepAnalysisFunction: analyses queued achievements, the records of one SQS batch concurrently.

Powertools batch processing reports only the failed messages (ReportBatchItemFailures); each failed message
is delivered again after the visibility timeout and lands in the DLQ after maxReceiveCount receives.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_lambda_powertools.utilities.batch import AsyncBatchProcessor, EventType, async_process_partial_response
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from achievements.analysis_settings import deep_analysis_settings
from achievements.dal import AchievementStore
from achievements.logic.analysis_worker import (
    AnalysisQueueRecord,
    AnalyzerProvider,
    DeepAnalysisWorker,
    Idempotency,
    api_key_from_secret,
)
from achievements.logic.openai_analyzer import OpenAIAnalyzer, make_openai_client
from achievements.observability import logger, metrics, tracer
from achievements.secret_source import SecretSource

settings = deep_analysis_settings()
BOTO_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 4, "mode": "standard"})
idempotency_config = IdempotencyConfig(
    event_key_jmespath="[achievement_id, fingerprint]",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=3600,
)

local_key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
# The secret (by ARN, cached) when configured, else the local OPENAI_API_KEY; neither: the offline analyzer.
key_source = (
    SecretSource(settings.openai_api_key_secret_id or "", local_key, settings.secret_max_age_seconds)
    if settings.openai_api_key_secret_id or local_key
    else None
)


def openai_api_key() -> str | None:
    return None if key_source is None else api_key_from_secret(key_source.get().decode())


def build_openai_analyzer(api_key: str) -> OpenAIAnalyzer:
    client = make_openai_client(
        api_key, settings.openai_base_url, settings.openai_timeout_seconds, settings.openai_max_retries
    )
    return OpenAIAnalyzer(client, settings.openai_model, settings.openai_max_output_tokens)


worker = DeepAnalysisWorker(
    AchievementStore(settings.achievements_table_name),
    AnalyzerProvider(openai_api_key, build_openai_analyzer),
    Idempotency(
        DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto_config=BOTO_CONFIG),
        idempotency_config,
    ),
)
# A batch whose every record failed is reported like any other (all of them), not as a function error.
processor = AsyncBatchProcessor(
    event_type=EventType.SQS, model=AnalysisQueueRecord, raise_on_entire_batch_failure=False
)
# The analyses wait on OpenAI, not on the CPU: one thread per record of a (max 10) batch.
executor = ThreadPoolExecutor(max_workers=settings.analysis_concurrency, thread_name_prefix="analysis")


async def record_handler(record: AnalysisQueueRecord) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, worker.handle_record, record.messageId, record.body)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency_config.register_lambda_context(context)
    return dict(
        async_process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
    )
