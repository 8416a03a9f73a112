"""The local stack's moto services: a stack starting alone in a process sees nothing of an earlier one."""

from __future__ import annotations

from devstack.aws_services import LocalAwsServices, local_client
from devstack.functions import parameter_values


def analysis_queue_depth(services: LocalAwsServices) -> int:
    sqs = local_client("sqs", services.endpoint)
    attributes = sqs.get_queue_attributes(
        QueueUrl=services.names["AnalysisQueue"], AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def send_job(services: LocalAwsServices) -> None:
    local_client("sqs", services.endpoint).send_message(QueueUrl=services.names["AnalysisQueue"], MessageBody="{}")


def test_a_stack_started_after_another_stopped_begins_with_empty_queues() -> None:
    # Given a first stack's services with a job left in its analysis queue, then stopped
    params = parameter_values({})
    first = LocalAwsServices().start(params)
    try:
        send_job(first)
        assert analysis_queue_depth(first) == 1
    finally:
        first.stop()

    # When a second stack's services start in the same process
    second = LocalAwsServices().start(params)
    try:
        # Then they were reset: the earlier stack's job is not in this stack's queue
        assert second.reset
        assert analysis_queue_depth(second) == 0
    finally:
        second.stop()


def test_a_stack_started_beside_a_running_one_does_not_wipe_it() -> None:
    # Given a running stack's services with a job in its analysis queue
    params = parameter_values({})
    first = LocalAwsServices().start(params)
    try:
        send_job(first)

        # When a second stack's services start while the first runs
        second = LocalAwsServices().start(params)
        try:
            # Then the second did not reset moto, and the first stack's job is still there
            assert not second.reset
            assert analysis_queue_depth(first) == 1
        finally:
            second.stop()
    finally:
        first.stop()
    assert first.reset
    assert LocalAwsServices.running == set()
