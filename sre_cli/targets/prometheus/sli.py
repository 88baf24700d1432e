"""PromQL of each indicator kind, read from the raw series over the base window (5m) or shorter.

Everything longer is derived from what these expressions record (see `rules`), so the raw,
high-cardinality series are never read over more than 5 minutes. A window shorter than 5m (a
fast outage pair's 1m) is read from the raw series too, so it needs a scrape interval of at most
half of it.

- counter ratio:   bad = sum(rate(bad[5m])), or total - good when the spec gives good events
- periodSum ratio: YACE-style gauges holding each period's event count: sum_over_time(x[5m]) / 300
  (assumes one sample per period, i.e. the scrape interval equals the CloudWatch period; if it
  does not, event counts scale but the error ratio, a quotient, does not change)
- latency:         bad = total - bucket{le="<threshold>"}, total = _count (series names and the
                   `le` matcher from `promql_selectors`, shared with runbooks and the report)
- threshold:       one 0/1 "bad slice" sample per slice: max((gauge) <inverted operator> bool value)

Every aggregate that may be empty (no errors yet, no traffic) falls back to `vector(0)`, so the
recorded rates always exist and a quiet period counts as zero events, never as a gap or NaN.
"""

from __future__ import annotations

from sre_cli.promql_selectors import histogram_series, series_union, threshold_bucket_series
from sre_cli.slomath import format_duration
from sre_cli.slospec.document import LatencyIndicator, PrometheusRatioSource, ThresholdIndicator
from sre_cli.slospec.model import Slo

BASE_RANGE = "5m"
BASE_SECONDS = 300

# A slice is bad when the spec's "good" comparison fails.
_INVERTED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def _number(value: float) -> str:
    """A float as PromQL reads it back exactly (repr is the shortest round-tripping form)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _events_per_second(selector: str, metric_type: str, seconds: int) -> str:
    rng = format_duration(seconds)
    if metric_type == "periodSum":
        return f"sum(sum_over_time({selector}[{rng}])) / {seconds}"
    return f"sum(rate({selector}[{rng}]))"


def _summed(selectors: list[str], metric_type: str, seconds: int) -> str:
    """Events per second summed over selectors; each part 0 when its series do not exist (yet)."""
    parts = [f"({_events_per_second(s, metric_type, seconds)} or vector(0))" for s in selectors]
    return parts[0] if len(parts) == 1 else "(" + " + ".join(parts) + ")"


def _ratio_rates(source: PrometheusRatioSource, seconds: int) -> tuple[str, str]:
    total = _summed(source.selectors("total"), source.metric_type, seconds)
    if source.bad is not None:
        return _summed(source.selectors("bad"), source.metric_type, seconds), total
    good = _summed(source.selectors("good"), source.metric_type, seconds)
    # Clamped: good and total come from separate scrapes and may disagree by a sample.
    return f"clamp_min({total} - {good}, 0)", total


def _latency_rates(indicator: LatencyIndicator, seconds: int) -> tuple[str, str]:
    assert indicator.prometheus is not None
    source, rng = indicator.prometheus, format_duration(seconds)
    total = f"(sum(rate({histogram_series(source.histogram, '_count')}[{rng}])) or vector(0))"
    fast_bucket = threshold_bucket_series(source.histogram, indicator.threshold_seconds, source.buckets)
    fast = f"(sum(rate({fast_bucket}[{rng}])) or vector(0))"
    return f"clamp_min({total} - {fast}, 0)", total


def event_rates(slo: Slo, seconds: int = BASE_SECONDS) -> tuple[str, str]:
    """(bad events/s, all events/s) over `seconds` (the base window unless shorter), for ratio and
    latency indicators."""
    if seconds > BASE_SECONDS:
        raise ValueError(f"raw series are read over at most {BASE_RANGE}, not {format_duration(seconds)}")
    indicator = slo.indicator
    if indicator.ratio is not None and indicator.ratio.prometheus is not None:
        return _ratio_rates(indicator.ratio.prometheus, seconds)
    if indicator.latency is not None and indicator.latency.prometheus is not None:
        return _latency_rates(indicator.latency, seconds)
    raise ValueError(f"{slo.name}: no Prometheus source for a {indicator.kind} indicator")


def bad_slice(indicator: ThresholdIndicator) -> str:
    """1 when the current slice breaks the threshold, 0 when it keeps it, nothing without data."""
    assert indicator.prometheus is not None
    op = _INVERTED[indicator.operator]
    return f"max(({indicator.prometheus.gauge}) {op} bool {_number(indicator.value)})"


def source_series(slo: Slo) -> list[str]:
    """Series whose disappearance leaves the SLI blind (all events, or the gauge)."""
    indicator = slo.indicator
    if indicator.ratio is not None and indicator.ratio.prometheus is not None:
        return indicator.ratio.prometheus.selectors("total")
    if indicator.latency is not None and indicator.latency.prometheus is not None:
        return [histogram_series(indicator.latency.prometheus.histogram, "_count")]
    if indicator.threshold is not None and indicator.threshold.prometheus is not None:
        return [indicator.threshold.prometheus.gauge]
    return []


def absent_expr(slo: Slo) -> str:
    """True when every source series is gone (bad-event series may legitimately not exist yet)."""
    return f"absent({series_union(source_series(slo))})"


def has_prometheus_source(slo: Slo) -> bool:
    return slo.indicator.body.prometheus is not None
