"""The one logger, tracer and metrics of the app; each function names itself by POWERTOOLS_SERVICE_NAME.

The tracer patches botocore only (every AWS call is a subsegment): X-Ray's default `patch_all` would import
httpx, requests, sqlite3, ... into every function to patch them, whether it uses them or not (+5 % cold start,
docs/quality.md). A function calling another library traces those calls with `tracer.provider.patch([...])`.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

METRICS_NAMESPACE = "AchievementCollector"
TRACED_MODULES = ("botocore",)

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics(namespace=METRICS_NAMESPACE)
