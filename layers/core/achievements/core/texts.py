"""Text from outside, made safe to store, render and prompt with (pure).

Choice (docs/hardening.md): invisible and control characters are **stripped**, not refused. A webhook cannot be
asked to resend, and the visible text is still worth keeping; what goes is what no reader can see but a renderer,
a terminal or a language model would act on:
- NUL and the other C0/C1 control characters (tab, line feed and carriage return stay);
- bidirectional overrides, embeddings and isolates (U+202A..U+202E, U+2066..U+2069; "Trojan Source"), and the
  invisible marks U+200E, U+200F, U+061C;
- Unicode tag characters (U+E0000..U+E007F: invisible ASCII that models read: "ASCII smuggling").
"""

from __future__ import annotations

import re
from typing import Any

INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]"
)


def clean_text(text: str) -> str:
    """`text` without control, bidi-override and tag characters (NUL included)."""
    return INVISIBLE.sub("", text)


def cleaned(value: Any) -> Any:
    """Every string in a JSON-like value cleaned (dict keys too); other values as they are."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {cleaned(key): cleaned(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [cleaned(item) for item in value]
    return value


SAFE_LINK = re.compile(r"^https://[^\s/?#@\\]+(?:[/?#][^\s\\]*)?$", re.IGNORECASE)


def safe_link(url: str | None) -> str | None:
    """`url` when it is an absolute https URL (served as an evidence link); None for `javascript:`, http, relative."""
    if url is None:
        return None
    url = url.strip()
    return url if SAFE_LINK.match(url) and len(url) <= 2048 else None
