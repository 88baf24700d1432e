"""The pure report model and PromQL building: status rules, exhaustion, burn-down, edges."""

from __future__ import annotations

import pytest

from sre_cli import slomath
from sre_cli.backends import Counts, HistoryStep, Measurement, promql
from sre_cli.report.model import WARNING_BUDGET_REMAINING, build

AT = 1_700_000_000.0
W = 30 * slomath.DAY


def measurement(slo, windows: dict[int, Counts | None], *, at_start: bool = True, history=()) -> Measurement:
    full = dict.fromkeys(slo.sli_windows, Counts(1000.0, 1000.0)) | windows
    return Measurement(
        slo=slo.name,
        unit="events",
        at=AT,
        slo_window=W,
        windows=full,
        coverage=1.0,
        data_since=None if at_start else AT - 2 * slomath.DAY,
        coverage_step=1800,
        data_at_start=at_start,
        history=tuple(history),
    )


@pytest.fixture
def avail(specs):
    return next(s for s in specs.slos if s.name == "api-availability")  # 99.9%, minEvents 100


def test_ok_warning_breached_no_data(avail) -> None:
    total = 1_000_000.0
    allowed = total * 0.001
    ok = build(avail, measurement(avail, {W: Counts(total - allowed * 0.5, total)}))
    assert ok.status == "ok" and ok.remaining == pytest.approx(0.5)
    low = build(avail, measurement(avail, {W: Counts(total - allowed * (1 - WARNING_BUDGET_REMAINING / 2), total)}))
    assert low.status == "warning"
    breached = build(avail, measurement(avail, {W: Counts(total - allowed * 1.01, total)}))
    assert breached.status == "breached" and breached.remaining < 0
    empty = build(avail, measurement(avail, {W: None}))
    assert empty.status == "no_data" and empty.sli is None and empty.remaining is None
    assert empty.warnings


def test_incomplete_coverage_is_at_least_warning(avail) -> None:
    r = build(avail, measurement(avail, {W: Counts(999_999.0, 1_000_000.0)}, at_start=False))
    assert r.status == "warning" and not r.coverage.complete
    assert r.coverage.share == pytest.approx(2 / 30)
    assert "data covers only 2d of the 30d window" in r.warnings[0]


def test_burn_rate_just_over_the_factor_fires_unrounded(avail) -> None:
    # 1h burn 14.41 vs factor 14.4 (rounded to one decimal it would not fire), 5m burn 20.
    hour, five = slomath.HOUR, 5 * slomath.MINUTE
    r = build(
        avail,
        measurement(avail, {hour: Counts(100_000 - 1441, 100_000), five: Counts(10_000 - 200, 10_000)}),
    )
    page = next(a for a in r.alerts if a.long_window == "1h")
    assert page.long_burn_rate == pytest.approx(14.41) and page.factor == pytest.approx(14.4)
    assert page.firing and r.tier_firing("page") and r.status == "warning"


def test_min_events_guard(avail) -> None:
    hour, five = slomath.HOUR, 5 * slomath.MINUTE
    r = build(avail, measurement(avail, {hour: Counts(50, 99), five: Counts(0, 10)}))  # 99 < minEvents 100
    assert not next(a for a in r.alerts if a.long_window == "1h").firing


def test_exhaustion_at_current_burn(avail) -> None:
    total = 1_000_000.0
    r = build(
        avail,
        measurement(avail, {W: Counts(total - 500, total), slomath.HOUR: Counts(1000 - 2, 1000)}),
    )
    # half the budget left, burning at 2x: gone in a quarter of the window.
    assert r.exhaustion_at["1h"] == pytest.approx(AT + 0.5 * W / 2)


def test_burn_down_ends_at_remaining(avail) -> None:
    steps = [HistoryStep(AT - W + (i + 1) * (W // 4), 250_000 - 125, 250_000) for i in range(4)]
    r = build(avail, measurement(avail, {W: Counts(1_000_000 - 500, 1_000_000)}, history=steps))
    assert r.burn_down[0].remaining == 1.0
    assert [p.remaining for p in r.burn_down[1:]] == pytest.approx([0.875, 0.75, 0.625, 0.5])
    assert r.burn_down[-1].remaining == pytest.approx(r.remaining)


def test_latency_counts_read_the_threshold_bucket_and_count(specs) -> None:
    # Bucket naming and `le` spellings are tested in tests/test_promql_selectors.py.
    latency = next(s for s in specs.slos if s.name == "api-latency")
    num, total = promql.slo_queries(latency).counts(3600)
    assert num == 'sum(increase(http_request_duration_seconds_bucket{job="api",le="0.3"}[1h]))'
    assert total == 'sum(increase(http_request_duration_seconds_count{job="api"}[1h]))'


def test_left_open_ranges() -> None:
    assert promql.open_duration(300) == "4m59s999ms"
    assert promql.open_duration(1) == "999ms"
