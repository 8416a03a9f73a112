"""POST/GET/DELETE /tokens through AccessTokensFunction on moto: hash-only storage, usage keys, admins only."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from achievements.access.deps import AccessDeps
from achievements.core.callers import Caller, Role
from tests.conftest import Tables
from tests.unit.access.conftest import member, plan_key_values, tokens_call

ADMIN = Caller(token_id="bootstrap", role=Role.ADMIN, person="me")
MEMBER_TOKEN = {"role": "member", "person": "alice", "expires_in_days": 30, "description": "Alice's laptop"}


def issue(context: Any, body: dict[str, Any] | None = None) -> dict[str, Any]:
    status, answer = tokens_call("POST", "/tokens", ADMIN, body or MEMBER_TOKEN, context)
    assert status == 201, answer
    return dict(answer)


def test_an_issued_token_is_answered_once_and_stored_only_as_its_hash(
    access: AccessDeps, moto_tables: Tables, usage_plan: str, lambda_context: Any
) -> None:
    # When an admin issues a member token
    # Given an admin and an empty tokens table
    created = issue(lambda_context)

    # Then the answer holds the token, its role, person and expiry, and it is active
    assert created["token"].startswith(f"act_{created['token_id']}_")
    assert (created["role"], created["person"], created["teams"]) == ("member", "alice", [])
    assert created["status"] == "active"
    # And the table holds its SHA-256, never the token itself
    stored = json.dumps(moto_tables.items(moto_tables.names["TokensTable"]))
    assert created["token"] not in stored
    assert hashlib.sha256(created["token"].encode()).hexdigest() in stored
    # And the token has its own key in the usage plan (throttled on its own)
    [record] = access.tokens.list()
    assert record["usage_key"] in plan_key_values(usage_plan)


def test_the_list_shows_every_token_newest_first_without_secrets(access: AccessDeps, lambda_context: Any) -> None:
    # Given two tokens
    first = issue(lambda_context)
    second = issue(lambda_context, {"role": "lead", "person": "lee", "teams": ["red", "blue"]})

    # When the tokens are listed
    status, listed = tokens_call("GET", "/tokens", ADMIN, context=lambda_context)

    # Then both are there, newest first, with no token, hash or usage key
    assert status == 200
    assert [item["token_id"] for item in listed["items"]] == [second["token_id"], first["token_id"]]
    assert listed["items"][0]["teams"] == ["blue", "red"]
    text = json.dumps(listed)
    assert first["token"] not in text
    assert "token_hash" not in text
    assert "usage_key" not in text


def test_a_revoked_token_is_marked_and_loses_its_usage_key(
    access: AccessDeps, usage_plan: str, lambda_context: Any
) -> None:
    # Given an issued token
    created = issue(lambda_context)
    [record] = access.tokens.list()

    # When it is revoked (twice: a repeat is harmless)
    status, revoked = tokens_call("DELETE", f"/tokens/{created['token_id']}", ADMIN, context=lambda_context)
    again, _ = tokens_call("DELETE", f"/tokens/{created['token_id']}", ADMIN, context=lambda_context)

    # Then it is revoked, listed as such, and its usage key is gone from the plan
    assert (status, again) == (200, 200)
    assert revoked["status"] == "revoked"
    assert revoked["revoked_at"] is not None
    _, listed = tokens_call("GET", "/tokens", ADMIN, context=lambda_context)
    assert [item["status"] for item in listed["items"]] == ["revoked"]
    assert record["usage_key"] not in plan_key_values(usage_plan)


@pytest.mark.parametrize("token_id", ["0123456789abcdef", "bootstrap"])
def test_revoking_an_unknown_or_the_bootstrap_token_is_404(access: AccessDeps, token_id: str, lambda_context) -> None:
    # When an unknown id (or the bootstrap token, which lives in Secrets Manager) is revoked
    # Given an admin and no such stored token
    status, answer = tokens_call("DELETE", f"/tokens/{token_id}", ADMIN, context=lambda_context)

    # Then it is 404, naming why
    assert status == 404
    assert token_id in answer["message"] or "Secrets Manager" in answer["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "lead", "person": "lee"}, "a lead token needs its teams"),
        ({"role": "member", "person": "ann", "teams": ["red"]}, "teams are a lead's"),
        ({"role": "member", "person": "Not A Slug"}, "person"),
        ({"role": "owner", "person": "ann"}, "role"),
        ({"role": "member", "person": "ann", "expires_in_days": 0}, "expires_in_days"),
        ({"role": "member", "person": "ann", "expires_in_days": 400}, "expires_in_days"),
        ({"role": "member", "person": "ann", "token_hash": "x"}, "token_hash"),
    ],
)
def test_a_bad_token_body_is_422_and_nothing_is_issued(
    access: AccessDeps, usage_plan: str, body: dict[str, Any], field: str, lambda_context: Any
) -> None:
    # When a token is asked for with a bad body
    # Given an admin and no tokens yet
    status, answer = tokens_call("POST", "/tokens", ADMIN, body, lambda_context)

    # Then it is 422 naming the problem, and no token or usage key exists
    assert status == 422
    assert field in json.dumps(answer)
    assert access.tokens.list() == []
    assert plan_key_values(usage_plan) == {"test-bootstrap-admin-usage"}


@pytest.mark.parametrize("role", [Role.INGEST, Role.MEMBER, Role.LEAD])
@pytest.mark.parametrize(("method", "path"), [("POST", "/tokens"), ("GET", "/tokens"), ("DELETE", "/tokens/x")])
def test_only_admins_manage_tokens(access: AccessDeps, role: Role, method: str, path: str, lambda_context: Any) -> None:
    # Given a caller of another role
    caller = Caller(token_id="t", role=role, person="ann", teams=("red",) if role == Role.LEAD else ())

    # When they call a tokens route
    status, answer = tokens_call(method, path, caller, MEMBER_TOKEN if method == "POST" else None, lambda_context)

    # Then it is 403 naming their role, and nothing was issued
    assert status == 403
    assert role.value in answer["message"]
    assert access.tokens.list() == []


def test_no_identity_is_401(access: AccessDeps, lambda_context: Any) -> None:
    # Given a request with no identity, When it lists tokens, Then 401 naming the header
    status, answer = tokens_call("GET", "/tokens", None, context=lambda_context)
    assert status == 401
    assert "Authorization: Bearer" in answer["message"]


def test_an_identity_in_the_body_counts_for_nothing(access: AccessDeps, lambda_context: Any) -> None:
    # Given a member who puts an admin's identity in the body
    body = {**MEMBER_TOKEN, "requestContext": {"authorizer": {"role": "admin"}}, "role": "admin"}

    # When they ask for a token
    status, _ = tokens_call("POST", "/tokens", member(), body, lambda_context)

    # Then the request context says member: 403
    assert status == 403
