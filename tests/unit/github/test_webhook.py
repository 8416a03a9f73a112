"""`POST /github/webhook` through the Lambda handler, on moto: signature first, achievements exactly once,
every bad input a clear 4xx with nothing written."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import os
from typing import Any

import boto3
import pytest
from pydantic import SecretStr

from achievements.core.secrets import SecretSource
from achievements.github.deliveries import DeliveryLog
from achievements.github.deps import deps
from achievements.github.settings import github_webhook_settings
from functions.github_webhook import app as github_app
from tests.conftest import Tables, clients_of, load_event

LOCAL_SECRET = "local-github-webhook-secret"  # the documented local secret the events/ files are signed with
PR_EVENT = "github_pull_request_merged.json"
RELEASE_EVENT = "github_release_published.json"
PING_EVENT = "github_ping.json"
DROP = object()


class CountingSecrets:
    """A Secrets Manager client counting secret reads: a refused request must not need the secret."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.reads = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def get_secret_value(self, **kwargs: Any) -> Any:
        self.reads += 1
        return self.client.get_secret_value(**kwargs)


def build_function(tables: Tables, secrets: Any, **settings: Any) -> None:
    """GitHubWebhookFunction's graph on moto; the secret read on every request (no cache) so reads count."""
    deps.build(
        github_webhook_settings().model_copy(update={"secret_max_age_seconds": 0, **settings}),
        clients_of(tables, secretsmanager=secrets),
    )


@pytest.fixture
def secrets_client(moto_tables: Tables) -> Any:
    client = boto3.client("secretsmanager", region_name="us-east-1")
    client.create_secret(Name=os.environ["GITHUB_WEBHOOK_SECRET_ID"], SecretString=LOCAL_SECRET)
    return client


@pytest.fixture(autouse=True)
def secret(moto_tables: Tables, secrets_client) -> CountingSecrets:
    counting = CountingSecrets(secrets_client)
    build_function(moto_tables, counting)
    return counting


def payload_of(name: str) -> dict[str, Any]:
    return json.loads(load_event(name)["body"])


def delivery(
    name: str,
    payload: Any = None,
    *,
    raw: bytes | None = None,
    secret: str | bytes = LOCAL_SECRET,
    base64_body: bool = False,
    **headers: Any,
) -> dict[str, Any]:
    """An event from events/ with another body, signed with `secret`; headers given as X_GitHub_Event=... ."""
    event = copy.deepcopy(load_event(name))
    if raw is None:
        raw = event["body"].encode() if payload is None else json.dumps(payload).encode()
    key = secret.encode() if isinstance(secret, str) else secret
    event["headers"]["X-Hub-Signature-256"] = "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest()
    for header, value in headers.items():
        header = header.replace("_", "-")
        if value is DROP:
            event["headers"].pop(header, None)
        else:
            event["headers"][header] = value
    event["multiValueHeaders"] = {key: [value] for key, value in event["headers"].items()}
    if base64_body:
        event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
    else:
        event["body"] = raw.decode("utf-8", errors="surrogateescape") if raw else None
    return event


def call(event: dict[str, Any], context) -> tuple[int, dict[str, Any]]:
    response = github_app.lambda_handler(event, context)
    return int(response["statusCode"]), json.loads(response["body"])


def kinds(tables: Tables) -> list[str]:
    return sorted(item["pk"]["S"].split("#")[0] for item in tables.items())


# ---- merged pull requests ------------------------------------------------------------------------------


