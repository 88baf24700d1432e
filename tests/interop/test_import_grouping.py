"""`sre import`: a peer's per-label SLOs (Pyrra `grouping`, `sum by (<labels>)` in Sloth and OpenSLO
queries) as the spec's `groupBy`, exactly when sre can split by those labels; otherwise the SLI
covers all series and the finding says why.

Inputs written here in each peer's published form (Pyrra's `ServiceLevelObjective` CRD, Sloth's
`prometheus/v1` file, OpenSLO v1 `SLO` with an inline `ratioMetric`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.slospec.load import load

W = "{{.window}}"
ALL_SERIES = "the SLI covers all series"


def _pyrra(indicator: str, labels: str = "{}") -> str:
    return f"""
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {{name: orders, namespace: shop, labels: {labels}}}
spec:
  target: "99.5"
  window: 4w
  description: Orders placed.
  indicator:
{textwrap.indent(indicator.strip(), "    ")}
"""


def _ratio(grouping: str, errors: str = 'orders_total{code=~"5.."}') -> str:
    return f"ratio:\n  errors: {{metric: '{errors}'}}\n  total: {{metric: orders_total}}\n  grouping: {grouping}"


def _sloth(error_query: str, total_query: str, labels: str = "{}") -> str:
    return f"""
version: prometheus/v1
service: shop
labels: {labels}
slos:
  - name: orders
    objective: 99.5
    description: Orders placed.
    sli:
      events:
        error_query: "{error_query}"
        total_query: "{total_query}"
"""


def _openslo(good: str, total: str, annotations: str = "{}") -> str:
    return f"""
apiVersion: openslo/v1
kind: SLO
metadata: {{name: logins, annotations: {annotations}}}
spec:
  service: auth
  description: Logins succeed.
  budgetingMethod: Occurrences
  timeWindow: [{{duration: 28d, isRolling: true}}]
  indicator:
    metadata: {{name: logins-sli}}
    spec:
      ratioMetric:
        counter: true
        good: {{metricSource: {{type: Prometheus, spec: {{query: '{good}'}}}}}}
        total: {{metricSource: {{type: Prometheus, spec: {{query: '{total}'}}}}}}
  objectives: [{{target: 0.999}}]
