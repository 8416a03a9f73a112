"""Prometheus HTTP API client: instant and range queries, run concurrently, each failure named by its kind."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import httpx

CONNECT_TIMEOUT_SECONDS = 2.0
SIGNIFICANT_DIGITS = 12  # drops binary noise (1.2000000000000002 -> 1.2), keeps every meaningful digit


class PrometheusErrorKind(StrEnum):
    UNREACHABLE = "unreachable"  # connection refused, DNS, TLS
    TIMEOUT = "timeout"  # no answer within the timeout
    HTTP_ERROR = "http_error"  # an HTTP error status without Prometheus's error body (proxy, auth)
    QUERY_ERROR = "query_error"  # Prometheus answered {"status": "error", ...}
    BAD_RESPONSE = "bad_response"  # not the API's JSON shape, or a result type the query should not give
    NO_DATA = "no_data"  # no series: the metric is missing or the query matched nothing
    NOT_FINITE = "not_finite"  # NaN or +/-Inf (e.g. a histogram_quantile over no traffic)
    MULTIPLE_SERIES = "multiple_series"  # the query needs an aggregation (sum/avg/max) to give one value


class PrometheusQueryError(Exception):
    def __init__(self, kind: PrometheusErrorKind, message: str) -> None:
        super().__init__(f"{kind.value}: {message}")
        self.kind = kind
        self.message = message


def clean(value: float) -> float:
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def _sample(pair: Any) -> float:
    try:
        return float(pair[1])
    except (TypeError, ValueError, IndexError, KeyError) as error:
        raise PrometheusQueryError(PrometheusErrorKind.BAD_RESPONSE, f"sample {pair!r} is not [time, value]") from error


def _labels(series: list[Any]) -> str:
    shown = [str(item.get("metric", {})) if isinstance(item, dict) else repr(item) for item in series[:3]]
    return ", ".join(shown) + (", ..." if len(series) > 3 else "")


def instant_value(data: Any) -> float:
    """The one finite value of an instant query's `data` (a one-series vector, or a scalar)."""
    if not isinstance(data, dict) or "resultType" not in data or "result" not in data:
        raise PrometheusQueryError(PrometheusErrorKind.BAD_RESPONSE, "answer has no data.resultType/result")
    kind, result = data["resultType"], data["result"]
    if kind == "scalar":
        value = _sample(result)
    elif kind == "vector" and isinstance(result, list):
        if not result:
            raise PrometheusQueryError(
                PrometheusErrorKind.NO_DATA, "the query matched no series (metric missing or no recent samples)"
            )
        if len(result) > 1:
            raise PrometheusQueryError(
                PrometheusErrorKind.MULTIPLE_SERIES,
                f"{len(result)} series ({_labels(result)}); aggregate the query to one value, e.g. sum(...)",
            )
        value = _sample(result[0].get("value") if isinstance(result[0], dict) else None)
    else:
        raise PrometheusQueryError(
            PrometheusErrorKind.BAD_RESPONSE, f"the query gives a {kind}; it must give one instant value"
        )
    if not math.isfinite(value):
        raise PrometheusQueryError(PrometheusErrorKind.NOT_FINITE, f"the value is {value}")
    return clean(value)


def range_values(data: Any) -> list[float]:
    """The values of a range query's one series (none when the metric has no history); may hold NaN."""
    if not isinstance(data, dict) or data.get("resultType") != "matrix" or not isinstance(data.get("result"), list):
        raise PrometheusQueryError(PrometheusErrorKind.BAD_RESPONSE, "a range query must answer a matrix")
    result = data["result"]
    if not result:
        return []
    if len(result) > 1:
        raise PrometheusQueryError(
            PrometheusErrorKind.MULTIPLE_SERIES,
            f"{len(result)} series ({_labels(result)}); aggregate the query to one value, e.g. sum(...)",
        )
    values = result[0].get("values") if isinstance(result[0], dict) else None
    if not isinstance(values, list):
        raise PrometheusQueryError(PrometheusErrorKind.BAD_RESPONSE, "a matrix series has no values")
    return [_sample(pair) for pair in values]


