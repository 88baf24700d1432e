"""Table of tiny specs and the exact CloudWatch alarms `sre generate` must write for them.

The CloudWatch counterpart of test_table_prometheus_rules.py: each row is a spec of a few lines
and the literal alarms it must produce in `alarms/cloudwatch/t.json` (every case's service is
`t`). Thresholds (factor x (1 - 1e-9)), M-of-N datapoints (ceil(factor x budget x slices)) and
metric math are worked out by hand in the rows, not computed with the package.

Locators (keys of `Case.expect`):

- `alarms`: every alarm name, metric and composite, sorted
- `alarm <name>`: a metric alarm as Threshold, ComparisonOperator, EvaluationPeriods,
  DatapointsToAlarm, TreatMissingData and its Metrics, each query written on one line:
  `m0: <Namespace>/<MetricName>{<dims>} <Stat> @<Period>` or `<id> = <Expression>`, with
  ` (returned)` on the query whose ReturnData is true
- `composite <name>`: a composite alarm without its name, description and tags
- `description <name>`: the AlarmDescription of any alarm;  `tags <name>`: its tags as `Key=Value`
"""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.validate import validate_parameters

from tests.support.spec_table import Case, Contains, Generated, generate_table, params

ALARMS = "alarms/cloudwatch/t.json"
PAGE_ARN = "arn:aws:sns:us-east-1:111122223333:page"
TICKET_ARN = "arn:aws:sns:us-east-1:111122223333:ticket"
DB_ARN = "arn:aws:sns:us-east-1:111122223333:db-oncall"
TARGETS = f"""
notificationTargets:
  page: {{alertmanagerReceiver: pager, snsTopicArn: "{PAGE_ARN}"}}
  ticket: {{alertmanagerReceiver: tickets, snsTopicArn: "{TICKET_ARN}"}}
  db-oncall: {{alertmanagerReceiver: db-pager, snsTopicArn: "{DB_ARN}"}}
"""


def _child(
    threshold: float, periods: int, datapoints: int, metrics: list[str], missing: str = "notBreaching"
) -> dict[str, Any]:
    """A window alarm. Event counts treat missing data as notBreaching (no datapoint, no events);
    a gauge's time slices as missing (a gap is a silent publisher, not a good slice)."""
    return {
        "Threshold": threshold,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "EvaluationPeriods": periods,
        "DatapointsToAlarm": datapoints,
        "TreatMissingData": missing,
        "Metrics": metrics,
    }


def _pair(name: str, topic: str) -> dict[str, Any]:
    """A pair's composite: both windows in alarm, notifying the tier's topic (no suppressor)."""
    return {
        "AlarmRule": f'ALARM("{name}-long") AND ALARM("{name}-short")',
        "ActionsEnabled": True,
        "AlarmActions": [topic],
        "OKActions": [topic],
    }


def _names(slo: str, *pairs: str, page_any: bool = False) -> list[str]:
    """Every alarm of one SLO: three per pair, the page-any composite, and the metrics-absent alarm."""
    names = [f"{slo}-{p}{suffix}" for p in pairs for suffix in ("", "-long", "-short")]
    return sorted([*names, f"{slo}-metrics-absent", *([f"{slo}-page-any"] if page_any else [])])


ALB_RATIO = """
          indicator:
            ratio:
              cloudwatch:
                good:
                  - namespace: AWS/ApplicationELB
                    metricName: HTTPCode_Target_2XX_Count
                    dimensions: {LoadBalancer: app/x}
                total:
                  - namespace: AWS/ApplicationELB
                    metricName: RequestCount
                    dimensions: {LoadBalancer: app/x}
"""


def _alb_metrics(period: int, budget: str, guard: str = "total > 0") -> list[str]:
    return [
        f"m0: AWS/ApplicationELB/RequestCount{{LoadBalancer=app/x}} Sum @{period}",
        f"m1: AWS/ApplicationELB/HTTPCode_Target_2XX_Count{{LoadBalancer=app/x}} Sum @{period}",
        "total = FILL(m0, 0)",
        "good = FILL(m1, 0)",
        "bad = total - good",
        f"burn = IF({guard}, bad / total / {budget}, 0) (returned)",
    ]


