"""The AMP Alertmanager definition: one YAML document whose inner config amtool accepts and routes right."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path
from typing import Any

import botocore.session
import pytest
import yaml
from botocore.validate import ParamValidator

from sre_cli.placeholders import fill
from sre_cli.slospec.document import NotificationTarget
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.prometheus import amp_alertmanager
from tests.support.env_values import PROD_VALUES
from tests.support.repo_specs import REPO

PAGE_TOPIC = PROD_VALUES["page_topic_arn"]
TICKET_TOPIC = PROD_VALUES["ticket_topic_arn"]
needs_amtool = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed")


def definition(specs: SpecSet) -> dict[str, Any]:
    """The definition as Terraform hands it to AMP: placeholders filled with prod's values."""
    text = fill(amp_alertmanager.render(specs)[amp_alertmanager.DEFINITION_PATH], PROD_VALUES)
    doc = yaml.safe_load(text)
    assert set(doc) == {"alertmanager_config"} and isinstance(doc["alertmanager_config"], str)
    return doc


def inner(specs: SpecSet) -> dict[str, Any]:
    return yaml.safe_load(definition(specs)["alertmanager_config"])


def test_committed_file_is_what_generate_renders(repo_specs: SpecSet) -> None:
    committed = (REPO / amp_alertmanager.DEFINITION_PATH).read_text(encoding="utf-8")
    assert committed == amp_alertmanager.render(repo_specs)[amp_alertmanager.DEFINITION_PATH]


def test_receivers_publish_only_to_the_cloudwatch_alarms_topics(repo_specs: SpecSet) -> None:
    targets = repo_specs.defaults.notification_targets
    assert (targets["page"].sns_topic_arn, targets["ticket"].sns_topic_arn) == (
        "${page_topic_arn}",
        "${ticket_topic_arn}",
    )
    receivers = {r["name"]: r for r in inner(repo_specs)["receivers"]}
    assert set(receivers) == {"pager", "ticket"}
    for name, topic in (("pager", PAGE_TOPIC), ("ticket", TICKET_TOPIC)):
        assert set(receivers[name]) == {"name", "sns_configs"}  # SNS only: AMP refuses anything else
        (sns,) = receivers[name]["sns_configs"]
        assert sns["topic_arn"] == topic and sns["sigv4"] == {"region": "us-east-1"}
        assert "api_url" not in sns and "http_config" not in sns  # both refused by AMP


def test_placeholder_topics_are_kept_verbatim_for_templatefile(repo_specs: SpecSet) -> None:
    # model_construct: defaults.yaml's snsTopicArn pattern may not accept placeholders (yet).
    targets = {
        "page": NotificationTarget.model_construct(alertmanager_receiver="pager", sns_topic_arn="${page_topic_arn}"),
        "ticket": NotificationTarget.model_construct(
            alertmanager_receiver="ticket", sns_topic_arn="${ticket_topic_arn}"
        ),
    }
    defaults = type(repo_specs.defaults).model_construct(
        **{**dict(repo_specs.defaults), "notification_targets": targets}
    )
    text = amp_alertmanager.render(dataclasses.replace(repo_specs, defaults=defaults))[amp_alertmanager.DEFINITION_PATH]
    assert "topic_arn: ${page_topic_arn}" in text and "topic_arn: ${ticket_topic_arn}" in text
    assert "region: ${aws_region}" in text


@needs_amtool
def test_inner_config_passes_amtool_and_routes_page_ticket_and_the_rest(repo_specs: SpecSet, tmp_path: Path) -> None:
    config = tmp_path / "alertmanager.yml"
    config.write_text(definition(repo_specs)["alertmanager_config"], encoding="utf-8")
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

    receivers = {r["name"]: r["sns_configs"][0]["topic_arn"] for r in inner(repo_specs)["receivers"]}
    assert receivers[route("severity=page", "slo=api-availability", "alertname=SLOBurnRate")] == PAGE_TOPIC
    assert receivers[route("severity=ticket", "slo=db-errors", "alertname=SLOBurnRate")] == TICKET_TOPIC
    default = inner(repo_specs)["route"]["receiver"]
    assert route("alertname=Watchdog", "severity=none") == default


def test_definition_is_a_valid_put_alert_manager_definition_payload(repo_specs: SpecSet) -> None:
    """moto does not serve the Alertmanager definition; botocore's model checks the request."""
    model = botocore.session.get_session().get_service_model("amp").operation_model("PutAlertManagerDefinition")
    data = (REPO / amp_alertmanager.DEFINITION_PATH).read_bytes()
    report = ParamValidator().validate({"workspaceId": "ws-0123", "data": data}, model.input_shape)
    assert not report.has_errors(), report.generate_report()
    missing = ParamValidator().validate({"data": data}, model.input_shape)
    assert missing.has_errors()
