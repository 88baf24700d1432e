"""The shared SRE arithmetic: exact examples from the SRE Workbook plus properties that must hold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sre_cli import slomath as m

# ---- durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1),
        ("5m", 300),
        ("1h", 3600),
        ("1h30m", 5400),
        ("30d", 2_592_000),
        ("4w", 2_419_200),
        ("1y", 31_536_000),
        ("1500ms", None),  # not whole seconds
        ("1000ms", 1),
        ("2m30s", 150),
    ],
)
def test_parse_duration_examples(text: str, seconds: int | None) -> None:
    if seconds is None:
        with pytest.raises(ValueError, match="whole number of seconds"):
            m.parse_duration(text)
    else:
        assert m.parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "5", "m", "5 m", "-5m", "1.5h", "5M", "30days", "1h 30m", "0s", "0m", "999ms"])
def test_parse_duration_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        m.parse_duration(bad)


@pytest.mark.parametrize("bad", [None, 5, 5.0, b"5m"])
def test_parse_duration_rejects_non_strings(bad: object) -> None:
    with pytest.raises(ValueError):
        m.parse_duration(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1, "1s"), (60, "1m"), (300, "5m"), (5400, "1h30m"), (86400, "1d"), (2_592_000, "30d"), (90061, "1d1h1m1s")],
)
def test_format_duration_examples(seconds: int, text: str) -> None:
    assert m.format_duration(seconds) == text


@pytest.mark.parametrize("bad", [0, -60, 1.5])
def test_format_duration_rejects(bad: float) -> None:
    with pytest.raises(ValueError):
        m.format_duration(bad)  # type: ignore[arg-type]


@given(st.integers(min_value=1, max_value=10 * 365 * m.DAY))
def test_format_then_parse_round_trips(seconds: int) -> None:
    assert m.parse_duration(m.format_duration(seconds)) == seconds


@given(st.lists(st.tuples(st.integers(0, 500), st.sampled_from(["s", "m", "h", "d", "w"])), min_size=1, max_size=4))
def test_parse_then_format_is_canonical(parts: list[tuple[int, str]]) -> None:
    text = "".join(f"{n}{u}" for n, u in parts)
    seconds = sum(n * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[u] for n, u in parts)
    if seconds == 0:
        with pytest.raises(ValueError):
            m.parse_duration(text)
        return
    assert m.parse_duration(text) == seconds
    canonical = m.format_duration(seconds)
    assert m.parse_duration(canonical) == seconds
    assert m.format_duration(m.parse_duration(canonical)) == canonical


@pytest.mark.parametrize(
    ("text", "seconds"), [("300ms", 0.3), ("0.3s", 0.3), ("0.3", 0.3), (0.3, 0.3), (1, 1.0), ("1s", 1.0), ("2.5s", 2.5)]
)
def test_parse_latency(text: str | float, seconds: float) -> None:
    assert m.parse_latency(text) == seconds


@pytest.mark.parametrize("bad", ["fast", "0ms", 0, -0.3, "-1s", "1m", True, float("inf"), float("nan"), "1e3"])
def test_parse_latency_rejects(bad: object) -> None:
    with pytest.raises(ValueError, match="invalid latency"):
        m.parse_latency(bad)  # type: ignore[arg-type]


@given(st.integers(1, 100_000))
def test_latency_ms_and_seconds_agree(ms: int) -> None:
    assert m.parse_latency(f"{ms}ms") == m.parse_latency(ms / 1000) == round(ms / 1000, 9)


def test_window_seconds() -> None:
    assert m.window_seconds("30d") == 30 * m.DAY
    assert m.window_seconds("4w") == 28 * m.DAY
    assert m.window_seconds("month") == 30 * m.DAY
    assert m.window_seconds("week") == 7 * m.DAY
    with pytest.raises(ValueError):
        m.window_seconds("quarter")


# ---- burn factors and window tables -------------------------------------------------------------

THIRTY_DAYS = 30 * m.DAY


def test_default_tiers_are_the_workbook_table() -> None:
    page, ticket = m.DEFAULT_TIERS
    assert (page.name, ticket.name) == ("page", "ticket")
    assert [(w.long, w.short, w.budget_share) for w in page.windows] == [(3600, 300, 0.02), (21600, 1800, 0.05)]
    assert [(w.long, w.short, w.budget_share) for w in ticket.windows] == [(86400, 7200, 0.10), (259200, 21600, 0.10)]


def test_burn_factors_for_30d_are_14_4_6_3_1() -> None:
    factors = [w.factor(THIRTY_DAYS) for t in m.DEFAULT_TIERS for w in t.windows]
    assert factors == pytest.approx([14.4, 6.0, 3.0, 1.0], rel=1e-12)


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (7 * m.DAY, [3.36, 1.4, 0.7, 0.7 / 3]),
        (28 * m.DAY, [13.44, 5.6, 2.8, 2.8 / 3]),
    ],
)
def test_burn_factors_are_computed_for_other_windows(window: int, expected: list[float]) -> None:
    factors = [w.factor(window) for t in m.DEFAULT_TIERS for w in t.windows]
    assert factors == pytest.approx(expected, rel=1e-12)


@given(
    share=st.floats(min_value=1e-6, max_value=1.0),
    window=st.integers(m.DAY, 400 * m.DAY),
    long=st.integers(60, 30 * m.DAY),
)
def test_burning_at_the_factor_for_the_long_window_spends_the_share(share: float, window: int, long: int) -> None:
    factor = m.burn_factor(share, window, long)
    # budget spent = rate x time / window
    assert factor * long / window == pytest.approx(share, rel=1e-9)


@pytest.mark.parametrize(
    ("share", "window", "long"), [(0, 100, 10), (1.01, 100, 10), (-0.1, 100, 10), (0.1, 0, 10), (0.1, 100, 0)]
)
def test_burn_factor_rejects(share: float, window: int, long: int) -> None:
    with pytest.raises(ValueError):
        m.burn_factor(share, window, long)


def test_sli_windows_cover_report_alert_and_slo_windows() -> None:
    windows = m.sli_windows(THIRTY_DAYS)
    assert windows == tuple(sorted(set(windows)))
    assert set(m.REPORT_WINDOWS) <= set(windows)
    assert THIRTY_DAYS in windows
    for tier in m.DEFAULT_TIERS:
        for w in tier.windows:
            assert {w.long, w.short} <= set(windows)
    custom = (m.Tier("page", (m.BurnWindow(2 * m.HOUR, 10 * m.MINUTE, 0.03),)),)
    assert 10 * m.MINUTE in m.sli_windows(7 * m.DAY, custom)
    assert 7 * m.DAY in m.sli_windows(7 * m.DAY, custom)


# ---- error budgets ----------------------------------------------------------------------------------


def test_error_budget() -> None:
    assert m.error_budget(0.999) == pytest.approx(0.001)
    assert m.error_budget(0.95) == pytest.approx(0.05)
    for bad in (0, 1, -0.5, 1.5, 99.9):
        with pytest.raises(ValueError):
            m.error_budget(bad)


def test_error_ratio() -> None:
    assert m.error_ratio(1, 1000) == 0.001
    assert m.error_ratio(0, 0) is None  # no traffic is not an outage
    assert m.error_ratio(5, 3) == 1.0  # counter resets can make bad > total; clamp
    with pytest.raises(ValueError):
        m.error_ratio(-1, 10)
    with pytest.raises(ValueError):
        m.error_ratio(1, -10)


def test_budget_examples() -> None:
    # 99.9% over 1,000,000 requests allows 1,000 bad; 250 bad spent a quarter.
    assert m.allowed_bad_events(1_000_000, 0.999) == pytest.approx(1000)
    assert m.error_budget_consumed(250, 1_000_000, 0.999) == pytest.approx(0.25)
    assert m.error_budget_remaining(250, 1_000_000, 0.999) == pytest.approx(0.75)
    assert m.error_budget_remaining(2000, 1_000_000, 0.999) == pytest.approx(-1.0)  # breached: negative
    assert m.error_budget_consumed(0, 0, 0.999) is None
    assert m.error_budget_remaining(0, 0, 0.999) is None


objectives = st.floats(min_value=0.5, max_value=0.99999)
totals = st.integers(min_value=1, max_value=10**12)


@given(objective=objectives, total=totals, data=st.data())
def test_consumed_plus_remaining_is_one(objective: float, total: int, data: st.DataObject) -> None:
    bad = data.draw(st.integers(0, total))
    consumed = m.error_budget_consumed(bad, total, objective)
    remaining = m.error_budget_remaining(bad, total, objective)
    assert consumed is not None and remaining is not None
    assert consumed + remaining == pytest.approx(1.0)
    # consumed is bad events over the allowed bad events
    assert consumed == pytest.approx(bad / m.allowed_bad_events(total, objective), rel=1e-9)
    # over the window, the budget consumed equals the burn rate of the whole window
    assert consumed == m.burn_rate(m.error_ratio(bad, total), objective)


@given(objective=objectives, total=totals)
def test_the_allowed_bad_events_spend_the_whole_budget(objective: float, total: int) -> None:
    allowed = m.allowed_bad_events(total, objective)
    assert m.error_budget_consumed(allowed, total, objective) == pytest.approx(1.0)
    assert m.error_budget_remaining(allowed, total, objective) == pytest.approx(0.0, abs=1e-9)


@given(objective=objectives, r1=st.floats(0, 1), r2=st.floats(0, 1))
def test_burn_rate_is_monotonic_in_the_error_ratio(objective: float, r1: float, r2: float) -> None:
    lo, hi = sorted((r1, r2))
    assert m.burn_rate(lo, objective) <= m.burn_rate(hi, objective)


@given(r=st.floats(1e-6, 1), o1=objectives, o2=objectives)
def test_stricter_objective_burns_faster(r: float, o1: float, o2: float) -> None:
    lax, strict = sorted((o1, o2))
    assert m.burn_rate(r, lax) <= m.burn_rate(r, strict)


def test_burn_rate_examples() -> None:
    assert m.burn_rate(0.001, 0.999) == pytest.approx(1.0)  # exactly on budget
    assert m.burn_rate(0.0144, 0.999) == pytest.approx(14.4)
    assert m.burn_rate(0.0, 0.999) == 0.0
    assert m.burn_rate(None, 0.999) is None


# ---- time to exhaustion ---------------------------------------------------------------------------


def test_time_to_exhaustion_examples() -> None:
    assert m.time_to_exhaustion(1.0, 1.0, THIRTY_DAYS) == THIRTY_DAYS  # burn rate 1 spends it in one window
    assert m.time_to_exhaustion(1.0, 14.4, THIRTY_DAYS) == pytest.approx(50 * m.HOUR)  # 30d / 14.4
    assert m.time_to_exhaustion(0.5, 2.0, THIRTY_DAYS) == pytest.approx(THIRTY_DAYS / 4)
    assert m.time_to_exhaustion(0.0, 5.0, THIRTY_DAYS) == 0.0  # already gone
    assert m.time_to_exhaustion(-0.3, 5.0, THIRTY_DAYS) == 0.0  # breached
    assert m.time_to_exhaustion(0.5, 0.0, THIRTY_DAYS) is None  # not burning: never
    assert m.time_to_exhaustion(None, 1.0, THIRTY_DAYS) is None
    assert m.time_to_exhaustion(0.5, None, THIRTY_DAYS) is None


@given(remaining=st.floats(1e-6, 1), r1=st.floats(1e-3, 1e3), r2=st.floats(1e-3, 1e3))
def test_faster_burn_exhausts_sooner(remaining: float, r1: float, r2: float) -> None:
    slow, fast = sorted((r1, r2))
    t_slow = m.time_to_exhaustion(remaining, slow, THIRTY_DAYS)
    t_fast = m.time_to_exhaustion(remaining, fast, THIRTY_DAYS)
    assert t_fast <= t_slow
    # spending `rate x t / window` of the budget in t leaves nothing
    assert fast * t_fast / THIRTY_DAYS == pytest.approx(remaining)


# ---- timeslices ------------------------------------------------------------------------------------


def test_timeslice_budget_examples() -> None:
    assert m.timeslice_budget(THIRTY_DAYS, 60, 0.99) == pytest.approx(432)  # 43,200 minutes x 1%
    assert m.timeslice_budget(7 * m.DAY, 300, 0.999) == pytest.approx(2.016)
    with pytest.raises(ValueError):
        m.timeslice_budget(THIRTY_DAYS, 7 * 60, 0.99)  # 7m does not divide 30d
    with pytest.raises(ValueError):
        m.timeslice_budget(THIRTY_DAYS, 0, 0.99)


@given(slices=st.integers(1, 100_000), slice_s=st.sampled_from([10, 60, 300, 3600]), objective=objectives)
def test_timeslice_budget_is_slices_times_budget(slices: int, slice_s: int, objective: float) -> None:
    window = slices * slice_s
    assert m.timeslice_budget(window, slice_s, objective) == pytest.approx(slices * (1 - objective))


# ---- tier firing: at or over the factor, within a billionth, unrounded ----------------------------


def test_tier_firing_at_the_factor_and_only_both_windows() -> None:
    assert m.tier_firing(3.0, 3.0, 3.0)  # at the factor the budget lasts exactly the window: report it
    assert m.tier_firing(14.4, 14.4, 14.4)
    assert not m.tier_firing(3.0000001, 2.9, 3.0)  # both windows must burn at the factor
    assert not m.tier_firing(2.9, 3.0000001, 3.0)
    assert not m.tier_firing(2.99999, 100.0, 3.0)
    assert not m.tier_firing(None, 100.0, 3.0)
    assert not m.tier_firing(100.0, None, 3.0)


def test_tier_firing_tolerates_float_noise_only() -> None:
    # What a rule chain computes for an exact 1x burn: 1 - 5.7e-14 (seen in promtool).
    assert m.tier_firing(0.9999999999999434, 0.9999999999999434, 1.0)
    assert m.tier_firing(14.4 * (1 - 1e-10), 14.4 * (1 - 1e-10), 14.4)
    # A millionth below is a real shortfall, not rounding.
    assert not m.tier_firing(14.4 * (1 - 1e-6), 14.4, 14.4)
    assert not m.tier_firing(1 - 1e-6, 1.0, 1.0)


@given(st.floats(min_value=1e-3, max_value=1e4))
def test_firing_threshold_is_just_below_the_factor(factor: float) -> None:
    threshold = m.firing_threshold(factor)
    assert threshold <= factor
    assert factor - threshold <= factor * 2e-9 + 1e-12


def test_tier_firing_needs_data() -> None:
    assert not m.tier_firing(None, 100.0, 1.0)
    assert not m.tier_firing(100.0, None, 1.0)


@given(long=st.floats(0, 1e6), short=st.floats(0, 1e6), factor=st.floats(1e-3, 1e3))
def test_tier_firing_is_exactly_both_at_the_threshold(long: float, short: float, factor: float) -> None:
    threshold = m.firing_threshold(factor)
    assert m.tier_firing(long, short, factor) is (long >= threshold and short >= threshold)
    assert m.tier_firing(factor, factor, factor)
