"""Table of grouped specs (`indicator.groupBy`) and the exact Prometheus rules they must produce.

Same locators as test_table_prometheus_rules (see its module doc), plus `records`: every recording
rule's name, in order, up to the first ratio (the base rates' order matters: a grouped SLO's bad
events fall back to its recorded total, which must come first). Expected text is written out by
hand; the long windows (1d and over) are left to the ungrouped table, they aggregate nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from tests.generation.test_table_prometheus_rules import RULES, locate
from tests.support.spec_table import Case, Contains, Generated, generate_table, params


def _labels(slo: str, **extra: str) -> dict[str, str]:
    return dict(sorted({"service": "t", "slo": slo, **extra}.items()))


def _ratio(slo: str, window: str, seconds: int) -> str:
    count = f'slo:sli_events:count{window}{{slo="{slo}"}}'
    bad = f'slo:sli_bad:rate5m{{slo="{slo}"}}'
    bad_events = f"{bad} * {seconds}" if window == "5m" else f"avg_over_time({bad}[{window}]) * {seconds}"
    return f"clamp_max({bad_events} / ({count} > 0), 1) or {count} * 0"


def _burn(slo: str, long: str, short: str, threshold: str, guard: str = "") -> str:
    expr = (
        f'slo:burn_rate:ratio_rate{long}{{slo="{slo}"}} >= {threshold}'
        f' and slo:burn_rate:ratio_rate{short}{{slo="{slo}"}} >= {threshold}'
    )
    return expr + (f" and {guard}" if guard else "")


GROUPED_BAD = """
metadata: {name: gb, service: t}
spec:
  description: d
  objective: 99.9
  indicator:
    groupBy: [handler]
    ratio:
      prometheus:
        bad: http_requests_total{job="api",code=~"5.."}
        total: http_requests_total{job="api"}
  alerting:
    minEvents: 100
