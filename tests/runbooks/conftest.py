from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sre_cli.slospec.load import load
from sre_cli.slospec.model import SpecSet

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo_specs() -> SpecSet:
    specs = load([REPO / "slo"])
    assert not specs.errors, specs.errors
    return specs


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The specs and the hand-written runbook inputs in a scratch repository."""
    shutil.copytree(REPO / "slo", tmp_path / "slo")
    shutil.copytree(REPO / "runbooks" / "_hand", tmp_path / "runbooks" / "_hand")
    shutil.copytree(REPO / "runbooks" / "incidents", tmp_path / "runbooks" / "incidents")
    return tmp_path
