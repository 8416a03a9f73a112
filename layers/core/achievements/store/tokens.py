"""The tokens table's DynamoDB code (access/): an access token's item, by id, listed newest first, revoked.

Items hold the token's SHA-256, never the token. One GetItem per authorizer call that API Gateway has not
cached; GET /tokens is a Query of gsi1 (`TOKENS`), never a Scan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from achievements.store.codec import from_item, serialize, to_item
from achievements.store.keys import KEY_ATTRIBUTES, LIST_INDEX, LIST_PK, LIST_SK, TOKENS_PARTITION, token_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

PAGE = 100
MAX_LISTED = 1000


class TokenStore:
    """Token records as plain dicts (access/service.py makes them models)."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self.table_name = table_name
        self.client = client

    def put(self, record: dict[str, Any]) -> bool:
        """Store a new token's record; False when its id is taken (the caller draws another)."""
        token_id = str(record["token_id"])
        item = {
            **to_item(record),
            **token_key(token_id),
            LIST_PK: {"S": TOKENS_PARTITION},
            LIST_SK: {"S": f"{record['created_at']}#{token_id}"},
        }
        try:
            self.client.put_item(TableName=self.table_name, Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get(self, token_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table_name, Key=token_key(token_id), ConsistentRead=True).get("Item")
        return _record(item) if item else None

    def list(self) -> list[dict[str, Any]]:
        """Every token, newest first (at most MAX_LISTED)."""
        records: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while len(records) < MAX_LISTED:
            arguments: dict[str, Any] = {
                "TableName": self.table_name,
                "IndexName": LIST_INDEX,
                "KeyConditionExpression": "#pk = :partition",
                "ExpressionAttributeNames": {"#pk": LIST_PK},
                "ExpressionAttributeValues": {":partition": {"S": TOKENS_PARTITION}},
                "ScanIndexForward": False,
                "Limit": PAGE,
            }
            if start:
                arguments["ExclusiveStartKey"] = start
            page = self.client.query(**arguments)
            records.extend(_record(item) for item in page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        return records[:MAX_LISTED]

    def revoke(self, token_id: str, revoked_at: str) -> dict[str, Any] | None:
        """Mark a token revoked (the first revocation's time stays); None when there is no such token."""
        try:
            answer = self.client.update_item(
                TableName=self.table_name,
                Key=token_key(token_id),
                UpdateExpression="SET #revoked = if_not_exists(#revoked, :now)",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#revoked": "revoked_at"},
                ExpressionAttributeValues={":now": serialize(revoked_at)},
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise
        return _record(answer["Attributes"])


def _record(item: dict[str, Any]) -> dict[str, Any]:
    data = from_item(item)
    for key in KEY_ATTRIBUTES:
        data.pop(key, None)
    return data
