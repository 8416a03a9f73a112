"""Reads template.yaml (with CloudFormation's short tags) so local tables and routes come from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


@lru_cache(maxsize=4)
def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def resources(kind: str, path: Path = TEMPLATE) -> dict[str, dict[str, Any]]:
    return {
        name: resource for name, resource in load_template(path)["Resources"].items() if resource.get("Type") == kind
    }


def table_definitions(path: Path = TEMPLATE, streams: bool = True) -> dict[str, dict[str, Any]]:
    """CreateTable arguments (less the table name) of every AWS::DynamoDB::Table, keyed by logical id
    (`streams=False`: without their streams)."""
    tables = {}
    for logical_id, resource in resources("AWS::DynamoDB::Table", path).items():
        props = resource["Properties"]
        definition: dict[str, Any] = {
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        for optional in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if optional in props:
                definition[optional] = props[optional]
        if streams and "StreamSpecification" in props:
            # CloudFormation enables a stream by its view type; CreateTable says so explicitly.
            definition["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        tables[logical_id] = {"create": definition, "ttl": props.get("TimeToLiveSpecification")}
    return tables


def create_tables(client: Any, prefix: str, path: Path = TEMPLATE, streams: bool = True) -> dict[str, str]:
    """Create the template's tables (if missing) as `<prefix>-<LogicalId>`; returns logical id -> name.

    `streams=False` leaves the tables' streams out: moto copies every table, its stream records included, on
    each TransactWriteItems (to roll back), so a moto test writing hundreds of times without reading the
    stream would grow quadratically (a unit test took 217 s and 10.8 GB with them, 20 s without)."""
    names = {}
    existing = set(client.list_tables().get("TableNames", []))
    for logical_id, definition in table_definitions(path, streams).items():
        name = f"{prefix}-{logical_id}"
        names[logical_id] = name
        if name in existing:
            continue
        client.create_table(TableName=name, **definition["create"])
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        ttl = definition["ttl"]
        if ttl and ttl.get("Enabled"):
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
    return names


@dataclass(frozen=True)
class Route:
    function: str
    method: str
    path: str
    code_uri: str
    handler: str
    environment: dict[str, Any] = field(default_factory=dict)
    api_key_required: bool = True
    authorizer: str | None = None  # "AWS_IAM" when callers sign with SigV4
    api: str | None = None  # logical id of the AWS::Serverless::Api serving it


def _api_key_required(api: dict[str, Any] | None, event_props: dict[str, Any]) -> bool:
    auth = event_props.get("Auth", {})
    if "ApiKeyRequired" in auth:
        return bool(auth["ApiKeyRequired"])
    if api is None:
        return False
    return bool(api.get("Properties", {}).get("Auth", {}).get("ApiKeyRequired", False))


def _authorizer(api: dict[str, Any] | None, event_props: dict[str, Any]) -> str | None:
    method = event_props.get("Auth", {}).get("Authorizer")
    default = (api or {}).get("Properties", {}).get("Auth", {}).get("DefaultAuthorizer")
    found = method or default
    return None if found in (None, "NONE") else str(found)


CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or")


def _value(value: Any, template: dict[str, Any], parameters: dict[str, str]) -> Any:
    if isinstance(value, dict) and "Ref" in value:
        name = value["Ref"]
        declared = template.get("Parameters", {}).get(name, {})
        return str(parameters.get(name, declared.get("Default", "")))
    for key in ("Condition", "Fn::Condition"):  # !Condition X loads as {"Fn::Condition": "X"}
        if isinstance(value, dict) and key in value:
            return condition_holds(value[key], parameters, template)
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in CONDITION_FUNCTIONS:
        return _evaluate(value, template, parameters)
    return value


def _evaluate(expression: dict[str, Any], template: dict[str, Any], parameters: dict[str, str]) -> bool:
    ((function, arguments),) = expression.items()
    values = [_value(argument, template, parameters) for argument in arguments]
    if function == "Fn::Equals":
        return bool(str(values[0]) == str(values[1]))
    if function == "Fn::Not":
        return not values[0]
    if function == "Fn::And":
        return all(values)
    if function == "Fn::Or":
        return any(values)
    raise ValueError(f"{function} is not supported locally")


def condition_holds(
    name: str, parameters: dict[str, str] | None = None, template: dict[str, Any] | None = None
) -> bool:
    """A template condition's value for the given parameters (defaults otherwise): Equals/Not/And/Or, nested."""
    template = template if template is not None else load_template()
    return _evaluate(template.get("Conditions", {})[name], template, parameters or {})


