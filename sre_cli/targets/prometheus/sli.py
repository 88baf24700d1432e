"""PromQL of each indicator kind, read from the raw series over the base window (5m) or shorter.

Everything longer is derived from what these expressions record (see `rules`), so the raw,
high-cardinality series are never read over more than 5 minutes. A window shorter than 5m (a
fast outage pair's 1m) is read from the raw series too, so it needs a scrape interval of at most
half of it.

- counter ratio:   bad = sum(rate(bad[5m])), or total - good when the spec gives good events
- periodSum ratio: YACE-style gauges holding each period's event count: sum_over_time(x[5m]) / 300
  (assumes one sample per period, i.e. the scrape interval equals the CloudWatch period; if it
  does not, event counts scale but the error ratio, a quotient, does not change)
- latency:         bad = total - bucket{le="<threshold>"}, total = _count
                   (which series each kind reads: `sli_sources`, shared with runbooks and the report);
                   over a native histogram H = sum(rate(x[5m])): total = histogram_count(H),
                   bad = histogram_fraction(<threshold>, +Inf, H) * total (`NativeLatency.slow_and_all`)
- threshold:       one 0/1 "bad slice" sample per slice: max((gauge) <inverted operator> bool value)
- expression:      the spec's PromQL with the window put in for `{{.window}}`, each reduced with sum():
                   bad = sum(bad), or total - good, as for selectors
- errorRatio:      no events, a ratio: bad = avg(ratio) over the window (0..1; NaN, a window without
                   traffic, is dropped), total = 1 while the ratio exists. Every second then weighs the
                   same, so the long windows' "event-weighted" ratio is the time average of the 5m
                   ratios (approximate: average of ratios), and the "event" count is seconds

Every aggregate that may be empty (no errors yet, no traffic) falls back to `vector(0)`, so the
recorded rates always exist and a quiet period counts as zero events, never as a gap or NaN.

Grouped SLOs aggregate `by (<groupBy>)` instead, and a label-less `vector(0)` would add a phantom
group without labels, so the fallbacks are per group: the total has none (a group exists while its
total series do), bad and good events fall back to the group's recorded total x 0
(`bad or on(handler) slo:sli_total:rate5m{slo="x"} * 0`; the rules record the total first), and a
list of total selectors fills each missing part with 0 for the groups any part has.
"""

from __future__ import annotations

from sre_cli import sli_sources
from sre_cli.promql_selectors import series_union
from sre_cli.promql_window import at_window
from sre_cli.slomath import format_duration
from sre_cli.slospec.document import ThresholdIndicator
from sre_cli.slospec.model import Slo
from sre_cli.targets.prometheus import naming
from sre_cli.vocabulary import BAD_WHEN, BASE_RANGE, BASE_WINDOW, bool_comparison


def _events_per_second(selector: str, metric_type: str, seconds: int, by: str = "") -> str:
    rng = format_duration(seconds)
    if metric_type == "periodSum":
        return f"sum{by}(sum_over_time({selector}[{rng}])) / {seconds}"
    return f"sum{by}(rate({selector}[{rng}]))"


def _summed(selectors: list[str], metric_type: str, seconds: int) -> str:
    """Events per second summed over selectors; each part 0 when its series do not exist (yet)."""
    parts = [f"({_events_per_second(s, metric_type, seconds)} or vector(0))" for s in selectors]
    return parts[0] if len(parts) == 1 else "(" + " + ".join(parts) + ")"


def _grouped_total(selectors: list[str], metric_type: str, seconds: int, by: str) -> str:
    """All events per second of each group; with several selectors, a group missing from one of
    them counts 0 there (`0 * (a or b)` holds every group any selector has)."""
    parts = [_events_per_second(s, metric_type, seconds, by) for s in selectors]
    if len(parts) == 1:
        return parts[0]
    groups = "0 * (" + " or ".join(parts) + ")"
    return "(" + " + ".join(f"({part} or {groups})" for part in parts) + ")"


def _grouped_summed(selectors: list[str], metric_type: str, seconds: int, slo: Slo) -> str:
    """Bad or good events per second of each group: 0 for a group with events but none of these."""
    on, by = naming.matching(slo), naming.aggregation(slo)
    zero = f"{naming.selector(naming.total_rate(seconds), slo)} * 0"
    parts = [f"({_events_per_second(s, metric_type, seconds, by)} or{on} {zero})" for s in selectors]
    return parts[0] if len(parts) == 1 else "(" + f" +{on} ".join(parts) + ")"


