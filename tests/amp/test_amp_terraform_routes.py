"""The AMP Alertmanager definition as Terraform deploys it in each environment routes page and ticket right.

The observability module hands AMP `templatefile("alarms/amp/alertmanager.yaml", values)`. Here the
same file is filled with `sre_cli.placeholders.fill` (the Python equivalent, checked against
Terraform's own `templatefile` when terraform is installed) with the values of each environment's
`terraform test` plan (the topic ARNs it pins, the region of its tfvars); the inner config must pass
`amtool check-config` and `amtool config routes test` must send page to the page topic's receiver,
ticket to the ticket topic's, and anything else to the default receiver.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from sre_cli.placeholders import fill, names_in
from tests.support.repo_specs import REPO

TEMPLATE = REPO / "alarms" / "amp" / "alertmanager.yaml"
ENVS = ("dev", "prod")
needs_amtool = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed")
needs_terraform = pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not installed")


def _env_values(env: str) -> dict[str, str]:
    """page/ticket topic ARNs pinned by envs/<env>/tests/plan.tftest.hcl, region of its terraform.tfvars."""
    env_dir = REPO / "terraform" / "envs" / env
    suite = (env_dir / "tests" / "plan.tftest.hcl").read_text(encoding="utf-8")
    values: dict[str, str] = {}
    for tier in ("page", "ticket"):
        pinned = re.search(
            rf'target\s*=\s*module\.observability\.aws_sns_topic\.this\["{tier}"\]\s*values\s*=\s*\{{\s*arn\s*=\s*"([^"]+)"',
            suite,
        )
        assert pinned, f"{env}: plan.tftest.hcl pins no {tier} topic ARN"
        values[f"{tier}_topic_arn"] = pinned.group(1)
    region = re.search(r'^region\s*=\s*"([^"]+)"', (env_dir / "terraform.tfvars").read_text(encoding="utf-8"), re.M)
    assert region, f"{env}: terraform.tfvars has no region"
    values["aws_region"] = region.group(1)
    return values


def _rendered(env: str) -> str:
    return fill(TEMPLATE.read_text(encoding="utf-8"), _env_values(env), str(TEMPLATE))


def _inner(env: str) -> dict[str, Any]:
    definition = yaml.safe_load(_rendered(env))
    assert set(definition) == {"alertmanager_config"}, "AMP takes alertmanager_config (and template_files) only"
    inner = yaml.safe_load(definition["alertmanager_config"])
    assert isinstance(inner, dict)
    return inner


def test_the_template_needs_only_values_the_module_provides() -> None:
    # sre_values carries aws_region; the module adds the two topics. Anything else fails the plan.
    assert set(names_in(TEMPLATE.read_text(encoding="utf-8"))) == {"page_topic_arn", "ticket_topic_arn", "aws_region"}


def test_environments_page_different_topics() -> None:
    dev, prod = (_env_values(env) for env in ENVS)
    assert dev["page_topic_arn"] != prod["page_topic_arn"] and dev["ticket_topic_arn"] != prod["ticket_topic_arn"]
    for values in (dev, prod):
        assert values["page_topic_arn"] != values["ticket_topic_arn"]


@needs_terraform
@pytest.mark.parametrize("env", ENVS)
def test_fill_renders_exactly_what_terraform_templatefile_renders(env: str, tmp_path: Path) -> None:
    values = _env_values(env)
    arguments = ", ".join(f'{name} = "{value}"' for name, value in sorted(values.items()))
    expression = f'base64encode(templatefile("{TEMPLATE}", {{ {arguments} }}))\n'
    result = subprocess.run(
        ["terraform", "console"],
        input=expression,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # an empty configuration: no provider, no state
        env={"PATH": os.environ["PATH"], "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    encoded = result.stdout.strip().strip('"')
    assert base64.b64decode(encoded).decode("utf-8") == _rendered(env)


@needs_amtool
@pytest.mark.parametrize("env", ENVS)
def test_amtool_routes_page_ticket_and_the_rest(env: str, tmp_path: Path) -> None:
    values = _env_values(env)
    inner = _inner(env)
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_load(_rendered(env))["alertmanager_config"], encoding="utf-8")
    checked = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    def route(*labels: str) -> str:
        proc = subprocess.run(
            ["amtool", "config", "routes", "test", f"--config.file={config}", *labels],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout.strip()

    topics = {r["name"]: [sns["topic_arn"] for sns in r["sns_configs"]] for r in inner["receivers"]}
    assert all(set(r) == {"name", "sns_configs"} for r in inner["receivers"]), "AMP accepts SNS receivers only"
    assert topics[route("severity=page", "slo=api-availability", "alertname=SLOBurnRate")] == [values["page_topic_arn"]]
    assert topics[route("severity=ticket", "slo=db-errors", "alertname=SLOBurnRate")] == [values["ticket_topic_arn"]]
    default = route("alertname=Watchdog", "severity=none")
    assert default == inner["route"]["receiver"]
    assert all(sns["sigv4"] == {"region": values["aws_region"]} for r in inner["receivers"] for sns in r["sns_configs"])
