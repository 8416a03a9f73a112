"""An HTML document that runs no script and needs nothing from elsewhere: screen, phone and print styles (pure).

Every page is served with CONTENT_SECURITY_POLICY: nothing but its own inline stylesheet may load (no script,
image, font or frame), so even text that escaping missed could not run. Charts are inline SVG (render/charts.py).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import urlsplit

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
HTML_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"}

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;"
    "color:#222}h1{margin-bottom:0;line-height:1.2}.meta{color:#666;font-size:.9rem}"
    ".summary{background:#f5f7fa;padding:1rem 1.5rem;border-radius:.5rem}"
    "article{border-top:1px solid #ddd;padding:.5rem 0}.description{white-space:pre-line}"
    ".label{display:inline-block;font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:#555;"
    "border:1px solid #bbb;border-radius:.25rem;padding:0 .35rem}"
    ".new{color:#0a6d2c;font-weight:600}.cite{color:#666;font-size:.85rem;font-weight:normal}.cite a{color:inherit}"
    ".scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:.5rem 0}"
    "th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e3e3e3;vertical-align:top}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:1rem}"
    "figure.chart{margin:0;padding:.5rem;border:1px solid #e3e3e3;border-radius:.5rem;break-inside:avoid}"
    "figure.chart>svg{display:block;width:100%;height:auto}figcaption{font-size:.9rem;color:#444}"
    "details{font-size:.85rem}summary{cursor:pointer;color:#555}"
    ".legend{font-size:.8rem;color:#444;margin:.25rem 0 0;padding:0;list-style:none}"
    ".legend li{display:inline-block;margin-right:.75rem}"
    ".legend svg{display:inline-block;width:10px;height:10px;margin-right:.25rem}"
    "@media (max-width:40rem){body{margin:1rem auto;font-size:.95rem}.summary{padding:.75rem 1rem}"
    ".charts{grid-template-columns:1fr}th,td{padding:.2rem .3rem}}"
    "@media print{@page{margin:1.5cm}body{max-width:none;margin:0;padding:0;color:#000;font-size:11pt}"
    ".summary{background:none;border:1px solid #999}.charts{display:block}"
    "figure.chart{margin:0 0 .75rem;border:none;padding:0}figure.chart>svg{max-height:9cm}"
    "svg{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "details>summary{display:none}article,table,tr,figure{break-inside:avoid}h2,h3{break-after:avoid}"
    'a{color:#000;text-decoration:none}a[href^="http"]::after{content:" (" attr(href) ")";font-size:.8em;'
    "word-break:break-all}.noprint{display:none}}"
)


def escape(text: object) -> str:
    """Text (and attribute values) as HTML/SVG character data: `& < > " '` escaped."""
    return html.escape(str(text), quote=True)


def safe_url(url: object) -> str | None:
    """An absolute http(s) URL fit for an `href`, or None (javascript:, data:, relative or malformed ones)."""
    if not isinstance(url, str) or len(url) > 2048 or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url


def link(label: str, url: str | None) -> str:
    """`<a href>` for a safe URL, else the label alone; both escaped."""
    target = safe_url(url)
    return f'<a href="{escape(target)}">{escape(label)}</a>' if target else escape(label)


def document(title: str, body: Iterable[str], style: str = "") -> str:
    """A whole page: UTF-8, phone viewport, the shared stylesheet (+ `style`), and `body` as given (trusted)."""
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}{style}</style></head><body>",
    ]
    return "\n".join([*head, *body, "</body></html>"]) + "\n"
