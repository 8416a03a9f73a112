"""ReattributionFunction: moves an identity's past achievements to the person who claimed its alias.

Powertools batch processing reports only the failed messages (ReportBatchItemFailures); a failed message is
delivered again and lands in the DLQ after maxReceiveCount receives.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.core.observability import logger, metrics, tracer
from achievements.people.deps import deps
from achievements.people.settings import people_settings

deps.build(people_settings())


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    graph = deps.current()
    return dict(
        process_partial_response(
            event=event, record_handler=graph.record_handler, processor=graph.processor, context=context
        )
    )
