"""The rules table: exactly template.yaml's routes, shown as is in docs/access.md, and what its rows may say."""

from __future__ import annotations

import pytest

from achievements.access.rules import BY_KEY, RULES, Data, allowed_routes, markdown_table, policy_resource, rule_for
from achievements.core.callers import Reach, Role
from devstack.template import ROOT, api_routes

AUTH_MODES = ({"AnalystAuth": "ApiKey"}, {"AnalystAuth": "IAM"})


def template_routes() -> set[str]:
    return {f"{route.method} {route.path}" for mode in AUTH_MODES for route in api_routes(parameters=mode)}


def test_the_table_has_exactly_one_row_per_route_of_the_template() -> None:
    # Then no route is served without a row, and no row names a route that does not exist
    # Given the rules table and template.yaml's routes (both AnalystAuth modes), When they are compared
    assert len(BY_KEY) == len(RULES)
    assert set(BY_KEY) == template_routes()


def test_a_route_added_to_the_template_without_a_row_is_caught() -> None:
    # Given the template's routes plus one more
    # When the routes are compared with the rows
    routes = template_routes() | {"GET /salaries"}
    # Then the comparison above fails for it
    assert routes - set(BY_KEY) == {"GET /salaries"}


def test_docs_show_the_table_as_the_code_has_it() -> None:
    # Given the table rendered from the code, When docs/access.md is read, Then it holds it verbatim
    assert markdown_table() in (ROOT / "docs" / "access.md").read_text()


def test_only_the_github_hook_is_public_and_admins_reach_everything_else() -> None:
    # Given the table, When its public rows and the admin's reaches are read, Then only the hook is public and admins
    # reach all
    public = [rule.key for rule in RULES if rule.data == Data.PUBLIC]
    assert public == ["POST /github/webhook"]
    assert all(rule.of(Role.ADMIN) == Reach.ALL for rule in RULES if rule.data != Data.PUBLIC)


def test_ingest_tokens_only_write() -> None:
    # Given the routes an ingest token may call, When each is read, Then it is a POST of events or a new achievement
    for rule in allowed_routes(Role.INGEST):
        assert rule.method == "POST", rule.key
        assert rule.data in {Data.EVENTS, Data.NEW_ACHIEVEMENT}, rule.key


def test_members_never_reach_beyond_their_own_and_leads_never_edit_others() -> None:
    # Given every row, When the member's and the lead's reaches are read, Then a member only has own, a lead edits only
    # own
    for rule in RULES:
        assert rule.of(Role.MEMBER) in {Reach.NONE, Reach.OWN}, rule.key
        if rule.method != "GET" and rule.data in {Data.ACHIEVEMENT, Data.NEW_ACHIEVEMENT}:
            reach = rule.of(Role.LEAD)
            assert reach == Reach.OWN or (rule.path.startswith("/analyze/deep") and reach == Reach.TEAMS), rule.key


@pytest.mark.parametrize(
    ("method", "resource", "path", "key"),
    [
        ("GET", "/achievements/{achievement_id}", None, "GET /achievements/{achievement_id}"),
        ("get", None, "/achievements/42", "GET /achievements/{achievement_id}"),
        ("POST", None, "/achievements/42/restore", "POST /achievements/{achievement_id}/restore"),
        ("GET", None, "/teams/red/skills", "GET /teams/{team}/skills"),
        ("GET", None, "/achievements/42/restore", None),
        ("PUT", None, "/achievements", None),
    ],
)
def test_a_request_finds_its_row_by_resource_or_by_path(
    method: str, resource: str | None, path: str | None, key: str | None
) -> None:
    # Given a request's method with its resource or its path, When its row is looked up, Then it is the expected one (or
    # none)
    found = rule_for(method, resource, path)
    assert (found.key if found else None) == key


def test_policy_resources_have_one_wildcard_per_path_parameter() -> None:
    # Given route paths, When they become policy resources, Then each path parameter is one `*`
    assert policy_resource("/achievements/{achievement_id}/restore") == "achievements/*/restore"
    assert policy_resource("/tokens") == "tokens"
