"""The raw Prometheus series an SLI reads: one definition for rules, runbooks and the report.

Each reader writes its own expression around them (the rules per-second rates that read 0 when
quiet, the runbooks queries a person pastes, the report exact counts), but which series hold the
good, bad and all events, and which ones must exist for the SLI to see anything, is decided here:

- ratio:     the spec's good or bad selectors, over its total selectors; or, for an `expression`
             source, its good or bad PromQL over its total PromQL (`event_expressions`), or for an
             `errorRatio` source the one ratio PromQL (`error_ratio`), both templated on `{{.window}}`
             (`promql_window`); absence watches the series those expressions read
- latency:   good = the `_bucket{le="<threshold>"}` series, all = `_count` (names from
             `promql_selectors`), both counters; over a native histogram (`native: true`) one
             series holds both, the family itself (no suffix): `native_latency`, read with
             histogram_count/histogram_fraction
- threshold: the gauge, compared with the spec's value once per slice; it is present while the
             series its selectors name are
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sre_cli.promql_selectors import (
    expression_selectors,
    histogram_family,
    histogram_series,
    threshold_bucket_series,
)
from sre_cli.promql_window import at_window, template_selectors
from sre_cli.slospec.model import Slo
from sre_cli.vocabulary import number


@dataclass(frozen=True)
class EventSeries:
    """Selectors of an event-based SLI; exactly one of `good` and `bad` is non-empty."""

    good: list[str]
    bad: list[str]
    total: list[str]
    # counter: monotonic counters (rate/increase); periodSum: gauges holding each period's count.
    metric_type: Literal["counter", "periodSum"]

    @property
    def counted(self) -> list[str]:
        """The selectors the spec counts events of: bad ones when it names them, else good ones."""
        return self.bad or self.good


@dataclass(frozen=True)
class NativeLatency:
    """A latency SLI over a native histogram: all requests are its count, the slow ones its
    fraction above the threshold (any threshold: the buckets are the histogram's own)."""

    histogram: str  # the native series' selector, the family name itself (no _bucket/_count)
    threshold: float  # seconds

    def slow_and_all(self, histograms: str) -> tuple[str, str]:
        """(slow events, all events) of the native histograms `histograms` evaluates to: a rate or an
        increase, summed (per group), so each reader keeps its own range and aggregation.

        Slow = the fraction above the threshold times the count: (threshold, +Inf) needs no lower
        bound, so requests in the zero bucket ([-z, z]) count fast whatever a Prometheus version
        makes of a lower bound of 0 (a zero bucket without positive buckets is split at 0 by
        linear interpolation), and a threshold on a bucket boundary keeps the bucket it closes
        (histogram_fraction's lower bound is exclusive for positive values). With no requests the
        fraction is NaN (0/0): `count > 0` drops that sample, so a quiet window reads no slow
        events, never NaN, and each reader's fallback makes it 0. Between bucket boundaries the
        fraction is interpolated within the threshold's bucket: exact on a boundary, within that
        bucket's share of requests elsewhere.
        """
        count = f"histogram_count({histograms})"
        return f"histogram_fraction({number(self.threshold)}, +Inf, {histograms}) * ({count} > 0)", count


def native_latency(slo: Slo) -> NativeLatency | None:
    """The native histogram of a latency SLI's Prometheus source; None for every other source."""
    ind = slo.indicator
    if ind.latency is None or ind.latency.prometheus is None or not ind.latency.prometheus.native:
        return None
    return NativeLatency(str(histogram_family(ind.latency.prometheus.histogram)), ind.latency.threshold_seconds)


@dataclass(frozen=True)
class EventExpressions:
    """An `expression` source: events per second as PromQL templates on `{{.window}}`; exactly one
    of `good` and `bad` is given."""

    good: str | None
    bad: str | None
    total: str

    @property
    def counted(self) -> str:
        """The template the spec counts events of: the bad one when it names it, else the good one."""
        return self.bad if self.bad is not None else self.good  # type: ignore[return-value]

    def at(self, template: str, window: str) -> str:
        """One of the templates over `window` (a PromQL range), reduced to one series."""
        return f"sum({at_window(template, window)})"


# Said wherever an errorRatio SLI's numbers are shown: its long windows average 5m ratios.
APPROXIMATE = "approximate: average of ratios"


def prometheus_form(slo: Slo) -> str | None:
    """How a ratio SLI's Prometheus source gives its events: selectors, expression or errorRatio;
    None for other SLIs and SLIs without a Prometheus source."""
    ind = slo.indicator
    return ind.ratio.prometheus.form if ind.ratio is not None and ind.ratio.prometheus is not None else None


def event_expressions(slo: Slo) -> EventExpressions | None:
    """The templates of an `expression` source; None for any other source."""
    ind = slo.indicator
    if ind.ratio is None or ind.ratio.prometheus is None or ind.ratio.prometheus.expression is None:
        return None
    e = ind.ratio.prometheus.expression
    return EventExpressions(e.good, e.bad, e.total)


def error_ratio(slo: Slo) -> str | None:
    """The template of an `errorRatio` source (a share of bad events, no counts); None for any other."""
    ind = slo.indicator
    return ind.ratio.prometheus.error_ratio if ind.ratio is not None and ind.ratio.prometheus is not None else None


def is_approximate(slo: Slo) -> bool:
    """The SLI's long windows average ratios instead of counting events (an errorRatio source)."""
    return error_ratio(slo) is not None


def event_series(slo: Slo) -> EventSeries | None:
    """The series of a ratio (selector source) or classic-histogram latency SLI's Prometheus source;
    None for other SLIs, for expression and errorRatio sources (`event_expressions`, `error_ratio`)
    and for a native histogram, which has no series per event kind (`native_latency`)."""
    ind = slo.indicator
    if ind.ratio is not None and ind.ratio.prometheus is not None and ind.ratio.prometheus.form == "selectors":
        src = ind.ratio.prometheus
        return EventSeries(src.selectors("good"), src.selectors("bad"), src.selectors("total"), src.metric_type)
    if ind.latency is not None and ind.latency.prometheus is not None and not ind.latency.prometheus.native:
        hist = ind.latency.prometheus
        fast = threshold_bucket_series(hist.histogram, ind.latency.threshold_seconds, hist.buckets)
        return EventSeries([fast], [], [histogram_series(hist.histogram, "_count")], "counter")
    return None


def source_series(slo: Slo) -> list[str]:
    """Series whose disappearance leaves the SLI blind: all events (the total of `event_series`),
    or the series the gauge reads. Bad-event series are not among them: they do not exist until
    the first error.

    Read without `event_series`, which also resolves the latency threshold's bucket: an absence
    check does not depend on that.
    """
    ind = slo.indicator
    if ind.ratio is not None and ind.ratio.prometheus is not None:
        src = ind.ratio.prometheus
        if src.expression is not None:
            return template_selectors(src.expression.total)
        if src.error_ratio is not None:
            # Every series it reads: which of them is the total's is not for us to tell.
            return template_selectors(src.error_ratio)
        return src.selectors("total")
    if (native := native_latency(slo)) is not None:
        return [native.histogram]
    if ind.latency is not None and ind.latency.prometheus is not None:
        return [histogram_series(ind.latency.prometheus.histogram, "_count")]
    if ind.threshold is not None and ind.threshold.prometheus is not None:
        # The selectors, not the expression: `max(x) or vector(0)` exists with or without x.
        return [str(s) for s in expression_selectors(ind.threshold.prometheus.gauge)]
    return []
