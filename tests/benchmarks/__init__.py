"""Benchmarks: scripts, not timed tests. Run one with ``python -m tests.benchmarks NAME``."""
