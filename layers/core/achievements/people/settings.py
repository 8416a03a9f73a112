"""Environment of the people functions (names only)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from achievements.core.settings import CoreSettings


class PeopleSettings(CoreSettings):
    """PeopleFunction and ReattributionFunction: where re-attribution jobs go."""

    reattribution_queue_url: str = Field(min_length=1, validation_alias="REATTRIBUTION_QUEUE_URL")


@lru_cache(maxsize=1)
def people_settings() -> PeopleSettings:
    return PeopleSettings()  # type: ignore[call-arg]
