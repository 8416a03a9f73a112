"""Hostile-but-small JSON bodies, found before anything parses them (pure: no I/O).

A 64 KiB body can still nest 30,000 arrays deep (the JSON decoder recurses: RecursionError) or hold an
integer of 60,000 digits (Python refuses to convert more than 4,300: ValueError, and DynamoDB keeps 38).
`hostile_shape` names the first such field so the caller answers a 400 instead of a 5xx.
"""

from __future__ import annotations

import re

MAX_DEPTH = 32
MAX_INTEGER_DIGITS = 30

# A string (with its escapes), optionally followed by `:` (then it is a key), a bracket, or a run of digits
# that is not part of a string, a fraction or an exponent (a number's integer part).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"\s*(:?)|([\[{])|([\]}])|(?<![\w.+-])(-?\d+)')

_LONG_DIGITS = re.compile(rf"\d{{{MAX_INTEGER_DIGITS + 1}}}")


def _path(keys: list[str | None]) -> str:
    named = [key for key in keys if key is not None]
    return ".".join(named) or "body"


def hostile_shape(body: str) -> str | None:
    """Why `body` is refused before parsing (nesting deeper than MAX_DEPTH, an integer of more than
    MAX_INTEGER_DIGITS digits), naming the field; None when neither.

    Ordinary bodies cost two C-speed passes: too few brackets to nest that deep and no long run of digits
    means neither can occur. Only the others are walked token by token (bounded by the body size limit).
    """
    if body.count("[") + body.count("{") <= MAX_DEPTH and not _LONG_DIGITS.search(body):
        return None
    keys: list[str | None] = []  # the key each open container was opened under (None: an array element)
    pending: str | None = None
    for token in _TOKEN.finditer(body):
        string_colon, opening, closing, digits = token.groups()
        if string_colon:  # a key
            pending = token.group(0).rsplit(":", 1)[0].strip()[1:-1][:64]
        elif opening:
            keys.append(pending)
            pending = None
            if len(keys) > MAX_DEPTH:
                return f"{_path(keys)}: nested deeper than {MAX_DEPTH} levels"
        elif closing:
            if keys:
                keys.pop()
            pending = None
        elif digits is not None:
            if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
                field = _path([*keys, pending])
                return f"{field}: a number of {len(digits.lstrip('-'))} digits (at most {MAX_INTEGER_DIGITS})"
            pending = None
        else:  # a string value
            pending = None
    return None
