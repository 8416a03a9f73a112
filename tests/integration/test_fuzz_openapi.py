"""Fuzzing: schemathesis sends requests generated from shared/openapi.json to the local stack.

Every operation of the document, with the API key: valid requests and requests broken on purpose (wrong
types, missing fields, out-of-range values, undeclared methods, no credentials). Each answer must be
documented: no 5xx, a status code, content type, headers and body the document declares for the
operation, and an invalid request refused with a 4xx. The GitHub webhook takes no API key but a signature,
so its deliveries are also generated here (GitHub's events varied or broken, arbitrary JSON, text, bytes)
and signed with the local stack's webhook secret: its body parsing is fuzzed, not only its 401.

Bounded and reproducible: derandomized Hypothesis, at most MAX_EXAMPLES generated requests per operation
(plus schemathesis' explicit examples and coverage cases), no shrinking. The run prints its figures.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from achievements.insights.cursor import filters_hash
from achievements.insights.models import ListFilters
from devstack.aws_services import secret_value
from devstack.dynamodb_local import free_port
from devstack.openapi import OUTPUT
from devstack.stack import LocalStack
from tests.conftest import load_event

pytestmark = pytest.mark.integration
KEY = "fuzz-test-key"
MAX_EXAMPLES = 40
GITHUB_EXAMPLES = 120  # signed deliveries: the only requests that reach the webhook's body parsing
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found, in bounded time
    suppress_health_check=list(HealthCheck),
)
# A request refused for its size (413) is refused too; schemathesis' default list lacks 413.
REJECTED = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "negative_data_rejection": {"expected-statuses": REJECTED},
            # The schemas cannot express the rules checked in code (a cursor must come from a previous page,
            # from <= to, an unknown metric needs a direction, strict ints refuse 1.0 which JSON Schema calls an
            # integer): those answers are documented 4xx, which status_code_conformance checks.
            "positive_data_acceptance": {"enabled": False},
            # A method the template does not declare is answered by API Gateway (403 in AWS), never by code.
            "unsupported_method": {"enabled": False},
        }
    }
)
schema = schemathesis.openapi.from_path(OUTPUT, config=CONFIG)
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


class Tally:
    """What the run did, printed at the end of the module: the figure the README quotes."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.signed = 0
        self.started = time.monotonic()

    def answered(self, operation: str, status: int, signed: bool = False) -> None:
        self.requests[operation] += 1
        self.statuses[f"{status // 100}xx"] += 1
        self.signed += signed

    def summary(self) -> str:
        operations = set(self.requests) | set(self.failures)
        examples = sum(self.requests.values()) + sum(self.failures.values())
        statuses = ", ".join(f"{name} {count}" for name, count in sorted(self.statuses.items()))
        return (
            f"schemathesis fuzz: {len(operations)} operations, {examples} examples sent "
            f"({self.signed} signed GitHub deliveries); answers {statuses}; "
            f"{sum(self.failures.values())} failures; {time.monotonic() - self.started:.0f} s"
        )


TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def report_figures(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(TALLY.summary())


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    # Prometheus and the threads-adaptor on loopback ports nothing listens on: every scrape and sync reports
    # them unreachable, at once.
    nowhere = {
        "PrometheusUrl": f"http://127.0.0.1:{free_port()}",
        "ThreadsAdaptorUrl": f"http://127.0.0.1:{free_port()}",
    }
    with LocalStack(port=0, admin_token=KEY, quiet=True, parameter_overrides=nowhere) as running:
        yield running


@pytest.fixture(scope="module")
def base_url(stack: LocalStack) -> str:
    assert stack.gateway is not None
    return f"{stack.gateway.url}/{stack.gateway.stage}"  # the document's server is the stage URL


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http


def send(case: schemathesis.Case, base_url: str, session: requests.Session, **kwargs: Any) -> None:
    try:
        response = case.call_and_validate(base_url=base_url, session=session, timeout=60, **kwargs)
    except BaseException:  # schemathesis reports failures as a BaseExceptionGroup
        TALLY.failures[case.operation.label] += 1
        raise
    TALLY.answered(case.operation.label, response.status_code)


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_answers_only_as_documented(
    case: schemathesis.Case, base_url: str, session: requests.Session
) -> None:
    # Given a request generated from the operation's documentation: valid, or invalid on purpose
    # When it reaches the local stack with the API key
    # Then every check holds: no 5xx, a documented status / content type / headers / body, bad input refused
    send(case, base_url, session, headers={"Authorization": f"Bearer {KEY}"})


# ---- signed GitHub deliveries ----------------------------------------------------------------------------

JSON = "application/json"
SAMPLES = {
    event: json.loads(load_event(name)["body"])
    for event, name in (
        ("ping", "github_ping.json"),
        ("pull_request", "github_pull_request_merged.json"),
        ("release", "github_release_published.json"),
    )
}
json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def _key_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield (*prefix, key)
        yield from _key_paths(child, (*prefix, key))


@st.composite
def mutated(draw: st.DrawFn, payload: dict[str, Any]) -> dict[str, Any]:
    """GitHub's payload with up to four fields replaced by arbitrary JSON or removed."""
    result = copy.deepcopy(payload)
    for path in draw(st.lists(st.sampled_from(list(_key_paths(payload))), max_size=4, unique=True)):
        removed = draw(st.booleans())
        try:
            parent: Any = result
            for key in path[:-1]:
                parent = parent[key]
            if removed:
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced this field's parent
    return result


@st.composite
def varied(draw: st.DrawFn, event: str) -> dict[str, Any]:
    """GitHub's sample as another pull request or release: any number, id, title, name, body, labels, counts."""
    payload = copy.deepcopy(SAMPLES.get(event, SAMPLES["ping"]))
    counts = st.integers(min_value=0, max_value=2**64)
    if event == "pull_request":
        payload["pull_request"] |= {
            "number": draw(st.integers(min_value=1, max_value=2**64)),
            "title": draw(st.text(min_size=1, max_size=1100)),
            "body": draw(st.none() | st.text(max_size=5000)),
            "labels": draw(st.lists(st.fixed_dictionaries({"name": st.text(max_size=101)}), max_size=101)),
            **{name: draw(counts) for name in ("commits", "additions", "deletions", "changed_files")},
        }
    elif event == "release":
        payload["release"] |= {
            "id": draw(st.integers(min_value=1, max_value=2**64)),
            "tag_name": draw(st.text(min_size=1, max_size=260)),
            "name": draw(st.none() | st.text(max_size=1100)),
            "body": draw(st.none() | st.text(max_size=5000)),
        }
    return payload


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[dict[str, str], bytes]:
    """(headers, body) of a delivery: mostly a mutated GitHub event, else any JSON, text or bytes; mostly signed."""
    event = draw(st.sampled_from(sorted(SAMPLES)) | st.from_regex(r"[a-z][a-z_]{0,20}", fullmatch=True))
    body = draw(
        st.one_of(
            varied(event).map(lambda payload: json.dumps(payload).encode()),
            mutated(SAMPLES.get(event, SAMPLES["ping"])).map(lambda payload: json.dumps(payload).encode()),
            json_values.map(lambda value: json.dumps(value).encode()),
            st.text(max_size=64).map(str.encode) | st.binary(max_size=64),
        )
    )
    headers = {
        "X-GitHub-Event": event,
        "Content-Type": draw(st.sampled_from([JSON, JSON, JSON, f"{JSON}; charset=utf-8", "text/plain"])),
        "X-Hub-Signature-256": "sha256="
        + hmac.new(secret_value("GitHubWebhookSecret", {}).encode(), body, hashlib.sha256).hexdigest(),
    }
    if draw(st.integers(0, 9)) == 9:  # now and then signed with another secret (Hypothesis favours 0)
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(b"another", body, hashlib.sha256).hexdigest()
    return headers, body


GITHUB_WEBHOOK = schema["/github/webhook"]["POST"]


@settings(FUZZ_SETTINGS, max_examples=GITHUB_EXAMPLES)
@given(delivery=deliveries())
def test_signed_github_deliveries_answer_only_as_documented(
    base_url: str, session: requests.Session, delivery: tuple[dict[str, str], bytes]
) -> None:
    # Given a delivery signed with the local webhook secret: GitHub's events with fields broken, or junk,
    # under a fresh delivery id (a repeated one is answered "duplicate" before its body is read)
    headers, body = delivery
    headers = headers | {"X-GitHub-Delivery": str(uuid.uuid4())}
    case = GITHUB_WEBHOOK.Case()

    # When GitHub would post it (no API key)
    response = session.post(f"{base_url}/github/webhook", data=body, headers=headers, timeout=60)

    # Then the answer is one the document declares for the route, never a 5xx
    try:
        case.validate_response(response, checks=CONFORMANCE)
    except BaseException:  # schemathesis reports failures as a BaseExceptionGroup
        TALLY.failures[GITHUB_WEBHOOK.label] += 1
        raise
    TALLY.answered(GITHUB_WEBHOOK.label, response.status_code, signed=True)


# ---- what fuzzing found in the local gateway, kept as plain regressions ----------------------------------


@pytest.mark.parametrize("method", ["TRACE", "QUERY"])
def test_undeclared_method_is_the_gateways_404_not_a_501(base_url: str, session: requests.Session, method: str) -> None:
    # Given a method http.server has no handler for
    # When it reaches the local gateway on a declared path
    answer = session.request(
        method, f"{base_url}/threads/track", headers={"Authorization": f"Bearer {KEY}"}, timeout=60
    )

    # Then the router answers it, as for any route the template does not declare
    assert (answer.status_code, answer.json()) == (404, {"message": f"no route {method} /threads/track"})


def test_json_body_that_is_not_utf8_is_400_not_a_dropped_connection(base_url: str, session: requests.Session) -> None:
    # Given a body declared as JSON whose bytes are not UTF-8
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": JSON}

    # When it is posted
    answer = session.post(f"{base_url}/threads/track", data=b"\xff\xfe{", headers=headers, timeout=60)

    # Then the function gets it (undecodable bytes as U+FFFD) and refuses it as not JSON
    assert answer.status_code == 400
    assert answer.json()["message"] == "request body is not valid JSON"


# ---- hostile shapes (issue 12): small bodies and parameters that once answered 5xx -----------------------
#
# schemathesis generates from the schemas, which cannot describe these: JSON nested thousands deep, integers of
# thousands of digits, date-times valid as text but out of range in UTC, ids in other spellings, cursors our
# key signed but holding nonsense, text with invisible characters. Each is generated here, sent to the local
# stack and checked with the same conformance checks (no 5xx, only documented answers).

JSON_BODY_OPERATIONS = {
    "/threads/track": json.loads(load_event("threads_track.json")["body"]),
    "/kpi/milestones": {"metric_name": "uptime", "value": 0.9995, "target": 0.999},
    "/prometheus/scrape": {"metrics": ["uptime"]},
}
EDGE_DATE = st.sampled_from(["0001-01-01", "9999-12-31"]).flatmap(
    lambda day: st.builds(
        lambda hour, sign, offset: f"{day}T{hour:02d}:00:00{sign}{offset:02d}:59",
        st.integers(0, 23),
        st.sampled_from("+-"),
        st.integers(0, 23),
    )
)
INVISIBLE = st.text(alphabet=st.sampled_from("\x00\x1b\u202e\u2066\u200f\U000e0041\U000e007f a"), max_size=20)


@st.composite
def hostile_body(draw: st.DrawFn, sample: dict[str, Any]) -> str:
    """The operation's sample body with one field made hostile: nested deep, a huge integer, an edge date, or
    invisible characters (raw JSON text: json.dumps refuses integers past 4,300 digits)."""
    field = draw(st.sampled_from([*sample, "posted_at", "occurred_at"]))
    shape = draw(st.sampled_from(["nested", "digits", "date", "invisible"]))
    if shape == "nested":
        depth = draw(st.integers(33, 20_000))
        value = "[" * depth + "]" * depth
    elif shape == "digits":
        value = draw(st.sampled_from(["", "-"])) + "9" * draw(st.integers(31, 30_000))
    elif shape == "date":
        value = json.dumps(draw(EDGE_DATE))
    else:
        value = json.dumps(draw(INVISIBLE) + "hook")
    others = {key: item for key, item in sample.items() if key != field}
    return json.dumps(others)[:-1] + (", " if others else "") + f"{json.dumps(field)}: {value}}}"


HOSTILE_EXAMPLES = 60


@pytest.mark.parametrize("path", sorted(JSON_BODY_OPERATIONS))
@settings(FUZZ_SETTINGS, max_examples=HOSTILE_EXAMPLES)
@given(data=st.data())
def test_hostile_bodies_answer_only_as_documented(
    base_url: str, session: requests.Session, path: str, data: st.DataObject
) -> None:
    # Given the route's sample body with one field nested deep, a huge integer, an edge date or invisible text
    body = data.draw(hostile_body(JSON_BODY_OPERATIONS[path]))
    operation = schema[path]["POST"]
    # When it is posted with a token
    response = session.post(
        f"{base_url}{path}",
        data=body.encode(),
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": JSON},
        timeout=60,
    )
    # Then a documented answer, never a 5xx; and a refused shape is a 4xx with a message
    try:
        operation.Case().validate_response(response, checks=CONFORMANCE)
    except BaseException:
        TALLY.failures[operation.label] += 1
        raise
    TALLY.answered(operation.label, response.status_code)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.json()["message"]


def _signed_cursor(body: Any) -> str:
    import base64

    from achievements.insights.cursor import CursorCodec

    key = secret_value("CursorSigningSecret", {}).encode()
    codec = CursorCodec(lambda: key, 60)
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{payload}.{base64.urlsafe_b64encode(codec._sign(payload)).rstrip(b'=').decode()}"


DEFAULT_FILTERS = filters_hash(ListFilters())
position_values = st.one_of(
    st.just("ACHIEVEMENT#1"), st.just("REF#github#x"), st.just("AGGREGATE"), st.text(max_size=40)
)
cursor_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "v": st.just(1) | json_values,
            "k": st.dictionaries(
                st.sampled_from(["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"]), position_values, max_size=4
            )
            | json_values,
            # Mostly the hash of the default listing's filters, so the position itself is what gets checked
            "f": st.just(DEFAULT_FILTERS) | st.text(max_size=32),
            "x": st.integers(min_value=-(10**40), max_value=10**40) | json_values,
        }
    ),
)


