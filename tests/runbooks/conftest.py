from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The specs and the hand-written runbook inputs in a scratch repository."""
    shutil.copytree(REPO / "slo", tmp_path / "slo")
    shutil.copytree(REPO / "runbooks" / "_hand", tmp_path / "runbooks" / "_hand")
    shutil.copytree(REPO / "runbooks" / "incidents", tmp_path / "runbooks" / "incidents")
    return tmp_path
