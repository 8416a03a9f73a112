"""The OpenAPI document of the whole API, generated from the code into shared/openapi.json.

Every `functions/*/app.py` whose module has an `app` resolver (Powertools, validation enabled) contributes
its routes; auth comes from template.yaml (a bearer token, checked by the access authorizer, on every route
unless the template says otherwise; SigV4 on the routes the AnalystAuth=IAM deployment serves with AWS_IAM).

    .venv/bin/python -m devstack.openapi           # (re)write shared/openapi.json   (make openapi)
    .venv/bin/python -m devstack.openapi --check   # exit 1 when the file is not what the code generates
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from devstack.functions import resolve_env
from devstack.template import ROOT, api_routes, load_template, resources

OUTPUT = ROOT / "shared" / "openapi.json"
FUNCTIONS_DIR = ROOT / "functions"
TITLE = "Achievement Collector API"
API_KEY_SCHEME = "BearerToken"
SIGV4_SCHEME = "SigV4"
GATEWAY_FORBIDDEN = {
    "description": "the token's role may not call this route (docs/access.md), or a SigV4 signature is wrong",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
}
GATEWAY_UNAUTHORIZED = {
    "description": "no token, or one that is unknown, altered, revoked or expired: the access authorizer",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
}
# achievements.http.resolver.make_resolver maps every store outage (connection, timeout, throttling, 5xx) to this, once.
STORE_UNAVAILABLE = {
    "description": "the store (DynamoDB) or a service it needs did not answer: nothing acknowledged, retrying is safe",
    "headers": {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
}
# Any AWS call made while importing a function fails at once instead of reaching AWS.
OFFLINE_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "openapi",
    "AWS_SECRET_ACCESS_KEY": "openapi",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_MAX_ATTEMPTS": "1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "AchievementCollector",
    "POWERTOOLS_SERVICE_NAME": "openapi",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}


def _prepare_environment() -> None:
    """Each function validates its settings at import: give it the template's variables (placeholders)."""
    template = load_template()
    params = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
    for name, value in OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
    global_env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    for function in resources("AWS::Serverless::Function").values():
        variables = {**global_env, **function["Properties"].get("Environment", {}).get("Variables", {})}
        for key, value in resolve_env(variables, {}, params).items():  # AWS::NoValue: left unset
            os.environ.setdefault(key, value or "openapi")
    for path in (str(ROOT / "layers" / "core"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)


def api_modules() -> list[tuple[str, Any]]:
    """(function folder, resolver) of every functions/*/app.py that defines an `app` resolver."""
    _prepare_environment()
    found = []
    for source in sorted(FUNCTIONS_DIR.glob("*/app.py")):
        module = importlib.import_module(f"functions.{source.parent.name}.app")
        app = getattr(module, "app", None)
        if app is not None and hasattr(app, "get_openapi_schema"):
            found.append((source.parent.name, app))
    return found


def _version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def _replace_refs(node: Any, old: str, new: str) -> Any:
    if isinstance(node, dict):
        return {
            key: (new if key == "$ref" and value == old else _replace_refs(value, old, new))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_replace_refs(item, old, new) for item in node]
    return node


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    return set()


def route_key(method: str, path: str) -> tuple[str, str]:
    """A route whatever its path parameters are called (`/a/{id}` in the template is `/a/{a_id}` in code)."""
    return method.upper(), re.sub(r"\{[^}]*\}", "{}", path)


def generate() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    owners: dict[tuple[str, str], str] = {}
    for function, app in api_modules():
        document = app.get_openapi_schema(title=TITLE, version=_version()).model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        for path, item in document.get("paths", {}).items():
            for method, operation in item.items():
                route = (method.upper(), path)
                if route in owners:
                    raise SystemExit(f"{method.upper()} {path} is defined by both {owners[route]} and {function}")
                owners[route] = function
                paths.setdefault(path, {})[method] = operation
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                raise SystemExit(f"schema {name} differs between functions ({function}): rename one of the models")
            schemas[name] = schema

    # make_resolver answers every validation error as ErrorResponse {message, details}, not FastAPI's shape.
    old, new = "#/components/schemas/HTTPValidationError", "#/components/schemas/ErrorResponse"
    paths = _replace_refs(paths, old, new)

    default_routes = {route_key(route.method, route.path): route for route in api_routes()}
    iam_routes = {
        route_key(route.method, route.path)
        for route in api_routes(parameters={"AnalystAuth": "IAM"})
        if route.authorizer == "AWS_IAM"
    }
    for path, item in paths.items():
        for method, operation in item.items():
            template_route = default_routes.get(route_key(method, path))
            if template_route is not None and not template_route.api_key_required and template_route.authorizer is None:
                operation["security"] = []  # authenticated by other means (e.g. a signature), by design
            elif route_key(method, path) in iam_routes:
                operation["security"] = [{API_KEY_SCHEME: []}, {SIGV4_SCHEME: []}]
            if operation.get("security") != []:
                # API Gateway answers it before any function runs, so no route decorator can declare it.
                operation["responses"].setdefault("403", GATEWAY_FORBIDDEN)
                operation["responses"].setdefault("401", GATEWAY_UNAUTHORIZED)
            operation["responses"].setdefault("503", STORE_UNAVAILABLE)

    used = _refs(paths)
    while True:  # keep only the schemas the operations reach
        reached = used | set().union(
            *(_refs(schemas[r.rsplit("/", 1)[-1]]) for r in used if r.rsplit("/", 1)[-1] in schemas)
        )
        if reached == used:
            break
        used = reached
    components = {name: schema for name, schema in schemas.items() if f"#/components/schemas/{name}" in used}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": _version(),
            "description": (
                "Generated from the code (`make openapi`); do not edit. Every route needs a token "
                "(`Authorization: Bearer <token>`, docs/access.md: which role may call which route, on whose data) "
                "unless its `security` says otherwise; with AnalystAuth=IAM the insights routes are served by "
                "AnalystApi (output AnalystApiUrl) and signed with SigV4 instead."
            ),
        },
        "servers": [
            {
                "url": "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
                "variables": {
                    "restApiId": {"default": "example", "description": "output ApiUrl of the stack"},
                    "region": {"default": "us-east-1"},
                    "stage": {"default": str(load_template()["Parameters"]["StageName"]["Default"])},
                },
            }
        ],
        "security": [{API_KEY_SCHEME: []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                API_KEY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An access token (POST /tokens; the first admin's: the bootstrap secret)",
                },
                SIGV4_SCHEME: {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "AWS Signature Version 4 (service execute-api); AnalystAuth=IAM deployments only",
                },
            },
        },
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when shared/openapi.json is out of date")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = render(generate())
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(), text.splitlines(), "shared/openapi.json", "generated", lineterm="", n=2
            )
            print("\n".join(list(diff)[:80]))
            print(f"\n{shown} is out of date with the code: run `make openapi`")
            return 1
        print(f"{shown} matches the code")
        return 0
    args.output.write_text(text)
    print(f"wrote {shown} ({len(json.loads(text)['paths'])} paths)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
