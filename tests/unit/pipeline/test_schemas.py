"""shared/events/*.schema.json are what the code generates, and real events satisfy them."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from achievements.pipeline.models import EVENT_SOURCE, DetailType
from achievements.pipeline.rules import domain_event
from achievements.pipeline.schemas import file_name
from devstack.event_schemas import OUTPUT, stale
from devstack.template import ROOT
from tests.unit.pipeline.test_rules import ITEM


def test_shared_event_schemas_match_the_code() -> None:
    # When the schemas are generated again (in their own process), Then the committed files are the same
    result = subprocess.run(
        [sys.executable, "-m", "devstack.event_schemas", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_drift_check_notices_a_changed_file(tmp_path) -> None:
    # Given a copy of the schemas with one file edited
    for path in OUTPUT.glob("*.schema.json"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "achievement-created.schema.json").write_text("{}\n")
    # When checked, Then that file is reported
    assert stale(tmp_path) == ["achievement-created.schema.json"]


@pytest.mark.parametrize("detail_type", list(DetailType))
def test_an_event_as_the_bus_carries_it_satisfies_its_schema(detail_type: DetailType) -> None:
    # Given an event of the outbox, as EventBridge delivers it
    event = domain_event("INSERT", None, ITEM, "200")
    assert event is not None
    delivered = {
        "id": "a1b2",
        "source": EVENT_SOURCE,
        "detail-type": detail_type.value,
        "time": "2026-12-01T10:00:00Z",
        "detail": json.loads(event.detail.model_dump_json()),
    }
    schema = json.loads((OUTPUT / file_name(detail_type)).read_text())
    # Then it validates, and one of another detail-type does not
    jsonschema.validate(delivered, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**delivered, "detail-type": "Something Else"}, schema)
