"""slo/README.md's "From zero to a routed page" example, run as written: the spec validates,
generates, and Alertmanager's own routing tree sends its page where the README says."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sre_cli.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## From zero to a routed page"


def _blocks(kind: str) -> list[str]:
    text = (ROOT / "slo" / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return [part.split("```", 1)[0] for part in section.split(f"```{kind}\n")[1:]]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("checkout")
    targets, spec = _blocks("yaml")
    defaults = (ROOT / "slo" / "defaults.yaml").read_text(encoding="utf-8")
    assert defaults.rstrip().endswith('snsTopicArn: "${ticket_topic_arn}"'), "the targets block is appended last"
    (root / "slo").mkdir()
    (root / "slo" / "defaults.yaml").write_text(defaults + targets, encoding="utf-8")
    (root / "slo" / "checkout.yaml").write_text(spec, encoding="utf-8")
    result = CliRunner().invoke(cli, ["generate", "--specs", str(root / "slo"), "--out", str(root)])
    assert result.exit_code == 0, result.output
    return root


def test_the_page_carries_the_name_owner_and_labels(checkout: Path) -> None:
    doc = yaml.safe_load((checkout / "alarms/prometheus/checkout.rules.yaml").read_text(encoding="utf-8"))
    pages = [r for r in doc["groups"][0]["rules"] if r.get("alert") == "CheckoutAvailabilityPage"]
    assert len(pages) == 2
    first = pages[0]
    assert {k: first["labels"][k] for k in ("owner", "category", "severity")} == {
        "owner": "team-payments",
        "category": "availability",
        "severity": "page",
    }
    assert first["annotations"]["summary"] == (
        "checkout-availability: error budget burning 13.44x too fast over 1h and 5m"
    )
    assert first["annotations"]["chat"] == "#payments-oncall"


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed")
def test_the_page_routes_as_the_readme_says(checkout: Path) -> None:
    (command,) = _blocks("sh")
    line = next(x for x in command.splitlines() if x.startswith("amtool "))
    expected = next(x for x in command.splitlines() if x.startswith("# ") and "sre generate" not in x)
    proc = subprocess.run(line, shell=True, cwd=checkout, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.split() == [expected.removeprefix("# ")]
    config = yaml.safe_load((checkout / "alarms/alertmanager/alertmanager.yml").read_text(encoding="utf-8"))
    (oncall,) = [r for r in config["receivers"] if r["name"] == "payments-oncall"]
    assert sorted(oncall) == ["name", "pagerduty_configs", "slack_configs"]
    check = subprocess.run(
        ["amtool", "check-config", "alarms/alertmanager/alertmanager.yml"], cwd=checkout, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
