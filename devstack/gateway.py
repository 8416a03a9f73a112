"""A local API Gateway (REST, proxy integration) serving template.yaml's routes on loopback.

Events have the shape `sam local start-api` gives; the API key is enforced on routes that require it, and a
route behind a Lambda authorizer runs it as API Gateway does (devstack/authorizer.py), cache included.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devstack.authorizer import LocalAuthorizer
from devstack.functions import InvocationError
from devstack.loopback import BodyError, LoopbackServer, read_body
from devstack.template import Route

API_GATEWAY_MAX_BODY = 10 * 1024 * 1024
TEXT_TYPES = ("application/json", "text/", "application/xml", "application/x-www-form-urlencoded")


@dataclass(frozen=True)
class CompiledRoute:
    route: Route
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, route: Route) -> CompiledRoute:
        regex = ""
        for part in re.split(r"(\{[^}]+\})", route.path):
            if part.startswith("{") and part.endswith("+}"):
                regex += f"(?P<{part[1:-2]}>.+)"
            elif part.startswith("{"):
                regex += f"(?P<{part[1:-1]}>[^/]+)"
            else:
                regex += re.escape(part)
        return cls(route, re.compile(f"^{regex}$"))


def build_event(
    route: Route,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    params: dict[str, str],
    stage: str,
    source_ip: str,
) -> dict[str, Any]:
    """An API Gateway REST proxy event, as API Gateway (and `sam local start-api`) sends it."""
    multi_query = parse_qs(query, keep_blank_values=True)
    content_type = headers.get("Content-Type", headers.get("content-type", ""))
    is_text = not body or any(content_type.startswith(t) for t in TEXT_TYPES)
    request_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": method,
        "headers": headers or None,
        "multiValueHeaders": {key: [value] for key, value in headers.items()} or None,
        "queryStringParameters": {key: values[-1] for key, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "protocol": "HTTP/1.1",
            "accountId": "000000000000",
            "apiId": "local",
            "identity": {
                "sourceIp": source_ip,
                "userAgent": headers.get("User-Agent"),
                "apiKey": headers.get("x-api-key"),
            },
        },
        # Bytes that are not UTF-8 in a text body reach the function as U+FFFD, never as a failed request.
        "body": (body.decode(errors="replace") if is_text else base64.b64encode(body).decode()) if body else None,
        "isBase64Encoded": bool(body) and not is_text,
    }


Invoker = Callable[[str, dict[str, Any]], Any]


class LocalApiGateway:
    """Routes HTTP requests to local functions; answers like API Gateway for keys, routes and errors."""

    def __init__(
        self,
        routes: list[Route],
        invoke: Invoker,
        api_key: str,
        stage: str = "Prod",
        host: str = "127.0.0.1",
        port: int = 3000,
        quiet: bool = False,
        authorizers: dict[tuple[str, str], LocalAuthorizer] | None = None,
    ) -> None:
        self.routes = [CompiledRoute.of(route) for route in routes]
        self.authorizers = authorizers or {}  # (api, authorizer name) -> the authorizer
        self.invoke = invoke
        self.api_key = api_key
        self.stage = stage
        self.quiet = quiet
        self.server = LoopbackServer((host, port), self._handler_class())
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for compiled in self.routes:
            if compiled.route.method not in (method, "ANY"):
                continue
            found = compiled.pattern.match(path)
            if found:
                return compiled.route, found.groupdict()
        return None

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, str], bytes]:
        split = urlsplit(raw_path)
        path = split.path
        if path.startswith(f"/{self.stage}/"):
            path = path[len(self.stage) + 1 :]
        matched = self.match(method, path)
        if matched is None:
            return _json(HTTPStatus.NOT_FOUND, {"message": f"no route {method} {path}"})
        route, params = matched
        lowered = {key.lower(): value for key, value in headers.items()}
        authorizer = self.authorizers.get((route.api or "", route.authorizer or ""))
        if authorizer is None and route.api_key_required and lowered.get("x-api-key") != self.api_key:
            return _json(HTTPStatus.FORBIDDEN, {"message": "missing or invalid x-api-key header"})
        if len(body) > API_GATEWAY_MAX_BODY:
            return _json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"message": "request body over 10 MB"})
        event = build_event(route, method, path, split.query, headers, body, params, self.stage, source_ip)
        if authorizer is not None:
            context = event["requestContext"]
            method_arn = (
                f"arn:aws:execute-api:us-east-1:{context['accountId']}:{context['apiId']}/{self.stage}/{method}{path}"
            )
            verdict = authorizer.authorize(event, method_arn)
            if verdict.status is not None:
                return _json(verdict.status, {"message": verdict.message})
            context["authorizer"] = verdict.context
            context["identity"]["apiKey"] = verdict.usage_key
        try:
            result = self.invoke(route.function, event)
        except InvocationError as error:
            return _json(HTTPStatus.BAD_GATEWAY, {"message": "Internal server error", "detail": str(error)})
        return _proxy_response(result)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes: without TCP_NODELAY, Nagle + the client's delayed ACK
            # hold the body ~40 ms, which would swamp every latency measured through the gateway.
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                started = time.monotonic()
                try:
                    body = read_body(self.headers, self.rfile)
                except BodyError as error:
                    status, headers, payload = _json(error.status, {"message": str(error)})
                    self.close_connection = True  # the rest of the body is unread: no next request on it
                else:
                    # API Gateway hands a Lambda the whole body with its length, never the chunk framing.
                    request_headers = {
                        key: value for key, value in self.headers.items() if key.lower() != "transfer-encoding"
                    }
                    if "chunked" in str(self.headers.get("Transfer-Encoding") or "").lower():
                        request_headers["Content-Length"] = str(len(body))
                    status, headers, payload = gateway.handle(
                        self.command, self.path, request_headers, body, self.client_address[0]
                    )
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                if not gateway.quiet:
                    self.log_message(
                        '"%s %s" %s %.0fms', self.command, self.path, status, (time.monotonic() - started) * 1000
                    )

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

            def __getattr__(self, name: str) -> Any:
                # Any other method (TRACE, QUERY, ...) reaches the router too, a 404 there, not http.server's 501.
                if name.startswith("do_"):
                    return self._serve
                raise AttributeError(name)

            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                pass

        return Handler

    def start(self) -> LocalApiGateway:
        self._thread = threading.Thread(target=self.server.serve_forever, name="local-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for serve_forever, which an unstarted gateway never ran
            self.server.shutdown()
            self._thread = None
        self.server.server_close()


def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return int(status), {"Content-Type": "application/json"}, json.dumps(body).encode()


def _proxy_response(result: Any) -> tuple[int, dict[str, str], bytes]:
    """A Lambda proxy result as HTTP; a malformed one is a 502, as API Gateway answers."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return _json(HTTPStatus.BAD_GATEWAY, {"message": "Internal server error", "detail": "malformed proxy result"})
    headers = {key: str(value) for key, value in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers[key] = ", ".join(str(value) for value in values)
    body = result.get("body") or ""
    payload = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    return int(result["statusCode"]), headers, payload