"""


EXACT_GROUPS = "as spec.indicator.groupBy [{}]: budget, burn rates and alerts per value combination"

# (peer, source, (status, field, why), groupBy written (None: none), {dotted path: value} also checked)
CASES = [
    # ---- Pyrra: `grouping` of every kind is the same split as groupBy
    pytest.param(
        "pyrra",
        _pyrra(_ratio("[route, method]")),
        ("exact", "spec.indicator.ratio.grouping", EXACT_GROUPS.format("route, method")),
        ["route", "method"],
        {},
        id="pyrra-ratio",
    ),
    pytest.param(
        "pyrra",
        _pyrra(
            "latency:\n  success: {metric: 'order_seconds_bucket{le=\"0.5\"}'}\n"
            "  total: {metric: order_seconds_count}\n  grouping: [route]"
        ),
        ("exact", "spec.indicator.latency.grouping", EXACT_GROUPS.format("route")),
        ["route"],
        {"spec.indicator.latency.prometheus.histogram": "order_seconds"},
        id="pyrra-latency",
    ),
    pytest.param(
        "pyrra",
        _pyrra("latencyNative:\n  latency: 250ms\n  total: {metric: order_seconds}\n  grouping: [route]"),
        ("exact", "spec.indicator.latencyNative.grouping", EXACT_GROUPS.format("route")),
        ["route"],
        {"spec.indicator.latency.prometheus.native": True},
        id="pyrra-latency-native",
    ),
    pytest.param(
        "pyrra",
        _pyrra("bool_gauge:\n  metric: 'queue_ok{job=\"orders\"}'\n  grouping: [queue]"),
        ("exact", "spec.indicator.bool_gauge.grouping", EXACT_GROUPS.format("queue")),
        ["queue"],
        # The gauge keeps the group label through its min: each group judges its own series.
        {"spec.indicator.threshold.prometheus.gauge": 'min by (queue) (queue_ok{job="orders"})'},
        id="pyrra-bool-gauge",
    ),
    pytest.param(
        "pyrra",
        _pyrra(_ratio("[instance]")),
        (
            "exact",
            "spec.indicator.ratio.grouping",
            "`sre validate` warns that instance usually has no bound (a group per value)",
        ),
        ["instance"],
        {},
        id="pyrra-unbounded-label-mapped-with-the-warning",
    ),
    pytest.param(
        "pyrra",
        _pyrra(
            "latency:\n  success: {metric: 'order_seconds_bucket{le=\"0.5\"}'}\n"
            "  total: {metric: order_seconds_count}\n  grouping: [le]"
        ),
        (
            "not mapped",
            "spec.indicator.latency.grouping",
            f"a latency SLI reads its threshold's bucket (le) itself: it cannot be grouped by le: {ALL_SERIES}",
        ),
        None,
        {},
        id="pyrra-latency-by-le-refused",
    ),
    pytest.param(
        "pyrra",
        _pyrra(_ratio("[severity]")),
        (
            "not mapped",
            "spec.indicator.ratio.grouping",
            f"'severity' is a label the generated series and alerts carry themselves; groups would merge: {ALL_SERIES}",
        ),
        None,
        {},
        id="pyrra-generator-label-refused",
    ),
    pytest.param(
        "pyrra",
        _pyrra(_ratio("[team]"), labels="{pyrra.dev/team: orders}"),
        (
            "not mapped",
            "spec.indicator.ratio.grouping",
            "'team' is also a label of the spec (metadata.labels or alerting labels); groups would merge",
        ),
        None,
        {"metadata.labels": {"team": "orders"}},
        id="pyrra-spec-label-refused",
    ),
    pytest.param(
        "pyrra",
        _pyrra(_ratio("[a, b, c, d, e, f]")),
        ("not mapped", "spec.indicator.ratio.grouping", f"6 labels; sre splits an SLO by at most 5: {ALL_SERIES}"),
        None,
        {},
        id="pyrra-six-labels-refused",
    ),
    pytest.param(
        "pyrra",
        _pyrra(_ratio("[route.name]")),
        ("not mapped", "spec.indicator.ratio.grouping", f"'route.name' is not a Prometheus label name: {ALL_SERIES}"),
        None,
        {},
        id="pyrra-not-a-label-name",
    ),
    pytest.param(
        "pyrra",
        _pyrra(_ratio("[route]", errors='orders_total{code=~"5..",route=""}')),
        (
            "not mapped",
            "spec.indicator.ratio.grouping",
            'orders_total{code=~"5..",route=""} only matches series without route (route=""): '
            "there are no groups to make",
        ),
        None,
        {},
        id="pyrra-selector-without-the-label",
    ),
    # ---- Sloth: every count of the SLI summed by the same labels
    pytest.param(
        "sloth",
        _sloth(
            f"sum by (route) (rate(orders_total{{code=~'5..'}}[{W}]))",
            f"sum by (route) (rate(orders_total[{W}]))",
        ),
        ("exact", "sli.events grouping", EXACT_GROUPS.format("route")),
        ["route"],
        {"spec.indicator.ratio.prometheus": {"bad": 'orders_total{code=~"5.."}', "total": "orders_total"}},
        id="sloth-sum-by",
    ),
    pytest.param(
        "sloth",
        _sloth(
            f"sum by (route, zone) (rate(orders_failed_total[{W}])) "
            f"+ sum by (zone, route) (rate(orders_lost_total[{W}]))",
            f"sum by (route, zone) (increase(orders_total[{W}]))",
        ),
        ("exact", "sli.events grouping", EXACT_GROUPS.format("route, zone")),
        ["route", "zone"],
        {"spec.indicator.ratio.prometheus.bad": ["orders_failed_total", "orders_lost_total"]},
        id="sloth-sum-by-in-any-order",
    ),
    pytest.param(
        "sloth",
        # Sloth's latency form (errors = all minus the fast ones), per route.
        _sloth(
            f"sum by (route) (rate(order_seconds_count[{W}])) - "
            f"sum by (route) (rate(order_seconds_bucket{{le='0.5'}}[{W}]))",
            f"sum by (route) (rate(order_seconds_count[{W}]))",
        ),
        ("exact", "sli.events grouping", EXACT_GROUPS.format("route")),
        ["route"],
        {"spec.indicator.ratio.prometheus": {"good": 'order_seconds_bucket{le="0.5"}', "total": "order_seconds_count"}},
        id="sloth-total-minus-good-by-route",
    ),
    pytest.param(
        "sloth",
        _sloth(f"sum by (route) (rate(orders_failed_total[{W}]))", f"sum by (region) (rate(orders_total[{W}]))"),
        (
            "approximated",
            "sli.events grouping",
            "the counts split differently (`sum by (route)`, `sum by (region)`); sre splits good and total alike: "
            + ALL_SERIES,
        ),
        None,
        {},
        id="sloth-different-labels",
    ),
    pytest.param(
        "sloth",
        _sloth(f"sum without (pod) (rate(orders_failed_total[{W}]))", f"sum without (pod) (rate(orders_total[{W}]))"),
        (
            "approximated",
            "sli.events grouping",
            "`sum without (pod), without (pod)` keeps every label but those named; sre's groups are named labels "
            f"(groupBy): {ALL_SERIES}",
        ),
        None,
        {},
        id="sloth-without",
    ),
    pytest.param(
        "sloth",
        _sloth(f"sum by (service) (rate(orders_failed_total[{W}]))", f"sum by (service) (rate(orders_total[{W}]))"),
        (
            "not mapped",
            "sli.events grouping",
            f"'service' is a label the generated series and alerts carry themselves; groups would merge: {ALL_SERIES}",
        ),
        None,
        {},
        id="sloth-generator-label-refused",
    ),
    pytest.param(
        "sloth",
        _sloth(
            f"sum by (region) (rate(orders_failed_total[{W}]))",
            f"sum by (region) (rate(orders_total[{W}]))",
            labels="{region: eu}",
        ),
        (
            "not mapped",
            "sli.events grouping",
            "'region' is also a label of the spec (metadata.labels or alerting labels); groups would merge",
        ),
        None,
        {"metadata.labels": {"region": "eu"}},
        id="sloth-spec-label-refused",
    ),
    # ---- OpenSLO from another tool: the queries' `sum by`
    pytest.param(
        "openslo",
        _openslo('sum by (tenant) (logins_total{ok="true"})', "sum by (tenant) (logins_total)"),
        ("exact", "ratioMetric grouping", EXACT_GROUPS.format("tenant")),
        ["tenant"],
        {"spec.indicator.ratio.prometheus": {"good": 'logins_total{ok="true"}', "total": "logins_total"}},
        id="openslo-sum-by",
    ),
    pytest.param(
        "openslo",
        _openslo('sum by (tenant) (logins_total{ok="true"})', "sum(logins_total)"),
        (
            "approximated",
            "ratioMetric grouping",
            "the counts split differently (`sum by (tenant)`, a count over all series); sre splits good and total "
            f"alike: {ALL_SERIES}",
        ),
        None,
        {},
        id="openslo-different-labels",
    ),
    pytest.param(
        "openslo",
        _openslo('sum without (instance) (logins_total{ok="true"})', "sum without (instance) (logins_total)"),
        ("approximated", "ratioMetric grouping", "`sum without (instance), without (instance)` keeps every label"),
        None,
        {},
        id="openslo-without",
    ),
    pytest.param(
        "openslo",
        _openslo(
            'sum by (tenant) (logins_total{ok="true"})',
            "sum by (tenant) (logins_total)",
            annotations="{sre.dev/group-by: tenant, sre.dev/max-groups: '20'}",
        ),
        ("exact", "sre.dev/max-groups", "as spec.indicator.maxGroups"),
        ["tenant"],
        {"spec.indicator.maxGroups": 20},
        id="openslo-annotations",
    ),
    pytest.param(
        "openslo",
        _openslo(
            'sum by (tenant) (logins_total{ok="true"})',
            "sum by (tenant) (logins_total)",
            annotations="{sre.dev/group-by: tenant, sre.dev/max-groups: many}",
        ),
        ("not mapped", "sre.dev/max-groups", "'many': a whole number from 1 to 10000; the default applies"),
        ["tenant"],
        {},
        id="openslo-unreadable-max-groups",
    ),
    pytest.param(
        "openslo",
        _openslo(
            'sum by (tenant) (logins_total{ok="true"})',
            "sum by (tenant) (logins_total)",
            annotations="{sre.dev/group-by: tenant, sre.dev/cloudwatch-groups: '{}'}",
        ),
        ("not mapped", "sre.dev/cloudwatch-groups", "the SLI has no CloudWatch source"),
        ["tenant"],
        {},
        id="openslo-cloudwatch-groups-without-cloudwatch",
    ),
    pytest.param(
        "openslo",
        _openslo(
            'sum by (region) (logins_total{ok="true"})',
            "sum by (region) (logins_total)",
            annotations="{sre.dev/group-by: tenant}",
        ),
        ("approximated", "sre.dev/group-by", "the queries split by {'region'}; the annotation's groups were taken"),
        ["tenant"],
        {},
        id="openslo-annotation-disagrees-with-the-queries",
    ),
    pytest.param(
        "openslo",
        _openslo('logins_total{ok="true"}', "logins_total", annotations="{sre.dev/group-by: tenant}"),
        ("approximated", "sre.dev/group-by", "the queries split by nothing; the annotation's groups were taken"),
        ["tenant"],
        {},
        id="openslo-annotation-groups-unsplit-queries",
    ),
]


def _dig(doc: dict, dotted: str):
    for part in dotted.split("."):
        doc = doc[part]
    return doc


@pytest.mark.parametrize(("peer", "source", "finding", "group_by", "also"), CASES)
def test_grouping_import(
    tmp_path: Path, peer: str, source: str, finding: tuple, group_by: list[str] | None, also: dict
) -> None:
    src = tmp_path / "in.yaml"
    src.write_text(source.lstrip())
    out = tmp_path / "slo"
    result = CliRunner().invoke(cli, ["import", peer, str(src), "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    status, field, why = finding
    assert any(
        line.strip().startswith(status) and f": {field}: " in line and why in line
        for line in result.output.splitlines()
    ), f"no {status} line for {field} ({why}) in:\n{result.output}"
    (written,) = [f for f in out.glob("*.yaml") if f.name != "defaults.yaml"]
    doc = yaml.safe_load(written.read_text())
    assert doc["spec"]["indicator"].get("groupBy") == group_by
    for dotted, value in also.items():
        assert _dig(doc, dotted) == value, dotted
    specs = load([out])  # what an import writes passes `sre validate`
    assert specs.ok, specs.errors
    if group_by is not None:
        assert list(specs.slos[0].group_by) == group_by
