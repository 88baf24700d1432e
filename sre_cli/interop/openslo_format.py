"""OpenSLO v1 vocabulary shared by the exporter and the importer: names, durations, annotations.

What OpenSLO cannot say is carried in `sre.dev/*` annotations, written by `export` and read back
by `import openslo`, so a round trip gives the same spec.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sre_cli import slomath
from sre_cli.vocabulary import number

API_VERSION = "openslo/v1"
PREFIX = "sre.dev/"
OWNER = PREFIX + "owner"
MIN_EVENTS = PREFIX + "min-events"
RUNBOOK = PREFIX + "runbook"
METRIC_TYPE = PREFIX + "metric-type"
LATENCY_THRESHOLD = PREFIX + "latency-threshold"
HISTOGRAM_BUCKETS = PREFIX + "histogram-buckets"
NATIVE_HISTOGRAM = PREFIX + "native-histogram"
CLOUDWATCH_INDICATOR = PREFIX + "cloudwatch-indicator"
SLICE = PREFIX + "slice"
TIER = PREFIX + "tier"
SHORT_WINDOW = PREFIX + "short-window"
LONG_WINDOW = PREFIX + "long-window"
BUDGET_PERCENT = PREFIX + "budget-percent"
FOR = PREFIX + "for"
ALERTMANAGER_RECEIVER = PREFIX + "alertmanager-receiver"
SNS_TOPIC_ARN = PREFIX + "sns-topic-arn"
# A grouped SLO's groupBy labels (comma-separated) and maxGroups; its queries also `sum by` them.
GROUP_BY = PREFIX + "group-by"
MAX_GROUPS = PREFIX + "max-groups"
CLOUDWATCH_GROUPS = PREFIX + "cloudwatch-groups"  # JSON: label -> {dimension, values}
# How the Prometheus source gives its events when not as selectors: expression or errorRatio.
PROMETHEUS_SOURCE = PREFIX + "prometheus-source"

OPERATORS = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
OPERATORS_BACK = {v: k for k, v in OPERATORS.items()}
# Calendar windows as OpenSLO durations; the spec's month/week start at the month/week start, UTC.
CALENDAR = {"month": "1M", "week": "1w"}
CALENDAR_START = {"month": "2024-01-01 00:00:00", "week": "2024-01-01 00:00:00"}  # a Monday, a 1st
_SHORTHAND = re.compile(r"^(\d+)([mhdwMQY])$")
_SHORTHAND_SECONDS = {"m": slomath.MINUTE, "h": slomath.HOUR, "d": slomath.DAY, "w": slomath.WEEK}
# Units OpenSLO leaves to implementations; read at their usual lengths and reported as approximated.
APPROXIMATE_UNITS = {"M": 30 * slomath.DAY, "Q": 90 * slomath.DAY, "Y": 365 * slomath.DAY}


def shorthand(seconds: int) -> str | None:
    """Seconds as an OpenSLO duration (`5m`, `6h`, `30d`), or None when not whole minutes."""
    if seconds <= 0 or seconds % slomath.MINUTE:
        return None
    for unit, size in (("d", slomath.DAY), ("h", slomath.HOUR), ("m", slomath.MINUTE)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return None


def shorthand_seconds(text: object) -> tuple[int, bool] | None:
    """An OpenSLO duration in seconds, and whether that length is exact (M, Q, Y are not)."""
    m = _SHORTHAND.match(str(text)) if isinstance(text, str) else None
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    if unit in APPROXIMATE_UNITS:
        return n * APPROXIMATE_UNITS[unit], False
    return n * _SHORTHAND_SECONDS[unit], True


def split_by(series: str, group_by: Sequence[str]) -> str:
    """A series summed per group (`sum by (<groupBy>) (series)`) for a grouped SLO; as is otherwise.

    OpenSLO has no grouping: a query that keeps the group labels is how a peer tool evaluates
    the SLI per group, and how `import openslo` finds them again."""
    return f"sum by ({', '.join(group_by)}) ({series})" if group_by else series


def native_histogram_queries(histogram: str, threshold: float, group_by: Sequence[str] = ()) -> tuple[str, str]:
    """(bad, total) queries of a latency SLI over a native histogram, as OpenSLO counters.

    OpenSLO has no native histograms: its Prometheus source is a query over counters. The native
    series' count and its requests above the threshold are such counters (cumulative, growing with
    each request), so a tool reading the export gets the right ratio from their increase; the
    histogram itself goes into `NATIVE_HISTOGRAM` so `import openslo` gives the spec back.
    """
    histogram = split_by(histogram, group_by)
    total = f"histogram_count({histogram})"
    return f"histogram_fraction({number(threshold)}, +Inf, {histogram}) * {total}", total
