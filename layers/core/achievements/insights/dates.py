"""The `from`/`to` query bounds: a whole day (YYYY-MM-DD) or an ISO 8601 date-time, UTC without an offset."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from pydantic import BeforeValidator

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def moment(value: Any, end_of_day: bool) -> Any:
    """A date (the whole day) or an ISO 8601 date-time; one without an offset is UTC."""
    if not isinstance(value, str):
        return value
    # An unencoded "+" of an offset arrives as a space ("...T10:00:00 02:00").
    text = re.sub(r" (\d{2}:\d{2})$", r"+\1", value.strip())
    try:
        if _DATE_ONLY.match(text):
            return datetime.combine(date.fromisoformat(text), time.max if end_of_day else time.min, tzinfo=UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError("expected a date (YYYY-MM-DD) or an ISO 8601 date-time") from error
    aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        aware.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("date-time is out of range once converted to UTC (years 1..9999)") from error
    return aware


FromBound = Annotated[datetime, BeforeValidator(lambda v: moment(v, end_of_day=False))]
ToBound = Annotated[datetime, BeforeValidator(lambda v: moment(v, end_of_day=True))]
