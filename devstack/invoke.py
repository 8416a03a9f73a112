"""`python -m devstack.invoke FUNCTION EVENT_FILE`: one function from `sam build` output, as Lambda runs it.

Layer and function come from `.aws-sam/build` (not the sources) and run without this venv's packages,
only with what Lambda's runtime provides, so packaging mistakes show here. DynamoDB Local (in memory,
unless DEVSTACK_DYNAMODB_ENDPOINT is set) and local SQS / Secrets Manager / SSM are started with the
template's resources.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from devstack.aws_services import LocalAwsServices, local_client
from devstack.dynamodb_local import DynamoDBLocal
from devstack.functions import BUILD_DIR, FunctionSpec, LocalFunction, parameter_values, resolve_env
from devstack.pipeline import LocalBus
from devstack.stack import TABLE_PREFIX, aws_env
from devstack.template import create_tables, function_environment


class BuiltInvoker:
    """Local resources for invoking built functions; one per session, any number of invocations."""

    def __init__(self, build_dir: Path = BUILD_DIR, dynamodb_endpoint: str | None = None) -> None:
        self.build_dir = build_dir
        self._stack = ExitStack()
        if dynamodb_endpoint is None:
            dynamodb_endpoint = self._stack.enter_context(DynamoDBLocal()).endpoint
        client = local_client("dynamodb", dynamodb_endpoint)
        self.params = parameter_values()
        self.names = create_tables(client, TABLE_PREFIX)
        self.services = LocalAwsServices().start(self.params)
        self._stack.callback(self.services.stop)
        self.names.update(self.services.names)
        # The template's bus and rules, so an outbox invocation publishes where the deployed one would.
        endpoint = self.services.endpoint
        LocalBus(local_client("events", endpoint), local_client("sqs", endpoint), self.names, self.params).create(
            receiver_url="http://127.0.0.1:9"
        )
        self.base_env = {**aws_env(dynamodb_endpoint), **self.services.env()}

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        env = resolve_env(function_environment(function), self.names, self.params)
        spec = FunctionSpec.from_template(function, env, built=True, max_concurrency=1, build_dir=self.build_dir)
        local = LocalFunction(spec, self.base_env)
        try:
            return local.invoke(event)
        finally:
            local.close()

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> BuiltInvoker:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.invoke", description=__doc__)
    parser.add_argument("function", help="logical id in template.yaml, e.g. ThreadsWebhookFunction")
    parser.add_argument("event", type=Path, help="event file, e.g. events/threads_track.json")
    args = parser.parse_args()
    if not (BUILD_DIR / args.function).is_dir():
        sys.exit(f"{BUILD_DIR / args.function} not found: run `make build` (sam build) first")
    event = json.loads(args.event.read_text())
    with BuiltInvoker(dynamodb_endpoint=os.environ.get("DEVSTACK_DYNAMODB_ENDPOINT")) as invoker:
        result = invoker.invoke(args.function, event)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
