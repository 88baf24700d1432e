"""Table-driven generator tests: tiny specs in, `sre generate` run as a user runs it, files out.

The generators are driven through the CLI only (`sre generate --specs <dir> --out <dir>`, in
process with click's CliRunner), never through the package's internal API, so a table row keeps
meaning the same thing while the internals move. Each row is a spec written without its
`apiVersion`/`kind` lines (added here) and, when it needs one, a `defaults.yaml`.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sre_cli.cli import cli

SPEC_HEADER = "apiVersion: sre.dev/v1\nkind: SLO\n"


@dataclass(frozen=True)
class Case:
    """One table row: a spec snippet (metadata + spec), optional defaults.yaml, what must come out."""

    id: str
    spec: str
    expect: dict[str, Any]
    defaults: str | None = None
    marks: tuple[Any, ...] = field(default=())


class Contains(str):
    """An expected value that only has to occur in the actual text."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and str(self) in other

    __hash__ = str.__hash__


@dataclass(frozen=True)
class Generated:
    """What `sre generate` did with one case: its exit code, its output, and the output root."""

    exit_code: int
    output: str
    out: Path

    def text(self, rel: str) -> str:
        assert self.exit_code == 0, self.output
        return (self.out / rel).read_text(encoding="utf-8")

    def yaml(self, rel: str) -> Any:
        return yaml.safe_load(self.text(rel))

    def json(self, rel: str) -> Any:
        return json.loads(self.text(rel))


def write_specs(root: Path, spec: str, defaults: str | None) -> Path:
    """`root/slo/` with the case's spec (one file, `case.yaml`) and defaults; returns the dir."""
    slo = root / "slo"
    slo.mkdir(parents=True)
    (slo / "case.yaml").write_text(SPEC_HEADER + textwrap.dedent(spec).lstrip("\n"), encoding="utf-8")
    if defaults is not None:
        (slo / "defaults.yaml").write_text(textwrap.dedent(defaults).lstrip("\n"), encoding="utf-8")
    return slo


def generate(root: Path, spec: str, defaults: str | None = None) -> Generated:
    """Write the case under `root` and run `sre generate` on it, output under `root/out`."""
    slo = write_specs(root, spec, defaults)
    out = root / "out"
    result = CliRunner().invoke(cli, ["generate", "--specs", str(slo), "--out", str(out)])
    return Generated(result.exit_code, result.output, out)


def generate_table(tmp_root: Path, cases: list[Case]) -> dict[str, Generated]:
    """Every case of a table generated once (a test module's fixture shares them between tests)."""
    return {case.id: generate(tmp_root / case.id, case.spec, case.defaults) for case in cases}


def params(cases: list[Case]) -> list[Any]:
    """pytest parameters of a table, one per row, carrying the row's marks (an xfail for a known bug)."""
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return [pytest.param(c, id=c.id, marks=c.marks) for c in cases]
