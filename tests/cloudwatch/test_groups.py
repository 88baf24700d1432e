"""Grouped SLOs on CloudWatch: validate's word on the enumeration, and per-group alarms on moto.

The moto test deploys the generated alarms with `sre cloudwatch apply` (real boto3, botocore's
model), publishes an outage in one enumerated handler, reads each deployed alarm's metrics back
with GetMetricData, and evaluates the alarms' metric math and composite rules
(`tests/support/cloudwatch_eval.py`: moto evaluates no metric math): only that handler pages.
"""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from sre_cli.cli import cli
from tests.support import cloudwatch_eval

PAGE_ARN = "arn:aws:sns:us-east-1:123456789012:page"
DEFAULTS = f"""
notificationTargets:
  page: {{alertmanagerReceiver: pager, snsTopicArn: "{PAGE_ARN}"}}
  ticket: {{alertmanagerReceiver: tickets, snsTopicArn: "arn:aws:sns:us-east-1:123456789012:ticket"}}
"""
SPEC = """
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: checkout, service: shop}
spec:
  description: Checkout requests succeed.
  objective: 99
  indicator:
    groupBy: [handler]
    ratio:
      cloudwatch:
        groups:
          handler: {dimension: Handler, values: [cart, pay, ship]}
        bad:
          - {namespace: Shop, metricName: Errors, dimensions: {Service: checkout}}
        total:
          - {namespace: Shop, metricName: Requests, dimensions: {Service: checkout}}
  alerting:
    ticket: {enabled: false}
"""


def _specs(tmp_path: Path, spec: str = SPEC) -> Path:
    slo = tmp_path / "slo"
    slo.mkdir()
    (slo / "checkout.yaml").write_text(textwrap.dedent(spec).lstrip(), encoding="utf-8")
    (slo / "defaults.yaml").write_text(textwrap.dedent(DEFAULTS).lstrip(), encoding="utf-8")
    return slo


# ---- validate -----------------------------------------------------------------------------------


def test_validate_refuses_an_enumeration_cloudwatch_cannot_take(tmp_path: Path) -> None:
    spec = (
        SPEC.replace("[cart, pay, ship]", '[cart, cart, "caf\u00e9"]')
        .replace("groupBy: [handler]", "groupBy: [handler]\n    maxGroups: 2")
        .replace("dimensions: {Service: checkout}}\n        total", "dimensions: {Handler: x}}\n        total")
    )
    slo = _specs(tmp_path, spec)
    result = CliRunner().invoke(cli, ["validate", str(slo)])
    assert result.exit_code == 2, result.output
    where = f"{slo / 'checkout.yaml'}:"
    lines = [line.removeprefix(where) for line in result.output.splitlines() if line.startswith(where)]
    assert lines == [
        "13:11: spec.indicator.ratio.cloudwatch.groups: 3 groups (3 handler values) exceed maxGroups 2: each group "
        "is an alarm stack and a dashboard section; raise spec.indicator.maxGroups or enumerate fewer values",
        "13:32: spec.indicator.ratio.cloudwatch.groups.handler.dimension: the bad metric Shop Errors already sets "
        "Handler='x'; each group sets it: remove it from the metric's dimensions",
        "13:56: spec.indicator.ratio.cloudwatch.groups.handler.values[1]: 'cart' is listed twice",
        "13:62: spec.indicator.ratio.cloudwatch.groups.handler.values[2]: CloudWatch dimension values hold ASCII "
        "characters only, no control characters, and at least one non-whitespace character",
    ]


def test_validate_warns_when_a_grouped_slo_enumerates_no_cloudwatch_groups(tmp_path: Path) -> None:
    slo = _specs(
        tmp_path,
        SPEC.replace("        groups:\n          handler: {dimension: Handler, values: [cart, pay, ship]}\n", ""),
    )
    result = CliRunner().invoke(cli, ["validate", str(slo)])
    assert result.exit_code == 0, result.output
    assert (
        f"{slo / 'checkout.yaml'}:11:9: spec.indicator.ratio.cloudwatch: warning: the SLO is grouped by handler, but "
        "its CloudWatch source enumerates no groups: its CloudWatch alarms and dashboard watch the SLO as a whole"
    ) in result.output
    assert "ok: 1 SLO valid" in result.output


def test_validate_refuses_a_dashboard_that_many_groups_overflow(tmp_path: Path) -> None:
    # 200 groups of 4 widgets each (the page tier's burn graph, SLI, budget, alarms): over 500 widgets.
    values = ", ".join(f"h{i}" for i in range(100))
    spec = SPEC.replace(
        "[cart, pay, ship]", f"[{values}]}}\n          zone: {{dimension: Zone, values: [a, b]"
    ).replace("groupBy: [handler]", "groupBy: [handler, zone]\n    maxGroups: 200")
    result = CliRunner().invoke(cli, ["validate", str(_specs(tmp_path, spec))])
    assert result.exit_code == 2
    assert "the CloudWatch dashboard of service 'shop' (1 SLOs) does not fit CloudWatch" in result.output


