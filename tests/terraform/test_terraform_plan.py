"""`terraform init -backend=false`, `validate` and `test` (mocked aws provider) of every environment.

Runs offline against a filesystem mirror of the providers (the folder holding
``registry.terraform.io``), in a temporary copy of terraform/, alarms/ and dashboards/ so the
work tree stays clean. Skips, saying why, when the terraform binary or the mirror is absent.

The generated CloudWatch files are environment-free templates (``${api_alb_arn_suffix}`` ...).
While alarms/cloudwatch/ does not hold such placeholders yet, the plan uses the fixtures of
tests/terraform/fixtures/ (same format) and says so in the skip of the ``generated`` case.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO_ROOT / "terraform"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
ENVS = ("dev", "prod")
BUILD_ZIP = TERRAFORM_DIR / "modules" / "batch_sfn" / "lambda" / "build_zip.py"
AMP_SOURCES = ("prometheus", "amp", "exporters")
PLACEHOLDERS = ("api_alb_arn_suffix", "api_target_group_arn_suffix", "state_machine_arn", "batch_job_queue_name")
# `find / -maxdepth 4 -type d -name registry.terraform.io`, minus the pseudo filesystems.
MIRROR_MAX_DEPTH = 4
NOT_SEARCHED = {"/proc", "/sys", "/dev", "/run"}


@cache
def _mirror() -> Path | None:
    """The folder holding registry.terraform.io/hashicorp/aws, searched like find -maxdepth 4."""
    level = [Path("/")]
    for _ in range(MIRROR_MAX_DEPTH):
        below: list[Path] = []
        for directory in level:
            try:
                children = sorted(p for p in directory.iterdir() if p.is_dir() and not p.is_symlink())
            except OSError:
                continue
            for child in children:
                if child.name == "registry.terraform.io" and (child / "hashicorp" / "aws").is_dir():
                    return child.parent
                if str(child) not in NOT_SEARCHED:
                    below.append(child)
        level = below
    return None


def _tools_or_skip() -> tuple[str, Path]:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform binary not on PATH: the plan of the environments is not tested here")
    mirror = _mirror()
    if mirror is None:
        pytest.skip("no provider mirror (a folder holding registry.terraform.io/hashicorp/aws) found")
    return terraform, mirror


def _has_placeholders(directory: Path) -> bool:
    files = sorted(directory.glob("*.json"))
    text = "".join(p.read_text(encoding="utf-8") for p in files)
    return bool(files) and all(f"${{{name}}}" in text for name in PLACEHOLDERS)


def _cli_config(directory: Path, mirror: Path) -> Path:
    config = directory / "terraformrc"
    config.write_text(
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path    = {json.dumps(str(mirror))}\n"
        '    include = ["registry.terraform.io/*/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n',
        encoding="utf-8",
    )
    return config


def _workspace(tmp: Path, source: str, alarms_override: dict[str, str] | None = None) -> Path:
    """terraform/ plus the alarm/dashboard templates and the AMP files laid out as in the repository."""
    shutil.copytree(TERRAFORM_DIR, tmp / "terraform", ignore=shutil.ignore_patterns(".terraform", ".build"))
    for kind in ("alarms", "dashboards"):
        origin = REPO_ROOT / kind / "cloudwatch" if source == "generated" else FIXTURES_DIR / kind / "cloudwatch"
        shutil.copytree(origin, tmp / kind / "cloudwatch")
    # The Prometheus half (AMP rule files, Alertmanager definition, exporter config) is always the
    # generated one: the plan asserts the deployed namespaces equal these files byte for byte.
    for generated in AMP_SOURCES:
        shutil.copytree(REPO_ROOT / "alarms" / generated, tmp / "alarms" / generated)
    for name, text in (alarms_override or {}).items():
        (tmp / "alarms" / "cloudwatch" / name).write_text(text, encoding="utf-8")
    for env in ENVS:
        zip_path = tmp / "terraform" / "envs" / env / "tests" / ".build" / "queue_age.zip"
        subprocess.run([sys.executable, str(BUILD_ZIP), str(zip_path)], check=True)
    return tmp


def _terraform(terraform: str, env_dir: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(config),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    }
    env.pop("TF_DATA_DIR", None)
    return subprocess.run(
        [terraform, f"-chdir={env_dir}", *args, "-no-color"],
        capture_output=True,
        text=True,
        env=env,
        timeout=540,
        check=False,
    )


def _init_and_validate(terraform: str, env_dir: Path, config: Path) -> None:
    # -lockfile=readonly: the committed .terraform.lock.hcl must already hold valid hashes.
    init = _terraform(terraform, env_dir, config, "init", "-backend=false", "-input=false", "-lockfile=readonly")
    assert init.returncode == 0, init.stdout + init.stderr
    validate = _terraform(terraform, env_dir, config, "validate")
    assert validate.returncode == 0, validate.stdout + validate.stderr


@pytest.fixture(scope="module")
def tools() -> tuple[str, Path]:
    return _tools_or_skip()


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("source", ["fixture", "generated"])
def test_environment_validates_and_its_plan_passes_the_test_suite(
    env: str, source: str, tools: tuple[str, Path], tmp_path: Path
) -> None:
    if source == "generated" and not _has_placeholders(REPO_ROOT / "alarms" / "cloudwatch"):
        pytest.skip(
            "alarms/cloudwatch/*.json still hard-code one environment's identities (no ${...} placeholders): "
            "the plan is tested with tests/terraform/fixtures/ instead"
        )
    terraform, mirror = tools
    workspace = _workspace(tmp_path, source)
    config = _cli_config(tmp_path, mirror)
    env_dir = workspace / "terraform" / "envs" / env
    _init_and_validate(terraform, env_dir, config)
    result = _terraform(terraform, env_dir, config, "test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Success! [1-9]\d* passed, 0 failed", result.stdout), result.stdout


def test_plan_refuses_alarms_watching_another_environment(tools: tuple[str, Path], tmp_path: Path) -> None:
    """Guards the guard: a prod ALB baked into the templates fails the dev suite."""
    terraform, mirror = tools
    fixture = (FIXTURES_DIR / "alarms" / "cloudwatch" / "example.json").read_text(encoding="utf-8")
    foreign = fixture.replace("${api_alb_arn_suffix}", "app/sre-prod-app/50dc6c495c0c9188")
    assert foreign != fixture
    workspace = _workspace(tmp_path, "fixture", {"example.json": foreign})
    config = _cli_config(tmp_path, mirror)
    env_dir = workspace / "terraform" / "envs" / "dev"
    _init_and_validate(terraform, env_dir, config)
    result = _terraform(terraform, env_dir, config, "test")
    assert result.returncode != 0
    assert "An alarm watches something this plan does not create" in result.stdout + result.stderr


def test_lock_files_are_committed_for_the_aws_provider_only() -> None:
    for env in ENVS:
        lock = (TERRAFORM_DIR / "envs" / env / ".terraform.lock.hcl").read_text(encoding="utf-8")
        providers = re.findall(r'provider "([^"]+)"', lock)
        assert providers == ["registry.terraform.io/hashicorp/aws"], providers
        assert re.search(r'"h1:[A-Za-z0-9+/=]{44}"', lock), "lock file without an h1 hash"


def test_no_other_provider_than_aws_is_required() -> None:
    for tf in sorted(TERRAFORM_DIR.rglob("*.tf")):
        text = tf.read_text(encoding="utf-8")
        assert not re.search(r'source\s*=\s*"hashicorp/(?!aws")', text), tf
        assert not re.search(r'\bdata\s+"(archive_file|tls_certificate)"', text), tf


def test_lambda_zip_is_reproducible(tmp_path: Path) -> None:
    first, second = tmp_path / "a.zip", tmp_path / "b" / "a.zip"
    for path in (first, second):
        subprocess.run([sys.executable, str(BUILD_ZIP), str(path)], check=True)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == ["queue_age.py"]
        source = TERRAFORM_DIR / "modules" / "batch_sfn" / "lambda" / "queue_age.py"
        assert archive.read("queue_age.py") == source.read_bytes()
