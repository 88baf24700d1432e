"""The resolved SLO: a validated document with defaults merged in, what every generator and report reads.

Everything a generator asks of an SLO is a plain attribute, computed once by `resolve`: the
document is frozen, so nothing here can go stale, and no generator re-derives it per rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sre_cli import slomath
from sre_cli.slospec.errors import SpecError

if TYPE_CHECKING:
    # Annotations only: a report reading cached specs must not import pydantic (slospec/cache.py).
    from sre_cli.slospec.document import Alerting, Defaults, Indicator, SloDocument


@dataclass(frozen=True)
class AlertTier:
    """One alert tier with defaults applied: what generators turn into rules and alarms."""

    name: str  # page | ticket
    severity: str
    for_: str
    notify: str
    windows: tuple[slomath.BurnWindow, ...]
    # Free labels and annotations of this tier's alerts: defaults.yaml's tier, then the spec's
    # `alerting`, then the spec's tier (the more specific wins).
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Slo:
    document: SloDocument
    file: str
    line: int  # where the document starts
    name_line: int  # where metadata.name is written, for errors about the name
    name_col: int
    name: str
    service: str
    owner: str | None
    description: str
    objective: float  # a fraction: 99.9 in the spec is 0.999 here
    window: str
    window_seconds: int
    indicator: Indicator
    # Grouped SLO: each value combination of these labels is its own SLO (empty: not grouped).
    group_by: tuple[str, ...]
    max_groups: int
    alerting: Alerting  # as written; `tiers` is what it resolves to
    min_events: int
    labels: dict[str, str]
    tiers: tuple[AlertTier, ...]  # enabled tiers only
    alert_name: str | None  # alerting.name: prefix of the alert names; None = the SLOBurnRate* defaults
    # Free labels and annotations of alerts outside the tiers (metrics absent): the spec's `alerting`
    # ones, then the ticket tier's when it is enabled (the absent alert tickets).
    absent_labels: dict[str, str]
    absent_annotations: dict[str, str]
    sli_windows: tuple[int, ...]  # every window a rule or alarm reads, in seconds
    runbook: str  # path relative to the repo root
    runbook_generated: bool  # written by `sre generate` (the default path), not by hand
    runbook_url: str
    dashboard_url: str

    def tier(self, name: str) -> AlertTier | None:
        """The enabled tier of that name (page or ticket), if any."""
        return next((t for t in self.tiers if t.name == name), None)

    def min_events_for(self, window: slomath.BurnWindow) -> int:
        """The low-traffic guard of one window pair: its own minEvents, else the SLO's."""
        return self.min_events if window.min_events is None else window.min_events


@dataclass
class SpecSet:
    root: Path
    defaults: Defaults
    slos: list[Slo] = field(default_factory=list)
    errors: list[SpecError] = field(default_factory=list)
    # What `sre validate` reports without failing (same shape, message starting "warning:").
    warnings: list[SpecError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_service(self) -> dict[str, list[Slo]]:
        out: dict[str, list[Slo]] = {}
        for slo in sorted(self.slos, key=lambda s: (s.service, s.name)):
            out.setdefault(slo.service, []).append(slo)
        return out
