"""PipelineOutboxFunction's object graph: the bus, the outbox (idempotent per event id), the batch processor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.pipeline.bus import EventBus
from achievements.pipeline.service import StreamOutbox
from achievements.pipeline.settings import PipelineSettings, pipeline_settings

IDEMPOTENCY_KEY_PREFIX = "pipeline-outbox"


@dataclass(frozen=True)
class PipelineDeps:
    settings: PipelineSettings
    outbox: StreamOutbox
    processor: BatchProcessor
    idempotency_config: IdempotencyConfig | None

    def record_handler(self, record: DynamoDBRecord) -> dict[str, Any]:
        return self.outbox.handle_record(record.raw_event)


def _build(settings: PipelineSettings, clients: AwsClients, idempotent: bool = True, sleep: Any = None) -> PipelineDeps:
    bus = EventBus(settings.event_bus_name, clients.events, attempts=settings.publish_attempts)
    if sleep is not None:
        bus.sleep = sleep
    outbox = StreamOutbox(bus, settings.api_url)
    config = None
    if idempotent:
        config = IdempotencyConfig(
            event_key_jmespath="detail.event_id",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=settings.published_ttl_seconds,
        )
        persistence = DynamoDBPersistenceLayer(
            table_name=settings.idempotency_table_name, boto3_client=clients.get("idempotency-dynamodb")
        )
        outbox.publish_once = idempotent_function(
            outbox.publish_once,
            data_keyword_argument="event",
            persistence_store=persistence,
            config=config,
            key_prefix=IDEMPOTENCY_KEY_PREFIX,
        )
    # A batch whose every record failed raises: a function error, so Lambda bisects it (BisectBatchOnFunctionError).
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    return PipelineDeps(settings, outbox, processor, config)


deps = Container(_build, pipeline_settings)