def deployed(resource: dict[str, Any], parameters: dict[str, str] | None = None, path: Path = TEMPLATE) -> bool:
    """Whether a resource exists with these parameters (a resource without Condition always does)."""
    condition = resource.get("Condition")
    return condition is None or condition_holds(condition, parameters, load_template(path))


def api_routes(path: Path = TEMPLATE, parameters: dict[str, str] | None = None) -> list[Route]:
    """Every `Type: Api` event of every function deployed with `parameters` (defaults), as API Gateway routes it."""
    template = load_template(path)
    apis = resources("AWS::Serverless::Api", path)
    global_env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    routes = []
    for name, function in resources("AWS::Serverless::Function", path).items():
        if not deployed(function, parameters, path):
            continue
        props = function["Properties"]
        env = {**global_env, **props.get("Environment", {}).get("Variables", {})}
        for event in props.get("Events", {}).values():
            if event.get("Type") != "Api":
                continue
            event_props = event["Properties"]
            api_ref = event_props.get("RestApiId", {}).get("Ref") if event_props.get("RestApiId") else None
            routes.append(
                Route(
                    function=name,
                    method=event_props["Method"].upper(),
                    path=event_props["Path"],
                    code_uri=props["CodeUri"],
                    handler=props.get("Handler", "app.lambda_handler"),
                    environment=env,
                    api_key_required=_api_key_required(apis.get(api_ref) if api_ref else None, event_props),
                    authorizer=_authorizer(apis.get(api_ref) if api_ref else None, event_props),
                    api=api_ref,
                )
            )
    return routes


def function_environment(function: str, path: Path = TEMPLATE) -> dict[str, Any]:
    template = load_template(path)
    global_env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    props = template["Resources"][function]["Properties"]
    return {**global_env, **props.get("Environment", {}).get("Variables", {})}


@dataclass(frozen=True)
class AuthorizerSpec:
    """One Lambda authorizer of an API (its `Auth.Authorizers` entry), as API Gateway runs it."""

    api: str
    name: str
    function: str
    identity_headers: tuple[str, ...]
    ttl: Any  # ReauthorizeEvery (a number or a !Ref of a parameter); API Gateway's default is 300
    key_source: str  # the API's ApiKeySourceType: HEADER or AUTHORIZER
    messages: dict[str, str] = field(default_factory=dict)  # the API's gateway responses' messages


def _messages(props: dict[str, Any]) -> dict[str, str]:
    import json

    found = {}
    for kind, response in (props.get("GatewayResponses") or {}).items():
        text = (response.get("ResponseTemplates") or {}).get("application/json", "")
        try:
            message = json.loads(text).get("message")
        except ValueError:
            continue
        if isinstance(message, str):
            found[kind] = message
    return found


def lambda_authorizers(path: Path = TEMPLATE) -> list[AuthorizerSpec]:
    """Every REQUEST Lambda authorizer of every AWS::Serverless::Api in the template."""
    specs = []
    for api_name, api in resources("AWS::Serverless::Api", path).items():
        props = api.get("Properties", {})
        for name, authorizer in (props.get("Auth", {}).get("Authorizers") or {}).items():
            function_arn = authorizer.get("FunctionArn", {})
            if "Fn::GetAtt" not in function_arn or authorizer.get("FunctionPayloadType") != "REQUEST":
                continue
            identity = authorizer.get("Identity", {})
            specs.append(
                AuthorizerSpec(
                    api=api_name,
                    name=name,
                    function=str(function_arn["Fn::GetAtt"][0]),
                    identity_headers=tuple(identity.get("Headers", [])),
                    ttl=identity.get("ReauthorizeEvery", 300),
                    key_source=str(props.get("ApiKeySourceType", "HEADER")),
                    messages=_messages(props),
                )
            )
    return specs
