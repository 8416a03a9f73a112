"""The analysis queue: jobs for DeepAnalysisFunction (the pipeline's auto-analysis rule sends to it too)."""

from __future__ import annotations

from achievements.analysis.models import AnalysisJob
from achievements.core.queue import JobQueue


class AnalysisQueue(JobQueue):
    """Queues analysis jobs for DeepAnalysisFunction."""

    def send(self, job: AnalysisJob) -> str:
        """Queue one job; returns the SQS message id."""
        # A manual job's body stays what it always was; only the pipeline's jobs say "trigger": "auto".
        body = job.model_dump_json(exclude={"trigger"} if job.trigger == "manual" else None)
        return self.send_body(body)
