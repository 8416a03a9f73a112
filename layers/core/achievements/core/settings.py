"""Environment of the functions as pydantic models, validated once per container.

A settings class declares each field with `validation_alias="ENV_NAME"` and subclasses `CoreSettings`;
`SomeSettings()` reads those variables from the environment, and keyword arguments (by alias) win over them,
as pydantic-settings did. It is a plain `BaseModel`: pydantic-settings costs a cold start ~7 % of the whole
import for what this is (docs/quality.md, "Cold start"), so the layer does not import it (import contract
"settings").
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr


def _names(field_name: str, alias: Any) -> tuple[str, ...]:
    if isinstance(alias, str):
        return (alias,)
    choices = getattr(alias, "choices", None)  # AliasChoices: the first variable that is set wins
    if choices:
        return tuple(choice for choice in choices if isinstance(choice, str))
    return (field_name.upper(),)


class CoreSettings(BaseModel):
    """What every function reads from its environment (names only; secrets come from Secrets Manager)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    achievements_table_name: str = Field(min_length=3, validation_alias="ACHIEVEMENTS_TABLE_NAME")
    max_body_bytes: int = Field(default=64 * 1024, gt=0, validation_alias="MAX_BODY_BYTES")
    # SPEC §8: whose an achievement is when neither the event nor the registry says (template DefaultOwner).
    default_owner: str = Field(
        default="me", pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$", validation_alias="DEFAULT_OWNER"
    )

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**self.environment(), **values})

    @classmethod
    def environment(cls) -> dict[str, str]:
        """The class's variables that are set, by alias (as pydantic-settings: case-sensitive names, strings)."""
        found: dict[str, str] = {}
        for name, field in cls.model_fields.items():
            for variable in _names(name, field.validation_alias or field.alias):
                if variable in os.environ:
                    found[variable] = os.environ[variable]
                    break
        return found


class OpenAISettings(CoreSettings):
    """A function that calls OpenAI: its model and where its key is (each sets its own timeout and retries)."""

    openai_model: str = Field(default="gpt-4o-mini", min_length=1, validation_alias="OPENAI_MODEL")
    openai_api_key_secret_id: str | None = Field(
        default=None,
        description="Name or ARN of the secret holding the key",
        validation_alias="OPENAI_API_KEY_SECRET_ID",
    )
    openai_api_key: SecretStr | None = Field(
        default=None, description="Local use only; the deployed stack never sets it", validation_alias="OPENAI_API_KEY"
    )
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    secret_max_age_seconds: int = Field(default=300, ge=0, validation_alias="OPENAI_KEY_CACHE_SECONDS")


@lru_cache(maxsize=1)
def core_settings() -> CoreSettings:
    return CoreSettings()