def test_merged_pull_request_becomes_an_achievement_with_evidence_and_author(lambda_context, store) -> None:
    # Given GitHub's documented pull_request payload, closed and merged, signed with the webhook secret
    event = load_event(PR_EVENT)

    # When it is delivered
    status, body = call(event, lambda_context)

    # Then it is created, attributed to the PR's author, with the evidence and numbers of the merge
    assert (status, body) == (
        201,
        {
            "status": "created",
            "achievement_id": 1,
            "event": "pull_request",
            "delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
            "source_ref": "codertocat/hello-world#pr/2",
        },
    )
    achievement = store.get(1)
    assert achievement is not None
    assert achievement.title == "PR #2: Update the README with new information."
    assert achievement.category == "reliability"  # its label `bug`
    assert achievement.source == "github"
    assert achievement.author == "Codertocat"
    assert achievement.occurred_at.isoformat() == "2019-05-15T15:21:18+00:00"  # merged_at
    assert achievement.evidence == {
        "repo": "Codertocat/Hello-World",
        "number": 2,
        "url": "https://github.com/Codertocat/Hello-World/pull/2",
        "commits": 1,
        "additions": 1,
        "deletions": 1,
        "changed_files": 1,
        "merged_at": "2019-05-15T15:21:18+00:00",
        "merged_by": "Codertocat",
        "base": "master",
        "labels": ["bug"],
    }
    assert achievement.metrics == {
        "commits": 1,
        "additions": 1,
        "deletions": 1,
        "changed_files": 1,
        "lines_changed": 2,
    }
    assert achievement.description.startswith(
        "Pull request #2 by @Codertocat merged into Codertocat/Hello-World:master: 1 commit, 1 file changed, +1/-1"
    )
    assert "Ruby" in achievement.technologies


def test_redelivery_answers_the_same_id_and_writes_nothing_new(lambda_context, moto_tables) -> None:
    # Given a delivery already received
    call(load_event(PR_EVENT), lambda_context)
    before = moto_tables.items()

    # When GitHub redelivers it (same X-GitHub-Delivery, same body)
    status, body = call(load_event(PR_EVENT), lambda_context)

    # Then the answer carries the existing id and the table is exactly as it was
    assert status == 200
    assert (body["status"], body["achievement_id"]) == ("duplicate", 1)
    assert moto_tables.items() == before
    assert len(moto_tables.achievement_items()) == 1
    assert kinds(moto_tables).count("DELIVERY") == 1


def test_same_pull_request_in_another_delivery_keeps_its_one_achievement(lambda_context, moto_tables) -> None:
    # Given a merged PR received once
    call(load_event(PR_EVENT), lambda_context)

    # When the same PR arrives in a new delivery (another GUID)
    status, body = call(delivery(PR_EVENT, X_GitHub_Delivery="5b1f6a2e-0000-4000-8000-000000000002"), lambda_context)

    # Then it is the same achievement, unchanged; both deliveries are recorded against it
    assert (status, body["status"], body["achievement_id"]) == (200, "unchanged", 1)
    assert len(moto_tables.achievement_items()) == 1
    assert kinds(moto_tables).count("DELIVERY") == 2


def test_same_pr_number_in_another_repository_is_another_achievement(lambda_context, moto_tables, store) -> None:
    # Given PR #2 of Codertocat/Hello-World received
    call(load_event(PR_EVENT), lambda_context)

    # When PR #2 of another repository is merged
    other = payload_of(PR_EVENT)
    other["repository"]["full_name"] = "Octocoders/Hello-World"
    status, body = call(
        delivery(PR_EVENT, other, X_GitHub_Delivery="5b1f6a2e-0000-4000-8000-000000000003"), lambda_context
    )

    # Then it is a second achievement with its own ref
    assert (status, body["achievement_id"], body["source_ref"]) == (201, 2, "octocoders/hello-world#pr/2")
    assert len(moto_tables.achievement_items()) == 2
    second = store.get(2)
    assert second is not None
    assert second.evidence["repo"] == "Octocoders/Hello-World"


