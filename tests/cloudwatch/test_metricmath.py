"""The generated metric math, evaluated on synthetic datapoints, computes the SRE math module's burn rates."""

from __future__ import annotations

import random
from typing import Any

import pytest

from sre_cli import slomath
from sre_cli.slospec.model import Slo, SpecSet
from sre_cli.targets.cloudwatch import alarms, metricmath
from tests.support import cloudwatch_eval
from tests.support.cloudwatch_eval import Series, resample

from .conftest import slo_named

MINUTES = 3 * 24 * 60  # three days of per-minute data: enough for every window we alarm on
EVENT_SLOS = ("api-availability", "api-latency", "db-errors", "sfn-success")
ALL_SLOS = (*EVENT_SLOS, "batch-queue-age")
GOOD_GAUGE, BAD_GAUGE = 100.0, 1000.0


# ---- synthetic CloudWatch -------------------------------------------------------------------------


def _metric_series(name: str, dims: dict[str, str], total: list[float], bad: list[float]) -> list[float]:
    """Per-minute Sum of one metric of the stack's contract for `total` events of which `bad` are bad."""
    good = [t - b for t, b in zip(total, bad, strict=True)]
    by_name = {
        "RequestCount": total,
        "HTTPCode_Target_2XX_Count": good,
        # Every bad request is the target's own 5xx here: the ALB answers nothing itself.
        "HTTPCode_ELB_5XX_Count": [0.0] * len(bad),
        "DbOperations": total,
        "DbErrors": [b / 2 for b in bad] if dims.get("ErrorType") in ("timeout", "connection") else [0.0] * len(bad),
        "ExecutionsSucceeded": good,
        "ExecutionsFailed": [b / 2 for b in bad],
        "ExecutionsTimedOut": [b / 2 for b in bad],
        # Halves add up exactly in binary floating point; aborted stays absent (a sparse count).
        "ExecutionsAborted": [0.0] * len(bad),
    }
    return by_name[name]


def _sparse(points: list[float]) -> list[float | None]:
    # CloudWatch publishes no datapoint for a count that stayed zero: FILL must cope.
    return [None if p == 0 else p for p in points]


def fetch(slo: Slo, query: dict[str, Any], scenario: dict[str, list[float]]) -> Series:
    """What GetMetricData would return for one MetricStat of an alarm, periods aligned to 'now'."""
    stat = query["MetricStat"]
    period = stat["Period"]
    metric = stat["Metric"]
    dims = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
    how = stat["Stat"]
    if slo.indicator.kind == "threshold":
        gauge = scenario["gauge"]
        if how.startswith("PR(:"):
            limit = float(how[4:-1])
            good = resample([1.0 if g <= limit else 0.0 for g in gauge], 60, period, "Sum")
            count = resample(gauge, 60, period, "SampleCount")
            return [None if c is None else 100 * (g or 0) / c for g, c in zip(good, count, strict=True)]
        return resample(gauge, 60, period, how)
    total, bad = scenario["total"], scenario["bad"]
    if slo.indicator.kind == "latency":
        count = resample(_sparse(total), 60, period, "Sum")
        if how == "SampleCount":
            return count
        fast = resample([t - b for t, b in zip(total, bad, strict=True)], 60, period, "Sum")
        return [None if not c else 100 * (f or 0) / c for f, c in zip(fast, count, strict=True)]
    return resample(_sparse(_metric_series(metric["MetricName"], dims, total, bad)), 60, period, "Sum")


def alarm_data(slo: Slo, alarm: dict[str, Any], scenario: dict[str, list[float]]) -> dict[str, Series]:
    return {q["Id"]: fetch(slo, q, scenario) for q in alarm["Metrics"] if "MetricStat" in q}


def burn_series(slo: Slo, alarm: dict[str, Any], scenario: dict[str, list[float]]) -> Series:
    return cloudwatch_eval.evaluate_queries(alarm["Metrics"], alarm_data(slo, alarm, scenario))


def true_burn(scenario: dict[str, list[float]], slo: Slo, window: int) -> float | None:
    """The burn rate over the last `window` seconds, straight from the SRE math module."""
    n = window // 60
    if slo.indicator.kind == "threshold":
        assert slo.indicator.threshold is not None
        value = slo.indicator.threshold.value
        slices = scenario["gauge"][-n:]
        bad_slices = sum(1 for g in slices if g > value)
        return slomath.burn_rate(slomath.error_ratio(bad_slices, len(slices)), slo.objective)
    total, bad = sum(scenario["total"][-n:]), sum(scenario["bad"][-n:])
    return slomath.burn_rate(slomath.error_ratio(bad, total), slo.objective)


