"""Imported documents as spec files: staged in full, checked by the spec loader, then written.

Nothing reaches the output directory unless every file would be written and every imported SLO
passes `sre validate` with the directory's defaults.yaml: a failed import leaves it untouched.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from sre_cli.fileio import atomic_write
from sre_cli.interop.report import ImportedSlo, ImportResult
from sre_cli.slospec.errors import SpecError
from sre_cli.slospec.load import DEFAULTS_FILE, load

SCHEMA_COMMENT = "# yaml-language-server: $schema=./schema.json"


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the order built, long selectors on one line."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)


def _comment(lines: list[str]) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def service_file(slos: list[ImportedSlo]) -> str:
    """One service's SLOs as one spec file, each document under its comments."""
    parts = [f"{SCHEMA_COMMENT}\n{_comment(s.comments)}{to_yaml(s.document)}" for s in slos]
    return "---\n".join(parts)


def defaults_file(targets: dict[str, dict[str, str]]) -> str:
    body = to_yaml({"notificationTargets": targets})
    return f"# yaml-language-server: $schema=./defaults.schema.json\n# Written by `sre import`.\n{body}"


def stage(result: ImportResult, out: Path, *, force: bool = False) -> tuple[dict[Path, str], list[SpecError]]:
    """The files an import writes, or the reasons it must not write any."""
    files: dict[Path, str] = {}
    by_service: dict[str, list[ImportedSlo]] = {}
    for slo in result.slos:
        by_service.setdefault(slo.service, []).append(slo)
    errors: list[SpecError] = []
    for service, slos in sorted(by_service.items()):
        path = out / f"{service}.yaml"
        if path.exists() and not force:
            errors.append(SpecError(str(path), 1, 1, "", "exists; not overwritten (use --force)"))
        files[path] = service_file(slos)
    if result.notification_targets and not (out / DEFAULTS_FILE).exists():
        files[out / DEFAULTS_FILE] = defaults_file(result.notification_targets)
    names = [s.name for s in result.slos]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(SpecError(str(out), 1, 1, "metadata.name", f"two source objects import as SLO {name!r}"))
    if errors or not files:
        return files, errors
    return files, _validate(files, out)


def _validate(files: dict[Path, str], out: Path) -> list[SpecError]:
    """`sre validate` of the staged files, beside the repository they go into (runbook paths resolve)."""
    root = out.resolve().parent
    root.mkdir(parents=True, exist_ok=True)
    # A spec directory directly under the root, as `out` is, so runbook paths resolve alike.
    spec_dir = Path(tempfile.mkdtemp(prefix=".sre-import-", dir=root))
    try:
        if (out / DEFAULTS_FILE).is_file():
            shutil.copy(out / DEFAULTS_FILE, spec_dir / DEFAULTS_FILE)
        for path, text in files.items():
            (spec_dir / path.name).write_text(text, encoding="utf-8")
        specs = load([spec_dir])
        staged = {s.name for s in specs.slos}
        existing = load([out]).slos if any(out.glob("*.y*ml")) else []
        errors = [SpecError(str(out / Path(e.file).name), e.line, e.col, e.field, e.message) for e in specs.errors]
        errors += [
            SpecError(s.file, s.name_line, s.name_col, "metadata.name", f"SLO {s.name!r} already exists here")
            for s in existing
            if s.name in staged and Path(s.file).resolve() not in {p.resolve() for p in files}
        ]
        return errors
    finally:
        shutil.rmtree(spec_dir, ignore_errors=True)


def write(files: dict[Path, str]) -> None:
    for path, text in sorted(files.items()):
        atomic_write(path, text)
