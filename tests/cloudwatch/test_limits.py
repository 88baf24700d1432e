"""Issue 17 item 14: limits of the generated objects are refused by `sre validate` (file:line:field),
or met by the generator, never found late by `sre generate` or by AWS/Grafana.

Per case: `sre validate` and rendering agree (what validates renders, what renders passes the
strict validator), so a failure is never postponed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.slospec.load import load
from sre_cli.targets.cloudwatch import alarms, dashboards

from .conftest import REPO

DEFAULTS = yaml.safe_load((REPO / "slo" / "defaults.yaml").read_text())
DB = yaml.safe_load((REPO / "slo" / "db.yaml").read_text())


def write(tmp_path: Path, docs: list[dict[str, Any]], defaults: dict[str, Any] | None = DEFAULTS) -> Path:
    spec_dir = tmp_path / "slo"
    spec_dir.mkdir(parents=True)
    if defaults is not None:
        (spec_dir / "defaults.yaml").write_text(yaml.safe_dump(defaults))
    (spec_dir / "specs.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return spec_dir


def slo(name: str = "db-errors", service: str = "db", **spec: Any) -> dict[str, Any]:
    doc = yaml.safe_load(yaml.safe_dump(DB))
    doc["metadata"].update(name=name, service=service)
    doc["spec"].update(spec)
    return doc


def prometheus_only(doc: dict[str, Any]) -> dict[str, Any]:
    doc["spec"]["indicator"]["ratio"].pop("cloudwatch")
    return doc


def validate(spec_dir: Path) -> Any:
    return CliRunner().invoke(cli, ["validate", str(spec_dir)])


def renders(spec_dir: Path) -> bool:
    specs = load([spec_dir])
    try:
        alarms.render(specs)
        dashboards.render(specs)
    except ValueError:
        return False
    return True


def assert_refused(spec_dir: Path, field: str, *words: str) -> str:
    result = validate(spec_dir)
    assert result.exit_code == 2, result.output
    line = next((x for x in result.output.splitlines() if f" {field}: " in x or x.endswith(f" {field}")), None)
    assert line is not None, result.output
    assert re.match(r"^\S+\.yaml:\d+:\d+: ", line), line
    for word in words:
        assert word in line, line
    assert "Traceback" not in result.output
    return line


def assert_accepted(spec_dir: Path) -> None:
    result = validate(spec_dir)
    assert result.exit_code == 0, result.output
    assert renders(spec_dir)


# ---- the Grafana dashboard uid ------------------------------------------------------------------------


@pytest.mark.parametrize("cloudwatch", [True, False])
@pytest.mark.parametrize("length", [36, 37, 50, 63])
def test_service_names_making_the_grafana_uid_too_long_are_refused(
    tmp_path: Path, cloudwatch: bool, length: int
) -> None:
    service = ("s" * length)[:length]
    doc = slo(service=service)
    spec_dir = write(tmp_path, [doc if cloudwatch else prometheus_only(doc)])
    if len(f"slo-{service}") <= 40:
        assert_accepted(spec_dir)
    else:
        assert_refused(spec_dir, "metadata.service", "Grafana", f"slo-{service}")


# ---- SNS topics -------------------------------------------------------------------------------------

NO_ARN = {"alertmanagerReceiver": "x"}


@pytest.mark.parametrize(
    ("case", "defaults", "spec", "field"),
    [
        ("page target without arn", {"page": NO_ARN}, {}, "spec.indicator.ratio.cloudwatch"),
        ("ticket target without arn", {"ticket": NO_ARN}, {}, "spec.indicator.ratio.cloudwatch"),
        (
            "explicit notify without arn",
            {"quiet": NO_ARN},
            {"alerting": {"page": {"notify": "quiet"}}},
            "spec.indicator.ratio.cloudwatch",
        ),
        (
            "ticket tier off, absent alarm still tickets",
            {"ticket": NO_ARN},
            {"alerting": {"ticket": {"enabled": False}}},
            "spec.indicator.ratio.cloudwatch",
        ),
        (
            "ticket tier off, ticket target unknown",
            "drop-ticket",
            {"alerting": {"ticket": {"enabled": False}}},
            "spec.indicator.ratio.cloudwatch",
        ),
    ],
)
def test_alarm_targets_without_a_topic_are_refused(
    tmp_path: Path, case: str, defaults: Any, spec: dict[str, Any], field: str
) -> None:
    merged = yaml.safe_load(yaml.safe_dump(DEFAULTS))
    if defaults == "none":
        merged.pop("notificationTargets")
    elif defaults == "drop-ticket":
        merged["notificationTargets"].pop("ticket")
    else:
        merged["notificationTargets"].update(defaults)
    doc = slo()
    doc["spec"].update(spec)
    spec_dir = write(tmp_path / "cw", [doc], merged)
    assert not renders(spec_dir)  # what generate would have found, late (reported at the CloudWatch source)
    assert_refused(spec_dir, field, "SNS topic")
    # The same SLO without a CloudWatch source needs no topic.
    prom = slo()
    prom["spec"].update(spec)
    assert validate(write(tmp_path / "prom", [prometheus_only(prom)], merged)).exit_code == 0


def test_no_notification_targets_at_all_leave_placeholder_topics(tmp_path: Path) -> None:
    """With no targets, the alarms notify ${page_topic_arn}/${ticket_topic_arn}, which each environment fills."""
    merged = yaml.safe_load(yaml.safe_dump(DEFAULTS))
    merged.pop("notificationTargets")
    spec_dir = write(tmp_path / "cw", [slo()], merged)
    assert validate(spec_dir).exit_code == 0
    assert renders(spec_dir)


# ---- AlarmDescription ---------------------------------------------------------------------------------


def test_long_metric_names_shorten_the_description_and_keep_the_links(tmp_path: Path) -> None:
    doc = slo()
    total = doc["spec"]["indicator"]["ratio"]["cloudwatch"]["total"]
    doc["spec"]["indicator"]["ratio"]["cloudwatch"]["total"] = [
        {**total[0], "metricName": f"{i}{'m' * 254}"} for i in range(8)
    ]
    spec_dir = write(tmp_path, [doc])
    assert_accepted(spec_dir)
    specs = load([spec_dir])
    absent = alarms.absent_alarm(specs, specs.slos[0])["AlarmDescription"]
    assert len(absent) == alarms.MAX_DESCRIPTION and "\u2026 Runbook: " in absent
    assert absent.endswith(f"Dashboard: {specs.slos[0].dashboard_url}")
    assert alarms.description("short", " tail") == "short tail"


@pytest.mark.parametrize(
    ("key", "length", "field"),
    [
        ("runbookBaseUrl", 800, "metadata.name"),
        ("dashboardBaseUrl", 900, "metadata.name"),
        ("runbookBaseUrl", 300, None),
    ],
)
def test_links_too_long_for_a_description_are_refused(tmp_path: Path, key: str, length: int, field: str | None) -> None:
    merged = {**DEFAULTS, key: "https://example.com/" + "p" * (length - 20) + "/"}
    spec_dir = write(tmp_path, [slo()], merged)
    if field is None:
        assert_accepted(spec_dir)
    else:
        assert_refused(spec_dir, field, "AlarmDescription", key)


# ---- CloudWatch dashboards ------------------------------------------------------------------------------


def test_a_service_too_big_for_one_cloudwatch_dashboard_is_refused(tmp_path: Path) -> None:
    docs = [slo(name=f"db-errors-{i}") for i in range(100)]
    spec_dir = write(tmp_path, docs)
    assert not renders(spec_dir)
    assert_refused(spec_dir, "metadata.service", "dashboard", "widgets")
    assert_accepted(write(tmp_path / "small", docs[:20]))