def test_category_comes_from_the_title_convention_when_no_label_maps(lambda_context, store) -> None:
    # Given a merged PR with no labels and a conventional-commit title "perf: ..."
    payload = payload_of(PR_EVENT)
    payload["pull_request"]["labels"] = []
    payload["pull_request"]["title"] = "perf: cache the webhook secret"

    # When it is delivered, signed
    status, _ = call(delivery(PR_EVENT, payload), lambda_context)

    # Then it is created with the title kept and the performance category read from the "perf:" prefix
    assert status == 201
    achievement = store.get(1)
    assert achievement is not None
    assert (achievement.title, achievement.category) == ("PR #2: perf: cache the webhook secret", "performance")


def test_closed_without_merging_is_acknowledged_and_ignored(lambda_context, moto_tables) -> None:
    # Given GitHub's documented closed-but-not-merged shape
    payload = payload_of(PR_EVENT)
    payload["pull_request"].update(merged=False, merged_at=None, merged_by=None)

    # When it is delivered
    status, body = call(delivery(PR_EVENT, payload), lambda_context)

    # Then it is acknowledged (202) with the reason, and nothing is written
    assert (status, body["status"]) == (202, "ignored")
    assert body["reason"] == "pull request #2 was closed without being merged"
    assert moto_tables.items() == []


@pytest.mark.parametrize("action", ["opened", "synchronize", "labeled", "reopened", "edited"])
def test_other_pull_request_actions_are_ignored(lambda_context, moto_tables, action: str) -> None:
    # Given a pull_request payload whose action is not "closed" (opened, synchronize, ...)
    payload = payload_of(PR_EVENT) | {"action": action}

    # When it is delivered, signed
    status, body = call(delivery(PR_EVENT, payload), lambda_context)

    # Then it is acknowledged with 202 and the reason naming the action, and nothing is written
    assert (status, body["status"]) == (202, "ignored")
    assert body["reason"] == f"pull_request action {action} is not tracked; only merged pull requests are"
    assert moto_tables.items() == []


# ---- releases, ping, other events ----------------------------------------------------------------------


def test_published_release_becomes_an_achievement(lambda_context, store) -> None:
    # Given GitHub's documented release payload (published, empty name), When it is delivered
    status, body = call(load_event(RELEASE_EVENT), lambda_context)

    # Then it is created under the release's id, attributed to its author
    assert (status, body["status"], body["source_ref"]) == (201, "created", "codertocat/hello-world#release/17372790")
    achievement = store.get(body["achievement_id"])
    assert achievement is not None
    assert achievement.title == "Release 0.0.1"
    assert achievement.author == "Codertocat"
    assert achievement.category == "development"
    assert achievement.occurred_at.isoformat() == "2019-05-15T15:20:53+00:00"
    assert achievement.evidence["tag"] == "0.0.1"
    assert achievement.evidence["url"] == "https://github.com/Codertocat/Hello-World/releases/tag/0.0.1"


def test_release_name_joins_the_tag_in_the_title(lambda_context, store) -> None:
    # Given a published release tagged v1.0.0 and named "First stable"
    payload = payload_of(RELEASE_EVENT)
    payload["release"].update(tag_name="v1.0.0", name="First stable")

    # When it is delivered, signed
    status, body = call(delivery(RELEASE_EVENT, payload), lambda_context)

    # Then the achievement's title is "Release <tag>: <name>"
    assert status == 201
    achievement = store.get(body["achievement_id"])
    assert achievement is not None
    assert achievement.title == "Release v1.0.0: First stable"


@pytest.mark.parametrize("action", ["created", "released", "prereleased", "edited", "deleted"])
def test_other_release_actions_are_ignored(lambda_context, moto_tables, action: str) -> None:
    # Given a release payload whose action is not "published" (created, edited, deleted, ...)
    payload = payload_of(RELEASE_EVENT) | {"action": action}

    # When it is delivered, signed
    status, body = call(delivery(RELEASE_EVENT, payload), lambda_context)

    # Then it is acknowledged with 202 "ignored" and nothing is written
    assert (status, body["status"]) == (202, "ignored")
    assert moto_tables.items() == []


