"""`sre import`: the findings the other tables do not reach, one row each, and a check that every message the
importers can print is asserted by some row of the tables in tests/interop.

Inputs written here from the peers' published formats (Sloth's `prometheus/v1` file, Pyrra's
`pyrra.dev/v1alpha1` `ServiceLevelObjective`, OpenSLO v1 `SLO`/`SLI`/`AlertPolicy`/`AlertCondition`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.slospec.load import load
from tests.support.importer_messages import asserted_findings, covered, literal_prefix, reported_messages

W = "{{.window}}"
SNS_DEFAULTS = """\
notificationTargets:
  page: {snsTopicArn: "arn:aws:sns:us-east-1:123456789012:page"}
  ticket: {snsTopicArn: "arn:aws:sns:us-east-1:123456789012:ticket"}
"""


def _sloth(slo: str = "", top: str = "", sli: str = "") -> str:
    """A Sloth `prometheus/v1` file, one SLO. Lines: 4 `- name`, 5 objective, 6 description, 7 sli, 8 on: `slo`."""
    sli = sli or (
        f"{{events: {{error_query: 'sum(rate(cart_total{{code=~\"5..\"}}[{W}]))', "
        f"total_query: 'sum(rate(cart_total[{W}]))'}}}}"
    )
    text = f"version: prometheus/v1\nservice: shop\n{top}slos:\n  - name: cart\n    objective: 99.9\n"
    text += f"    description: Cart requests succeed.\n    sli: {sli}\n"
    return text + textwrap.indent(textwrap.dedent(slo).strip() + "\n", "    ") if slo else text


PYRRA_RATIO = "ratio: {errors: {metric: 'orders_total{code=~\"5..\"}'}, total: {metric: orders_total}}"


def _pyrra(spec: str = "", *, indicator: str = PYRRA_RATIO, meta: str = "name: orders, namespace: shop") -> str:
    """A Pyrra SLO. Lines: 3 metadata, 5 target, 6 window, 7 description, 9 indicator, 10 alerting, 11 on: `spec`."""
    text = (
        "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\n"
        f"metadata: {{{meta}}}\nspec:\n"
        '  target: "99.5"\n  window: 4w\n  description: Orders placed.\n'
        f"  indicator:\n    {indicator}\n  alerting: {{absent: false}}\n"
    )
    return text + textwrap.indent(textwrap.dedent(spec).strip() + "\n", "  ") if spec else text


GOOD = "{metricSource: {type: Prometheus, spec: {query: 'logins_total{ok=\"true\"}'}}}"
TOTAL = "{metricSource: {type: Prometheus, spec: {query: logins_total}}}"
RATIO_SLI = f"ratioMetric: {{counter: true, good: {GOOD}, total: {TOTAL}}}"
GAUGE_SLI = "thresholdMetric: {metricSource: {type: Prometheus, spec: {query: 'max(queue_age_seconds)'}}}"
CLOUDWATCH = "{type: CloudWatch, spec: {metricStat: {metric: {namespace: Shop, metricName: %s}, stat: Sum}}}"
CW_RATIO_SLI = f"ratioMetric: {{counter: true, good: {{metricSource: {CLOUDWATCH % 'Ok'}}}, " + (
    f"total: {{metricSource: {CLOUDWATCH % 'All'}}}}}"
)


def _openslo(
    rest: str = "",
    *,
    sli: str = RATIO_SLI,
    objectives: str = "[{target: 0.999}]",
    method: str = "Occurrences",
    window: str = "[{duration: 28d, isRolling: true}]",
    meta: str = "name: logins",
    more: str = "",
) -> str:
    """An OpenSLO SLO with an inline SLI. Lines: 3 metadata, 6 description, 7 budgetingMethod, 8 timeWindow,
    9 indicator, 12 the SLI's spec, 13 objectives, 14 on: `rest` (more of spec); `more` adds documents."""
    text = (
        f"apiVersion: openslo/v1\nkind: SLO\nmetadata: {{{meta}}}\nspec:\n  service: auth\n"
        f"  description: Logins succeed.\n  budgetingMethod: {method}\n  timeWindow: {window}\n"
        f"  indicator:\n    metadata: {{name: logins-sli}}\n    spec:\n      {sli}\n  objectives: {objectives}\n"
    )
    text += textwrap.indent(textwrap.dedent(rest).strip() + "\n", "  ") if rest else ""
    return text + ("---\n" + textwrap.dedent(more).strip() + "\n" if more else "")


