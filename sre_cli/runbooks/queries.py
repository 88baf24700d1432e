"""Queries an on-call engineer pastes: PromQL and `aws cloudwatch get-metric-data` command lines.

Built from the spec's raw sources (not from recording rules) so they work even when the rules are
broken or not loaded, which is exactly when someone is reading a runbook. Pure string building.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sre_cli import slomath
from sre_cli.promql_selectors import histogram_series, threshold_bucket_series
from sre_cli.slospec import document
from sre_cli.slospec.document import selector_list
from sre_cli.slospec.model import Slo
from sre_cli.targets.prometheus import sli

_JOB_RE = re.compile(r"\bjob\s*=\s*\"([^\"]+)\"")
# A slice is bad when the good condition does not hold.
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def number(value: float) -> str:
    """A float as PromQL and metric math read it: 900.0 -> 900, 0.001 -> 0.001."""
    return f"{round(value, 12):.12g}"


def error_budget_text(slo: Slo) -> str:
    return number(slomath.error_budget(slo.objective))


def _events(selectors: str | list[str], window: str, metric_type: str, sparse: bool = False) -> str:
    """Events of all selectors over `window`; sparse series (errors) count 0 when absent."""
    fn = "sum_over_time" if metric_type == "periodSum" else "rate"
    terms = [f"sum({fn}({s}[{window}]))" for s in selector_list(selectors)]
    if len(terms) == 1 and not sparse:
        return terms[0]
    # Summed per selector: one sum over several names would collide once the names are dropped.
    return "\n  + ".join(f"({t} or vector(0))" for t in terms)


def promql_error_ratio(slo: Slo, window: str) -> str:
    """Share of bad events (or bad slices) over `window`, straight from the raw series."""
    ind = slo.indicator
    if ind.ratio is not None and ind.ratio.prometheus is not None:
        src = ind.ratio.prometheus
        total = _events(src.total, window, src.metric_type)
        if len(selector_list(src.total)) > 1:
            total = f"({total})"
        if src.bad is not None:
            bad = _events(src.bad, window, src.metric_type, sparse=True)
            return f"({bad})\n/\n{total}" if len(selector_list(src.bad)) > 1 else f"{bad}\n/\n{total}"
        good = _events(src.good or [], window, src.metric_type)
        if len(selector_list(src.good)) > 1:
            good = f"({good})"
        return f"1 - (\n  {good}\n  /\n  {total}\n)"
    if ind.latency is not None and ind.latency.prometheus is not None:
        hist = ind.latency.prometheus
        bucket = threshold_bucket_series(hist.histogram, ind.latency.threshold_seconds, hist.buckets)
        fast = f"sum(rate({bucket}[{window}]))"
        return f"1 - (\n  {fast}\n  /\n  sum(rate({histogram_series(hist.histogram, '_count')}[{window}]))\n)"
    if ind.threshold is not None and ind.threshold.prometheus is not None:
        th = ind.threshold
        bad = f"{th.prometheus.gauge} {_NEGATED[th.operator]} bool {number(th.value)}"
        return f"avg_over_time(\n  ({bad})[{window}:{th.slice}]\n)"
    raise ValueError(f"{slo.name}: no prometheus source")


def promql_burn_rate(slo: Slo, window: str) -> str:
    return f"(\n{_indent(promql_error_ratio(slo, window))}\n) / {error_budget_text(slo)}"


def promql_budget_remaining(slo: Slo) -> str:
    window = slomath.format_duration(slo.window_seconds)
    return f"1 - (\n{_indent(promql_error_ratio(slo, window))}\n) / {error_budget_text(slo)}"


def promql_presence(slo: Slo) -> list[str]:
    """`absent(...)` of each source series the SLOMetricsAbsent alert watches (one line per series,
    so on-call sees which is gone): 1 means the alerts are blind. Bad-event series are not among
    them: they legitimately do not exist until the first error."""
    return [f"absent({s})" for s in dict.fromkeys(sli.source_series(slo))]


def promql_contributors(slo: Slo) -> list[str]:
    """Which label sets carry the bad (or all) events right now; one query per selector."""
    ind = slo.indicator
    if ind.ratio is not None and ind.ratio.prometheus is not None:
        src = ind.ratio.prometheus
        fn = "sum_over_time" if src.metric_type == "periodSum" else "rate"
        window = "1h" if src.metric_type == "periodSum" else "5m"
        return [
            f"topk(10, sum without (instance, pod) ({fn}({s}[{window}])))" for s in selector_list(src.bad or src.total)
        ]
    if ind.latency is not None and ind.latency.prometheus is not None:
        hist = histogram_series(ind.latency.prometheus.histogram, "_bucket")
        return [f"histogram_quantile(0.95, sum by (le) (rate({hist}[5m])))"]
    if ind.threshold is not None and ind.threshold.prometheus is not None:
        return [ind.threshold.prometheus.gauge]
    return []


def scrape_jobs(slo: Slo) -> list[str]:
    """Scrape jobs named in the selectors, for `up{job=...}` checks."""
    ind = slo.indicator
    src = ind.body.prometheus
    if src is None:
        return []
    return sorted(set(_JOB_RE.findall(json.dumps(src.model_dump()))))


def _indent(text: str, by: str = "  ") -> str:
    return "\n".join(by + line for line in text.splitlines())


# ---- CloudWatch ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CloudWatchQuery:
    """One `aws cloudwatch get-metric-data` call: what it shows and the command to paste."""

    title: str
    lookback: str  # GNU date offset, e.g. "6 hours"
    period: int
    queries: list[dict[str, Any]]
    jmespath: str

    def command(self) -> str:
        # One query per line: short enough to read, still valid JSON to paste.
        payload = "[\n" + ",\n".join("  " + json.dumps(q) for q in self.queries) + "\n]"
        return (
            f"START=$(date -u -d '-{self.lookback}' +%Y-%m-%dT%H:%M:%SZ); END=$(date -u +%Y-%m-%dT%H:%M:%SZ)\n"
            'aws cloudwatch get-metric-data --region "$AWS_REGION" --start-time "$START" --end-time "$END" \\\n'
            f'  --query "{self.jmespath}" \\\n'
            f"  --metric-data-queries '{payload}'"
        )


def _metric_stat(qid: str, metric: document.CloudWatchMetric, period: int, stat: str | None = None) -> dict[str, Any]:
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {
                "Namespace": metric.namespace,
                "MetricName": metric.metric_name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(metric.dimensions.items())],
            },
            "Period": period,
            "Stat": stat or metric.statistic,
        },
        "ReturnData": False,
    }


def _expression(qid: str, expression: str, label: str) -> dict[str, Any]:
    return {"Id": qid, "Expression": expression, "Label": label, "ReturnData": True}


def _filled_sum(ids: list[str]) -> str:
    # Sparse counts (5xx, errors) are absent, not zero, when nothing happened.
    return " + ".join(f"FILL({i}, 0)" for i in ids)


def _ratio_queries(slo: Slo, src: document.CloudWatchRatioSource, period: int) -> list[dict[str, Any]]:
    counted = src.bad or src.good or []
    prefix = "bad" if src.bad else "good"
    part_ids = [f"{prefix}{i}" for i in range(len(counted))]
    total_ids = [f"total{i}" for i in range(len(src.total))]
    queries = [_metric_stat(q, m, period) for q, m in zip(part_ids, counted, strict=True)]
    queries += [_metric_stat(q, m, period) for q, m in zip(total_ids, src.total, strict=True)]
    ratio = f"({_filled_sum(part_ids)}) / ({_filled_sum(total_ids)})"
    expression = ratio if src.bad else f"1 - {ratio}"
    return [*queries, _expression("error_ratio", expression, "error ratio")]


def cloudwatch_error_ratio(slo: Slo, period: int) -> list[dict[str, Any]]:
    """Metric math for the error ratio (bad slices share for threshold SLIs) per `period`."""
    ind = slo.indicator
    if ind.ratio is not None and ind.ratio.cloudwatch is not None:
        return _ratio_queries(slo, ind.ratio.cloudwatch, period)
    if ind.latency is not None and ind.latency.cloudwatch is not None:
        metric = ind.latency.cloudwatch.metric
        rank = f"PR(:{number(ind.latency.threshold_seconds)})"
        return [
            _metric_stat("fast_percent", metric, period, rank),
            _expression("error_ratio", "1 - fast_percent / 100", f"share slower than {ind.latency.threshold}"),
        ]
    if ind.threshold is not None and ind.threshold.cloudwatch is not None:
        th = ind.threshold
        op = _NEGATED[th.operator]
        return [
            _metric_stat("value", th.cloudwatch.metric, th.slice_seconds),
            _expression("bad_slice", f"IF(value {op} {number(th.value)}, 1, 0)", f"1 = bad {th.slice} slice"),
        ]
    raise ValueError(f"{slo.name}: no cloudwatch source")


def cloudwatch_queries(slo: Slo) -> list[CloudWatchQuery]:
    """The shape of the last 6 hours, and the budget spent over the whole SLO window."""
    ind = slo.indicator
    budget = error_budget_text(slo)
    days, rest = divmod(slo.window_seconds, slomath.DAY)
    lookback_window = f"{days} days" if rest == 0 else f"{slo.window_seconds} seconds"
    if ind.threshold is not None:
        slices = cloudwatch_error_ratio(slo, ind.threshold.slice_seconds)
        return [
            CloudWatchQuery(
                f"Bad {ind.threshold.slice} slices in the last hour (the page window)",
                "1 hour",
                ind.threshold.slice_seconds,
                slices,
                "MetricDataResults[?Id=='bad_slice'].Values[] | sum(@)",
            ),
            CloudWatchQuery(
                f"Per-slice values of the last 6 hours (spot the moment it crossed {number(ind.threshold.value)})",
                "6 hours",
                ind.threshold.slice_seconds,
                [{**slices[0], "ReturnData": True}],
                "MetricDataResults[0].[Timestamps, Values]",
            ),
        ]
    shape = cloudwatch_error_ratio(slo, 300)
    whole = cloudwatch_error_ratio(slo, slo.window_seconds)
    whole.append(_expression("budget_consumed", f"error_ratio / {budget}", "share of the error budget spent"))
    whole[-2] = {**whole[-2], "ReturnData": False}
    return [
        CloudWatchQuery(
            "Error ratio per 5 minutes over the last 6 hours",
            "6 hours",
            300,
            shape,
            "MetricDataResults[?Id=='error_ratio'].[Timestamps, Values]",
        ),
        CloudWatchQuery(
            f"Share of the {slo.window} error budget spent (1.0 = all of it)",
            lookback_window,
            slo.window_seconds,
            whole,
            "MetricDataResults[?Id=='budget_consumed'].Values[]",
        ),
    ]


def cloudwatch_metrics(slo: Slo) -> list[document.CloudWatchMetric]:
    body = slo.indicator.body
    src = body.cloudwatch
    if src is None:
        return []
    if isinstance(src, document.CloudWatchRatioSource):
        seen: dict[str, document.CloudWatchMetric] = {}
        for m in [*(src.good or []), *(src.bad or []), *src.total]:
            seen.setdefault(json.dumps(m.model_dump(), sort_keys=True), m)
        return list(seen.values())
    return [src.metric]


def list_metrics_command(metric: document.CloudWatchMetric) -> str:
    dims = " ".join(f"Name={k},Value={v}" for k, v in sorted(metric.dimensions.items()))
    dims_arg = f" \\\n  --dimensions {dims}" if dims else ""
    return (
        f'aws cloudwatch list-metrics --region "$AWS_REGION" --namespace {metric.namespace} '
        f"--metric-name {metric.metric_name}{dims_arg}"
    )


_REGION_RE = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):")


def aws_region(slo: Slo, defaults: document.Defaults) -> str | None:
    """The stack's region, read from the ARNs the spec and defaults already carry."""
    texts = [json.dumps(slo.indicator.model_dump())]
    texts += [t.sns_topic_arn or "" for _, t in sorted(defaults.notification_targets.items())]
    for text in texts:
        match = _REGION_RE.search(text)
        if match:
            return match.group(1)
    return None
