"""PromQL for exact event counts over a window, read from an SLO's raw source series.

Pure string building, no I/O. Every expression reduces to one label-less number (one per group of
a grouped SLO: `sum by (<groupBy>)`). An SLO's expressions go out as one union query, each term
labelled (`union`), so SLOs sharing an SLI share the query, and Prometheus spreads the SLOs'
queries over its cores.
Counters use increase() (Prometheus extrapolates to the window edges), periodSum gauges
sum_over_time(), histograms the `_bucket{le=threshold}` and `_count` series (the series of each
kind from `sli_sources`, as in the rules and runbooks), native histograms histogram_count and
histogram_fraction of their summed increase(), and time slices a subquery at the slice step with
the spec's comparison.

Expression and errorRatio sources are the spec's PromQL with the window put in for `{{.window}}`
(`{w}`, the report's window itself): an expression's events per second times the window's seconds
(`{s}`) are its counts; an errorRatio has none, so the ratio over the window is weighted by the
window's seconds (unit `seconds`).

Window edges: Prometheus 2.x range selectors include a sample exactly at `at - W`, 3.x does not.
increase() wants that sample (it is the baseline: with it the count is exact, without it
Prometheus extrapolates). Sums of samples and slice counts must not take it, or a 5m window of
1m samples would add up six periods: their ranges end 1ms short of W (`{wo}`), which is the
same left-open window (at-W, at] on every version.
"""

from __future__ import annotations

from dataclasses import dataclass

from sre_cli import slomath
from sre_cli.backends import Unit
from sre_cli.promql_selectors import series_union
from sre_cli.promql_window import at_window
from sre_cli.sli_sources import error_ratio, event_expressions, event_series, native_latency, source_series
from sre_cli.slospec.model import Slo
from sre_cli.vocabulary import bool_comparison

QUERY_LABEL = "sre_q"


@dataclass(frozen=True)
class SloQueries:
    """How to count one SLO's events: `good`/`total` are functions of a PromQL range string."""

    unit: Unit
    numerator: str  # template with {w} or {wo}: good events, or bad events when numerator_is_bad
    total: str  # template with {w} (closed range) or {wo} (left-open range)
    numerator_is_bad: bool
    presence: str  # instant vector present whenever the SLO has data (for coverage)

    def counts(self, seconds: int) -> tuple[str, str]:
        return with_range(self.numerator, seconds), with_range(self.total, seconds)


def with_range(template: str, seconds: int) -> str:
    return (
        template.replace("{wo}", open_duration(seconds))
        .replace("{w}", duration(seconds))
        .replace("{s}", str(int(max(seconds, 1))))
    )


def duration(seconds: float) -> str:
    """A PromQL range; whole seconds so odd lengths (calendar windows) stay exact."""
    s = int(seconds)
    return slomath.format_duration(s) if s >= 1 else "1s"


def open_duration(seconds: int) -> str:
    """A range 1ms short of `seconds`: (at-W, at] on Prometheus 2.x, whose ranges include at-W."""
    s = int(seconds)
    return (slomath.format_duration(s - 1) if s > 1 else "") + "999ms"


def summed(fn: str, selectors: list[str], rng: str, by: tuple[str, ...] = ()) -> str:
    """Sum of fn(selector[w]) over selectors (per group of `by`); empty only when none has a series.

    Each part gets its own label value first: once fn() drops the metric name, series of two
    selectors (YACE's *_failed_sum and *_timed_out_sum) would otherwise collide in `or`.
    """
    total = _sum(by)
    if len(selectors) == 1:
        return f"{total}({fn}({selectors[0]}[{rng}]))"
    parts = " or ".join(
        f'label_replace({fn}({sel}[{rng}]), "sre_part", "{i}", "", "")' for i, sel in enumerate(selectors)
    )
    return f"{total}({parts})"


def _sum(by: tuple[str, ...]) -> str:
    """`sum`, or `sum by (labels)` for a grouped SLO (one sample per group)."""
    return f"sum by ({', '.join(by)}) " if by else "sum"