def test_ping_answers_200_and_writes_nothing(lambda_context, moto_tables) -> None:
    # Given GitHub's documented ping event, When it is delivered
    status, body = call(load_event(PING_EVENT), lambda_context)

    # Then 200 "pong" echoing the ping's zen line, and nothing is written
    assert (status, body["status"], body["event"]) == (200, "pong", "ping")
    assert body["reason"] == "Anything added dilutes everything else."
    assert moto_tables.items() == []


@pytest.mark.parametrize("event_name", ["push", "issues", "star", "workflow_run", "pull_request_review"])
def test_every_other_event_is_acknowledged_with_202_and_ignored(lambda_context, moto_tables, event_name) -> None:
    # Given a signed delivery of an untracked event (push, issues, star, ...), When it is delivered
    status, body = call(delivery(PING_EVENT, {"action": "created"}, X_GitHub_Event=event_name), lambda_context)

    # Then 202 "ignored" naming the event and the tracked ones, with the delivery id, and nothing is written
    assert status == 202
    assert body == {
        "status": "ignored",
        "reason": f"event {event_name} is not tracked; only pull_request and release are",
        "event": event_name,
        "delivery": "2b7c8f3e-7722-11e9-8f9e-2a86e4085a59",
    }
    assert moto_tables.items() == []


# ---- the raw body is what is signed --------------------------------------------------------------------


def test_base64_encoded_body_is_verified_on_its_raw_bytes(lambda_context) -> None:
    # Given the merged-PR delivery with its body base64-encoded by API Gateway, When it is delivered
    status, body = call(delivery(PR_EVENT, base64_body=True), lambda_context)
    # Then the signature is checked on the decoded bytes and the achievement is created
    assert (status, body["status"]) == (201, "created")


def test_non_ascii_payload_is_verified_on_its_utf8_bytes(lambda_context, store) -> None:
    # Given a merged PR titled with umlauts, ß and an emoji, serialised as raw UTF-8 (not \u escapes) and signed
    payload = payload_of(PR_EVENT)
    payload["pull_request"]["title"] = "feat: Straße für Überweisungen 🚀"
    raw = json.dumps(payload, ensure_ascii=False).encode()

    # When it is delivered
    status, _ = call(delivery(PR_EVENT, raw=raw), lambda_context)

    # Then the signature matches those bytes and the title is stored unchanged
    assert status == 201
    achievement = store.get(1)
    assert achievement is not None
    assert achievement.title == "PR #2: feat: Straße für Überweisungen 🚀"


def test_githubs_documented_test_vector_passes_the_signature_check(
    lambda_context, monkeypatch: pytest.MonkeyPatch, moto_tables
) -> None:
    # Given GitHub's documented secret, payload and signature (the payload is not JSON)
    build_function(moto_tables, None, webhook_secret_id="", webhook_secret=SecretStr("It's a Secret to Everybody"))
    documented = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    event = delivery(PING_EVENT, raw=b"Hello, World!")
    event["headers"]["X-Hub-Signature-256"] = documented

    # When it is delivered, Then the signature is accepted and only the body is refused (400, not 401)
    assert call(event, lambda_context) == (
        400,
        {"message": "request body is not valid JSON: Expecting value: line 1 column 1 (char 0)"},
    )
    # And one digit off, the same request is refused as unsigned
    event["headers"]["X-Hub-Signature-256"] = documented[:-1] + "6"
    assert call(event, lambda_context)[0] == 401
    assert moto_tables.items() == []