def _policy(name: str, condition: str, severity: str = "critical", policy: str = "") -> str:
    return f"""
        apiVersion: openslo/v1
        kind: AlertPolicy
        metadata: {{name: {name}}}
        spec:
          {policy or "alertWhenBreaching: true"}
          conditions:
            - kind: AlertCondition
              metadata: {{name: {name}-burn}}
              spec: {{severity: {severity}, condition: {condition}}}
        """


BURN = "{kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h}"


def _alerting(*policies: str) -> str:
    """An OpenSLO SLO naming the policies given (as (name, condition, severity) or documents)."""
    names = [p[0] for p in policies]
    docs = "\n---\n".join(textwrap.dedent(_policy(*p)).strip() for p in policies)
    return _openslo(f"alertPolicies: [{', '.join(names)}]", more=docs)


# (peer, source, extra CLI args, exit code, written?, [(status, field, why fragment, line or None)])
CASES = [
    # ---- Sloth
    pytest.param(
        "sloth",
        _sloth().replace("objective: 99.9", "objective: 100"),
        (),
        1,
        False,
        [("not mapped", "objective", "100: sre objectives lie strictly between 0 and 100", 5)],
        id="sloth-objective-100",
    ),
    pytest.param(
        "sloth",
        _sloth().replace("    description: Cart requests succeed.\n", ""),
        (),
        1,
        True,
        [("approximated", "description", "Sloth's is optional, sre's required: a placeholder was written", 4)],
        id="sloth-no-description",
    ),
    pytest.param(
        "sloth",
        _sloth(),
        ("--sloth-period", "14d"),
        1,
        True,
        [("approximated", "window", "14d: Sloth needs a windows file for it; sre uses its default pairs", 4)],
        id="sloth-period-without-default-pairs",
    ),
    pytest.param(
        "sloth",
        _sloth("budget: 0.1"),
        (),
        1,
        True,
        [("not mapped", "budget", "not a Sloth SLO field", 8)],
        id="sloth-unknown-slo-field",
    ),
    pytest.param(
        "sloth",
        _sloth(sli="{plugin: {id: acme/availability, options: {job: cart}}}"),
        (),
        1,
        False,
        [("not mapped", "sli.plugin", "not mappable: plugin SLI 'acme/availability': its queries exist only", 7)],
        id="sloth-plugin-sli",
    ),
    pytest.param(
        "sloth",
        _sloth(sli="{metric: cart_total}"),
        (),
        1,
        False,
        [("not mapped", "sli", "no events, raw or plugin SLI", 7)],
        id="sloth-sli-of-no-kind",
    ),
    pytest.param(
        "sloth",
        _sloth(sli=f"{{events: {{error_query: 'sum(rate(e[5m]))', total_query: 'sum(rate(t[{W}]))'}}}}"),
        (),
        1,
        False,
        [("not mapped", "sli.events.error_query", "not mappable: the query does not use the {{.window}} range", 7)],
        id="sloth-fixed-range-only",
    ),
    pytest.param(
        "sloth",
        _sloth(
            sli=f"{{events: {{error_query: 'sum(rate(e[5m])) + sum(rate(f[{W}]))', total_query: 'sum(rate(t[{W}]))'}}}}"
        ),
        (),
        1,
        True,
        [("approximated", "sli.events.error_query", "fixed range(s) 5m became the SLI windows", 7)],
        id="sloth-a-fixed-range-among-window-ranges",
    ),
    pytest.param(
        "sloth",
        _sloth("alerting: {name: CartErrors, page_alert: {labels: {severity: 'P1'}}}"),
        (),
        1,
        True,
        [
            (
                "approximated",
                "alerting.name",
                "as alerting.name: sre's alerts are CartErrorsPage and CartErrorsTicket",
                8,
            ),
            ("not mapped", "alerting.page_alert.labels.severity", "'P1': an sre severity matches [a-z][a-z0-9_-]*", 8),
        ],
        id="sloth-alert-name-and-bad-severity",
    ),
    pytest.param(
        "sloth",
        _sloth("labels: {on: true, team: [a, b], empty: [], deep: {x: 1}}"),
        (),
        1,
        True,
        [
            ("not mapped", "labels.on", "a label value must be a string", 8),
            ("approximated", "labels.team", "a list of values became one comma-separated label value", 8),
            ("not mapped", "labels.empty", "a label value must be a string", 8),
            ("not mapped", "labels.deep", "a label value must be a string", 8),
        ],
        id="sloth-label-values",
    ),
    pytest.param(
        "sloth",
        _sloth("labels: [team]"),
        (),
        1,
        True,
        [("not mapped", "labels", "not a mapping of labels", 8)],
        id="sloth-labels-not-a-mapping",
    ),
    pytest.param(
        "sloth",
        _sloth("alerting: {name: A, labels: [team], page_alert: {annotations: x}}"),
        (),
        1,
        True,
        [
            ("not mapped", "alerting.labels", "not a mapping of labels", 8),
            ("not mapped", "alerting.page_alert.annotations", "not a mapping of annotations", 8),
        ],
        id="sloth-alert-labels-not-a-mapping",
    ),
    pytest.param(
        "sloth",
        _sloth("alerting: {name: A, page_alert: 'off'}"),
        (),
        1,
        True,
        [("not mapped", "alerting.page_alert", "not a mapping (disable, labels, annotations)", 8)],
        id="sloth-alert-tier-not-a-mapping",
    ),
    pytest.param(
        "sloth",
        _sloth(sli=f"{{events: {{error_query: 'sum(increase(e[{W}])) * 2', total_query: 'sum(rate(t[{W}])) * 2'}}}}"),
        (),
        1,
        True,
        [
            (
                "approximated",
                "sli.events.error_query",
                "as expression.bad, kept as written; increase() counts per window, not per second: ratios are exact",
                7,
            ),
            ("exact", "sli.events.total_query", "as expression.total, the PromQL kept as written", 7),
        ],
        id="sloth-expression-with-increase",
    ),
    pytest.param(
        "sloth",
        _sloth(sli=f"{{raw: {{error_ratio_query: 'sum(rate(e[{W}])) / sum(rate(t[{W}]))'}}}}"),
        (),
        1,
        True,
        [
            (
                "approximated",
                "sli.raw.error_ratio_query",
                "as errorRatio, kept as written; without event counts its long windows are approximate: average of "
                "ratios (Sloth's are ratios of rates over each window)",
                7,
            )
        ],
        id="sloth-raw-error-ratio",
    ),
    pytest.param(
        "sloth",
        _sloth("alerting: {name: A, page_alert: {labels: {team-name: x}}}"),
        (),
        1,
        True,
        [("not mapped", "alerting.page_alert.labels.team-name", "not a Prometheus label name", 8)],
        id="sloth-alert-label-name",
    ),
    # ---- Pyrra
    pytest.param(
        "pyrra",
        _pyrra(meta="name: Orders_API"),
        (),
        1,
        True,
        [
            (
                "approximated",
                "metadata.name",
                "'Orders_API' is not a lowercase DNS label; the SLO is named 'orders-api'",
                3,
            ),
            ("approximated", "service", "Pyrra has no service (and no namespace given): the SLO names it", 3),
        ],
        id="pyrra-name-not-a-dns-label-no-namespace",
    ),
    pytest.param(
        "pyrra",
        _pyrra().replace('target: "99.5"', 'target: "100"'),
        (),
        1,
        False,
        [("not mapped", "spec.target", "100: sre objectives lie strictly between 0 and 100", 5)],
        id="pyrra-target-100",
    ),
    pytest.param(
        "pyrra",
        _pyrra().replace('target: "99.5"', 'target: "0.995"'),
        (),
        1,
        False,
        [("not mapped", "spec.target", "0.995 reads as a fraction: write percent (0-100)", 5)],
        id="pyrra-target-as-fraction",
    ),
    pytest.param(
        "pyrra",
        _pyrra().replace("  description: Orders placed.\n", ""),
        (),
        1,
        True,
        [("approximated", "spec.description", "missing; sre requires one: a placeholder was written", 5)],
        id="pyrra-no-description",
    ),
    pytest.param(
        "pyrra",
        _pyrra("serviceLevel: gold"),
        (),
        1,
        True,
        [
            ("not mapped", "spec.serviceLevel", "changes how Pyrra writes its rules; sre has no equivalent", 11),
            ("approximated", "service", "Pyrra has no service: the namespace names it", 3),
        ],
        id="pyrra-unknown-spec-field",
    ),
    pytest.param(
        "pyrra",
        _pyrra(indicator="ratio: {errors: {metric: 'orders_total{code=~\"5..\"'}, total: {metric: orders_total}}"),
        (),
        1,
        False,
        [("not mapped", "errors.metric", "PromQL does not parse", 9)],
        id="pyrra-unreadable-selector",
    ),
    pytest.param(
        "pyrra",
        _pyrra(meta="name: orders, namespace: shop, labels: {app: orders, pyrra.dev/team: [a, b]}"),
        (),
        1,
        True,
        [
            ("not mapped", "metadata.labels.app", "a Kubernetes label of the resource; not on Pyrra's rules", 3),
            ("not mapped", "metadata.labels.pyrra.dev/team", "not a Prometheus label name and string value", 3),
        ],
        id="pyrra-resource-labels",
    ),
    pytest.param(
        "pyrra",
        _pyrra(indicator="bool_gauge: {metric: 'probe_success{job=\"web\"}'}"),
        (),
        1,
        True,
        [
            (
                "approximated",
                "spec.indicator.bool_gauge",
                "sre counts 1m slices in which every series is 1 (min(gauge) >= 1); Pyrra averages the samples",
                9,
            )
        ],
        id="pyrra-bool-gauge",
    ),
    pytest.param(
        "pyrra",
        _pyrra(indicator="latencyNative: 1s"),
        (),
        1,
        False,
        [("not mapped", "spec.indicator.latencyNative", "not a mapping of latency and total", 9)],
        id="pyrra-latency-native-not-a-mapping",
    ),
    pytest.param(
        "pyrra",
        _pyrra(indicator=PYRRA_RATIO[:-1] + ", grouping: route}"),
        (),
        1,
        True,
        [("not mapped", "spec.indicator.ratio.grouping", "not a list of label names: the SLI covers all series", 9)],
        id="pyrra-grouping-not-a-list",
    ),
    pytest.param(
        "pyrra",
        _pyrra(indicator="gauge: {metric: up}"),
        (),
        1,
        False,
        [("not mapped", "spec.indicator", "none of ratio, latency, latencyNative, bool_gauge", 9)],
        id="pyrra-indicator-of-no-kind",
    ),
    pytest.param(
        "pyrra",
        _pyrra().replace("  indicator:\n    " + PYRRA_RATIO + "\n", ""),
        (),
        1,
        False,
        [("not mapped", "spec.indicator", "missing", 5)],
        id="pyrra-no-indicator",
    ),
    pytest.param(
        "pyrra",
        _pyrra(
            indicator="latency: {success: {metric: 'rpc_seconds_count{ok=\"1\"}'}, total: {metric: rpc_seconds_count}}"
        ),
        (),
        1,
        False,
        [("not mapped", "success.metric", 'not a histogram bucket x_bucket{le="<threshold>"}', 9)],
        id="pyrra-latency-success-not-a-bucket",
    ),
    pytest.param(
        "pyrra",
        _pyrra(
            indicator="latency: {success: {metric: 'rpc_seconds_bucket{le=\"-1\"}'}, "
            "total: {metric: rpc_seconds_count}}"
        ),
        (),
        1,
        False,
        [("not mapped", "success.metric", "", 9)],
        id="pyrra-latency-threshold-not-a-latency",
    ),
    pytest.param(
        "pyrra",
        _pyrra(indicator="latency: {success: {metric: 'rpc_seconds_bucket{le=\"0.3\"}'}, total: {metric: rpc_total}}"),
        (),
        1,
        True,
        [
            (
                "approximated",
                "total.metric",
                "not rpc_seconds_count with the bucket's matchers: sre counts rpc_seconds_count{...} instead",
                9,
            )
        ],
        id="pyrra-latency-total-not-the-histogram-count",
    ),
    pytest.param(
        "pyrra",
        _pyrra(indicator="latencyNative: {latency: 1s, total: {metric: 'rpc_seconds{'}}"),
        (),
        1,
        False,
        [("not mapped", "total.metric", "", 9)],
        id="pyrra-native-unreadable-selector",
    ),
    pytest.param(
        "pyrra",
        _pyrra(indicator="latencyNative: {latency: 1s, total: {metric: rpc_seconds_bucket}}"),
        (),
        1,
        False,
        [("not mapped", "total.metric", "", 9)],
        id="pyrra-native-not-a-histogram-family",
    ),
    pytest.param(
        "pyrra",
        _pyrra().replace("alerting: {absent: false}", "alerting: {name: OrdersBurn, absentName: OrdersAbsent}"),
        (),
        1,
        True,
        [
            ("not mapped", "spec.alerting.name", "sre names its alerts from the SLO name and tier", 10),
            ("not mapped", "spec.alerting.absentName", "sre names its alerts from the SLO name and tier", 10),
            ("not mapped", "spec.alerting.absent", "sre has no alert on absent series (Pyrra's default is on)", 10),
        ],
        id="pyrra-alert-names",
    ),
    pytest.param(
        "pyrra",
        _pyrra().replace('target: "99.5"', 'target: "80"'),
        (),
        1,
        True,
        [
            ("not mapped", "window pair 1h/5m", "14x can never fire at 80% (a total outage burns 5x)", 10),
            ("approximated", "alerting.page", "no Pyrra pair of this tier can fire: tier disabled", 10),
        ],
        id="pyrra-pairs-that-cannot-fire",
    ),
    pytest.param(
        "pyrra",
        _pyrra().replace("window: 4w", "window: 1d"),
        (),
        1,
        True,
        [
            ("not mapped", "window pair 2m/0", "Pyrra rounds its short window to nothing here", 10),
            ("approximated", "alerting.page.for", "Pyrra fires at once here; sre waits at least 1s", 10),
        ],
        id="pyrra-short-window-rounds-to-nothing",
    ),
    pytest.param(
        "pyrra",
        _pyrra().replace("alerting: {absent: false}", "alerting: {absent: false, severities: {slowBurn: info}}"),
        (),
        1,
        True,
        [
            (
                "approximated",
                "alerting.ticket.severity",
                "Pyrra's two pairs have severities info, warning; sre one per",
                10,
            ),
            (
                "approximated",
                "alerting.ticket.for",
                "Pyrra waits 1h and 3h for the tier's two pairs; sre one `for`",
                10,
            ),
        ],
        id="pyrra-tier-severities-and-for",
    ),
    # ---- OpenSLO
    pytest.param(
        "openslo",
        _openslo(objectives="[{target: 1.5}]"),
        (),
        1,
        False,
        [("not mapped", "target", "needs target in (0, 1) or targetPercent in (0, 100)", 13)],
        id="openslo-target-out-of-range",
    ),
    pytest.param(
        "openslo",
        _openslo().replace("  description: Logins succeed.\n", ""),
        (),
        1,
        True,
        [("approximated", "spec.description", "missing; sre requires one: a placeholder", 5)],
        id="openslo-no-description",
    ),
    pytest.param(
        "openslo",
        _openslo().replace("  timeWindow: [{duration: 28d, isRolling: true}]\n", ""),
        (),
        1,
        True,
        [("approximated", "spec.timeWindow", "missing: sre's default 30d rolling window", 5)],
        id="openslo-no-time-window",
    ),
    pytest.param(
        "openslo",
        _openslo(window="[{duration: 28d, calendar: {startTime: '2024-01-01 00:00:00', timeZone: UTC}}]"),
        (),
        1,
        True,
        [("approximated", "spec.timeWindow", "only 1M and 1w calendar windows exist in sre: rolling", 8)],
        id="openslo-calendar-28d",
    ),
    pytest.param(
        "openslo",
        _openslo(window="[{duration: 12h, isRolling: true}]"),
        (),
        1,
        True,
        [("approximated", "spec.timeWindow", "unreadable or under 1d: sre's default 30d", 8)],
        id="openslo-window-under-a-day",
    ),
    pytest.param(
        "openslo",
        _openslo(window="[{duration: 1Q, isRolling: true}]"),
        (),
        1,
        True,
        [("approximated", "spec.timeWindow", "1Q read as 90d", 8)],
        id="openslo-quarter-window",
    ),
    pytest.param(
        "openslo",
        _openslo(meta="name: logins, labels: {team: {a: b}, owners: []}"),
        (),
        1,
        True,
        [
            ("not mapped", "metadata.labels.team", "a label value must be a string", 3),
            ("not mapped", "metadata.labels.owners", "a label value must be a string", 3),
        ],
        id="openslo-label-values",
    ),
    pytest.param(
        "openslo",
        _openslo(meta="name: logins, labels: team").replace(
            "  indicator:\n    metadata: {name: logins-sli}\n    spec:\n      " + RATIO_SLI + "\n",
            "  indicatorRef: nowhere\n",
        ),
        (),
        1,
        False,
        [
            ("not mapped", "metadata.labels", "not a mapping of labels", 3),
            ("not mapped", "spec.indicatorRef", "no SLI of that name in the files given", 9),
            ("not mapped", "spec.indicator", "no inline indicator and no indicatorRef to a given SLI", 5),
        ],
        id="openslo-indicator-ref-to-nothing",
    ),
    pytest.param(
        "openslo",
        _openslo(objectives="[{target: 0.999, indicatorRef: nowhere}]"),
        (),
        1,
        True,
        [("not mapped", "objective.indicatorRef", "no SLI of that name in the files given", 13)],
        id="openslo-objective-indicator-ref-to-nothing",
    ),
    pytest.param(
        "openslo",
        _openslo(meta="name: logins, annotations: {sre.dev/cloudwatch-indicator: nowhere}"),
        (),
        1,
        True,
        [("not mapped", "sre.dev/cloudwatch-indicator", "no SLI of that name", 3)],
        id="openslo-cloudwatch-indicator-to-nothing",
    ),
    pytest.param(
        "openslo",
        _openslo(
            meta="name: logins, annotations: {sre.dev/cloudwatch-indicator: queue-age}",
            objectives="[{target: 0.999, op: lte, value: 600}]",
            more=f"apiVersion: openslo/v1\nkind: SLI\nmetadata: {{name: queue-age}}\nspec: {{{GAUGE_SLI}}}",
        ),
        (),
        1,
        False,
        [("not mapped", "indicator", "the SLIs given are of different kinds", 5)],
        id="openslo-slis-of-different-kinds",
    ),
    pytest.param(
        "openslo",
        _openslo(sli="gauge: {query: up}"),
        (),
        1,
        False,
        [("not mapped", "indicator", "neither ratioMetric nor thresholdMetric", 10)],
        id="openslo-sli-of-no-kind",
    ),
    pytest.param(
        "openslo",
        _openslo(method="Timeslices"),
        (),
        1,
        True,
        [
            (
                "approximated",
                "spec.budgetingMethod",
                "Timeslices: sre counts events over the window for ratio SLIs (Occurrences)",
                7,
            )
        ],
        id="openslo-ratio-timeslices",
    ),
    pytest.param(
        "openslo",
        _openslo(sli=RATIO_SLI.replace("query: logins_total", "query: 'sum(rate(logins_total[5m]))'")),
        (),
        1,
        True,
        [("approximated", "ratioMetric.total", "a fixed range in the query: sre applies its own windows", 10)],
        id="openslo-fixed-range",
    ),
    pytest.param(
        "openslo",
        _openslo(sli=RATIO_SLI.replace("counter: true", "counter: false")),
        (),
        1,
        True,
        [
            (
                "approximated",
                "ratioMetric.counter",
                "false: read as per-period event counts (periodSum, summed with sum_over_time)",
                10,
            )
        ],
        id="openslo-not-a-counter",
    ),
    pytest.param(
        "openslo",
        _openslo(
            sli=RATIO_SLI.replace("query: logins_total", "query: '" + " + ".join(f"l{i}" for i in range(9)) + "'")
        ),
        (),
        1,
        False,
        [("not mapped", "ratioMetric.total", "more than 8 selectors", 10)],
        id="openslo-nine-selectors",
    ),
    pytest.param(
        "openslo",
        _openslo(sli="ratioMetric: {rawType: failure, raw: {metricSource: {type: Datadog, spec: {query: x}}}}"),
        (),
        1,
        False,
        [("not mapped", "ratioMetric.raw", "a precomputed ratio maps only from Prometheus (errorRatio)", 10)],
        id="openslo-raw-not-prometheus",
    ),
    pytest.param(
        "openslo",
        _openslo(sli="ratioMetric: {rawType: errors, raw: {metricSource: {type: Prometheus, spec: {query: x}}}}"),
        (),
        1,
        False,
        [("not mapped", "ratioMetric.rawType", "must be success or failure", 10)],
        id="openslo-raw-type",
    ),
    pytest.param(
        "openslo",
        _openslo(meta="name: logins, annotations: {sre.dev/native-histogram: rpc_seconds}"),
        (),
        1,
        False,
        [
            (
                "not mapped",
                "native histogram",
                "sre.dev/native-histogram needs a histogram and sre.dev/latency-threshold a latency",
                3,
            )
        ],
        id="openslo-native-histogram-without-threshold",
    ),
    pytest.param(
        "openslo",
        _openslo(
            meta="name: logins, annotations: {sre.dev/native-histogram: rpc_seconds, sre.dev/latency-threshold: 300ms}"
        ),
        (),
        1,
        True,
        [
            (
                "approximated",
                "ratioMetric",
                "the queries are not those of sre.dev/native-histogram; the annotations are read",
                10,
            )
        ],
        id="openslo-native-histogram-other-queries",
    ),
    pytest.param(
        "openslo",
        _openslo(
            sli=CW_RATIO_SLI, meta="name: logins, annotations: {sre.dev/group-by: shard, sre.dev/cloudwatch-groups: x}"
        ),
        (),
        1,
        True,
        [("not mapped", "sre.dev/cloudwatch-groups", "not a JSON map of label -> {dimension, values}", 3)],
        id="openslo-cloudwatch-groups-not-json",
    ),
    pytest.param(
        "openslo",
        _openslo(
            sli=CW_RATIO_SLI.replace(
                "metricStat: {metric: {namespace: Shop, metricName: All}, stat: Sum}", "period: 60"
            )
        ),
        (),
        1,
        False,
        [
            (
                "not mapped",
                "ratioMetric.total (CloudWatch)",
                "a CloudWatch source needs metricStat or metricDataQueries",
                None,
            )
        ],
        id="openslo-cloudwatch-no-metric",
    ),
    pytest.param(
        "openslo",
        _openslo(
            sli=CW_RATIO_SLI.replace(
                "metricStat: {metric: {namespace: Shop, metricName: All}, stat: Sum}",
                "metricDataQueries: [{id: a, expression: 'SEARCH(x)'}]",
            )
        ),
        (),
        1,
        False,
        [
            (
                "not mapped",
                "ratioMetric.total (CloudWatch)",
                "metricDataQueries other than a plain sum of metricStats",
                None,
            )
        ],
        id="openslo-cloudwatch-search-expression",
    ),
    pytest.param(
        "openslo",
        _openslo(
            sli=CW_RATIO_SLI.replace(
                "metricStat: {metric: {namespace: Shop, metricName: All}, stat: Sum}",
                "metricDataQueries: [{id: s, expression: a + b}, {id: a, returnData: false, "
                "metricStat: {metric: {namespace: Shop, metricName: A}, stat: Sum}}]",
            )
        ),
        (),
        1,
        False,
        [("not mapped", "ratioMetric.total (CloudWatch)", "the expression names a query without metricStat", None)],
        id="openslo-cloudwatch-sum-of-unknown-query",
    ),
    pytest.param(
        "openslo",
        _openslo(sli=GAUGE_SLI, method="Timeslices", objectives="[{target: 0.99, value: 600}]"),
        (),
        1,
        False,
        [("not mapped", "op/value", "a thresholdMetric objective needs op (lt, lte, gt, gte) and a number value", 13)],
        id="openslo-threshold-without-op",
    ),
    pytest.param(
        "openslo",
        _openslo(sli=GAUGE_SLI, objectives="[{target: 0.99, op: lte, value: 600, timeSliceTarget: 0.9}]"),
        (),
        1,
        True,
        [
            ("approximated", "spec.budgetingMethod", "Occurrences: sre judges 1m time slices of the gauge", 7),
            (
                "approximated",
                "timeSliceTarget",
                "0.9: sre's slice is good when the gauge meets the condition at the slice's evaluation",
                13,
            ),
            ("exact", "op/value", "a slice is good when gauge <= 600", 13),
            ("exact", "thresholdMetric", "as the gauge expression", 10),
        ],
        id="openslo-threshold-occurrences",
    ),
    pytest.param(
        "openslo",
        _openslo(
            sli=GAUGE_SLI, method="Timeslices", objectives="[{target: 0.99, op: lte, value: 1, timeSliceWindow: x}]"
        ),
        (),
        1,
        True,
        [("approximated", "spec.budgetingMethod", "unreadable: 1m", 7)],
        id="openslo-threshold-unreadable-slice",
    ),
    pytest.param(
        "openslo",
        _openslo(
            sli="thresholdMetric: {metricSource: {type: Prometheus, spec: {}}}",
            objectives="[{target: 0.99, op: lte, value: 1}]",
        ),
        (),
        1,
        False,
        [("not mapped", "thresholdMetric", "the Prometheus source has no query", 10)],
        id="openslo-threshold-no-query",
    ),
    pytest.param(
        "openslo",
        _openslo(
            sli="thresholdMetric: {metricSource: {type: CloudWatch, spec: {metricDataQueries: ["
            "{id: s, expression: a + b}, "
            "{id: a, returnData: false, metricStat: {metric: {namespace: Q, metricName: A}, stat: Maximum}}, "
            "{id: b, returnData: false, metricStat: {metric: {namespace: Q, metricName: B}, stat: Maximum}}]}}}",
            objectives="[{target: 0.99, op: lte, value: 1}]",
        ),
        (),
        1,
        False,
        [("not mapped", "thresholdMetric", "a threshold gauge is one CloudWatch metric", 10)],
        id="openslo-threshold-sum-of-cloudwatch-metrics",
    ),
    pytest.param(
        "openslo",
        _openslo("alertPolicies: [nowhere]"),
        (),
        1,
        True,
        [("not mapped", "alertPolicies", "no AlertPolicy 'nowhere' given", 14)],
        id="openslo-alert-policy-to-nothing",
    ),
    pytest.param(
        "openslo",
        _alerting(("drop", "{kind: burnrate, op: lt, threshold: 1, lookbackWindow: 1h}")),
        (),
        1,
        True,
        [("not mapped", "AlertPolicy drop", "only burn rate at or over a threshold alerts", 14)],
        id="openslo-alert-below-a-threshold",
    ),
    pytest.param(
        "openslo",
        _alerting(
            ("slow", "{kind: burnrate, op: gte, threshold: 1, lookbackWindow: 3d}", "low", "alertWhenNoData: true")
        ),
        (),
        1,
        True,
        [
            (
                "approximated",
                "AlertPolicy slow",
                "ticket pair; short window long/12, budget share from the threshold where sre.dev/* is missing",
                14,
            ),
            ("not mapped", "AlertPolicy slow.alertWhenNoData", "sre alerts on burn rates only", 14),
        ],
        id="openslo-ticket-policy-alerting-on-no-data",
    ),
    pytest.param(
        "openslo",
        _alerting(("fast", "{kind: burnrate, op: gte, threshold: 14.4}")),
        (),
        1,
        True,
        [("not mapped", "AlertPolicy fast", "needs lookbackWindow and a numeric threshold", 14)],
        id="openslo-alert-without-lookback",
    ),
    pytest.param(
        "openslo",
        _alerting(
            ("fast", BURN, "critical"),
            ("slow", "{kind: burnrate, op: gte, threshold: 6, lookbackWindow: 6h, alertAfter: 5m}", "page"),
        ),
        (),
        1,
        True,
        [
            (
                "approximated",
                "AlertPolicy fast",
                "page pair; short window long/12, budget share from the threshold where sre.dev/* is missing",
                14,
            ),
            ("approximated", "page.severity", "differs between the tier's pairs: the first", 14),
            ("approximated", "page.for", "differs between the tier's pairs: the first", 14),
            ("approximated", "page.for", "alertAfter 0m: sre waits at least 1s", 14),
        ],
        id="openslo-two-pairs-of-a-tier",
    ),
]


