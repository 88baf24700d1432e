"""The SRE arithmetic every generator and the report share: durations, windows, burn rates, budgets.

Pure functions only (no I/O, no clock) so they can be tested exhaustively. Objectives are fractions
here (0.999), never percents: the spec model converts once at the edge.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

SECOND = 1
MINUTE = 60
HOUR = 3600
DAY = 86400
WEEK = 7 * DAY

_UNITS = {"ms": 0.001, "s": SECOND, "m": MINUTE, "h": HOUR, "d": DAY, "w": WEEK, "y": 365 * DAY}
_DURATION_RE = re.compile(r"^(?:(\d+)(ms|s|m|h|d|w|y))+$")
_PART_RE = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")

# Calendar windows are reported from their calendar start; for alerting they behave like the
# rolling window of their typical length (what Sloth and Pyrra also do).
CALENDAR_WINDOWS = {"month": 30 * DAY, "week": WEEK}


def parse_duration_seconds(text: str) -> float:
    """Parse a Prometheus duration into seconds, sub-second parts kept ("200ms" -> 0.2, "1s500ms" -> 1.5)."""
    if not isinstance(text, str) or not _DURATION_RE.match(text):
        raise ValueError(f"invalid duration {text!r}: use a number and a unit (ms, s, m, h, d, w, y), e.g. 5m or 30d")
    return round(sum(int(n) * _UNITS[u] for n, u in _PART_RE.findall(text)), 9)


def parse_duration(text: str) -> int:
    """Parse a Prometheus duration ("5m", "1h30m", "30d") into whole seconds.

    Raises ValueError on anything else, including durations under one second.
    """
    total = parse_duration_seconds(text)
    if total < 1 or total != int(total):
        raise ValueError(f"invalid duration {text!r}: must be a whole number of seconds >= 1s")
    return int(total)


def parse_latency(text: str | int | float) -> float:
    """Parse a latency threshold ("300ms", "0.3s", "1s" or a number of seconds) into seconds."""
    if isinstance(text, bool):
        raise ValueError(f"invalid latency {text!r}")
    if isinstance(text, int | float):
        value = float(text)
    else:
        m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s)?", text.strip())
        if not m:
            raise ValueError(f"invalid latency {text!r}: use e.g. 300ms, 0.3s or 0.3")
        value = float(m.group(1)) * (0.001 if m.group(2) == "ms" else 1.0)
    if not value > 0 or math.isinf(value):
        raise ValueError(f"invalid latency {text!r}: must be > 0")
    return round(value, 9)


@functools.cache  # thousands of rules, alarms and runbook rows name the same few windows
def format_duration(seconds: int) -> str:
    """Render seconds as the shortest Prometheus duration ("2592000" -> "30d", "5400" -> "1h30m")."""
    if seconds <= 0 or seconds != int(seconds):
        raise ValueError(f"cannot format {seconds!r} as a duration")
    parts = []
    rest = int(seconds)
    # Weeks are left out on purpose: "30d" reads better than "4w2d" in a rule name.
    for unit, size in (("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", SECOND)):
        n, rest = divmod(rest, size)
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts)


def window_seconds(window: str) -> int:
    """Length of an SLO window: rolling ("30d", "4w") or calendar ("month", "week")."""
    if window in CALENDAR_WINDOWS:
        return CALENDAR_WINDOWS[window]
    return parse_duration(window)


@dataclass(frozen=True, order=True)
class BurnWindow:
    """One window pair of an alert tier: fire when both windows burn faster than `factor`.

    budget_share is the share of the whole SLO-window budget that burning at `factor` for the long
    window consumes (Google SRE Workbook, table 5-8).
    """

    long: int
    short: int
    budget_share: float
    # The pair's own low-traffic guard; None = the SLO's minEvents. Not part of the pair's identity.
    min_events: int | None = field(default=None, compare=False)

    def factor(self, slo_window: int) -> float:
        return burn_factor(self.budget_share, slo_window, self.long)


# A 5m window is too short to judge whether traffic is low: 20 minutes of a trickle fill it.
GUARD_MIN_WINDOW = HOUR


def guard_window(window: BurnWindow) -> int:
    """The window the low-traffic guard of a pair counts events (or slices) over: the pair's long
    window, and at least an hour."""
    return max(window.long, GUARD_MIN_WINDOW)


@dataclass(frozen=True)
class Tier:
    name: str  # "page" or "ticket"
    windows: tuple[BurnWindow, ...]


def burn_factor(budget_share: float, slo_window: int, long_window: int) -> float:
    """Burn rate that consumes `budget_share` of the budget within `long_window`.

    budget_share x window / long window: 2% in 1h of 30d -> 14.4.
    """
    if not 0 < budget_share <= 1:
        raise ValueError("budget_share must be in (0, 1]")
    if long_window <= 0 or slo_window <= 0:
        raise ValueError("windows must be positive")
    return budget_share * slo_window / long_window


DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier("page", (BurnWindow(1 * HOUR, 5 * MINUTE, 0.02), BurnWindow(6 * HOUR, 30 * MINUTE, 0.05))),
    Tier("ticket", (BurnWindow(1 * DAY, 2 * HOUR, 0.10), BurnWindow(3 * DAY, 6 * HOUR, 0.10))),
)

# Windows the report shows burn rates for; the SLO window itself is added per SLO.
REPORT_WINDOWS: tuple[int, ...] = (5 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY)


def sli_windows(slo_window: int, tiers: tuple[Tier, ...] = DEFAULT_TIERS) -> tuple[int, ...]:
    """Every window an SLI must be known over: report windows, alert windows and the SLO window."""
    wanted = set(REPORT_WINDOWS) | {slo_window}
    for tier in tiers:
        for w in tier.windows:
            wanted |= {w.long, w.short, guard_window(w)}
    return tuple(sorted(wanted))


def error_budget(objective: float) -> float:
    """Allowed bad fraction: 1 - objective (0.999 -> 0.001)."""
    if not 0 < objective < 1:
        raise ValueError("objective must be a fraction in (0, 1)")
    return 1.0 - objective


def error_ratio(bad: float, total: float) -> float | None:
    """Bad share of events; None when there were no events (no traffic is not an outage)."""
    if total < 0 or bad < 0:
        raise ValueError("event counts cannot be negative")
    if total == 0:
        return None
    return min(bad / total, 1.0)


def burn_rate(err_ratio: float | None, objective: float) -> float | None:
    """How many times faster than sustainable the budget burns (1.0 = exactly on budget)."""
    if err_ratio is None:
        return None
    return err_ratio / error_budget(objective)


def error_budget_consumed(bad: float, total: float, objective: float) -> float | None:
    """Share of the window's budget spent, as a fraction of the budget (can exceed 1)."""
    return burn_rate(error_ratio(bad, total), objective)


