"""API Gateway usage-plan keys: one per token, so the usage plan throttles each caller on its own.

The API takes a request's key from the authorizer (ApiKeySourceType AUTHORIZER), never from the caller:
a key's value identifies a caller to the usage plan but grants nothing by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from achievements.core.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_apigateway.client import APIGatewayClient


class UsageKeys:
    """Creates and deletes a token's usage-plan key; knows the bootstrap token's (the template's own key)."""

    def __init__(
        self, client_factory: Callable[[], APIGatewayClient], usage_plan_name: str, bootstrap_key: str
    ) -> None:
        self._client_factory = client_factory
        self._client: APIGatewayClient | None = None
        self.usage_plan_name = usage_plan_name
        self.bootstrap_key = bootstrap_key
        self._plan_id: str | None = None

    @property
    def client(self) -> APIGatewayClient:
        # Made on first use: the authorizer, which only answers the bootstrap key, never makes one.
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def plan_id(self) -> str:
        """The usage plan's id, looked up by its name once per container (the template cannot pass the id:
        the plan depends on the API, which depends on this function)."""
        if self._plan_id is None:
            position: str | None = None
            while self._plan_id is None:
                page = self.client.get_usage_plans(position=position) if position else self.client.get_usage_plans()
                found = [plan["id"] for plan in page.get("items", []) if plan.get("name") == self.usage_plan_name]
                if found:
                    self._plan_id = str(found[0])
                    break
                position = page.get("position")
                if not position:
                    raise LookupError(f"no usage plan named {self.usage_plan_name!r}")
        return self._plan_id

    def create(self, token_id: str, value: str) -> str:
        """A new key in the usage plan (its id); nothing is left behind when adding it to the plan fails."""
        plan = self.plan_id()
        key_id = self.client.create_api_key(
            name=f"{self.usage_plan_name}-{token_id}", value=value, enabled=True, description=f"token {token_id}"
        )["id"]
        try:
            self.client.create_usage_plan_key(usagePlanId=plan, keyId=key_id, keyType="API_KEY")
        except ClientError:
            self.delete(key_id)
            raise
        return str(key_id)

    def delete(self, key_id: str) -> None:
        """Remove a key (a revoked token's); one already gone is fine."""
        try:
            self.client.delete_api_key(apiKey=key_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NotFoundException":
                logger.warning("usage key not deleted", extra={"key_id": key_id, "error": str(error)})
                raise

    def bootstrap_value(self) -> str:
        return self.bootstrap_key
