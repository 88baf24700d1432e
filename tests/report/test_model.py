"""The pure report model and PromQL building: status rules, exhaustion, burn-down, edges."""

from __future__ import annotations

import pytest

from sre_cli import slomath
from sre_cli.backends import Counts, HistoryStep, Measurement, promql
from sre_cli.report.model import AT_RISK_BUDGET_REMAINING, STATUSES, build, by_severity
from sre_cli.slospec.load import load
from tests.support.spec_table import write_specs

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


def test_ok_at_risk_breached_no_data(avail) -> None:
    total = 1_000_000.0
    allowed = total * 0.001
    ok = build(avail, measurement(avail, {W: Counts(total - allowed * 0.5, total)}))
    assert ok.status == "ok" and ok.remaining == pytest.approx(0.5)
    low = build(avail, measurement(avail, {W: Counts(total - allowed * (1 - AT_RISK_BUDGET_REMAINING / 2), total)}))
    assert low.status == "at_risk"
    breached = build(avail, measurement(avail, {W: Counts(total - allowed * 1.01, total)}))
    assert breached.status == "breached" and breached.remaining < 0
    empty = build(avail, measurement(avail, {W: None}))
    assert empty.status == "no_data" and empty.sli is None and empty.remaining is None
    assert empty.warnings


def test_incomplete_coverage_is_partial_never_ok(avail) -> None:
    r = build(avail, measurement(avail, {W: Counts(999_999.0, 1_000_000.0)}, at_start=False))
    assert r.status == "partial" and not r.coverage.complete
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
    assert page.firing and r.tier_firing("page") and r.status == "alerting"


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
    # Half the budget left, burning at 2x while the spent half leaves the rolling window at its
    # average 0.5x: the budget spent grows by 1.5 budgets per window, gone in a third of it.
    assert r.exhaustion_at["1h"] == pytest.approx(AT + 0.5 * W / 1.5)
    assert r.status == "at_risk"


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


def test_native_latency_counts_read_histogram_count_and_fraction(tmp_path) -> None:
    spec = """
    metadata: {name: n, service: t}
    spec:
      description: d
      objective: 99
      indicator:
        groupBy: [handler]
        latency:
          threshold: 300ms
          prometheus: {histogram: 'rq_seconds{job="api"}', native: true}
    """
    specs = load([write_specs(tmp_path, spec, None)])
    assert specs.ok, specs.errors
    queries = promql.slo_queries(specs.slos[0])
    num, total = queries.counts(3600)
    increase = 'sum by (handler) (increase(rq_seconds{job="api"}[1h]))'
    assert queries.numerator_is_bad
    # Without requests the fraction is NaN (0/0): `> 0` leaves no sample, which reads as 0 slow requests.
    assert num == f"histogram_fraction(0.3, +Inf, {increase}) * (histogram_count({increase}) > 0)"
    assert total == f"histogram_count({increase})"
    assert queries.presence == 'group(rq_seconds{job="api"})'


def test_left_open_ranges() -> None:
    assert promql.open_duration(300) == "4m59s999ms"
    assert promql.open_duration(1) == "999ms"


# ---- issue 14 item 5: statuses from the alerts and the forecast -------------------------------


def test_fast_burn_that_runs_out_in_days_is_not_ok(avail) -> None:
    # sfn-success at the demo's instant: 71% left, 1h burn 7x (under the 14.4x page), 6h 1.5x.
    total = 1_000_000.0
    r = build(
        avail,
        measurement(
            avail,
            {
                W: Counts(total - 0.29 * total * 0.001, total),
                slomath.HOUR: Counts(10_000 - 70, 10_000),
                6 * slomath.HOUR: Counts(60_000 - 90, 60_000),
            },
        ),
    )
    assert not any(a.firing for a in r.alerts)
    assert r.status == "at_risk"
    days = (r.exhaustion_at["1h"] - AT) / slomath.DAY
    assert days == pytest.approx(0.71 * 30 / (7 - 0.29))  # about 3.2 days
    assert r.runs_out_at == r.exhaustion_at["1h"]


def test_steady_sub_1x_burn_never_exhausts_a_rolling_budget(avail) -> None:
    # 67% left and burning 0.3x everywhere: the old forecast said "exhausted in 68 days".
    total = 1_000_000.0
    steady = {w: Counts(1000 - 0.3, 1000) for w in avail.sli_windows}
    r = build(avail, measurement(avail, steady | {W: Counts(total - 0.33 * total * 0.001, total)}))
    assert r.exhaustion_at == {"1h": None, "6h": None}
    assert r.status == "ok"


@pytest.mark.parametrize(
    ("remaining", "rate", "expected"),
    [
        (1.0, 1.0, W),  # untouched budget at exactly 1x: spent by the end of one window
        (1.0, 14.4, W / 14.4),
        (0.5, 2.0, W / 3),
        (0.3, 0.99, None),  # under 1x: settles at 99% spent, never out
        (0.01, 0.5, None),
        (0.0, 5.0, 0.0),
        (-0.3, 5.0, 0.0),
        (0.5, 0.0, None),
        (None, 1.0, None),
        (0.5, None, None),
    ],
)
def test_rolling_time_to_exhaustion(remaining, rate, expected) -> None:
    got = slomath.rolling_time_to_exhaustion(remaining, rate, W)
    assert got == (pytest.approx(expected) if expected else expected)


def test_calendar_budget_runs_out_only_before_the_window_ends() -> None:
    day = slomath.DAY
    # 10 days into a month, half the budget left, burning 3x: 0.5 * 10d / 2 = 2.5 days.
    assert slomath.calendar_time_to_exhaustion(0.5, 3.0, 10 * day, 20 * day) == pytest.approx(2.5 * day)
    # The same burn with 1 day left: the budget starts afresh before it runs out.
    assert slomath.calendar_time_to_exhaustion(0.5, 3.0, 10 * day, day) is None
    assert slomath.calendar_time_to_exhaustion(0.5, 1.0, 10 * day, 20 * day) is None


def test_statuses_sort_by_severity(avail) -> None:
    total = 1_000_000.0
    allowed = total * 0.001
    hour, five = slomath.HOUR, 5 * slomath.MINUTE
    reports = {
        "ok": build(avail, measurement(avail, {W: Counts(total - allowed * 0.5, total)})),
        "breached": build(avail, measurement(avail, {W: Counts(total - allowed * 3, total)})),
        "no_data": build(avail, measurement(avail, {W: None})),
        "partial": build(avail, measurement(avail, {W: Counts(total - allowed * 0.1, total)}, at_start=False)),
        "at_risk": build(avail, measurement(avail, {W: Counts(total - allowed * 0.9, total)})),
        "alerting": build(
            avail, measurement(avail, {hour: Counts(100_000 - 2000, 100_000), five: Counts(10_000 - 200, 10_000)})
        ),
    }
    for status, r in reports.items():
        assert r.status == status, (status, r.status)
    assert [r.status for r in by_severity(list(reports.values()))] == list(STATUSES)


def test_no_data_says_so_not_window_longer_than_the_data(avail) -> None:
    from sre_cli.report.render_html import card

    m = measurement(avail, {w: None for w in avail.sli_windows}, at_start=False)
    m = Measurement(**{**m.__dict__, "coverage": 0.0, "data_since": None, "data_at_start": None})
    r = build(avail, m)
    assert r.status == "no_data"
    html = card(r)
    assert "no data" in html and "longer than the data" not in html
    assert not any("longer than the data" in w or "covers only" in w for w in r.warnings)
