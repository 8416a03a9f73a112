"""Markdown that shows untrusted text literally: no emphasis, links, headings, lists or raw HTML (pure)."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!])")
_MARKDOWN_BLOCK_START = re.compile(r"^(\d*)([-+=.)])")
# What GFM's autolink extension turns into links without any markup: `scheme://`, `www.`, `mailto:`/`xmpp:`
# and e-mail addresses. A backslash before the `:`, the `.` or the `@` shows the same text and makes no link.
_AUTOLINK_COLON = re.compile(r"(?i)(?<=[a-z0-9])(:)(?=//)|(?<=mailto)(:)|(?<=xmpp)(:)")
_AUTOLINK_WWW = re.compile(r"(?i)\b(www)\.")


# GFM links an e-mail address whatever is escaped in it (it looks at the text after escapes): shown as code.
_EMAIL = re.compile(r"[A-Za-z0-9._+-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")


def _escape_words(text: str) -> str:
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _AUTOLINK_COLON.sub(r"\\:", text)
    return _AUTOLINK_WWW.sub(r"\1\\.", text).replace("@", "\\@")


def escape_markdown(text: str) -> str:
    """One line shown literally by a CommonMark/GFM renderer: no emphasis, links (bare URLs and e-mail addresses
    included), headings, lists or raw HTML."""
    text = " ".join(text.split())
    parts, at = [], 0
    for email in _EMAIL.finditer(text):
        parts.append(_escape_words(text[at : email.start()]))
        parts.append(f"`{email.group(0)}`")  # a code span: the same characters, never a link
        at = email.end()
    parts.append(_escape_words(text[at:]))
    return _MARKDOWN_BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), "".join(parts))


def markdown_link(label: str, url: str) -> str:
    """`[label](url)` with the label escaped and the URL unable to end the link early (`safe_url` first)."""
    target = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    return f"[{escape_markdown(label)}]({target})"