"""

CASES = [
    Case(
        "bad-counter-by-handler",
        GROUPED_BAD,
        {
            "records": ["slo:sli_total:rate5m", "slo:sli_bad:rate5m", "slo:sli_events:count5m"],
            "record slo:sli_total:rate5m": 'sum by (handler) (rate(http_requests_total{job="api"}[5m]))',
            # A handler without errors yet has no error series: 0 for each handler that has traffic.
            "record slo:sli_bad:rate5m": '(sum by (handler) (rate(http_requests_total{job="api",code=~"5.."}[5m]))'
            ' or on(handler) slo:sli_total:rate5m{slo="gb"} * 0)',
            "record slo:sli_events:count5m": 'slo:sli_total:rate5m{slo="gb"} * 300',
            "record slo:sli_error:ratio_rate5m": _ratio("gb", "5m", 300),
            "record slo:sli_events:count1h": 'avg_over_time(slo:sli_total:rate5m{slo="gb"}[1h]) * 3600',
            "record slo:sli_error:ratio_rate1h": _ratio("gb", "1h", 3600),
            "record slo:burn_rate:ratio_rate1h": 'slo:sli_error:ratio_rate1h{slo="gb"} / 0.001',
            # The objective and the budget are the SLO's, one series each, no group labels.
            "record slo:objective:ratio": "vector(0.999)",
            "record slo:error_budget:ratio": "vector(0.001)",
            "labels slo:sli_total:rate5m": _labels("gb"),
            # One alert rule per pair; its series, so its alerts, carry each handler's label.
            "alert SLOBurnRatePage 1h/5m": {
                "expr": _burn("gb", "1h", "5m", "14.3999999856", 'slo:sli_events:count1h{slo="gb"} >= 100'),
                "for": "2m",
                "labels": _labels("gb", long_window="1h", severity="page", short_window="5m"),
            },
            "annotation SLOBurnRatePage 1h/5m summary": 'gb [handler={{ index $labels "handler" }}]: error budget '
            "burning 14.4x too fast over 1h and 5m",
            "annotation SLOBurnRateTicket 3d/6h description": Contains(
                'gb [handler={{ index $labels "handler" }}] (t) burns its error budget at {{ $value | printf "%.2f" }}x'
            ),
            # Absence stays per SLO: every handler's series gone.
            "alert SLOMetricsAbsent": {
                "expr": 'absent(http_requests_total{job="api"})',
                "for": "15m",
                "labels": _labels("gb", severity="ticket"),
            },
            "annotation SLOMetricsAbsent summary": "gb: the SLI's source series are missing",
        },
    ),
    Case(
        "good-counter-by-two-labels",
        """
        metadata: {name: gg, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            groupBy: [handler, method]
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
        """,
        {
            "records": ["slo:sli_total:rate5m", "slo:sli_bad:rate5m", "slo:sli_events:count5m"],
            "record slo:sli_total:rate5m": 'sum by (handler, method) (rate(all_total{job="x"}[5m]))',
            "record slo:sli_bad:rate5m": 'clamp_min(slo:sli_total:rate5m{slo="gg"} - on(handler, method)'
            ' (sum by (handler, method) (rate(ok_total{job="x"}[5m]))'
            ' or on(handler, method) slo:sli_total:rate5m{slo="gg"} * 0), 0)',
            "annotation SLOBurnRatePage 1h/5m summary": 'gg [handler={{ index $labels "handler" }}, '
            'method={{ index $labels "method" }}]: error budget burning 14.4x too fast over 1h and 5m',
        },
    ),
    Case(
        "lists-fill-each-missing-part-per-group",
        """
        metadata: {name: gl, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            groupBy: [handler]
            ratio:
              prometheus:
                bad: [a_total, b_total]
                total: [c_total, d_total]
        """,
        {
            # A handler only c_total has counts 0 in d_total; the groups are every handler either has.
            "record slo:sli_total:rate5m": "((sum by (handler) (rate(c_total[5m])) or 0 * ("
            "sum by (handler) (rate(c_total[5m])) or sum by (handler) (rate(d_total[5m]))))"
            " + (sum by (handler) (rate(d_total[5m])) or 0 * ("
            "sum by (handler) (rate(c_total[5m])) or sum by (handler) (rate(d_total[5m])))))",
            "record slo:sli_bad:rate5m": "((sum by (handler) (rate(a_total[5m]))"
            ' or on(handler) slo:sli_total:rate5m{slo="gl"} * 0) + on(handler) (sum by (handler) (rate(b_total[5m]))'
            ' or on(handler) slo:sli_total:rate5m{slo="gl"} * 0))',
            "alert SLOMetricsAbsent": {
                "expr": "absent(c_total or d_total)",
                "for": "15m",
                "labels": _labels("gl", severity="ticket"),
            },
        },
    ),
    Case(
        "periodSum-with-a-1m-short-window",
        """
        metadata: {name: gp, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            groupBy: [queue]
            ratio:
              prometheus:
                metricType: periodSum
                bad: runs_failed_sum
                total: runs_sum
          alerting:
            page:
              windows:
                - {long: 5m, short: 1m, budgetPercent: 0.25}
            ticket: {enabled: false}
        """,
        {
            "records": [
                "slo:sli_total:rate1m",
                "slo:sli_bad:rate1m",
                "slo:sli_total:rate5m",
                "slo:sli_bad:rate5m",
                "slo:sli_events:count1m",
            ],
            "record slo:sli_total:rate1m": "sum by (queue) (sum_over_time(runs_sum[1m])) / 60",
            "record slo:sli_bad:rate1m": "(sum by (queue) (sum_over_time(runs_failed_sum[1m])) / 60"
            ' or on(queue) slo:sli_total:rate1m{slo="gp"} * 0)',
            "record slo:sli_total:rate5m": "sum by (queue) (sum_over_time(runs_sum[5m])) / 300",
            "record slo:sli_events:count1m": 'slo:sli_total:rate1m{slo="gp"} * 60',
            "alerts": ["SLOBurnRatePage 5m/1m", "SLOMetricsAbsent"],
            "alert SLOBurnRatePage 5m/1m": {
                "expr": _burn("gp", "5m", "1m", "21.5999999784"),
                "for": "2m",
                "labels": _labels("gp", long_window="5m", severity="page", short_window="1m"),
            },
        },
    ),
    Case(
        "latency-by-handler",
        """
        metadata: {name: gt, service: t}
        spec:
          description: d
          objective: 95
          indicator:
            groupBy: [handler]
            latency:
              threshold: 300ms
              prometheus:
                histogram: req_seconds{job="api"}
                buckets: [0.1, 0.3, 1]
        """,
        {
            "record slo:sli_total:rate5m": 'sum by (handler) (rate(req_seconds_count{job="api"}[5m]))',
            "record slo:sli_bad:rate5m": 'clamp_min(slo:sli_total:rate5m{slo="gt"} - on(handler)'
            ' (sum by (handler) (rate(req_seconds_bucket{job="api",le="0.3"}[5m]))'
            ' or on(handler) slo:sli_total:rate5m{slo="gt"} * 0), 0)',
        },
    ),
    Case(
        "threshold-by-queue-no-label-less-fallback",
        """
        metadata: {name: gq, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            groupBy: [queue]
            threshold:
              slice: 1m
              operator: "<="
              value: 300
              prometheus:
                gauge: max by (queue) (age_seconds{job="batch"})
        """,
        {
            "interval": "1m",
            "records": ["slo:sli_slice:bad", "slo:sli_events:count5m"],
            "record slo:sli_slice:bad": 'max by (queue) ((max by (queue) (age_seconds{job="batch"})) > bool 300)',
            # No `or on() vector(0)`: per group it would add a queue without a label.
            "record slo:sli_events:count5m": 'count_over_time(slo:sli_slice:bad{slo="gq"}[5m])',
            "record slo:sli_error:ratio_rate5m": 'avg_over_time(slo:sli_slice:bad{slo="gq"}[5m])',
            "record slo:sli_error:ratio_rate1h": 'avg_over_time(slo:sli_slice:bad{slo="gq"}[1h])',
            "record slo:burn_rate:ratio_rate1h": 'slo:sli_error:ratio_rate1h{slo="gq"} / 0.01',
            "alert SLOMetricsAbsent": {
                "expr": 'absent(age_seconds{job="batch"})',
                "for": "15m",
                "labels": _labels("gq", severity="ticket"),
            },
        },
    ),
]


def _records(doc: dict[str, Any]) -> list[str]:
    """Record names of the minute group in order, up to the first error ratio."""
    group = doc["groups"][0]
    names: list[str] = []
    for rule in group["rules"]:
        if rule.get("record", "").startswith("slo:sli_error:"):
            break
        names.append(rule["record"])
    return names


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    return generate_table(tmp_path_factory.mktemp("prom-grouped-table"), CASES)


@pytest.mark.parametrize("case", params(CASES))
def test_grouped_rules(case: Case, generated: dict[str, Generated]) -> None:
    result = generated[case.id]
    assert result.exit_code == 0, result.output
    doc = result.yaml(RULES)
    actual = {key: _records(doc) if key == "records" else locate(doc, key) for key in case.expect}
    assert actual == case.expect


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
def test_every_grouped_rule_file_passes_promtool(generated: dict[str, Generated]) -> None:
    files = sorted(str(r.out / RULES) for r in generated.values())
    assert len(files) == len(CASES)
    proc = subprocess.run(["promtool", "check", "rules", *files], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
