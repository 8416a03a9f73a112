"""One object graph per Lambda container, built once from the settings (the cookbook's `get_dal_handler`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from achievements.core.aws import AwsClients


class Container[S, G]:
    """`build(settings, clients=None)` makes the graph and keeps it; `current()` is what a handler uses.

    A function builds its graph at import (init, once per container); tests and the local stack build it
    from their own clients instead of patching module attributes.
    """

    built: ClassVar[list[Container[Any, Any]]] = []

    def __init__(self, factory: Callable[..., G], settings: Callable[[], S]) -> None:
        self._factory = factory
        self._settings = settings
        self._graph: G | None = None
        self.clients = AwsClients()
        Container.built.append(self)

    def build(self, settings: S | None = None, clients: AwsClients | None = None, **extra: Any) -> G:
        self.clients = clients or AwsClients()
        self._graph = self._factory(settings or self._settings(), self.clients, **extra)
        return self._graph

    def default_settings(self) -> S:
        """The settings a build without any reads (from the function's environment)."""
        return self._settings()

    def current(self) -> G:
        if self._graph is None:
            return self.build()
        return self._graph

    def reset(self) -> None:
        self._graph = None
        self.clients = AwsClients()

    @classmethod
    def reset_all(cls) -> None:
        """Forget every graph (between tests: none leaks one test's clients into the next)."""
        for container in cls.built:
            container.reset()
