"""Clients of the outside systems the collector reads (each built once per container, explicit timeouts)."""
