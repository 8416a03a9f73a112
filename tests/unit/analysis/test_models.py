"""The deep-analysis schema refuses what SPEC §3 does not allow, whatever produced it."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pydantic import ValidationError

from achievements.analysis.models import AnalysisJob, DeepAnalysisAnswer, DeepAnalysisContent
from tests.fakes.openai_server import VALID_ANALYSIS


def changed(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID_ANALYSIS)
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[key]
    target[last] = value
    return data


def test_the_reference_shaped_analysis_is_valid() -> None:
    # Given the reference's analysis, When validated, Then it is accepted as is
    assert DeepAnalysisContent.model_validate(VALID_ANALYSIS).impact_score == 82


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        ("impact_score", 101, "impact_score"),
        ("impact_score", -1, "impact_score"),
        ("impact_score", "90", "impact_score"),
        ("career_implications.salary_range.min", 300_000, "salary_range.min 300000 is above salary_range.max"),
        ("career_implications.salary_range.currency", "dollars", "currency"),
        ("skills.skill_level", "Wizard", "skill_level"),
        ("market_relevance.industry_demand", "Enormous", "industry_demand"),
        ("strengths", [f"s{n}" for n in range(9)], "strengths"),
        ("admin", True, "admin"),
        ("skills.extra", "x", "extra"),
    ],
)
def test_out_of_schema_values_are_refused(path: str, value: Any, fragment: str) -> None:
    # Given an analysis with one value outside the schema, When validated, Then it is refused naming the problem
    with pytest.raises(ValidationError) as refused:
        DeepAnalysisContent.model_validate_json(json.dumps(changed(path, value)))
    assert fragment in str(refused.value)


def test_a_missing_section_is_refused() -> None:
    # Given an analysis without market_relevance, When validated, Then it is refused naming the section
    data = copy.deepcopy(VALID_ANALYSIS)
    del data["market_relevance"]
    with pytest.raises(ValidationError, match="market_relevance"):
        DeepAnalysisContent.model_validate(data)


@pytest.mark.parametrize("body", ['{"achievement_id": "1"}', '{"achievement_id": 0}', "{}", '{"achievement_id": 1.5}'])
def test_queue_messages_need_a_positive_integer_id(body: str) -> None:
    # Given a queue message without a positive integer id, When parsed, Then it is refused naming the id
    with pytest.raises(ValidationError, match="achievement_id"):
        AnalysisJob.model_validate_json(body)


def test_answers_omit_absent_fields() -> None:
    # Given a pending answer, When serialised, Then it carries no null fields
    answer = DeepAnalysisAnswer(status="pending", achievement_id=3)
    assert answer.model_dump(mode="json") == {"status": "pending", "achievement_id": 3}
