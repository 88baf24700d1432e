"""`sre import sloth|pyrra|openslo`: every mapping rule and every "not mappable" message, table-driven.

Inputs are written here from the peers' published formats (Sloth's prometheus/v1 and
PrometheusServiceLevel types, Pyrra's v1alpha1 types, the OpenSLO v1 README).
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.slospec.load import load

REPO = Path(__file__).resolve().parents[2]

SLOTH_FILE = """
version: prometheus/v1
service: shop
labels: {tier: gold}
slos:
  # The cart answers.
  - name: cart-errors
    objective: 99.5
    description: Cart requests succeed.
    sli:
      events:
        error_query: sum(rate(cart_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(cart_requests_total[{{.window}}]))
    alerting:
      name: CartErrors
      page_alert: {labels: {severity: critical}}
      ticket_alert: {disable: true}
"""

SLOTH_CRD = """
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: shop}
spec:
  service: shop
  slos:
    - name: pay
      objective: 99.9
      description: Payments succeed.
      sli:
        events:
          errorQuery: >-
            sum by (region) (increase(pay_total{ok="false"}[{{.window}}]))
            + sum(rate(pay_timeouts_total[{{.window}}]))
          totalQuery: sum(rate(pay_total[{{.window}}]))
      alerting:
        labels: {team: payments}
        annotations: {runbook: "https://example.org/pay"}
        pageAlert: {labels: {severity: critical, route: pager}, annotations: {summary: x}}
        ticketAlert: {disable: true}
"""


def _sloth_sli(sli: str) -> str:
    return f"""
version: prometheus/v1
service: shop
slos:
  - name: odd
    objective: 99
    description: An odd SLI.
    sli:
{textwrap.indent(sli.strip(), "      ")}
"""


PYRRA_RATIO = """
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: search-errors
  namespace: search
  labels: {pyrra.dev/team: discovery, prometheus: k8s}
spec:
  target: "99.5"
  window: 4w
  description: Search queries answered without a server error.
  indicator:
    ratio:
      errors: {metric: 'search_queries_total{code=~"5.."}'}
      total: {metric: search_queries_total}
      grouping: [route]
"""

PYRRA_LATENCY = """
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: search-latency}
spec:
  target: "95"
  window: 2w
  description: Searches within 400ms.
  indicator:
    latency:
      success: {metric: 'search_seconds_bucket{le="0.4",route="/q"}'}
      total: {metric: 'search_seconds_count{route="/q"}'}
  alerting: {absent: false, severities: {fastBurn: high, mediumBurn: critical}}
"""

PYRRA_BOOL = """
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: probe-up}
spec:
  target: "99"
  window: 1w
  description: The probe succeeds.
  indicator:
    bool_gauge: {metric: 'probe_success{job="blackbox"}'}
  alerting: {disabled: true}
"""

PYRRA_NATIVE = """
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: native}
spec:
  target: "99"
  window: 4w
  indicator:
    latencyNative: {latency: "0.5", total: {metric: 'rpc_seconds{job="x"}'}}
"""

# Pyrra's latency is a Prometheus duration: "0.5" above is not one (Pyrra's validation refuses it too).
PYRRA_NATIVE_OK = """
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: rpc-fast, namespace: rpc}
spec:
  target: "99.5"
  window: 2w
  description: RPCs within 200ms.
  indicator:
    latencyNative:
      latency: 200ms
      total: {metric: 'rpc_seconds{job="x", code="ok"}'}
      grouping: [method]
  alerting: {absent: false}
"""

PYRRA_NATIVE_COMPOSITE = """
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: slow-batch}
spec:
  target: "90"
  window: 4w
  indicator:
    latencyNative: {latency: 1s500ms, total: {metric: batch_seconds}}
  alerting: {absent: false}
"""

OPENSLO_FOREIGN = """
apiVersion: openslo/v1
kind: SLI
metadata: {name: login-ok}
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(logins_total{ok="true"}[5m]))'}}}
    total: {metricSource: {type: Prometheus, spec: {query: 'logins_total'}}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: login, labels: {team: [id, rbac]}}