def test_a_report_reads_specs_whose_dashboard_only_generate_refuses(tmp_path: Path) -> None:
    # The dashboard's size matters to the generated files only: a report (load without generating)
    # does not render it, and reads the SLO; `sre validate` above still refuses it.
    from sre_cli.slospec.load import load

    values = ", ".join(f"h{i}" for i in range(100))
    spec = SPEC.replace(
        "[cart, pay, ship]", f"[{values}]}}\n          zone: {{dimension: Zone, values: [a, b]"
    ).replace("groupBy: [handler]", "groupBy: [handler, zone]\n    maxGroups: 200")
    specs = _specs(tmp_path, spec)
    assert [s.name for s in load([specs]).slos] == ["checkout"] and load([specs]).errors == []
    assert any("does not fit CloudWatch" in e.message for e in load([specs], generating=True).errors)


# ---- on moto: an outage of one handler pages that handler only -----------------------------------


def _publish(cw: Any, end: datetime, errors_per_minute: dict[str, float]) -> None:
    data = []
    for minute in range(1, 61):
        at = end - timedelta(minutes=minute)
        for handler, errors in errors_per_minute.items():
            dims = [{"Name": "Handler", "Value": handler}, {"Name": "Service", "Value": "checkout"}]
            data.append({"MetricName": "Requests", "Dimensions": dims, "Timestamp": at, "Value": 100.0})
            if errors:
                data.append({"MetricName": "Errors", "Dimensions": dims, "Timestamp": at, "Value": errors})
    for i in range(0, len(data), 1000):
        cw.put_metric_data(Namespace="Shop", MetricData=data[i : i + 1000])


def _alarm_data(cw: Any, alarm: dict[str, Any], end: datetime) -> dict[str, cloudwatch_eval.Series]:
    """Each MetricStat of a deployed alarm, read back from CloudWatch over the alarm's one period."""
    stats = [q for q in alarm["Metrics"] if "MetricStat" in q]
    assert alarm["EvaluationPeriods"] == 1  # the page pairs' windows are each one legal period
    period = stats[0]["MetricStat"]["Period"]
    response = cw.get_metric_data(
        MetricDataQueries=[{"Id": q["Id"], "MetricStat": q["MetricStat"], "ReturnData": True} for q in stats],
        StartTime=end - timedelta(seconds=period),
        EndTime=end,
    )
    return {r["Id"]: [sum(r["Values"]) if r["Values"] else None] for r in response["MetricDataResults"]}


@pytest.mark.e2e
def test_an_outage_of_one_handler_pages_that_handler_only(
    tmp_path: Path, endpoint: str, fake_credentials: None
) -> None:
    slo = _specs(tmp_path)
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"environment": "test"}))
    result = CliRunner().invoke(
        cli,
        ["cloudwatch", "apply", "--specs", str(slo), "--region", "us-east-1", "--endpoint-url", endpoint,
         "--values", str(values), "--create-topics", "--only", "metric-alarm"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # moto has no PutCompositeAlarm: the composites' rules are read from the generated file.
    generated = tmp_path / "out"
    assert CliRunner().invoke(cli, ["generate", "--specs", str(slo), "--out", str(generated)]).exit_code == 0
    composite = json.loads((generated / "alarms" / "cloudwatch" / "shop.json").read_text())["composite_alarms"]
    cw = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=endpoint)
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    _publish(cw, end, {"cart": 0.0, "pay": 50.0, "ship": 0.0})  # half of pay's requests fail

    pages = cw.get_paginator("describe_alarms").paginate()
    metric = {a["AlarmName"]: a for page in pages for a in page["MetricAlarms"]}
    assert len(metric) == 13 and len(composite) == 6  # 3 handlers x 2 page pairs (x 2 windows), metrics absent
    states = {
        name: cloudwatch_eval.alarm_breaching(alarm, _alarm_data(cw, alarm, end))
        for name, alarm in metric.items()
        if not name.endswith("-metrics-absent")
    }
    fired = {name for name, c in composite.items() if cloudwatch_eval.composite_firing(c["AlarmRule"], states)}
    assert fired and all(name.startswith("checkout-pay-") for name in fired), fired
    assert len(fired) == 2  # both page pairs of pay, no other handler's
    for name in fired:
        assert composite[name]["AlarmActions"] == [PAGE_ARN]
        assert {"Key": "handler", "Value": "pay"} in composite[name]["Tags"]
    for name in (n for n in metric if n.startswith("checkout-pay-")):
        tags = cw.list_tags_for_resource(ResourceARN=metric[name]["AlarmArn"])["Tags"]
        assert {"Key": "handler", "Value": "pay"} in tags
    quiet = {name for name, firing in states.items() if firing and "-pay-" not in name}
    assert not quiet, quiet