# ---- bad input: clear 4xx, nothing written -------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message", "reads_secret"),
    [
        (
            lambda: delivery(PR_EVENT, X_Hub_Signature_256=DROP),
            "missing X-Hub-Signature-256 header: deliveries must be signed with the webhook secret",
            False,
        ),
        (
            lambda: delivery(PR_EVENT, X_Hub_Signature_256="sha1=7d38cdd689735b008b3c702edd92eea23791c5f6"),
            "X-Hub-Signature-256 must be sha256=<64 hex digits>",
            False,
        ),
        (
            lambda: delivery(PR_EVENT, X_Hub_Signature_256="sha256=not-hex"),
            "X-Hub-Signature-256 must be sha256=<64 hex digits>",
            False,
        ),
        (
            lambda: delivery(PR_EVENT, secret="another-secret"),
            "X-Hub-Signature-256 does not match the body: not signed with this webhook's secret",
            True,
        ),
        (
            lambda: load_event(PR_EVENT) | {"headers": None, "multiValueHeaders": None},
            "missing X-Hub-Signature-256 header: deliveries must be signed with the webhook secret",
            False,
        ),
    ],
    ids=["unsigned", "sha1-only", "malformed", "wrong-secret", "no-headers-at-all"],
)
def test_unsigned_or_badly_signed_delivery_is_401_and_nothing_written(
    lambda_context, moto_tables, secret, make, message: str, reads_secret: bool
) -> None:
    # Given a merged-PR delivery without a valid signature
    event = make()

    # When it is delivered
    status, body = call(event, lambda_context)

    # Then 401 naming the header; the secret is fetched only to compare a well-formed signature
    assert (status, body) == (401, {"message": message})
    assert secret.reads == (1 if reads_secret else 0)
    assert moto_tables.items() == []


def test_tampered_body_is_401(lambda_context, moto_tables) -> None:
    # Given a correctly signed delivery whose body is changed in transit
    event = delivery(PR_EVENT)
    event["body"] = event["body"].replace('"additions":1', '"additions":100000')

    # When it is delivered, Then it is refused and nothing is written
    assert call(event, lambda_context)[0] == 401
    assert moto_tables.items() == []


def test_badly_signed_garbage_is_401_not_400_because_the_body_is_never_read(lambda_context, moto_tables) -> None:
    # Given a body that is not JSON, signed with another secret and without an X-GitHub-Event header
    event = delivery(PR_EVENT, raw=b"{not json", secret="another-secret", X_GitHub_Event=DROP)

    # When it is delivered, Then the signature fails first (401) and nothing is written
    assert call(event, lambda_context)[0] == 401
    assert moto_tables.items() == []


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        (lambda: delivery(PR_EVENT, X_GitHub_Event=DROP), 400, "missing X-GitHub-Event header"),
        (lambda: delivery(PR_EVENT, X_GitHub_Delivery=DROP), 400, "missing X-GitHub-Delivery header"),
        (
            lambda: delivery(PR_EVENT, X_GitHub_Event="Pull Request!"),
            400,
            "X-GitHub-Event header must be an event name such as pull_request",
        ),
        (
            lambda: delivery(PR_EVENT, X_GitHub_Delivery="../../etc/passwd"),
            400,
            "X-GitHub-Delivery header must be the delivery's GUID",
        ),
        (
            lambda: delivery(PR_EVENT, Content_Type="application/x-www-form-urlencoded"),
            415,
            "Content-Type must be application/json, not application/x-www-form-urlencoded: "
            "set the webhook's content type to application/json",
        ),
        (lambda: delivery(PR_EVENT, raw=b""), 400, "request body is required"),
        (
            lambda: delivery(PR_EVENT, raw=b"payload=%7B%22action%22%3A%22closed%22%7D"),
            400,
            "request body is not valid JSON: Expecting value: line 1 column 1 (char 0)",
        ),
    ],
    ids=["no-event", "no-delivery", "bad-event", "bad-delivery", "form-encoded", "empty", "not-json"],
)
def test_signed_but_malformed_delivery_is_a_clear_4xx_and_nothing_written(
    lambda_context, moto_tables, make, status: int, message: str
) -> None:
    # Given a correctly signed delivery with a missing/bad header, content type or body
    # When it is delivered, Then the expected 400/415 names the problem, and nothing is written
    assert call(make(), lambda_context) == (status, {"message": message})
    assert moto_tables.items() == []


