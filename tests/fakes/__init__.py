"""Fakes of external services, on loopback, for tests and benchmarks."""
