"""Issue 14.9: `sre generate --verbose` says what it did to each file; `--target` generates one backend only.

Both on a scratch copy of the repository's specs, through the CLI as a user runs it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sre_cli import generate as gen
from sre_cli.cli import cli
from sre_cli.generate import MANIFEST

ROOT = Path(__file__).resolve().parents[2]
# Generated into slo/, copied with the specs, so current from the start.
SCHEMAS = ["unchanged: slo/defaults.schema.json", "unchanged: slo/schema.json"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "slo", tmp_path / "slo")
    shutil.copytree(ROOT / "runbooks" / "_hand", tmp_path / "runbooks" / "_hand")
    shutil.copytree(ROOT / "runbooks" / "incidents", tmp_path / "runbooks" / "incidents")
    return tmp_path


def _sre(repo: Path, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["generate", "--specs", str(repo / "slo"), *args])
    lines = result.output.splitlines()
    suffix = f" (under {repo})"  # the summary names the output root
    return result.exit_code, [line.removesuffix(suffix) for line in lines]


def _files(root: Path) -> dict[str, str]:
    """Every file under root but the copied inputs (slo/, hand-written runbook parts, incident runbooks)."""
    inputs = ("slo/*", "runbooks/_hand/*", "runbooks/incidents/*", MANIFEST)  # the manifest is not listed
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(p.relative_to(root).match(pattern) for pattern in inputs)
    }


def _drop_sfn(repo: Path) -> None:
    (repo / "slo" / "sfn.yaml").unlink()
    (repo / "runbooks" / "_hand" / "sfn-success.md").unlink()


def test_verbose_lists_every_file_and_what_happened_to_it(repo: Path) -> None:
    code, lines = _sre(repo, "--verbose")
    assert code == 0
    written = _files(repo)
    assert lines == [f"wrote: {rel}" for rel in written] + SCHEMAS + [f"wrote {len(written)}, deleted 0, unchanged 2"]

    _drop_sfn(repo)
    (repo / "runbooks" / "api-latency.md").write_text("edited by hand\n")
    before = _files(repo)
    code, lines = _sre(repo, "--list")
    assert code == 0
    after = _files(repo)
    deleted = set(written) - set(after)
    changed = {rel for rel in after if after[rel] != before[rel]}
    assert {"alarms/cloudwatch/sfn.json", "runbooks/sfn-success.md", "dashboards/grafana/sfn.json"} <= deleted
    assert {"runbooks/api-latency.md", "runbooks/README.md"} <= changed  # restored; the index lists one SLO less
    assert after["runbooks/api-latency.md"] == written["runbooks/api-latency.md"]
    expected = sorted(
        (rel, "deleted" if rel in deleted else "wrote" if rel in changed else "unchanged") for rel in written
    )
    assert lines[:-1] == [f"{what}: {rel}" for rel, what in expected] + SCHEMAS
    unchanged = len(written) - len(deleted) - len(changed) + 2
    assert lines[-1] == f"wrote {len(changed)}, deleted {len(deleted)}, unchanged {unchanged}"

    code, lines = _sre(repo, "--check", "-v")
    assert code == 0
    current = [f"current: {rel}" for rel in _files(repo)] + [line.replace("unchanged", "current") for line in SCHEMAS]
    assert lines == [*current, f"ok: {len(after) + 2} generated files up to date"]


def test_one_target_writes_and_deletes_only_its_own_files(repo: Path) -> None:
    assert _sre(repo)[0] == 0
    before = _files(repo)
    _drop_sfn(repo)

    code, lines = _sre(repo, "--target", "cloudwatch-alarms", "-v")
    assert code == 0, lines
    after = _files(repo)
    assert set(before) - set(after) == {"alarms/cloudwatch/sfn.json"}  # the sfn dashboard and runbook stay
    assert lines == [
        *(f"unchanged: alarms/cloudwatch/{s}.json" for s in ("api", "batch", "db")),
        "deleted: alarms/cloudwatch/sfn.json",
        "wrote 0, deleted 1, unchanged 3",
    ]
    # --check of the other targets still sees their stale files; of this one, nothing.
    assert _sre(repo, "--check", "--target", "cloudwatch-alarms")[0] == 0
    code, lines = _sre(repo, "--check", "--target", "runbooks", "--target", "cloudwatch-dashboards")
    assert code == 1
    assert lines == [
        "stale: dashboards/cloudwatch/slo-overview.json",
        "stale: runbooks/README.md",
        "obsolete: dashboards/cloudwatch/sfn.json",
        "obsolete: runbooks/sfn-success.md",
        "stale: .sre-generated.json",  # it still lists the obsolete files
        "5 generated file(s) out of date: run `sre generate`",
    ]


def test_a_group_names_every_target_of_one_backend(repo: Path) -> None:
    code, lines = _sre(repo, "--target", "prometheus")
    assert code == 0, lines
    made = _files(repo)
    assert {rel.split("/")[1] for rel in made if rel.startswith("alarms/")} == {
        "prometheus",
        "alertmanager",
        "amp",
        "exporters",
    }
    assert {rel for rel in made if not rel.startswith("alarms/")} == {
        f"dashboards/grafana/{name}.json" for name in ("api", "batch", "db", "sfn", "slo-overview")
    }


def test_an_unknown_target_is_refused_naming_the_known_ones(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["generate", "--specs", str(repo / "slo"), "--target", "promethues"])
    assert result.exit_code == 2
    assert "error: unknown target promethues (known: prometheus, cloudwatch, schema, runbooks" in result.output
    assert _files(repo) == {}


def test_help_names_every_target() -> None:
    text = CliRunner().invoke(cli, ["generate", "--help"], terminal_width=1000).output
    assert all(name in text for name in gen.target_names())
