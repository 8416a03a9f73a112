"""The daily cap on automatic analyses: one conditional counter per UTC day in the achievements table.

Over the cap an automatic job is acknowledged and left for a manual request (POST /analyze/deep/{id}); it is
not queued for the next day, so a flood of events never turns into a flood of analyses tomorrow either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from achievements.core.models import utcnow
from achievements.store.keys import auto_analysis_count_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


def utc_day() -> str:
    return utcnow().date().isoformat()


class DailyCap:
    """`take()` is True for the first `limit` automatic analyses of a UTC day, False after (atomic across workers)."""

    def __init__(self, table_name: str, client: DynamoDBClient, limit: int, today: Callable[[], str] = utc_day) -> None:
        self.table_name = table_name
        self.client = client
        self.limit = limit
        self.today = today

    def take(self) -> bool:
        if self.limit <= 0:
            return False
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=auto_analysis_count_key(self.today()),
                UpdateExpression="ADD #count :one",
                ConditionExpression="attribute_not_exists(#count) OR #count < :limit",
                ExpressionAttributeNames={"#count": "count"},
                ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(self.limit)}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
