"""Fixtures shared by every test folder."""

from __future__ import annotations

import pytest

from sre_cli.slospec.model import SpecSet
from tests.support.repo_specs import shared_repo_specs


@pytest.fixture(scope="session")
def repo_specs() -> SpecSet:
    """The stack's own specs (slo/), loaded once per session; shared, so never mutate them."""
    return shared_repo_specs()
