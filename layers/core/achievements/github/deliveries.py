"""DeliveryLog: which achievement each webhook delivery made, so a redelivery answers with the same id.

Items of the achievements table (pk, sk): `DELIVERY#<source>#<delivery id>` / `DELIVERY` holding
`achievement_id`, `source_ref`, `event`, `body_sha256` and `received_at`. Written once (conditional put);
kept, like the REF items, for as long as the achievement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict

from achievements.core.models import Source, utcnow
from achievements.store.achievements import default_client
from achievements.store.codec import from_item, to_item
from achievements.store.keys import delivery_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


class DeliveryRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    delivery_id: str
    achievement_id: int
    source_ref: str
    event: str
    body_sha256: str
    received_at: str


class DeliveryLog:
    """Reads and writes DELIVERY items; nothing else touches them."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self.client = client or default_client()

    def find(self, source: Source | str, delivery_id: str) -> DeliveryRecord | None:
        response = self.client.get_item(
            TableName=self.table_name, Key=delivery_key(source, delivery_id), ConsistentRead=True
        )
        item = response.get("Item")
        if not item:
            return None
        data = from_item(item)
        return DeliveryRecord.model_validate({key: data[key] for key in DeliveryRecord.model_fields})

    def record(
        self,
        source: Source | str,
        delivery_id: str,
        achievement_id: int,
        source_ref: str,
        event: str,
        body_sha256: str,
    ) -> DeliveryRecord:
        """Remember what the delivery made; when a concurrent copy recorded it first, answer that record."""
        record = DeliveryRecord(
            delivery_id=delivery_id,
            achievement_id=achievement_id,
            source_ref=source_ref,
            event=event,
            body_sha256=body_sha256,
            received_at=utcnow().isoformat(),
        )
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={**delivery_key(source, delivery_id), **to_item(record.model_dump())},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            existing = self.find(source, delivery_id)
            if existing is None:
                raise
            return existing
        return record
