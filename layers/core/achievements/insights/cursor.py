"""Opaque, signed, expiring page cursors for `GET /achievements`.

A cursor is `base64url(payload) "." base64url(HMAC-SHA256(key, base64url(payload)))`, the payload being
`{"v": 1, "k": <where the walk stands: index and table keys>, "f": <hash of the filters>, "x": <expiry, epoch s>}`.
The key is derived from a per-deployment secret (Secrets Manager; a local value in tests), so a cursor
cannot be forged or edited (400), is refused with other filters than the ones that made it (400), and
expires (410). Positions are index keys, not offsets: pages stay stable while achievements are written.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from achievements.core.errors import CursorExpired, InvalidCursor

VERSION = 1
KEY_PURPOSE = b"achievements/list-cursor/v1"
# 9999-12-31T23:59:59Z: a later expiry is no time a datetime can hold.
MAX_EXPIRY = 253_402_300_799


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def filters_hash(filters: BaseModel) -> str:
    canonical = json.dumps(filters.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


class CursorCodec:
    """Signs and checks cursors; `secret` is read on first use (a request without a cursor never needs it)."""

    def __init__(self, secret: Callable[[], bytes], ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds

    def _sign(self, payload: str) -> bytes:
        # A key for this purpose only, derived from the deployment's secret.
        key = hmac.new(self._secret(), KEY_PURPOSE, hashlib.sha256).digest()
        return hmac.new(key, payload.encode(), hashlib.sha256).digest()

    def encode(self, position: dict[str, str], filters: str, now: datetime) -> str:
        body = {"v": VERSION, "k": position, "f": filters, "x": int(now.timestamp()) + self.ttl_seconds}
        payload = _b64encode(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{_b64encode(self._sign(payload))}"

    def decode(self, cursor: str, filters: str, now: datetime) -> dict[str, str]:
        """The position a cursor stands for; InvalidCursor (400) or CursorExpired (410) otherwise."""
        payload, dot, signature = cursor.partition(".")
        if not dot or not payload or not signature:
            raise InvalidCursor("cursor is malformed: pass the next_cursor of a previous page unchanged")
        # Compared as text, not as decoded bytes: base64's last character carries unused bits, so two
        # different signature strings can decode alike; only the exact string we issued is accepted.
        if not hmac.compare_digest(signature.encode(), _b64encode(self._sign(payload)).encode()):
            raise InvalidCursor("cursor signature does not match: it was altered or made by another deployment")
        try:
            body: Any = json.loads(_b64decode(payload))
        except (binascii.Error, ValueError) as error:  # signed by us, so only an old format can land here
            raise InvalidCursor("cursor is malformed: pass the next_cursor of a previous page unchanged") from error
        if not isinstance(body, dict):
            raise InvalidCursor("cursor is of an unknown version: start again without a cursor")
        position, expiry = body.get("k"), body.get("x")
        if (
            body.get("v") != VERSION
            or not isinstance(position, dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in position.items())
            or type(expiry) is not int  # not a bool, a float or a string
            or not 0 <= expiry <= MAX_EXPIRY
        ):
            raise InvalidCursor("cursor is of an unknown version: start again without a cursor")
        if body.get("f") != filters:
            raise InvalidCursor(
                "cursor was made for other filters or sort: repeat the filters of the first page, "
                "or start again without a cursor"
            )
        expires = datetime.fromtimestamp(expiry, tz=UTC)
        if now >= expires:
            raise CursorExpired(
                f"cursor expired at {expires.isoformat()} (cursors live {self.ttl_seconds} s): "
                "start again without a cursor"
            )
        return position
