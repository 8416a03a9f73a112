"""What the Prometheus scrape remembers between runs, in the achievements table.

Items (pk, sk):
- `METRIC#<name>` / `STATE`  last value and when, effective threshold, version (values recorded), last error
- `SCRAPE` / `STATUS`        the last run's report (when, trigger, outcome, values, errors, achievements)

Every write is conditional on time (`checked_ms` / `started_ms`): a slower, older run never overwrites
what a newer one recorded.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from achievements.prometheus.models import MetricError, MetricState, ScrapeReport
from achievements.store.achievements import default_client
from achievements.store.codec import from_item, serialize
from achievements.store.keys import METRIC_PREFIX, SCRAPE_PK, metric_key
from achievements.store.keys import SCRAPE_STATUS_KEY as STATUS_KEY
from achievements.store.runs import epoch_ms, record_latest_run

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

BATCH_ATTEMPTS = 8


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


class MetricStateStore:
    """Reads and writes the scrape's memory; no other module touches these items."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self.client = client or default_client()

    # ---- reads -------------------------------------------------------------------------------------

    def load(self, names: Sequence[str]) -> tuple[dict[str, MetricState], ScrapeReport | None]:
        """Every named metric's state (a fresh one when never recorded) and the last run, in one batch read."""
        keys = [metric_key(name) for name in dict.fromkeys(names)] + [STATUS_KEY]
        items: list[dict[str, Any]] = []
        for start in range(0, len(keys), 100):
            items.extend(self._batch_get(keys[start : start + 100]))
        states = {name: MetricState(name=name) for name in names}
        report = None
        for item in items:
            data = from_item(item)
            if data["pk"] == SCRAPE_PK:
                report = ScrapeReport.model_validate(data["report"])
                continue
            name = str(data["pk"]).removeprefix(METRIC_PREFIX)
            states[name] = MetricState.model_validate({**data, "name": name})
        return states, report

    def _batch_get(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
        for attempt in range(BATCH_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0, min(0.5, 0.02 * 2**attempt)))
            response = self.client.batch_get_item(RequestItems=request)
            found.extend(response.get("Responses", {}).get(self.table_name, []))
            request = dict(response.get("UnprocessedKeys") or {})
            if not request:
                return found
        raise RuntimeError(f"DynamoDB left keys unprocessed after {BATCH_ATTEMPTS} attempts")

    # ---- writes ------------------------------------------------------------------------------------

    def record_value(self, name: str, value: float, threshold: float, at: datetime) -> bool:
        """Remember the metric's value at `at` (clearing its error); False if a newer check is recorded."""
        return self._update(
            name,
            "SET last_value = :value, last_value_at = :at, threshold = :threshold, last_checked_at = :at, "
            "checked_ms = :ms REMOVE last_error ADD version :one",
            {
                ":value": serialize(value),
                ":threshold": serialize(threshold),
                ":at": {"S": iso(at)},
                ":ms": {"N": str(epoch_ms(at))},
                ":one": {"N": "1"},
            },
        )

    def record_error(self, name: str, error: MetricError, at: datetime) -> bool:
        """Remember why the metric failed at `at`; its last value stays. False if a newer check is recorded."""
        return self._update(
            name,
            "SET last_error = :error, last_checked_at = :at, checked_ms = :ms",
            {":error": serialize(error.model_dump()), ":at": {"S": iso(at)}, ":ms": {"N": str(epoch_ms(at))}},
        )

    def _update(self, name: str, expression: str, values: dict[str, Any]) -> bool:
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=metric_key(name),
                UpdateExpression=expression,
                ConditionExpression="attribute_not_exists(checked_ms) OR checked_ms <= :ms",
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def record_run(self, report: ScrapeReport) -> bool:
        """Remember the run as the last one, unless a run that started later is already recorded."""
        return record_latest_run(
            self.client, self.table_name, STATUS_KEY, report.started_at, report.model_dump(mode="json")
        )
