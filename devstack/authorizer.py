"""API Gateway's Lambda authorizer (REQUEST type), locally: identity sources, the result cache, the policy.

As API Gateway does it for a REST API:
- the identity sources (headers, case-insensitive) key the cache; with a TTL above 0 a request missing one is
  401 without calling the authorizer;
- the authorizer function runs like any local function; `Unauthorized` (its error message) is 401, any other
  failure 500; its policy is evaluated against the request's method ARN (an explicit Deny wins, else an Allow
  must match, `*` spanning `/` as in IAM), a refusal being 403;
- the answer (policy, context, usage-plan key) is cached per identity for `ttl` seconds, a 401 or a failure
  is not;
- with the API's key source AUTHORIZER, the answer's `usageIdentifierKey` must be a key of the usage plan
  (checked when the answer is fetched, so a revoked token's key stops it no sooner than its cache entry).
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from devstack.functions import InvocationError

Invoker = Callable[[str, dict[str, Any]], Any]


@dataclass(frozen=True)
class Verdict:
    """What the authorizer decided for one identity: a status to answer, or the request context to pass on."""

    status: HTTPStatus | None = None  # None: let the request through
    message: str = ""
    policy: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    usage_key: str | None = None


def policy_allows(policy: dict[str, Any], method_arn: str) -> bool:
    """Whether an authorizer's IAM policy lets `execute-api:Invoke` on this method ARN (explicit Deny wins)."""
    allowed = False
    for statement in policy.get("Statement", []):
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", action) for action in actions):
            continue
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if any(fnmatch.fnmatchcase(method_arn, resource) for resource in resources):
            if statement.get("Effect") == "Deny":
                return False
            allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


@dataclass
class LocalAuthorizer:
    """One `Auth.Authorizers` entry of an API (FunctionPayloadType REQUEST)."""

    name: str
    function: str
    identity_headers: tuple[str, ...]
    ttl: float
    invoke: Invoker
    usage_keys: Callable[[], set[str]] | None = None  # the plan's enabled keys (key source AUTHORIZER)
    messages: dict[str, str] = field(default_factory=dict)  # gateway responses: UNAUTHORIZED, ACCESS_DENIED, ...
    calls: int = 0  # how many times the function ran (tests and the benchmark look)
    _cache: dict[tuple[str, ...], tuple[float, Verdict]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _message(self, response: str, default: str) -> str:
        return self.messages.get(response, default)

    def identity(self, headers: dict[str, str]) -> tuple[str, ...] | None:
        lowered = {key.lower(): value for key, value in headers.items()}
        values = tuple(lowered.get(name.lower(), "") for name in self.identity_headers)
        return None if any(not value for value in values) else values

    def authorize(self, event: dict[str, Any], method_arn: str) -> Verdict:
        identity = self.identity(event.get("headers") or {})
        if identity is None and self.ttl > 0:
            return Verdict(HTTPStatus.UNAUTHORIZED, self._message("UNAUTHORIZED", "Unauthorized"))
        verdict = self._cached(identity) if identity is not None and self.ttl > 0 else None
        if verdict is None:
            verdict = self._ask(event, method_arn)
            if identity is not None and self.ttl > 0 and verdict.status is None:
                with self._lock:
                    self._cache[identity] = (time.monotonic() + self.ttl, verdict)
        if verdict.status is not None:
            return verdict
        if not policy_allows(verdict.policy, method_arn):
            return Verdict(HTTPStatus.FORBIDDEN, self._message("ACCESS_DENIED", "User is not authorized"))
        return verdict

    def _cached(self, identity: tuple[str, ...]) -> Verdict | None:
        with self._lock:
            found = self._cache.get(identity)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                del self._cache[identity]
                return None
            return found[1]

    def _ask(self, event: dict[str, Any], method_arn: str) -> Verdict:
        request = {
            "type": "REQUEST",
            "methodArn": method_arn,
            **{key: event.get(key) for key in ("resource", "path", "httpMethod", "headers", "multiValueHeaders")},
            **{key: event.get(key) for key in ("queryStringParameters", "multiValueQueryStringParameters")},
            **{key: event.get(key) for key in ("pathParameters", "stageVariables", "requestContext")},
        }
        started = time.monotonic()
        self.calls += 1
        try:
            answer = self.invoke(self.function, request)
        except InvocationError as error:
            if error.error_message == "Unauthorized":
                return Verdict(HTTPStatus.UNAUTHORIZED, self._message("UNAUTHORIZED", "Unauthorized"))
            return Verdict(HTTPStatus.INTERNAL_SERVER_ERROR, "authorizer failed: " + str(error))
        if not isinstance(answer, dict) or "policyDocument" not in answer or "principalId" not in answer:
            return Verdict(HTTPStatus.INTERNAL_SERVER_ERROR, "authorizer answered no policy")
        usage_key = answer.get("usageIdentifierKey")
        if self.usage_keys is not None and (not usage_key or usage_key not in self.usage_keys()):
            return Verdict(HTTPStatus.FORBIDDEN, self._message("INVALID_API_KEY", "Forbidden"))
        context = {
            **{str(key): value for key, value in (answer.get("context") or {}).items()},
            "principalId": answer["principalId"],
            "integrationLatency": int((time.monotonic() - started) * 1000),
        }
        return Verdict(policy=answer["policyDocument"], context=context, usage_key=usage_key)

    def forget(self) -> None:
        """Empty the cache (as redeploying the stage would)."""
        with self._lock:
            self._cache.clear()
