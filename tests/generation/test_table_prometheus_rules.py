"""Table of tiny specs and the exact Prometheus rules `sre generate` must write for them.

In the style of Sloth's and Pyrra's generator tests: each row is a spec of a few lines using one
feature the stack's own specs (slo/*.yaml) do not exercise, or exercise only in combination, and
the literal text of the rules it must produce. Expected values are written out by hand (burn
factors, firing thresholds = factor x (1 - 1e-9), selectors), never computed with the package, so a
change in the arithmetic or the PromQL shows up here as a diff.

Locators (keys of `Case.expect`), read from the case's rule groups in
`alarms/prometheus/t.rules.yaml` (every case's service is `t`): its main group, then its rollup
group (the long windows no alert reads) when it has one:

- `record <name>`: the recording rule's expr;   `labels <record name>`: its labels
- `alert <Alert> <long>/<short>`: the alert without its annotations (expr, for, labels);
  `alert SLOMetricsAbsent` likewise
- `annotation <Alert> <long>/<short> <key>`: one annotation;  `annotation keys <Alert> ...`: their keys, in order
- `alerts`: every alert of the group, in order, as `<Alert> <long>/<short>` (the absent alert bare)
- `ratio windows`: the W of every `slo:sli_error:ratio_rate<W>` record, in order
- `interval`: the main group's evaluation interval (None: the global one)
- `groups`: every group as `<name> <interval>` (`-`: the global interval)
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from tests.support.spec_table import Case, Contains, Generated, generate_table, params

RULES = "alarms/prometheus/t.rules.yaml"


def _labels(slo: str, **extra: str) -> dict[str, str]:
    return dict(sorted({"service": "t", "slo": slo, **extra}.items()))


def _burn(slo: str, long: str, short: str, threshold: str, guard: str = "") -> str:
    expr = (
        f'slo:burn_rate:ratio_rate{long}{{slo="{slo}"}} >= {threshold}'
        f' and slo:burn_rate:ratio_rate{short}{{slo="{slo}"}} >= {threshold}'
    )
    return expr + (f" and {guard}" if guard else "")


CASES = [
    Case(
        "calendar-month-is-30d",
        """
        metadata: {name: m, service: t}
        spec:
          description: d
          objective: 99.9
          window: month
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
        """,
        {
            "alerts": [
                "SLOBurnRatePage 1h/5m",
                "SLOBurnRatePage 6h/30m",
                "SLOBurnRateTicket 1d/2h",
                "SLOBurnRateTicket 3d/6h",
                "SLOMetricsAbsent",
            ],
            "alert SLOBurnRatePage 1h/5m": {
                "expr": _burn("m", "1h", "5m", "14.3999999856"),
                "for": "2m",
                "labels": _labels("m", long_window="1h", severity="page", short_window="5m"),
            },
            "alert SLOBurnRateTicket 3d/6h": {
                "expr": _burn("m", "3d", "6h", "0.999999999"),
                "for": "15m",
                "labels": _labels("m", long_window="3d", severity="ticket", short_window="6h"),
            },
            "ratio windows": ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"],
            # 30d is read by no alert: averaged every 4m from 4m blocks of the 5m rates.
            "groups": ["slo-m -", "slo-m-rollup 4m"],
            "record slo:sli_bad:rate5m_avg4m": 'avg_over_time(slo:sli_bad:rate5m{slo="m"}[4m])',
            "record slo:sli_total:rate5m_avg4m": 'avg_over_time(slo:sli_total:rate5m{slo="m"}[4m])',
            "record slo:sli_events:count30d": 'avg_over_time(slo:sli_total:rate5m_avg4m{slo="m"}[30d]) * 2592000',
            # 3d is a ticket window: fresh every minute, from the 5m rates.
            "record slo:sli_events:count3d": 'avg_over_time(slo:sli_total:rate5m{slo="m"}[3d]) * 259200',
            "record slo:error_budget:ratio": "vector(0.001)",
            "record slo:objective:ratio": "vector(0.999)",
            "record slo:error_budget_remaining:ratio": '1 - slo:burn_rate:ratio_rate30d{slo="m"}',
            "annotation SLOBurnRatePage 1h/5m summary": "m: error budget burning 14.4x too fast over 1h and 5m",
            "annotation SLOBurnRatePage 1h/5m description": Contains("i.e. 2% of the month budget within 1h"),
        },
    ),
    Case(
        "calendar-week-is-7d",
        """
        metadata: {name: w, service: t}
        spec:
          description: d
          objective: 99
          window: week
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
        """,
        {
            # factor = budget share x 7d / long window: 3.36, 1.4, 0.7, 0.2333...
            "alert SLOBurnRatePage 1h/5m": {
                "expr": _burn("w", "1h", "5m", "3.35999999664"),
                "for": "2m",
                "labels": _labels("w", long_window="1h", severity="page", short_window="5m"),
            },
            "alert SLOBurnRatePage 6h/30m": {
                "expr": _burn("w", "6h", "30m", "1.3999999986"),
                "for": "2m",
                "labels": _labels("w", long_window="6h", severity="page", short_window="30m"),
            },
            "alert SLOBurnRateTicket 1d/2h": {
                "expr": _burn("w", "1d", "2h", "0.6999999993"),
                "for": "15m",
                "labels": _labels("w", long_window="1d", severity="ticket", short_window="2h"),
            },
            "alert SLOBurnRateTicket 3d/6h": {
                "expr": _burn("w", "3d", "6h", "0.2333333331"),
                "for": "15m",
                "labels": _labels("w", long_window="3d", severity="ticket", short_window="6h"),
            },
            "ratio windows": ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "7d"],
            "record slo:sli_error:ratio_rate7d": 'clamp_max(avg_over_time(slo:sli_bad:rate5m_avg4m{slo="w"}[7d])'
            " * 604800"
            ' / (slo:sli_events:count7d{slo="w"} > 0), 1) or slo:sli_events:count7d{slo="w"} * 0',
            "record slo:error_budget_remaining:ratio": '1 - slo:burn_rate:ratio_rate7d{slo="w"}',
            "annotation SLOBurnRateTicket 3d/6h summary": "w: error budget burning 0.2333x too fast over 3d and 6h",
        },
    ),
    Case(
        "good-counter-bad-is-total-minus-good",
        """
        metadata: {name: g, service: t}
        spec:
          description: d
          objective: 99.5
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
        """,
        {
            "record slo:sli_bad:rate5m": 'clamp_min((sum(rate(all_total{job="x"}[5m])) or vector(0))'
            ' - (sum(rate(ok_total{job="x"}[5m])) or vector(0)), 0)',
            "record slo:sli_total:rate5m": '(sum(rate(all_total{job="x"}[5m])) or vector(0))',
            "record slo:sli_events:count5m": 'slo:sli_total:rate5m{slo="g"} * 300',
            "record slo:sli_events:count1h": 'avg_over_time(slo:sli_total:rate5m{slo="g"}[1h]) * 3600',
            "record slo:sli_error:ratio_rate1h": 'clamp_max(avg_over_time(slo:sli_bad:rate5m{slo="g"}[1h]) * 3600'
            ' / (slo:sli_events:count1h{slo="g"} > 0), 1) or slo:sli_events:count1h{slo="g"} * 0',
            "record slo:burn_rate:ratio_rate1h": 'slo:sli_error:ratio_rate1h{slo="g"} / 0.005',
            "alert SLOMetricsAbsent": {
                "expr": 'absent(all_total{job="x"})',
                "for": "15m",
                "labels": _labels("g", severity="ticket"),
            },
        },
    ),
    Case(
        "bad-counter-is-read-directly",
        """
        metadata: {name: b, service: t}
        spec:
          description: d
          objective: 99.9
          indicator:
            ratio:
              prometheus:
                bad: errors_total{job="x",code=~"5.."}
                total: requests_total{job="x"}
        """,
        {
            "record slo:sli_bad:rate5m": '(sum(rate(errors_total{job="x",code=~"5.."}[5m])) or vector(0))',
            "record slo:sli_total:rate5m": '(sum(rate(requests_total{job="x"}[5m])) or vector(0))',
            # Bad-event series may legitimately not exist yet: only the total is watched.
            "alert SLOMetricsAbsent": {
                "expr": 'absent(requests_total{job="x"})',
                "for": "15m",
                "labels": _labels("b", severity="ticket"),
            },
        },
    ),
    Case(
        "lists-of-series-are-summed",
        """
        metadata: {name: l, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            ratio:
              prometheus:
                good:
                  - a_total{job="x"}
                  - b_total{job="x"}
                total:
                  - c_total{job="x"}
                  - d_total{job="x"}
        """,
        {
            "record slo:sli_bad:rate5m": 'clamp_min(((sum(rate(c_total{job="x"}[5m])) or vector(0))'
            ' + (sum(rate(d_total{job="x"}[5m])) or vector(0)))'
            ' - ((sum(rate(a_total{job="x"}[5m])) or vector(0)) + (sum(rate(b_total{job="x"}[5m])) or vector(0))), 0)',
            "record slo:sli_total:rate5m": '((sum(rate(c_total{job="x"}[5m])) or vector(0))'
            ' + (sum(rate(d_total{job="x"}[5m])) or vector(0)))',
            "alert SLOMetricsAbsent": {
                "expr": 'absent(c_total{job="x"} or d_total{job="x"})',
                "for": "15m",
                "labels": _labels("l", severity="ticket"),
            },
        },
    ),
    Case(
        "periodSum-uses-sum-over-time",
        """
        metadata: {name: ps, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            ratio:
              prometheus:
                metricType: periodSum
                bad: runs_failed_sum{q="a"}
                total: runs_sum{q="a"}
        """,
        {
            "record slo:sli_bad:rate5m": '(sum(sum_over_time(runs_failed_sum{q="a"}[5m])) / 300 or vector(0))',
            "record slo:sli_total:rate5m": '(sum(sum_over_time(runs_sum{q="a"}[5m])) / 300 or vector(0))',
            "record slo:sli_events:count5m": 'slo:sli_total:rate5m{slo="ps"} * 300',
            "record slo:sli_events:count1d": 'avg_over_time(slo:sli_total:rate5m{slo="ps"}[1d]) * 86400',
        },
    ),
    Case(
        "periodSum-list-with-a-1m-short-window",
        """
        metadata: {name: pf, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            ratio:
              prometheus:
                metricType: periodSum
                bad: [f_sum, g_sum]
                total: all_sum
          alerting:
            page:
              windows:
                - {long: 5m, short: 1m, budgetPercent: 0.25}
            ticket: {enabled: false}
        """,
        {
            "record slo:sli_bad:rate1m": "((sum(sum_over_time(f_sum[1m])) / 60 or vector(0))"
            " + (sum(sum_over_time(g_sum[1m])) / 60 or vector(0)))",
            "record slo:sli_total:rate1m": "(sum(sum_over_time(all_sum[1m])) / 60 or vector(0))",
            "record slo:sli_bad:rate5m": "((sum(sum_over_time(f_sum[5m])) / 300 or vector(0))"
            " + (sum(sum_over_time(g_sum[5m])) / 300 or vector(0)))",
            "record slo:sli_events:count1m": 'slo:sli_total:rate1m{slo="pf"} * 60',
            "ratio windows": ["1m", "5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"],
            # 0.25% of 30d in 5m: 21.6x.
            "alert SLOBurnRatePage 5m/1m": {
                "expr": _burn("pf", "5m", "1m", "21.5999999784"),
                "for": "2m",
                "labels": _labels("pf", long_window="5m", severity="page", short_window="1m"),
            },
            "alerts": ["SLOBurnRatePage 5m/1m", "SLOMetricsAbsent"],
        },
    ),
    Case(
        "minEvents-per-pair-overrides-the-slo-guard",
        """
        metadata: {name: me, service: t}
        spec:
          description: d
          objective: 99.9
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
          alerting:
            minEvents: 100
            page:
              windows:
                - {long: 1h, short: 5m, budgetPercent: 2, minEvents: 500}
                - {long: 5m, short: 1m, budgetPercent: 0.05}
            ticket:
              windows:
                - {long: 1d, short: 2h, budgetPercent: 10, minEvents: 0}
                - {long: 3d, short: 6h, budgetPercent: 10}
        """,
        {
            "alert SLOBurnRatePage 1h/5m": {
                "expr": _burn("me", "1h", "5m", "14.3999999856", 'slo:sli_events:count1h{slo="me"} >= 500'),
                "for": "2m",
                "labels": _labels("me", long_window="1h", severity="page", short_window="5m"),
            },
            # A 5m pair is guarded over 1h: 5 minutes are too short to judge traffic.
            "alert SLOBurnRatePage 5m/1m": {
                "expr": _burn("me", "5m", "1m", "4.31999999568", 'slo:sli_events:count1h{slo="me"} >= 100'),
                "for": "2m",
                "labels": _labels("me", long_window="5m", severity="page", short_window="1m"),
            },
            "alert SLOBurnRateTicket 1d/2h": {
                "expr": _burn("me", "1d", "2h", "2.999999997"),
                "for": "15m",
                "labels": _labels("me", long_window="1d", severity="ticket", short_window="2h"),
            },
            "alert SLOBurnRateTicket 3d/6h": {
                "expr": _burn("me", "3d", "6h", "0.999999999", 'slo:sli_events:count3d{slo="me"} >= 100'),
                "for": "15m",
                "labels": _labels("me", long_window="3d", severity="ticket", short_window="6h"),
            },
            "annotation SLOBurnRatePage 1h/5m description": Contains("Fires only with >= 500 events in 1h."),
        },
    ),
    Case(
        "ticket-tier-disabled",
        """
        metadata: {name: nt, service: t}
        spec:
          description: d
          objective: 99.9
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
          alerting:
            ticket: {enabled: false}
        """,
        {
            "alerts": ["SLOBurnRatePage 1h/5m", "SLOBurnRatePage 6h/30m", "SLOMetricsAbsent"],
            # Without a ticket tier the absent alert keeps the ticket defaults.
            "alert SLOMetricsAbsent": {
                "expr": 'absent(all_total{job="x"})',
                "for": "15m",
                "labels": _labels("nt", severity="ticket"),
            },
        },
    ),
    Case(
        "page-tier-disabled-ticket-settings",
        """
        metadata: {name: np, service: t}
        spec:
          description: d
          objective: 99.9
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
          alerting:
            page: {enabled: false}
            ticket: {severity: warning, for: 1h}
        """,
        {
            "alerts": ["SLOBurnRateTicket 1d/2h", "SLOBurnRateTicket 3d/6h", "SLOMetricsAbsent"],
            "alert SLOBurnRateTicket 1d/2h": {
                "expr": _burn("np", "1d", "2h", "2.999999997"),
                "for": "1h",
                "labels": _labels("np", long_window="1d", severity="warning", short_window="2h"),
            },
            # The absent alert follows the ticket tier's severity and `for`.
            "alert SLOMetricsAbsent": {
                "expr": 'absent(all_total{job="x"})',
                "for": "1h",
                "labels": _labels("np", severity="warning"),
            },
        },
    ),
    Case(
        "custom-window-pairs",
        """
        metadata: {name: cw, service: t}
        spec:
          description: d
          objective: 99.5
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
          alerting:
            page:
              severity: critical
              for: 5m
              windows:
                - {long: 2h, short: 10m, budgetPercent: 3}
            ticket:
              windows:
                - {long: 2d, short: 12h, budgetPercent: 20}
        """,
        {
            "alerts": ["SLOBurnRatePage 2h/10m", "SLOBurnRateTicket 2d/12h", "SLOMetricsAbsent"],
            # 3% of 30d in 2h: 10.8x; 20% of 30d in 2d: 3x.
            "alert SLOBurnRatePage 2h/10m": {
                "expr": _burn("cw", "2h", "10m", "10.7999999892"),
                "for": "5m",
                "labels": _labels("cw", long_window="2h", severity="critical", short_window="10m"),
            },
            "alert SLOBurnRateTicket 2d/12h": {
                "expr": _burn("cw", "2d", "12h", "2.999999997"),
                "for": "15m",
                "labels": _labels("cw", long_window="2d", severity="ticket", short_window="12h"),
            },
            # The report's 1d and 3d are read by no alert here: rolled up with 30d, every 4m.
            "ratio windows": ["5m", "10m", "30m", "1h", "2h", "6h", "12h", "2d", "1d", "3d", "30d"],
            "groups": ["slo-cw -", "slo-cw-rollup 4m"],
            "record slo:sli_events:count10m": 'avg_over_time(slo:sli_total:rate5m{slo="cw"}[10m]) * 600',
            "annotation SLOBurnRatePage 2h/10m description": Contains(
                "threshold 10.8x, i.e. 3% of the 30d budget within 2h."
            ),
        },
    ),
    Case(
        "time-slices-greater-or-equal",
        """
        metadata: {name: ts, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            threshold:
              slice: 2m
              operator: ">="
              value: 99.5
              prometheus:
                gauge: avg(availability_percent{site="a"})
          alerting:
            minEvents: 10
            ticket: {enabled: false}
        """,
        {
            "interval": "2m",
            "record slo:sli_slice:bad": 'max((avg(availability_percent{site="a"})) < bool 99.5)',
            "record slo:sli_events:count1h": 'count_over_time(slo:sli_slice:bad{slo="ts"}[1h]) or on() vector(0)',
            "record slo:sli_error:ratio_rate1h": 'avg_over_time(slo:sli_slice:bad{slo="ts"}[1h]) or on() vector(0)',
            "record slo:burn_rate:ratio_rate1h": 'slo:sli_error:ratio_rate1h{slo="ts"} / 0.01',
            "alert SLOBurnRatePage 1h/5m": {
                "expr": _burn("ts", "1h", "5m", "14.3999999856", 'slo:sli_events:count1h{slo="ts"} >= 10'),
                "for": "2m",
                "labels": _labels("ts", long_window="1h", severity="page", short_window="5m"),
            },
            "annotation SLOBurnRatePage 1h/5m description": Contains("Fires only with >= 10 slices in 1h."),
            "alert SLOMetricsAbsent": {
                # The gauge's selector: absent() of the expression is blind to `... or vector(0)` (issue 17.1).
                "expr": 'absent(availability_percent{site="a"})',
                "for": "15m",
                "labels": _labels("ts", severity="ticket"),
            },
        },
    ),
    Case(
        "time-slices-less-than-default-slice",
        """
        metadata: {name: tl, service: t}
        spec:
          description: d
          objective: 99.9
          window: 28d
          indicator:
            threshold:
              operator: "<"
              value: 0.25
              prometheus:
                gauge: max(queue_lag_seconds)
        """,
        {
            "interval": "1m",
            "record slo:sli_slice:bad": "max((max(queue_lag_seconds)) >= bool 0.25)",
            # 28d: 2% in 1h is 13.44x.
            "alert SLOBurnRatePage 1h/5m": {
                "expr": _burn("tl", "1h", "5m", "13.43999998656"),
                "for": "2m",
                "labels": _labels("tl", long_window="1h", severity="page", short_window="5m"),
            },
            "ratio windows": ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "28d"],
        },
    ),
    Case(
        "latency-histogram-bucket-250ms",
        """
        metadata: {name: lt, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            latency:
              threshold: 250ms
              prometheus:
                histogram: req_seconds{job="x"}
                buckets: [0.1, 0.25, 1]
        """,
        {
            "record slo:sli_bad:rate5m": 'clamp_min((sum(rate(req_seconds_count{job="x"}[5m])) or vector(0))'
            ' - (sum(rate(req_seconds_bucket{job="x",le="0.25"}[5m])) or vector(0)), 0)',
            "record slo:sli_total:rate5m": '(sum(rate(req_seconds_count{job="x"}[5m])) or vector(0))',
            "alert SLOMetricsAbsent": {
                "expr": 'absent(req_seconds_count{job="x"})',
                "for": "15m",
                "labels": _labels("lt", severity="ticket"),
            },
        },
    ),
    Case(
        "latency-histogram-whole-second-bucket",
        """
        metadata: {name: l1, service: t}
        spec:
          description: d
          objective: 95
          indicator:
            latency:
              threshold: 1s
              prometheus:
                histogram: req_seconds
                buckets: [0.5, 1, 2.5]
        """,
        {
            # Clients write the 1s bound as "1" (Go text format) or "1.0" (OpenMetrics, client_python).
            "record slo:sli_bad:rate5m": "clamp_min((sum(rate(req_seconds_count[5m])) or vector(0))"
            ' - (sum(rate(req_seconds_bucket{le=~"1|1\\\\.0"}[5m])) or vector(0)), 0)',
            "record slo:error_budget:ratio": "vector(0.05)",
        },
    ),
    Case(
        "latency-native-histogram-any-threshold",
        """
        metadata: {name: ln, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            latency:
              threshold: 300ms
              prometheus:
                histogram: req_seconds{job="x"}
                native: true
          alerting:
            page:
              windows: [{long: 1h, short: 1m, budgetPercent: 2}]
        """,
        {
            # Slow = the fraction above the threshold x the count; no requests: no sample (not NaN), so 0.
            "record slo:sli_bad:rate5m": '(histogram_fraction(0.3, +Inf, sum(rate(req_seconds{job="x"}[5m])))'
            ' * (histogram_count(sum(rate(req_seconds{job="x"}[5m]))) > 0) or vector(0))',
            "record slo:sli_total:rate5m": '(histogram_count(sum(rate(req_seconds{job="x"}[5m]))) or vector(0))',
            # A short window under 5m reads the native series over its own range, like any raw series.
            "record slo:sli_bad:rate1m": '(histogram_fraction(0.3, +Inf, sum(rate(req_seconds{job="x"}[1m])))'
            ' * (histogram_count(sum(rate(req_seconds{job="x"}[1m]))) > 0) or vector(0))',
            "record slo:sli_total:rate1m": '(histogram_count(sum(rate(req_seconds{job="x"}[1m]))) or vector(0))',
            # Downstream of the base rates nothing differs from a classic histogram.
            "record slo:sli_events:count1h": 'avg_over_time(slo:sli_total:rate5m{slo="ln"}[1h]) * 3600',
            # The native series is the family name itself: no _count to go missing.
            "alert SLOMetricsAbsent": {
                "expr": 'absent(req_seconds{job="x"})',
                "for": "15m",
                "labels": _labels("ln", severity="ticket"),
            },
        },
    ),
    Case(
        "latency-native-histogram-grouped",
        """
        metadata: {name: lg, service: t}
        spec:
          description: d
          objective: 99.5
          indicator:
            groupBy: [handler, method]
            latency:
              threshold: 1.5s
              prometheus:
                histogram: req_seconds
                native: true
        """,
        {
            "record slo:sli_total:rate5m": "histogram_count(sum by (handler, method) (rate(req_seconds[5m])))",
            # A group with requests but none slow, or none at all, reads 0 from its recorded total.
            "record slo:sli_bad:rate5m": "(histogram_fraction(1.5, +Inf, sum by (handler, method) "
            "(rate(req_seconds[5m]))) * (histogram_count(sum by (handler, method) (rate(req_seconds[5m]))) > 0)"
            ' or on(handler, method) slo:sli_total:rate5m{slo="lg"} * 0)',
        },
    ),
    Case(
        "labels-merge-over-defaults",
        """
        metadata: {name: lb, service: t, labels: {env: staging, tier: "1"}}
        spec:
          description: d
          objective: 99
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
        """,
        {
            "labels slo:sli_total:rate5m": _labels("lb", env="staging", team="platform", tier="1"),
            "labels slo:error_budget_remaining:ratio": _labels("lb", env="staging", team="platform", tier="1"),
            "alert SLOBurnRatePage 1h/5m": {
                "expr": _burn("lb", "1h", "5m", "14.3999999856"),
                "for": "2m",
                "labels": {
                    **_labels("lb", env="staging", team="platform", tier="1"),
                    "long_window": "1h",
                    "severity": "page",
                    "short_window": "5m",
                },
            },
        },
        defaults="labels: {team: platform, env: prod}\n",
    ),
    Case(
        "runbook-and-dashboard-links",
        """
        metadata: {name: ln, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
        """,
        {
            "annotation SLOBurnRatePage 1h/5m runbook_url": "https://git.example.com/acme/sre/blob/main/runbooks/ln.md#page",
            "annotation SLOBurnRateTicket 1d/2h runbook_url": "https://git.example.com/acme/sre/blob/main/runbooks/ln.md"
            "#ticket",
            "annotation SLOMetricsAbsent runbook_url": "https://git.example.com/acme/sre/blob/main/runbooks/ln.md"
            "#metrics-absent",
            "annotation SLOBurnRatePage 1h/5m dashboard_url": "https://grafana.example.com/d/slo-t",
        },
        defaults="""
        runbookBaseUrl: https://git.example.com/acme/sre/blob/main/
        dashboardBaseUrl: https://grafana.example.com/d/slo-
        """,
    ),
    Case(
        "runbook-base-ending-in-runbooks",
        """
        metadata: {name: rb, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
        """,
        {"annotation SLOBurnRatePage 6h/30m runbook_url": "https://wiki.example.com/runbooks/rb.md#page"},
        defaults="runbookBaseUrl: https://wiki.example.com/runbooks/\n",
    ),
    Case(
        "owner-is-shown-in-alerts",
        """
        metadata: {name: ow, service: t, owner: team-payments}
        spec:
          description: d
          objective: 99
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
        """,
        {"alert text SLOBurnRatePage 1h/5m": Contains("team-payments")},
    ),
    Case(
        "alerting-name-owner-free-labels-and-annotations",
        """
        metadata: {name: co, service: t, owner: team-payments}
        spec:
          description: d
          objective: 99.9
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
          alerting:
            name: CheckoutAvailability
            labels: {category: availability, chat: "{{ .Labels.x }}"}
            annotations: {playbook: "see {{ wiki }}"}
            page:
              labels: {routing: payments-pager}
              annotations: {escalation: call Ann}
            ticket:
              annotations: {playbook: ticket playbook}
        """,
        {
            "alerts": [
                "CheckoutAvailabilityPage 1h/5m",
                "CheckoutAvailabilityPage 6h/30m",
                "CheckoutAvailabilityTicket 1d/2h",
                "CheckoutAvailabilityTicket 3d/6h",
                "CheckoutAvailabilityMetricsAbsent",
            ],
            # Spec text is data: `{{` reaches Prometheus' template expansion as a literal.
            "alert CheckoutAvailabilityPage 1h/5m": {
                "expr": _burn("co", "1h", "5m", "14.3999999856"),
                "for": "2m",
                "labels": _labels(
                    "co",
                    owner="team-payments",
                    category="availability",
                    chat='{{ "{{" }} .Labels.x }}',
                    routing="payments-pager",
                    long_window="1h",
                    severity="page",
                    short_window="5m",
                ),
            },
            "alert CheckoutAvailabilityTicket 1d/2h": {
                "expr": _burn("co", "1d", "2h", "2.999999997"),
                "for": "15m",
                "labels": _labels(
                    "co",
                    owner="team-payments",
                    category="availability",
                    chat='{{ "{{" }} .Labels.x }}',
                    long_window="1d",
                    severity="ticket",
                    short_window="2h",
                ),
            },
            "alert CheckoutAvailabilityMetricsAbsent": {
                "expr": 'absent(all_total{job="x"})',
                "for": "15m",
                "labels": _labels(
                    "co",
                    owner="team-payments",
                    category="availability",
                    chat='{{ "{{" }} .Labels.x }}',
                    severity="ticket",
                ),
            },
            "annotation CheckoutAvailabilityPage 1h/5m playbook": 'see {{ "{{" }} wiki }}',
            "annotation CheckoutAvailabilityPage 1h/5m escalation": "call Ann",
            "annotation CheckoutAvailabilityTicket 3d/6h playbook": "ticket playbook",
            "annotation CheckoutAvailabilityMetricsAbsent playbook": "ticket playbook",
        },
    ),
    Case(
        "28d-text-rounded-no-guard-clause-no-dashboard-link",
        """
        metadata: {name: r, service: t}
        spec:
          description: d
          objective: 99.9
          window: 28d
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
        """,
        {
            "annotation SLOBurnRateTicket 3d/6h summary": "r: error budget burning 0.9333x too fast over 3d and 6h",
            # No minEvents: no "Fires only with >= 0 events" clause. No dashboardBaseUrl: no dashboard link.
            "annotation SLOBurnRateTicket 3d/6h description": "r (t) burns its error budget at "
            '{{ $value | printf "%.2f" }}x the sustainable rate over 3d (and over 6h); '
            "threshold 0.9333x, i.e. 10% of the 28d budget within 3d. Objective 99.9%: d",
            "annotation keys SLOBurnRatePage 1h/5m": ["summary", "description", "runbook_url"],
            "annotation keys SLOMetricsAbsent": ["summary", "description", "runbook_url"],
        },
    ),
    Case(
        "expression-source-bad-events",
        # Sloth-style PromQL that is no plain sum of selectors: recorded at 5m (and the 1m fast pair's
        # window), each reduced with sum() and 0 when empty; everything longer derives as for selectors.
        """
        metadata: {name: ex, service: t}
        spec:
          description: d
          objective: 99.9
          indicator:
            ratio:
              prometheus:
                expression:
                  bad: sum(rate(req_total{code=~"5.."}[{{.window}}])) - sum(rate(req_total{code="503"}[{{.window}}]))
                  total: sum(rate(req_total[{{.window}}]))  # all of them
          alerting:
            minEvents: 50
            page:
              windows:
                - {long: 1h, short: 1m, budgetPercent: 2}
        """,
        {
            "record slo:sli_bad:rate5m": '(sum(sum(rate(req_total{code=~"5.."}[5m])) - '
            'sum(rate(req_total{code="503"}[5m]))) or vector(0))',
            "record slo:sli_total:rate5m": "(sum(sum(rate(req_total[5m]))) or vector(0))",
            "record slo:sli_bad:rate1m": '(sum(sum(rate(req_total{code=~"5.."}[1m])) - '
            'sum(rate(req_total{code="503"}[1m]))) or vector(0))',
            "record slo:sli_total:rate1m": "(sum(sum(rate(req_total[1m]))) or vector(0))",
            "record slo:sli_events:count1h": 'avg_over_time(slo:sli_total:rate5m{slo="ex"}[1h]) * 3600',
            "record slo:sli_error:ratio_rate1h": 'clamp_max(avg_over_time(slo:sli_bad:rate5m{slo="ex"}[1h]) * 3600 / '
            '(slo:sli_events:count1h{slo="ex"} > 0), 1) or slo:sli_events:count1h{slo="ex"} * 0',
            "alert SLOBurnRatePage 1h/1m": {
                "expr": _burn("ex", "1h", "1m", "14.3999999856", 'slo:sli_events:count1h{slo="ex"} >= 50'),
                "for": "2m",
                "labels": _labels("ex", long_window="1h", severity="page", short_window="1m"),
            },
            "alert SLOMetricsAbsent": {
                "expr": "absent(req_total)",
                "for": "15m",
                "labels": _labels("ex", severity="ticket"),
            },
        },
    ),
    Case(
        "expression-source-good-events",
        """
        metadata: {name: eg, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            ratio:
              prometheus:
                expression:
                  good: sum(increase(ok_total[{{.window}}])) / 300
                  total: sum by (job) (rate(all_total[{{.window}}]))
        """,
        {
            "record slo:sli_bad:rate5m": "clamp_min((sum(sum by (job) (rate(all_total[5m]))) or vector(0)) - "
            "(sum(sum(increase(ok_total[5m])) / 300) or vector(0)), 0)",
            "record slo:sli_total:rate5m": "(sum(sum by (job) (rate(all_total[5m]))) or vector(0))",
            "alert SLOMetricsAbsent": {
                "expr": "absent(all_total)",
                "for": "15m",
                "labels": _labels("eg", severity="ticket"),
            },
        },
    ),
    Case(
        "error-ratio-source-is-averaged",
        # No event counts: the 5m ratio is the bad "rate" and 1 the total while it exists, so every
        # window averages the ratio over time; no low-traffic guard (a defaults.yaml pair's minEvents
        # is not applied), and the text says the ratios are approximate.
        """
        metadata: {name: er, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            ratio:
              prometheus:
                errorRatio: sum(rate(err_total[{{.window}}])) / sum(rate(req_total[{{.window}}]))
        """,
        {
            "record slo:sli_bad:rate5m": "clamp_max(avg(sum(rate(err_total[5m])) / sum(rate(req_total[5m]))) >= 0, 1)",
            "record slo:sli_total:rate5m": 'slo:sli_bad:rate5m{slo="er"} * 0 + 1',
            "record slo:sli_events:count1h": 'avg_over_time(slo:sli_total:rate5m{slo="er"}[1h]) * 3600',
            "record slo:sli_error:ratio_rate1h": 'clamp_max(avg_over_time(slo:sli_bad:rate5m{slo="er"}[1h]) * 3600 / '
            '(slo:sli_events:count1h{slo="er"} > 0), 1) or slo:sli_events:count1h{slo="er"} * 0',
            "record slo:sli_bad:rate5m_avg4m": 'avg_over_time(slo:sli_bad:rate5m{slo="er"}[4m])',
            "alert SLOBurnRatePage 1h/5m": {
                "expr": _burn("er", "1h", "5m", "14.3999999856"),
                "for": "2m",
                "labels": _labels("er", long_window="1h", severity="page", short_window="5m"),
            },
            "annotation SLOBurnRatePage 1h/5m description": Contains(
                "budget within 1h. Error ratios approximate: average of ratios (errorRatio source). Objective 99%"
            ),
            "alert SLOMetricsAbsent": {
                "expr": "absent(err_total or req_total)",
                "for": "15m",
                "labels": _labels("er", severity="ticket"),
            },
        },
        defaults="""
        page:
          windows:
            - {long: 1h, short: 5m, budgetPercent: 2, minEvents: 100}
            - {long: 6h, short: 30m, budgetPercent: 5, minEvents: 100}
        """,
    ),
]


def _groups(doc: dict[str, Any]) -> list[dict[str, Any]]:
    main, *rollup = doc["groups"]
    assert [g["name"] for g in rollup] in ([], [f"{main['name']}-rollup"]), doc["groups"]
    return doc["groups"]


def _alert_key(rule: dict[str, Any]) -> str:
    labels = rule["labels"]
    if "long_window" not in labels:
        return rule["alert"]
    return f"{rule['alert']} {labels['long_window']}/{labels['short_window']}"


def _one(rules: list[dict[str, Any]], what: str) -> dict[str, Any]:
    found = [r for r in rules if r.get("record") == what or ("alert" in r and _alert_key(r) == what)]
    assert len(found) == 1, f"{len(found)} rules named {what!r}"
    return found[0]


def locate(doc: dict[str, Any], key: str) -> Any:
    """The part of a rule file a locator names (see the module doc)."""
    groups = _groups(doc)
    rules = [r for g in groups for r in g["rules"]]
    kind, _, rest = key.partition(" ")
    if key == "alerts":
        return [_alert_key(r) for r in rules if "alert" in r]
    if key == "ratio windows":
        prefix = "slo:sli_error:ratio_rate"
        return [r["record"].removeprefix(prefix) for r in rules if r.get("record", "").startswith(prefix)]
    if key == "interval":
        return groups[0].get("interval")
    if key == "groups":
        return [f"{g['name']} {g.get('interval', '-')}" for g in groups]
    if kind == "record":
        return _one(rules, rest)["expr"]
    if kind == "labels":
        return _one(rules, rest)["labels"]
    if kind == "alert" and rest.startswith("text "):
        rule = _one(rules, rest.removeprefix("text "))
        return " ".join([*rule["labels"].values(), *rule["annotations"].values()])
    if kind == "alert":
        return {k: v for k, v in _one(rules, rest).items() if k not in ("alert", "annotations")}
    if kind == "annotation" and rest.startswith("keys "):
        return list(_one(rules, rest.removeprefix("keys "))["annotations"])
    if kind == "annotation":
        what, _, annotation = rest.rpartition(" ")
        return _one(rules, what)["annotations"][annotation]
    raise AssertionError(f"unknown locator {key!r}")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    return generate_table(tmp_path_factory.mktemp("prom-table"), CASES)


def test_every_case_generates(generated: dict[str, Generated]) -> None:
    # Apart from test_rules, so a row marked xfail for a generator bug cannot pass by not generating.
    failed = {case_id: r.output for case_id, r in generated.items() if r.exit_code != 0}
    assert not failed


@pytest.mark.parametrize("case", params(CASES))
def test_rules(case: Case, generated: dict[str, Generated]) -> None:
    result = generated[case.id]
    assert result.exit_code == 0, result.output
    doc = result.yaml(RULES)
    actual = {key: locate(doc, key) for key in case.expect}
    assert actual == case.expect


def test_error_ratio_rule_file_says_its_ratios_are_approximate(generated: dict[str, Generated]) -> None:
    header = generated["error-ratio-source-is-averaged"].text(RULES).splitlines()[1]
    assert header == "# er: errorRatio source, its windows are approximate: average of ratios"
    assert "approximate" not in generated["expression-source-bad-events"].text(RULES)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
def test_every_rule_file_of_the_table_passes_promtool(generated: dict[str, Generated]) -> None:
    files = sorted(str(r.out / RULES) for r in generated.values() if (r.out / RULES).is_file())
    assert len(files) == len(CASES)
    proc = subprocess.run(["promtool", "check", "rules", *files], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
