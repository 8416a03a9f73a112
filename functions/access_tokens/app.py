"""Access tokens (SPEC §9), admins only: issue (the token is answered once), list without secrets, revoke."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.access import service
from achievements.access.deps import deps
from achievements.access.guard import admitted
from achievements.access.models import Token, TokenCreated, TokenIn, TokenList
from achievements.access.settings import access_settings
from achievements.core.models import utcnow
from achievements.core.observability import logger, metrics, tracer
from achievements.http.resolver import JSON, documented, make_resolver, resolve

deps.build(access_settings())
app = make_resolver()

TokenIdPath = Annotated[
    str, Path(min_length=1, max_length=64, description="The token's id", examples=["4f1c2a9be07d3a55"])
]
ADMINS_ONLY = {
    401: documented("no caller identity, or the token expired"),
    403: documented("not an admin token"),
}


@app.post(
    "/tokens",
    summary="Issue a token: its role (ingest, member, lead, admin), person, a lead's teams, its lifetime",
    description="The answer holds the token itself, once: only its SHA-256 is stored.",
    responses={
        201: documented("issued (the token is in this answer only)", TokenCreated),
        400: documented("body missing or not JSON"),
        413: documented("body over the size limit"),
        415: documented("Content-Type is not JSON"),
        422: documented("an invalid field (a lead without teams, teams on another role, a bad slug)"),
        **ADMINS_ONLY,
    },
    tags=["access"],
)
def post_token(body: Annotated[TokenIn, Body()]) -> Response[TokenCreated]:
    graph = deps.current()
    created = service.issue_token(graph.tokens, graph.usage, body, utcnow())
    headers = {"Location": f"/tokens/{created.token_id}", "Cache-Control": "no-store"}
    return Response(status_code=201, content_type=JSON, body=created, headers=headers)


@app.get(
    "/tokens",
    summary="Every issued token, newest first: role, person, teams, expiry, status (never a secret)",
    responses={200: documented("the tokens", TokenList), **ADMINS_ONLY},
    tags=["access"],
)
def get_tokens() -> TokenList:
    return service.list_tokens(deps.current().tokens, utcnow())


@app.delete(
    "/tokens/<token_id>",
    summary="Revoke a token (refused by the authorizer from its next uncached call: within the cache TTL)",
    responses={200: documented("revoked", Token), 404: documented("no such token"), **ADMINS_ONLY},
    tags=["access"],
)
def delete_token(token_id: TokenIdPath) -> Token:
    graph = deps.current()
    return service.revoke_token(graph.tokens, graph.usage, token_id, utcnow())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@admitted  # the access rules table (access/rules.py): admins only
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, deps.current().settings.max_body_bytes)
