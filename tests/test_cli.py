"""The `sre` shell: help, version, validate's default path, generate --check and atomic output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sre_cli import __version__
from sre_cli import generate as gen
from sre_cli.cli import COMMANDS, cli

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SRE = str(Path(sys.executable).parent / "sre")
HEAVY = ("pydantic", "boto3", "botocore", "jinja2", "prometheus_api_client", "promql_parser", "yaml", "rich")


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output
    assert "SLO-as-code" in result.output


def test_version() -> None:
    proc = subprocess.run([SRE, "--version"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"sre, version {__version__}"


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["validate", "--help"], ["generate", "--help"]])
def test_help_does_not_import_heavy_libraries(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from sre_cli.cli import cli\n"
        f"try:\n    cli({argv!r})\nexcept SystemExit:\n    pass\n"
        f"print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "", f"`sre {' '.join(argv)}` imported {proc.stderr.strip()}"


def test_validate_defaults_to_slo_dir_of_the_working_directory() -> None:
    proc = subprocess.run([SRE, "validate"], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok: 5 SLOs valid"
    quiet = subprocess.run([SRE, "validate", "-q"], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert (quiet.returncode, quiet.stdout) == (0, "")


def test_validate_without_specs_fails_instead_of_passing(tmp_path: Path) -> None:
    proc = subprocess.run([SRE, "validate"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("slo:1:1: no such file or directory")
    typo = subprocess.run([SRE, "validate", "sloo/"], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert typo.returncode == 2 and "sloo:1:1: no such file or directory" in typo.stderr


def test_unknown_command_exits_non_zero() -> None:
    result = CliRunner().invoke(cli, ["valdate"])
    assert result.exit_code == 2
    assert "No such command" in result.output


# ---- generate ----------------------------------------------------------------------------------------


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    """A copy of the repository's slo/ directory, so generate never touches the working tree."""
    specs = tmp_path / "slo"
    shutil.copytree(REPO / "slo", specs)
    return specs


@pytest.fixture
def schema_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check/atomicity mechanics are tested on the target this suite owns, so another
    # target's work in progress cannot make them flaky; test_generate_all_targets covers the rest.
    monkeypatch.setattr(gen, "TARGET_MODULES", ("sre_cli.slospec.schema",))


def _generate(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["generate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_generate_check_lists_modified_and_missing_files(spec_copy: Path, tmp_path: Path, schema_only: None) -> None:
    out = tmp_path / "out"
    assert _generate("--specs", str(spec_copy), "--out", str(out))[0] == 0
    schema_file = out / "slo" / "schema.json"
    assert json.loads(schema_file.read_text())["title"].startswith("sre SLO spec")

    code, stdout, _ = _generate("--specs", str(spec_copy), "--out", str(out), "--check")
    assert code == 0 and stdout.startswith("ok: 2 generated files up to date")

    schema_file.write_text(schema_file.read_text().replace('"SLO"', '"SL0"'))
    (out / "slo" / "defaults.schema.json").unlink()
    before = schema_file.read_text()
    code, stdout, stderr = _generate("--specs", str(spec_copy), "--out", str(out), "--check")
    assert code == 1
    assert stdout.splitlines() == ["stale: slo/defaults.schema.json", "stale: slo/schema.json"]
    assert "2 generated file(s) out of date" in stderr
    assert schema_file.read_text() == before  # --check writes nothing
    assert not (out / "slo" / "defaults.schema.json").exists()


def test_generate_refuses_invalid_specs_and_writes_nothing(spec_copy: Path, tmp_path: Path) -> None:
    api = spec_copy / "api.yaml"
    api.write_text(api.read_text().replace("objective: 99.9", "objective: 100"))
    out = tmp_path / "out"
    code, _, stderr = _generate("--specs", str(spec_copy), "--out", str(out))
    assert code == 2
    assert "api.yaml:10:14: spec.objective: Input should be less than 100" in stderr
    assert not out.exists()


def test_no_partial_output_when_a_target_fails(
    spec_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, schema_only: None
) -> None:
    def broken(_specs: object) -> dict[str, str]:
        raise ValueError("template exploded")

    good = gen.targets()
    monkeypatch.setattr(gen, "targets", lambda: [*good, gen.Target("broken", ("broken/*",), broken)])
    out = tmp_path / "out"
    code, stdout, stderr = _generate("--specs", str(spec_copy), "--out", str(out))
    assert code == 2
    assert "generation failed, nothing written: template exploded" in stderr
    assert "Traceback" not in stderr + stdout
    assert not out.exists() or list(out.rglob("*")) == []


def test_generate_overwrites_then_is_idempotent(spec_copy: Path, tmp_path: Path, schema_only: None) -> None:
    out = tmp_path / "out"
    outdated = out / "slo" / "schema.json"
    outdated.parent.mkdir(parents=True)
    outdated.write_text("old")
    # an earlier run wrote both (its manifest says so): only a file generate wrote is overwritten
    (out / gen.MANIFEST).write_text(gen.manifest_text(["slo/defaults.schema.json", "slo/schema.json"]))
    code, stdout, _ = _generate("--specs", str(spec_copy), "--out", str(out))
    assert code == 0 and stdout.startswith("wrote 2, deleted 0, unchanged 0")
    assert [p.name for p in (out / "slo").iterdir() if p.name.endswith(".tmp")] == []
    code, stdout, _ = _generate("--specs", str(spec_copy), "--out", str(out))
    assert stdout.startswith("wrote 0, deleted 0, unchanged 2")


def test_generate_all_targets_then_check_is_clean(spec_copy: Path, tmp_path: Path) -> None:
    """Every registered target renders the stack's specs deterministically."""
    out = tmp_path / "out"
    code, stdout, stderr = _generate("--specs", str(spec_copy), "--out", str(out))
    assert code == 0, stderr
    code, stdout, stderr = _generate("--specs", str(spec_copy), "--out", str(out), "--check")
    assert code == 0, stdout + stderr
