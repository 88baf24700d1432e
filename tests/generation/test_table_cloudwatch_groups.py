"""Grouped SLOs on CloudWatch: the exact alarms `sre generate` writes for a tiny enumerated spec.

The rows use the locators of test_table_cloudwatch_alarms.py. One group is one value combination
of the `groupBy` labels (the cartesian product of `cloudwatch.groups` values); its alarms are named
`<slo>-<slug of the values>-<first 8 hex of sha256 of [[label, value], ...] as JSON>-<tier>-...`,
worked out here with hashlib, not with the package.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.generation.test_table_cloudwatch_alarms import ALARMS, PAGE_ARN, TARGETS, _child, _pair, locate
from tests.support.spec_table import Case, Contains, Generated, generate_table, params

GROUPED = """
metadata: {name: g, service: t}
spec:
  description: d
  objective: 99
  indicator:
    groupBy: [handler, zone]
    ratio:
      cloudwatch:
        groups:
          handler: {dimension: Handler, values: [/orders, "/Pay ${x}"]}
          zone: {dimension: AvailabilityZone, values: [a, b]}
        bad:
          - {namespace: App, metricName: Errors, dimensions: {Service: s}}
        total:
          - {namespace: App, metricName: Requests, dimensions: {Service: s}}
  alerting:
    ticket: {enabled: false}
"""


def _key(slug: str, *labels: tuple[str, str]) -> str:
    digest = hashlib.sha256(json.dumps([list(pair) for pair in labels]).encode()).hexdigest()[:8]
    return f"g-{slug}-{digest}"


ORDERS_A = _key("orders-a", ("handler", "/orders"), ("zone", "a"))
ORDERS_B = _key("orders-b", ("handler", "/orders"), ("zone", "b"))
PAY_A = _key("pay-x-a", ("handler", "/Pay ${x}"), ("zone", "a"))
PAY_B = _key("pay-x-b", ("handler", "/Pay ${x}"), ("zone", "b"))


def _stack(key: str) -> list[str]:
    return [f"{key}-{pair}{suffix}" for pair in ("page-1h-5m", "page-6h-30m") for suffix in ("", "-long", "-short")]


def _group_metrics(period: int, zone: str, handler: str) -> list[str]:
    dims = f"AvailabilityZone={zone},Handler={handler},Service=s"
    return [
        f"m0: App/Requests{{{dims}}} Sum @{period}",
        f"m1: App/Errors{{{dims}}} Sum @{period}",
        "total = FILL(m0, 0)",
        "bad = FILL(m1, 0)",
        "burn = IF(total > 0, bad / total / 0.01, 0) (returned)",
    ]


def _absent_metrics() -> list[str]:
    # Every group's total, one metric each: the metrics-absent alarm stays one per SLO.
    combos = [("a", "/orders"), ("b", "/orders"), ("a", "/Pay ${x}"), ("b", "/Pay ${x}")]
    lines = [
        f"m{i}: App/Requests{{AvailabilityZone={z},Handler={h},Service=s}} SampleCount @900"
        for i, (z, h) in enumerate(combos)
    ]
    return [*lines, "reported = FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0) + FILL(m3, 0) (returned)"]


CASES = [
    Case(
        "two-labels-cartesian",
        GROUPED,
        {
            "alarms": sorted(
                ["g-metrics-absent", *_stack(ORDERS_A), *_stack(ORDERS_B), *_stack(PAY_A), *_stack(PAY_B)]
            ),
            f"alarm {PAY_A}-page-1h-5m-long": _child(14.3999999856, 1, 1, _group_metrics(3600, "a", "/Pay ${x}")),
            f"alarm {ORDERS_B}-page-6h-30m-short": _child(5.999999994, 1, 1, _group_metrics(1800, "b", "/orders")),
            f"composite {PAY_A}-page-1h-5m": _pair(f"{PAY_A}-page-1h-5m", PAGE_ARN),
            f"description {PAY_A}-page-1h-5m": 'SLO g {handler="/Pay ${x}", zone="a"} (99% over 30d) burns its error '
            "budget 14.4x too fast over 1h and 5m (2% of the budget in 1h). Runbook: runbooks/g.md#page",
            # Tag values hold letters, digits, spaces and _.:/=+-@ only: the rest becomes `-`.
            f"tags {PAY_A}-page-1h-5m": [
                "ManagedBy=sre",
                "handler=/Pay --x-",
                "service=t",
                "severity=page",
                "slo=g",
                "sre:scope=local/${environment}",
                "zone=a",
            ],
            "alarm g-metrics-absent": {
                "Threshold": 1.0,
                "ComparisonOperator": "LessThanThreshold",
                "EvaluationPeriods": 1,
                "DatapointsToAlarm": 1,
                "TreatMissingData": "breaching",
                "Metrics": _absent_metrics(),
            },
            "description g-metrics-absent": Contains("none of its source metrics of any group has reported for 15m"),
            "tags g-metrics-absent": [
                "ManagedBy=sre",
                "service=t",
                "severity=ticket",
                "slo=g",
                "sre:scope=local/${environment}",
            ],
        },
        defaults=TARGETS,
    ),
    Case(
        "absent-split-past-ten-metrics",
        GROUPED.replace("[a, b]", "[a, b, c, d, e, f]"),
        {
            "composite g-metrics-absent": {
                "AlarmRule": 'ALARM("g-metrics-absent-1") AND ALARM("g-metrics-absent-2")',
                "ActionsEnabled": True,
                "AlarmActions": ["arn:aws:sns:us-east-1:111122223333:ticket"],
                "OKActions": ["arn:aws:sns:us-east-1:111122223333:ticket"],
            },
        },
        defaults=TARGETS,
    ),
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    return generate_table(tmp_path_factory.mktemp("cloudwatch-groups-table"), CASES)


@pytest.mark.parametrize("case", params(CASES))
def test_grouped_alarms(case: Case, generated: dict[str, Generated]) -> None:
    result = generated[case.id]
    assert result.exit_code == 0, result.output
    doc = result.json(ALARMS)
    assert {key: locate(doc, key) for key in case.expect} == case.expect


def test_split_absent_parts_have_no_actions(generated: dict[str, Generated]) -> None:
    doc = generated["absent-split-past-ten-metrics"].json(ALARMS)
    parts = [doc["metric_alarms"][f"g-metrics-absent-{i}"] for i in (1, 2)]
    assert [len([q for q in p["Metrics"] if "MetricStat" in q]) for p in parts] == [10, 2]
    assert all(p["ActionsEnabled"] is False and "AlarmActions" not in p for p in parts)


def test_a_group_value_is_user_text_not_a_placeholder(generated: dict[str, Generated]) -> None:
    """`${x}` in a group value is escaped in the file (Terraform leaves it alone), and reads back as typed."""
    text = generated["two-labels-cartesian"].text(ALARMS)
    assert "${x}" not in text and "/Pay $\\u007bx}" in text
    dashboard = generated["two-labels-cartesian"].text("dashboards/cloudwatch/t.json")
    assert "${x}" not in dashboard
    body = json.loads(json.loads(dashboard)["DashboardBody"])
    titles = [w["properties"].get("title", "") for w in body["widgets"]]
    assert 'g {handler="/Pay ${x}", zone="b"}: burn-rate alarms' in titles
