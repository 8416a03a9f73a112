"""Typed errors of the domain; the API maps each to one HTTP status in one place (achievements.api)."""

from __future__ import annotations

from http import HTTPStatus


class AchievementError(Exception):
    """Base of the errors a caller can cause; carries the HTTP status it maps to."""

    status = HTTPStatus.BAD_REQUEST

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AchievementError):
    status = HTTPStatus.UNPROCESSABLE_ENTITY


class NotFound(AchievementError):
    status = HTTPStatus.NOT_FOUND


class Unauthorized(AchievementError):
    status = HTTPStatus.UNAUTHORIZED


class StoreConflict(AchievementError):
    """A write kept losing races to concurrent writes of the same event beyond the retry budget."""

    status = HTTPStatus.CONFLICT


class InvalidCursor(AchievementError):
    """A page cursor that is malformed, altered, or used with other filters than the ones that made it."""

    status = HTTPStatus.BAD_REQUEST


class CursorExpired(AchievementError):
    """A page cursor past its lifetime: the listing starts again without one."""

    status = HTTPStatus.GONE
