"""Running the source tree's handlers inside a benchmark's own process, as a function would see them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare(**extra_env: str) -> None:
    """Put the core layer on sys.path and set the environment every function reads (unless already set)."""
    for entry in (str(ROOT), str(ROOT / "layers" / "core")):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    defaults = {
        "ACHIEVEMENTS_TABLE_NAME": "bench-AchievementsTable",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "POWERTOOLS_METRICS_NAMESPACE": "AchievementCollector",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        **extra_env,
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
