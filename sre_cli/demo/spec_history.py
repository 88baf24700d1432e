"""Synthetic history for SLOs the stack's own synthesizer does not feed: a team's new spec shows numbers.

`synth.generate` writes the metrics contract of this stack (slo/README.md). A team that points
`sre demo --specs` at its own `checkout` SLO names other series; without this module its report
says "no data". Here every such SLO gets series built from its own selectors: label values that
satisfy each matcher (a regex gets a string it fully matches), good and bad events split across
label sets so the good (or bad) selector picks exactly its share of what the total selector sees.

The story is the same for every SLO, so a new spec shows both a healthy budget and a burn:
a steady error ratio at a third of the budget rate, and one 45-minute spell at 20x two days
before the end (a page-worthy burn that leaves budget). Pure: returns OpenMetrics families.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # the stdlib's own regex parser (3.11+)
import re._parser as sre_parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sre_cli.promql_selectors import (
    LabelMatcher,
    SeriesSelector,
    expression_selectors,
    histogram_family,
    openmetrics_float_text,
    parse_selector,
)
from sre_cli.slomath import DAY, MINUTE
from sre_cli.slospec.model import Slo
from sre_cli.synth import Synthetic, cumulative, daily_shape

Family = tuple[str, str, list[tuple[str, list[float]]]]  # (family, type, [(series text, values)])
Labels = dict[str, str]

STEADY_BURN = 1 / 3
SPELL_BURN = 20.0
SPELL_STARTS_BEFORE_END = 2 * DAY
SPELL_DURATION = 45 * MINUTE
EVENTS_PER_MINUTE = 600.0  # at the daily peak; a tenth of it at night
# Values tried when a label must NOT match a matcher; the first that fits wins.
_OTHER_VALUES = ("500", "503", "error", "other", "0", "x", "slow", "")


class CannotSynthesize(ValueError):
    """The selectors leave no label set for one side (e.g. good and total select the same series)."""


@dataclass(frozen=True)
class Story:
    start: int
    end: int
    step: int = MINUTE

    @property
    def times(self) -> list[int]:
        return list(range(self.start, self.end + 1, self.step))

    def in_spell(self, t: int) -> bool:
        begin = self.end - SPELL_STARTS_BEFORE_END
        return begin < t <= begin + SPELL_DURATION

    def bad_share(self, t: int, objective: float) -> float:
        """Error ratio at time t: a third of the budget rate, 20x during the spell (capped at 1)."""
        return min(1.0, (SPELL_BURN if self.in_spell(t) else STEADY_BURN) * (1 - objective))

    def bad_events(self, events: list[float], objective: float) -> list[float]:
        """Whole bad events per step at `bad_share`; the fraction carries over, so 0.2 a minute is
        one bad event every five minutes rather than none."""
        owed, out = 0.0, []
        for t, n in zip(self.times, events, strict=True):
            owed += n * self.bad_share(t, objective)
            whole = min(n, float(int(owed)))
            owed -= whole
            out.append(whole)
        return out

    def events(self, t: int) -> int:
        """Events per step: day/night swing (10x), deterministic so reruns give the same report."""
        return round(EVENTS_PER_MINUTE * (self.step / MINUTE) * (0.1 + 0.9 * daily_shape(t)))


def families_for(slo: Slo, story: Story) -> list[Family]:
    """OpenMetrics families that feed the SLO's Prometheus source, or [] when it has none."""
    indicator = slo.indicator
    if indicator.ratio is not None and indicator.ratio.prometheus is not None:
        # PromQL of the spec's own (expression, errorRatio) names no events to make up.
        return _ratio(slo, story) if indicator.ratio.prometheus.form == "selectors" else []
    if indicator.latency is not None and indicator.latency.prometheus is not None:
        return _latency(slo, story)
    if indicator.threshold is not None and indicator.threshold.prometheus is not None:
        return _threshold(slo, story)
    return []


def families_for_unfed(slos: Iterable[Slo], data: Synthetic) -> list[Family]:
    """Families for every SLO whose source no series of `data` feeds, on `data`'s time grid."""
    existing = [(sel.metric, {m.label: m.value for m in sel.matchers}) for sel in map(parse_selector, data.series())]
    story = Story(start=data.start, end=data.end, step=data.config.step)
    out: list[Family] = []
    for slo in slos:
        if not feeds(slo, existing):
            added = families_for(slo, story)
            out.extend(added)
            existing.extend(_series_of(added))
    return out


def _series_of(families: list[Family]) -> list[tuple[str | None, Labels]]:
    parsed = (parse_selector(text) for _, _, samples in families for text, _ in samples)
    return [(sel.metric, {m.label: m.value for m in sel.matchers}) for sel in parsed]


def feeds(slo: Slo, series: Iterable[tuple[str | None, Labels]]) -> bool:
    """Whether some existing series (name, labels) is one the SLO's total/source selector reads."""
    wanted = [parse_selector(s) for s in _source_selectors(slo)]
    return any(_selects(sel, name, labels) for sel in wanted for name, labels in series)