def test_json_array_body_is_422(lambda_context, moto_tables) -> None:
    # Given a signed body that is a JSON array wrapping the PR payload, When it is delivered
    status, body = call(delivery(PR_EVENT, [payload_of(PR_EVENT)]), lambda_context)

    # Then 422 on "body", saying the payload must be a JSON object, and nothing is written
    assert (status, body["message"]) == (422, "invalid request: body")
    assert body["details"] == [{"loc": ["body"], "type": "model_type", "msg": "the payload must be a JSON object"}]
    assert moto_tables.items() == []


def test_body_of_one_megabyte_is_413_before_the_signature_is_even_checked(lambda_context, moto_tables, secret) -> None:
    # Given a correctly signed merged-PR payload padded to 1 MB
    payload = payload_of(PR_EVENT)
    payload["pull_request"]["body"] = ""
    padding = 1_000_000 - len(json.dumps(payload).encode())
    payload["pull_request"]["body"] = "x" * padding
    raw = json.dumps(payload).encode()
    assert len(raw) == 1_000_000

    # When it is delivered
    status, body = call(delivery(PR_EVENT, raw=raw), lambda_context)

    # Then 413 with the limit, before the secret is fetched or anything written
    assert (status, body) == (413, {"message": "request body is 1000000 bytes; the limit is 524288"})
    assert secret.reads == 0
    assert moto_tables.items() == []


def test_body_within_the_github_limit_but_over_the_json_api_limit_is_accepted(lambda_context) -> None:
    # GitHub payloads outgrow the 64 KiB of the JSON routes: a 200 KB merged PR is a normal delivery
    # Given a signed merged-PR payload whose description is 200,000 characters
    payload = payload_of(PR_EVENT)
    payload["pull_request"]["body"] = "y" * 200_000

    # When it is delivered
    status, body = call(delivery(PR_EVENT, payload), lambda_context)

    # Then it is under the webhook's 512 KiB limit and is created
    assert (status, body["status"]) == (201, "created")


def _without(payload: dict[str, Any], *path: str) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    target = changed
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return changed


def _with(payload: dict[str, Any], value: Any, *path: str) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


PR = payload_of(PR_EVENT)
RELEASE = payload_of(RELEASE_EVENT)


BAD_PAYLOADS = [
    (PR_EVENT, _without(PR, "action"), "action", "Field required"),
    (PR_EVENT, _without(PR, "pull_request"), "pull_request", "Field required"),
    (PR_EVENT, _without(PR, "repository"), "repository", "Field required"),
    (PR_EVENT, _without(PR, "pull_request", "merged_at"), "pull_request.merged_at", "Field required"),
    (PR_EVENT, _without(PR, "pull_request", "title"), "pull_request.title", "Field required"),
    (PR_EVENT, _without(PR, "pull_request", "user"), "pull_request.user", "Field required"),
    (PR_EVENT, _without(PR, "pull_request", "additions"), "pull_request.additions", "Field required"),
    (PR_EVENT, _without(PR, "pull_request", "changed_files"), "pull_request.changed_files", "Field required"),
    (PR_EVENT, _with(PR, "many", "pull_request", "commits"), "pull_request.commits", "valid integer"),
    (PR_EVENT, _with(PR, -1, "pull_request", "deletions"), "pull_request.deletions", "greater than or equal"),
    (PR_EVENT, _with(PR, "yesterday", "pull_request", "merged_at"), "pull_request.merged_at", "datetime"),
    (PR_EVENT, _with(PR, "no-slash", "repository", "full_name"), "repository.full_name", "pattern"),
    # Found by fuzzing: past 64 bits (and DynamoDB's 38 digits) the write failed with a 5xx
    (PR_EVENT, _with(PR, 10**50, "pull_request", "number"), "pull_request.number", "less than or equal"),
    (PR_EVENT, _with(PR, 10**50, "pull_request", "additions"), "pull_request.additions", "less than or equal"),
    (RELEASE_EVENT, _with(RELEASE, 2**63, "release", "id"), "release.id", "less than or equal"),
    (RELEASE_EVENT, _without(RELEASE, "release", "tag_name"), "release.tag_name", "Field required"),
    (RELEASE_EVENT, _without(RELEASE, "release", "author"), "release.author", "Field required"),
    (RELEASE_EVENT, _without(RELEASE, "release", "id"), "release.id", "Field required"),
    (RELEASE_EVENT, _without(RELEASE, "action"), "action", "Field required"),
]


