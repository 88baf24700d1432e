"""Synthetic history from a spec's own selectors: each selector reads exactly its share."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from sre_cli.demo import spec_history
from sre_cli.slospec.load import load_or_raise

STORY = spec_history.Story(start=0, end=3 * 86400)


def _slo(tmp_path: Path, indicator: str, objective: str = "99"):
    (tmp_path / "slo").mkdir(exist_ok=True)
    (tmp_path / "slo" / "x.yaml").write_text(
        "apiVersion: sre.dev/v1\nkind: SLO\nmetadata: {name: x, service: x}\nspec:\n  description: d\n"
        f"  objective: {objective}\n  window: 1d\n  indicator:\n"
        + textwrap.indent(indicator, "    ")
        + "  alerting: {ticket: {enabled: false}}\n"
    )
    return load_or_raise([tmp_path / "slo"]).slos[0]


_SERIES = re.compile(r"^(?P<name>[^{]+)\{(?P<labels>.*)\}$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def _parse(series: str) -> tuple[str, dict[str, str]]:
    m = _SERIES.match(series)
    assert m, series
    return m["name"], dict(_LABEL.findall(m["labels"]))


def _selected(selector: str, series: dict[str, list[float]]) -> float:
    """Last value summed over the series a selector picks: an independent reading of the matchers."""
    m = re.match(r"^(\w+)?\{(.*)\}$", selector) or re.match(r"^(\w+)()$", selector)
    assert m, selector
    name, matchers = m.group(1), re.findall(r'(\w+)(=~|!~|!=|=)"([^"]*)"', m.group(2))
    total = 0.0
    for text, values in series.items():
        sname, labels = _parse(text)
        if name and sname != name:
            continue
        ok = True
        for label, op, value in matchers:
            have = labels.get(label, "")
            hit = {"=": have == value, "!=": have != value}.get(op)
            if hit is None:
                full = re.fullmatch(value, have) is not None
                hit = full if op == "=~" else not full
            ok = ok and hit
        if ok:
            total += values[-1]
    return total


RATIOS = [
    ("bad-regex", 'bad: http_requests_total{job="checkout",code=~"5.."}', 'http_requests_total{job="checkout"}'),
    ("good-regex", 'good: http_requests_total{job="c",code=~"2..|3.."}', 'http_requests_total{job="c"}'),
    ("good-negative", 'good: reqs_total{code!="500"}', "reqs_total"),
    ("bad-negative-regex", 'bad: reqs_total{outcome!~"ok|skipped"}', 'reqs_total{outcome=~".+"}'),
    ("two-families", 'good: ok_total{svc="a"}', 'attempts_total{svc="a"}'),
]


@pytest.mark.parametrize(("case", "counted", "total"), RATIOS, ids=[r[0] for r in RATIOS])
def test_ratio_selectors_read_their_exact_share(tmp_path: Path, case: str, counted: str, total: str) -> None:
    slo = _slo(tmp_path, f"ratio:\n  prometheus:\n    {counted}\n    total: {total}\n")
    families = spec_history.families_for(slo, STORY)
    series = {text: values for _, _, samples in families for text, values in samples}
    key, selector = counted.split(": ", 1)
    events = _selected(total, series)
    counted_events = _selected(selector, series)
    assert events == sum(STORY.events(t) for t in STORY.times[1:])
    bad = counted_events if key == "bad" else events - counted_events
    # a third of the budget rate, 20x for the 45-minute spell
    assert 0.3 * 0.01 * events < bad < 0.02 * events, (case, bad, events)


def test_yace_period_sums_split_without_double_counting(tmp_path: Path) -> None:
    slo = _slo(
        tmp_path,
        "ratio:\n  prometheus:\n    metricType: periodSum\n"
        "    bad: ['runs_failed_sum{sm=\"a\"}', 'runs_aborted_sum{sm=\"a\"}']\n"
        "    total: ['runs_succeeded_sum{sm=\"a\"}', 'runs_failed_sum{sm=\"a\"}', 'runs_aborted_sum{sm=\"a\"}']\n",
    )
    families = spec_history.families_for(slo, STORY)
    series = {text: values for _, kind, samples in families for text, values in samples if kind == "gauge"}
    assert len(series) == 2
    bad = sum(sum(v) for t, v in series.items() if "failed" in t)
    good = sum(sum(v) for t, v in series.items() if "succeeded" in t)
    assert good + bad == sum(STORY.events(t) for t in STORY.times[1:])


def test_histogram_threshold_bucket_holds_exactly_the_fast_requests(tmp_path: Path) -> None:
    slo = _slo(
        tmp_path,
        'latency:\n  threshold: 250ms\n  prometheus:\n    histogram: lat_seconds{job="x"}\n'
        "    buckets: [0.1, 0.25, 1]\n",
    )
    (_, _, samples) = spec_history.families_for(slo, STORY)[0]
    last = {text: values[-1] for text, values in samples}
    at = last['lat_seconds_bucket{job="x",le="0.25"}']
    total = last['lat_seconds_count{job="x"}']
    assert last['lat_seconds_bucket{job="x",le="+Inf"}'] == total
    assert last['lat_seconds_bucket{job="x",le="0.1"}'] <= at <= last['lat_seconds_bucket{job="x",le="1.0"}'] <= total
    assert 0.3 * 0.01 * total < total - at < 0.02 * total


def test_threshold_gauge_found_inside_an_expression(tmp_path: Path) -> None:
    slo = _slo(
        tmp_path,
        'threshold:\n  operator: "<="\n  value: 120\n  prometheus:\n'
        '    gauge: max(queue_age_seconds{queue=~"orders|refunds"}) or vector(0)\n',
    )
    (name, kind, samples) = spec_history.families_for(slo, STORY)[0]
    assert (name, kind) == ("queue_age_seconds", "gauge")
    ((text, values),) = samples
    assert text == 'queue_age_seconds{queue="orders"}'
    assert set(values) == {60.0, 240.0}


def test_selectors_that_leave_no_bad_labels_are_refused(tmp_path: Path) -> None:
    slo = _slo(tmp_path, 'ratio:\n  prometheus:\n    good: reqs_total{job="a"}\n    total: reqs_total{job="a"}\n')
    with pytest.raises(spec_history.CannotSynthesize):
        spec_history.families_for(slo, STORY)


def test_native_histograms_are_refused(tmp_path: Path) -> None:
    # The demo backfills OpenMetrics text: it has no way to write a native histogram.
    slo = _slo(tmp_path, "latency:\n  threshold: 300ms\n  prometheus:\n    histogram: rq_seconds\n    native: true\n")
    with pytest.raises(spec_history.CannotSynthesize, match="native histogram"):
        spec_history.families_for(slo, STORY)


@pytest.mark.parametrize(
    "regex", ["5..", "orders|refunds", "2[0-9]{2}", "(GET|POST)", "[^x]+", "a?b*c+", r"\d+", "api-.*"]
)
def test_example_of_a_regex_matches_it(regex: str) -> None:
    assert re.fullmatch(regex, spec_history.example_of(regex))
