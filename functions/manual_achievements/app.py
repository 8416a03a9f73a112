"""Manual achievements (SPEC §8): create with an Idempotency-Key, edit with If-Match, hide, delete, restore."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.access.guard import access_of, admitted
from achievements.core.models import Achievement, TrackResponse
from achievements.core.observability import logger, metrics, tracer
from achievements.core.ownership import etag_of
from achievements.core.settings import core_settings
from achievements.http.priming import prime, request
from achievements.http.resolver import JSON, documented, make_resolver, resolve
from achievements.manual import service
from achievements.manual.deps import deps
from achievements.manual.models import AchievementPatch, ManualAchievementIn
from achievements.manual.params import BODY, STALE, UNKNOWN, IdempotencyKey, IdPath, IfMatch

deps.build(core_settings())
app = make_resolver()


def _answer(achievement: Achievement) -> Response[Achievement]:
    return Response(status_code=200, content_type=JSON, body=achievement, headers={"ETag": etag_of(achievement)})


@app.post(
    "/achievements",
    summary="Record a manual achievement (source manual)",
    responses={
        200: documented("the same Idempotency-Key and body again: unchanged, the same id", TrackResponse),
        201: documented("created", TrackResponse),
        404: documented("no such person"),
        409: documented("concurrent writes of the same key kept colliding: retry"),
        422: documented("invalid field, or the Idempotency-Key was used with another body"),
        **BODY,
    },
    tags=["achievements"],
)
def post_achievement(
    body: Annotated[ManualAchievementIn, Body()], idempotency_key: IdempotencyKey = None
) -> Response[TrackResponse]:
    owned = body.model_copy(update={"person": access_of(app).new_owner(body.person)})
    answer = service.create(deps.current().store, deps.current().registry, owned, idempotency_key)
    headers = {"Location": f"/achievements/{answer.achievement_id}"}
    return Response(
        status_code=201 if answer.status == "created" else 200, content_type=JSON, body=answer, headers=headers
    )


@app.patch(
    "/achievements/<achievement_id>",
    summary="Edit an achievement's text, category, dates, person or hidden flag (If-Match required)",
    description="Integration-owned fields (metrics, evidence, source, analysis) are read-only: naming one is a 422.",
    responses={
        200: documented("the edited achievement (ETag header: its new tag)", Achievement),
        409: documented("the achievement is deleted"),
        428: documented("If-Match is missing"),
        **UNKNOWN,
        **STALE,
        **BODY,
        422: documented("a read-only or invalid field, or nothing to change"),
    },
    tags=["achievements"],
)
def patch_achievement(
    achievement_id: IdPath, body: Annotated[AchievementPatch, Body()], if_match: IfMatch = None
) -> Response[Achievement]:
    graph, seen = deps.current(), access_of(app)
    if body.person is not None:
        seen.new_owner(body.person)
    return _answer(service.edit(seen.store(graph.store), graph.registry, achievement_id, body, if_match))


@app.delete(
    "/achievements/<achievement_id>",
    summary="Soft-delete an achievement (restorable; it counts nowhere meanwhile)",
    responses={
        200: documented('deleted (or already deleted): {"status": "deleted"}', TrackResponse),
        **UNKNOWN,
        **STALE,
    },
    tags=["achievements"],
)
def delete_achievement(achievement_id: IdPath, if_match: IfMatch = None) -> TrackResponse:
    service.delete(access_of(app).store(deps.current().store), achievement_id, if_match)
    return TrackResponse(status="deleted", achievement_id=achievement_id)


@app.post(
    "/achievements/<achievement_id>/restore",
    summary="Restore a soft-deleted achievement",
    responses={
        200: documented("the restored achievement", Achievement),
        409: documented("the achievement is not deleted"),
        **UNKNOWN,
        **STALE,
    },
    tags=["achievements"],
)
def restore_achievement(achievement_id: IdPath, if_match: IfMatch = None) -> Response[Achievement]:
    return _answer(service.restore(access_of(app).store(deps.current().store), achievement_id, if_match))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@admitted  # the access rules table (access/rules.py): 401/403 before anything reads the request
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, deps.current().settings.max_body_bytes)


# SnapStart priming: requests refused before any read (a body without a title; id 0)
prime(app, deps.clients, request("POST", "/achievements", {}), request("PATCH", "/achievements/0", {"hidden": True}))
