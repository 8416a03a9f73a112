"""What the Threads-Agent sync remembers between runs: its last report (`THREADS_SYNC` / `STATUS`).

The write is conditional on the run's start: a slower run that started earlier never replaces the
report of one that started later (schedule and manual syncs may overlap).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from achievements.store.codec import from_item
from achievements.store.keys import THREADS_SYNC_STATUS_KEY
from achievements.store.runs import record_latest_run
from achievements.threads.models import SyncReport

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

# The stored report keeps its counts whole but at most this many post lines and errors (an item holds 400 KB).
STORED_POSTS, STORED_ERRORS = 300, 100


class SyncStateStore:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self.table_name = table_name
        self.client = client

    def last_run(self) -> SyncReport | None:
        item = self.client.get_item(TableName=self.table_name, Key=THREADS_SYNC_STATUS_KEY, ConsistentRead=True).get(
            "Item"
        )
        return SyncReport.model_validate(from_item(item)["report"]) if item else None

    def record_run(self, report: SyncReport) -> bool:
        """Keep `report` as the last run, unless a run that started later is recorded already."""
        kept = report.model_copy(update={"posts": report.posts[:STORED_POSTS], "errors": report.errors[:STORED_ERRORS]})
        return record_latest_run(
            self.client, self.table_name, THREADS_SYNC_STATUS_KEY, report.started_at, kept.model_dump(mode="json")
        )
