"""A secret read from AWS Secrets Manager through Powertools parameters (cached), or a local-only value."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from pydantic import SecretStr

from achievements.core.aws import AwsClients, make_client
from achievements.core.errors import Unavailable
from achievements.core.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager.client import SecretsManagerClient


class SecretUnavailable(Unavailable):
    """The secret could not be read (Secrets Manager failing or the secret empty): the caller retries later."""


def default_client() -> SecretsManagerClient:
    return make_client("secretsmanager")  # type: ignore[no-any-return]


class SecretSource:
    """One secret: by name (or ARN) from Secrets Manager, cached `max_age_seconds`; else a local value.

    The local value is for runs without Secrets Manager only; a name, when set, always wins.
    """

    def __init__(
        self,
        name: str,
        local_value: str | None = None,
        max_age_seconds: int = 300,
        client: SecretsManagerClient | None = None,
        client_factory: Callable[[], SecretsManagerClient] | None = None,
    ) -> None:
        if not name and not local_value:
            raise ValueError("a secret needs a Secrets Manager name or a local value")
        self.name = name
        self.local_value = local_value
        self.max_age_seconds = max_age_seconds
        self._client = client
        self._client_factory = client_factory or default_client
        self._provider: SecretsProvider | None = None

    def _secrets(self) -> SecretsProvider:
        # Built on first use, once per container: a request refused before it needs the secret costs no client.
        if self._provider is None:
            self._provider = SecretsProvider(boto3_client=self._client or self._client_factory())
        return self._provider

    def get(self) -> bytes:
        if not self.name:
            assert self.local_value is not None
            return self.local_value.encode()
        try:
            value = self._secrets().get(self.name, max_age=self.max_age_seconds)
        except GetParameterError as error:
            logger.error("secret unreadable", extra={"secret": self.name, "error": str(error)})
            raise SecretUnavailable("the secret could not be read from Secrets Manager; retry later") from error
        raw = value.encode() if isinstance(value, str) else value if isinstance(value, bytes) else b""
        if not raw:
            logger.error("secret empty", extra={"secret": self.name})
            raise SecretUnavailable("the secret in Secrets Manager is empty")
        return raw


def secret_source(
    name: str | None, local_value: SecretStr | None, max_age_seconds: int, clients: AwsClients
) -> SecretSource:
    """A function's secret from its settings: the Secrets Manager name, else the local-only value."""
    return SecretSource(
        name or "",
        local_value.get_secret_value() if local_value else None,
        max_age_seconds,
        client_factory=lambda: clients.secretsmanager,
    )