@st.composite
def hostile_parameters(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """(path, query) of a read: ids in other spellings, edge-date bounds, signed cursors holding nonsense."""
    kind = draw(st.sampled_from(["id", "deep", "bounds", "cursor"]))
    spelling = st.sampled_from(["01", "+1", "1_000", " 1", "1e3", "0x1", "\uff11"])
    if kind == "id":
        return f"/achievements/{draw(spelling)}", {}
    if kind == "deep":
        return f"/analyze/deep/{draw(spelling)}", {}
    if kind == "bounds":
        return "/achievements", {draw(st.sampled_from(["from", "to"])): draw(EDGE_DATE)}
    return "/achievements", {"cursor": _signed_cursor(draw(cursor_bodies))}


@settings(FUZZ_SETTINGS, max_examples=HOSTILE_EXAMPLES * 2)
@given(request=hostile_parameters())
def test_hostile_parameters_answer_only_as_documented(
    base_url: str, session: requests.Session, request: tuple[str, dict[str, str]]
) -> None:
    # Given an id, bound or signed cursor the schemas cannot describe as wrong
    path, query = request
    name = "achievement_id" if path.startswith("/achievements/") else "id"
    template = path if path == "/achievements" else path.rsplit("/", 1)[0] + "/{" + name + "}"
    operation = schema[template]["GET"]
    parameters = {} if path == "/achievements" else {name: "1"}
    # When it is asked for with the API key
    response = session.get(f"{base_url}{path}", params=query, headers={"Authorization": f"Bearer {KEY}"}, timeout=60)
    # Then a documented answer, never a 5xx: a 4xx for an id or cursor
    try:
        operation.Case(path_parameters=parameters).validate_response(response, checks=CONFORMANCE)
    except BaseException:
        TALLY.failures[operation.label] += 1
        raise
    TALLY.answered(operation.label, response.status_code)
    assert response.status_code < 500
    if path != "/achievements" or "cursor" in query:  # an edge-date bound may still be a date in UTC: answered
        assert response.status_code >= 400
