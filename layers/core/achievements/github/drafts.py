"""A merged pull request or a published release as an achievement draft (pure: texts, numbers, evidence)."""

from __future__ import annotations

from achievements.core.models import AchievementDraft, Category, Source
from achievements.core.texts import safe_link
from achievements.github.models import PullRequestMerged, ReleasePublished
from achievements.github.rules import payload_time_floor, pull_request_category, pull_request_ref, release_ref

TITLE_MAX = 300
DESCRIPTION_MAX = 4000


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def merged_pull_request_draft(event: PullRequestMerged) -> AchievementDraft:
    pr, repo = event.pull_request, event.repository
    labels = [label.name for label in pr.labels]
    merged_by = pr.merged_by.login if pr.merged_by else None
    summary = (
        f"Pull request #{pr.number} by @{pr.user.login} merged into {repo.full_name}:{pr.base.ref}"
        f"{f' by @{merged_by}' if merged_by and merged_by != pr.user.login else ''}: "
        f"{_count(pr.commits, 'commit')}, {_count(pr.changed_files, 'file')} changed, "
        f"+{pr.additions:,}/-{pr.deletions:,} lines."
    )
    body = (pr.body or "").strip()
    return AchievementDraft(
        title=_clip(f"PR #{pr.number}: {pr.title.strip()}", TITLE_MAX),
        description=_clip(f"{summary}\n\n{body}" if body else summary, DESCRIPTION_MAX),
        category=pull_request_category(labels, pr.title),
        source=Source.GITHUB,
        source_ref=pull_request_ref(repo.full_name, pr.number),
        occurred_at=pr.merged_at,
        impact=(
            f"+{pr.additions:,}/-{pr.deletions:,} lines across {_count(pr.changed_files, 'file')} "
            f"in {_count(pr.commits, 'commit')} merged into {repo.full_name}"
        ),
        metrics={
            "commits": pr.commits,
            "additions": pr.additions,
            "deletions": pr.deletions,
            "changed_files": pr.changed_files,
            "lines_changed": pr.additions + pr.deletions,
        },
        technologies=["GitHub", *([repo.language] if repo.language else [])],
        tags=["github", "pull-request", *labels],
        author=pr.user.login,
        evidence={
            "repo": repo.full_name,
            "number": pr.number,
            "url": safe_link(pr.html_url),
            "commits": pr.commits,
            "additions": pr.additions,
            "deletions": pr.deletions,
            "changed_files": pr.changed_files,
            "merged_at": pr.merged_at.isoformat(),
            "merged_by": merged_by,
            "base": pr.base.ref,
            "labels": labels,
        },
        not_below=payload_time_floor(pr.updated_at or pr.merged_at),
    )


def published_release_draft(event: ReleasePublished) -> AchievementDraft:
    release, repo = event.release, event.repository
    name = (release.name or "").strip()
    title = (
        f"Release {release.tag_name}: {name}" if name and name != release.tag_name else f"Release {release.tag_name}"
    )
    kind = "pre-release" if release.prerelease else "release"
    summary = f"Published {kind} {release.tag_name} of {repo.full_name} by @{release.author.login}."
    body = (release.body or "").strip()
    return AchievementDraft(
        title=_clip(title, TITLE_MAX),
        description=_clip(f"{summary}\n\n{body}" if body else summary, DESCRIPTION_MAX),
        category=Category.DEVELOPMENT,
        source=Source.GITHUB,
        source_ref=release_ref(repo.full_name, release.id),
        occurred_at=release.published_at,
        impact=f"Shipped {release.tag_name} of {repo.full_name}",
        metrics={"assets": len(release.assets)},
        technologies=["GitHub", *([repo.language] if repo.language else [])],
        tags=["github", "release", *(["prerelease"] if release.prerelease else [])],
        author=release.author.login,
        evidence={
            "repo": repo.full_name,
            "release_id": release.id,
            "tag": release.tag_name,
            "name": name,
            "url": safe_link(release.html_url),
            "published_at": release.published_at.isoformat() if release.published_at else None,
            "prerelease": release.prerelease,
            "target_commitish": release.target_commitish,
        },
        not_below=payload_time_floor(release.published_at),
    )
