"""Pydantic models of the part of GitHub's webhook payloads the app reads (everything else is ignored)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from achievements.core.models import TrackResponse, UtcDateTime

# GitHub's ids and counts are 64-bit; a bigger number is not GitHub's, and DynamoDB keeps only 38 digits.
INT64_MAX = 2**63 - 1


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class GitHubUser(_Payload):
    login: str = Field(min_length=1, max_length=100)


class GitHubLabel(_Payload):
    name: str = Field(max_length=100)


class GitHubRepository(_Payload):
    id: int = Field(ge=1, le=INT64_MAX)
    full_name: str = Field(pattern=r"^[^/\s]+/[^/\s]+$", max_length=200)
    html_url: str | None = None
    language: str | None = Field(default=None, max_length=100)


class GitHubBranch(_Payload):
    ref: str = Field(min_length=1, max_length=256)


class ActionPayload(_Payload):
    """Enough of any event to decide whether the app tracks it."""

    action: str = Field(min_length=1, max_length=100)


class PullRequestState(_Payload):
    number: int = Field(ge=1, le=INT64_MAX)
    merged: bool | None = None
    merged_at: UtcDateTime | None = None

    @property
    def is_merged(self) -> bool:
        return bool(self.merged) or self.merged_at is not None


class PullRequestClosed(ActionPayload):
    """A `pull_request` delivery, read only as far as "was it merged?"."""

    pull_request: PullRequestState


class MergedPullRequest(_Payload):
    number: int = Field(ge=1, le=INT64_MAX)
    title: str = Field(min_length=1, max_length=1024)
    html_url: str = Field(min_length=1, max_length=1024)
    body: str | None = None
    user: GitHubUser
    merged_at: UtcDateTime
    updated_at: UtcDateTime | None = Field(
        default=None, description="When GitHub last changed the pull request: an older payload is ignored (SPEC §5)"
    )
    merged_by: GitHubUser | None = None
    labels: list[GitHubLabel] = Field(default_factory=list, max_length=100)
    base: GitHubBranch
    commits: int = Field(ge=0, le=INT64_MAX)
    additions: int = Field(ge=0, le=INT64_MAX)
    deletions: int = Field(ge=0, le=INT64_MAX)
    changed_files: int = Field(ge=0, le=INT64_MAX)


class PullRequestMerged(ActionPayload):
    """`pull_request` with action `closed` and the pull request merged."""

    pull_request: MergedPullRequest
    repository: GitHubRepository


class Release(_Payload):
    id: int = Field(ge=1, le=INT64_MAX)
    tag_name: str = Field(min_length=1, max_length=256)
    name: str | None = Field(default=None, max_length=1024)
    html_url: str = Field(min_length=1, max_length=1024)
    body: str | None = None
    author: GitHubUser
    published_at: UtcDateTime | None = None
    prerelease: bool = False
    target_commitish: str | None = Field(default=None, max_length=256)
    assets: list[dict[str, Any]] = Field(default_factory=list)


class ReleasePublished(ActionPayload):
    """`release` with action `published`."""

    release: Release
    repository: GitHubRepository


class Ping(_Payload):
    """What GitHub sends when a webhook is created: a proverb and the hook's id."""

    zen: str | None = None
    hook_id: int | None = None


class GitHubDeliveryResponse(TrackResponse):
    """Answer of `POST /github/webhook`: created/updated/unchanged/duplicate with the id, ignored or pong."""

    status: str = Field(examples=["created", "updated", "unchanged", "duplicate", "ignored", "pong"])
    event: str | None = None
    delivery: str | None = None
    source_ref: str | None = None
