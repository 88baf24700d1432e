"""Fixtures shared by every test folder."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from sre_cli.slospec.model import SpecSet
from tests.support.repo_specs import shared_repo_specs

# Property tests check what holds, not how fast: hypothesis' per-example deadline is a timed
# assert that fails on a loaded machine (speed lives in benchmarks/).
settings.register_profile("sre", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("sre")


@pytest.fixture(scope="session")
def repo_specs() -> SpecSet:
    """The stack's own specs (slo/), loaded once per session; shared, so never mutate them."""
    return shared_repo_specs()
