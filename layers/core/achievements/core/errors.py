"""Typed errors a caller can cause; they say what went wrong, never which HTTP status it is (http/errors.py)."""

from __future__ import annotations


class AchievementError(Exception):
    """Base of the errors a caller can cause: a request the app refuses, with a message naming the problem."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(AchievementError):
    """The request itself is malformed (a header, a body that is not JSON)."""


class InvalidInput(AchievementError):
    """Well-formed, but a value breaks a rule (an unknown metric, a direction that contradicts the catalogue)."""


class NotFound(AchievementError):
    """No such thing (an achievement id)."""


class Unauthorized(AchievementError):
    """The request's credentials (a signature) are missing or wrong."""


class Forbidden(AchievementError):
    """The caller is known, but their role may not do this (SPEC §9; what they may not even see is NotFound)."""


class UnsupportedMediaType(AchievementError):
    """The body is not of a media type the route reads."""


class StoreConflict(AchievementError):
    """A write kept losing races to concurrent writes of the same event beyond the retry budget."""


class InvalidCursor(BadRequest):
    """A page cursor that is malformed, altered, or used with other filters than the ones that made it."""


class CursorExpired(AchievementError):
    """A page cursor past its lifetime: the listing starts again without one."""


class Unavailable(AchievementError):
    """Something the request needs is not answering for now (a secret, throttled aggregates): retry later."""


class Conflict(AchievementError):
    """The request contradicts the stored state (an alias another person holds, an edit of a deleted achievement)."""


class PreconditionFailed(AchievementError):
    """An If-Match that is no longer the current entity tag: someone else wrote meanwhile (re-read, re-apply)."""


class PreconditionRequired(AchievementError):
    """An edit without If-Match: optimistic concurrency needs the entity tag the edit was based on."""
