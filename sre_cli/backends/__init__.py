"""Backends read exact event counts of SLOs from a metrics store at one instant.

A backend answers, for every SLO and every window the report needs, "how many good and how many
total events (or time slices) were there in the window ending at `at`", plus how much of the SLO
window actually has data. It computes nothing else: budgets, burn rates and statuses are the
report model's job (`sre_cli.report.model`), so both backends are judged by the same arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Unit = Literal["events", "slices"]


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
