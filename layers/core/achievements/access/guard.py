"""The rules table applied inside every API function, from the identity API Gateway put in the request context.

- `admitted` (a Powertools handler decorator): before anything reads the body, the request's row of the rules
  table and the caller's role: 401 without an identity or with an expired token, 403 for a role the row
  refuses. The identity is read from `requestContext.authorizer` (or, with AnalystAuth=IAM, the SigV4
  identity), never from the body or a query parameter.
- `access_of(app)`: the caller and their reach on the current route, for the route to filter its data.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, NamedTuple

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.middleware_factory import lambda_handler_decorator
from aws_lambda_powertools.utilities.parser import parse
from pydantic import ValidationError

from achievements.access.models import CallerContext
from achievements.access.rules import Rule, rule_for, sight
from achievements.access.settings import CallerSettings, caller_settings
from achievements.core.callers import Caller, Reach, Role, Within, within
from achievements.core.errors import Forbidden, NotFound
from achievements.core.models import Achievement
from achievements.core.observability import logger
from achievements.store import AchievementStore

IAM_CALLER = "iam"


class Refusal(NamedTuple):
    status: HTTPStatus
    message: str


def caller_of(event: dict[str, Any], settings: CallerSettings) -> Caller | None:
    """The identity API Gateway vouches for: the authorizer's context, or (AnalystAuth=IAM) the SigV4 caller."""
    context = event.get("requestContext") or {}
    if settings.caller_auth == "iam":
        # AnalystApi (AWS_IAM): API Gateway has checked the signature and the caller's execute-api:Invoke
        # permission; that IAM policy is the rule, so the analyst reads every achievement of the read routes.
        arn = (context.get("identity") or {}).get("userArn")
        return Caller(token_id=f"{IAM_CALLER}:{arn}", role=Role.ADMIN, person=settings.default_owner) if arn else None
    found = context.get("authorizer")
    if not isinstance(found, dict):
        return None
    try:
        return parse(event=found, model=CallerContext).caller()
    except (ValidationError, ValueError):
        return None


def refusal(event: dict[str, Any], settings: CallerSettings, now: float | None = None) -> Refusal | None:
    """Why the rules table refuses this request at the door (None: it may go on)."""
    method = str(event.get("httpMethod", ""))
    rule = rule_for(method, event.get("resource"), event.get("path"))
    if rule is None:
        # Not a route of the table (so not one API Gateway serves): answered like the resolver's unknown route.
        return Refusal(HTTPStatus.NOT_FOUND, f"no route {method} {event.get('path')}")
    caller = caller_of(event, settings)
    if caller is None:
        return Refusal(HTTPStatus.UNAUTHORIZED, "no caller identity: send Authorization: Bearer <token>")
    if caller.expires_at is not None and (now or time.time()) >= caller.expires_at:
        return Refusal(HTTPStatus.UNAUTHORIZED, "the token has expired")
    if rule.of(caller.role) == Reach.NONE:
        return Refusal(HTTPStatus.FORBIDDEN, f"a {caller.role.value} token may not call {rule.key}")
    return None


def admit(event: dict[str, Any]) -> dict[str, Any] | None:
    """The refusal of an API Gateway request the rules table does not let in (a proxy result), else None."""
    refused = refusal(event, caller_settings())
    if refused is None:
        return None
    logger.info("request refused", extra={"status": int(refused.status), "reason": refused.message})
    return {
        "statusCode": int(refused.status),
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"message": refused.message}),
        "isBase64Encoded": False,
    }


@lambda_handler_decorator
def admitted(handler: Callable[..., Any], event: dict[str, Any], context: Any) -> Any:
    """The handler of an API function: only requests the rules table lets in reach it."""
    return admit(event) or handler(event, context)


class Access:
    """One request's caller and reach on its route: what the route filters its data with."""

    def __init__(self, caller: Caller, rule: Rule, default_owner: str) -> None:
        self.caller = caller
        self.rule = rule
        self.reach = rule.of(caller.role)
        self.default_owner = default_owner
        self.within: Within | None = within(caller, self.reach, default_owner)
        self._sight = within(caller, sight(caller.role), default_owner)

    def _visible(self, achievement: Achievement) -> bool:
        if self.within is None or self.within.holds_achievement(achievement):
            return True
        if self._sight is None or self._sight.holds_achievement(achievement):
            raise Forbidden(f"a {self.caller.role.value} token may read achievement {achievement.id} but not change it")
        return False  # beyond what the caller may read: answered like an unknown id (404)

    def store(self, store: AchievementStore) -> AchievementStore:
        """The store as this caller sees it on this route: others' achievements do not exist."""
        return store if self.within is None else store.seen_by(self._visible)

    def scope(self, person: str | None, team: str | None) -> tuple[str | None, str | None]:
        """?person=|team= narrowed to the reach: by default the caller; a person or team beyond it is 404."""
        if self.within is None:
            return person, team
        if team is not None:
            if team not in self.within.teams:
                raise NotFound(f"no team {team!r}")
            return person, team
        if person is not None and person != self.within.person:
            raise NotFound(f"no person {person!r}")
        return self.within.person, None

    def new_owner(self, person: str | None) -> str | None:
        """The person a new (or moved) achievement may be given: within reach only (default: the caller)."""
        if self.within is None:
            return person
        if person is not None and person != self.within.person:
            raise Forbidden(f"a {self.caller.role.value} token records achievements for {self.within.person!r} only")
        return self.within.person


def access_of(app: APIGatewayRestResolver, settings: CallerSettings | None = None) -> Access:
    """The current request's Access (the handler is `admitted`, so a caller and a row exist)."""
    settings = settings or caller_settings()
    event = app.current_event.raw_event
    caller = caller_of(event, settings)
    rule = rule_for(str(event.get("httpMethod", "")), event.get("resource"), event.get("path"))
    if caller is None or rule is None:
        raise Forbidden("no caller identity for this route")
    return Access(caller, rule, settings.default_owner)
