"""The OpenAI client every AI feature uses (deep analysis, review summaries) and where its key comes from.

`openai` is imported when a client is made, not with this module: a function that never calls OpenAI (or
answers offline) does not pay its ~0.4 s of cold start.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import SecretStr

from achievements.core.aws import AwsClients
from achievements.core.secrets import secret_source

if TYPE_CHECKING:
    import openai

# Keys meaning "no OpenAI": the offline analyzer / writer answers (SPEC §3).
OFFLINE_KEYS = frozenset({"", "test"})


def make_openai_client(api_key: str, base_url: str | None, timeout_seconds: float, max_retries: int) -> openai.OpenAI:
    """One client per container and key: its connection pool is reused across invocations and threads."""
    import openai

    return openai.OpenAI(
        api_key=api_key,
        base_url=base_url,
        timeout=openai.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds)),
        max_retries=max_retries,
    )


def api_key_from_secret(value: str | None) -> str | None:
    """The key in a secret stored as plain text or as JSON {"api_key": ...} / {"OPENAI_API_KEY": ...}."""
    if value is None:
        return None
    text = value.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return text
        for name in ("api_key", "OPENAI_API_KEY", "openai_api_key"):
            if isinstance(data, dict) and isinstance(data.get(name), str):
                return str(data[name]).strip()
        return None
    return text


def openai_key_source(
    secret_id: str | None, local_key: SecretStr | None, max_age_seconds: int, clients: AwsClients
) -> Callable[[], str | None]:
    """The secret (by ARN, cached) when configured, else the local OPENAI_API_KEY; neither: None (offline)."""
    if not (secret_id or local_key):
        return lambda: None
    source = secret_source(secret_id, local_key, max_age_seconds, clients)
    return lambda: api_key_from_secret(source.get().decode())