def states(specs: SpecSet, slo: Slo, scenario: dict[str, list[float]]) -> dict[str, bool]:
    """Alarm name -> in ALARM, for every metric and composite alarm of the SLO."""
    metric, composite = alarms.slo_alarms(specs, slo)
    result = {name: cloudwatch_eval.alarm_breaching(a, alarm_data(slo, a, scenario)) for name, a in metric.items()}
    # Composites may name composites (page-any): evaluate until all are known.
    pending = dict(composite)
    while pending:
        for name, c in list(pending.items()):
            if all(child in result for _, child in metricmath.rule_alarms(c["AlarmRule"])):
                result[name] = cloudwatch_eval.composite_firing(c["AlarmRule"], result)
                del pending[name]
    return result


# ---- scenarios --------------------------------------------------------------------------------------


def error_budget(slo: Slo) -> float:
    # 1 - 0.99 is 0.010000000000000009 in floats; the alarms (and people) mean 0.01.
    return round(slomath.error_budget(slo.objective), 12)


def events_per_minute(slo: Slo) -> float:
    return 100.0 if slo.name == "sfn-success" else 1000.0


def steady(slo: Slo, burn: float) -> dict[str, list[float]]:
    """Traffic burning the budget at exactly `burn` x the sustainable rate, every minute."""
    if slo.indicator.kind == "threshold":
        # One bad minute in every 1/budget minutes: a 1x burn over any whole number of cycles.
        every = round(1 / (error_budget(slo) * burn))
        return {"gauge": [BAD_GAUGE if i % every == every - 1 else GOOD_GAUGE for i in range(MINUTES)]}
    t = events_per_minute(slo)
    return {"total": [t] * MINUTES, "bad": [t * error_budget(slo) * burn] * MINUTES}


def burst(slo: Slo, budget_share: float, minutes: int = 60) -> dict[str, list[float]]:
    """A clean 3 days, then the last `minutes` burn `budget_share` of the 30-day error budget."""
    budget = error_budget(slo)
    window_minutes = slo.window_seconds // 60
    if slo.indicator.kind == "threshold":
        bad_slices = budget_share * budget * window_minutes
        n_bad = int(bad_slices) + (0 if bad_slices == int(bad_slices) else 1)
        return {"gauge": [GOOD_GAUGE] * (MINUTES - n_bad) + [BAD_GAUGE] * n_bad}
    t = events_per_minute(slo)
    per_minute = budget_share * budget * t * window_minutes / minutes
    return {"total": [t] * MINUTES, "bad": [0.0] * (MINUTES - minutes) + [per_minute] * minutes}