def _import(tmp_path: Path, peer: str, text: str, args: tuple[str, ...]):
    src = tmp_path / "in" / "source.yaml"
    src.parent.mkdir(parents=True)
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "slo"
    if "CloudWatch" in text:
        out.mkdir()
        (out / "defaults.yaml").write_text(SNS_DEFAULTS)
    return CliRunner().invoke(cli, ["import", peer, str(src), "--out", str(out), *args]), src, out


@pytest.mark.parametrize(("peer", "text", "args", "code", "written", "findings"), CASES)
def test_import_finding(
    tmp_path: Path, peer: str, text: str, args: tuple[str, ...], code: int, written: bool, findings: list
) -> None:
    result, src, out = _import(tmp_path, peer, text, args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    for status, field, why, line in findings:
        where = f"{src}:{line}: {field}" if line else f": {field}"
        assert any(row.strip().startswith(status) and where in row and why in row for row in lines), (
            f"no {status} line {where} ({why}) in:\n{result.output}"
        )
    specs = [f for f in out.glob("*.yaml") if f.name != "defaults.yaml"] if out.exists() else []
    if not written:
        assert "-> not imported" in result.output and not specs
        return
    assert len(specs) == 1
    assert yaml.safe_load(specs[0].read_text())["apiVersion"] == "sre.dev/v1"
    loaded = load([out])  # what an import writes passes `sre validate`
    assert loaded.ok, loaded.errors
    assert CliRunner().invoke(cli, ["validate", str(out)]).exit_code == 0


def test_every_importer_message_is_asserted_by_a_table_row() -> None:
    """A new not_mapped/approximated message without a row in the tables of tests/interop fails here."""
    findings = asserted_findings()
    missing = [
        f"{where} {status}: {literal_prefix(message)!r}"
        for where, status, message in reported_messages()
        if literal_prefix(message) and not covered(status, literal_prefix(message), findings)
    ]
    assert not missing, "messages no table row asserts:\n" + "\n".join(missing)


# Where a finding's `why` is an exception's message (an unreadable selector or latency), which the spec's
# parsers word; their rows: pyrra-unreadable-selector, pyrra-latency-threshold-not-a-latency, pyrra-native-*.
MESSAGES_FROM_PARSERS = {"pyrra.py:_selector", "pyrra.py:_latency", "pyrra.py:_latency_native"}


def test_messages_without_text_of_their_own_come_from_known_places() -> None:
    """A `why` with no literal text (the coverage test cannot match it) is allowed only where listed."""
    found = {
        f"{where.split(':')[0]}:{where.split(':')[2]}"
        for where, _status, message in reported_messages()
        if not literal_prefix(message)
    }
    assert found == MESSAGES_FROM_PARSERS
