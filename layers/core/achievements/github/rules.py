"""GitHub rules without I/O: the delivery signature, dedupe refs, and the category a pull request earns."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import datetime

from achievements.core.models import Category

SIGNATURE_PREFIX = "sha256="
SIGNATURE_PATTERN = re.compile(r"^sha256=[0-9a-f]{64}$")

# A label's last token (after `type:`, `kind/`, `area/`...) decides; the first label that maps wins.
LABEL_CATEGORIES: dict[str, Category] = {
    **dict.fromkeys(["performance", "perf", "optimization", "optimisation", "speed", "latency"], Category.PERFORMANCE),
    **dict.fromkeys(
        [
            "bug",
            "bugfix",
            "fix",
            "hotfix",
            "regression",
            "reliability",
            "stability",
            "security",
            "incident",
            "test",
            "tests",
            "testing",
        ],
        Category.RELIABILITY,
    ),
    **dict.fromkeys(
        [
            "infrastructure",
            "infra",
            "ci",
            "cd",
            "ci/cd",
            "devops",
            "build",
            "deployment",
            "deploy",
            "dependencies",
            "deps",
            "docker",
            "terraform",
            "ops",
        ],
        Category.INFRASTRUCTURE,
    ),
    **dict.fromkeys(["leadership", "mentoring", "mentorship", "rfc"], Category.LEADERSHIP),
    **dict.fromkeys(
        ["feature", "enhancement", "refactor", "refactoring", "documentation", "docs"], Category.DEVELOPMENT
    ),
}

# Conventional Commits types (`feat: ...`, `fix(api)!: ...`) and `[perf] ...` prefixes of a title.
TITLE_TYPE_CATEGORIES: dict[str, Category] = {
    **dict.fromkeys(["feat", "feature", "refactor", "docs", "doc", "style"], Category.DEVELOPMENT),
    **dict.fromkeys(["fix", "bugfix", "hotfix", "test", "tests", "revert", "security"], Category.RELIABILITY),
    "perf": Category.PERFORMANCE,
    **dict.fromkeys(["ci", "build", "deps", "chore", "ops", "infra"], Category.INFRASTRUCTURE),
}
TITLE_TYPE = re.compile(r"^\s*(?:(?P<type>[A-Za-z]+)(?:\([^)]*\))?!?\s*:|\[(?P<bracket>[A-Za-z]+)\])")
DEFAULT_CATEGORY = Category.DEVELOPMENT


def signature(secret: bytes, body: bytes) -> str:
    """The `X-Hub-Signature-256` value GitHub sends: `sha256=` + hex HMAC-SHA256 of the raw body."""
    return SIGNATURE_PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_matches(secret: bytes, body: bytes, header: str) -> bool:
    """Constant-time comparison of the header with the body's signature under the secret."""
    return hmac.compare_digest(signature(secret, body).encode(), header.strip().lower().encode())


def _label_token(label: str) -> list[str]:
    name = label.strip().lower()
    return [name, re.split(r"[:/]", name)[-1].strip()]


def label_category(labels: Iterable[str]) -> Category | None:
    for label in labels:
        for token in _label_token(label):
            if token in LABEL_CATEGORIES:
                return LABEL_CATEGORIES[token]
    return None


def title_category(title: str) -> Category | None:
    found = TITLE_TYPE.match(title)
    if not found:
        return None
    return TITLE_TYPE_CATEGORIES.get((found["type"] or found["bracket"]).lower())


def pull_request_category(labels: Iterable[str], title: str) -> Category:
    """Labels first, then the title's convention, else development."""
    return label_category(labels) or title_category(title) or DEFAULT_CATEGORY


def repo_key(full_name: str) -> str:
    # GitHub treats owner/repo case-insensitively: `Octo/App` and `octo/app` are one repository.
    return full_name.lower()


def pull_request_ref(full_name: str, number: int) -> str:
    """Dedupe key of a pull request: the repository and the number (numbers repeat across repositories)."""
    return f"{repo_key(full_name)}#pr/{number}"


def release_ref(full_name: str, release_id: int) -> str:
    return f"{repo_key(full_name)}#release/{release_id}"


def payload_time_floor(changed_at: datetime | None) -> dict[str, float]:
    """SPEC §5: a repeat older than the stored payload (`pull_request.updated_at`, release `published_at`) is
    ignored, whatever its delivery id: the store refuses one that lowers this number (epoch seconds)."""
    return {} if changed_at is None else {"payload_time": changed_at.timestamp()}