def _grouped_event_rates(slo: Slo, events: sli_sources.EventSeries, seconds: int) -> tuple[str, str]:
    total = _grouped_total(events.total, events.metric_type, seconds, naming.aggregation(slo))
    if events.bad:
        return _grouped_summed(events.bad, events.metric_type, seconds, slo), total
    good = _grouped_summed(events.good, events.metric_type, seconds, slo)
    recorded_total = naming.selector(naming.total_rate(seconds), slo)
    return f"clamp_min({recorded_total} -{naming.matching(slo)} {good}, 0)", total


def _native_event_rates(slo: Slo, native: sli_sources.NativeLatency, seconds: int) -> tuple[str, str]:
    """(bad, all) events/s of a native histogram, with the fallbacks of the selector sources: 0
    when quiet or gone, per group for a grouped SLO (the total is then recorded first)."""
    by = naming.aggregation(slo)
    bad, total = native.slow_and_all(f"sum{by}(rate({native.histogram}[{format_duration(seconds)}]))")
    if slo.group_by:
        zero = f"{naming.selector(naming.total_rate(seconds), slo)} * 0"
        return f"({bad} or{naming.matching(slo)} {zero})", total
    return f"({bad} or vector(0))", f"({total} or vector(0))"


def event_rates(slo: Slo, seconds: int = BASE_WINDOW) -> tuple[str, str]:
    """(bad events/s, all events/s) over `seconds` (the base window unless shorter), for ratio and
    latency indicators. Grouped SLOs: bad events read the recorded total, so it is recorded first."""
    if seconds > BASE_WINDOW:
        raise ValueError(f"raw series are read over at most {BASE_RANGE}, not {format_duration(seconds)}")
    if (expressions := sli_sources.event_expressions(slo)) is not None:
        return _expression_rates(expressions, seconds)
    if (ratio := sli_sources.error_ratio(slo)) is not None:
        return _error_ratio_rates(slo, ratio, seconds)
    if (native := sli_sources.native_latency(slo)) is not None:
        return _native_event_rates(slo, native, seconds)
    events = sli_sources.event_series(slo)
    if events is None:
        raise ValueError(f"{slo.name}: no Prometheus source for a {slo.indicator.kind} indicator")
    if slo.group_by:
        return _grouped_event_rates(slo, events, seconds)
    total = _summed(events.total, events.metric_type, seconds)
    if events.bad:
        return _summed(events.bad, events.metric_type, seconds), total
    good = _summed(events.good, events.metric_type, seconds)
    # Clamped: good and total come from separate scrapes and may disagree by a sample.
    return f"clamp_min({total} - {good}, 0)", total


def _expression_rates(expressions: sli_sources.EventExpressions, seconds: int) -> tuple[str, str]:
    """An expression source's templates over the window; 0 when they find nothing, like selectors."""
    rng = format_duration(seconds)
    total = f"({expressions.at(expressions.total, rng)} or vector(0))"
    counted = f"({expressions.at(expressions.counted, rng)} or vector(0))"
    if expressions.bad is not None:
        return counted, total
    return f"clamp_min({total} - {counted}, 0)", total


def _error_ratio_rates(slo: Slo, template: str, seconds: int) -> tuple[str, str]:
    """An errorRatio source: the ratio as the bad "rate", 1 as the total while it exists (module docstring).
    Without traffic the ratio is NaN or absent: nothing is recorded, and the windows average what is."""
    ratio = f"clamp_max(avg({at_window(template, format_duration(seconds))}) >= 0, 1)"
    return ratio, f"{naming.selector(naming.bad_rate(seconds), slo)} * 0 + 1"


def bad_slice(indicator: ThresholdIndicator, by: str = "") -> str:
    """1 when the current slice breaks the threshold, 0 when it keeps it, nothing without data;
    per group with `by` (`naming.aggregation`; validation makes sure the gauge keeps those labels)."""
    assert indicator.prometheus is not None
    comparison = bool_comparison(f"({indicator.prometheus.gauge})", BAD_WHEN[indicator.operator], indicator.value)
    return f"max{by}({comparison})"


def absent_expr(slo: Slo) -> str:
    """True when every source series is gone (bad-event series may legitimately not exist yet)."""
    return f"absent({series_union(sli_sources.source_series(slo))})"


def has_prometheus_source(slo: Slo) -> bool:
    return slo.indicator.body.prometheus is not None
