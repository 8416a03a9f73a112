"""Local SQS, Secrets Manager, SSM, EventBridge and API Gateway's usage plan (moto's server on loopback)."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.request import Request, urlopen

import boto3
from botocore.config import Config

from devstack.dynamodb_local import free_port
from devstack.functions import resolve
from devstack.template import resources

# Local values of the template's secrets: the OpenAI key "test" selects the offline analyzer; the GitHub
# webhook secret is a documented local one so deliveries can be signed by hand. Override any secret with
# DEVSTACK_SECRET_<LogicalId>.
LOCAL_SECRET_VALUES: dict[str, str] = {
    "OpenAIApiKeySecret": "test",
    "GitHubWebhookSecret": "local-github-webhook-secret",
    # The bootstrap admin token (`make local` prints it; LocalStack(admin_token=...) sets another).
    "AdminBootstrapTokenSecret": "local-dev-admin-token",
}


def local_client(service: str, endpoint: str, config: Config | None = None) -> Any:
    """A boto3 client for a local endpoint (DynamoDB Local, moto's server) with dummy credentials."""
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=config,
    )


def secret_value(logical_id: str, props: dict[str, Any]) -> str:
    override = os.environ.get(f"DEVSTACK_SECRET_{logical_id}")
    if override is not None:
        return override
    if logical_id in LOCAL_SECRET_VALUES:
        return LOCAL_SECRET_VALUES[logical_id]
    if isinstance(props.get("SecretString"), str):
        return str(props["SecretString"])
    return f"local-{logical_id}"


