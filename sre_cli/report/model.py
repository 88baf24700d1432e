"""The report of one SLO, computed from a backend's exact event counts. Pure: no I/O, no clock.

Every number comes from `sre_cli.slomath` on unrounded counts; rounding happens only when a
renderer prints. Alert tiers are judged exactly like the generated alerts: both windows of a pair
burn at or over the factor, and the guard window (the long window, at least 1h) holds at
least `minEvents` events.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sre_cli import sli_sources, slomath
from sre_cli.backends import Counts, Measurement
from sre_cli.slospec.model import Slo

# Statuses, most severe first (README.md next to this module defines each): reports list SLOs
# in this order, so the one in the most trouble comes first.
STATUSES = ("breached", "alerting", "at_risk", "no_data", "partial", "ok")
AT_RISK_BUDGET_REMAINING = 0.25  # less than a quarter of the budget left -> at_risk
# The forecast extrapolates the burn rates of these windows (the page tier's long windows).
EXHAUSTION_WINDOWS = (slomath.HOUR, 6 * slomath.HOUR)


@dataclass(frozen=True)
class AlertState:
    tier: str
    severity: str
    long_window: str
    short_window: str
    factor: float
    long_burn_rate: float | None
    short_burn_rate: float | None
    guard_window_events: float | None  # events in slomath.guard_window (long window, >= 1h)
    min_events: int
    firing: bool


@dataclass(frozen=True)
class Coverage:
    share: float | None  # of the SLO window that has samples
    data_since: float | None  # where the data starts when the window reaches past it, else None
    complete: bool


@dataclass(frozen=True)
class BudgetPoint:
    at: float
    remaining: float


@dataclass(frozen=True)
class SloReport:
    name: str
    service: str
    owner: str | None
    kind: str
    unit: str
    objective: float
    window: str
    window_seconds: int  # length actually measured (calendar windows: since their start)
    at: float
    sli: float | None
    events: Counts | None
    allowed: float  # bad share the objective allows (1 - objective)
    consumed: float | None  # of the budget
    remaining: float | None  # of the budget; negative when breached
    burn_rates: dict[str, float | None]
    alerts: tuple[AlertState, ...]
    status: str
    exhaustion_at: dict[str, float | None]
    coverage: Coverage
    warnings: tuple[str, ...] = field(default=())
    burn_down: tuple[BudgetPoint, ...] = field(default=())
    description: str = ""
    runbook_url: str = ""
    dashboard_url: str = ""
    source: str = "raw"  # what the counts were read from: "recorded" (the generated rules) or "raw"
    # A grouped SLO's report is its whole (every group's events summed: event-weighted), with one
    # report per group in `groups`; a group's report has its label values in `group`.
    group_by: tuple[str, ...] = ()
    max_groups: int = 0
    group: dict[str, str] = field(default_factory=dict)
    groups: tuple[SloReport, ...] = field(default=())

    @property
    def group_selector(self) -> str:
        """A group's label values as a PromQL selector (`{handler="/x"}`, on one line); "" for a whole SLO."""
        if not self.group:
            return ""
        return "{" + ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in self.group.items()) + "}"

    @property
    def label(self) -> str:
        """The SLO's name, with a group's label values: `api{handler="/x"}`."""
        return self.name + self.group_selector

    @property
    def worst_severity(self) -> int:
        """The severity of the SLO or of its worst group, whichever is worse."""
        return min((g.severity for g in self.groups), default=self.severity) if self.groups else self.severity

    def tier_firing(self, tier: str) -> bool:
        return any(a.firing and a.tier == tier for a in self.alerts)

    @property
    def severity(self) -> int:
        """0 for the most severe status (STATUSES order)."""
        return STATUSES.index(self.status)

    @property
    def runs_out_at(self) -> float | None:
        """The earliest exhaustion forecast over EXHAUSTION_WINDOWS; None when none runs out."""
        return min((t for t in self.exhaustion_at.values() if t is not None), default=None)


