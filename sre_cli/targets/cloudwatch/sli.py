"""An SLO's SLI as CloudWatch metric math, and how a burn window becomes alarm periods.

Shared by the alarm and dashboard generators so the burn-rate expression exists once.

Burn rate as metric math
------------------------
Event-based SLIs (ratio, latency) become, per datapoint of `Period` seconds:

    total = FILL(t1, 0) + ...            sparse counts (e.g. 5XX) have no datapoint when zero
    bad   = FILL(b1, 0) + ...            or: total - good
    burn  = IF(total >= N, bad / total / (1 - objective), 0)      N = low-traffic guard, >= 1

so a datapoint with no (or too little) traffic burns 0 instead of dividing by zero, and the
alarm threshold is the tier's burn factor (`BurnWindow.factor`), never a hard-coded number.
Latency uses the percentile-rank statistic: good = PR(:threshold) / 100 * SampleCount of the
latency metric. Step Functions success is a ratio whose bad and total lists name the four
`AWS/States` outcome metrics; a metric named in both lists is fetched once (the API allows at
most 10 metrics per alarm).

Time slices (threshold indicators) are compared per period: `slice_burn = IF(gauge <op> value,
0, 1 / (1 - objective))` with `Period` = the slice, so a bad slice burns 1/budget and a good one
0. A window of n slices burns at or over `factor` exactly when at least factor x budget x n
slices are bad, which is an M-of-N alarm: EvaluationPeriods = n, DatapointsToAlarm =
ceil(factor x budget x n). Missing gauge datapoints are neither good nor bad (TreatMissingData
"missing", see `alarms.missing_data_treatment`); the metrics-absent alarm tickets the silence.
The spec's minEvents (fewest slices) cannot be expressed in an M-of-N alarm and is not applied.

Windows the API cannot express directly (documented fallback)
------------------------------------------------------------
CloudWatch accepts Period 10, 20, 30 or a multiple of 60 up to 1 day, and Period x
EvaluationPeriods <= 7 days (<= 1 day when Period < 1 hour). A window that is itself a legal
period (5m .. 1d) is one datapoint: the ratio of sums over exactly that window.

A longer event window (the ticket tier's 3d) cannot be one datapoint, and metric math has no
windowed sum an alarm can use. It is split into n sub-periods of the largest legal period that
divides it (3d -> 3 x 1d) with EvaluationPeriods = DatapointsToAlarm = n: the alarm fires when
*every* sub-period burns at or over the factor. Since a ratio of sums lies between the smallest
and largest sub-period ratio, this never fires when the true window burn is below the factor (no
false tickets), but it can miss a burn concentrated in fewer than n sub-periods; the tier's
faster pair (1d/2h) still catches a concentrated burn. The low-traffic guard is spread the same
way: ceil(minEvents / n) events per sub-period. A pair shorter than an hour (a 5m outage pair)
is guarded over its own long window here, since every metric of an alarm shares one Period;
the Prometheus rules and the report guard it over the last hour (`slomath.guard_window`), so
CloudWatch is the stricter of the two for such a pair.

A time-slice window whose n slices exceed the Period x EvaluationPeriods ceiling (3d of 1m
slices: 4320 datapoints of 1m > 1 day) takes the same all-of-n fallback as event windows, with
the bad-slice share of each sub-period read from the percentile-rank statistic of the gauge:
good share = PR(:value) / 100 of its samples (operator <= or <), or 1 - that (> or >=). That is
exact for a gauge published once per slice; at a sample exactly equal to the value it counts
`<` and `>=` slightly wrong (PR ranges include their upper bound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from sre_cli import slomath
from sre_cli.slospec.document import CloudWatchMetric
from sre_cli.slospec.model import Slo
from sre_cli.vocabulary import filled_sum, latency_rank, math_expression, metric_stat, number, percentile_rank

HIGH_RESOLUTION_PERIODS = (10, 20, 30)
MAX_ALARM_PERIOD = slomath.DAY
MAX_METRICS_PER_ALARM = 10


def legal_period(seconds: int) -> bool:
    """Whether CloudWatch accepts `seconds` as an alarm Period."""
    return seconds in HIGH_RESOLUTION_PERIODS or (seconds % 60 == 0 and 60 <= seconds <= MAX_ALARM_PERIOD)


def evaluation_ceiling(period: int) -> int:
    """Longest Period x EvaluationPeriods CloudWatch accepts for this Period."""
    return slomath.DAY if period < slomath.HOUR else slomath.WEEK


@cache
def _legal_periods() -> tuple[int, ...]:
    return (*HIGH_RESOLUTION_PERIODS, *range(60, MAX_ALARM_PERIOD + 1, 60))


@dataclass(frozen=True)
class AlarmWindow:
    """How one burn window is evaluated: `evaluation_periods` datapoints of `period` seconds."""

    window: int
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int

    @property
    def exact(self) -> bool:
        return self.evaluation_periods == 1


@cache  # thousands of alarms and widgets ask for the same few plans
def event_window(window: int) -> AlarmWindow:
    """One datapoint over the whole window when the API allows it, else the all-of-n fallback."""
    if legal_period(window):
        return AlarmWindow(window, window, 1, 1)
    for period in sorted(_legal_periods(), reverse=True):
        if period < window and window % period == 0 and window <= evaluation_ceiling(period):
            n = window // period
            return AlarmWindow(window, period, n, n)
    raise ValueError(
        f"a {slomath.format_duration(window)} burn window cannot be alarmed on: CloudWatch evaluates at most "
        "7 days (Period x EvaluationPeriods) with Periods of 10s, 20s, 30s or whole minutes up to 1d"
    )


@cache
def timeslice_window(window: int, slice_seconds: int, factor: float, budget: float) -> AlarmWindow:
    """The M-of-N encoding of "at least factor x budget of the window's slices are bad".

    Falls back to `event_window` (bad-slice share per sub-period) when n slices do not fit.
    """
    if not (
        legal_period(slice_seconds) and window % slice_seconds == 0 and window <= evaluation_ceiling(slice_seconds)
    ):
        return event_window(window)
    n = window // slice_seconds
    # round() first: 14.4 x 0.01 x 60 must be 8.64, not 8.640000000000001 or 8.639999999.
    allowed_bad = round(factor * budget * n, 9)
    needed = max(1, math.ceil(allowed_bad))
    if needed > n:
        raise ValueError(
            f"burn factor {factor:g} over {slomath.format_duration(window)} needs at least {allowed_bad:g} of "
            f"{n} slices bad, which can never happen: lower the tier's budget share or raise the objective"
        )
    return AlarmWindow(window, slice_seconds, n, needed)


def counts_slices(slo: Slo, plan: AlarmWindow) -> bool:
    """Whether an alarm of a threshold SLO compares slice by slice (else: bad-slice share per period)."""
    t = slo.indicator.threshold
    return t is not None and plan.period == t.slice_seconds


def budget_literal(slo: Slo) -> str:
    return number(slomath.error_budget(slo.objective))


class _MetricIds:
    """Assigns m0, m1, ... to distinct (metric, statistic) pairs so a shared metric is fetched once."""

    def __init__(self, period: int):
        self.period = period
        self.queries: list[dict[str, Any]] = []
        self._ids: dict[tuple[Any, ...], str] = {}

    def id_for(self, metric: CloudWatchMetric, stat: str) -> str:
        dimensions = tuple(sorted(metric.dimensions.items()))
        key = (metric.namespace, metric.metric_name, dimensions, stat)
        if key not in self._ids:
            qid = f"m{len(self._ids)}"
            self._ids[key] = qid
            self.queries.append(metric_stat(qid, metric, self.period, stat))
        return self._ids[key]


def event_queries(slo: Slo, period: int) -> tuple[_MetricIds, list[dict[str, Any]]]:
    """MetricStats plus `total` and `bad` expressions of an event-based SLI."""
    ids = _MetricIds(period)
    ind = slo.indicator
    if ind.ratio is not None and ind.ratio.cloudwatch is not None:
        src = ind.ratio.cloudwatch
        total_ids = [ids.id_for(m, m.statistic) for m in src.total]
        exprs = [math_expression("total", filled_sum(total_ids), "events")]
        if src.bad is not None:
            bad_ids = [ids.id_for(m, m.statistic) for m in src.bad]
            exprs.append(math_expression("bad", filled_sum(bad_ids), "bad events"))
        else:
            good_ids = [ids.id_for(m, m.statistic) for m in src.good or []]
            exprs.append(math_expression("good", filled_sum(good_ids), "good events"))
            exprs.append(math_expression("bad", "total - good", "bad events"))
        return ids, exprs
    if ind.latency is not None and ind.latency.cloudwatch is not None:
        metric = ind.latency.cloudwatch.metric
        threshold = number(ind.latency.threshold_seconds)
        count_id = ids.id_for(metric, "SampleCount")
        rank_id = ids.id_for(metric, latency_rank(ind.latency))
        return ids, [
            math_expression("total", f"FILL({count_id}, 0)", "requests"),
            math_expression("good", f"FILL({rank_id}, 0) / 100 * total", f"requests <= {threshold}s"),
            math_expression("bad", "total - good", f"requests > {threshold}s"),
        ]
    raise ValueError(f"{slo.name}: no CloudWatch ratio or latency source")


def event_burn_queries(slo: Slo, period: int, min_events: int) -> list[dict[str, Any]]:
    """The Metrics array of a burn-rate alarm over event counts (ReturnData on `burn`)."""
    ids, exprs = event_queries(slo, period)
    guard = f"total >= {min_events}" if min_events > 0 else "total > 0"
    burn = math_expression("burn", f"IF({guard}, bad / total / {budget_literal(slo)}, 0)", "burn rate", True)
    return [*ids.queries, *exprs, burn]


def slice_queries(slo: Slo, period: int) -> tuple[_MetricIds, str]:
    """The gauge MetricStat and the condition text under which a slice is good."""
    t = slo.indicator.threshold
    if t is None or t.cloudwatch is None:
        raise ValueError(f"{slo.name}: no CloudWatch threshold source")
    ids = _MetricIds(period)
    gauge = ids.id_for(t.cloudwatch.metric, t.cloudwatch.metric.statistic)
    # The spec's comparison operators are spelt the same in metric math.
    return ids, f"{gauge} {t.operator} {number(t.value)}"


def slice_burn_queries(slo: Slo, period: int) -> list[dict[str, Any]]:
    """The Metrics array of a time-slice alarm: each datapoint burns 0 (good) or 1/budget (bad)."""
    ids, good = slice_queries(slo, period)
    budget = budget_literal(slo)
    burn = math_expression("burn", f"IF({good}, 0, 1 / {budget})", "slice burn rate", True)
    return [*ids.queries, burn]


def slice_share_rank(value: float) -> str:
    """The percentile rank the bad-slice share is read from; CloudWatch ranks no negative values."""
    if value < 0:
        raise ValueError(
            f"CloudWatch reads the share of bad slices from the percentile rank {percentile_rank(value)} (the "
            "dashboards' burn graphs, and alarms over windows longer than one slice per datapoint allows), and "
            "CloudWatch percentiles do not take negative values; use a value of 0 or more"
        )
    return percentile_rank(value)


def slice_share_burn_queries(slo: Slo, period: int) -> list[dict[str, Any]]:
    """Burn of the bad-slice share within each period, from the gauge's percentile rank (fallback)."""
    t = slo.indicator.threshold
    if t is None or t.cloudwatch is None:
        raise ValueError(f"{slo.name}: no CloudWatch threshold source")
    ids = _MetricIds(period)
    count_id = ids.id_for(t.cloudwatch.metric, "SampleCount")
    rank_id = ids.id_for(t.cloudwatch.metric, slice_share_rank(t.value))
    at_or_below = f"FILL({rank_id}, 0) / 100 * total"
    good = at_or_below if t.operator in ("<", "<=") else f"total - {at_or_below}"
    return [
        *ids.queries,
        math_expression("total", f"FILL({count_id}, 0)", "slices"),
        math_expression("good", good, "good slices"),
        math_expression("bad", "total - good", "bad slices"),
        math_expression("burn", f"IF(total > 0, bad / total / {budget_literal(slo)}, 0)", "burn rate", True),
    ]


