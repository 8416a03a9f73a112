"""Manual-achievement tests share the people fixtures (graphs on moto, the route caller)."""

from tests.unit.people.conftest import call, people, queue_url  # noqa: F401