def by_severity(slos: Iterable[SloReport]) -> list[SloReport]:
    """Most trouble first: status (STATUSES order; a grouped SLO's worst group counts), then the
    least budget left, then name (with a group's label values)."""
    return sorted(
        slos,
        key=lambda s: (
            min(s.severity, s.worst_severity),
            s.remaining if s.remaining is not None else float("inf"),
            s.label,
        ),
    )


def by_budget_left(groups: Iterable[SloReport]) -> list[SloReport]:
    """The least budget left first; groups without events (no budget to judge) last."""
    return sorted(groups, key=lambda g: (g.remaining is None, g.remaining if g.remaining is not None else 0.0, g.label))


@dataclass(frozen=True)
class GroupView:
    """Which group rows of a grouped SLO a report prints.

    `worst`: only the N groups with the least budget left (`--group-by-worst N`); `show_all`: no
    cap (`--all`). Without `--all` a report never prints more rows than the SLO's `maxGroups`:
    the rest are counted, not printed. The whole SLO's line and `--fail-on` always judge every group.
    """

    worst: int | None = None
    show_all: bool = False

    def rows(self, s: SloReport) -> GroupRows:
        total = len(s.groups)
        wanted = total if self.worst is None else min(self.worst, total)
        limit = wanted if self.show_all else min(wanted, s.max_groups)
        ordered = by_budget_left(s.groups) if self.worst is not None else by_severity(s.groups)
        if limit >= total:
            return GroupRows(tuple(ordered), total, "")
        which = "with the least budget left" if self.worst is not None else "in the most trouble"
        if limit == wanted:
            note = f"showing the {limit} groups {which} of {total} (--group-by-worst {self.worst})"
        elif self.worst is not None:
            note = (
                f"--group-by-worst {self.worst} asks for more than maxGroups {s.max_groups}: "
                f"showing the {limit} groups {which} of {total}; --all shows all"
            )
        else:
            note = f"{total} groups, more than maxGroups {s.max_groups}: showing the {limit} {which}; --all shows all"
        return GroupRows(tuple(ordered[:limit]), total, note)


@dataclass(frozen=True)
class GroupRows:
    rows: tuple[SloReport, ...]  # in print order
    total: int  # groups measured
    note: str  # why rows were left out; "" when every group is printed

    @property
    def hidden(self) -> int:
        return self.total - len(self.rows)


def window_start(slo: Slo, at: float) -> float:
    """Start of the SLO window ending at `at`: calendar windows start at the month/week start (UTC)."""
    if slo.window not in slomath.CALENDAR_WINDOWS:
        return at - slo.window_seconds
    now = datetime.fromtimestamp(at, UTC)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if slo.window == "month":
        return day.replace(day=1).timestamp()
    return day.timestamp() - day.weekday() * slomath.DAY


def measured_window(slo: Slo, at: float) -> int:
    """Seconds the report measures the SLO window over (at least 1s)."""
    return max(int(at - window_start(slo, at)), 1)


def _burn(counts: Counts | None, objective: float) -> float | None:
    if counts is None:
        return None
    return slomath.burn_rate(slomath.error_ratio(counts.bad, counts.total), objective)


def alert_states(slo: Slo, m: Measurement) -> tuple[AlertState, ...]:
    states = []
    for tier in slo.tiers:
        for w in tier.windows:
            long_c, short_c = m.windows.get(w.long), m.windows.get(w.short)
            long_burn, short_burn = _burn(long_c, slo.objective), _burn(short_c, slo.objective)
            factor = w.factor(slo.window_seconds)
            guard_c = m.windows.get(slomath.guard_window(w))
            events = guard_c.total if guard_c else None
            # Seconds (an errorRatio source) are no events: like its rules, no low-traffic guard.
            min_events = 0 if m.unit == "seconds" else slo.min_events_for(w)
            enough = events is not None and events >= min_events
            states.append(
                AlertState(
                    tier=tier.name,
                    severity=tier.severity,
                    long_window=slomath.format_duration(w.long),
                    short_window=slomath.format_duration(w.short),
                    factor=factor,
                    long_burn_rate=long_burn,
                    short_burn_rate=short_burn,
                    guard_window_events=events,
                    min_events=min_events,
                    firing=enough and slomath.tier_firing(long_burn, short_burn, factor),
                )
            )
    return tuple(states)


