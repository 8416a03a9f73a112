"""The local stack: DynamoDB Local, local SQS/Secrets Manager/SSM, every API route, queue worker and schedule."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.authorizer import LocalAuthorizer
from devstack.aws_services import LOCAL_SECRET_VALUES, LocalAwsServices, local_client
from devstack.call_counter import CountingProxy
from devstack.dynamodb_local import DynamoDBLocal
from devstack.event_sources import BackgroundLoop, LocalScheduler, SqsPoller, schedule_sources, sqs_sources
from devstack.functions import FunctionSpec, LocalFunction, parameter_values, resolve, resolve_env
from devstack.gateway import LocalApiGateway
from devstack.pipeline import DeliveryPoller, LocalBus, NotificationReceiver, StreamPoller, stream_arn, stream_sources
from devstack.template import api_routes, create_tables, function_environment, lambda_authorizers, resources

DEFAULT_API_KEY = "local-dev-api-key"
# The local bootstrap admin token (the value of AdminBootstrapTokenSecret): `make local` prints it.
DEFAULT_ADMIN_TOKEN = LOCAL_SECRET_VALUES["AdminBootstrapTokenSecret"]
TABLE_PREFIX = "local"
# With the demo threads-adaptor, its sync's schedule fires this soon after start (then at the template's rate),
# so its viral posts appear without waiting the hour.
FIRST_SYNC_AFTER_SECONDS = 5.0


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
    api_key: str = DEFAULT_API_KEY  # an API without an authorizer checks x-api-key against it
    admin_token: str = DEFAULT_ADMIN_TOKEN  # the bootstrap admin token (Authorization: Bearer ...)
    data_dir: Path | None = None
    dynamodb_port: int | None = None
    built: bool = False
    schedule_every: float | None = None
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    count_dynamodb_calls: bool = False
    quiet: bool = False  # functions' logs discarded (benchmarks) instead of shown on stderr
    demo_prometheus: bool = False  # a Threads-Agent exporter + Debian's Prometheus scraping it, for the scrape
    demo_threads_adaptor: bool = False  # a demo threads-adaptor on loopback, which the Threads-Agent sync pulls
    first_sync_after: float = FIRST_SYNC_AFTER_SECONDS
    prometheus: Any = None
    exporter: Any = None
    threads_adaptor: Any = None
    dynamodb: DynamoDBLocal | None = None
    call_counter: CountingProxy | None = None
    services: LocalAwsServices | None = None
    gateway: LocalApiGateway | None = None
    functions: dict[str, LocalFunction] = field(default_factory=dict)
    pollers: list[SqsPoller] = field(default_factory=list)
    schedulers: list[LocalScheduler] = field(default_factory=list)
    stream_pollers: list[StreamPoller] = field(default_factory=list)
    delivery_pollers: list[DeliveryPoller] = field(default_factory=list)
    receiver: NotificationReceiver | None = None
    receiver_port: int = 0
    bus: LocalBus | None = None
    names: dict[str, str] = field(default_factory=dict)

    @property
    def table_names(self) -> dict[str, str]:
        return {logical: self.names[logical] for logical in resources("AWS::DynamoDB::Table")}

    def start(self, log: Callable[[str], None] = print) -> LocalStack:
        try:
            return self._start(log)
        except BaseException:
            self.stop()
            raise

    def _start(self, log: Callable[[str], None]) -> LocalStack:
        if self.demo_prometheus and "PrometheusUrl" not in self.parameter_overrides:
            self._start_prometheus(log)
        if self.demo_threads_adaptor and "ThreadsAdaptorUrl" not in self.parameter_overrides:
            self._start_threads_adaptor(log)
        self.receiver = NotificationReceiver(port=self.receiver_port).start()
        log(f"notification receiver on {self.receiver.url} (the people topic's subscriber and the chat webhook)")
        if "ChatWebhookUrl" not in self.parameter_overrides:
            self.parameter_overrides = {**self.parameter_overrides, "ChatWebhookUrl": f"{self.receiver.url}/chat"}
        params = parameter_values(self.parameter_overrides)
        # The gateway binds its port now (0: any free one) and serves last: the pipeline's links point at it
        self.gateway = LocalApiGateway(
            api_routes(),
            self.invoke,
            self.api_key,
            stage=params.get("StageName", "Prod"),
            port=self.port,
            quiet=self.quiet,
        )
        self.port = self.gateway.port
        log(
            "starting DynamoDB Local"
            + (f" (data in {self.data_dir / 'dynamodb'})" if self.data_dir else " (in memory)")
        )
        self.dynamodb = DynamoDBLocal(db_path=self.data_dir / "dynamodb" if self.data_dir else None)
        if self.dynamodb_port:
            self.dynamodb.port = self.dynamodb_port
        self.dynamodb.start()
        dynamodb = local_client("dynamodb", self.dynamodb.endpoint)
        self.names.update(create_tables(dynamodb, TABLE_PREFIX))
        log(f"tables from template.yaml: {', '.join(self.table_names.values())}")

        log("starting local SQS, Secrets Manager and SSM (in memory)")
        self.services = LocalAwsServices(secret_values={"AdminBootstrapTokenSecret": self.admin_token}).start(params)
        self.names.update(self.services.names)
        functions_dynamodb = self.dynamodb.endpoint
        if self.count_dynamodb_calls:
            self.call_counter = CountingProxy(self.dynamodb.endpoint).start()
            functions_dynamodb = self.call_counter.endpoint
        base_env = {**aws_env(functions_dynamodb), **self.services.env(), **self.extra_env}
        sqs = local_client("sqs", self.services.endpoint)
        self.bus = LocalBus(local_client("events", self.services.endpoint), sqs, self.names, params)
        self.bus.create(self.receiver.url)
        log(f"bus {self.names.get('AchievementsBus')}: the template's rules, {len(self.bus.deliveries)} deliveries")

        background = {source.function for source in sqs_sources()} | {source.function for source in stream_sources()}
        for name in resources("AWS::Serverless::Function"):
            env = resolve_env(function_environment(name), self.names, params)
            if self.call_counter is not None and name in background:
                # The counter measures requests' round trips: the pipeline and the worker run beside them, uncounted.
                env["AWS_ENDPOINT_URL_DYNAMODB"] = self.dynamodb.endpoint
            if "API_URL" in env:  # the local gateway stands for the deployed API in the events' links
                env["API_URL"] = f"{self.gateway.url}/{self.gateway.stage}"
            self.functions[name] = LocalFunction(
                FunctionSpec.from_template(name, env, built=self.built), base_env, quiet=self.quiet
            )

        for source in sqs_sources():
            poller = SqsPoller(
                source,
                sqs,
                self.names[source.queue_logical_id],
                self.names[f"{source.queue_logical_id}.Arn"],
                self.invoke,
                log,
            )
            self.pollers.append(poller.start())
            log(f"queue {source.queue_logical_id} -> {source.function} (batch {source.batch_size})")
        streams = local_client("dynamodbstreams", self.dynamodb.endpoint)
        for stream_source in stream_sources():
            failure_queue = stream_source.on_failure_queue
            stream_poller = StreamPoller(
                stream_source,
                streams,
                stream_arn(dynamodb, self.names[stream_source.table_logical_id]),
                self.invoke,
                sqs=sqs,
                failure_queue_url=self.names.get(failure_queue) if failure_queue else None,
                log=log,
            )
            self.stream_pollers.append(stream_poller.start())
            log(f"stream of {stream_source.table_logical_id} -> {stream_source.function}")
        for delivery in self.bus.deliveries:
            self.delivery_pollers.append(DeliveryPoller(delivery, sqs, log=log).start())
        for schedule in schedule_sources(params, self.names):
            every = self.schedule_every or schedule.every_seconds
            first = (
                self.first_sync_after if self.threads_adaptor and schedule.function == "ThreadsSyncFunction" else None
            )
            self.schedulers.append(LocalScheduler(schedule, self.invoke, every, log, first_after=first).start())
            log(
                f"schedule {schedule.name} -> {schedule.function} every {every:g}s"
                + (f" (first in {first:g}s)" if first is not None else "")
            )

        self.gateway.authorizers = self._authorizers(params)
        self.gateway.start()
        for authorizer in self.gateway.authorizers.values():
            # API Gateway runs it before a function on every uncached request: its first instance starts with
            # the stack, so a first request is not two cold starts in a row.
            self.functions[authorizer.function].warm()
        log(f"API on {self.gateway.url} ({len(self.gateway.routes)} routes)")
        return self

    def _authorizers(self, params: dict[str, str]) -> dict[tuple[str, str], LocalAuthorizer]:
        """The template's Lambda authorizers, run like API Gateway runs them (their TTL from the parameters)."""
        services = self.services
        assert services is not None
        plans = list(resources("AWS::ApiGateway::UsagePlan"))
        found = {}
        for spec in lambda_authorizers():
            found[(spec.api, spec.name)] = LocalAuthorizer(
                name=spec.name,
                function=spec.function,
                identity_headers=spec.identity_headers,
                ttl=float(resolve(spec.ttl, self.names, params)),
                invoke=self.invoke,
                usage_keys=(lambda: services.usage_keys(plans[0])) if spec.key_source == "AUTHORIZER" else None,
                messages=spec.messages,
            )
        return found

    @property
    def authorizer(self) -> LocalAuthorizer:
        """The API's authorizer (tests and benchmarks look at its calls and cache)."""
        assert self.gateway is not None
        return next(iter(self.gateway.authorizers.values()))

    def _start_prometheus(self, log: Callable[[str], None]) -> None:
        from devstack.prometheus import PrometheusServer
        from devstack.threads_exporter import ThreadsAgentExporter

        if shutil.which("prometheus") is None:
            log("prometheus not installed (make install): scrapes will report every metric unreachable")
            return
        self.exporter = ThreadsAgentExporter().start()
        self.prometheus = PrometheusServer(targets=[self.exporter.target], scrape_interval="5s").start()
        self.parameter_overrides = {**self.parameter_overrides, "PrometheusUrl": self.prometheus.url}
        log(f"Prometheus {self.prometheus.url} scraping the demo Threads-Agent exporter on {self.exporter.target}")

    def _start_threads_adaptor(self, log: Callable[[str], None]) -> None:
        from devstack.threads_adaptor import ThreadsAdaptor

        self.threads_adaptor = ThreadsAdaptor().start()
        self.parameter_overrides = {**self.parameter_overrides, "ThreadsAdaptorUrl": self.threads_adaptor.url}
        log(f"demo threads-adaptor {self.threads_adaptor.url} (5 posts, 3 viral) for the Threads-Agent sync")

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        return self.functions[function].invoke(event)

    def stop(self) -> None:
        if self.gateway is not None:
            self.gateway.stop()
            self.gateway = None
        # Every loop is told to stop first, then each is waited for: an invocation in flight (a scheduled
        # sync, a batch) ends before the functions, the queues and DynamoDB Local it uses are stopped.
        loops: list[BackgroundLoop] = [*self.schedulers, *self.pollers, *self.stream_pollers, *self.delivery_pollers]
        for loop in loops:
            loop.stopping.set()
        deadline = time.monotonic() + 60
        for loop in loops:
            loop.join(max(0.0, deadline - time.monotonic()))
        self.schedulers.clear()
        self.pollers.clear()
        self.stream_pollers.clear()
        self.delivery_pollers.clear()
        for function in self.functions.values():
            function.close()
        self.functions.clear()
        if self.call_counter is not None:
            self.call_counter.stop()
            self.call_counter = None
        if self.services is not None:
            self.services.stop()
            self.services = None
        if self.dynamodb is not None:
            self.dynamodb.stop()
            self.dynamodb = None
        if self.receiver is not None:
            self.receiver.stop()
            self.receiver = None
        if self.prometheus is not None:
            self.prometheus.stop()
            self.prometheus = None
        if self.exporter is not None:
            self.exporter.stop()
            self.exporter = None
        if self.threads_adaptor is not None:
            self.threads_adaptor.stop()
            self.threads_adaptor = None

    def __enter__(self) -> LocalStack:
        return self.start(log=lambda _: None)

    def __exit__(self, *_: object) -> None:
        self.stop()
