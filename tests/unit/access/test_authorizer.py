"""AccessAuthorizerFunction through its handler: who a token is, and a policy of exactly the role's routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from achievements.access.credentials import new_token
from achievements.access.deps import AccessDeps
from achievements.access.models import TokenIn
from achievements.access.rules import RULES, Data
from achievements.access.service import issue_token
from achievements.core.callers import Reach, Role
from achievements.core.models import utcnow
from devstack.authorizer import policy_allows
from tests.conftest import load_event
from tests.unit.access.conftest import BOOTSTRAP_TOKEN, BOOTSTRAP_USAGE_KEY

ARN = "arn:aws:execute-api:us-east-1:000000000000:local/Prod"


def authorize(token_header: dict[str, str] | None, context: Any, **changes: Any) -> dict[str, Any]:
    """The authorizer's answer to a REQUEST event with these headers; raises PermissionError for a 401."""
    from functions.access_authorizer import app

    event = {**load_event("authorizer_request.json"), **changes}
    event["headers"] = {"User-Agent": "curl/8.0", **(token_header or {})}
    event["multiValueHeaders"] = {key: [value] for key, value in event["headers"].items()}
    return dict(app.lambda_handler(event, context))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def issued(access: AccessDeps, role: str = "member", **fields: Any) -> str:
    body = TokenIn.model_validate({"role": role, "person": "ann", **fields})
    return issue_token(access.tokens, access.usage, body, utcnow()).token


def method_arn(method: str, path: str) -> str:
    return f"{ARN}/{method}{path.replace('{', '').replace('}', '')}"


def test_an_issued_token_answers_its_identity_usage_key_and_policy(access: AccessDeps, lambda_context) -> None:
    # Given a lead token
    token = issued(access, "lead", teams=["red"])
    [record] = access.tokens.list()

    # When the authorizer is asked about it
    answer = authorize(bearer(token), lambda_context)

    # Then the identity travels as the context, the token's usage key as usageIdentifierKey
    assert answer["principalId"] == record["token_id"]
    assert answer["context"] == {
        "token_id": record["token_id"],
        "role": "lead",
        "person": "ann",
        "teams": "red",
        "expires_at": str(record["expires_at"]),
    }
    assert answer["usageIdentifierKey"] == record["usage_key"]
    assert answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"


@pytest.mark.parametrize("role", list(Role))
def test_the_policy_allows_exactly_the_routes_the_table_gives_the_role(
    access: AccessDeps, role: Role, lambda_context
) -> None:
    # Given a token of the role
    token = issued(access, role.value, teams=["red"] if role == Role.LEAD else [])

    # When its policy is evaluated as API Gateway does, on every route of the table
    policy = authorize(bearer(token), lambda_context)["policyDocument"]

    # Then a route is allowed exactly when the table gives the role a reach on it (the hook needs no token)
    for rule in RULES:
        if rule.data == Data.PUBLIC:
            continue
        allowed = policy_allows(policy, method_arn(rule.method, rule.path.replace("{", "1{")))
        assert allowed is (rule.of(role) != Reach.NONE), rule.key


def test_the_bootstrap_token_is_an_admin_with_the_templates_usage_key(access: AccessDeps, lambda_context) -> None:
    # Given the bootstrap token, When it is authorized, Then it is the default owner as admin, metered by the template's
    # key
    answer = authorize(bearer(BOOTSTRAP_TOKEN), lambda_context)
    assert answer["context"]["role"] == "admin"
    assert answer["context"]["token_id"] == "bootstrap"
    assert answer["context"]["person"] == "me"  # the deployment's default owner
    assert answer["usageIdentifierKey"] == BOOTSTRAP_USAGE_KEY


