"""`sre generate` pauses the cyclic collector while it renders, and only then (a policy of the command)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from click.testing import CliRunner

from sre_cli import generate
from sre_cli.cli import cli
from sre_cli.commands.generate import cyclic_gc_paused
from sre_cli.slospec.load import load_or_raise

ROOT = Path(__file__).resolve().parents[2]


def test_the_cyclic_collector_pauses_within_the_block_only() -> None:
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_the_collector_resumes_when_rendering_fails() -> None:
    with pytest.raises(ValueError), cyclic_gc_paused():
        raise ValueError("slo/api.yaml:3: bad")
    assert gc.isenabled()


def test_generate_renders_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[bool] = []

    def probe(_specs: object) -> dict[str, str]:
        seen.append(gc.isenabled())
        return {}

    monkeypatch.setattr(generate, "targets", lambda: [generate.Target("probe", (), probe)])
    # an empty output root: the repository's own output is the real targets', which the probe replaces
    result = CliRunner().invoke(cli, ["generate", "--specs", str(ROOT / "slo"), "--out", str(tmp_path), "--check"])
    assert result.exit_code == 0, result.output
    assert seen == [False]
    assert gc.isenabled()


def test_render_all_leaves_the_collector_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def probe(_specs: object) -> dict[str, str]:
        seen.append(gc.isenabled())
        return {}

    monkeypatch.setattr(generate, "targets", lambda: [generate.Target("probe", (), probe)])
    generate.render_all(load_or_raise([ROOT / "slo"]))
    assert seen == [True]
