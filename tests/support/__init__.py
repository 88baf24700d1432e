"""Test support: oracles, fixtures' helpers and local fake servers shared by tests and benchmarks.

Not shipped (the package is `sre_cli` only). Tests import it as `tests.support.<module>`: pytest puts
the repository root on sys.path (`pythonpath` in pyproject.toml); benchmarks run as modules from
the root (`python -m benchmarks.<name>`).
"""
