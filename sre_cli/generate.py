"""`sre generate`: every target renders in memory first; files are written only if all succeed.

A target is a module with a `TARGET` attribute; `owns` names, as glob patterns under the output
root, where it writes. What generate may delete is narrower: only files listed in the manifest
(MANIFEST, at the output root) that the last run wrote and this run no longer produces (an SLO was
removed). A file at a generated path that the manifest does not list is someone else's: generate
takes it over only if it already holds exactly what would be written, and otherwise refuses.
The whole output is staged and swapped in (fileio.replace_tree), so a failure leaves the previous
output whole.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from sre_cli.fileio import replace_tree
from sre_cli.slospec.model import SpecSet

MANIFEST = ".sre-generated.json"
MANIFEST_ABOUT = "Files `sre generate` wrote under this folder; it deletes only files listed here. Commit it with them."

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


class ManifestError(ValueError):
    """The manifest is not one generate wrote: unreadable, or naming paths outside the output root."""


@dataclass
class Plan:
    write: dict[str, str] = field(default_factory=dict)  # changed or new
    delete: list[str] = field(default_factory=list)  # in the last run's manifest, no longer produced
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # "path: why", files in the way: nothing may be written
    manifest: str | None = None  # the manifest's new text; None when it is current

    @property
    def stale(self) -> list[str]:
        return sorted([*self.write, *self.delete, *([MANIFEST] if self.manifest is not None else [])])


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


def plan(outputs: dict[str, str], root: Path, scope: Sequence[Target] | None = None) -> Plan:
    """What generate would change under `root`; reads, never writes.

    `scope` is the targets that rendered `outputs` when a run renders only some of them: files of
    the last run outside their `owns` patterns are then neither deleted nor dropped from the
    manifest. None (every target rendered) puts every file of the last run in scope.
    """
    previous = read_manifest(root)
    result = Plan()
    folders_seen: set[PurePosixPath] = set()
    for rel, content in outputs.items():
        problem = _blocked(root, rel, folders_seen)
        if problem is None and (root / rel).is_file():
            if _read_text(root / rel) == content:
                result.unchanged.append(rel)  # adopted into the manifest if it was not there yet
                continue
            if rel not in previous:
                problem = f"{rel}: exists and `sre generate` did not write it (not in {MANIFEST}); move it away"
        if problem:
            result.conflicts.append(problem)
        else:
            result.write[rel] = content
    result.conflicts = list(dict.fromkeys(result.conflicts))  # a misplaced file blocks a whole folder once
    in_scope = previous if scope is None else {rel for rel in previous if _owned(rel, scope)}
    result.delete = sorted(rel for rel in in_scope - outputs.keys() if (root / rel).is_file())
    files = sorted((previous - in_scope) | outputs.keys())
    manifest = manifest_text(files)
    current = _read_text(root / MANIFEST)
    if current != manifest and (files or current is not None):  # nothing written needs no manifest
        result.manifest = manifest
    return result


def _blocked(root: Path, rel: str, folders_seen: set[PurePosixPath]) -> str | None:
    """Why no file can be written at `rel` whoever owns it ("path: why"), or None."""
    for folder in reversed(PurePosixPath(rel).parents[:-1]):
        if folder not in folders_seen:
            if (root / folder).exists() and not (root / folder).is_dir():
                return f"{folder}: a file where `sre generate` needs a folder; move it away"
            folders_seen.add(folder)
    path = root / rel
    if (path.exists() or path.is_symlink()) and not path.is_file():
        return f"{rel}: not a regular file, where `sre generate` writes one; move it away"
    return None


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
        return None


def _owned(rel: str, scope: Sequence[Target]) -> bool:
    # Segment by segment, like Path.glob: `*` never crosses a `/`.
    parts = rel.split("/")
    for target in scope:
        for pattern in target.owns:
            globs = pattern.split("/")
            if len(globs) == len(parts) and all(fnmatchcase(p, g) for p, g in zip(parts, globs, strict=True)):
                return True
    return False


def manifest_text(files: list[str]) -> str:
    return json.dumps({"about": MANIFEST_ABOUT, "files": files}, indent=2) + "\n"


def read_manifest(root: Path) -> set[str]:
    """The files the last run wrote under `root`; none when it has no manifest (a first run)."""
    path = root / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: unreadable: {exc}") from exc
    try:
        files = json.loads(text)["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ManifestError(f"{path}: not a manifest `sre generate` wrote (a JSON object with a files list)") from exc
    if not isinstance(files, list):
        raise ManifestError(f"{path}: files is not a list")
    for entry in files:
        if not _inside_root(entry):
            raise ManifestError(f"{path}: {entry!r} is not a relative path inside the output root")
    return set(files)


def _inside_root(entry: object) -> bool:
    if not isinstance(entry, str) or not entry or "\\" in entry or entry == MANIFEST:
        return False
    path = PurePosixPath(entry)
    return not path.is_absolute() and ".." not in path.parts and str(path) == entry


def execute(result: Plan, root: Path) -> None:
    """Apply `result` all or nothing; an OSError (full disk, ...) leaves the previous output whole."""
    if result.conflicts:
        raise ValueError(f"{len(result.conflicts)} file(s) in the way of generated output: {result.conflicts[0]}")
    writes = dict(result.write)
    if result.manifest is not None:
        writes[MANIFEST] = result.manifest  # last: it records the files moved in before it
    replace_tree(root, writes, result.delete)


def spec_folder_outputs(outputs: dict[str, str], root: Path, specs: Path) -> list[str]:
    """Generated files that would land inside the spec folder, where they do not belong.

    Refused: an output root that is the spec folder or inside it (`--out slo`), and any generated
    YAML in its tree (the loader would read it as a spec). The JSON Schemas beside the specs are
    not specs and may sit there.
    """
    from sre_cli.slospec.load import SPEC_SUFFIXES

    folder = (specs if specs.is_dir() else specs.parent).resolve()
    out = root.resolve()
    if out == folder or folder in out.parents:
        return sorted(outputs)
    if out not in folder.parents:
        return []
    prefix = folder.relative_to(out).as_posix() + "/"
    return [rel for rel in outputs if rel.startswith(prefix) and rel.endswith(SPEC_SUFFIXES)]