spec:
  service: auth
  indicatorRef: login-ok
  timeWindow: [{duration: 1M, calendar: {startTime: "2024-01-01 00:00:00", timeZone: UTC}}]
  budgetingMethod: RatioTimeslices
  objectives:
    - {displayName: strict, target: 0.999}
    - {displayName: loose, targetPercent: 99}
  alertPolicies: [{alertPolicyRef: login-fast}]
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: login-fast}
spec:
  alertWhenNoData: true
  alertWhenBreaching: true
  conditions: [{conditionRef: login-burn}]
  notificationTargets: [{targetRef: oncall}]
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: login-burn}
spec:
  severity: critical
  condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata: {name: oncall}
spec: {target: pagerduty}
"""

OPENSLO_CLOUDWATCH_THRESHOLD = """
apiVersion: openslo/v1
kind: SLO
metadata: {name: queue-age}
spec:
  service: batch
  description: Queue age stays low.
  indicator:
    metadata: {name: queue-age-sli}
    spec:
      thresholdMetric:
        metricSource:
          type: CloudWatch
          spec:
            metricStat:
              metric: {namespace: Custom/Batch, metricName: AgeSeconds, dimensions: [{name: Queue, value: main}]}
              stat: Maximum
  timeWindow: [{duration: 1w, isRolling: true}]
  budgetingMethod: Timeslices
  objectives: [{target: 0.99, op: lte, value: 600, timeSliceTarget: 1, timeSliceWindow: 5m}]
