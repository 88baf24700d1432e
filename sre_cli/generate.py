"""`sre generate`: every target renders in memory first; files are written only if all succeed.

A target is a module with a `TARGET` attribute. It owns glob patterns under the output root, so a
file it no longer produces (an SLO was removed) is deleted by generate and reported by --check.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sre_cli import session
from sre_cli.fileio import atomic_write
from sre_cli.spec import SpecSet

# Order matters only for readability of --check output.
TARGET_MODULES: tuple[str, ...] = (
    "sre_cli.spec.schema",
    "sre_cli.runbooks.target",
    "sre_cli.targets.prometheus.rules",
    "sre_cli.targets.prometheus.prometheusrule",
    "sre_cli.targets.prometheus.alertmanager",
    "sre_cli.targets.prometheus.grafana",
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


def render_all(specs: SpecSet) -> dict[str, str]:
    outputs: dict[str, str] = {}
    with session.render_session():  # targets share work, e.g. the rule groups (see session)
        for target in targets():
            for path, content in target.render(specs).items():
                if path in outputs:
                    raise RuntimeError(f"two targets write {path}")
                outputs[path] = content if content.endswith("\n") else content + "\n"
    return dict(sorted(outputs.items()))


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
