"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from sre_cli.slospec.model import SpecSet
from tests.support.moto_server import moto_server, use_fake_credentials
from tests.support.repo_specs import shared_repo_specs

# Property tests check what holds, not how fast: hypothesis' per-example deadline is a timed
# assert that fails on a loaded machine (speed lives in benchmarks/).
settings.register_profile("sre", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("sre")


@pytest.fixture(scope="session", autouse=True)
def spec_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The validated-spec cache of this session, never the user's: CLI runs over specs an earlier test
    loaded read them from it (so report tests run on cached specs too); subprocesses inherit it."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session")
def repo_specs() -> SpecSet:
    """The stack's own specs (slo/), loaded once per session; shared, so never mutate them."""
    return shared_repo_specs()


@pytest.fixture
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """boto3 finds credentials (moto accepts any) and never the machine's own."""
    use_fake_credentials(monkeypatch)


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """A moto server on 127.0.0.1 for one test module."""
    with moto_server() as url:
        yield url


@pytest.fixture
def endpoint(moto_url: str) -> str:
    """The module's moto server, reset: a clean account for each test."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=10)
    return moto_url
