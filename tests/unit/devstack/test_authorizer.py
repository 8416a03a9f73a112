"""The local Lambda authorizer (devstack/authorizer.py): identity sources, cache, policy, usage keys."""

from __future__ import annotations

from typing import Any

from devstack.authorizer import LocalAuthorizer, policy_allows
from devstack.functions import InvocationError

ARN = "arn:aws:execute-api:us-east-1:000000000000:local/Prod"


def answer(usage_key: str = "key-1") -> dict[str, Any]:
    return {
        "principalId": "t-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [f"{ARN}/GET/achievements/*"]},
                {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": [f"{ARN}/GET/achievements/7"]},
            ],
        },
        "context": {"role": "member"},
        "usageIdentifierKey": usage_key,
    }


class Function:
    def __init__(self, result: Any) -> None:
        self.result = result
        self.events: list[dict[str, Any]] = []

    def __call__(self, name: str, event: dict[str, Any]) -> Any:
        self.events.append(event)
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def authorizer(function: Function, ttl: float = 60, keys: set[str] | None = None) -> LocalAuthorizer:
    return LocalAuthorizer(
        "AccessAuthorizer", "Fn", ("Authorization",), ttl, function, (lambda: keys) if keys is not None else None
    )


def request(header: str | None = "Bearer a") -> dict[str, Any]:
    return {"headers": {"authorization": header} if header else {}, "path": "/achievements/1", "httpMethod": "GET"}


def test_policies_match_method_arns_as_iam_does_and_a_deny_wins() -> None:
    # Given a policy allowing GET /achievements/* but denying one id, When method ARNs are checked, Then IAM's matching
    # holds
    policy = answer()["policyDocument"]
    assert policy_allows(policy, f"{ARN}/GET/achievements/1")
    assert policy_allows(policy, f"{ARN}/GET/achievements/1/restore")  # `*` spans `/`
    assert not policy_allows(policy, f"{ARN}/GET/achievements/7")
    assert not policy_allows(policy, f"{ARN}/POST/achievements/1")
    assert not policy_allows(policy, f"{ARN}/GET/people")


def test_an_answer_is_cached_per_identity_and_passed_on_as_context() -> None:
    # Given an authorizer with a TTL
    function = Function(answer())
    local = authorizer(function)

    # When the same token comes twice, and another once
    first = local.authorize(request(), f"{ARN}/GET/achievements/1")
    second = local.authorize(request(), f"{ARN}/GET/achievements/2")
    local.authorize(request("Bearer b"), f"{ARN}/GET/achievements/1")

    # Then the function ran once per token; the context carries the principal; the REQUEST event is API Gateway's
    assert len(function.events) == local.calls == 2
    assert (first.status, second.status) == (None, None)
    assert first.context["principalId"] == "t-1"
    assert first.context["role"] == "member"
    assert function.events[0]["type"] == "REQUEST"
    assert function.events[0]["methodArn"] == f"{ARN}/GET/achievements/1"


def test_a_cached_policy_still_refuses_a_route_it_does_not_allow() -> None:
    # Given a cached answer, When a route it allows and one it denies are asked, Then 200-then-403 with one function
    # call
    local = authorizer(Function(answer()))
    assert local.authorize(request(), f"{ARN}/GET/achievements/1").status is None
    assert local.authorize(request(), f"{ARN}/GET/achievements/7").status == 403
    assert local.calls == 1


def test_without_the_identity_header_it_is_401_and_the_function_is_not_asked() -> None:
    # Given no Authorization header, When the request is authorized, Then 401 and the function never ran
    function = Function(answer())
    assert authorizer(function).authorize(request(None), f"{ARN}/GET/achievements/1").status == 401
    assert function.events == []


def test_with_ttl_0_every_request_asks_the_function() -> None:
    # Given caching off (TTL 0), When three requests come, Then the function ran three times
    function = Function(answer())
    local = authorizer(function, ttl=0)
    for _ in range(3):
        assert local.authorize(request(), f"{ARN}/GET/achievements/1").status is None
    assert local.calls == 3


def test_unauthorized_is_401_not_cached_and_another_failure_500() -> None:
    # Given a function answering Unauthorized (then one failing), When asked twice, Then 401 each time, uncached; a
    # failure 500
    refused = authorizer(Function(InvocationError("Fn raised PermissionError: Unauthorized", "Unauthorized")))
    assert refused.authorize(request(), f"{ARN}/GET/achievements/1").status == 401
    assert refused.authorize(request(), f"{ARN}/GET/achievements/1").status == 401
    assert refused.calls == 2
    broken = authorizer(Function(InvocationError("Fn raised KeyError: x", "x")))
    assert broken.authorize(request(), f"{ARN}/GET/achievements/1").status == 500


def test_a_usage_key_outside_the_plan_is_403() -> None:
    # Given an answer whose usage key is not in the plan, When the request is authorized, Then 403; a key of the plan
    # passes
    local = authorizer(Function(answer(usage_key="revoked-key")), keys={"key-1"})
    assert local.authorize(request(), f"{ARN}/GET/achievements/1").status == 403
    assert (
        authorizer(Function(answer()), keys={"key-1"}).authorize(request(), f"{ARN}/GET/achievements/1").status is None
    )
