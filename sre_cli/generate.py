"""`sre generate`: every target renders in memory first; files are written only if all succeed.

A target is a module with a `TARGET` attribute. It owns glob patterns under the output root, so a
file it no longer produces (an SLO was removed) is deleted by generate and reported by --check.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Collection
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sre_cli.fileio import atomic_write
from sre_cli.slospec.model import SpecSet

# Order matters only for readability of --check output.
TARGET_MODULES: tuple[str, ...] = (
    "sre_cli.slospec.schema",
    "sre_cli.runbooks.target",
    "sre_cli.targets.prometheus.rules",
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


# `sre generate --target prometheus`: a group names the targets one backend needs.
TARGET_GROUPS: dict[str, tuple[str, ...]] = {
    "prometheus": ("prometheus-rules", "alertmanager", "amp-alertmanager", "grafana", "yace-exporter"),
    "cloudwatch": ("cloudwatch-alarms", "cloudwatch-dashboards"),
}


def target_names() -> list[str]:
    """What `--target` accepts: a group, or one target's own name."""
    return [*TARGET_GROUPS, *(t.name for t in targets())]


def chosen_targets(names: Collection[str] = ()) -> list[Target]:
    """The targets `names` select (groups expanded), in registry order; all of them when none are named."""
    if not names:
        return targets()
    wanted = {member for name in names for member in TARGET_GROUPS.get(name, (name,))}
    unknown = wanted - {t.name for t in targets()}
    if unknown:
        raise ValueError(f"unknown target {', '.join(sorted(unknown))} (known: {', '.join(target_names())})")
    return [t for t in targets() if t.name in wanted]


# The costliest target renders in a forked second process while this one renders the rest
# (benchmarks/README.md). Below PARALLEL_MIN_SLOS the fork costs more than it saves; with threads
# running (a test's moto server) fork is not safe.
OFFLOADED_TARGET = "cloudwatch-alarms"
PARALLEL_MIN_SLOS = 200


def render_all(specs: SpecSet, parallel: bool | None = None, chosen: list[Target] | None = None) -> dict[str, str]:
    """Every (chosen) target's files, sorted by path. `parallel` None decides by size and platform."""
    chosen = targets() if chosen is None else chosen
    if parallel is None:
        parallel = len(specs.slos) >= PARALLEL_MIN_SLOS and _can_fork()
    if not parallel or OFFLOADED_TARGET not in {t.name for t in chosen}:
        return _files([t.render(specs) for t in chosen])
    with _second_process() as pool:
        offloaded = pool.submit(_render_target, OFFLOADED_TARGET, specs)
        rendered = [t.render(specs) for t in chosen if t.name != OFFLOADED_TARGET]
        rendered.append(offloaded.result())  # the worker's exception, if any, is raised here
    return _files(rendered)


def _files(rendered: list[dict[str, str]]) -> dict[str, str]:
    outputs: dict[str, str] = {}
    for files in rendered:
        for path, content in files.items():
            if path in outputs:
                raise RuntimeError(f"two targets write {path}")
            outputs[path] = content if content.endswith("\n") else content + "\n"
    return dict(sorted(outputs.items()))


def _can_fork() -> bool:
    forks = "fork" in multiprocessing.get_all_start_methods()
    return forks and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def _second_process() -> ProcessPoolExecutor:
    # Forked: the worker starts with every module already imported (botocore's model included).
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))


def _render_target(name: str, specs: SpecSet) -> dict[str, str]:
    """Runs in the worker, which finds the target by name in its own (forked) copy of the registry."""
    return next(t for t in targets() if t.name == name).render(specs)


def plan(outputs: dict[str, str], root: Path, chosen: list[Target] | None = None) -> Plan:
    """What to write, delete and leave; only files the (chosen) targets own are ever deleted."""
    result = Plan()
    for rel, content in outputs.items():
        path = root / rel
        if path.is_file() and path.read_text(encoding="utf-8") == content:
            result.unchanged.append(rel)
        else:
            result.write[rel] = content
    owned = {
        str(p.relative_to(root))
        for t in (targets() if chosen is None else chosen)
        for pattern in t.owns
        for p in root.glob(pattern)
        if p.is_file()
    }
    result.delete = sorted(owned - set(outputs))
    return result


def execute(result: Plan, root: Path) -> None:
    for rel, content in result.write.items():
        atomic_write(root / rel, content)
    for rel in result.delete:
        (root / rel).unlink(missing_ok=True)
