from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from sre_cli.slospec.model import Slo, SpecSet
from sre_cli.targets.cloudwatch import alarms
from tests.support.env_values import PROD_VALUES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def specs(repo_specs: SpecSet) -> SpecSet:
    """The shared `repo_specs` under this folder's name for them."""
    return repo_specs


@pytest.fixture(scope="session")
def _documents(specs: SpecSet) -> dict[str, dict[str, Any]]:
    return alarms.render_documents(specs)


@pytest.fixture
def documents(_documents: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Freshly copied per test, so tests may break them."""
    return copy.deepcopy(_documents)


def slo_named(specs: SpecSet, name: str) -> Slo:
    return next(s for s in specs.slos if s.name == name)


@pytest.fixture(scope="session")
def prod_values_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full `terraform output -json` form, which --values also accepts."""
    import json

    path = tmp_path_factory.mktemp("values") / "prod.json"
    path.write_text(json.dumps({"sre_values": {"sensitive": False, "type": ["map", "string"], "value": PROD_VALUES}}))
    return path