def coverage_of(m: Measurement, start: float) -> Coverage:
    if m.data_at_start:
        return Coverage(share=m.coverage, data_since=None, complete=True)
    if m.data_since is None:
        return Coverage(share=m.coverage, data_since=None, complete=False)
    # Complete when the backend saw data at the window start; without that answer, when its
    # coverage grid saw data at or before the start (coverage_step resolution).
    complete = m.data_at_start if m.data_at_start is not None else m.data_since <= start
    share = m.coverage
    if not complete and share is not None:
        # The grid may see the first sample at its first point; the start time is the sharper bound.
        share = min(share, max(m.at - m.data_since, 0.0) / m.slo_window)
    return Coverage(share=share, data_since=m.data_since, complete=complete)


def burn_down(m: Measurement, slo: Slo) -> tuple[BudgetPoint, ...]:
    """Budget remaining through the window: 1 at its start, the report's `remaining` at its end."""
    window = m.windows.get(m.slo_window)
    if not m.history or window is None or window.total <= 0:
        return ()
    allowed_bad = slomath.allowed_bad_events(sum(s.total for s in m.history), slo.objective)
    points = [BudgetPoint(m.at - m.slo_window, 1.0)]
    bad = 0.0
    for step in m.history:
        bad += max(step.total - step.good, 0.0)
        points.append(BudgetPoint(step.end, 1.0 - bad / allowed_bad if allowed_bad else 1.0))
    return tuple(points)


def status_of(
    sli: float | None,
    remaining: float | None,
    alerts: tuple[AlertState, ...],
    coverage: Coverage,
    objective: float,
    exhaustion_at: dict[str, float | None],
) -> str:
    """The most severe status that holds (STATUSES): `ok` only for a fully measured window."""
    if sli is None:
        return "no_data"
    if sli < objective or (remaining is not None and remaining < 0):
        return "breached"
    if any(a.firing for a in alerts):
        return "alerting"
    if (remaining is not None and remaining < AT_RISK_BUDGET_REMAINING) or any(
        t is not None for t in exhaustion_at.values()
    ):
        return "at_risk"
    if not coverage.complete:
        return "partial"
    return "ok"


def exhaustion_forecast(slo: Slo, m: Measurement, remaining: float | None) -> dict[str, float | None]:
    """When the budget runs out at each EXHAUSTION_WINDOWS burn rate; None: not within the window."""
    forecast: dict[str, float | None] = {}
    for w in EXHAUSTION_WINDOWS:
        rate = _burn(m.windows.get(w), slo.objective)
        if slo.window in slomath.CALENDAR_WINDOWS:
            elapsed = m.at - window_start(slo, m.at)
            seconds = slomath.calendar_time_to_exhaustion(remaining, rate, elapsed, slo.window_seconds - elapsed)
        else:
            seconds = slomath.rolling_time_to_exhaustion(remaining, rate, slo.window_seconds)
        forecast[slomath.format_duration(w)] = None if seconds is None else m.at + seconds
    return forecast


def build(slo: Slo, m: Measurement) -> SloReport:
    """The report of `slo` from what the backend measured; of a grouped SLO, its whole (every
    group's events summed) with one report per group measured."""
    whole = build_one(slo, m)
    if not slo.group_by:
        return whole
    groups = tuple(build_one(slo, g) for g in m.groups)
    warnings = whole.warnings
    if not groups and whole.events is not None and whole.events.total > 0:
        warnings += (f"grouped by {', '.join(slo.group_by)} but no group was measured: the line is the whole SLO",)
    return replace(whole, group_by=slo.group_by, max_groups=slo.max_groups, groups=groups, warnings=warnings)


def approximation_note(source: str) -> str:
    """What an errorRatio SLI's numbers are: it has no event counts, so good and total are seconds."""
    how = (
        "the rules average the 5m error ratio over each window"
        if source == "recorded"
        else "the ratio over each window, weighted by time"
    )
    return f"errorRatio source, {sli_sources.APPROXIMATE}: no event counts, {how} (good/total are seconds)"


