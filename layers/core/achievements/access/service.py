"""Access use cases: issue, list and revoke tokens; identify the caller a token stands for (the authorizer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from achievements.access.credentials import (
    BOOTSTRAP_ID,
    hash_of,
    issued_id,
    new_token,
    new_usage_key,
    same_hash,
)
from achievements.access.models import Token, TokenCreated, TokenIn, TokenList, TokenStatus
from achievements.access.usage import UsageKeys
from achievements.core.callers import Caller, Role
from achievements.core.errors import Conflict, NotFound
from achievements.core.secrets import SecretSource
from achievements.store.tokens import TokenStore

ATTEMPTS = 3


class Identified(NamedTuple):
    caller: Caller
    usage_key: str  # the usage-plan key API Gateway meters and throttles this caller by


def status_of(record: dict[str, Any], now: datetime) -> TokenStatus:
    if record.get("revoked_at"):
        return "revoked"
    return "expired" if now.timestamp() >= int(record["expires_at"]) else "active"


def token_of(record: dict[str, Any], now: datetime) -> Token:
    return Token(
        token_id=record["token_id"],
        role=record["role"],
        person=record["person"],
        teams=record.get("teams") or [],
        description=record.get("description") or "",
        created_at=record["created_at"],
        expires_at=datetime.fromtimestamp(int(record["expires_at"]), UTC),
        revoked_at=record.get("revoked_at"),
        status=status_of(record, now),
    )


def issue_token(tokens: TokenStore, usage: UsageKeys, body: TokenIn, now: datetime) -> TokenCreated:
    """A new token: its usage-plan key first, then its record (only the hash); the token is answered once."""
    for _ in range(ATTEMPTS):
        issued = new_token()
        usage_key = new_usage_key()
        key_id = usage.create(issued.token_id, usage_key)
        record = {
            "token_id": issued.token_id,
            "token_hash": issued.token_hash,
            "role": body.role.value,
            "person": body.person,
            "teams": body.teams,
            "description": body.description,
            "created_at": now.isoformat(),
            "expires_at": int((now + timedelta(days=body.expires_in_days)).timestamp()),
            "usage_key": usage_key,
            "usage_key_id": key_id,
        }
        try:
            stored = tokens.put(record)
        except Exception:
            usage.delete(key_id)  # nothing half-made stays behind
            raise
        if stored:
            return TokenCreated(**token_of(record, now).model_dump(), token=issued.token)
        usage.delete(key_id)  # a 64-bit id drawn twice: draw again
    raise Conflict("could not draw a free token id; retry")


def list_tokens(tokens: TokenStore, now: datetime) -> TokenList:
    items = [token_of(record, now) for record in tokens.list()]
    return TokenList(items=items, count=len(items))


def revoke_token(tokens: TokenStore, usage: UsageKeys, token_id: str, now: datetime) -> Token:
    """Revoke at once in the store (the authorizer refuses it from its next uncached call), then drop its key."""
    if token_id == BOOTSTRAP_ID:
        raise NotFound("the bootstrap token is not stored: rotate its secret in Secrets Manager to replace it")
    record = tokens.revoke(token_id, now.isoformat())
    if record is None:
        raise NotFound(f"no token {token_id!r}")
    if record.get("usage_key_id"):
        usage.delete(str(record["usage_key_id"]))
    return token_of(record, now)


class Authorizer:
    """Who a presented token is: an issued token (its record), else the bootstrap admin token (Secrets Manager)."""

    def __init__(self, tokens: TokenStore, bootstrap: SecretSource, usage: UsageKeys, default_owner: str) -> None:
        self.tokens = tokens
        self.bootstrap = bootstrap
        self.usage = usage
        self.default_owner = default_owner

    def identify(self, token: str, now: datetime) -> Identified | None:
        """The caller, or None for a token that is unknown, altered, truncated, revoked or expired."""
        token_id = issued_id(token)
        if token_id is None:
            return self._bootstrap(token)
        record = self.tokens.get(token_id)
        if record is None or not same_hash(token, str(record.get("token_hash", ""))):
            return None
        if status_of(record, now) != "active":
            return None
        caller = Caller(
            token_id=token_id,
            role=Role(record["role"]),
            person=str(record["person"]),
            teams=tuple(record.get("teams") or ()),
            expires_at=int(record["expires_at"]),
        )
        return Identified(caller, str(record["usage_key"]))

    def _bootstrap(self, token: str) -> Identified | None:
        if not same_hash(token, hash_of(self.bootstrap.get().decode())):
            return None
        caller = Caller(token_id=BOOTSTRAP_ID, role=Role.ADMIN, person=self.default_owner)
        return Identified(caller, self.usage.bootstrap_value())
