"""The threads-adaptor's HTTP API (SPEC §7) over httpx: explicit timeouts, a byte cap, each failure named."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from achievements.threads.models import AdaptorEngagement, SyncFailureKind

CONNECT_TIMEOUT_SECONDS = 2.0
MAX_ANSWER_BYTES = 4 * 1024 * 1024  # 200 posts of 100-character previews are ~60 KB: anything near this is wrong


class AdaptorError(Exception):
    def __init__(self, kind: SyncFailureKind, message: str) -> None:
        super().__init__(f"{kind.value}: {message}")
        self.kind = kind
        self.message = message


def validation_summary(error: ValidationError) -> str:
    """The fields that broke the contract, without echoing their (possibly huge) values."""
    parts = [f"{'.'.join(str(p) for p in item['loc']) or 'answer'}: {item['msg']}" for item in error.errors()[:5]]
    return "; ".join(parts) + ("; ..." if error.error_count() > 5 else "")


class ThreadsAdaptorClient:
    """One per container: a pooled httpx client; every call bounded by its timeout and a deadline."""

    def __init__(
        self,
        base_url: str,
        timeout_seconds: float,
        max_concurrency: int = 8,
        transport: httpx.BaseTransport | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self.max_answer_bytes = max_answer_bytes
        self.http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout_seconds, connect=min(CONNECT_TIMEOUT_SECONDS, timeout_seconds)),
            limits=httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency),
            headers={"Accept": "application/json"},
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self.http.close()

    def _get(self, path: str, params: dict[str, str | int], auth: httpx.Auth | None) -> tuple[int, bytes]:
        """Status and body of one GET, read within `timeout_seconds` in all (a server dripping bytes included)."""
        deadline = time.monotonic() + self.timeout_seconds
        too_slow = AdaptorError(
            SyncFailureKind.TIMEOUT, f"no complete answer from {self.base_url} within {self.timeout_seconds:g}s"
        )
        try:
            with self.http.stream("GET", path, params=params, auth=auth) as response:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_answer_bytes:
                        raise AdaptorError(
                            SyncFailureKind.TOO_LARGE, f"{path} answered more than {self.max_answer_bytes:,} bytes"
                        )
                    if time.monotonic() > deadline:
                        raise too_slow
                    chunks.append(chunk)
                return response.status_code, b"".join(chunks)
        except httpx.TimeoutException as error:
            raise too_slow from error
        except httpx.TransportError as error:
            raise AdaptorError(
                SyncFailureKind.UNREACHABLE, f"cannot reach {self.base_url}: {error or type(error).__name__}"
            ) from error

    def _json(self, path: str, params: dict[str, str | int], auth: httpx.Auth | None) -> Any:
        status, body = self._get(path, params, auth)
        if status == 404:
            raise AdaptorError(SyncFailureKind.NOT_FOUND, f"{path}: HTTP 404 {body[:200].decode(errors='replace')}")
        if status >= 400 or status < 200:
            shown = body[:200].decode(errors="replace").strip()
            raise AdaptorError(SyncFailureKind.HTTP_ERROR, f"{path}: HTTP {status} {shown}".strip())
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            shown = body[:100].decode(errors="replace")
            raise AdaptorError(SyncFailureKind.BAD_RESPONSE, f"{path} did not answer JSON: {shown!r}") from error

    def posts(self, persona_id: str | None, limit: int, auth: httpx.Auth | None = None) -> list[Any]:
        """`GET /posts`: the JSON array as sent (each entry is validated by the caller, one by one)."""
        params: dict[str, str | int] = {"limit": limit}
        if persona_id:
            params["persona_id"] = persona_id
        answer = self._json("/posts", params, auth)
        if not isinstance(answer, list):
            raise AdaptorError(
                SyncFailureKind.BAD_RESPONSE, f"/posts answered a JSON {type(answer).__name__}, not an array"
            )
        return answer

    def engagement(self, thread_id: str, auth: httpx.Auth | None = None) -> AdaptorEngagement:
        """`GET /engagement/{thread_id}`: the post's counters (404: the adaptor no longer knows it)."""
        path = f"/engagement/{quote(thread_id, safe='')}"
        answer = self._json(path, {}, auth)
        if not isinstance(answer, dict):
            raise AdaptorError(
                SyncFailureKind.BAD_RESPONSE, f"{path} answered a JSON {type(answer).__name__}, not an object"
            )
        try:
            engagement = AdaptorEngagement.model_validate(answer)
        except ValidationError as error:
            raise AdaptorError(SyncFailureKind.INVALID_POST, f"{path}: {validation_summary(error)}") from error
        if engagement.thread_id != thread_id:
            raise AdaptorError(
                SyncFailureKind.BAD_RESPONSE, f"{path} answered for another post ({engagement.thread_id[:64]!r})"
            )
        return engagement