# ---- sources ---------------------------------------------------------------------------------


def _ratio(slo: Slo, story: Story) -> list[Family]:
    src = slo.indicator.ratio.prometheus  # type: ignore[union-attr]
    counts_good = src.good is not None
    counted = parse_selector(src.selectors("good" if counts_good else "bad")[0])
    total = [parse_selector(s) for s in src.selectors("total")]
    all_events = [float(story.events(t)) for t in story.times]
    all_events[0] = 0.0
    bad = story.bad_events(all_events, slo.objective)
    good = [a - b for a, b in zip(all_events, bad, strict=True)]
    mine, rest = (good, bad) if counts_good else (bad, good)
    periodic = src.metric_type == "periodSum"
    kind = "gauge" if periodic else "counter"
    shape = (lambda v: v) if periodic else cumulative

    if len(total) == 1 and counted.metric == total[0].metric:
        # One family: the counted events under labels both selectors match, the rest under labels
        # only the total selector matches, so total = counted + rest exactly.
        inside = _labels_matching([counted, total[0]])
        outside = _labels_matching([total[0]], unlike=counted, base=inside)
        series = [(_series(counted.metric, inside), shape(mine)), (_series(counted.metric, outside), shape(rest))]
        return [(counted.metric or "series", kind, series)]
    # Several families (YACE's per-outcome *_sum series): the counted series, and a total series
    # that holds the rest when the total's sum already reads the counted one, else every event.
    counted_labels = _labels_matching([counted])
    summed = any(_selects(t, counted.metric, counted_labels) for t in total)
    other = next((t for t in total if t.metric != counted.metric or not summed), None)
    if other is None:
        raise CannotSynthesize(f"the total selectors of {slo.name} name no series apart from {counted}")
    return [
        (counted.metric or "counted", kind, [(_series(counted.metric, counted_labels), shape(mine))]),
        (
            other.metric or "total",
            kind,
            [(_series(other.metric, _labels_matching([other])), shape(rest if summed else all_events))],
        ),
    ]


def _latency(slo: Slo, story: Story) -> list[Family]:
    latency = slo.indicator.latency
    src = latency.prometheus  # type: ignore[union-attr]
    if src.buckets is None:
        # The demo backfills OpenMetrics text, which has no native histograms (Prometheus 2.x
        # ingests those only by scraping the protobuf format).
        raise CannotSynthesize(f"{slo.name} reads a native histogram, which an OpenMetrics backfill cannot hold")
    family = histogram_family(src.histogram)
    labels = _labels_matching([family])
    threshold = latency.threshold_seconds  # type: ignore[union-attr]
    bounds = sorted(src.buckets)
    counts = [[0.0] * len(story.times) for _ in bounds]
    total = [float(story.events(t)) for t in story.times]
    total[0] = 0.0
    slow = story.bad_events(total, slo.objective)
    within = [b for b in bounds if b <= threshold]
    above = [b for b in bounds if b > threshold]
    for i in range(1, len(story.times)):
        n, fast = total[i], total[i] - slow[i]
        for b, bound in enumerate(bounds):
            # Fast requests spread over the buckets up to the threshold, slow ones over those above,
            # so the threshold's bucket holds exactly the fast ones.
            if bound <= threshold:
                counts[b][i] = round(fast * (within.index(bound) + 1) / len(within))
            else:
                counts[b][i] = fast + round((n - fast) * (above.index(bound) + 1) / (len(above) + 1))
    name = family.metric or "histogram"
    series = [
        (_series(f"{name}_bucket", {**labels, "le": openmetrics_float_text(bound)}), cumulative(counts[b]))
        for b, bound in enumerate(bounds)
    ]
    series.append((_series(f"{name}_bucket", {**labels, "le": "+Inf"}), cumulative(total)))
    series.append((_series(f"{name}_count", labels), cumulative(total)))
    return [(name, "unknown", series)]