"""

OPENSLO_RAW = """
apiVersion: openslo/v1
kind: SLO
metadata: {name: raw}
spec:
  service: x
  description: A raw ratio.
  indicator:
    metadata: {name: raw-sli}
    spec:
      ratioMetric: {rawType: success, raw: {metricSource: {type: Prometheus, spec: {query: 'x'}}}}
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
"""

OPENSLO_DATADOG = OPENSLO_RAW.replace(
    "ratioMetric: {rawType: success, raw: {metricSource: {type: Prometheus, spec: {query: 'x'}}}}",
    "ratioMetric: {counter: true, good: {metricSource: {type: Datadog, spec: {query: a}}}, "
    "total: {metricSource: {type: Datadog, spec: {query: b}}}}",
)

# (format, input, exit code, [(status, field fragment, why fragment)], {dotted spec path: value})
CASES = [
    pytest.param(
        "sloth",
        SLOTH_FILE,
        1,
        [
            ("exact", "name", "SLO id 'shop-cart-errors'"),
            ("exact", "sli.events.error_query", 'cart_requests_total{code=~"5.."}'),
            ("exact", "labels.tier", ""),
            ("exact", "window", "Sloth's period"),
            ("approximated", "alerting.name", "CartErrorsPage and CartErrorsTicket"),
            ("exact", "alerting.page_alert.labels.severity", "severity of the page alert"),
            ("exact", "alerting.ticket_alert.disable", "enabled: false"),
            ("approximated", "alerting", "fire at the first evaluation"),
        ],
        {
            "metadata.name": "shop-cart-errors",
            "metadata.labels": {"tier": "gold"},
            "spec.window": "30d",
            "spec.indicator.ratio.prometheus.bad": 'cart_requests_total{code=~"5.."}',
            "spec.alerting.name": "CartErrors",
            "spec.alerting.page.severity": "critical",
            "spec.alerting.ticket.enabled": False,
        },
        id="sloth-file",
    ),
    pytest.param(
        "sloth",
        SLOTH_CRD,
        1,
        [
            ("approximated", "sli.events grouping", "split differently (`sum by (region)`, a count over all series)"),
            ("exact", "alerting.labels.team", "page and ticket alert label"),
            ("exact", "alerting.annotations.runbook", "page and ticket alert annotation"),
            ("exact", "alerting.pageAlert.labels.route", "page alert label"),
            ("not mapped", "alerting.pageAlert.annotations.summary", "sre writes `summary` itself"),
        ],
        {
            "spec.indicator.ratio.prometheus.bad": ['pay_total{ok="false"}', "pay_timeouts_total"],
            "spec.alerting.labels": {"team": "payments"},
            "spec.alerting.annotations": {"runbook": "https://example.org/pay"},
            "spec.alerting.page": {"severity": "critical", "labels": {"route": "pager"}},
        },
        id="sloth-crd-camelcase",
    ),
    pytest.param(
        "sloth",
        _sloth_sli("events:\n  error_query: 1 - sum(rate(x[{{.window}}]))\n  total_query: sum(rate(x[{{.window}}]))"),
        1,
        [("exact", "sli.events.error_query", "as expression.bad, the PromQL kept as written")],
        {
            "spec.indicator.ratio.prometheus.expression": {
                "bad": "1 - sum(rate(x[{{.window}}]))",
                "total": "sum(rate(x[{{.window}}]))",
            }
        },
        id="sloth-expression-sli",
    ),
    pytest.param(
        "sloth",
        _sloth_sli("events:\n  error_query: sum(rate(x[5m]))\n  total_query: sum(rate(x[{{.window}}]))"),
        1,
        [("not mapped", "sli.events.error_query", "does not use the {{.window}} range")],
        None,
        id="sloth-no-window-template",
    ),
    pytest.param(
        "sloth",
        _sloth_sli("raw:\n  error_ratio_query: sum(rate(e[{{.window}}])) / sum(rate(t[{{.window}}]))"),
        1,
        [
            (
                "approximated",
                "sli.raw.error_ratio_query",
                "as errorRatio, kept as written; without event counts its long "
                "windows are approximate: average of ratios",
            )
        ],
        {"spec.indicator.ratio.prometheus.errorRatio": "sum(rate(e[{{.window}}])) / sum(rate(t[{{.window}}]))"},
        id="sloth-raw",
    ),
    pytest.param(
        "sloth",
        _sloth_sli("plugin:\n  id: sloth-common/coredns/availability\n  options: {job: dns}"),
        1,
        [("not mapped", "sli.plugin", "plugin SLI 'sloth-common/coredns/availability'")],
        None,
        id="sloth-plugin",
    ),
    pytest.param(
        "pyrra",
        PYRRA_RATIO,
        1,
        [
            ("approximated", "service", "namespace names it"),
            ("exact", "spec.indicator.ratio", "errors as bad"),
            ("exact", "spec.indicator.ratio.grouping", "as spec.indicator.groupBy [route]: budget, burn rates"),
            ("exact", "metadata.labels.pyrra.dev/team", "as label team"),
            ("not mapped", "metadata.labels.prometheus", "Kubernetes label"),
            ("not mapped", "spec.alerting.absent", "absent series"),
            ("exact", "alerting.page window pair 1h/5m", "14x"),
            ("exact", "alerting.ticket window pair 4d/6h", "1x"),
            ("approximated", "alerting.page.for", "2m and 15m"),
        ],
        {
            "metadata.service": "search",
            "metadata.labels": {"team": "discovery"},
            "spec.indicator.groupBy": ["route"],
            "spec.window": "4w",
            "spec.objective": 99.5,
            "spec.alerting.page.windows": [
                {"long": "1h", "short": "5m", "budgetPercent": 2.0833333333},
                {"long": "6h", "short": "30m", "budgetPercent": 6.25},
            ],
            "spec.alerting.ticket.severity": "warning",
        },
        id="pyrra-ratio-4w",
    ),
    pytest.param(
        "pyrra",
        PYRRA_LATENCY,
        1,
        [
            ("exact", "success.metric", "threshold 0.4s"),
            ("approximated", "prometheus.buckets", "only the threshold's bucket"),
            ("exact", "alerting.page window pair 30m/3m", "14x"),
            ("approximated", "alerting.page.severity", "critical, high"),
        ],
        {
            "metadata.service": "search-latency",
            "spec.objective": 95,
            "spec.indicator.latency": {
                "threshold": 0.4,
                "prometheus": {"histogram": 'search_seconds{route="/q"}', "buckets": [0.4]},
            },
        },
        id="pyrra-latency-2w",
    ),
    pytest.param(
        "pyrra",
        PYRRA_BOOL,
        1,
        [
            ("approximated", "spec.indicator.bool_gauge", "min(gauge) >= 1"),
            ("exact", "spec.alerting.disabled", "enabled: false"),
        ],
        {
            "spec.indicator.threshold": {
                "slice": "1m",
                "operator": ">=",
                "value": 1,
                "prometheus": {"gauge": 'min(probe_success{job="blackbox"})'},
            },
            "spec.alerting.page": {"enabled": False},
        },
        id="pyrra-bool-gauge",
    ),
    pytest.param(
        "pyrra",
        PYRRA_NATIVE,
        1,
        [("not mapped", "latency", "invalid duration '0.5'")],
        None,
        id="pyrra-latency-native-not-a-duration",
    ),
    pytest.param(
        "pyrra",
        PYRRA_NATIVE_OK,
        1,  # the service is approximated from the namespace
        [
            (
                "exact",
                "spec.indicator.latencyNative",
                'as native histogram rpc_seconds{job="x",code="ok"}, threshold 0.2s',
            ),
            ("exact", "spec.indicator.latencyNative.grouping", "as spec.indicator.groupBy [method]"),
        ],
        {
            "metadata.service": "rpc",
            "spec.window": "2w",
            "spec.objective": 99.5,
            "spec.indicator.latency": {
                "threshold": "200ms",
                "prometheus": {"histogram": 'rpc_seconds{job="x",code="ok"}', "native": True},
            },
            "spec.indicator.groupBy": ["method"],
        },
        id="pyrra-latency-native",
    ),
    pytest.param(
        "pyrra",
        PYRRA_NATIVE_COMPOSITE,
        1,  # Pyrra's `for` per pair is approximated in every import
        [("exact", "spec.indicator.latencyNative", "as native histogram batch_seconds, threshold 1.5s")],
        {
            "spec.objective": 90,
            "spec.indicator.latency": {"threshold": 1.5, "prometheus": {"histogram": "batch_seconds", "native": True}},
        },
        id="pyrra-latency-native-composite-duration",
    ),
    pytest.param(
        "openslo",
        OPENSLO_FOREIGN,
        1,
        [
            ("approximated", "objectives", "one sre SLO per objective"),
            ("exact", "spec.timeWindow", "calendar window month"),
            ("approximated", "spec.budgetingMethod", "RatioTimeslices"),
            ("approximated", "ratioMetric.good", "fixed range"),
            ("exact", "ratioMetric.total", "logins_total"),
            ("approximated", "metadata.labels.team", "comma-separated"),
            ("approximated", "AlertPolicy login-fast", "long/12"),
            ("not mapped", "AlertPolicy login-fast.alertWhenNoData", "burn rates only"),
        ],
        {
            "metadata.name": "login-strict",
            "metadata.service": "auth",
            "spec.window": "month",
            "spec.objective": 99.9,
            "spec.indicator.ratio.prometheus": {"good": 'logins_total{ok="true"}', "total": "logins_total"},
            "spec.alerting.page": {
                "severity": "critical",
                "for": "5m",
                "notify": "oncall",
                "windows": [{"long": "1h", "short": "5m", "budgetPercent": 2}],
            },
            "spec.alerting.ticket": {"enabled": False},
        },
        id="openslo-foreign-indicatorref-calendar-objectives",
    ),
    pytest.param(
        "openslo",
        OPENSLO_CLOUDWATCH_THRESHOLD,
        0,
        [
            ("exact", "timeSliceWindow", "threshold slice"),
            ("exact", "op/value", "gauge <= 600"),
            ("exact", "thresholdMetric (CloudWatch)", "CloudWatch source"),
        ],
        {
            "spec.window": "1w",
            "spec.indicator.threshold": {
                "slice": "5m",
                "operator": "<=",
                "value": 600,
                "cloudwatch": {
                    "metric": {
                        "namespace": "Custom/Batch",
                        "metricName": "AgeSeconds",
                        "dimensions": {"Queue": "main"},
                        "statistic": "Maximum",
                    }
                },
            },
            "spec.alerting.page": {"enabled": False},
        },
        id="openslo-cloudwatch-metricstat-threshold",
    ),
    pytest.param(
        "openslo",
        OPENSLO_RAW,
        1,
        [("not mapped", "ratioMetric.raw", "not mappable: the query has no range to put the SLO's windows in")],
        None,
        id="openslo-raw-without-range",
    ),
    pytest.param(
        "openslo",
        OPENSLO_RAW.replace(
            "query: 'x'",
            "query: 'sum(rate(ok_total[5m])) / sum(rate(all_total[5m]))'",
        ),
        1,
        [
            (
                "approximated",
                "ratioMetric.raw",
                "as errorRatio = 1 - the success ratio; without event counts its windows are approximate: "
                "average of ratios",
            )
        ],
        {
            "spec.indicator.ratio.prometheus.errorRatio": "1 - (sum(rate(ok_total[{{.window}}])) / "
            "sum(rate(all_total[{{.window}}])))"
        },
        id="openslo-raw-success-ratio",
    ),
    pytest.param(
        "openslo",
        OPENSLO_RAW.replace(
            "ratioMetric: {rawType: success, raw: {metricSource: {type: Prometheus, spec: {query: 'x'}}}}",
            "ratioMetric: {counter: true, good: {metricSource: {type: Prometheus, spec: "
            "{query: 'sum(rate(ok_total[1m])) * 2'}}}, total: {metricSource: {type: Prometheus, spec: "
            "{query: 'sum(rate(all_total[{{.window}}]))'}}}}",
        ),
        1,
        [
            ("approximated", "ratioMetric.good", "as expression.good, its fixed range(s) put on {{.window}}"),
            ("exact", "ratioMetric.total", "as expression.total, the PromQL kept as written"),
        ],
        {
            "spec.indicator.ratio.prometheus.expression": {
                "good": "sum(rate(ok_total[{{.window}}])) * 2",
                "total": "sum(rate(all_total[{{.window}}]))",
            }
        },
        id="openslo-expression-sli",
    ),
    pytest.param(
        "openslo",
        OPENSLO_DATADOG,
        1,
        [("not mapped", "metricSource.type", "datadog: only Prometheus and CloudWatch")],
        None,
        id="openslo-other-source",
    ),
]


def _dig(doc: dict, dotted: str):
    for part in dotted.split("."):
        doc = doc[part]
    return doc


# A repository's defaults.yaml naming the SNS topics: imported CloudWatch sources need them to validate.
SNS_DEFAULTS = """\
notificationTargets:
  page: {snsTopicArn: "arn:aws:sns:us-east-1:123456789012:page"}
  ticket: {snsTopicArn: "arn:aws:sns:us-east-1:123456789012:ticket"}