def slo_queries(slo: Slo) -> SloQueries:
    """The counting expressions of an SLO's Prometheus source; ValueError if it has none."""
    watched = source_series(slo)
    if not watched:
        raise ValueError(f"SLO {slo.name} has no prometheus source (its indicator is {slo.indicator.kind})")
    # Present while the series the SLI cannot do without are: its total events, or its gauge.
    presence = f"group({series_union(watched)})"
    if (expressions := event_expressions(slo)) is not None:
        return SloQueries(
            unit="events",
            numerator=f"{expressions.at(expressions.counted, '{w}')} * {{s}}",
            total=f"{expressions.at(expressions.total, '{w}')} * {{s}}",
            numerator_is_bad=expressions.bad is not None,
            presence=presence,
        )
    if (ratio := error_ratio(slo)) is not None:
        # NaN (no traffic) and values outside 0..1 are dropped: no sample is no data, not a count.
        share = f"(avg({at_window(ratio, '{w}')}) >= 0 <= 1)"
        return SloQueries(
            unit="seconds",
            numerator=f"{share} * {{s}}",
            total=f"{share} * 0 + {{s}}",
            numerator_is_bad=True,
            presence=presence,
        )
    if (native := native_latency(slo)) is not None:
        # Slow events are absent (not NaN) without requests: read as 0, like a sparse counter.
        slow, total = native.slow_and_all(f"{_sum(slo.group_by)}(increase({native.histogram}[{{w}}]))")
        return SloQueries(unit="events", numerator=slow, total=total, numerator_is_bad=True, presence=presence)
    events = event_series(slo)
    if events is not None:
        fn, rng = ("increase", "{w}") if events.metric_type == "counter" else ("sum_over_time", "{wo}")
        return SloQueries(
            unit="events",
            numerator=summed(fn, events.counted, rng, slo.group_by),
            total=summed(fn, events.total, rng, slo.group_by),
            numerator_is_bad=not events.good,
            presence=presence,
        )
    t = slo.indicator.threshold
    assert t is not None and t.prometheus is not None  # the only other kind with source series
    gauge = t.prometheus.gauge
    step = duration(t.slice_seconds)
    good = bool_comparison(gauge, t.operator, t.value)
    return SloQueries(
        unit="slices",
        numerator=f"{_sum(slo.group_by)}(sum_over_time(({good})[{{wo}}:{step}]))",
        total=f"{_sum(slo.group_by)}(count_over_time(({gauge})[{{wo}}:{step}]))",
        numerator_is_bad=False,
        presence=presence,
    )


def tagged(expr: str, key: str) -> str:
    return f'label_replace({expr}, "{QUERY_LABEL}", "{key}", "", "")'


def union(terms: dict[str, str]) -> str:
    """One query answering every term, each sample labelled `sre_q=<key>`: one round trip, not one per term.

    Keys must be plain label values (no `$`, which label_replace would expand).
    """
    return " or ".join(tagged(expr, key) for key, expr in terms.items())


def coverage_step(window: int) -> int:
    """Grid for coverage: about 1440 points per window, whole minutes (30d -> 30m)."""
    return max(60, (window // 1440) // 60 * 60)


def instant_terms(queries: SloQueries, windows: list[int], slo_window: int, at: float) -> dict[str, str]:
    """Every instant expression of one SLO: each window's counts plus coverage of the SLO window.

    Keys: num:<s>, total:<s> (windows in seconds), cov_n, cov_start (present when the source had a
    sample at the window start, within the lookback). See `data_since_term` for the rest. Each expression yields at most
    one label-less sample; identical expressions of different SLOs are the same query.
    """
    terms: dict[str, str] = {}
    for seconds in sorted(windows):
        terms[f"num:{seconds}"], terms[f"total:{seconds}"] = queries.counts(seconds)
    terms["cov_n"], terms["cov_start"] = coverage_terms(queries, slo_window, at)
    return terms


def coverage_terms(queries: SloQueries, slo_window: int, at: float) -> tuple[str, str]:
    """Coverage of the SLO window by the raw source series: grid points with data, and data at the start."""
    step = duration(coverage_step(slo_window))
    rng = open_duration(slo_window)
    # `@` pins the second to the window start: data there means the window is fully covered.
    # (A 1s subquery, because @ only attaches to selectors and subqueries, not to group(...).)
    return (
        f"count_over_time(({queries.presence})[{rng}:{step}])",
        f"count_over_time(({queries.presence})[1s:1s] @ {at - slo_window:.3f})",
    )


def data_since_term(queries: SloQueries, slo_window: int) -> str:
    """Earliest coverage-grid time with data, one step before the window start included.

    Only asked when the window start has no data (the window is longer than the data).
    """
    step = coverage_step(slo_window)
    rng = open_duration(slo_window + step)
    return f"min_over_time(timestamp({queries.presence})[{rng}:{duration(step)}])"


def history_query(queries: SloQueries, step_seconds: int) -> str:
    """Range query: events of each step, for the budget burn-down chart."""
    num, total = queries.counts(step_seconds)
    # sum(): a grouped SLO's history is its whole.
    return f"{tagged(f'sum({num})', 'num')} or {tagged(f'sum({total})', 'total')}"
