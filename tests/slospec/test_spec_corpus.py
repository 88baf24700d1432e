"""Every broken spec gives exit 2, its exact file:line:col, field and message, and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from spec_corpus import BROKEN, Case, cases, unmatched

from sre_cli.cli import cli

CASES = cases()
SRE = Path(sys.executable).parent / "sre"


def test_corpus_is_large_and_every_case_declares_expectations() -> None:
    assert len(CASES) >= 45
    assert [c.name for c in CASES if not c.expected] == []


def _assert_reported(case: Case, exit_code: int, stdout: str, stderr: str) -> None:
    output = stdout + stderr
    assert exit_code == 2, output
    assert "Traceback" not in output
    missing, extra = unmatched(case, stderr)
    assert not missing and not extra, (
        f"\nmissing: {[str(m) for m in missing]}\nunexpected: {[r.rest for r in extra]}\noutput:\n{output}"
    )
    n = len(case.expected)
    assert stderr.rstrip().endswith(f"{n} error{'s' if n != 1 else ''}")
    assert stdout == ""  # nothing that looks like success


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_broken_spec_via_cli(case: Case) -> None:
    result = CliRunner().invoke(cli, ["validate", str(case.path)])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    _assert_reported(case, result.exit_code, result.stdout, result.stderr)


SUBPROCESS_CASES = [
    "syntax-tab-indentation.yaml",
    "yaml-python-tag.yaml",
    "yaml-billion-laughs.yaml",
    "binary-junk.yaml",
    "invalid-utf8.yaml",
    "many-errors.yaml",
    "dir-duplicate-names",
]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_broken_spec_via_installed_command(name: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == name)
    proc = subprocess.run(
        [str(SRE), "validate", str(case.path)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    _assert_reported(case, proc.returncode, proc.stdout, proc.stderr)


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = Path("/tmp/pwned")
    marker.unlink(missing_ok=True)
    CliRunner().invoke(cli, ["validate", str(BROKEN / "yaml-python-tag.yaml")])
    assert not marker.exists()


def test_whole_corpus_in_one_run_reports_every_case() -> None:
    """All broken files at once: one run, every expectation of every single-file case reported."""
    files = [c for c in CASES if c.path.is_file()]
    result = CliRunner().invoke(cli, ["validate", *(str(c.path) for c in files)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    for case in files:
        own = "\n".join(line for line in result.stderr.splitlines() if line.startswith(str(case.path) + ":"))
        missing, _ = unmatched(case, own)
        assert not missing, (case.name, [str(m) for m in missing])
