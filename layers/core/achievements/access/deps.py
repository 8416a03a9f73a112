"""The authorizer's and the tokens API's object graph, built once per container."""

from __future__ import annotations

from dataclasses import dataclass

from achievements.access.service import Authorizer
from achievements.access.settings import AccessSettings, access_settings
from achievements.access.usage import UsageKeys
from achievements.core.aws import AwsClients
from achievements.core.container import Container
from achievements.core.secrets import secret_source
from achievements.store.tokens import TokenStore


@dataclass(frozen=True)
class AccessDeps:
    settings: AccessSettings
    tokens: TokenStore
    usage: UsageKeys
    authorizer: Authorizer


def _build(settings: AccessSettings, clients: AwsClients) -> AccessDeps:
    tokens = TokenStore(settings.tokens_table_name, clients.dynamodb)
    usage = UsageKeys(lambda: clients.apigateway, settings.usage_plan_name, settings.bootstrap_usage_key)
    bootstrap = secret_source(
        settings.bootstrap_token_secret_id, settings.bootstrap_token, settings.bootstrap_cache_seconds, clients
    )
    return AccessDeps(settings, tokens, usage, Authorizer(tokens, bootstrap, usage, settings.default_owner))


deps = Container(_build, access_settings)