@pytest.mark.parametrize(
    ("name", "payload", "field", "msg"),
    BAD_PAYLOADS,
    ids=[f"{name.split('_')[1]}-{field}-{msg.split()[0].lower()}" for name, _, field, msg in BAD_PAYLOADS],
)
def test_payload_missing_or_mistyped_fields_is_422_naming_them_and_nothing_written(
    lambda_context, moto_tables, name: str, payload: dict[str, Any], field: str, msg: str
) -> None:
    # Given a signed PR or release payload with one field missing, mistyped or out of range, When it is delivered
    status, body = call(delivery(name, payload), lambda_context)

    # Then 422 whose message names the field and whose details give the reason, and nothing is written
    assert status == 422
    assert body["message"] == f"invalid request: {field}"
    assert any(msg in detail["msg"] for detail in body["details"])
    assert moto_tables.items() == []


# ---- the secret ----------------------------------------------------------------------------------------


def test_secret_is_read_once_per_container_not_per_delivery(lambda_context, moto_tables, secrets_client) -> None:
    # Given the function as deployed (the secret cached 5 minutes), counting Secrets Manager calls
    build_function(moto_tables, secrets_client, secret_max_age_seconds=300)
    calls: list[str] = []
    secrets_client.meta.events.register(
        "before-call.secrets-manager.GetSecretValue", lambda **_: calls.append("GetSecretValue")
    )

    # When three deliveries arrive
    for name in (PING_EVENT, PR_EVENT, RELEASE_EVENT):
        assert call(load_event(name), lambda_context)[0] in (200, 201)

    # Then Secrets Manager was asked once (cached for max_age)
    assert calls == ["GetSecretValue"]


def test_secret_id_wins_over_a_local_value(secrets_client) -> None:
    # Given a secret source with both a Secrets Manager id and a local value
    source = SecretSource(os.environ["GITHUB_WEBHOOK_SECRET_ID"], local_value="ignored", client=secrets_client)

    # When it is read, Then the value stored in Secrets Manager is returned, not the local one
    assert source.get() == LOCAL_SECRET.encode()


def test_unreadable_secret_is_503_and_nothing_written(
    lambda_context, monkeypatch: pytest.MonkeyPatch, moto_tables, secrets_client
) -> None:
    # Given the function pointed at a secret that does not exist
    build_function(moto_tables, secrets_client, webhook_secret_id="no-such-secret")

    # When a signed delivery arrives, Then 503 (GitHub shows it failed; redeliver later), nothing written
    assert call(load_event(PR_EVENT), lambda_context) == (
        503,
        {"message": "the secret could not be read from Secrets Manager; retry later"},
    )
    assert moto_tables.items() == []


# ---- routing -------------------------------------------------------------------------------------------


def test_wrong_method_is_4xx(lambda_context, moto_tables) -> None:
    # Given the signed merged-PR delivery sent as GET instead of POST, When it is handled
    status, _ = call(load_event(PR_EVENT) | {"httpMethod": "GET"}, lambda_context)

    # Then the resolver answers 404 or 405 and nothing is written
    assert status in (404, 405)
    assert moto_tables.items() == []


