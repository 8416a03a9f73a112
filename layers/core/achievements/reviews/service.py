"""`GET /reviews`: the period resolved, both periods' achievements read once, the review built and rendered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from achievements.core.errors import Unavailable
from achievements.core.llm import OFFLINE_KEYS
from achievements.core.models import utcnow
from achievements.core.observability import logger
from achievements.render.charts import months_between
from achievements.render.page import HTML_HEADERS
from achievements.reviews.models import Review, ReviewScope, ReviewSummary
from achievements.reviews.rules import build_review, resolve_period, split_periods
from achievements.reviews.summary import offline_summary
from achievements.reviews.texts import render_html, render_markdown
from achievements.store.periods import Scope, checked_scope, period_achievements

if TYPE_CHECKING:
    from achievements.reviews.deps import ReviewsDeps


class SummaryWriter(Protocol):
    def write(self, review: Review) -> ReviewSummary: ...


class SummaryWriters:
    """The summary for the key configured now: offline without one (or `test`), else OpenAI (one client per key)."""

    def __init__(self, key_source: Callable[[], str | None], build_openai: Callable[[str], SummaryWriter]) -> None:
        self.key_source = key_source
        self.build_openai = build_openai
        self._key: str | None = None
        self._openai: SummaryWriter | None = None

    def summary(self, review: Review) -> ReviewSummary:
        try:
            key = (self.key_source() or "").strip()
        except Unavailable as error:
            return offline_summary(review, fallback_reason=f"the OpenAI key could not be read ({error})")
        if key in OFFLINE_KEYS:
            return offline_summary(review)
        if self._openai is None or key != self._key:
            self._openai, self._key = self.build_openai(key), key
        from achievements.reviews.client import SummaryFailed

        try:
            return self._openai.write(review)
        except SummaryFailed as error:
            logger.warning("review summary fell back to the offline writer", extra={"reason": str(error)})
            return offline_summary(review, fallback_reason=str(error))


def scope_name(graph: ReviewsDeps, scope: Scope) -> str:
    if scope.person is not None:
        person = graph.store.registry.get(scope.person)
        return person.name if person is not None else scope.person
    return f"Team {scope.team}" if scope.team is not None else "Everyone"


def review(
    graph: ReviewsDeps,
    person: str | None = None,
    team: str | None = None,
    period: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    summary: bool = False,
    now: datetime | None = None,
) -> Review:
    """The review of a person, a team or everyone: 422 for a bad period or slug, 404 for an unknown scope."""
    now = now or utcnow()
    chosen = resolve_period(period, date_from, date_to, now)
    registry = graph.store.registry
    # One read covers both periods (the previous one ends where this one starts).
    scope = checked_scope(
        registry, Scope(person=person, team=team, date_from=chosen.previous_start, date_to=chosen.end)
    )
    most = graph.settings.review_max_items
    found, read = period_achievements(graph.reader, registry, scope, most=most)
    current, previous = split_periods(found, chosen)
    document = build_review(
        ReviewScope(person=person, team=team, name=scope_name(graph, scope)),
        chosen,
        current,
        previous,
        months_between(chosen.start, chosen.end),
        now,
        items_read=read,
        complete=read < most,
    )
    if summary:
        document.summary = graph.writers.summary(document)
    return document


# The OpenAPI answer of GET /reviews: one route, three media types.
REVIEW_RESPONSE: OpenAPIResponse = {
    "description": "the review in the requested format",
    "content": {
        "text/markdown": {"schema": {"type": "string"}},
        "text/html": {"schema": {"type": "string"}},
        "application/json": {"model": Review},
    },
}
REVIEW_TYPES = {
    "markdown": ("text/markdown; charset=utf-8", "review.md"),
    "json": ("application/json", "review.json"),
    "html": ("text/html; charset=utf-8", "review.html"),
}


def rendered(document: Review, format: str) -> tuple[str, str, dict[str, str]]:
    """The review in a format: its body, content type and headers (the HTML page may run no script)."""
    if format == "json":
        body = document.model_dump_json()
    elif format == "html":
        body = render_html(document)
    else:
        body = render_markdown(document)
    content_type, filename = REVIEW_TYPES[format]
    headers = {"Content-Disposition": f'inline; filename="{filename}"', "X-Content-Type-Options": "nosniff"}
    if format == "html":
        headers.update(HTML_HEADERS)
    return body, content_type, headers