def error_budget_remaining(bad: float, total: float, objective: float) -> float | None:
    """Share of the window's budget left (1 = untouched, 0 = exhausted, negative = breached)."""
    consumed = error_budget_consumed(bad, total, objective)
    return None if consumed is None else 1.0 - consumed


def allowed_bad_events(total: float, objective: float) -> float:
    """How many bad events the budget allows for `total` events."""
    return total * error_budget(objective)


def timeslice_budget(slo_window: int, slice_seconds: int, objective: float) -> float:
    """How many bad time slices the window's budget allows (30d of 1m slices at 99% -> 432)."""
    if slice_seconds <= 0 or slo_window % slice_seconds:
        raise ValueError("the slice must divide the SLO window")
    return (slo_window // slice_seconds) * error_budget(objective)


def _time_left(
    remaining: float | None,
    rate: float | None,
    runs_out: Callable[[float], bool],
    seconds: Callable[[float, float], float | None],
) -> float | None:
    """What every budget model agrees on: None when nothing is known, 0 when the budget is already
    gone, None when the burn `rate` never spends it (`runs_out` says); else the model's `seconds`
    for (remaining, rate)."""
    if remaining is None or rate is None:
        return None
    if remaining <= 0:
        return 0.0
    return seconds(remaining, rate) if runs_out(rate) else None


def time_to_exhaustion(remaining: float | None, rate: float | None, slo_window: int) -> float | None:
    """Seconds until the budget left is gone if the budget keeps burning at `rate`.

    A burn rate of 1 spends the whole budget in one SLO window. None when it never runs out
    (no burn) or nothing is known; 0 when it is already gone.
    """
    return _time_left(remaining, rate, lambda r: r > 0, lambda left, r: left * slo_window / r)


def rolling_time_to_exhaustion(remaining: float | None, rate: float | None, slo_window: int) -> float | None:
    """Seconds until a rolling window's budget is gone if it keeps burning at `rate`; None: never.

    In a rolling window old events leave as new ones arrive. Assuming the budget spent so far was
    spent evenly over the window (the window's average burn, 1 - remaining, leaves its tail), the
    budget spent after t seconds is (1 - remaining) + (rate - (1 - remaining)) x t / window. It
    reaches the whole budget only when rate >= 1: a steady sub-1x burn settles at `rate` of the
    budget and never runs out. 0 when it is already gone.
    """
    return _time_left(remaining, rate, lambda r: r >= 1, lambda left, r: left * slo_window / (r - (1.0 - left)))


def calendar_time_to_exhaustion(
    remaining: float | None, rate: float | None, elapsed: float, left: float
) -> float | None:
    """Seconds until a calendar window's budget (month, week) is gone at `rate`; None: not before
    the window ends and the budget starts afresh.

    Nothing leaves a calendar window: after t more seconds at steady traffic the budget spent is
    ((1 - remaining) x elapsed + rate x t) / (elapsed + t), which reaches 1 at
    t = remaining x elapsed / (rate - 1), and only when rate > 1.
    """

    def before_the_window_ends(budget: float, r: float) -> float | None:
        seconds = budget * elapsed / (r - 1)
        return seconds if seconds <= left else None

    return _time_left(remaining, rate, lambda r: r > 1, before_the_window_ends)


# Burn rates are quotients of float sums; a burn at exactly the factor comes out up to ~1e-13
# (relative) either side of it. A billionth below the factor still counts as at the factor.
BURN_RATE_TOLERANCE = 1e-9


def firing_threshold(factor: float) -> float:
    """The value a burn rate is compared with (`>=`) for a tier factor: the factor less 1e-9 of it.

    At the factor, not only over it: burning exactly at the factor spends the tier's share of the
    budget in its long window (at 1x, the whole budget in the SLO window), which is what the tier
    exists to report. Rules, alarms and the report all compare against this one number.
    """
    return round(factor * (1 - BURN_RATE_TOLERANCE), 12)


def tier_firing(long_burn: float | None, short_burn: float | None, factor: float) -> bool:
    """Whether a burn-rate alert pair fires: both windows burn at or over the factor, unrounded."""
    if long_burn is None or short_burn is None:
        return False
    threshold = firing_threshold(factor)
    return long_burn >= threshold and short_burn >= threshold
