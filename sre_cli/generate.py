"""`sre generate`: every target renders in memory first; files are written only if all succeed.

A target is a module with a `TARGET` attribute. It owns glob patterns under the output root, so a
file it no longer produces (an SLO was removed) is deleted by generate and reported by --check.
"""

from __future__ import annotations

import importlib
import os
import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sre_cli import session
from sre_cli.fileio import atomic_write
from sre_cli.slospec.model import SpecSet

# Order matters only for readability of --check output.
TARGET_MODULES: tuple[str, ...] = (
    "sre_cli.slospec.schema",
    "sre_cli.runbooks.target",
    "sre_cli.targets.prometheus.rules",
    "sre_cli.targets.prometheus.prometheusrule",
    "sre_cli.targets.prometheus.alertmanager",
    "sre_cli.targets.prometheus.amp_alertmanager",
    "sre_cli.targets.prometheus.grafana",
    "sre_cli.targets.exporters.yace",
    "sre_cli.targets.cloudwatch.alarms",
    "sre_cli.targets.cloudwatch.dashboards",
)


@dataclass(frozen=True)
class Target:
    name: str
    owns: tuple[str, ...]  # glob patterns relative to the output root
    render: Callable[[SpecSet], dict[str, str]]  # relative path -> file content


@dataclass
class Plan:
    write: dict[str, str] = field(default_factory=dict)  # changed or new
    delete: list[str] = field(default_factory=list)  # owned but no longer produced
    unchanged: list[str] = field(default_factory=list)

    @property
    def stale(self) -> list[str]:
        return sorted([*self.write, *self.delete])


def targets() -> list[Target]:
    return [importlib.import_module(m).TARGET for m in TARGET_MODULES]


# The costliest target (half of the time at 1,000 SLOs: build + botocore-model validation) renders
# in a forked second process while this one renders the rest. Below PARALLEL_MIN_SLOS the fork
# costs more than it saves; with threads running (a test's moto server) fork is not safe.
OFFLOADED_TARGET = "cloudwatch-alarms"
PARALLEL_MIN_SLOS = 200


def render_all(specs: SpecSet, parallel: bool | None = None) -> dict[str, str]:
    """Every target's files, sorted by path. `parallel` None decides by size and platform."""
    chosen = targets()
    if parallel is None:
        parallel = len(specs.slos) >= PARALLEL_MIN_SLOS and _can_fork()
    offloaded = [t for t in chosen if parallel and t.name == OFFLOADED_TARGET]
    child = _ForkedRender(offloaded[0], specs) if offloaded else None
    outputs: dict[str, str] = {}
    with session.render_session():  # targets share work, e.g. the rule groups (see session)
        for target in chosen:
            if target not in offloaded:
                _collect(outputs, target.render(specs))
    if child is not None:
        _collect(outputs, child.result())
    return dict(sorted(outputs.items()))


def _collect(outputs: dict[str, str], rendered: dict[str, str]) -> None:
    for path, content in rendered.items():
        if path in outputs:
            raise RuntimeError(f"two targets write {path}")
        outputs[path] = content if content.endswith("\n") else content + "\n"


def _can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


class _ForkedRender:
    """One target rendered in a forked child; its files (or its exception) come back pickled."""

    def __init__(self, target: Target, specs: SpecSet) -> None:
        read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child: render, send, exit without running the parent's cleanup
            os.close(read_end)
            try:
                with session.render_session():
                    payload: tuple[str, object] = ("ok", target.render(specs))
            except BaseException as exc:  # whatever it is, the parent re-raises it
                payload = ("error", exc)
            try:
                data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # an exception that does not pickle still reaches the parent, as text
                data = pickle.dumps(("error", RuntimeError(repr(payload[1]))))
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            os._exit(0)
        os.close(write_end)
        self._read_end = read_end

    def result(self) -> dict[str, str]:
        with os.fdopen(self._read_end, "rb") as source:
            data = source.read()
        _, status = os.waitpid(self._pid, 0)
        if not data:
            raise RuntimeError(f"the forked render died (wait status {status})")
        kind, value = pickle.loads(data)
        if kind == "error":
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]


def plan(outputs: dict[str, str], root: Path) -> Plan:
    result = Plan()
    for rel, content in outputs.items():
        path = root / rel
        if path.is_file() and path.read_text(encoding="utf-8") == content:
            result.unchanged.append(rel)
        else:
            result.write[rel] = content
    owned = {
        str(p.relative_to(root)) for t in targets() for pattern in t.owns for p in root.glob(pattern) if p.is_file()
    }
    result.delete = sorted(owned - set(outputs))
    return result


def execute(result: Plan, root: Path) -> None:
    for rel, content in result.write.items():
        atomic_write(root / rel, content)
    for rel in result.delete:
        (root / rel).unlink(missing_ok=True)