@dataclass
class LocalAwsServices:
    """moto's server (in memory) standing in for SQS, Secrets Manager, SSM Parameter Store and EventBridge.

    moto keeps its services' state per process, whichever server answers: a stack started after another one
    in the same process (tests, benchmarks) would find the earlier stack's queues, messages, rules and
    delivery queues, and an earlier stack's poller still in a long poll could take this stack's messages.
    So a stack that starts while no other runs in the process resets moto first: it begins with empty
    services, as a fresh deployment does, and nothing of an earlier stack can reach it."""

    running: ClassVar[set[int]] = set()  # ports of the services started and not yet stopped in this process
    port: int = field(default_factory=free_port)
    server: Any = None
    names: dict[str, str] = field(default_factory=dict)
    reset: bool = False  # whether this start reset moto (False when another stack was running beside it)
    secret_values: dict[str, str] = field(default_factory=dict)  # logical id -> local value (wins over the rest)
    _apigateway: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, params: dict[str, str]) -> LocalAwsServices:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        if not LocalAwsServices.running:
            with urlopen(Request(f"{self.endpoint}/moto-api/reset", method="POST"), timeout=10):
                self.reset = True
        LocalAwsServices.running.add(self.port)
        self._create_queues(params)
        self._create_secrets(params)
        self._create_parameters(params)
        self._create_usage_plans(params)
        return self

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL_SQS": self.endpoint,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.endpoint,
            "AWS_ENDPOINT_URL_SSM": self.endpoint,
            "AWS_ENDPOINT_URL_EVENTBRIDGE": self.endpoint,
            "AWS_ENDPOINT_URL_API_GATEWAY": self.endpoint,
        }

    def _create_queues(self, params: dict[str, str]) -> None:
        sqs = local_client("sqs", self.endpoint)
        queues = resources("AWS::SQS::Queue")
        for logical_id, queue in queues.items():
            props = queue.get("Properties", {})
            attributes = {
                key: resolve(props[key], self.names, params)
                for key in (
                    "VisibilityTimeout",
                    "MessageRetentionPeriod",
                    "DelaySeconds",
                    "ReceiveMessageWaitTimeSeconds",
                )
                if key in props
            }
            url = sqs.create_queue(QueueName=f"local-{logical_id}", Attributes=attributes)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self.names.update(
                {
                    logical_id: url,
                    f"{logical_id}.Arn": arn,
                    f"{logical_id}.QueueName": f"local-{logical_id}",
                    f"{logical_id}.QueueUrl": url,
                }
            )
        for logical_id, queue in queues.items():
            redrive = queue.get("Properties", {}).get("RedrivePolicy")
            if redrive:
                policy = {
                    "deadLetterTargetArn": resolve(redrive["deadLetterTargetArn"], self.names, params),
                    "maxReceiveCount": int(resolve(redrive["maxReceiveCount"], self.names, params)),
                }
                sqs.set_queue_attributes(
                    QueueUrl=self.names[logical_id], Attributes={"RedrivePolicy": json.dumps(policy)}
                )

    def _create_secrets(self, params: dict[str, str]) -> None:
        secrets = local_client("secretsmanager", self.endpoint)
        for logical_id, secret in resources("AWS::SecretsManager::Secret").items():
            name = f"local-{logical_id}"
            value = self.secret_values.get(logical_id) or secret_value(logical_id, secret.get("Properties", {}))
            try:
                arn = secrets.create_secret(Name=name, SecretString=value)["ARN"]
            except secrets.exceptions.ResourceExistsException:
                # A stack started while another runs in the process (no reset) finds the other's secret.
                arn = secrets.put_secret_value(SecretId=name, SecretString=value)["ARN"]
            # !Ref of a secret is its ARN; functions accept a name or an ARN.
            self.names.update({logical_id: arn, f"{logical_id}.Id": arn})

    def _create_parameters(self, params: dict[str, str]) -> None:
        ssm = local_client("ssm", self.endpoint)
        for logical_id, parameter in resources("AWS::SSM::Parameter").items():
            props = parameter.get("Properties", {})
            name = resolve(props.get("Name", f"/local/{logical_id}"), self.names, params)
            ssm.put_parameter(
                Name=name,
                Value=resolve(props.get("Value", ""), self.names, params),
                Type=props.get("Type", "String"),
                Overwrite=True,
            )
            self.names.update(
                {logical_id: name, f"{logical_id}.Value": resolve(props.get("Value", ""), self.names, params)}
            )

    def _create_usage_plans(self, params: dict[str, str]) -> None:
        """The template's usage plans, API keys and plan keys (access/: one key per token, found by plan name)."""
        apigateway = local_client("apigateway", self.endpoint)
        plans = {plan["name"]: plan["id"] for plan in apigateway.get_usage_plans().get("items", [])}
        for logical_id, plan in resources("AWS::ApiGateway::UsagePlan").items():
            name = resolve(plan["Properties"]["UsagePlanName"], self.names, params)
            # moto keeps its state per process: a second stack started in one process finds the plan.
            self.names[logical_id] = plans.get(name) or apigateway.create_usage_plan(name=name)["id"]
        keys = {key["name"]: key["id"] for key in apigateway.get_api_keys().get("items", [])}
        for logical_id, key in resources("AWS::ApiGateway::ApiKey").items():
            props = key["Properties"]
            name = resolve(props["Name"], self.names, params)
            self.names[logical_id] = (
                keys.get(name)
                or apigateway.create_api_key(
                    name=name, value=resolve(props["Value"], self.names, params), enabled=True
                )["id"]
            )
        for plan_key in resources("AWS::ApiGateway::UsagePlanKey").values():
            props = plan_key["Properties"]
            plan_id, key_id = (resolve(props[name], self.names, params) for name in ("UsagePlanId", "KeyId"))
            held = apigateway.get_usage_plan_keys(usagePlanId=plan_id).get("items", [])
            if all(item["id"] != key_id for item in held):
                apigateway.create_usage_plan_key(usagePlanId=plan_id, keyId=key_id, keyType="API_KEY")

    def usage_keys(self, plan_logical_id: str) -> set[str]:
        """The values of the plan's keys that still exist and are enabled (what API Gateway meters requests by)."""
        if self._apigateway is None:  # one client for every check (making one costs more than the check)
            self._apigateway = local_client("apigateway", self.endpoint)
        apigateway = self._apigateway
        held = {item["id"] for item in apigateway.get_usage_plan_keys(usagePlanId=self.names[plan_logical_id])["items"]}
        keys = apigateway.get_api_keys(includeValues=True, limit=500).get("items", [])
        return {key["value"] for key in keys if key["id"] in held and key.get("enabled")}

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
            LocalAwsServices.running.discard(self.port)
