"""JSON Schemas of the events on the bus, generated from the models (shared/events/*.schema.json)."""

from __future__ import annotations

import re
from typing import Any

from achievements.pipeline.models import EVENT_SOURCE, AchievementEventDetail, DetailType


def file_name(detail_type: DetailType) -> str:
    return re.sub(r"[^a-z]+", "-", detail_type.value.lower()).strip("-") + ".schema.json"


def event_schema(detail_type: DetailType) -> dict[str, Any]:
    """An EventBridge event of one detail-type as a rule (or a consumer) sees it."""
    detail = AchievementEventDetail.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://achievement-collector/events/{file_name(detail_type)}",
        "title": detail_type.value,
        "description": f"`{detail_type.value}` on the achievements bus (SPEC §6); docs/pipeline.md",
        "type": "object",
        "required": ["id", "source", "detail-type", "time", "detail"],
        "properties": {
            "id": {"type": "string", "description": "EventBridge's id of the entry (differs on a republish)"},
            "source": {"const": EVENT_SOURCE},
            "detail-type": {"const": detail_type.value},
            "time": {"type": "string", "format": "date-time"},
            "detail": detail,
        },
    }


def event_schemas() -> dict[str, dict[str, Any]]:
    return {file_name(detail_type): event_schema(detail_type) for detail_type in DetailType}