def _threshold(slo: Slo, story: Story) -> list[Family]:
    ind = slo.indicator.threshold
    assert ind is not None and ind.prometheus is not None
    good_value, bad_value = _sides(ind.operator, ind.value)
    slice_steps = max(1, ind.slice_seconds // story.step)
    values = [0.0] * len(story.times)
    for i, t in enumerate(story.times):
        # Whole bad slices at the steady rate (every k-th slice), and every slice of the spell.
        slice_index = (t - story.start) // story.step // slice_steps
        every = max(1, round(1 / max(story.bad_share(t, slo.objective), 1e-9)))
        bad = story.in_spell(t) or slice_index % every == every - 1
        values[i] = bad_value if bad else good_value
    out: list[Family] = []
    for sel in _gauge_selectors(ind.prometheus.gauge):
        out.append((sel.metric or "gauge", "gauge", [(_series(sel.metric, _labels_matching([sel])), values)]))
    return out


def _sides(operator: str, value: float) -> tuple[float, float]:
    """A value on the good side of `gauge <operator> value`, and one on the bad side."""
    low, high = (value / 2, value * 2) if value > 0 else (value - 1, value + 1)
    return (low, high) if operator in ("<", "<=") else (high, low)


# ---- labels ----------------------------------------------------------------------------------


def _labels_matching(
    selectors: Sequence[SeriesSelector], unlike: SeriesSelector | None = None, base: Labels | None = None
) -> Labels:
    """Labels every selector matches (and, with `unlike`, that selector does not)."""
    labels: Labels = dict(base or {})
    for sel in selectors:
        for m in sel.matchers:
            if not _matches(m, labels.get(m.label, "")):
                labels[m.label] = _value_for(m)
    labels = {k: v for k, v in labels.items() if v != ""}
    if unlike is not None:
        for m in unlike.matchers:
            # A negative matcher is broken by its own value; a positive one by some other value.
            own = (m.value,) if m.op == "!=" else (example_of(m.value),) if m.op == "!~" else ()
            for candidate in (*own, *_OTHER_VALUES, labels.get(m.label, "") + "-other"):
                trial = {**labels, m.label: candidate}
                if not _matches(m, candidate) and all(_selects(s, s.metric, trial) for s in selectors):
                    return {k: v for k, v in trial.items() if v != ""}
        raise CannotSynthesize(f"no labels match {selectors[0]} without also matching {unlike}")
    return labels


def _matches(m: LabelMatcher, value: str) -> bool:
    if m.op == "=":
        return value == m.value
    if m.op == "!=":
        return value != m.value
    hit = re.fullmatch(m.value, value) is not None
    return hit if m.op == "=~" else not hit


def _value_for(m: LabelMatcher) -> str:
    if m.op == "=":
        return m.value
    if m.op == "=~":
        return example_of(m.value)
    return next((v for v in (*_OTHER_VALUES, "ok") if _matches(m, v)), "ok")


def _selects(sel: SeriesSelector, name: str | None, labels: Labels) -> bool:
    if sel.metric is not None and sel.metric != name:
        return False
    return all(_matches(m, labels.get(m.label, "")) for m in sel.matchers)


def example_of(regex: str) -> str:
    """A string the regex fully matches, built from its parse tree (first branch, fewest repeats)."""
    text = _walk(sre_parse.parse(regex))
    if re.fullmatch(regex, text):
        return text
    return next((c for c in ("", "a", "0", "200", "x") if re.fullmatch(regex, c)), text)


def _walk(tree: object) -> str:
    c = sre_constants
    out = []
    for op, arg in tree:  # type: ignore[attr-defined]
        if op is c.LITERAL:
            out.append(chr(arg))
        elif op is c.ANY:
            out.append("a")
        elif op is c.IN:
            out.append(_first_in_set(arg, c))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = arg
            out.append(_walk(sub) * low)
        elif op is c.BRANCH:
            out.append(_walk(arg[1][0]))
        elif op is c.SUBPATTERN:
            out.append(_walk(arg[-1]))
    return "".join(out)


def _first_in_set(items: list[tuple[object, object]], c: object) -> str:
    negate = any(op is c.NEGATE for op, _ in items)  # type: ignore[attr-defined]
    if negate:
        excluded = {chr(a) for op, a in items if op is c.LITERAL}  # type: ignore[attr-defined]
        return next(ch for ch in "axz0_" if ch not in excluded)
    op, arg = items[0]
    if op is c.LITERAL:  # type: ignore[attr-defined]
        return chr(arg)  # type: ignore[arg-type]
    if op is c.RANGE:  # type: ignore[attr-defined]
        return chr(arg[0])  # type: ignore[index]
    if op is c.CATEGORY:  # type: ignore[attr-defined]
        return {c.CATEGORY_DIGIT: "0", c.CATEGORY_SPACE: " "}.get(arg, "a")  # type: ignore[attr-defined]
    return "a"


# ---- text ------------------------------------------------------------------------------------


def _source_selectors(slo: Slo) -> list[str]:
    ind = slo.indicator
    if ind.ratio is not None and ind.ratio.prometheus is not None:
        return ind.ratio.prometheus.selectors("total")
    if ind.latency is not None and ind.latency.prometheus is not None:
        family = histogram_family(ind.latency.prometheus.histogram)
        if ind.latency.prometheus.native:
            return [str(family)]  # the native series is the family itself
        return [str(SeriesSelector(f"{family.metric}_count", family.matchers))]
    if ind.threshold is not None and ind.threshold.prometheus is not None:
        return [str(s) for s in _gauge_selectors(ind.threshold.prometheus.gauge)]
    return []


def _gauge_selectors(expr: str) -> list[SeriesSelector]:
    """The vector selectors inside a gauge expression such as `max(x{queue="a"}) or vector(0)`."""
    return expression_selectors(expr)


def _series(metric: str | None, labels: Labels) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return f"{metric or 'series'}{{{inner}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
