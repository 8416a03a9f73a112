"""Access tokens as text: how one is made, told from another, and hashed (only the hash is stored). Pure.

An issued token is `act_<id>_<secret>`: `id` (16 hex digits) names its stored item, `secret` is 32 random
bytes (base64url, 43 characters). The store keeps SHA-256 of the whole token: with 256 random bits a plain
hash cannot be reversed or guessed, so no slow password hash is needed. Any other text is compared with the
bootstrap admin token (Secrets Manager) by its hash too, in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import NamedTuple

PREFIX = "act_"
ISSUED = re.compile(r"^act_(?P<id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{43})$")
BOOTSTRAP_ID = "bootstrap"
# The usage-plan key of an issued token (API Gateway takes it from the authorizer, never from a caller).
USAGE_KEY_BYTES = 24


class Issued(NamedTuple):
    token: str  # shown once, in the answer of POST /tokens
    token_id: str
    token_hash: str


def hash_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_hash(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_of(token), stored_hash)


def new_token() -> Issued:
    token_id = secrets.token_hex(8)
    token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    return Issued(token=token, token_id=token_id, token_hash=hash_of(token))


def new_usage_key() -> str:
    return secrets.token_urlsafe(USAGE_KEY_BYTES)


def issued_id(token: str) -> str | None:
    """The id of an issued token's text, or None when it is not shaped like one."""
    found = ISSUED.match(token)
    return found.group("id") if found else None


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (the scheme in any case), else None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token
