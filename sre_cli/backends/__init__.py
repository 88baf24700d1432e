"""Backends read exact event counts of SLOs from a metrics store at one instant.

A backend answers, for every SLO and every window the report needs, "how many good and how many
total events (or time slices) were there in the window ending at `at`", plus how much of the SLO
window actually has data. It computes nothing else: budgets, burn rates and statuses are the
report model's job (`sre_cli.report.model`), so both backends are judged by the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sre_cli.slospec.model import Slo

# seconds: an errorRatio source, which has no event counts; its "events" are the seconds of the
# window, each weighing the same (`sli_sources.APPROXIMATE`).
Unit = Literal["events", "slices", "seconds"]
# Where a Prometheus report reads counts: the generated rules' recorded series where they cover
# the window (auto), only those (recorded), or the raw source series (raw).
Source = Literal["auto", "recorded", "raw"]


class BackendError(RuntimeError):
    """The metrics store could not be read: unreachable, too slow, or answering with an error.

    `where` names the endpoint (URL or AWS region) so the user knows which one failed. Both are
    shown to users: credentials in URLs are redacted and server-sent text is kept to one line.
    """

    def __init__(self, where: str, cause: str):
        from sre_cli.backends.urls import one_line, redact

        self.where = one_line(redact(where))
        self.cause = one_line(redact(cause), 500)
        super().__init__(f"{self.where}: {self.cause}")


@dataclass(frozen=True)
class Counts:
    """Events (or slices) in one window: `good` of `total`."""

    good: float
    total: float

    @property
    def bad(self) -> float:
        # Extrapolation can make good exceed total by a hair on a window edge; bad is never negative.
        return max(self.total - self.good, 0.0)


# increase() extrapolates each counter to the window's edges on its own, so counted events of two
# different series (a histogram's bucket and its _count) may come out a hair above the total: up to
# this share of the total, plus one event, is that noise. Time slices are whole and exact.
EVENT_SLACK = 0.01
_FLOAT_NOISE = 1e-9


class NotCounts(ValueError):
    """A store's answer that cannot be event counts: negative, or more good (or bad) than all."""


def read_counts(numerator: float, total: float, unit: Unit, *, numerator_is_bad: bool) -> Counts:
    """Good and total of one window from what the store answered: `numerator` good events (or bad
    ones), of `total`. NotCounts says why they cannot be counts, never an SLI outside [0, 1].

    Extrapolation noise within `EVENT_SLACK` is clamped away, so the SLI reads at most 1.
    """
    kind = "bad" if numerator_is_bad else "good"
    if total < -_FLOAT_NOISE or numerator < -_FLOAT_NOISE:
        raise NotCounts(f"negative {unit} count ({kind} {numerator:g}, total {total:g})")
    slack = _FLOAT_NOISE + (EVENT_SLACK * total + 1 if unit == "events" else 0.0)
    if numerator > total + slack:
        sli = "" if numerator_is_bad or total <= 0 else f": an SLI of {numerator / total:g}"
        raise NotCounts(f"{numerator:g} {kind} {unit} of only {total:g}{sli}")
    total = max(total, 0.0)
    counted = min(max(numerator, 0.0), total)
    return Counts(good=total - counted if numerator_is_bad else counted, total=total)


@dataclass(frozen=True)
class HistoryStep:
    """Good and total events in the step ending at `end` (the burn-down chart's raw data)."""

    end: float
    good: float
    total: float


@dataclass(frozen=True)
class Measurement:
    """What a backend read for one SLO at one instant.

    windows: window length in seconds -> Counts, or None when the window has no samples at all.
    coverage: share (0..1) of the SLO window that has samples; None when unknown.
    data_since: when the window reaches past the data, the earliest time with samples (Unix
        seconds, coverage-grid resolution); None when the window is covered from its start.
    coverage_step: resolution of coverage/data_since in seconds (data may start up to one step earlier).
    data_at_start: whether the source had data at the window start (the window is fully covered);
        None when the backend cannot tell, then data_since decides.
    group: a grouped SLO's label values of this group (`Slo.group_by`); empty for a whole SLO.
    groups: of a grouped SLO's whole (all groups summed, event-weighted), one Measurement per group.
    source: what the counts were read from: "recorded" (the generated rules' series) or "raw".
    """

    slo: str
    unit: Unit
    at: float
    slo_window: int
    windows: dict[int, Counts | None]
    coverage: float | None
    data_since: float | None
    coverage_step: int
    data_at_start: bool | None = None
    history: tuple[HistoryStep, ...] = field(default=())
    group: dict[str, str] = field(default_factory=dict)
    groups: tuple[Measurement, ...] = field(default=())
    source: Literal["recorded", "raw"] = "raw"


@dataclass(frozen=True)
class MeasureRequest:
    """What a report asks a backend: every SLO at one instant, each over its measured window.

    slo_windows: SLO name -> seconds of its SLO window (calendar windows: since their start).
    history: also the burn-down steps (HTML). source: Prometheus only (see `Source`).
    progress: called once per SLO measured.
    """

    slos: Sequence[Slo]
    at: float
    slo_windows: dict[str, int]
    history: bool = False
    source: Source = "auto"
    progress: Callable[[], None] | None = None

    def windows_of(self, slo: Slo) -> list[int]:
        """Every window of one SLO the report reads, in seconds: the alert windows and its SLO window."""
        window = self.slo_windows[slo.name]
        return sorted(set(slo.sli_windows) - {slo.window_seconds} | {window})

    def done(self) -> None:
        if self.progress is not None:
            self.progress()