def test_every_github_sample_event_is_signed_with_the_documented_local_secret() -> None:
    # Given each GitHub event file in events/ (merged PR, release, ping)
    for name in (PR_EVENT, RELEASE_EVENT, PING_EVENT):
        event = load_event(name)
        # When its body is signed with the documented local secret
        expected = "sha256=" + hmac.new(LOCAL_SECRET.encode(), event["body"].encode(), hashlib.sha256).hexdigest()
        # Then its X-Hub-Signature-256 is that signature, and it carries no x-api-key header
        assert event["headers"]["X-Hub-Signature-256"] == expected, name
        assert "x-api-key" not in {key.lower() for key in event["headers"]}


def test_delivery_log_answers_the_first_record_when_two_copies_race(moto_tables) -> None:
    # Given a delivery recorded by one instance
    log = DeliveryLog(moto_tables.achievements, client=moto_tables.client)
    first = log.record("github", "d-1", 1, "octo/app#pr/1", "pull_request", "ab" * 32)

    # When a concurrent copy of the same delivery records another id
    second = log.record("github", "d-1", 2, "octo/app#pr/1", "pull_request", "ab" * 32)

    # Then the first record stands and is the answer
    assert second == first
    assert log.find("github", "d-1") == first
    assert second.achievement_id == 1


def test_deeply_nested_json_is_400_not_a_crash(lambda_context, moto_tables) -> None:
    # Given a signed body nesting arrays 100,000 deep (within the size limit)
    event = delivery(PR_EVENT, raw=b"[" * 100_000)

    # When it is delivered, Then it is refused as invalid JSON, nothing written
    status, body = call(event, lambda_context)
    assert status == 400
    assert body["message"].startswith("request body is not valid JSON: maximum recursion depth exceeded")
    assert moto_tables.items() == []


# ---- SPEC §5: an older payload is ignored, whatever its delivery id -------------------------------------------


@pytest.mark.parametrize(
    ("name", "section", "clock", "field"),
    [
        (PR_EVENT, "pull_request", "updated_at", "title"),
        (RELEASE_EVENT, "release", "published_at", "name"),
    ],
)
def test_an_older_payload_with_a_new_delivery_id_is_ignored(
    lambda_context, store, name: str, section: str, clock: str, field: str
) -> None:
    # Given a newer payload stored (changed 2030-01-02, with a new title)
    newer = payload_of(name)
    newer[section][clock] = "2030-01-02T00:00:00Z"
    newer[section][field] = "The newer title"
    assert call(delivery(name, newer, X_GitHub_Delivery="d-newer"), lambda_context)[0] == 201
    kept = store.get(1)
    assert kept is not None
    # When an older payload of the same PR / release is replayed under a fresh (unsigned) delivery id
    older = payload_of(name)
    older[section][clock] = "2030-01-01T00:00:00Z"
    older[section][field] = "The older title"
    status, body = call(delivery(name, older, X_GitHub_Delivery="d-replayed"), lambda_context)
    # Then it is unchanged, says why, and the newer title stays
    assert (status, body["status"], body["achievement_id"]) == (200, "unchanged", 1)
    assert "older than the one stored" in body["reason"]
    stored = store.get(1)
    assert stored is not None
    assert stored.title == kept.title
    assert "The newer title" in stored.title


def test_a_newer_payload_updates_the_pull_request(lambda_context, store) -> None:
    # Given the documented PR stored
    call(load_event(PR_EVENT), lambda_context)
    # When a later payload (updated_at moved on, new title) arrives in another delivery
    later = payload_of(PR_EVENT)
    later["pull_request"]["updated_at"] = "2030-01-01T00:00:00Z"
    later["pull_request"]["title"] = "Renamed later"
    status, body = call(delivery(PR_EVENT, later, X_GitHub_Delivery="d-later"), lambda_context)
    # Then it is updated
    assert (status, body["status"]) == (200, "updated")
    stored = store.get(1)
    assert stored is not None
    assert stored.title == "PR #2: Renamed later"
