"""Names of the series the generated rules record: one scheme, read by rules, dashboards and report.

Scheme (`level:metric:operation`, the Prometheus recording-rule convention), every series labelled
`slo`, `service` and the spec's labels (defaults merged, e.g. `team`):

==========================================  =================================================================
series                                      meaning
==========================================  =================================================================
`slo:sli_bad:rate5m`                        bad events per second over the last 5m (0 when none)
`slo:sli_total:rate5m`                      all events per second over the last 5m (0 when no traffic)
`slo:sli_bad:rate<W>`, `slo:sli_total:..`   the same over an alert window W shorter than 5m (e.g. the
                                            1m short window of a fast outage pair), read from the raw
                                            series; longer windows are derived from the 5m rates
`slo:sli_bad:rate5m_avg4m`, `..total..`    the 5m rates averaged over the last 4m, recorded every 4m by the
                                            rollup group: the blocks the long windows no alert reads average
`slo:sli_slice:bad`                         threshold SLIs: 1 if the current slice is bad, else 0, recorded
                                            once per slice (the group's interval is the slice length)
`slo:sli_events:count<W>`                   events (threshold SLIs: slices) seen in window W; the
                                            low-traffic guard of the burn-rate alerts reads it
`slo:sli_error:ratio_rate<W>`               bad / all events over W (threshold SLIs: bad-slice share);
                                            0, never NaN, when W saw no events
`slo:burn_rate:ratio_rate<W>`               error ratio over W / error budget (1 = burning exactly on budget)
`slo:objective:ratio`                       the objective as a fraction (0.999)
`slo:error_budget:ratio`                    1 - objective
`slo:error_budget_remaining:ratio`          1 - burn rate over the SLO window (1 untouched, <= 0 exhausted)
==========================================  =================================================================

W is every window of `Slo.sli_windows` written as a Prometheus duration (5m, 30m, 1h, 2h, 6h, 1d,
3d, 30d). The SLO-window ratio is `slo:sli_error:ratio_rate<slo window>` (e.g. `ratio_rate30d`).

Grouped SLOs (`indicator.groupBy: [handler]`): every series above except the objective and the
error budget carries the group's labels too, one series per group (`handler="/login"`), and each
group is its own SLO for ratios, burn rates, the low-traffic guard and alerts. A group exists while
its total-event series (threshold SLIs: its gauge) do: there is no zero fallback per group, so a
group that vanishes leaves no series behind once its windows have passed, never NaN. A group that
appeared within a window W has its event count over W scaled up from the part of W it existed in
(the averaged 5m rates have no samples before it), so its ratio stays exact and its low-traffic
guard counts its recent rate over all of W. The series count is groups x windows per name
(`maxGroups` says how many groups to expect).
"""

from __future__ import annotations

from functools import cache

from sre_cli.slomath import format_duration
from sre_cli.slospec.model import Slo
from sre_cli.vocabulary import BASE_RANGE, BASE_WINDOW, ROLLUP_RANGE

BAD_RATE = f"slo:sli_bad:rate{BASE_RANGE}"
TOTAL_RATE = f"slo:sli_total:rate{BASE_RANGE}"
BAD_ROLLUP = f"{BAD_RATE}_avg{ROLLUP_RANGE}"
TOTAL_ROLLUP = f"{TOTAL_RATE}_avg{ROLLUP_RANGE}"
SLICE_BAD = "slo:sli_slice:bad"
OBJECTIVE = "slo:objective:ratio"
ERROR_BUDGET = "slo:error_budget:ratio"
BUDGET_REMAINING = "slo:error_budget_remaining:ratio"

ALERT_PAGE = "SLOBurnRatePage"
ALERT_TICKET = "SLOBurnRateTicket"
ALERT_ABSENT = "SLOMetricsAbsent"


@cache  # a handful of windows, asked for by every rule of every SLO
def bad_rate(window: int) -> str:
    """Bad events per second over a window of at most the base window, read from the raw series."""
    return BAD_RATE if window == BASE_WINDOW else f"slo:sli_bad:rate{format_duration(window)}"


@cache  # a handful of windows, asked for by every rule of every SLO
def total_rate(window: int) -> str:
    return TOTAL_RATE if window == BASE_WINDOW else f"slo:sli_total:rate{format_duration(window)}"


@cache  # a handful of windows, asked for by every rule of every SLO
def error_ratio(window: int) -> str:
    return f"slo:sli_error:ratio_rate{format_duration(window)}"


@cache  # a handful of windows, asked for by every rule of every SLO
def event_count(window: int) -> str:
    return f"slo:sli_events:count{format_duration(window)}"


@cache  # a handful of windows, asked for by every rule of every SLO
def burn_rate(window: int) -> str:
    return f"slo:burn_rate:ratio_rate{format_duration(window)}"


_DEFAULT_ALERTS = {"page": ALERT_PAGE, "ticket": ALERT_TICKET, "absent": ALERT_ABSENT}
_ALERT_SUFFIXES = {"page": "Page", "ticket": "Ticket", "absent": "MetricsAbsent"}


def alert_name(slo: Slo, kind: str) -> str:
    """The alert of one kind (page, ticket, absent): `alerting.name` + Page/Ticket/MetricsAbsent when
    the spec names its alerts (Sloth's `alerting.name`), else the shared SLOBurnRate* names."""
    if slo.alert_name is None:
        return _DEFAULT_ALERTS[kind]
    return slo.alert_name + _ALERT_SUFFIXES[kind]


def burn_alert_name(tier: str) -> str:
    return _DEFAULT_ALERTS[tier]


def series_labels(slo: Slo) -> dict[str, str]:
    """Labels on every recorded series and alert of one SLO; `slo` and `service` win over spec labels."""
    return dict(sorted({**slo.labels, "service": slo.service, "slo": slo.name}.items()))


# Labels the generator writes on its own series and alerts (and Prometheus on ALERTS): a groupBy
# label of the same name would be overwritten by them, merging groups.
GENERATOR_LABELS = ("slo", "service", "owner", "severity", "long_window", "short_window", "alertname", "alertstate")


def aggregation(slo: Slo) -> str:
    """The modifier every aggregation of a raw series takes: ` by (<groupBy>)` for grouped SLOs, else none."""
    return f" by ({', '.join(slo.group_by)}) " if slo.group_by else ""


def matching(slo: Slo) -> str:
    """Vector matching on the group labels alone (` on(handler)`), for operands whose other labels differ."""
    return f" on({', '.join(slo.group_by)})"


def selector(name: str, slo: Slo) -> str:
    """A recorded series of one SLO: its name and the `slo` label are unique together."""
    return f'{name}{{slo="{slo.name}"}}'


def group_name(slo: Slo) -> str:
    return f"slo-{slo.name}"


def rollup_group_name(slo: Slo) -> str:
    return f"slo-{slo.name}-rollup"
