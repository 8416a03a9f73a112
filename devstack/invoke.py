"""`python -m devstack.invoke FUNCTION EVENT_FILE`: one function from `sam build` output, as Lambda runs it.

Layer and function come from `.aws-sam/build` (not the sources), so packaging mistakes show here.
DynamoDB Local is started in memory with the template's tables unless DEVSTACK_DYNAMODB_ENDPOINT is set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import boto3

from devstack.dynamodb_local import DynamoDBLocal
from devstack.functions import BUILD_DIR, FunctionSpec, LocalFunction, parameter_values, resolve_env
from devstack.stack import TABLE_PREFIX, aws_env
from devstack.template import create_tables, function_environment


def invoke_built(function: str, event: dict[str, object], endpoint: str) -> object:
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    names = create_tables(client, TABLE_PREFIX)
    env = resolve_env(function_environment(function), names, parameter_values())
    local = LocalFunction(FunctionSpec.from_template(function, env, built=True, max_concurrency=1), aws_env(endpoint))
    try:
        return local.invoke(event)
    finally:
        local.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.invoke", description=__doc__)
    parser.add_argument("function", help="logical id in template.yaml, e.g. ThreadsWebhookFunction")
    parser.add_argument("event", type=Path, help="event file, e.g. events/threads_track.json")
    args = parser.parse_args()
    if not (BUILD_DIR / args.function).is_dir():
        sys.exit(f"{BUILD_DIR / args.function} not found: run `make build` (sam build) first")
    event = json.loads(args.event.read_text())
    endpoint = os.environ.get("DEVSTACK_DYNAMODB_ENDPOINT")
    if endpoint:
        result = invoke_built(args.function, event, endpoint)
    else:
        with DynamoDBLocal() as dynamodb:
            result = invoke_built(args.function, event, dynamodb.endpoint)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
