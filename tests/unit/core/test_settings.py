"""Settings are plain pydantic models over the environment, declared as they were with pydantic-settings."""

from __future__ import annotations

import pytest
from pydantic import Field, ValidationError

from achievements.core.settings import CoreSettings


class ExampleSettings(CoreSettings):
    """A feature's settings, declared the house way: fields named by validation_alias, a CoreSettings subclass."""

    retries: int = Field(default=2, ge=0, validation_alias="EXAMPLE_RETRIES")
    enabled: bool = Field(default=False, validation_alias="EXAMPLE_ENABLED")
    url: str | None = Field(default=None, validation_alias="EXAMPLE_URL")


def test_fields_are_read_from_their_variables_and_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the variables of a subclass and of CoreSettings in the environment
    monkeypatch.setenv("ACHIEVEMENTS_TABLE_NAME", "table-from-env")
    monkeypatch.setenv("EXAMPLE_RETRIES", "4")
    monkeypatch.setenv("EXAMPLE_ENABLED", "true")

    # When the settings are made
    settings = ExampleSettings()

    # Then every field has its variable's value, converted; unset ones keep their default
    assert settings.achievements_table_name == "table-from-env"
    assert settings.retries == 4
    assert settings.enabled is True
    assert settings.url is None
    assert settings.max_body_bytes == 64 * 1024


def test_keyword_arguments_by_alias_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a variable in the environment
    monkeypatch.setenv("EXAMPLE_RETRIES", "4")

    # When the settings are made with that alias as a keyword
    settings = ExampleSettings(EXAMPLE_RETRIES=1)  # type: ignore[call-arg]

    # Then the keyword wins
    assert settings.retries == 1


def test_an_invalid_variable_is_refused_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a variable out of its field's bounds
    monkeypatch.setenv("EXAMPLE_RETRIES", "-1")

    # When / Then the settings refuse it, naming the variable
    with pytest.raises(ValidationError, match="EXAMPLE_RETRIES"):
        ExampleSettings()


def test_settings_are_frozen_and_ignore_other_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an unrelated variable
    monkeypatch.setenv("SOMETHING_ELSE", "x")

    # When the settings are made
    settings = ExampleSettings()

    # Then it is not a field, and the settings cannot change
    assert "SOMETHING_ELSE" not in settings.model_dump(by_alias=True)
    with pytest.raises(ValidationError):
        settings.retries = 3  # type: ignore[misc]
