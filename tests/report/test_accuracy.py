"""Report numbers against the synthetic ground truth, on a real Prometheus, at instants in the past."""

from __future__ import annotations

import pytest

from sre_cli import slomath
from sre_cli.backends.prometheus import PrometheusBackend
from sre_cli.report import make_report
from sre_cli.report.model import SloReport
from sre_cli.synth import Truth
from tests.support.truth import slo_events

from .conftest import History

STEP = 60
KINDS = {
    "api-availability": "ratio counter good/total",
    "api-latency": "histogram",
    "db-errors": "ratio counter bad/total",
    "batch-queue-age": "timeslices",
    "sfn-success": "ratio periodSum, several selectors",
}


def expected_counts(truth: Truth, slo: str, at: int, window: int) -> tuple[float, float]:
    """What Prometheus 2.x must return: the truth over (at-W, at], exactly.

    Counters: the range [at-W, at] holds the baseline sample at at-W, so increase() needs no
    extrapolation; when the window reaches past the first sample (a zero), increase()
    extrapolates only down to that zero, which is exact too. Sums over periodSum gauges and
    slice counts use left-open ranges. (Prometheus 3.x ranges are left-open: increase() would
    extrapolate the missing first step and this expectation would need that factor.)
    """
    good, total = slo_events(truth, slo, at, window)
    if slo == "batch-queue-age" and at - window < truth.times[0]:
        # synth writes a first sample (age 0, a good slice) at the start; its truth has no step there.
        return good + 1, total + 1
    return good, total


def report_at(history: History, specs, at: int) -> dict[str, SloReport]:
    backend = PrometheusBackend(history.url, timeout=30)
    report = make_report(sorted(specs.slos, key=lambda s: s.name), backend, at)
    return {s.name: s for s in report.slos}


def burn(good: float, total: float, objective: float) -> float:
    return slomath.burn_rate(slomath.error_ratio(total - good, total), objective)


@pytest.mark.e2e
@pytest.mark.parametrize("minutes_before_end", [30, 0, 6 * 60 + 7])
def test_events_and_burn_rates_match_ground_truth(history: History, specs, minutes_before_end: int) -> None:
    at = history.data.end - minutes_before_end * 60
    reports = report_at(history, specs, at)
    assert set(reports) == set(KINDS)
    truth = history.data.truth
    for slo in specs.slos:
        r = reports[slo.name]
        for seconds in slo.sli_windows:
            label = slo.window if seconds == slo.window_seconds else slomath.format_duration(seconds)
            good, total = expected_counts(truth, slo.name, at, seconds)
            exact_good, exact_total = slo_events(truth, slo.name, at, seconds)
            if seconds == slo.window_seconds:
                assert r.events is not None
                assert r.events.total == pytest.approx(total, rel=1e-9), (slo.name, "total")
                assert r.events.good == pytest.approx(good, rel=1e-9), (slo.name, "good")
            expected_burn = burn(good, total, slo.objective)
            got = r.burn_rates[label]
            assert got == pytest.approx(expected_burn, rel=1e-6, abs=1e-9), (slo.name, label)
            # Against the raw truth (no extrapolation): within 0.5% for windows with enough events.
            if seconds >= slomath.HOUR and exact_total - exact_good >= 20:
                truth_burn = burn(exact_good, exact_total, slo.objective)
                assert got == pytest.approx(truth_burn, rel=0.005), (slo.name, label, got, truth_burn)


@pytest.mark.e2e
def test_window_longer_than_data_is_flagged(history: History, specs) -> None:
    at = history.data.end - 30 * 60  # the 30d window reaches 30 minutes before the first sample
    for r in report_at(history, specs, at).values():
        assert r.coverage.complete is False, r.name
        assert r.coverage.share is not None and 0.95 < r.coverage.share < 1.0
        assert r.status in ("partial", "at_risk", "alerting", "breached"), r.name  # never ok
        assert any("data covers only" in w for w in r.warnings), r.warnings


@pytest.mark.e2e
def test_complete_window_is_not_flagged(history: History, specs) -> None:
    for r in report_at(history, specs, history.data.end).values():
        assert r.coverage.complete is True, r.name
        assert r.coverage.share == pytest.approx(1.0)
        assert not r.warnings


@pytest.mark.e2e
def test_alert_tiers_follow_unrounded_burn_rates(history: History, specs) -> None:
    """Tier state is the generated alerts' rule on unrounded burn rates, with the minEvents guard."""
    at = history.data.end - 30 * 60
    reports = report_at(history, specs, at)
    for r in reports.values():
        for a in r.alerts:
            expect = (
                a.guard_window_events is not None
                and a.guard_window_events >= a.min_events
                and slomath.tier_firing(a.long_burn_rate, a.short_burn_rate, a.factor)
            )
            assert a.firing == expect, a
            assert a.long_burn_rate == r.burn_rates[a.long_window]
    # The stack's story at that instant: 5xx burst on the API pages, the DB is healthy.
    assert reports["api-availability"].tier_firing("page")
    assert not reports["db-errors"].tier_firing("page")
    assert not reports["db-errors"].tier_firing("ticket")
