"""The local stack's bus: a bus kept by the process's services from an earlier stack takes only this stack's rules."""

from __future__ import annotations

from tests.conftest import Tables
from tests.unit.pipeline.conftest import make_pipeline


def test_a_second_stack_without_auto_analysis_drops_the_first_stacks_auto_analysis_rule(moto_tables: Tables) -> None:
    # Given a first local stack whose bus routes new achievements to the analysis queue (AutoAnalysis=all)
    first = make_pipeline(moto_tables)
    bus = first.names["AchievementsBus"]
    assert "local-AutoAnalysisRule" in {rule["Name"] for rule in first.events.list_rules(EventBusName=bus)["Rules"]}

    # When a second stack in the same process starts on that bus with AutoAnalysis=none
    second = make_pipeline(moto_tables, {"AutoAnalysis": "none"})

    # Then the bus holds the second stack's rules only: no automatic analysis rule is left behind
    rules = {rule["Name"] for rule in second.events.list_rules(EventBusName=bus)["Rules"]}
    assert "local-AutoAnalysisRule" not in rules
    assert rules  # the notification rules of the second stack are there
