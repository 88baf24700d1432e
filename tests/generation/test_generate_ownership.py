"""`sre generate` touches only what it wrote, and changes its output all at once or not at all.

Ownership is the manifest (.sre-generated.json) at the output root: files it lists and the run
no longer produces are deleted; a file it does not list is never deleted, and overwritten only if
it already holds what would be written. The whole output is staged and swapped in: a file where a
folder should be (exit 2, named) or a full disk (exit 3, one line) leaves the previous output whole.
"""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sre_cli import generate
from sre_cli.cli import cli
from sre_cli.commands.generate import EXIT_WRITE_FAILED
from sre_cli.slospec.load import load_or_raise

REPO = Path(__file__).resolve().parents[2]
HAND_WRITTEN = {
    "runbooks/oncall.md": "# On call\nhand-written\n",
    "dashboards/grafana/team-overview.json": '{"title": "team overview"}\n',
}


def _sre(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _tree(root: Path) -> dict[str, bytes]:
    """Every file and folder under `root` (folders as b"/"), to compare before and after."""
    return {
        p.relative_to(root).as_posix(): (b"/" if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
        if not p.is_symlink()
    }


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A scratch repository: the specs and the hand-written runbook parts, no generated output yet."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "slo", root / "slo", ignore=shutil.ignore_patterns("*.json"))
    shutil.copytree(REPO / "runbooks" / "_hand", root / "runbooks" / "_hand")
    shutil.copytree(REPO / "runbooks" / "incidents", root / "runbooks" / "incidents")
    return root


@pytest.fixture
def generated(repo: Path) -> Path:
    code, _, stderr = _sre("generate", "--specs", str(repo / "slo"))
    assert code == 0, stderr
    return repo


SLOS_OF = {"batch.yaml": ["batch-queue-age"], "db.yaml": ["db-errors"], "sfn.yaml": ["sfn-success"]}


def _retire(repo: Path, spec: str) -> None:
    """Remove a spec file and the hand-written runbook parts of its SLOs (generate refuses orphans)."""
    (repo / "slo" / spec).unlink()
    for name in SLOS_OF[spec]:
        (repo / "runbooks" / "_hand" / f"{name}.md").unlink()


def _change_an_objective(repo: Path) -> None:
    api = repo / "slo" / "api.yaml"
    api.write_text(api.read_text().replace("objective: 99.9", "objective: 99.5"))


# ---- ownership --------------------------------------------------------------------------------


def test_hand_written_files_beside_generated_ones_survive(generated: Path) -> None:
    _write(generated, HAND_WRITTEN)
    _retire(generated, "batch.yaml")  # its generated files are now obsolete
    code, stdout, stderr = _sre("generate", "--specs", str(generated / "slo"))
    assert code == 0, stderr
    assert {rel: (generated / rel).read_text() for rel in HAND_WRITTEN} == HAND_WRITTEN
    deleted = int(stdout.split("deleted ")[1].split(",")[0])
    assert deleted > 0
    assert not (generated / "alarms" / "cloudwatch" / "batch.json").exists()
    assert not (generated / "runbooks" / "batch-queue-age.md").exists()
    manifest = json.loads((generated / generate.MANIFEST).read_text())["files"]
    assert "runbooks/batch-queue-age.md" not in manifest and "runbooks/oncall.md" not in manifest
    assert _sre("generate", "--specs", str(generated / "slo"), "--check")[0] == 0


def test_out_into_an_existing_folder_deletes_and_overwrites_nothing_of_it(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    foreign = {
        **HAND_WRITTEN,
        "README.md": "my site\n",
        "notes/todo.txt": "x\n",
        "alarms/cloudwatch/legacy.json": "{}\n",
        "alarms/prometheus/legacy.rules.yaml": "groups: []\n",
        "runbooks/_hand/db-errors.md": "## Impact\nmine\n",
    }
    _write(out, foreign)
    code, _, stderr = _sre("generate", "--specs", str(repo / "slo"), "--out", str(out))
    assert code == 0, stderr
    assert {rel: (out / rel).read_text() for rel in foreign} == foreign
    assert (out / "alarms" / "cloudwatch" / "api.json").is_file()
    # a later run that drops an SLO deletes its generated files, still none of the folder's own
    _retire(repo, "db.yaml")
    code, _, stderr = _sre("generate", "--specs", str(repo / "slo"), "--out", str(out))
    assert code == 0, stderr
    assert {rel: (out / rel).read_text() for rel in foreign} == foreign
    assert not (out / "alarms" / "cloudwatch" / "db.json").exists()


@pytest.mark.parametrize("check", [False, True])
def test_a_file_generate_did_not_write_is_never_overwritten(generated: Path, check: bool) -> None:
    manifest = generated / generate.MANIFEST
    listed = json.loads(manifest.read_text())["files"]
    manifest.write_text(generate.manifest_text([f for f in listed if f != "runbooks/db-errors.md"]))
    (generated / "runbooks" / "db-errors.md").write_text("# DB errors\nmy own page\n")
    _change_an_objective(generated)
    before = _tree(generated)
    code, stdout, stderr = _sre("generate", "--specs", str(generated / "slo"), *(["--check"] if check else []))
    assert code == 2
    assert "Traceback" not in stdout + stderr
    if check:
        assert "conflict: runbooks/db-errors.md: exists and `sre generate` did not write it" in stdout
        assert "1 file(s) in the way of generated output" in stderr
    else:
        assert f"error: {generated}/runbooks/db-errors.md: exists and `sre generate` did not write it" in stderr
        assert "nothing written" in stderr
    assert _tree(generated) == before


def test_the_committed_output_without_a_manifest_is_adopted(tmp_path: Path) -> None:
    """Migration: output generated before manifests existed is taken over where it matches."""
    root = tmp_path / "repo"
    for folder in ("slo", "alarms", "dashboards", "runbooks"):
        shutil.copytree(REPO / folder, root / folder)
    leftover = root / "alarms" / "cloudwatch" / "retired.json"  # an older run's, or someone's: unknown
    leftover.write_text("{}\n")
    code, stdout, stderr = _sre("generate", "--specs", str(root / "slo"), "--check")
    assert (code, stdout.splitlines()) == (1, [f"stale: {generate.MANIFEST}"]), stderr
    code, stdout, stderr = _sre("generate", "--specs", str(root / "slo"))
    assert code == 0 and stdout.startswith("wrote 0, deleted 0, unchanged "), stderr
    assert json.loads((root / generate.MANIFEST).read_text())["files"] == sorted(
        generate.render_all(load_or_raise([root / "slo"]))
    )
    assert leftover.read_text() == "{}\n"
    assert (root / generate.MANIFEST).read_text() == (REPO / generate.MANIFEST).read_text()


def test_a_manifest_naming_paths_outside_the_root_is_refused(generated: Path, tmp_path: Path) -> None:
    outside = tmp_path / "precious.txt"
    outside.write_text("keep\n")
    (generated / generate.MANIFEST).write_text(generate.manifest_text(["../precious.txt", "slo/schema.json"]))
    code, _, stderr = _sre("generate", "--specs", str(generated / "slo"))
    assert code == 2
    assert f"{generated / generate.MANIFEST}: '../precious.txt' is not a relative path inside the output root" in stderr
    assert outside.read_text() == "keep\n"


# ---- the output root --------------------------------------------------------------------------


def test_a_spec_file_in_a_subfolder_writes_under_the_documented_root(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The root is the folder holding the spec folder: for `--specs api.yaml` run in team/, team/'s parent."""
    for spec in SLOS_OF:
        _retire(repo, spec)
    team = repo / "team"
    (repo / "slo").rename(team)
    _write(repo, {"notes.txt": "mine\n", **HAND_WRITTEN})
    before_specs = _tree(team)
    monkeypatch.chdir(team)
    code, stdout, stderr = _sre("generate", "--specs", "api.yaml")
    assert code == 0, stderr
    assert stdout.rstrip().endswith(f"(under {repo})")
    listed = json.loads((repo / generate.MANIFEST).read_text())["files"]
    assert "alarms/cloudwatch/api.json" in listed and (repo / "alarms" / "cloudwatch" / "api.json").is_file()
    assert all((repo / rel).is_file() for rel in listed)
    assert (repo / "notes.txt").read_text() == "mine\n"
    assert {rel: (repo / rel).read_text() for rel in HAND_WRITTEN} == HAND_WRITTEN
    assert _tree(team) == before_specs  # nothing generated lands among the specs
    help_text = " ".join(_sre("generate", "--help")[1].split())
    assert "default: the folder holding the spec folder; for a spec file, its folder's parent" in help_text


@pytest.mark.parametrize(
    ("specs", "out"),
    [("slo", "slo"), ("slo", "slo/generated"), ("slo/api.yaml", "slo"), ("alarms", None)],
)
def test_output_inside_the_spec_folder_is_refused(repo: Path, specs: str, out: str | None) -> None:
    for spec in ("batch.yaml", "db.yaml", "sfn.yaml"):
        _retire(repo, spec)  # `--specs slo/api.yaml` leaves their hand-written parts orphans
    if specs == "alarms":  # a spec folder named like an output folder: rules would land among the specs
        (repo / "slo").rename(repo / "alarms")
    before = _tree(repo)
    code, stdout, stderr = _sre("generate", "--specs", str(repo / specs), *(["--out", str(repo / out)] if out else []))
    assert code == 2, stdout
    assert "generated files would land in the spec folder" in stderr and "Traceback" not in stderr
    assert _tree(repo) == before


# ---- all or nothing ---------------------------------------------------------------------------


def test_a_file_where_a_folder_should_be_leaves_the_previous_output_whole(generated: Path) -> None:
    shutil.rmtree(generated / "dashboards" / "grafana")
    (generated / "dashboards" / "grafana").write_text("not a folder\n")
    _change_an_objective(generated)  # alarms/ and runbooks/ would change too, before dashboards/
    before = _tree(generated)
    code, stdout, stderr = _sre("generate", "--specs", str(generated / "slo"))
    assert code == 2
    assert f"error: {generated}/dashboards/grafana: a file where `sre generate` needs a folder" in stderr
    assert "Traceback" not in stdout + stderr
    assert _tree(generated) == before


def test_a_failure_while_swapping_in_undoes_the_files_already_moved(generated: Path) -> None:
    """A folder turned into a file after planning: the rename fails midway and is rolled back."""
    _change_an_objective(generated)
    result = generate.plan(generate.render_all(load_or_raise([generated / "slo"])), generated)
    assert {"alarms/cloudwatch/api.json", "dashboards/grafana/api.json"} <= result.write.keys()
    shutil.rmtree(generated / "dashboards" / "grafana")
    (generated / "dashboards" / "grafana").write_text("in the way\n")
    before = _tree(generated)
    with pytest.raises(NotADirectoryError):
        generate.execute(result, generated)
    assert _tree(generated) == before


def test_a_write_error_at_any_file_changes_nothing(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC raised by the Nth write (the real full disk is the tmpfs test below)."""
    _change_an_objective(generated)
    _retire(generated, "sfn.yaml")  # deletions are held back too
    before = _tree(generated)
    real_write = Path.write_bytes
    writes = 0

    def full_after_three(path: Path, data: bytes) -> int:
        nonlocal writes
        writes += 1
        if writes > 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_write(path, data)

    monkeypatch.setattr(Path, "write_bytes", full_after_three)
    code, stdout, stderr = _sre("generate", "--specs", str(generated / "slo"))
    assert code == EXIT_WRITE_FAILED == 3
    assert stderr.startswith(f"error: writing {generated} failed, nothing changed: [Errno 28] No space left on device")
    assert len(stderr.strip().splitlines()) == 1 and stdout == ""
    assert _tree(generated) == before


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {proc.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_leaves_the_previous_output_whole(repo: Path, tiny_disk: Path, tmp_path: Path) -> None:
    small = tmp_path / "small" / "slo"  # one SLO, in a repository without hand-written parts
    small.mkdir(parents=True)
    for name in ("defaults.yaml", "sfn.yaml"):
        shutil.copy(repo / "slo" / name, small / name)
    code, _, stderr = _sre("generate", "--specs", str(small), "--out", str(tiny_disk))
    assert code == 0, stderr
    # room for a few more files, not for staging the whole spec set's output
    used = shutil.disk_usage(tiny_disk).used
    subprocess.run(["mount", "-o", f"remount,size={used + 64 * 1024}", str(tiny_disk)], check=True)
    before = _tree(tiny_disk)
    code, _, stderr = _sre("generate", "--specs", str(repo / "slo"), "--out", str(tiny_disk))
    assert code == 3
    assert stderr == f"error: writing {tiny_disk} failed, nothing changed: [Errno 28] No space left on device\n"
    assert _tree(tiny_disk) == before
    assert _sre("generate", "--specs", str(small), "--out", str(tiny_disk), "--check")[0] == 0


def test_a_run_of_some_targets_keeps_the_other_targets_files(generated: Path) -> None:
    """`plan(scope=...)`: files of targets that did not render are neither deleted nor forgotten."""
    runbooks = next(t for t in generate.targets() if t.name == "runbooks")
    _retire(generated, "db.yaml")
    outputs = runbooks.render(load_or_raise([generated / "slo"]))
    result = generate.plan(outputs, generated, scope=[runbooks])
    assert result.delete == ["runbooks/db-errors.md"]
    assert result.manifest is not None
    listed = json.loads(result.manifest)["files"]
    assert "alarms/cloudwatch/db.json" in listed and "runbooks/db-errors.md" not in listed
    everything = generate.plan(outputs, generated)  # scope None: every target rendered
    assert "alarms/cloudwatch/db.json" in everything.delete and "alarms/cloudwatch/api.json" in everything.delete
