"""PipelineOutboxFunction: the achievements table's stream -> domain events on the bus (SPEC §6).

Powertools batch processing reports the failed records (ReportBatchItemFailures); Lambda retries from the first
of them, bisects a batch that fails entirely, and parks what still fails in the on-failure queue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.core.observability import logger, metrics, tracer
from achievements.pipeline.deps import deps
from achievements.pipeline.settings import pipeline_settings

deps.build(pipeline_settings())


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    graph = deps.current()
    if graph.idempotency_config is not None:
        graph.idempotency_config.register_lambda_context(context)
    return dict(
        process_partial_response(
            event=event, record_handler=graph.record_handler, processor=graph.processor, context=context
        )
    )
