"""The Prometheus client through httpx.MockTransport: answers, every kind of failure, auth, concurrency."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from achievements.core.http_auth import BearerAuth, auth_from_secret
from achievements.prometheus.client import PrometheusClient, PrometheusErrorKind, PrometheusQueryError

AT = datetime(2025, 1, 25, 16, 30, tzinfo=UTC)
Handler = Callable[[httpx.Request], httpx.Response]


def vector(*values: str) -> dict:
    result = [{"metric": {"instance": f"i{n}"}, "value": [1737822600, v]} for n, v in enumerate(values)]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


@pytest.fixture
def client_for() -> Iterator[Callable[[Handler], PrometheusClient]]:
    made: list[PrometheusClient] = []

    def make(handler: Handler, timeout: float = 5.0) -> PrometheusClient:
        client = PrometheusClient("http://prometheus:9090/prom/", timeout, transport=httpx.MockTransport(handler))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def failure(client: PrometheusClient) -> PrometheusQueryError:
    with pytest.raises(PrometheusQueryError) as raised:
        client.instant("up", AT)
    return raised.value


def test_instant_query_sends_query_and_time_under_the_base_path_and_reads_the_value(client_for) -> None:
    # Given a Prometheus that records each request and answers one series with a float-noisy 1.2
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=vector("1.2000000000000002"))

    # When an instant query runs at AT
    value = client_for(handler).instant("avg(x)", AT)

    # Then the value is rounded to 1.2
    assert value == 1.2
    # And the query and time went to /api/v1/query under the base path, with no authorization header
    assert seen[0].url.path == "/prom/api/v1/query"
    assert seen[0].url.params["query"] == "avg(x)"
    assert seen[0].url.params["time"] == "1737822600.000"
    assert "authorization" not in seen[0].headers


def test_scalar_results_are_values_too(client_for) -> None:
    # Given a scalar result of "42", When an instant query runs, Then the value is 42.0
    body = {"status": "success", "data": {"resultType": "scalar", "result": [1737822600, "42"]}}
    assert client_for(lambda _: httpx.Response(200, json=body)).instant("scalar(x)", AT) == 42.0


@pytest.mark.parametrize(
    ("response", "kind", "fragment"),
    [
        (httpx.Response(200, json=vector()), PrometheusErrorKind.NO_DATA, "matched no series"),
        (httpx.Response(200, json=vector("NaN")), PrometheusErrorKind.NOT_FINITE, "nan"),
        (httpx.Response(200, json=vector("+Inf")), PrometheusErrorKind.NOT_FINITE, "inf"),
        (httpx.Response(200, json=vector("-Inf")), PrometheusErrorKind.NOT_FINITE, "inf"),
        (httpx.Response(200, json=vector("1", "2")), PrometheusErrorKind.MULTIPLE_SERIES, "aggregate"),
        (httpx.Response(200, json=vector("high")), PrometheusErrorKind.BAD_RESPONSE, "not [time, value]"),
        (
            httpx.Response(400, json={"status": "error", "errorType": "bad_data", "error": "parse error at char 4"}),
            PrometheusErrorKind.QUERY_ERROR,
            "HTTP 400 bad_data: parse error at char 4",
        ),
        (
            httpx.Response(503, json={"status": "error", "errorType": "timeout", "error": "query timed out"}),
            PrometheusErrorKind.QUERY_ERROR,
            "timeout: query timed out",
        ),
        (httpx.Response(502, text="<html>Bad Gateway</html>"), PrometheusErrorKind.HTTP_ERROR, "HTTP 502"),
        (httpx.Response(401, text="Unauthorized"), PrometheusErrorKind.HTTP_ERROR, "HTTP 401: Unauthorized"),
        (httpx.Response(200, text="<html>login</html>"), PrometheusErrorKind.BAD_RESPONSE, "not a Prometheus"),
        (
            httpx.Response(200, json={"status": "success", "data": {"resultType": "matrix", "result": []}}),
            PrometheusErrorKind.BAD_RESPONSE,
            "gives a matrix",
        ),
        (httpx.Response(200, json={"status": "success"}), PrometheusErrorKind.BAD_RESPONSE, "no data"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_bad_answer_is_a_named_failure(client_for, response: httpx.Response, kind, fragment: str) -> None:
    # Given a Prometheus answering badly, When an instant query runs, Then it fails with the named kind and reason
    error = failure(client_for(lambda _: response))
    assert error.kind is kind
    assert fragment.lower() in error.message.lower()


def test_connection_refused_is_unreachable(client_for) -> None:
    # Given a Prometheus that refuses the connection
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    # When an instant query runs
    error = failure(client_for(refuse))

    # Then it fails as unreachable, naming the base URL
    assert error.kind is PrometheusErrorKind.UNREACHABLE
    # the internal URL never reaches an answer (GET /prometheus/status shows these messages)
    assert error.message == "cannot reach Prometheus: Connection refused"
    assert "prometheus:9090" not in error.message


def test_a_read_timeout_is_a_timeout(client_for) -> None:
    # Given a Prometheus that never answers within the client's 2.5 s timeout
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    # When an instant query runs
    error = failure(client_for(slow, timeout=2.5))

    # Then it fails as a timeout, naming the base URL and the timeout
    assert (error.kind, error.message) == (
        PrometheusErrorKind.TIMEOUT,
        "no answer from Prometheus within 2.5s",
    )


def test_range_query_sends_the_window_and_returns_the_series_values(client_for) -> None:
    # Given a Prometheus answering one series of three points over a range, one of them NaN
    seen: list[httpx.Request] = []
    body = {
        "status": "success",
        "data": {"resultType": "matrix", "result": [{"metric": {}, "values": [[1, "0.5"], [2, "NaN"], [3, "0.7"]]}]},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=body)

    # When an hour of history is queried at one-minute steps
    values = client_for(handler).history("avg(x)", AT - timedelta(hours=1), AT, timedelta(minutes=1))

    # Then the values come back in order, with the NaN kept
    assert (values[0], values[2]) == (0.5, 0.7)
    assert math.isnan(values[1])  # NaN kept: the threshold rule drops it
    # And start, end and step went to /api/v1/query_range under the base path
    params = seen[0].url.params
    assert seen[0].url.path == "/prom/api/v1/query_range"
    assert (params["start"], params["end"], params["step"]) == ("1737819000.000", "1737822600.000", "60s")


def test_range_query_without_history_is_empty_and_with_many_series_fails(client_for) -> None:
    # Given an empty matrix, When history is queried, Then there are no values
    empty = {"status": "success", "data": {"resultType": "matrix", "result": []}}
    assert client_for(lambda _: httpx.Response(200, json=empty)).history("x", AT, AT, timedelta(minutes=1)) == []

    # Given a matrix of two series, When history is queried, Then it fails as multiple series
    many = {"status": "success", "data": {"resultType": "matrix", "result": [{"values": []}, {"values": []}]}}
    with pytest.raises(PrometheusQueryError) as raised:
        client_for(lambda _: httpx.Response(200, json=many)).history("x", AT, AT, timedelta(minutes=1))
    assert raised.value.kind is PrometheusErrorKind.MULTIPLE_SERIES


def test_bearer_and_basic_auth_are_sent(client_for) -> None:
    # Given a Prometheus that records each request's authorization header
    headers: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        headers.append(request.headers.get("authorization", ""))
        return httpx.Response(200, json=vector("1"))

    # When one query is sent with bearer auth and one with basic auth
    client = client_for(handler)
    client.instant("up", AT, auth=BearerAuth("t0ken"))
    client.instant("up", AT, auth=httpx.BasicAuth("grafana", "s3cret"))

    # Then each carried its header: the bearer token, and base64 of user:password
    assert headers == ["Bearer t0ken", "Basic Z3JhZmFuYTpzM2NyZXQ="]


def test_gather_runs_every_query_at_the_same_time(client_for) -> None:
    # Given a Prometheus that answers only once all 8 queries are in flight together (sequential would break it)
    barrier = threading.Barrier(8, timeout=10)

    def handler(request: httpx.Request) -> httpx.Response:
        barrier.wait()
        return httpx.Response(200, json=vector(request.url.params["query"]))

    client = client_for(handler)

    # When 8 queries are gathered
    results = client.gather({n: (lambda n=n: client.instant(str(n), AT)) for n in range(8)})

    # Then every one answered (none timed out waiting for the others)
    assert results == {n: float(n) for n in range(8)}


def test_gather_runs_more_queries_than_threads_in_waves() -> None:
    # Given 2 threads and 5 queries (e.g. many metrics added by overrides)
    client = PrometheusClient(
        "http://prometheus:9090",
        2.0,
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=vector("1"))),
        max_concurrency=2,
    )
    try:
        # When the five queries are gathered
        results = client.gather({n: (lambda: client.instant("up", AT)) for n in range(5)})
    finally:
        client.close()

    # Then every one answered
    assert results == dict.fromkeys(range(5), 1.0)


def test_gather_reports_each_failure_under_its_key_and_keeps_the_others(client_for) -> None:
    # Given a Prometheus with data for "present" but none for "missing"
    def handler(request: httpx.Request) -> httpx.Response:
        query = request.url.params["query"]
        return httpx.Response(200, json=vector() if query == "missing" else vector("3"))

    # When both queries are gathered
    client = client_for(handler)
    results = client.gather({q: (lambda q=q: client.instant(q, AT)) for q in ("present", "missing")})

    # Then "present" has its value and "missing" holds its NO_DATA error, without failing the other
    assert results["present"] == 3.0
    missing = results["missing"]
    assert isinstance(missing, PrometheusQueryError)
    assert missing.kind is PrometheusErrorKind.NO_DATA


def test_gather_gives_up_on_a_query_past_its_deadline(client_for) -> None:
    # Given a transport that never answers (MockTransport ignores httpx timeouts: only the deadline helps)
    release = threading.Event()

    def stuck(request: httpx.Request) -> httpx.Response:
        release.wait(30)
        return httpx.Response(200, json=vector("1"))

    # When the query is gathered with a 0.1 s timeout
    client = client_for(stuck, timeout=0.1)
    try:
        results = client.gather({"stuck": lambda: client.instant("up", AT)})
    finally:
        release.set()

    # Then it comes back as a timeout error instead of hanging
    error = results["stuck"]
    assert isinstance(error, PrometheusQueryError)
    assert error.kind is PrometheusErrorKind.TIMEOUT


@pytest.mark.parametrize(
    ("secret", "header"),
    [
        ('{"bearer_token": "abc"}', "Bearer abc"),
        ("abc", "Bearer abc"),
        (b'{"username": "u", "password": "p"}', "Basic dTpw"),
    ],
)
def test_auth_is_read_from_the_secret_value(secret, header: str) -> None:
    # Given a secret as JSON with a token, a bare token, or JSON with username and password
    auth = auth_from_secret(secret)
    assert auth is not None

    # When the auth it gives signs a request, Then the authorization header is bearer or basic accordingly
    request = httpx.Request("GET", "http://p/")
    assert next(auth.sync_auth_flow(request)).headers["authorization"] == header


def test_an_empty_object_secret_means_no_auth() -> None:
    # When the secret is an empty JSON object, Then there is no auth
    assert auth_from_secret("{}") is None


@pytest.mark.parametrize(
    "secret",
    [
        "",
        '{"bearer_token": SEKRIT',
        '{"bearer_token": "SEKRIT", "password": "SEKRIT"}',
        '{"username": "SEKRIT"}',
        '{"bearer_token": 12345}',
    ],
)
def test_unusable_secrets_are_refused_without_quoting_them(secret: str) -> None:
    # Given an empty, malformed, ambiguous, incomplete or mistyped secret, When it is read
    with pytest.raises(ValueError, match="secret") as raised:
        auth_from_secret(secret)

    # Then it is refused as a secret error that does not quote the secret's content
    assert "SEKRIT" not in str(raised.value)
    assert "12345" not in str(raised.value)