def has_cloudwatch(slo: Slo) -> bool:
    return slo.indicator.body.cloudwatch is not None


def is_timeslice(slo: Slo) -> bool:
    return slo.indicator.threshold is not None


def source_metrics(slo: Slo) -> list[CloudWatchMetric]:
    """Metrics whose silence leaves the SLI blind: all events, or the gauge (as in Prometheus)."""
    ind = slo.indicator
    if ind.ratio is not None and ind.ratio.cloudwatch is not None:
        return list(ind.ratio.cloudwatch.total)
    if ind.latency is not None and ind.latency.cloudwatch is not None:
        return [ind.latency.cloudwatch.metric]
    if ind.threshold is not None and ind.threshold.cloudwatch is not None:
        return [ind.threshold.cloudwatch.metric]
    return []


def source_names(slo: Slo) -> list[str]:
    return list(dict.fromkeys(f"{m.namespace} {m.metric_name}" for m in source_metrics(slo)))


def count_queries(metrics: list[CloudWatchMetric], period: int) -> list[dict[str, Any]]:
    """Datapoints published per period by these metrics together (ReturnData on `reported`)."""
    ids = _MetricIds(period)
    counted = [ids.id_for(m, "SampleCount") for m in metrics]
    return [*ids.queries, math_expression("reported", filled_sum(counted), "source datapoints", True)]
