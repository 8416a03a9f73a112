"""Authentication of this deployment's outgoing HTTP calls (Prometheus, the threads-adaptor), from a secret's value."""

from __future__ import annotations

import json
from typing import Any

import httpx


class BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = self._header
        yield request


def auth_from_secret(secret: str | bytes) -> httpx.Auth | None:
    """Auth from a secret's value: `{"bearer_token": ...}`, `{"username": ..., "password": ...}`, a bare
    token, or `{}` for none (an unprotected server). Errors never quote the value.
    """
    text = (secret.decode() if isinstance(secret, bytes) else secret).strip()
    if not text:
        raise ValueError("the secret is empty (store {} for no auth)")
    if not text.startswith("{"):
        return BearerAuth(text)
    try:
        fields = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError("the secret looks like JSON but does not parse") from error
    if not isinstance(fields, dict):
        raise ValueError("the secret must be a JSON object")
    if not fields:
        return None
    token, username, password = fields.get("bearer_token"), fields.get("username"), fields.get("password")
    if isinstance(token, str) and token and username is None and password is None:
        return BearerAuth(token)
    if isinstance(username, str) and username and isinstance(password, str) and token is None:
        return httpx.BasicAuth(username, password)
    raise ValueError('the secret must hold {}, {"bearer_token": "..."} or {"username": "...", "password": "..."}')
