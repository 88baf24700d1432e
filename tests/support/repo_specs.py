"""The stack's own specs (slo/), loaded once per test process.

Tests take them as the session fixture `repo_specs` (tests/conftest.py); module-level code (a
parametrize list) and plain helpers call `shared_repo_specs()` here, which returns the same object.
"""

from __future__ import annotations

import functools
from pathlib import Path

from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import SpecSet

REPO = Path(__file__).resolve().parents[2]
SLO_DIR = REPO / "slo"


def load_repo_specs() -> SpecSet:
    """A fresh load of slo/ (raises listing every error): for tests about loading itself."""
    return load_or_raise([SLO_DIR])


@functools.cache
def shared_repo_specs() -> SpecSet:
    """slo/, loaded once; shared, so never mutate it (derive a changed copy with dataclasses.replace)."""
    return load_repo_specs()
