"""shared/openapi.json is what the code generates, covers exactly the template routes, says how to authenticate."""

from __future__ import annotations

import json
import subprocess
import sys

from devstack.openapi import OUTPUT, route_key
from devstack.template import ROOT, api_routes

DOCUMENT = json.loads(OUTPUT.read_text())


def test_shared_openapi_matches_the_code() -> None:
    # Given the committed shared/openapi.json
    # When the document is generated again from every function's resolver (in its own process)
    result = subprocess.run(
        [sys.executable, "-m", "devstack.openapi", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    # Then it is byte for byte the committed one (else: make openapi)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_template_route_is_documented_and_nothing_else() -> None:
    # Given the operations of shared/openapi.json
    documented = {route_key(method, path) for path, item in DOCUMENT["paths"].items() for method in item}

    # When the template's routes are listed in both AnalystAuth modes (API key and IAM)
    deployed = {route_key(r.method, r.path) for r in api_routes() + api_routes(parameters={"AnalystAuth": "IAM"})}

    # Then the two sets are the same: no route undocumented, no documented route that is not deployed
    assert documented == deployed


def test_security_follows_the_template() -> None:
    # Given shared/openapi.json, When its security is read
    # Then the default is a bearer token (the access authorizer)
    assert DOCUMENT["security"] == [{"BearerToken": []}]
    scheme = DOCUMENT["components"]["securitySchemes"]["BearerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    # And career insights accept a token or SigV4
    insights = DOCUMENT["paths"]["/analyze/career-insights"]["get"]
    assert insights["security"] == [{"BearerToken": []}, {"SigV4": []}]
    # And the template's public (signed) routes document no security at all
    public = {route_key(r.method, r.path) for r in api_routes() if not r.api_key_required}
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if route_key(method, path) in public:
                assert operation["security"] == []


def test_validation_errors_are_documented_as_the_api_answers_them() -> None:
    # Given shared/openapi.json as text
    text = json.dumps(DOCUMENT)

    # When it is searched, Then FastAPI-style HTTPValidationError appears nowhere
    assert "HTTPValidationError" not in text
    # And GET /achievements documents its 422 as the API's ErrorResponse, with every query parameter it takes
    listing = DOCUMENT["paths"]["/achievements"]["get"]
    assert listing["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }
    assert {p["name"] for p in listing["parameters"]} == {
        "category", "source", "from", "to", "date_field", "min_impact", "sort", "limit", "cursor", "person", "team",
    }  # fmt: skip


def test_every_route_behind_credentials_documents_the_gateways_403() -> None:
    # API Gateway refuses a missing or wrong credential before any function runs: the fuzz test expects it documented
    # Given the template's public routes (those without an API key)
    public = {route_key(r.method, r.path) for r in api_routes() if not r.api_key_required}
    # When every documented operation is visited, Then a public one documents no 403 and every other one
    # documents the gateway's 403 as an ErrorResponse
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if route_key(method, path) in public:
                assert "403" not in operation["responses"]
            else:
                for status in ("401", "403"):
                    assert operation["responses"][status]["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorResponse"
                    }
