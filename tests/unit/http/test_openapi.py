"""shared/openapi.json is what the code generates, covers exactly the template routes, says how to authenticate."""

from __future__ import annotations

import json
import subprocess
import sys

from devstack.openapi import OUTPUT, route_key
from devstack.template import ROOT, api_routes

DOCUMENT = json.loads(OUTPUT.read_text())


def test_shared_openapi_matches_the_code() -> None:
    # When the document is generated again from every function's resolver (in its own process)
    result = subprocess.run(
        [sys.executable, "-m", "devstack.openapi", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    # Then it is byte for byte the committed one (else: make openapi)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_template_route_is_documented_and_nothing_else() -> None:
    documented = {route_key(method, path) for path, item in DOCUMENT["paths"].items() for method in item}
    deployed = {route_key(r.method, r.path) for r in api_routes() + api_routes(parameters={"AnalystAuth": "IAM"})}
    assert documented == deployed


def test_security_follows_the_template() -> None:
    assert DOCUMENT["security"] == [{"BearerToken": []}]
    scheme = DOCUMENT["components"]["securitySchemes"]["BearerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    insights = DOCUMENT["paths"]["/analyze/career-insights"]["get"]
    assert insights["security"] == [{"BearerToken": []}, {"SigV4": []}]
    public = {route_key(r.method, r.path) for r in api_routes() if not r.api_key_required}
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if route_key(method, path) in public:
                assert operation["security"] == []


def test_validation_errors_are_documented_as_the_api_answers_them() -> None:
    text = json.dumps(DOCUMENT)
    assert "HTTPValidationError" not in text
    listing = DOCUMENT["paths"]["/achievements"]["get"]
    assert listing["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }
    assert {p["name"] for p in listing["parameters"]} == {
        "category", "source", "from", "to", "date_field", "min_impact", "sort", "limit", "cursor", "person", "team",
    }  # fmt: skip


def test_every_route_behind_credentials_documents_the_gateways_403() -> None:
    # API Gateway refuses a missing or wrong credential before any function runs: the fuzz test expects it documented
    public = {route_key(r.method, r.path) for r in api_routes() if not r.api_key_required}
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if route_key(method, path) in public:
                assert "403" not in operation["responses"]
            else:
                for status in ("401", "403"):
                    assert operation["responses"][status]["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorResponse"
                    }