def noisy(slo: Slo, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
    if slo.indicator.kind == "threshold":
        return {"gauge": [rng.choice((GOOD_GAUGE, GOOD_GAUGE, GOOD_GAUGE, BAD_GAUGE)) for _ in range(MINUTES)]}
    total = [float(rng.choice((0, rng.randint(1, 2000)))) for _ in range(MINUTES)]
    bad = [min(t, float(rng.choice((0, 0, rng.randint(0, 40))))) for t in total]
    return {"total": total, "bad": bad}


# ---- tests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EVENT_SLOS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_window_burn_equals_slomath(specs: SpecSet, name: str, seed: int) -> None:
    slo = slo_named(specs, name)
    scenario = noisy(slo, seed)
    metric, _ = alarms.slo_alarms(specs, slo)
    checked = 0
    for alarm in metric.values():
        if alarm["EvaluationPeriods"] != 1 or "long" not in alarm["AlarmName"].rsplit("-", 1)[-1]:
            continue
        period = next(q["MetricStat"]["Period"] for q in alarm["Metrics"] if "MetricStat" in q)
        got = burn_series(slo, alarm, scenario)[-1]
        want = true_burn(scenario, slo, period)
        guard = next(slo.min_events_for(w) for t in slo.tiers for w in t.windows if w.long == period)
        total = sum(scenario["total"][-(period // 60) :])
        if want is None or total < guard:
            assert got == 0
        else:
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12), alarm["AlarmName"]
        checked += 1
    # 1h, 6h and 1d long windows (and a 5m outage pair's) are one datapoint each; 3d is not.
    assert checked == (4 if slo.name in ("api-latency", "sfn-success") else 3)


@pytest.mark.parametrize("name", EVENT_SLOS)
def test_fallback_sub_period_burns_equal_slomath_and_never_overstate(specs: SpecSet, name: str) -> None:
    slo = slo_named(specs, name)
    alarm = alarms.slo_alarms(specs, slo)[0][f"{name}-ticket-3d-6h-long"]
    for seed in range(4):
        scenario = noisy(slo, seed)
        series = burn_series(slo, alarm, scenario)
        assert len(series) == 3
        for day in range(3):
            end = MINUTES - (2 - day) * 1440
            total = sum(scenario["total"][end - 1440 : end])
            bad = sum(scenario["bad"][end - 1440 : end])
            want = slomath.burn_rate(slomath.error_ratio(bad, total), slo.objective)
            assert series[day] == pytest.approx(want if total >= 34 else 0, rel=1e-9, abs=1e-12)
        # Sound: when every day burns above the factor, the 3-day ratio of sums does too.
        if cloudwatch_eval.alarm_breaching(alarm, alarm_data(slo, alarm, scenario)):
            assert (true_burn(scenario, slo, 3 * slomath.DAY) or 0) > alarm["Threshold"]


def test_fallback_fires_on_a_sustained_3d_burn(specs: SpecSet) -> None:
    slo = slo_named(specs, "db-errors")
    alarm = alarms.slo_alarms(specs, slo)[0]["db-errors-ticket-3d-6h-long"]
    assert cloudwatch_eval.alarm_breaching(alarm, alarm_data(slo, alarm, steady(slo, 1.5)))
    assert cloudwatch_eval.alarm_breaching(alarm, alarm_data(slo, alarm, steady(slo, 1.0)))  # at the factor
    assert not cloudwatch_eval.alarm_breaching(alarm, alarm_data(slo, alarm, steady(slo, 0.99)))


@pytest.mark.parametrize("seed", range(6))
def test_timeslice_m_of_n_is_exactly_the_slice_burn(specs: SpecSet, seed: int) -> None:
    slo = slo_named(specs, "batch-queue-age")
    metric, _ = alarms.slo_alarms(specs, slo)
    rng = random.Random(seed)
    share = rng.choice((0.005, 0.02, 0.05, 0.15, 0.3))
    scenario = {"gauge": [BAD_GAUGE if rng.random() < share else GOOD_GAUGE for _ in range(MINUTES)]}
    for alarm in metric.values():
        if alarm["Metrics"][0]["MetricStat"]["Period"] != 60:
            continue
        window = alarm["EvaluationPeriods"] * 60
        want = slomath.tier_firing(
            true_burn(scenario, slo, window), true_burn(scenario, slo, window), alarm["Threshold"]
        )
        got = cloudwatch_eval.alarm_breaching(alarm, alarm_data(slo, alarm, scenario))
        assert got == want, (alarm["AlarmName"], true_burn(scenario, slo, window))


@pytest.mark.parametrize("name", ALL_SLOS)
def test_a_burst_of_2_percent_of_the_budget_in_1h_pages(specs: SpecSet, name: str) -> None:
    slo = slo_named(specs, name)
    # Exactly 2%: the alarm compares "at or over" the factor, like slomath.tier_firing.
    fired = states(specs, slo, burst(slo, 0.02))
    assert fired[f"{name}-page-1h-5m-long"] and fired[f"{name}-page-1h-5m-short"]
    assert fired[f"{name}-page-1h-5m"]
    assert fired[f"{name}-page-any"]


@pytest.mark.parametrize("name", ALL_SLOS)
def test_just_under_the_factor_does_not_fire(specs: SpecSet, name: str) -> None:
    slo = slo_named(specs, name)
    # Time slices come whole: 2% of the budget is 8.64 slices, so 8 (1.85%) is just under.
    fired = states(specs, slo, burst(slo, 0.0185 if slo.indicator.kind == "threshold" else 0.0199))
    assert not fired[f"{name}-page-1h-5m-long"]


@pytest.mark.parametrize("name", ALL_SLOS)
def test_a_steady_1x_burn_tickets_only_through_the_3d_pair(specs: SpecSet, name: str) -> None:
    slo = slo_named(specs, name)
    # Time slices come whole: one bad minute in 90 (1.11x) is the sparsest pattern that puts 1%
    # bad slices in every 6h short window (4 of 360); one in 100 leaves some windows with 3.
    fired = states(specs, slo, steady(slo, 100 / 90 if slo.indicator.kind == "threshold" else 1.0))
    composites = {n: v for n, v in fired.items() if n in alarms.slo_alarms(specs, slo)[1]}
    assert [n for n, v in composites.items() if v] == [f"{name}-ticket-3d-6h"], composites


def test_sparse_counts_are_filled_not_dropped(specs: SpecSet) -> None:
    """With no 5XX datapoints at all the burn is 0, not missing."""
    slo = slo_named(specs, "db-errors")
    alarm = alarms.slo_alarms(specs, slo)[0]["db-errors-page-1h-5m-long"]
    series = burn_series(slo, alarm, {"total": [1000.0] * MINUTES, "bad": [0.0] * MINUTES})
    assert series[-1] == 0


def test_zero_traffic_burns_nothing(specs: SpecSet) -> None:
    slo = slo_named(specs, "api-availability")
    alarm = alarms.slo_alarms(specs, slo)[0]["api-availability-page-1h-5m-short"]
    assert burn_series(slo, alarm, {"total": [0.0] * MINUTES, "bad": [0.0] * MINUTES})[-1] == 0


def test_low_traffic_guard_blocks_the_long_window(specs: SpecSet) -> None:
    slo = slo_named(specs, "api-availability")  # minEvents: 100
    alarm = alarms.slo_alarms(specs, slo)[0]["api-availability-page-1h-5m-long"]
    few = {"total": [0.0] * (MINUTES - 60) + [1.0] * 60, "bad": [0.0] * (MINUTES - 60) + [1.0] * 60}
    assert burn_series(slo, alarm, few)[-1] == 0
    enough = {"total": [0.0] * (MINUTES - 60) + [2.0] * 60, "bad": [0.0] * (MINUTES - 60) + [1.0] * 60}
    assert burn_series(slo, alarm, enough)[-1] == pytest.approx(500.0)


# ---- the evaluator itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("2 ^ 3 ^ 2", 512.0),
        ("-2 + 5", 3.0),
        ("10 / 4 - 1", 1.5),
        ("IF(1 > 2, 5, 6)", 6.0),
        ("IF(2 >= 2 AND 1 != 0, 5, 6)", 5.0),
        ("IF(0 OR 0, 5, 6)", 6.0),
        ("IF(NOT 0, 5, 6)", 5.0),
        ("IF(1 == 1 && 2 < 3 || 0, 1, 0)", 1.0),
    ],
)
def test_scalar_arithmetic(expression: str, expected: float) -> None:
    assert cloudwatch_eval.evaluate_expression(metricmath.parse(expression), {}) == expected


def test_series_semantics() -> None:
    env: dict[str, cloudwatch_eval.Value] = {"a": [1.0, None, 3.0], "b": [0.0, 2.0, 1.0]}
    ev = cloudwatch_eval.evaluate_expression
    assert ev(metricmath.parse("FILL(a, 0) + b"), env) == [1.0, 2.0, 4.0]
    assert ev(metricmath.parse("a / b"), env) == [None, None, 3.0]  # missing in, division by zero
    assert ev(metricmath.parse("IF(b > 0, a / b, 0)"), env) == [0.0, None, 3.0]
    assert ev(metricmath.parse("SUM([a, b])"), env) == [1.0, None, 4.0]
    assert ev(metricmath.parse("SUM(b)"), env) == 3.0


@pytest.mark.parametrize("bad", ["", "1 +", "IF(1, 2", "a b", "1 $ 2", "[1, 2"])
def test_parse_errors(bad: str) -> None:
    with pytest.raises(metricmath.MathError):
        metricmath.parse(bad)


def test_composite_rules() -> None:
    assert metricmath.rule_alarms('ALARM("a") AND NOT (ALARM("b") OR OK("c"))') == [
        ("ALARM", "a"),
        ("ALARM", "b"),
        ("OK", "c"),
    ]
    assert cloudwatch_eval.composite_firing('ALARM("a") AND ALARM("b")', {"a": True, "b": True})
    assert not cloudwatch_eval.composite_firing('ALARM("a") AND ALARM("b")', {"a": True, "b": False})
    with pytest.raises(metricmath.MathError):
        metricmath.rule_alarms('ALARM("a") ALARM("b")')


def test_composite_rule_evaluation_follows_not_and_or_precedence() -> None:
    states = {"a": True, "b": False, "c": True}
    fire = cloudwatch_eval.composite_firing
    assert fire('ALARM("a") OR ALARM("b") AND ALARM("c")', {"a": True, "b": False, "c": False})  # a OR (b AND c)
    assert not fire('(ALARM("a") OR ALARM("b")) AND NOT ALARM("c")', states)
    assert not fire('NOT ALARM("a") AND ALARM("b")', states)  # (NOT a) AND b, not NOT (a AND b)
    assert not fire('NOT (ALARM("b") OR ALARM("a"))', states)
    assert fire("TRUE AND NOT FALSE", states)
    for unsupported in ('OK("a")', 'ALARM("a") AND', '(ALARM("a")', 'ALARM("a"))', 'ALARM("a") ALARM("c")'):
        with pytest.raises(metricmath.MathError):
            fire(unsupported, states)
