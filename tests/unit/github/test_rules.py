"""GitHub rules without I/O: the documented signature test vector, categories, dedupe refs, settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from achievements.core.models import Category
from achievements.core.secrets import SecretSource
from achievements.github.rules import (
    pull_request_category,
    pull_request_ref,
    release_ref,
    signature,
    signature_matches,
)
from achievements.github.settings import GitHubWebhookSettings

# GitHub's documented test values ("Validating webhook deliveries" > "Testing the webhook payload validation").
DOC_SECRET = b"It's a Secret to Everybody"
DOC_PAYLOAD = b"Hello, World!"
DOC_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_githubs_documented_test_vector_signs_and_verifies() -> None:
    # Given / When GitHub's documented secret and payload are signed
    computed = signature(DOC_SECRET, DOC_PAYLOAD)

    # Then the signature is the documented one, and it verifies
    assert computed == DOC_SIGNATURE
    assert signature_matches(DOC_SECRET, DOC_PAYLOAD, DOC_SIGNATURE)


@pytest.mark.parametrize(
    ("secret", "payload", "header"),
    [
        (b"It's a secret to everybody", DOC_PAYLOAD, DOC_SIGNATURE),  # another secret
        (DOC_SECRET, b"Hello, World?", DOC_SIGNATURE),  # another body
        (DOC_SECRET, DOC_PAYLOAD, DOC_SIGNATURE[:-1] + "0"),  # one digit off
        (DOC_SECRET, DOC_PAYLOAD, DOC_SIGNATURE.removeprefix("sha256=")),  # no prefix
        (DOC_SECRET, DOC_PAYLOAD, ""),
    ],
    ids=["other-secret", "other-body", "one-digit-off", "no-prefix", "empty"],
)
def test_anything_but_the_exact_signature_fails(secret: bytes, payload: bytes, header: str) -> None:
    # Given the documented vector with one part changed, When signature_matches checks it, Then it is refused
    assert not signature_matches(secret, payload, header)


@pytest.mark.parametrize(
    ("labels", "title", "category"),
    [
        (["performance"], "Update README", Category.PERFORMANCE),
        (["type: performance"], "Update README", Category.PERFORMANCE),
        (["kind/bug"], "feat: new endpoint", Category.RELIABILITY),  # labels win over the title
        (["area/ci"], "Update README", Category.INFRASTRUCTURE),
        (["dependencies"], "Bump pydantic from 2.12 to 2.13", Category.INFRASTRUCTURE),
        (["enhancement"], "Add export", Category.DEVELOPMENT),
        (["mentoring"], "Pairing notes", Category.LEADERSHIP),
        (["good first issue", "Security"], "Escape output", Category.RELIABILITY),  # first label that maps
        ([], "feat: add CSV export", Category.DEVELOPMENT),
        ([], "fix(api)!: refuse unsigned deliveries", Category.RELIABILITY),
        ([], "perf: cache the secret", Category.PERFORMANCE),
        ([], "docs: webhook setup", Category.DEVELOPMENT),
        ([], "ci: run sam validate", Category.INFRASTRUCTURE),
        ([], "refactor: split the store", Category.DEVELOPMENT),
        ([], "chore(deps): bump boto3", Category.INFRASTRUCTURE),
        ([], "[perf] faster scans", Category.PERFORMANCE),
        (["wontfix-later"], "Update the README with new information.", Category.DEVELOPMENT),  # default
        ([], "feature flag cleanup", Category.DEVELOPMENT),  # no colon: not a convention, default
    ],
)
def test_category_comes_from_labels_then_title_then_default(labels: list[str], title: str, category: str) -> None:
    # Given a PR's labels and title, When pull_request_category reads them, Then it is the expected category
    assert pull_request_category(labels, title) == category


def test_refs_hold_repository_and_number_so_numbers_do_not_collide_across_repositories() -> None:
    # Given PR #2 of Codertocat/Hello-World, When its ref is built, Then it names the repository (lowercased)
    assert pull_request_ref("Codertocat/Hello-World", 2) == "codertocat/hello-world#pr/2"
    # And PR #2 of another repository gets another ref, while the same repository in other case gets the same one
    assert pull_request_ref("Codertocat/Hello-World", 2) != pull_request_ref("Octocoders/Hello-World", 2)
    assert pull_request_ref("Codertocat/Hello-World", 2) == pull_request_ref("codertocat/hello-world", 2)
    # And a release's ref holds the repository and the release id
    assert release_ref("Codertocat/Hello-World", 17372790) == "codertocat/hello-world#release/17372790"


def test_settings_need_a_secret_id_or_a_local_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given neither the secret's id nor a local value
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET_ID", "")
    monkeypatch.delenv("GITHUB_WEBHOOK_SECRET", raising=False)

    # When the settings load (a cold start), Then they fail naming both variables
    with pytest.raises(ValidationError, match=r"GITHUB_WEBHOOK_SECRET_ID .* GITHUB_WEBHOOK_SECRET"):
        GitHubWebhookSettings()  # type: ignore[call-arg]


def test_settings_default_to_a_body_limit_below_one_megabyte(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a local webhook secret and no GITHUB_MAX_BODY_BYTES
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "local")
    monkeypatch.delenv("GITHUB_MAX_BODY_BYTES", raising=False)

    # When the settings load
    settings = GitHubWebhookSettings()  # type: ignore[call-arg]

    # Then the body limit is 512 KiB (under 1 MB) and the secret stays out of the repr
    assert settings.github_max_body_bytes == 512 * 1024 < 1_000_000
    assert "local" not in repr(settings)  # the local secret never shows in logs


def test_local_secret_is_used_only_without_a_secret_id() -> None:
    # Given a local value and no secret id, When read, Then the local value signs
    assert SecretSource("", local_value="local-github-webhook-secret").get() == b"local-github-webhook-secret"
    # And with neither, the source refuses to exist
    with pytest.raises(ValueError, match="needs a Secrets Manager name or a local value"):
        SecretSource("", local_value=None)
