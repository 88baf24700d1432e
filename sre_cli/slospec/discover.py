"""Which files a spec path names: the spec files, their defaults.yaml and the repository root.

Apart from the loader (pydantic), so the spec cache can tell what a load would read without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sre_cli.slospec.errors import SpecError

DEFAULTS_FILE = "defaults.yaml"
SPEC_SUFFIXES = (".yaml", ".yml")


def spec_files(paths: Iterable[Path]) -> tuple[list[Path], list[SpecError]]:
    files: list[Path] = []
    errors: list[SpecError] = []
    for p in paths:
        if p.is_dir():
            files.extend(
                f for f in sorted(p.rglob("*")) if f.suffix in SPEC_SUFFIXES and f.is_file() and f.name != DEFAULTS_FILE
            )
        elif p.is_file():
            files.append(p)
        else:
            errors.append(SpecError(str(p), 1, 1, "", "no such file or directory"))
    # `sre validate slo slo/api.yaml` names a file twice; reading it twice would report its
    # SLOs as duplicates of themselves.
    seen: set[Path] = set()
    unique = []
    for f in files:
        if f.resolve() not in seen:
            seen.add(f.resolve())
            unique.append(f)
    return unique, errors


def find_root(paths: list[Path]) -> Path:
    """The repo root: parent of the spec directory (runbook paths are relative to it)."""
    first = paths[0] if paths else Path("slo")
    spec_dir = first if first.is_dir() else first.parent
    return spec_dir.resolve().parent


def find_defaults(paths: list[Path]) -> Path | None:
    for p in paths:
        d = p if p.is_dir() else p.parent
        if (d / DEFAULTS_FILE).is_file():
            return d / DEFAULTS_FILE
    return None
