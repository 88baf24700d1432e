"""The words every generated query is written in, PromQL and CloudWatch metric math alike.

Rules, alarms, dashboards, runbooks and the report backends all spell numbers, comparisons and
the base window through this module, so one value never reads two ways in two places.

Numbers (`number`): the shortest text that reads back as the same double, in positional
notation, so a spec's 0.00001 or 0.9995 comes out as written and nothing is lost; except that the
noise binary arithmetic leaves in a derived number is dropped: 1 - 0.9995 is 0.0004999999999999449
as a double and reads 0.0005, 0.1 + 0.2 reads 0.3. A number counts as noisy when rounding it to 12
decimal places moves it by at most 1e-15 x max(1, |value|): below the resolution of the doubles
of magnitude 1 (objectives, budgets, factors) it was computed from. Positional because PromQL
reads `1e-05` and `0.00001` alike, while CloudWatch documents metric math and statistic bounds
(`PR(:0.3)`, `TM(150:1000)`) with plain decimals only.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from sre_cli.placeholders import Identity, Text
from sre_cli.promql_selectors import operand
from sre_cli.slomath import format_duration

if TYPE_CHECKING:
    from sre_cli.slospec.document import CloudWatchMetric, LatencyIndicator

# Seconds: the only window the Prometheus rules read from raw series (longer ones derive from
# it), and the resolution runbook queries show an SLI's shape at.
BASE_WINDOW = 300
BASE_RANGE = format_duration(BASE_WINDOW)
# Seconds: how often the Prometheus rules roll the 5m rates up into blocks for the long windows
# no alert reads (`targets/prometheus/rules`). Under the 5m lookback with a minute to spare, so
# what that group records never drops out of an instant query between two evaluations.
ROLLUP_INTERVAL = 240
ROLLUP_RANGE = format_duration(ROLLUP_INTERVAL)

# A threshold spec says when a slice is good (`gauge <operator> value`); a slice is bad under the
# opposite comparison, which PromQL (`>= bool`) and metric math (`IF(x >= v, 1, 0)`) spell alike.
BAD_WHEN = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
# The spec's comparisons evaluated in Python, on the datapoints the report reads.
HOLDS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

# How far float arithmetic on numbers of magnitude 1 strays: a few units in the 16th digit.
_NOISE = 1e-15


@cache  # every rule of every SLO names one of a few factors and budgets: each is written once
def number(value: float) -> str:
    """A number as PromQL and metric math text: exact, positional, arithmetic noise dropped."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{value} has no text that PromQL and CloudWatch metric math both read")
    rounded = round(value, 12)
    if rounded != 0 and abs(rounded - value) <= _NOISE * max(1.0, abs(value)):
        value = rounded
    text = format(Decimal(repr(value)).normalize(), "f")
    return "0" if text == "-0" else text


def for_people(value: float, digits: int = 4) -> str:
    """A derived number in text people read (alert summaries, descriptions): `digits` significant
    digits, so a 7d window's ticket factor reads 0.2333, not 0.23333333333333334."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return number(value) if math.isfinite(value) else str(value)
    return number(round(value, digits - 1 - math.floor(math.log10(abs(value)))))


def bool_comparison(left: str, op: str, value: float) -> str:
    """PromQL `left <op> bool value`: 1 where the comparison holds, 0 where it does not.

    `left` is a user's expression: bracketed unless its parse is one operand already, so a gauge
    `max(x) or vector(0)` is compared whole, not only its `vector(0)`.
    """
    return f"{operand(left)} {op} bool {number(value)}"


def percentile_rank(threshold: float) -> str:
    """The CloudWatch statistic `PR(:t)`: percentage of samples at or under t in a period."""
    return f"PR(:{number(threshold)})"


# `PR(:t)`: the share of samples at or under t, the one statistic that counts requests within a threshold.
_UPPER_RANK = re.compile(r"PR\(:(\d+(?:\.\d+)?)\)")


def latency_rank(latency: LatencyIndicator) -> str:
    """The statistic a CloudWatch latency SLI counts fast requests with.

    The spec's own `PR(:t)` when written (t in the metric's unit, e.g. milliseconds), else the
    threshold in seconds. Anything else is refused by validation (`latency_statistic_problem`).
    """
    assert latency.cloudwatch is not None
    written = latency.cloudwatch.metric.statistic
    # By its form, not by whether the field was set: a spec filled with --values is re-validated,
    # which sets the default too. Validation has refused every other written statistic.
    return written if _UPPER_RANK.fullmatch(written) else percentile_rank(latency.threshold_seconds)


def latency_statistic_problem(latency: LatencyIndicator) -> str | None:
    """Why the written statistic of a CloudWatch latency metric cannot express the SLI, if it cannot."""
    metric = latency.cloudwatch.metric if latency.cloudwatch else None
    if metric is None or "statistic" not in metric.model_fields_set or _UPPER_RANK.fullmatch(metric.statistic):
        return None
    return (
        f"{metric.statistic!r} cannot count requests within the latency threshold: write the percentile rank "
        f"PR(:t), t the threshold in the metric's unit ({percentile_rank(latency.threshold_seconds)} in seconds), "
        "or leave statistic out"
    )


def metric_stat(
    qid: str, metric: CloudWatchMetric, period: int, stat: str, return_data: bool = False
) -> dict[str, Any]:
    """A MetricDataQuery reading one CloudWatch metric, one `stat` per period."""
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {
                "Namespace": metric.namespace,
                "MetricName": metric.metric_name,
                # Dimension values may be an environment's placeholders (`${state_machine_arn}`), except
                # a group's values, which are user text (`Text`).
                "Dimensions": [
                    {"Name": k, "Value": v if isinstance(v, Text) else Identity(v)}
                    for k, v in sorted(metric.dimensions.items())
                ],
            },
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": return_data,
    }


def math_expression(qid: str, text: str, label: str, return_data: bool = False) -> dict[str, Any]:
    """A MetricDataQuery computing metric math over the queries before it."""
    return {"Id": qid, "Expression": text, "Label": label, "ReturnData": return_data}


def filled_sum(ids: list[str]) -> str:
    """Metric math sum of counts, each 0 where it has no datapoint: sparse counts (5XX, errors)
    have none when nothing happened, and a missing term would blank the whole sum."""
    return " + ".join(f"FILL({i}, 0)" for i in ids)
