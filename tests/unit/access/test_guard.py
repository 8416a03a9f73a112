"""The guard every API handler wears: the identity from the request context only, IAM callers, refusals."""

from __future__ import annotations

from achievements.access.guard import caller_of, refusal
from achievements.access.settings import CallerSettings
from achievements.core.callers import Caller, Role
from tests.conftest import load_event
from tests.unit.access.conftest import as_caller

AUTHORIZER = CallerSettings(achievements_table_name="test-AchievementsTable")
IAM = AUTHORIZER.model_copy(update={"caller_auth": "iam"})
ARN = "arn:aws:sts::123456789012:assumed-role/analyst/alice"


def signed(event: dict, arn: str | None = ARN) -> dict:
    context = {**event["requestContext"], "identity": {**event["requestContext"]["identity"], "userArn": arn}}
    context.pop("authorizer", None)
    return {**event, "requestContext": context}


def test_with_analyst_auth_iam_the_signed_principal_reads_like_an_admin() -> None:
    # Given the insights event as AnalystApi passes it: SigV4-signed, no authorizer
    event = signed(load_event("career_insights.json"))

    # When the IAM function reads its caller, Then it is the principal, reaching everything, let in
    caller = caller_of(event, IAM)
    assert caller == Caller(token_id=f"iam:{ARN}", role=Role.ADMIN, person="me")
    assert refusal(event, IAM) is None


def test_with_analyst_auth_iam_an_unsigned_request_is_401_whatever_its_context_says() -> None:
    # Given an event with no signed principal but an admin's authorizer context
    # When the IAM function reads its caller and admits the request
    event = as_caller(signed(load_event("career_insights.json"), None), Caller("t", Role.ADMIN, "ada"))

    # Then the IAM function sees no caller
    assert caller_of(event, IAM) is None
    refused = refusal(event, IAM)
    assert refused is not None
    assert refused.status == 401


def test_behind_the_authorizer_a_signed_principal_counts_for_nothing() -> None:
    # Given a SigV4 identity and no authorizer context, When a function behind the authorizer reads its caller, Then
    # none
    event = signed(load_event("career_insights.json"))
    assert caller_of(event, AUTHORIZER) is None


def test_a_malformed_authorizer_context_is_no_caller() -> None:
    # Given authorizer contexts that are malformed, When the caller is read from each, Then there is none
    event = load_event("career_insights.json")
    for context in ({"role": "owner", "token_id": "t", "person": "ann"}, {"role": "admin"}, "admin", None):
        broken = {**event, "requestContext": {**event["requestContext"], "authorizer": context}}
        assert caller_of(broken, AUTHORIZER) is None, context


def test_a_route_outside_the_table_is_404_like_an_unknown_route() -> None:
    # Given a request for a route the table has no row for, When it is admitted, Then it is 404 naming it
    event = {**load_event("career_insights.json"), "resource": "/secret", "path": "/secret"}
    refused = refusal(event, AUTHORIZER)
    assert refused is not None
    assert (refused.status, refused.message) == (404, "no route GET /secret")
