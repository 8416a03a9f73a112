"""The offline analyzer: deterministic, schema-valid, and following each achievement's own content and numbers."""

from __future__ import annotations

from typing import Any

import pytest

from achievements.analysis.models import DeepAnalysisContent
from achievements.analysis.offline import offline_analysis, signals
from achievements.core.models import Achievement, AchievementDraft, Category, Source, utcnow
from tests.analysis_support import kpi_draft, post_draft


def achievement(draft: AchievementDraft, **changes: Any) -> Achievement:
    now = utcnow()
    data = {**draft.model_dump(exclude={"occurred_at"}), **changes}
    return Achievement(**data, occurred_at=now, id=1, created_at=now, updated_at=now, fingerprint="f" * 64)


def manual(**changes: Any) -> Achievement:
    draft = AchievementDraft(
        title="Wrote onboarding docs",
        description="Documented the setup",
        category=Category.DEVELOPMENT,
        source=Source.MANUAL,
        source_ref="manual-1",
    )
    return achievement(draft, **changes)


def test_same_achievement_gets_the_same_analysis_every_time() -> None:
    # Given one achievement
    post = achievement(post_draft("p-1"))
    # When it is analysed twice
    first, second = offline_analysis(post), offline_analysis(post)
    # Then the answers are identical and valid against the schema
    assert first == second
    assert DeepAnalysisContent.model_validate(first.model_dump()) == first


def test_viral_post_and_revenue_milestone_get_different_scores_skills_and_roles() -> None:
    # Given a viral post and a revenue KPI milestone
    post, kpi = achievement(post_draft("p-1")), achievement(kpi_draft())
    # When both are analysed
    post_analysis, kpi_analysis = offline_analysis(post), offline_analysis(kpi)
    # Then nothing about them is the same canned answer
    assert post_analysis.impact_score != kpi_analysis.impact_score
    assert post_analysis.skills.technical_skills != kpi_analysis.skills.technical_skills
    assert post_analysis.career_implications.suitable_roles != kpi_analysis.career_implications.suitable_roles
    assert post_analysis.career_implications.salary_range != kpi_analysis.career_implications.salary_range
    assert "Engagement Optimization" in post_analysis.skills.technical_skills
    assert "Revenue Analytics" in kpi_analysis.skills.technical_skills
    assert "Threads" in post_analysis.skills.technical_skills
    assert "Prometheus" in kpi_analysis.skills.technical_skills


def test_reference_revenue_milestone_scores_from_its_revenue_and_improvement() -> None:
    # Given the reference milestone: $25,000 against $20,000 (25% over target), source kpi, 1 technology
    kpi = achievement(kpi_draft())
    # When analysed
    analysis = offline_analysis(kpi)
    # Then the score is base 50 + 6 (KPI) + 4*log10(25001) (17.6) + 25/2.5 (10) + 1.5 (Prometheus) = 85
    assert analysis.impact_score == 85
    assert analysis.skills.skill_level == "Senior/Expert"
    assert analysis.career_implications.salary_range.model_dump() == {"min": 100_000, "max": 150_000, "currency": "USD"}
    assert analysis.market_value == "Very High demand - $100k-$150k range"
    assert "$25,000.00 revenue impact" in analysis.reasoning
    assert analysis.strengths[0] == "$25,000.00 revenue impact"


@pytest.mark.parametrize(
    ("smaller", "bigger"),
    [
        ({"views": 1_000}, {"views": 100_000}),
        ({"engagement_rate": 0.06}, {"engagement_rate": 0.10}),
        ({"views": 10_000, "engagement_rate": 0.06}, {"views": 10_000, "engagement_rate": 0.09}),
    ],
)
def test_bigger_numbers_give_a_higher_score(smaller: dict[str, Any], bigger: dict[str, Any]) -> None:
    # Given two viral posts differing only in their numbers
    low = achievement(post_draft("p-low", **smaller))
    high = achievement(post_draft("p-high", **bigger))
    # When analysed, Then the one with the bigger numbers scores higher
    assert offline_analysis(high).impact_score > offline_analysis(low).impact_score


def test_an_improvement_percentage_and_code_changes_count() -> None:
    # Given a manual achievement without numbers, and the same with an improvement and a diff size
    plain = manual()
    measured = manual(metrics={"improvement_percentage": 40, "additions": 400, "deletions": 100})
    # When analysed
    plain_analysis, measured_analysis = offline_analysis(plain), offline_analysis(measured)
    # Then the numbers raise the score (40% -> +16, 500 lines -> +6.7) and name the skills they show
    assert measured_analysis.impact_score - plain_analysis.impact_score == 23
    assert "Git" in measured_analysis.skills.technical_skills
    assert "Measurable Impact Delivery" in measured_analysis.skills.transferable_skills
    # And an achievement without numbers is told to quantify itself
    assert any("Quantify" in step for step in plain_analysis.next_steps)
    assert not any("Quantify" in step for step in measured_analysis.next_steps)


def test_category_sets_the_roles_and_salary_band() -> None:
    # Given the same content filed under two categories
    dev, lead = manual(), manual(category=Category.LEADERSHIP)
    # When analysed
    dev_analysis, lead_analysis = offline_analysis(dev), offline_analysis(lead)
    # Then roles and salary follow the category
    assert "Software Engineer" in dev_analysis.career_implications.suitable_roles
    assert "Engineering Manager" in lead_analysis.career_implications.suitable_roles
    assert lead_analysis.career_implications.salary_range.min > dev_analysis.career_implications.salary_range.min


def test_huge_numbers_stay_within_0_to_100_and_non_numbers_are_ignored() -> None:
    # Given absurdly large numbers next to values that are not numbers
    big = manual(
        category=Category.BUSINESS,
        source=Source.KPI,
        technologies=[f"t{n}" for n in range(20)],
        metrics={
            "revenue_usd": 10**12,
            "improvement_percentage": 10**6,
            "engagement_rate": 1.0,
            "views": 10**12,
            "lines_changed": 10**9,
            "additions": "many",
            "deletions": True,
        },
    )
    # When analysed
    analysis = offline_analysis(big)
    # Then the score is capped and the skill level is the top one
    assert analysis.impact_score == 100
    assert analysis.skills.skill_level == "Expert"
    assert len(analysis.skills.technical_skills) <= 12
    # And strings / booleans were not read as numbers
    assert all("many" not in signal.strength for signal in signals(big))


def test_salary_range_is_ordered_for_every_category() -> None:
    for category in Category:
        # Given an achievement of each category, When analysed, Then min <= max in USD
        salary = offline_analysis(manual(category=category)).career_implications.salary_range
        assert salary.min <= salary.max
        assert salary.currency == "USD"
