"""DeepAnalysisFunction: analyses queued achievements, the records of one SQS batch concurrently.

Powertools batch processing reports only the failed messages (ReportBatchItemFailures); each failed message
is delivered again after the visibility timeout and lands in the DLQ after maxReceiveCount receives.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import async_process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.analysis.deps import worker
from achievements.analysis.settings import deep_analysis_settings
from achievements.core.observability import logger, metrics, tracer

worker.build(deep_analysis_settings())


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    graph = worker.current()
    graph.idempotency_config.register_lambda_context(context)
    return dict(
        async_process_partial_response(
            event=event, record_handler=graph.record_handler, processor=graph.processor, context=context
        )
    )
