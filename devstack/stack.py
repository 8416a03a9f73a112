"""The local stack: DynamoDB Local + the template's tables + every API route, on loopback."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from devstack.dynamodb_local import DynamoDBLocal
from devstack.functions import FunctionSpec, LocalFunction, parameter_values, resolve_env
from devstack.gateway import LocalApiGateway
from devstack.template import api_routes, create_tables, function_environment, resources

DEFAULT_API_KEY = "local-dev-api-key"
TABLE_PREFIX = "local"


def aws_env(dynamodb_endpoint: str) -> dict[str, str]:
    """What a local function sees of 'AWS': the local endpoints and dummy credentials, no tracing daemon."""
    return {
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


@dataclass
class LocalStack:
    port: int = 3000
    api_key: str = DEFAULT_API_KEY
    data_dir: Path | None = None
    dynamodb_port: int | None = None
    built: bool = False
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    dynamodb: DynamoDBLocal | None = None
    gateway: LocalApiGateway | None = None
    functions: dict[str, LocalFunction] = field(default_factory=dict)
    table_names: dict[str, str] = field(default_factory=dict)

    def start(self, log: Any = print) -> LocalStack:
        log("starting DynamoDB Local" + (f" (data in {self.data_dir})" if self.data_dir else " (in memory)"))
        db_path = self.data_dir / "dynamodb" if self.data_dir else None
        self.dynamodb = DynamoDBLocal(db_path=db_path)
        if self.dynamodb_port:
            self.dynamodb.port = self.dynamodb_port
        self.dynamodb.start()
        base_env = aws_env(self.dynamodb.endpoint)
        client = boto3.client(
            "dynamodb",
            endpoint_url=self.dynamodb.endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        self.table_names = create_tables(client, TABLE_PREFIX)
        log(f"tables from template.yaml: {', '.join(self.table_names.values())}")
        params = parameter_values(self.parameter_overrides)
        for name in resources("AWS::Serverless::Function"):
            env = resolve_env(function_environment(name), self.table_names, params)
            spec = FunctionSpec.from_template(name, env, built=self.built)
            self.functions[name] = LocalFunction(spec, base_env)
        self.gateway = LocalApiGateway(
            api_routes(), self.invoke, self.api_key, stage=params.get("StageName", "Prod"), port=self.port
        ).start()
        log(f"API on {self.gateway.url} ({len(self.gateway.routes)} routes)")
        return self

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        return self.functions[function].invoke(event)

    def stop(self) -> None:
        if self.gateway is not None:
            self.gateway.stop()
        for function in self.functions.values():
            function.close()
        if self.dynamodb is not None:
            self.dynamodb.stop()

    def __enter__(self) -> LocalStack:
        return self.start(log=lambda *_: None)

    def __exit__(self, *_: object) -> None:
        self.stop()


def env_port(default: int = 3000) -> int:
    return int(os.environ.get("DEVSTACK_PORT", default))
