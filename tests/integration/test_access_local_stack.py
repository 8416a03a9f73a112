"""Access through the local stack over HTTP: the same authorizer function, run and cached as API Gateway does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from achievements.access.credentials import new_token
from achievements.store.tokens import TokenStore
from devstack.dynamodb_local import free_port
from devstack.stack import LocalStack
from tests.integration.conftest import api_client, local_client

pytestmark = pytest.mark.integration
ADMIN = "access-admin-token"
TTL = 5.0  # AuthorizerCacheSeconds of this stack (long enough for a loaded machine's few calls within it)
DENIED = "this token's role may not call this route (docs/access.md)"
UNAUTHORIZED = "missing, unknown, revoked or expired token: send Authorization: Bearer <token>"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    overrides = {"AuthorizerCacheSeconds": str(int(TTL))}
    with LocalStack(port=free_port(), admin_token=ADMIN, parameter_overrides=overrides, quiet=True) as running:
        yield running


@pytest.fixture(scope="module")
def admin(stack: LocalStack) -> Iterator[httpx.Client]:
    with api_client(stack, ADMIN) as client:
        yield client


@pytest.fixture(scope="module")
def people(admin: httpx.Client) -> dict[str, int]:
    """ann and bob in team red, one achievement each (recorded by the admin)."""
    ids = {}
    for slug in ("ann", "bob"):
        assert admin.put(f"/people/{slug}", json={"name": slug.title(), "teams": ["red"]}).status_code == 200
        created = admin.post(
            "/achievements", json={"title": f"{slug} shipped", "category": "development", "person": slug}
        )
        assert created.status_code == 201, created.text
        ids[slug] = created.json()["achievement_id"]
    return ids


def issue(admin: httpx.Client, **body: Any) -> dict[str, Any]:
    answer = admin.post("/tokens", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_member_reads_only_their_own_and_may_not_manage_people(
    stack: LocalStack, admin: httpx.Client, people: dict[str, int]
) -> None:
    # Given a member token for ann
    token = issue(admin, role="member", person="ann")["token"]
    http = httpx.Client(base_url=stack.gateway.url, headers=bearer(token), timeout=30)  # type: ignore[union-attr]

    # When ann lists, reads bob's achievement and tries to change the registry
    listed = http.get("/achievements", params={"limit": 100})
    bobs = http.get(f"/achievements/{people['bob']}")
    missing = http.get("/achievements/999999")
    registry = http.put("/people/ann", json={"name": "Ann", "teams": ["red", "blue"]})

    # Then she sees only hers, bob's is the same 404 as a missing one, and API Gateway refuses the PUT
    assert listed.status_code == 200
    assert {item["person"] for item in listed.json()["items"]} == {"ann"}
    assert (bobs.status_code, missing.status_code) == (404, 404)
    assert bobs.json()["message"].replace(str(people["bob"]), "N") == missing.json()["message"].replace("999999", "N")
    assert (registry.status_code, registry.json()) == (403, {"message": DENIED})


def test_an_ingest_token_writes_but_reads_nothing(stack: LocalStack, admin: httpx.Client) -> None:
    # Given an ingest token, When it posts and reads, Then the post is created and every read is API Gateway's 403
    token = issue(admin, role="ingest", person="ci")["token"]
    with httpx.Client(base_url=stack.gateway.url, headers=bearer(token), timeout=30) as http:  # type: ignore[union-attr]
        post = {"hook": "Shipped", "engagement_rate": 0.09, "views": 1000, "post_id": "ingest-1"}
        assert http.post("/threads/track", json=post).status_code == 201
        for path in ("/achievements", "/analyze/career-insights", "/portfolio", "/people", "/tokens"):
            answer = http.get(path)
            assert (answer.status_code, answer.json()) == (403, {"message": DENIED}), path


def test_a_revoked_token_works_until_its_cache_entry_lapses_then_is_401(
    stack: LocalStack, admin: httpx.Client, people: dict[str, int]
) -> None:
    # Given a member token, used once (API Gateway now holds its answer for TTL seconds)
    created = issue(admin, role="member", person="ann")
    headers = bearer(created["token"])
    url = f"{stack.gateway.url}/people/ann"  # type: ignore[union-attr]
    assert httpx.get(url, headers=headers, timeout=30).status_code == 200
    cached_at = time.monotonic()

    # When it is revoked (the admin's own call may ask the authorizer, once the admin's entry has lapsed)
    assert admin.delete(f"/tokens/{created['token_id']}").status_code == 200
    calls = stack.authorizer.calls

    # Then it still works from the cache (no authorizer call) ...
    assert httpx.get(url, headers=headers, timeout=30).status_code == 200
    assert stack.authorizer.calls == calls
    # ... and is refused once the entry lapses, within the TTL
    while (answer := httpx.get(url, headers=headers, timeout=30)).status_code == 200:
        assert time.monotonic() - cached_at < TTL + 2, "still served after the cache TTL"
        time.sleep(0.2)
    assert (answer.status_code, answer.json()) == (401, {"message": UNAUTHORIZED})
    assert time.monotonic() - cached_at >= TTL - 0.5


def test_an_expired_token_is_refused_at_once_even_while_cached(
    stack: LocalStack, admin: httpx.Client, people: dict[str, int]
) -> None:
    # Given a member token that expires in 2 to 3 s (written as POST /tokens writes one), used once: cached for TTL
    assert stack.dynamodb is not None
    tokens = TokenStore(stack.table_names["TokensTable"], local_client(stack.dynamodb.endpoint))
    made = new_token()
    tokens.put(
        {
            "token_id": made.token_id,
            "token_hash": made.token_hash,
            "role": "member",
            "person": "ann",
            "teams": [],
            "created_at": "2026-01-01T00:00:00+00:00",
            "expires_at": (expires_at := int(time.time()) + 3),
            "usage_key": "local-bootstrap-admin-usage",  # a key of the local plan
        }
    )
    url = f"{stack.gateway.url}/people/ann"  # type: ignore[union-attr]
    assert httpx.get(url, headers=bearer(made.token), timeout=30).status_code == 200
    calls = stack.authorizer.calls

    # When it is used again after its expiry, within the cache TTL
    time.sleep(max(0.0, expires_at + 0.1 - time.time()))
    answer = httpx.get(url, headers=bearer(made.token), timeout=30)

    # Then the function refuses it (API Gateway served the cached answer: the authorizer was not asked)
    assert (answer.status_code, answer.json()) == (401, {"message": "the token has expired"})
    assert stack.authorizer.calls == calls


def test_only_the_authorization_header_carries_a_token_in_any_casing(
    stack: LocalStack, admin: httpx.Client, people: dict[str, int]
) -> None:
    # Given a member token, When it is sent in the query, another header, other casings, altered, Then only the header
    # counts
    token = issue(admin, role="member", person="ann")["token"]
    url = f"{stack.gateway.url}/people/ann"  # type: ignore[union-attr]
    # a token in the query string (or another header) is never read
    for params, headers in (({"token": token}, {}), ({"access_token": token}, {"X-Api-Key": token})):
        answer = httpx.get(url, params=params, headers=headers, timeout=30)
        assert (answer.status_code, answer.json()) == (401, {"message": UNAUTHORIZED})
    # the header in any casing, the scheme too
    for name, scheme in (("authorization", "Bearer"), ("AUTHORIZATION", "bearer")):
        assert httpx.get(url, headers={name: f"{scheme} {token}"}, timeout=30).status_code == 200
    # tampered and truncated
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), token[:-5]):
        assert httpx.get(url, headers=bearer(wrong), timeout=30).status_code == 401


def test_the_github_hook_needs_no_token(stack: LocalStack) -> None:
    # No Authorization header: the authorizer is not asked, the function checks the signature (401 here: unsigned)
    # Given no token, When GitHub's route is called, Then the function checks the signature and the authorizer is not
    # asked
    calls = stack.authorizer.calls
    answer = httpx.post(f"{stack.gateway.url}/github/webhook", json={}, timeout=30)  # type: ignore[union-attr]
    assert answer.status_code == 401
    assert "signature" in answer.json()["message"].lower()
    assert stack.authorizer.calls == calls
