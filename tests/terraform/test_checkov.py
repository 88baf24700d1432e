"""checkov over terraform/, offline, from its own virtualenv.

checkov pins a fork of python-hcl2 that installs the same ``hcl2`` module as the project's
python-hcl2, so it lives in ``.venv-checkov`` at the repository root. Its exit code cannot be
trusted (0 when the directory is missing or the HCL does not parse): the JSON summary is.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO_ROOT / "terraform"
CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
INSTALL = (
    "python3 -m venv .venv-checkov && .venv-checkov/bin/pip install checkov  (pinned: -r requirements-checkov.txt)"
)
SKIP_COMMENT = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")


@cache
def _run_checkov(directory: Path) -> tuple[int, dict[str, Any]]:
    if not CHECKOV.is_file():
        pytest.fail(f"checkov is not installed in {CHECKOV.parent.parent}; install it with: {INSTALL}")
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    result = subprocess.run(
        [str(CHECKOV), "-d", str(directory), "--framework", "terraform", "--skip-download", "--compact", "-o", "json"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=600,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"checkov printed no JSON (exit {result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    reports = report if isinstance(report, list) else [report]
    terraform = [r for r in reports if r.get("check_type") == "terraform"]
    assert len(terraform) == 1, f"no terraform report in checkov output: {result.stdout[:500]}"
    return result.returncode, terraform[0]


def test_terraform_directory_exists() -> None:
    assert TERRAFORM_DIR.is_dir(), "terraform/ is missing (checkov would silently pass)"
    assert len(list(TERRAFORM_DIR.rglob("*.tf"))) >= 40


def test_checkov_reports_no_failure_and_no_parsing_error() -> None:
    assert TERRAFORM_DIR.is_dir(), "terraform/ is missing"
    returncode, report = _run_checkov(TERRAFORM_DIR)
    summary = report["summary"]
    failed = report["results"].get("failed_checks", [])
    details = "\n".join(f"{c['check_id']} {c['resource']} {c['file_path']}:{c['file_line_range']}" for c in failed)
    assert summary["parsing_errors"] == 0, report["results"].get("parsing_errors")
    assert summary["failed"] == 0, details
    assert summary["passed"] > 300, summary
    # 9 modules and 2 environments: far fewer resources means files were not scanned.
    assert summary["resource_count"] >= 150, summary
    assert returncode == 0


def test_every_skip_is_inline_with_a_reason() -> None:
    _, report = _run_checkov(TERRAFORM_DIR)
    skipped = report["results"].get("skipped_checks", [])
    assert skipped, "expected the documented inline skips"
    for check in skipped:
        comment = (check.get("check_result") or {}).get("suppress_comment", "")
        assert comment and comment != "No comment provided", f"{check['check_id']} on {check['resource']}"

    for tf in sorted(TERRAFORM_DIR.rglob("*.tf")):
        depth = 0
        for number, line in enumerate(tf.read_text(encoding="utf-8").splitlines(), start=1):
            match = SKIP_COMMENT.search(line)
            if match:
                where = f"{tf.relative_to(REPO_ROOT)}:{number}"
                assert depth >= 1, f"{where}: skip outside a resource/data block"
                assert match.group(2) and len(match.group(2).strip()) >= 20, f"{where}: skip without a reason"
            code = line.split("#", 1)[0]
            depth += code.count("{") - code.count("}")


def test_checkov_reports_a_parsing_error_instead_of_passing(tmp_path: Path) -> None:
    """Guards the guard: broken HCL must surface in the summary this test suite reads."""
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n', encoding="utf-8")
    _, report = _run_checkov(tmp_path)
    assert report["summary"]["parsing_errors"] >= 1