CASES = [
    Case(
        "calendar-month-is-30d",
        """
        metadata: {name: m, service: t}
        spec:
          description: d
          objective: 99.9
          window: month
        """
        + ALB_RATIO,
        {
            "alarms": _names("m", "page-1h-5m", "page-6h-30m", "ticket-1d-2h", "ticket-3d-6h", page_any=True),
            "alarm m-page-1h-5m-long": _child(14.3999999856, 1, 1, _alb_metrics(3600, "0.001")),
            "alarm m-page-1h-5m-short": _child(14.3999999856, 1, 1, _alb_metrics(300, "0.001")),
            "composite m-page-1h-5m": _pair("m-page-1h-5m", PAGE_ARN),
            "description m-page-1h-5m": Contains(
                "SLO m (99.9% over month) burns its error budget 14.4x too fast over 1h and 5m "
                "(2% of the budget in 1h)."
            ),
        },
        defaults=TARGETS,
    ),
    Case(
        "calendar-week-is-7d",
        """
        metadata: {name: w, service: t}
        spec:
          description: d
          objective: 99
          window: week
        """
        + ALB_RATIO,
        {
            # 3.36x over 1h; 10% of 7d in 3d is 0.2333x, a 3d window is 3 x 1d, all of them burning.
            "alarm w-page-1h-5m-short": _child(3.35999999664, 1, 1, _alb_metrics(300, "0.01")),
            "alarm w-ticket-3d-6h-long": _child(0.2333333331, 3, 3, _alb_metrics(86400, "0.01")),
            "alarm w-ticket-1d-2h-long": _child(0.6999999993, 1, 1, _alb_metrics(86400, "0.01")),
        },
        defaults=TARGETS,
    ),
    Case(
        "good-list-and-statistic",
        """
        metadata: {name: gl, service: t}
        spec:
          description: d
          objective: 99.5
          indicator:
            ratio:
              cloudwatch:
                good:
                  - {namespace: App, metricName: Ok, dimensions: {Route: a}}
                  - {namespace: App, metricName: Ok, dimensions: {Route: b}}
                total:
                  - {namespace: App, metricName: Latency, dimensions: {Service: s}, statistic: SampleCount}
          alerting:
            ticket: {enabled: false}
        """,
        {
            "alarm gl-page-6h-30m-long": _child(
                5.999999994,
                1,
                1,
                [
                    "m0: App/Latency{Service=s} SampleCount @21600",
                    "m1: App/Ok{Route=a} Sum @21600",
                    "m2: App/Ok{Route=b} Sum @21600",
                    "total = FILL(m0, 0)",
                    "good = FILL(m1, 0) + FILL(m2, 0)",
                    "bad = total - good",
                    "burn = IF(total > 0, bad / total / 0.005, 0) (returned)",
                ],
            ),
        },
        defaults=TARGETS,
    ),
    Case(
        "bad-list-shares-metrics-with-total",
        """
        metadata: {name: bl, service: t}
        spec:
          description: d
          objective: 99.95
          indicator:
            ratio:
              cloudwatch:
                bad:
                  - {namespace: App, metricName: Errors, dimensions: {Type: timeout, Service: s}}
                  - {namespace: App, metricName: Errors, dimensions: {Type: refused, Service: s}}
                total:
                  - {namespace: App, metricName: Ok, dimensions: {Service: s}}
                  - {namespace: App, metricName: Errors, dimensions: {Type: timeout, Service: s}}
                  - {namespace: App, metricName: Errors, dimensions: {Type: refused, Service: s}}
        """,
        {
            # A metric in both lists is fetched once (an alarm takes at most 10 metrics).
            "alarm bl-page-1h-5m-long": _child(
                14.3999999856,
                1,
                1,
                [
                    "m0: App/Ok{Service=s} Sum @3600",
                    "m1: App/Errors{Service=s,Type=timeout} Sum @3600",
                    "m2: App/Errors{Service=s,Type=refused} Sum @3600",
                    "total = FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0)",
                    "bad = FILL(m1, 0) + FILL(m2, 0)",
                    "burn = IF(total > 0, bad / total / 0.0005, 0) (returned)",
                ],
            ),
        },
        defaults=TARGETS,
    ),
    Case(
        "minEvents-per-pair-guards-the-long-window",
        """
        metadata: {name: me, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + ALB_RATIO
        + """
          alerting:
            minEvents: 100
            page:
              windows:
                - {long: 1h, short: 5m, budgetPercent: 2, minEvents: 500}
                - {long: 5m, short: 1m, budgetPercent: 0.05}
            ticket:
              windows:
                - {long: 3d, short: 6h, budgetPercent: 10}
        """,
        {
            "alarm me-page-1h-5m-long": _child(14.3999999856, 1, 1, _alb_metrics(3600, "0.001", "total >= 500")),
            "alarm me-page-1h-5m-short": _child(14.3999999856, 1, 1, _alb_metrics(300, "0.001")),
            # Every metric of an alarm shares one Period: a 5m pair is guarded over its own 5m.
            "alarm me-page-5m-1m-long": _child(4.31999999568, 1, 1, _alb_metrics(300, "0.001", "total >= 100")),
            "alarm me-page-5m-1m-short": _child(4.31999999568, 1, 1, _alb_metrics(60, "0.001")),
            # 3d = 3 x 1d: the guard is spread, ceil(100 / 3) = 34 events a day.
            "alarm me-ticket-3d-6h-long": _child(0.999999999, 3, 3, _alb_metrics(86400, "0.001", "total >= 34")),
        },
        defaults=TARGETS,
    ),
    Case(
        "ticket-tier-disabled",
        """
        metadata: {name: nt, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + ALB_RATIO
        + """
          alerting:
            ticket: {enabled: false}
        """,
        {
            # No ticket composites, so no page-any suppressor either.
            "alarms": _names("nt", "page-1h-5m", "page-6h-30m"),
            "composite nt-page-6h-30m": _pair("nt-page-6h-30m", PAGE_ARN),
        },
        defaults=TARGETS,
    ),
    Case(
        "page-tier-disabled",
        """
        metadata: {name: np, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + ALB_RATIO
        + """
          alerting:
            page: {enabled: false}
        """,
        {
            "alarms": _names("np", "ticket-1d-2h", "ticket-3d-6h"),
            # Nothing pages, so nothing suppresses the tickets.
            "composite np-ticket-1d-2h": _pair("np-ticket-1d-2h", TICKET_ARN),
        },
        defaults=TARGETS,
    ),
    Case(
        "ticket-suppressed-while-a-page-fires",
        """
        metadata: {name: su, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + ALB_RATIO
        + """
          alerting:
            page: {for: 5m}
        """,
        {
            "composite su-page-any": {
                "AlarmRule": 'ALARM("su-page-1h-5m") OR ALARM("su-page-6h-30m")',
                "ActionsEnabled": False,
            },
            # Waits as long as the page's `for`, then 5 more minutes.
            "composite su-ticket-3d-6h": {
                **_pair("su-ticket-3d-6h", TICKET_ARN),
                "ActionsSuppressor": "su-page-any",
                "ActionsSuppressorWaitPeriod": 300,
                "ActionsSuppressorExtensionPeriod": 300,
            },
        },
        defaults=TARGETS,
    ),
    Case(
        "custom-window-pairs",
        """
        metadata: {name: cw, service: t}
        spec:
          description: d
          objective: 99.5
        """
        + ALB_RATIO
        + """
          alerting:
            page:
              windows:
                - {long: 2h, short: 10m, budgetPercent: 3}
            ticket:
              windows:
                - {long: 2d, short: 12h, budgetPercent: 20}
        """,
        {
            "alarms": _names("cw", "page-2h-10m", "ticket-2d-12h", page_any=True),
            # 3% of 30d in 2h: 10.8x; 20% in 2d: 3x, and 2d (over the 1d Period limit) is 2 x 1d.
            "alarm cw-page-2h-10m-long": _child(10.7999999892, 1, 1, _alb_metrics(7200, "0.005")),
            "alarm cw-page-2h-10m-short": _child(10.7999999892, 1, 1, _alb_metrics(600, "0.005")),
            "alarm cw-ticket-2d-12h-long": _child(2.999999997, 2, 2, _alb_metrics(86400, "0.005")),
            "alarm cw-ticket-2d-12h-short": _child(2.999999997, 1, 1, _alb_metrics(43200, "0.005")),
            "composite cw-page-2h-10m": _pair("cw-page-2h-10m", PAGE_ARN),
            "composite cw-page-any": {"AlarmRule": 'ALARM("cw-page-2h-10m")', "ActionsEnabled": False},
        },
        defaults=TARGETS,
    ),
    Case(
        "time-slices-1m-at-most",
        """
        metadata: {name: ts, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            threshold:
              slice: 1m
              operator: "<="
              value: 900
              cloudwatch:
                metric: {namespace: Custom/Batch, metricName: Age, dimensions: {Queue: q}, statistic: Maximum}
        """,
        {
            # 1h = 60 slices; 14.4 x 0.01 x 60 = 8.64, so 9 bad slices of 60.
            "alarm ts-page-1h-5m-long": _child(
                14.3999999856,
                60,
                9,
                ["m0: Custom/Batch/Age{Queue=q} Maximum @60", "burn = IF(m0 <= 900, 0, 1 / 0.01) (returned)"],
                missing="missing",
            ),
            # 5 slices: 0.72, at least one.
            "alarm ts-page-1h-5m-short": _child(
                14.3999999856,
                5,
                1,
                ["m0: Custom/Batch/Age{Queue=q} Maximum @60", "burn = IF(m0 <= 900, 0, 1 / 0.01) (returned)"],
                missing="missing",
            ),
            # 1d = 1440 slices (the 1-day ceiling of sub-hour Periods); 3 x 0.01 x 1440 = 43.2.
            "alarm ts-ticket-1d-2h-long": _child(
                2.999999997,
                1440,
                44,
                ["m0: Custom/Batch/Age{Queue=q} Maximum @60", "burn = IF(m0 <= 900, 0, 1 / 0.01) (returned)"],
                missing="missing",
            ),
            # 3d of 1m slices exceeds it: 3 x 1d, the bad-slice share from the gauge's percentile rank.
            "alarm ts-ticket-3d-6h-long": _child(
                0.999999999,
                3,
                3,
                [
                    "m0: Custom/Batch/Age{Queue=q} SampleCount @86400",
                    "m1: Custom/Batch/Age{Queue=q} PR(:900) @86400",
                    "total = FILL(m0, 0)",
                    "good = FILL(m1, 0) / 100 * total",
                    "bad = total - good",
                    "burn = IF(total > 0, bad / total / 0.01, 0) (returned)",
                ],
                missing="missing",
            ),
            # 6h = 360 slices, 3.6 -> 4.
            "alarm ts-ticket-3d-6h-short": _child(
                0.999999999,
                360,
                4,
                ["m0: Custom/Batch/Age{Queue=q} Maximum @60", "burn = IF(m0 <= 900, 0, 1 / 0.01) (returned)"],
                missing="missing",
            ),
        },
        defaults=TARGETS,
    ),
    Case(
        "time-slices-5m-at-least",
        """
        metadata: {name: tg, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            threshold:
              slice: 5m
              operator: ">="
              value: 0.5
              cloudwatch:
                metric: {namespace: App, metricName: Healthy, dimensions: {Site: a}, statistic: Minimum}
        """,
        {
            # 1h = 12 slices of 5m; 14.4 x 0.01 x 12 = 1.728 -> 2.
            "alarm tg-page-1h-5m-long": _child(
                14.3999999856,
                12,
                2,
                ["m0: App/Healthy{Site=a} Minimum @300", "burn = IF(m0 >= 0.5, 0, 1 / 0.01) (returned)"],
                missing="missing",
            ),
            # 3d of 5m slices is over 1 day of sub-hour Periods: good share = 1 - share at or below 0.5.
            "alarm tg-ticket-3d-6h-long": _child(
                0.999999999,
                3,
                3,
                [
                    "m0: App/Healthy{Site=a} SampleCount @86400",
                    "m1: App/Healthy{Site=a} PR(:0.5) @86400",
                    "total = FILL(m0, 0)",
                    "good = total - FILL(m1, 0) / 100 * total",
                    "bad = total - good",
                    "burn = IF(total > 0, bad / total / 0.01, 0) (returned)",
                ],
                missing="missing",
            ),
        },
        defaults=TARGETS,
    ),
    Case(
        "latency-percentile-rank",
        """
        metadata: {name: lt, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            latency:
              threshold: 250ms
              cloudwatch:
                metric:
                  namespace: AWS/ApplicationELB
                  metricName: TargetResponseTime
                  dimensions: {LoadBalancer: app/x}
        """,
        {
            "alarm lt-page-6h-30m-short": _child(
                5.999999994,
                1,
                1,
                [
                    "m0: AWS/ApplicationELB/TargetResponseTime{LoadBalancer=app/x} SampleCount @1800",
                    "m1: AWS/ApplicationELB/TargetResponseTime{LoadBalancer=app/x} PR(:0.25) @1800",
                    "total = FILL(m0, 0)",
                    "good = FILL(m1, 0) / 100 * total",
                    "bad = total - good",
                    "burn = IF(total > 0, bad / total / 0.01, 0) (returned)",
                ],
            ),
        },
        defaults=TARGETS,
    ),
    Case(
        "notify-targets-pick-the-topic",
        """
        metadata: {name: nf, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + ALB_RATIO
        + """
          alerting:
            page: {notify: db-oncall}
        """,
        {
            "composite nf-page-1h-5m": _pair("nf-page-1h-5m", DB_ARN),
            "composite nf-ticket-1d-2h": {
                **_pair("nf-ticket-1d-2h", TICKET_ARN),
                "ActionsSuppressor": "nf-page-any",
                "ActionsSuppressorWaitPeriod": 120,
                "ActionsSuppressorExtensionPeriod": 300,
            },
        },
        defaults=TARGETS,
    ),
    Case(
        "runbook-and-dashboard-links",
        """
        metadata: {name: ln, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + ALB_RATIO,
        {
            "description ln-ticket-1d-2h": Contains(
                "Runbook: https://wiki.example.com/runbooks/ln.md#ticket Dashboard: https://grafana.example.com/d/slo-t"
            ),
        },
        defaults=TARGETS
        + "runbookBaseUrl: https://wiki.example.com/runbooks/\ndashboardBaseUrl: https://grafana.example.com/d/slo-\n",
    ),
    Case(
        "owner-is-shown-in-alarms",
        """
        metadata: {name: ow, service: t, owner: team-payments}
        spec:
          description: d
          objective: 99.9
        """
        + ALB_RATIO,
        {"description ow-page-1h-5m": Contains("team-payments")},
        defaults=TARGETS,
    ),
    Case(
        "owner-free-labels-and-annotations-in-tags-and-descriptions",
        """
        metadata: {name: ow2, service: t, owner: team-payments}
        spec:
          description: d
          objective: 99.9
          window: 28d
        """
        + ALB_RATIO
        + """
          alerting:
            labels: {category: availability}
            annotations: {playbook: see wiki}
            page:
              labels: {routing: payments-pager}
              annotations: {escalation: call Ann}
        """,
        {
            "tags ow2-page-1h-5m": [
                "ManagedBy=sre",
                "category=availability",
                "owner=team-payments",
                "routing=payments-pager",
                "service=t",
                "severity=page",
                "slo=ow2",
                "sre:scope=local/${environment}",  # a relative runbookBaseUrl names no repository
            ],
            "tags ow2-ticket-3d-6h-long": [
                "ManagedBy=sre",
                "category=availability",
                "owner=team-payments",
                "service=t",
                "severity=ticket",
                "slo=ow2",
                "sre:scope=local/${environment}",  # a relative runbookBaseUrl names no repository
            ],
            # Factors rounded for people; no dashboardBaseUrl, so no dashboard link; annotations after the links.
            "description ow2-page-1h-5m": "SLO ow2 (99.9% over 28d) burns its error budget 13.44x too fast over 1h "
            "and 5m (2% of the budget in 1h). Owner: team-payments. Runbook: runbooks/ow2.md#page | escalation: "
            "call Ann; playbook: see wiki",
            "description ow2-ticket-3d-6h": "SLO ow2 (99.9% over 28d) burns its error budget 0.9333x too fast over "
            "3d and 6h (10% of the budget in 3d). Owner: team-payments. Runbook: runbooks/ow2.md#ticket | playbook: "
            "see wiki",
            "description ow2-metrics-absent": Contains(
                "Owner: team-payments. Runbook: runbooks/ow2.md#metrics-absent | playbook: see wiki"
            ),
            "description ow2-ticket-3d-6h-long": Contains("at or above 0.9333 (a 3d window"),
        },
        defaults=TARGETS,
    ),
]


def _query_line(query: dict[str, Any]) -> str:
    returned = " (returned)" if query["ReturnData"] else ""
    if "Expression" in query:
        return f"{query['Id']} = {query['Expression']}{returned}"
    stat = query["MetricStat"]
    metric = stat["Metric"]
    dims = ",".join(f"{d['Name']}={d['Value']}" for d in metric["Dimensions"])
    where = f"{metric['Namespace']}/{metric['MetricName']}{{{dims}}}"
    return f"{query['Id']}: {where} {stat['Stat']} @{stat['Period']}{returned}"


def locate(doc: dict[str, Any], key: str) -> Any:
    """The part of an alarm document a locator names (see the module doc)."""
    metric, composite = doc["metric_alarms"], doc["composite_alarms"]
    kind, _, name = key.partition(" ")
    if key == "alarms":
        return sorted([*metric, *composite])
    if kind == "alarm":
        alarm = metric[name]
        keys = ("Threshold", "ComparisonOperator", "EvaluationPeriods", "DatapointsToAlarm", "TreatMissingData")
        return {**{k: alarm[k] for k in keys}, "Metrics": [_query_line(q) for q in alarm["Metrics"]]}
    if kind == "composite":
        return {k: v for k, v in composite[name].items() if k not in ("AlarmName", "AlarmDescription", "Tags")}
    if kind == "tags":
        return [f"{t['Key']}={t['Value']}" for t in {**metric, **composite}[name]["Tags"]]
    if kind == "description":
        return {**metric, **composite}[name]["AlarmDescription"]
    raise AssertionError(f"unknown locator {key!r}")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    return generate_table(tmp_path_factory.mktemp("cloudwatch-table"), CASES)


def test_every_case_generates(generated: dict[str, Generated]) -> None:
    # Apart from test_alarms, so a row marked xfail for a generator bug cannot pass by not generating.
    failed = {case_id: r.output for case_id, r in generated.items() if r.exit_code != 0}
    assert not failed


@pytest.mark.parametrize("case", params(CASES))
def test_alarms(case: Case, generated: dict[str, Generated]) -> None:
    result = generated[case.id]
    assert result.exit_code == 0, result.output
    doc = result.json(ALARMS)
    actual = {key: locate(doc, key) for key in case.expect}
    assert actual == case.expect


def test_every_alarm_of_the_table_is_a_valid_request(generated: dict[str, Generated]) -> None:
    """botocore's stock validator (types, required members) on every payload, as boto3 would send it."""
    model = botocore.session.get_session().get_service_model("cloudwatch")
    shapes = {
        "metric_alarms": model.operation_model("PutMetricAlarm").input_shape,
        "composite_alarms": model.operation_model("PutCompositeAlarm").input_shape,
    }
    checked = 0
    for result in generated.values():
        doc = result.json(ALARMS)
        for kind, shape in shapes.items():
            for payload in doc[kind].values():
                validate_parameters(payload, shape)
                checked += 1
    assert checked > 100