"""


def _run(tmp_path: Path, fmt: str, text: str, *extra: str):
    src = tmp_path / "in" / "source.yaml"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    out = tmp_path / "slo"
    if "cloudwatch" in text.lower():
        out.mkdir(parents=True, exist_ok=True)
        (out / "defaults.yaml").write_text(SNS_DEFAULTS)
    result = CliRunner().invoke(cli, ["import", fmt, str(src), "--out", str(out), *extra])
    return result, out


@pytest.mark.parametrize(("fmt", "text", "code", "findings", "expected"), CASES)
def test_import_mapping(tmp_path: Path, fmt: str, text: str, code: int, findings: list, expected: dict | None) -> None:
    result, out = _run(tmp_path, fmt, text)
    assert result.exit_code == code, result.output
    lines = result.output.splitlines()
    for status, field, why in findings:
        assert any(line.strip().startswith(status) and f": {field}" in line and why in line for line in lines), (
            f"no {status} line for {field} ({why}) in:\n{result.output}"
        )
    if expected is None:
        assert "-> not imported" in result.output
        assert not out.exists() or not [f for f in out.glob("*.yaml") if f.name != "defaults.yaml"]
        return
    specs = [f for f in sorted(out.glob("*.yaml")) if f.name != "defaults.yaml"]
    docs = [d for f in specs for d in yaml.safe_load_all(f.read_text()) if d]
    first = docs[0]
    for dotted, value in expected.items():
        assert _dig(first, dotted) == value, dotted
    specs = load([out])  # every imported spec passes `sre validate`
    assert specs.ok, specs.errors
    assert CliRunner().invoke(cli, ["validate", str(out)]).exit_code == 0


def test_findings_name_file_and_line(tmp_path: Path) -> None:
    result, _ = _run(tmp_path, "sloth", SLOTH_FILE)
    assert f"{tmp_path / 'in' / 'source.yaml'}:14: alerting.name" in result.output


def test_comments_above_a_source_object_are_kept(tmp_path: Path) -> None:
    _, out = _run(tmp_path, "sloth", SLOTH_FILE)
    text = (out / "shop.yaml").read_text()
    assert "# The cart answers.\n" in text
    assert "# Imported by `sre import sloth` from " in text


def test_sloth_period_sets_the_window(tmp_path: Path) -> None:
    result, out = _run(tmp_path, "sloth", SLOTH_FILE, "--sloth-period", "28d")
    assert result.exit_code == 1
    assert yaml.safe_load((out / "shop.yaml").read_text())["spec"]["window"] == "28d"
    result, out = _run(tmp_path / "b", "sloth", SLOTH_FILE, "--sloth-period", "14d")
    assert "approximated" in result.output and "14d: Sloth needs a windows file" in result.output


UNREADABLE = [
    pytest.param("sloth", "version: prometheus/v2\nservice: a\nslos: []\n", "not a Sloth spec", id="sloth-version"),
    pytest.param("sloth", "version: prometheus/v1\nservice: a\nslos:\n  - name: x\n", "objective", id="sloth-shape"),
    pytest.param("pyrra", "apiVersion: v1\nkind: ConfigMap\n", "not a Pyrra SLO", id="pyrra-kind"),
    pytest.param(
        "pyrra",
        "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: a}\n"
        "spec: {target: high, window: 4w, indicator: {}}\n",
        "spec.target",
        id="pyrra-target",
    ),
    pytest.param("openslo", "apiVersion: openslo/v2alpha\nkind: SLO\n", "not OpenSLO", id="openslo-version"),
    pytest.param("openslo", "apiVersion: openslo/v1\nkind: Thing\nmetadata: {name: a}\nspec: {}\n", "kind", id="kind"),
    pytest.param("openslo", "a: [\n", "YAML", id="yaml-syntax"),
]


@pytest.mark.parametrize(("fmt", "text", "message"), UNREADABLE)
def test_unreadable_input_exits_2_and_writes_nothing(tmp_path: Path, fmt: str, text: str, message: str) -> None:
    # A readable, mappable file next to it must not be written either.
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.yaml").write_text(textwrap.dedent(SLOTH_FILE if fmt == "sloth" else PYRRA_RATIO))
    result, out = _run(tmp_path, fmt, text)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "nothing written" in result.output
    assert not out.exists()


def test_existing_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    _run(tmp_path, "sloth", SLOTH_FILE)
    before = (tmp_path / "slo" / "shop.yaml").read_text()
    (tmp_path / "slo" / "shop.yaml").write_text(before + "# mine\n")
    result, _ = _run(tmp_path, "sloth", SLOTH_FILE)
    assert result.exit_code == 2 and "use --force" in result.output
    assert (tmp_path / "slo" / "shop.yaml").read_text().endswith("# mine\n")
    assert _run(tmp_path, "sloth", SLOTH_FILE, "--force")[0].exit_code == 1


def test_an_import_clashing_with_an_existing_slo_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "slo"
    out.mkdir()
    shutil.copy(REPO / "slo" / "db.yaml", out / "other.yaml")
    clash = SLOTH_FILE.replace("service: shop", "service: db").replace("name: cart-errors", "name: errors")
    result, _ = _run(tmp_path, "sloth", clash)
    assert result.exit_code == 2, result.output
    assert "already exists" in result.output
    assert not (out / "db.yaml").exists()