class PrometheusClient:
    """One per container: a pooled httpx client and the threads that run queries side by side."""

    def __init__(
        self,
        base_url: str,
        timeout_seconds: float,
        transport: httpx.BaseTransport | None = None,
        max_concurrency: int = 16,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self.max_concurrency = max_concurrency
        self.http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout_seconds, connect=min(CONNECT_TIMEOUT_SECONDS, timeout_seconds)),
            limits=httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency),
            headers={"Accept": "application/json"},
            transport=transport,
        )
        self.pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="prometheus")

    def _scrubbed(self, error: Exception) -> str:
        """The error's text without the internal URL (it reaches GET /prometheus/status; logs keep the URL)."""
        return str(error).replace(self.base_url, "<prometheus>") or type(error).__name__

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.http.close()

    # ---- one query ---------------------------------------------------------------------------------

    def _data(self, path: str, params: dict[str, str], auth: httpx.Auth | None) -> Any:
        try:
            response = self.http.get(path, params=params, auth=auth)
        except httpx.TimeoutException as error:
            raise PrometheusQueryError(
                PrometheusErrorKind.TIMEOUT, f"no answer from Prometheus within {self.timeout_seconds:g}s"
            ) from error
        except httpx.TransportError as error:
            raise PrometheusQueryError(
                PrometheusErrorKind.UNREACHABLE, f"cannot reach Prometheus: {self._scrubbed(error)}"
            ) from error
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("status") == "error":
            raise PrometheusQueryError(
                PrometheusErrorKind.QUERY_ERROR,
                f"HTTP {response.status_code} {body.get('errorType', 'error')}: {body.get('error', '')}".strip(),
            )
        if response.status_code >= 400:
            raise PrometheusQueryError(
                PrometheusErrorKind.HTTP_ERROR, f"HTTP {response.status_code}: {response.text[:200].strip()}"
            )
        if not isinstance(body, dict) or body.get("status") != "success":
            raise PrometheusQueryError(
                PrometheusErrorKind.BAD_RESPONSE, f"not a Prometheus API answer: {response.text[:200].strip()!r}"
            )
        return body.get("data")

    def instant(self, query: str, at: datetime, auth: httpx.Auth | None = None) -> float:
        """`/api/v1/query` at `at`: the one finite value the query gives."""
        return instant_value(self._data("/api/v1/query", {"query": query, "time": f"{at.timestamp():.3f}"}, auth))

    def history(
        self, query: str, start: datetime, end: datetime, step: timedelta, auth: httpx.Auth | None = None
    ) -> list[float]:
        """`/api/v1/query_range` from `start` to `end`: the query's values, oldest first."""
        params = {
            "query": query,
            "start": f"{start.timestamp():.3f}",
            "end": f"{end.timestamp():.3f}",
            "step": f"{int(step.total_seconds())}s",
        }
        return range_values(self._data("/api/v1/query_range", params, auth))

    # ---- many at once ------------------------------------------------------------------------------

    def gather[K, T](self, calls: Mapping[K, Callable[[], T]]) -> dict[K, T | PrometheusQueryError]:
        """Run every call concurrently; each key gets its result or its error, within one overall deadline."""
        futures: dict[K, Future[T]] = {key: self.pool.submit(call) for key, call in calls.items()}
        # Each request is bounded by the client's timeouts; the deadline also bounds a server that drips bytes.
        # More calls than threads run in waves, each wave getting a request's full budget.
        waves = max(1, math.ceil(len(futures) / self.max_concurrency))
        deadline = time.monotonic() + waves * (self.timeout_seconds + CONNECT_TIMEOUT_SECONDS) + 1
        wait(futures.values(), timeout=max(0.0, deadline - time.monotonic()))
        results: dict[K, T | PrometheusQueryError] = {}
        for key, future in futures.items():
            if not future.done():
                future.cancel()
                results[key] = PrometheusQueryError(
                    PrometheusErrorKind.TIMEOUT, f"no answer from Prometheus within {self.timeout_seconds:g}s"
                )
                continue
            error = future.exception()
            if error is None:
                results[key] = future.result()
            elif isinstance(error, PrometheusQueryError):
                results[key] = error
            else:
                raise error
        return results
