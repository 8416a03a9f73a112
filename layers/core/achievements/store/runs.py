"""The last run of a scheduled job (the Prometheus scrape, the Threads-Agent sync), kept in one item.

The write is conditional on the run's start: a slower run that started earlier never replaces the report of
one that started later (scheduled and manual runs may overlap).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from achievements.store.codec import serialize

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


def epoch_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def record_latest_run(
    client: DynamoDBClient, table_name: str, key: dict[str, Any], started_at: datetime, report: dict[str, Any]
) -> bool:
    """Keep `report` (JSON) under `key` as the last run, unless a run that started later is recorded already."""
    started_ms = epoch_ms(started_at)
    try:
        client.put_item(
            TableName=table_name,
            Item={**key, "started_ms": {"N": str(started_ms)}, "report": serialize(report)},
            ConditionExpression="attribute_not_exists(started_ms) OR started_ms <= :ms",
            ExpressionAttributeValues={":ms": {"N": str(started_ms)}},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return False
    return True
