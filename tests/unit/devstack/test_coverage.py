"""`make local` runs every function of the template: each has a local trigger (a route, a queue, the stream or a
schedule), the people and manual functions and the re-attribution worker and its queue included (issue 15)."""

from __future__ import annotations

from devstack.event_sources import schedule_sources, sqs_sources
from devstack.functions import parameter_values
from devstack.pipeline import stream_sources
from devstack.template import api_routes, function_environment, lambda_authorizers, resources

PEOPLE_ROUTES = {
    ("GET", "/people"),
    ("GET", "/people/{person}"),
    ("PUT", "/people/{person}"),
    ("DELETE", "/people/{person}"),
    ("GET", "/teams/{team}"),
    ("GET", "/teams/{team}/skills"),
}
MANUAL_ROUTES = {
    ("POST", "/achievements"),
    ("PATCH", "/achievements/{achievement_id}"),
    ("DELETE", "/achievements/{achievement_id}"),
    ("POST", "/achievements/{achievement_id}/restore"),
}


def test_every_template_function_has_a_local_trigger() -> None:
    # Given the local stack's triggers, all read from template.yaml
    params = parameter_values()
    triggered = (
        {route.function for route in api_routes()}
        | {source.function for source in sqs_sources()}
        | {source.function for source in stream_sources()}
        | {source.function for source in schedule_sources(params, {})}
        | {authorizer.function for authorizer in lambda_authorizers()}  # the gateway runs it (devstack/authorizer.py)
    )
    # Then every function deployed with the default parameters is run by one of them
    iam_only = {"InsightsQueryIamFunction", "ReviewsIamFunction"}  # AnalystAuth=IAM only
    deployed = set(resources("AWS::Serverless::Function")) - iam_only
    assert deployed - triggered == set()


def test_the_people_and_manual_routes_are_served_by_their_functions_with_the_api_key() -> None:
    # Given the routes the local gateway serves
    routes = {(route.method, route.path): route for route in api_routes()}
    # Then the people API and the manual achievements are there, on their functions, behind the API key
    assert {key: routes[key].function for key in PEOPLE_ROUTES} == dict.fromkeys(PEOPLE_ROUTES, "PeopleFunction")
    assert {key: routes[key].function for key in MANUAL_ROUTES} == dict.fromkeys(
        MANUAL_ROUTES, "ManualAchievementsFunction"
    )
    assert all(routes[key].api_key_required for key in PEOPLE_ROUTES | MANUAL_ROUTES)


def test_the_reattribution_worker_polls_its_queue_one_job_at_a_time_with_partial_failures() -> None:
    # Given the local SQS sources
    [source] = [s for s in sqs_sources() if s.function == "ReattributionFunction"]
    # Then it reads ReattributionQueue as Lambda's mapping would (batch 1, ReportBatchItemFailures), the queue
    # (with its redrive to the dead-letter queue) is created locally, and the functions that send to it are told
    assert (source.queue_logical_id, source.batch_size, source.report_batch_item_failures) == (
        "ReattributionQueue",
        1,
        True,
    )
    queue = resources("AWS::SQS::Queue")["ReattributionQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["ReattributionDeadLetterQueue", "Arn"]}
    for function in ("PeopleFunction", "ReattributionFunction"):
        assert function_environment(function)["REATTRIBUTION_QUEUE_URL"] == {"Ref": "ReattributionQueue"}
