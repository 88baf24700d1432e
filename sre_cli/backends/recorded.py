"""Read a whole fleet's counts from the series the generated recording rules record. Pure: no I/O.

The rules already hold every SLO's windows (`sre_cli.targets.prometheus.naming`): for a window W,
`slo:sli_events:count<W>` is the events (threshold SLIs: slices) seen in W and
`slo:sli_error:ratio_rate<W>` the bad share of them. One query per series name and window answers
for every SLO at once (`window_queries`); good = count x (1 - ratio), bad = count x ratio.

Only the named series are read, never the rules: how a window is computed (one group per SLO, or
long windows in a slower group) may change, what the names mean does not.

Coverage: a recorded window is only as good as the base series it was derived from
(`slo:sli_total:rate5m`, or `slo:sli_slice:bad` for threshold SLIs) over W. Their samples over the
SLO window, counted fleet-wide, against the samples one hour holds now (the group's evaluation
interval, whatever it is) say whether the recording is older than the window and without gaps
(`covering`). Where it is not, `auto` reads that SLO from the raw series instead.

Edges: the recorded long windows average 5m rates recorded once per evaluation, so they blur each
edge of W by ~2.5 minutes, and the values are those of the last evaluation at or before the
report's instant (up to one interval earlier). Over a 30d window that is within the 0.5% the rules
are held to (tests/prometheus/test_prom_accuracy.py); short windows (5m, 30m) move with traffic
within that shift, which is why the raw path stays the reference for them when in doubt.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from sre_cli import sli_sources
from sre_cli.backends import Counts, Measurement, NotCounts, read_counts
from sre_cli.backends.promql import coverage_step, open_duration
from sre_cli.slomath import HOUR, MINUTE
from sre_cli.slospec.model import Slo
from sre_cli.targets.prometheus import naming

# Base series each SLO's recorded windows are derived from: every SLO records one of them.
BASE_SERIES = (naming.TOTAL_RATE, naming.SLICE_BAD)
CALIBRATION = HOUR  # samples in the last hour give the evaluation interval
# Missing base samples tolerated before the recording does not cover a window: one coverage-grid
# step (30m of 30d) or two samples, whichever is more, so an evaluation skipped under load is not a gap.
MISSING_SAMPLES = 2
# More SLO names than this are not put into a regex matcher (URL length): the fleet is read whole.
MAX_NAMES_IN_SELECTOR = 100

Labels = dict[str, str]
GroupKey = tuple[str, ...]


@dataclass(frozen=True)
class Sample:
    labels: Labels
    value: float


def slo_matcher(slos: Iterable[Slo]) -> str:
    """`{slo=~"a|b"}` for a few SLOs; empty (the whole fleet) for many."""
    names = sorted({s.name for s in slos})
    if not names or len(names) > MAX_NAMES_IN_SELECTOR:
        return ""
    alternatives = "|".join(_regex_literal(n) for n in names)
    return '{slo=~"' + alternatives.replace("\\", "\\\\").replace('"', '\\"') + '"}'


def _regex_literal(text: str) -> str:
    return "".join("\\" + c if c in r"\.+*?()|[]{}^$" else c for c in text)


def window_queries(window: int, matcher: str) -> tuple[str, str]:
    """Event count and error ratio over `window` of every SLO recording it."""
    return naming.event_count(window) + matcher, naming.error_ratio(window) + matcher


def _base(matcher: str) -> str:
    names = "|".join(BASE_SERIES)
    inner = matcher[1:-1] + "," if matcher else ""
    return f'{{{inner}__name__=~"{names}"}}'


def coverage_queries(slo_window: int, matcher: str) -> tuple[str, str]:
    """Base samples in the SLO window, and in the last hour, of every SLO (left-open ranges)."""
    return (
        f"count_over_time({_base(matcher)}[{open_duration(slo_window)}])",
        f"count_over_time({_base(matcher)}[{open_duration(CALIBRATION)}])",
    )


def history_step(slo_window: int, points: int) -> int:
    return max(slo_window // points, MINUTE)


@dataclass
class Answers:
    """The fleet-wide answers, indexed by SLO name: query -> slo -> samples."""

    by_query: dict[str, dict[str, list[Sample]]] = field(default_factory=dict)

    def add(self, query: str, samples: list[Sample]) -> None:
        index: dict[str, list[Sample]] = {}
        for s in samples:
            name = s.labels.get("slo")
            if name is not None:
                index.setdefault(name, []).append(s)
        self.by_query[query] = index

    def of(self, query: str, slo: Slo) -> dict[GroupKey, float]:
        """The SLO's samples of one query: group key -> value (the key is () for an ungrouped SLO).

        A series is the SLO's when it carries all of the SLO's labels. A grouped SLO's series carry
        its group labels too; a series without them (rules from before the grouping) is its whole.
        """
        wanted = naming.series_labels(slo)
        out: dict[GroupKey, float] = {}
        whole: list[float] = []
        for s in self.by_query.get(query, {}).get(slo.name, []):
            if any(s.labels.get(k) != v for k, v in wanted.items()):
                continue
            if slo.group_by and all(g in s.labels for g in slo.group_by):
                key = tuple(s.labels[g] for g in slo.group_by)
                out[key] = out.get(key, 0.0) + s.value
            else:
                whole.append(s.value)
        if not out and whole:
            return {(): math.fsum(whole)}
        return out


@dataclass(frozen=True)
class Coverage:
    share: float  # of the SLO window holding base samples
    covered: bool  # the recording is as old as the window, without gaps


def coverage(samples: float | None, recent: float | None, slo_window: int) -> Coverage:
    """How much of the SLO window the base series cover, from their sample counts (`coverage_queries`)."""
    if not samples or not recent:
        return Coverage(0.0, False)  # nothing recorded, or nothing in the last hour: stale
    interval = CALIBRATION / recent
    expected = slo_window / interval
    missing = expected - samples
    allowed = max(MISSING_SAMPLES, expected * coverage_step(slo_window) / slo_window)
    return Coverage(min(samples / expected, 1.0), missing <= allowed)


def window_counts(count: float, ratio: float, unit: str) -> Counts:
    """Counts of one recorded window; NotCounts when the pair cannot be counts."""
    if not 0 <= ratio <= 1:
        raise NotCounts(f"error ratio {ratio:g} outside [0, 1]")
    return read_counts(count * ratio, count, unit, numerator_is_bad=True)  # type: ignore[arg-type]


def unit_of(slo: Slo) -> str:
    if sli_sources.is_approximate(slo):
        return "seconds"  # errorRatio: the rules count seconds, weighing each 5m ratio by time
    return "slices" if slo.indicator.kind == "threshold" else "events"


def measurement(
    slo: Slo,
    at: float,
    slo_window: int,
    windows: dict[int, dict[GroupKey, Counts]],
    cover: Coverage,
) -> Measurement:
    """The whole SLO (groups summed) with one Measurement per group, from recorded counts per window."""
    keys = sorted({k for per_group in windows.values() for k in per_group if k != ()})
    unit = unit_of(slo)

    def one(key: GroupKey | None) -> Measurement:
        counts: dict[int, Counts | None] = {}
        for w, per_group in windows.items():
            if key is None:
                parts = list(per_group.values())
                counts[w] = (
                    Counts(math.fsum(c.good for c in parts), math.fsum(c.total for c in parts)) if parts else None
                )
            else:
                counts[w] = per_group.get(key)
        return Measurement(
            slo=slo.name,
            unit=unit,  # type: ignore[arg-type]
            at=at,
            slo_window=slo_window,
            windows=counts,
            coverage=cover.share,
            data_since=None,
            coverage_step=coverage_step(slo_window),
            data_at_start=cover.covered,
            group=dict(zip(slo.group_by, key, strict=True)) if key else {},
            source="recorded",
        )

    whole = one(None)
    groups = tuple(one(k) for k in keys)
    return dataclasses.replace(whole, groups=groups)
