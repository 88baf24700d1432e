"""Queries an on-call engineer pastes: PromQL and `aws cloudwatch get-metric-data` command lines.

Built from the spec's raw sources (not from recording rules) so they work even when the rules are
broken or not loaded, which is exactly when someone is reading a runbook. Pure string building.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sre_cli import sli_sources, slomath
from sre_cli.promql_selectors import histogram_series
from sre_cli.promql_window import at_window
from sre_cli.slospec import document
from sre_cli.slospec.document import selector_list
from sre_cli.slospec.model import Slo
from sre_cli.vocabulary import (
    BAD_WHEN,
    BASE_RANGE,
    BASE_WINDOW,
    bool_comparison,
    filled_sum,
    latency_rank,
    math_expression,
    metric_stat,
    number,
)

_JOB_RE = re.compile(r"\bjob\s*=\s*\"([^\"]+)\"")


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


def _term(selectors: list[str], window: str, metric_type: str, sparse: bool = False) -> str:
    """`_events`, parenthesised when it is a sum of several selectors."""
    events = _events(selectors, window, metric_type, sparse)
    return f"({events})" if len(selectors) > 1 else events


def promql_error_ratio(slo: Slo, window: str) -> str:
    """Share of bad events (or bad slices) over `window`, straight from the raw series; an expression
    or errorRatio source's PromQL with `window` put in for `{{.window}}`."""
    if (expressions := sli_sources.event_expressions(slo)) is not None:
        total = expressions.at(expressions.total, window)
        counted = expressions.at(expressions.counted, window)
        if expressions.bad is not None:
            return f"({counted} or vector(0))\n/\n{total}"
        return f"1 - (\n  {counted}\n  /\n  {total}\n)"
    if (ratio := sli_sources.error_ratio(slo)) is not None:
        return f"avg({at_window(ratio, window)})"
    if (native := sli_sources.native_latency(slo)) is not None:
        # The share of requests above the threshold is the error ratio itself.
        return f"histogram_fraction({number(native.threshold)}, +Inf, sum(rate({native.histogram}[{window}])))"
    events = sli_sources.event_series(slo)
    if events is not None:
        total = _term(events.total, window, events.metric_type)
        if events.bad:
            return f"{_term(events.bad, window, events.metric_type, sparse=True)}\n/\n{total}"
        return f"1 - (\n  {_term(events.good, window, events.metric_type)}\n  /\n  {total}\n)"
    th = slo.indicator.threshold
    if th is not None and th.prometheus is not None:
        bad = bool_comparison(th.prometheus.gauge, BAD_WHEN[th.operator], th.value)
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
    return [f"absent({s})" for s in dict.fromkeys(sli_sources.source_series(slo))]


def promql_contributors(slo: Slo) -> list[str]:
    """Which label sets carry the bad (or all) events right now; one query per selector."""
    ind = slo.indicator
    if sli_sources.prometheus_form(slo) in ("expression", "errorRatio"):
        # PromQL of the spec's own: the series it reads, by their biggest label sets.
        return [
            f"topk(10, sum without (instance, pod) (rate({s}[{BASE_RANGE}])))" for s in sli_sources.source_series(slo)
        ]
    if ind.ratio is not None and ind.ratio.prometheus is not None:
        src = ind.ratio.prometheus
        fn = "sum_over_time" if src.metric_type == "periodSum" else "rate"
        window = "1h" if src.metric_type == "periodSum" else BASE_RANGE
        return [
            f"topk(10, sum without (instance, pod) ({fn}({s}[{window}])))" for s in selector_list(src.bad or src.total)
        ]
    if (native := sli_sources.native_latency(slo)) is not None:
        # A native histogram carries its buckets in each sample: no `le` to sum by.
        return [f"histogram_quantile({number(slo.objective)}, sum(rate({native.histogram}[{BASE_RANGE}])))"]
    if ind.latency is not None and ind.latency.prometheus is not None:
        hist = histogram_series(ind.latency.prometheus.histogram, "_bucket")
        # The quantile the SLO promises: at 99% of requests within the threshold, p99 is what to compare.
        return [f"histogram_quantile({number(slo.objective)}, sum by (le) (rate({hist}[{BASE_RANGE}])))"]
    if ind.threshold is not None and ind.threshold.prometheus is not None:
        return [ind.threshold.prometheus.gauge]
    return []


def promql_worst_groups(slo: Slo, top: int = 10) -> tuple[list[tuple[str, str]], str]:
    """A grouped SLO's worst groups first: ([(long window, topk of the burn rate over it)], bottomk of
    the budget left). From the recorded series, per group: the ones its alerts fired from (summing
    the raw series per group again would repeat the rules, fallbacks and all)."""
    from sre_cli.targets.prometheus import naming

    windows = sorted({pair.long for tier in slo.tiers for pair in tier.windows}) or [slomath.HOUR]
    burn = [(slomath.format_duration(w), f"topk({top}, {naming.selector(naming.burn_rate(w), slo)})") for w in windows]
    return burn, f"bottomk({top}, {naming.selector(naming.BUDGET_REMAINING, slo)})"


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


def _ratio_queries(slo: Slo, src: document.CloudWatchRatioSource, period: int) -> list[dict[str, Any]]:
    counted = src.bad or src.good or []
    prefix = "bad" if src.bad else "good"
    part_ids = [f"{prefix}{i}" for i in range(len(counted))]
    total_ids = [f"total{i}" for i in range(len(src.total))]
    queries = [metric_stat(q, m, period, m.statistic) for q, m in zip(part_ids, counted, strict=True)]
    queries += [metric_stat(q, m, period, m.statistic) for q, m in zip(total_ids, src.total, strict=True)]
    ratio = f"({filled_sum(part_ids)}) / ({filled_sum(total_ids)})"
    expression = ratio if src.bad else f"1 - {ratio}"
    return [*queries, math_expression("error_ratio", expression, "error ratio", True)]


def cloudwatch_error_ratio(slo: Slo, period: int) -> list[dict[str, Any]]:
    """Metric math for the error ratio (bad slices share for threshold SLIs) per `period`."""
    ind = slo.indicator
    if ind.ratio is not None and ind.ratio.cloudwatch is not None:
        return _ratio_queries(slo, ind.ratio.cloudwatch, period)
    if ind.latency is not None and ind.latency.cloudwatch is not None:
        metric = ind.latency.cloudwatch.metric
        return [
            metric_stat("fast_percent", metric, period, latency_rank(ind.latency)),
            math_expression(
                "error_ratio", "1 - fast_percent / 100", f"share slower than {ind.latency.threshold}", True
            ),
        ]
    if ind.threshold is not None and ind.threshold.cloudwatch is not None:
        th = ind.threshold
        op = BAD_WHEN[th.operator]
        return [
            metric_stat("value", th.cloudwatch.metric, th.slice_seconds, th.cloudwatch.metric.statistic),
            math_expression("bad_slice", f"IF(value {op} {number(th.value)}, 1, 0)", f"1 = bad {th.slice} slice", True),
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
    shape = cloudwatch_error_ratio(slo, BASE_WINDOW)
    whole = cloudwatch_error_ratio(slo, slo.window_seconds)
    whole.append(math_expression("budget_consumed", f"error_ratio / {budget}", "share of the error budget spent", True))
    whole[-2] = {**whole[-2], "ReturnData": False}
    return [
        CloudWatchQuery(
            f"Error ratio per {BASE_WINDOW // slomath.MINUTE} minutes over the last 6 hours",
            "6 hours",
            BASE_WINDOW,
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
