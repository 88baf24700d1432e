"""render_all's second process: the same files as a serial render, and its errors surface."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor

import pytest

from sre_cli import generate
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.cloudwatch import alarms

needs_fork = pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork on this platform")


@needs_fork
def test_forked_render_writes_exactly_what_a_serial_render_writes(repo_specs: SpecSet) -> None:
    specs = repo_specs
    serial = generate.render_all(specs, parallel=False)
    forked = generate.render_all(specs, parallel=True)
    assert list(forked) == list(serial)
    assert forked == serial
    assert any(p.startswith("alarms/cloudwatch/") for p in forked)  # the offloaded target's files came back


@needs_fork
def test_an_error_in_the_forked_target_reaches_the_caller(monkeypatch: pytest.MonkeyPatch, repo_specs: SpecSet) -> None:
    def broken(_specs: object) -> dict[str, str]:
        raise ValueError("slo/api.yaml:12: SLO api-availability, page tier: no alarm period fits")

    monkeypatch.setattr(alarms, "TARGET", generate.Target(alarms.TARGET.name, alarms.TARGET.owns, broken))
    with pytest.raises(ValueError, match="no alarm period fits"):
        generate.render_all(repo_specs, parallel=True)


def test_small_spec_sets_render_in_one_process(monkeypatch: pytest.MonkeyPatch, repo_specs: SpecSet) -> None:
    specs = repo_specs
    assert len(specs.slos) < generate.PARALLEL_MIN_SLOS  # so `sre generate` on the repo never forks

    def no_fork(*_args: object) -> None:
        raise AssertionError("render_all started a second process for a small spec set")

    monkeypatch.setattr(generate, "_second_process", no_fork)
    assert generate.render_all(specs) == generate.render_all(specs, parallel=False)


@needs_fork
def test_large_spec_sets_fork_when_it_is_safe(monkeypatch: pytest.MonkeyPatch, repo_specs: SpecSet) -> None:
    specs = repo_specs
    monkeypatch.setattr(generate, "PARALLEL_MIN_SLOS", 1)
    monkeypatch.setattr(generate, "_can_fork", lambda: True)
    forked: list[str] = []
    real = generate._second_process

    def recording() -> ProcessPoolExecutor:
        pool = real()
        submit = pool.submit

        def record(fn: Callable[..., object], /, *args: object) -> Future[object]:
            forked.append(str(args[0]))  # the name of the target sent to the second process
            return submit(fn, *args)

        monkeypatch.setattr(pool, "submit", record)
        return pool

    monkeypatch.setattr(generate, "_second_process", recording)
    generate.render_all(specs)
    assert forked == [generate.OFFLOADED_TARGET]
