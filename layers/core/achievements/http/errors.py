"""The one place that turns the app's errors into HTTP statuses."""

from __future__ import annotations

from http import HTTPStatus

from achievements.core.errors import (
    AchievementError,
    BadRequest,
    Conflict,
    CursorExpired,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    StoreConflict,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
)

STATUS_OF: dict[type[AchievementError], HTTPStatus] = {
    BadRequest: HTTPStatus.BAD_REQUEST,
    InvalidInput: HTTPStatus.UNPROCESSABLE_ENTITY,
    NotFound: HTTPStatus.NOT_FOUND,
    Unauthorized: HTTPStatus.UNAUTHORIZED,
    Forbidden: HTTPStatus.FORBIDDEN,
    UnsupportedMediaType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    StoreConflict: HTTPStatus.CONFLICT,
    Conflict: HTTPStatus.CONFLICT,
    PreconditionFailed: HTTPStatus.PRECONDITION_FAILED,
    PreconditionRequired: HTTPStatus.PRECONDITION_REQUIRED,
    CursorExpired: HTTPStatus.GONE,
    Unavailable: HTTPStatus.SERVICE_UNAVAILABLE,
}


def status_of(error: AchievementError) -> HTTPStatus:
    """The status of the error's nearest kind in STATUS_OF; 400 for a kind it does not name."""
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]  # type: ignore[index]
    return HTTPStatus.BAD_REQUEST
