"""The CI/CD workflows: valid against the GitHub Actions schema, and doing what they promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def _workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the bare key `on` as True.
    if True in document:
        document["on"] = document.pop(True)
    return document


def _run_steps(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job.get("steps", []))


def test_workflows_validate_against_the_github_actions_schema() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"terraform.yml", "app.yml", "slo.yml"}
    if not CHECK_JSONSCHEMA.is_file():
        pytest.fail(f"{CHECK_JSONSCHEMA} missing: .venv/bin/pip install check-jsonschema")
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_static_aws_keys_anywhere() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text(encoding="utf-8").lower()
        for forbidden in ("aws-access-key-id", "aws-secret-access-key", "aws_secret_access_key", "aws_access_key_id"):
            assert forbidden not in text, f"{path.name} uses static AWS keys ({forbidden})"


@pytest.mark.parametrize("name", ["terraform.yml", "app.yml"])
def test_aws_jobs_use_oidc(name: str) -> None:
    for job_name, job in _workflow(name)["jobs"].items():
        uses_aws = any("configure-aws-credentials" in step.get("uses", "") for step in job.get("steps", []))
        if uses_aws:
            assert job.get("permissions", {}).get("id-token") == "write", f"{name}:{job_name} lacks id-token: write"
            for step in job["steps"]:
                if "configure-aws-credentials" in step.get("uses", ""):
                    assert "role-to-assume" in step["with"], f"{name}:{job_name}"


def test_terraform_pipeline_plans_on_pr_and_applies_prod_after_approval() -> None:
    workflow = _workflow("terraform.yml")
    assert {"pull_request", "push"} <= set(workflow["on"])
    jobs = workflow["jobs"]
    static = _run_steps(jobs["static"])
    for command in ("checkov", "sre generate --check", "sre validate", "terraform fmt -check", "terraform"):
        assert command in static, command
    assert "--skip-download" in static
    assert jobs["plan"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["plan"]["strategy"]["matrix"]["environment"] == ["dev", "prod"]
    assert jobs["apply-dev"]["environment"] == "dev"
    assert jobs["apply-prod"]["environment"] == "prod"
    assert jobs["apply-prod"]["needs"] == "plan-prod" and jobs["plan-prod"]["needs"] == "apply-dev"
    assert "terraform apply -input=false -lock-timeout=5m tfplan" in _run_steps(jobs["apply-prod"])
    for job in ("apply-dev", "plan-prod", "apply-prod"):
        assert "refs/heads/main" in jobs[job]["if"]


def test_slo_workflow_runs_the_sre_checks() -> None:
    steps = _run_steps(_workflow("slo.yml")["jobs"]["check"])
    for command in ("sre validate", "sre generate --check", "sre runbooks check", "pytest"):
        assert command in steps, command


def test_app_pipeline_tags_by_sha_deploys_with_helm_and_can_roll_back() -> None:
    workflow = _workflow("app.yml")
    jobs = workflow["jobs"]
    build = jobs["build"]
    push = next(s for s in build["steps"] if "build-push-action" in s.get("uses", ""))
    assert push["with"]["tags"].endswith(":${{ github.sha }}")
    assert workflow["env"]["IMAGE_TAG"] == "${{ inputs.image_tag || github.sha }}"
    assert "--atomic" in workflow["env"]["HELM_FLAGS"]
    for job in ("deploy-dev", "deploy-prod"):
        assert "helm upgrade --install" in _run_steps(jobs[job])
    assert jobs["deploy-prod"]["environment"] == "prod"
    assert "helm rollback" in _run_steps(jobs["rollback"])
    assert "rollback" in workflow["on"]["workflow_dispatch"]["inputs"]["action"]["options"]


def test_every_action_is_pinned_to_a_commit_sha() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job_name, job in _workflow(path.name)["jobs"].items():
            for step in job.get("steps", []):
                if "uses" in step:
                    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), (
                        f"{path.name}:{job_name}: {step['uses']}"
                    )
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" in line:
                assert re.search(r"@[0-9a-f]{40} # v\d", line), f"{path.name}: {line.strip()} has no # vX comment"


def test_prod_apply_gets_the_plan_the_zip_and_the_lock_file() -> None:
    jobs = _workflow("terraform.yml")["jobs"]
    upload = next(s for s in jobs["plan-prod"]["steps"] if "upload-artifact" in s.get("uses", ""))
    paths = set(upload["with"]["path"].split())
    assert paths == {
        "terraform/envs/prod/tfplan",
        "terraform/envs/prod/.build/queue_age.zip",
        "terraform/envs/prod/.terraform.lock.hcl",
    }
    assert upload["with"]["include-hidden-files"] is True
    apply_steps = _run_steps(jobs["apply-prod"])
    assert "init -input=false -lockfile=readonly" in apply_steps
    assert "build_zip.py" not in _run_steps(jobs["apply-prod"]).split("cmp")[1]
    for job in ("plan", "apply-dev", "plan-prod"):
        assert "lambda/build_zip.py .build/queue_age.zip" in _run_steps(jobs[job]), job


def test_pull_request_plans_take_no_state_lock() -> None:
    plan = _run_steps(_workflow("terraform.yml")["jobs"]["plan"])
    assert "terraform plan -input=false -lock=false" in plan
    assert "-lock-timeout" not in plan


def test_static_job_runs_terraform_test() -> None:
    static = _run_steps(_workflow("terraform.yml")["jobs"]["static"])
    assert 'terraform -chdir="${env_dir}" test' in static
    assert "tests/.build/queue_age.zip" in static


def _step_index(job: dict[str, Any], text: str) -> int:
    runs = [step.get("run", "") for step in job["steps"]]
    found = [i for i, run in enumerate(runs) if text in run]
    assert found, f"no step runs {text!r}"
    return found[0]


def test_prometheus_rule_manifests_are_the_app_workflows_checked_then_dry_run_then_applied() -> None:
    workflow = _workflow("app.yml")
    assert "alarms/prometheus/**" in workflow["on"]["pull_request"]["paths"]
    assert "alarms/prometheus/**" in workflow["on"]["push"]["paths"]
    assert workflow["env"]["RULE_MANIFESTS"] == "alarms/prometheus/kubernetes"
    prune = workflow["env"]["RULE_PRUNE"]
    assert "-l app.kubernetes.io/managed-by=sre-generate" in prune
    assert "--prune-allowlist=monitoring.coreos.com/v1/PrometheusRule" in prune
    jobs = workflow["jobs"]
    check = _run_steps(jobs["rules-check"])
    assert "promtool check rules alarms/prometheus/*.rules.yaml" in check
    assert "yq '.spec'" in check and 'promtool check rules "$RUNNER_TEMP"/manifest-groups/*.yaml' in check
    dry_run = jobs["rules-dry-run"]
    assert dry_run["if"].startswith("github.event_name == 'pull_request'")
    assert dry_run["needs"] == "rules-check" and dry_run["environment"] == "${{ matrix.environment }}-plan"
    assert 'kubectl apply --dry-run=server -f "$RULE_MANIFESTS"' in _run_steps(dry_run)
    assert "kubectl apply -f" not in _run_steps(dry_run)
    assert jobs["rules-dev"]["needs"] == "rules-check" and jobs["rules-prod"]["needs"] == "rules-dev"
    assert jobs["rules-prod"]["environment"] == "prod"
    for name in ("rules-dev", "rules-prod"):
        job = jobs[name]
        assert job["if"].startswith("github.event_name == 'push'")
        steps = _run_steps(job)
        assert 'kubectl apply -f "$RULE_MANIFESTS" $RULE_PRUNE' in steps
        assert steps.index("--dry-run=server") < steps.index('kubectl apply -f "$RULE_MANIFESTS"')
    # Only clusters running prometheus-operator get the manifests (the CRD must exist).
    for name in ("rules-dry-run", "rules-dev", "rules-prod"):
        assert "vars.PROMETHEUS_OPERATOR == 'true'" in jobs[name]["if"], name


def test_amp_rules_are_terraforms_checked_before_the_plan_and_written_by_nothing_else() -> None:
    workflow = _workflow("terraform.yml")
    for trigger in ("pull_request", "push"):
        paths = workflow["on"][trigger]["paths"]
        assert {"alarms/prometheus/**", "alarms/amp/**", "alarms/exporters/**"} <= set(paths), trigger
    static = workflow["jobs"]["static"]
    promtool = _step_index(static, "promtool check rules alarms/prometheus/*.rules.yaml")
    amtool = _step_index(static, "tests/amp/test_amp_terraform_routes.py")
    assert promtool < _step_index(static, 'terraform -chdir="${env_dir}" test')
    assert amtool < _step_index(static, 'terraform -chdir="${env_dir}" test')
    for job in ("apply-dev", "apply-prod"):
        steps = _run_steps(workflow["jobs"][job])
        assert steps.index("terraform apply") < steps.index("aws amp update-workspace-configuration"), job
        assert "--out-of-order-time-window-in-seconds" in steps
        assert "terraform output -raw amp_out_of_order_window_seconds" in steps
    # One owner per target: Terraform writes the AMP namespaces, no workflow runs sre prometheus apply/prune.
    for path in sorted(WORKFLOWS.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        assert "sre prometheus apply" not in text and "sre prometheus prune" not in text, path.name