@pytest.mark.parametrize(
    "header",
    [
        {"authorization": "Bearer {token}"},
        {"AUTHORIZATION": "Bearer {token}"},
        {"Authorization": "bearer {token}"},
        {"Authorization": "BEARER   {token}  "},
    ],
)
def test_the_header_and_its_scheme_in_any_casing(access: AccessDeps, header: dict[str, str], lambda_context) -> None:
    # Given a token, When the header and scheme come in another casing, Then it is still the member
    token = issued(access)
    ((name, value),) = header.items()
    assert authorize({name: value.format(token=token)}, lambda_context)["context"]["role"] == "member"


def _tampered(token: str) -> str:
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


@pytest.mark.parametrize(
    "alter",
    [
        _tampered,  # one character of the secret changed
        lambda token: token[:-1],  # truncated
        lambda token: token[: len("act_") + 16],  # the id alone
        lambda token: token.replace("act_", "act_0", 1),  # another id
        lambda token: token + "x",  # longer
        lambda token: token.upper(),
        lambda token: f"{token} {token}",  # two tokens
    ],
)
def test_an_altered_token_is_refused(access: AccessDeps, alter: Any, lambda_context) -> None:
    # Given a token, altered
    token = issued(access)
    assert authorize(bearer(token), lambda_context)["context"]["role"] == "member"

    # When the altered text is presented, Then the authorizer says Unauthorized (API Gateway: 401)
    with pytest.raises(PermissionError, match=r"^Unauthorized$"):
        authorize(bearer(alter(token)), lambda_context)


@pytest.mark.parametrize(
    "header",
    [None, {"Authorization": ""}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}],
)
def test_no_bearer_token_is_refused(access: AccessDeps, header: dict[str, str] | None, lambda_context) -> None:
    # Given no header, an empty one, another scheme or no token, When authorized, Then Unauthorized
    with pytest.raises(PermissionError, match=r"^Unauthorized$"):
        authorize(header, lambda_context)


def test_a_token_in_the_query_string_is_never_read(access: AccessDeps, lambda_context) -> None:
    # Given a valid token sent only as query parameters (and in a custom header)
    token = issued(access)
    query = {"token": token, "access_token": token, "Authorization": f"Bearer {token}"}

    # When the authorizer is asked, Then it is Unauthorized: only the Authorization header counts
    with pytest.raises(PermissionError, match=r"^Unauthorized$"):
        authorize(
            {"X-Token": token},
            lambda_context,
            queryStringParameters=query,
            multiValueQueryStringParameters={k: [v] for k, v in query.items()},
        )


def expired_token(access: AccessDeps) -> str:
    """A token whose expiry passed a second ago (its record written as POST /tokens writes one)."""
    made = new_token()
    now = utcnow()
    record = {
        "token_id": made.token_id,
        "token_hash": made.token_hash,
        "role": "member",
        "person": "ann",
        "teams": [],
        "created_at": (now - timedelta(days=1)).isoformat(),
        "expires_at": int(now.timestamp()) - 1,
        "usage_key": "expired-usage-key",
    }
    assert access.tokens.put(record)
    return made.token


def test_revoked_and_expired_tokens_are_refused(access: AccessDeps, lambda_context) -> None:
    # Given a token that was revoked and one whose expiry has passed
    revoked = issued(access)
    [record] = access.tokens.list()
    access.tokens.revoke(record["token_id"], utcnow().isoformat())
    expired = expired_token(access)

    # When they are presented, Then both are refused
    for token in (revoked, expired):
        with pytest.raises(PermissionError, match=r"^Unauthorized$"):
            authorize(bearer(token), lambda_context)


def test_a_wrong_bootstrap_token_is_refused(access: AccessDeps, lambda_context) -> None:
    # Given texts close to the bootstrap token, When each is authorized, Then Unauthorized
    for wrong in (BOOTSTRAP_TOKEN + "x", BOOTSTRAP_TOKEN[:-1], "local-dev-admin-token"):
        with pytest.raises(PermissionError, match=r"^Unauthorized$"):
            authorize(bearer(wrong), lambda_context)
