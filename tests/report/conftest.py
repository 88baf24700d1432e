"""Shared fixtures: 30 days of synthetic history backfilled into one real Prometheus per session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sre_cli import promrun, synth
from sre_cli.slomath import HOUR
from sre_cli.slospec.model import SpecSet

REPO = Path(__file__).resolve().parents[2]
# A fixed end in the past: reports are asked about an instant Prometheus only knows from backfill.
END = 1_700_000_000 - 1_700_000_000 % HOUR


@dataclass
class History:
    data: synth.Synthetic
    url: str
    server: promrun.PrometheusServer


@pytest.fixture(scope="session")
def specs(repo_specs: SpecSet) -> SpecSet:
    """The shared `repo_specs` under this folder's name for them."""
    return repo_specs


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    root = tmp_path_factory.mktemp("history")
    data = synth.generate(synth.SynthConfig(end=END))
    promrun.backfill_openmetrics(data.save(root / "history.om"), root / "tsdb")
    with promrun.PrometheusServer(data_dir=root / "tsdb") as server:
        yield History(data, server.url, server)