def build_one(slo: Slo, m: Measurement) -> SloReport:
    """The report of one measurement: an SLO, a grouped SLO's whole, or one of its groups."""
    at = m.at
    start = at - m.slo_window
    window = m.windows.get(m.slo_window)
    has_events = window is not None and window.total > 0
    sli = window.good / window.total if has_events else None
    consumed = slomath.error_budget_consumed(window.bad, window.total, slo.objective) if has_events else None
    remaining = slomath.error_budget_remaining(window.bad, window.total, slo.objective) if has_events else None
    burn_rates = {
        (slo.window if s == m.slo_window else slomath.format_duration(s)): _burn(c, slo.objective)
        for s, c in sorted(m.windows.items())
    }
    alerts = alert_states(slo, m)
    coverage = coverage_of(m, start)
    exhaustion = exhaustion_forecast(slo, m, remaining)
    warnings: list[str] = []
    if sli_sources.is_approximate(slo):
        warnings.append(approximation_note(m.source))
    if not has_events:
        warnings.append(f"no {m.unit} in the {slo.window} window: check that the source series exist")
    elif not coverage.complete and coverage.data_since is not None:
        since = datetime.fromtimestamp(coverage.data_since, UTC).strftime("%Y-%m-%d %H:%M UTC")
        covered = slomath.format_duration(max(int(at - coverage.data_since), 1))
        warnings.append(
            f"data covers only {covered} of the {slo.window} window (since {since}): numbers are over the covered part"
        )
    return SloReport(
        name=slo.name,
        service=slo.service,
        owner=slo.owner,
        kind=slo.indicator.kind,
        unit=m.unit,
        objective=slo.objective,
        window=slo.window,
        window_seconds=m.slo_window,
        at=at,
        sli=sli,
        events=window if has_events else (window or None),
        allowed=slomath.error_budget(slo.objective),
        consumed=consumed,
        remaining=remaining,
        burn_rates=burn_rates,
        alerts=alerts,
        status=status_of(sli, remaining, alerts, coverage, slo.objective, exhaustion),
        exhaustion_at=exhaustion,
        coverage=coverage,
        warnings=tuple(warnings),
        burn_down=burn_down(m, slo),
        description=slo.description or "",
        runbook_url=slo.runbook_url,
        dashboard_url=slo.dashboard_url,
        group=dict(m.group),
        source=m.source,
    )


@dataclass(frozen=True)
class Report:
    at: float
    backend: str
    source: str  # URL or region
    slos: tuple[SloReport, ...]
    group_view: GroupView = GroupView()

    def failing(self, condition: str) -> list[str]:
        """Names of SLOs (and groups, `name{label="value"}`) meeting a --fail-on condition (FAIL_ON)."""
        return [n for s in self.slos for n in failing(s, condition)]

    def unjudged(self, condition: str) -> list[str]:
        """Names of SLOs and groups a --fail-on condition cannot judge: no data (only `no_data` judges them)."""
        return [n for s in self.slos for n in unjudged(s, condition)]


def failing(s: SloReport, condition: str) -> list[str]:
    """The SLO and every one of its groups meeting a --fail-on condition, by label: a gate judges
    every group, printed or not."""
    if condition not in FAIL_ON:
        raise ValueError(f"unknown --fail-on condition {condition!r}")
    return [r.label for r in (s, *s.groups) if FAIL_ON[condition](r)]


def unjudged(s: SloReport, condition: str) -> list[str]:
    return [] if condition == "no_data" else [r.label for r in (s, *s.groups) if r.status == "no_data"]


# --fail-on conditions (README.md next to this module).
FAIL_ON: dict[str, Callable[[SloReport], bool]] = {
    "breach": lambda s: s.status == "breached",
    "exhausted": lambda s: s.remaining is not None and s.remaining <= 0,
    "page": lambda s: s.tier_firing("page"),
    "alerting": lambda s: any(a.firing for a in s.alerts),
    "at_risk": lambda s: s.status in ("breached", "alerting", "at_risk"),
    "no_data": lambda s: s.status == "no_data",
}
