"""`--format json`: the stable, documented schema (see README.md in this package)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sre_cli.report.model import GroupView, Report, SloReport

# 2: statuses are breached/alerting/at_risk/no_data/partial/ok (1 had `warning`); `links` added.
# Fields added since (the version changes only when a field changes meaning): grouped SLOs'
# `group`, `group_by`, `groups`, `groups_total`, `groups_note`.
SCHEMA_VERSION = 2
# Enough to read any count or burn rate back exactly as measured, few enough to drop the noise
# of float arithmetic (1 - 0.99 is 0.010000000000000009 as a double).
SIGNIFICANT_DIGITS = 12


def timestamp(t: float | None) -> str | None:
    """RFC 3339 UTC with seconds (milliseconds only when `t` has them)."""
    if t is None:
        return None
    dt = datetime.fromtimestamp(t, UTC)
    spec = "milliseconds" if round(t * 1000) % 1000 else "seconds"
    return dt.isoformat(timespec=spec).replace("+00:00", "Z")


def slo_document(s: SloReport, view: GroupView | None = None) -> dict[str, Any]:
    """One SLO; of a grouped SLO, its whole with the group rows `view` prints, each in the same shape."""
    rows = (view or GroupView()).rows(s)
    return {
        "name": s.name,
        "service": s.service,
        "owner": s.owner,
        "kind": s.kind,
        "objective": s.objective,
        "window": s.window,
        "sli": s.sli,
        "events": {
            "unit": s.unit,
            "good": s.events.good if s.events else None,
            "total": s.events.total if s.events else None,
        },
        "error_budget": {"allowed": s.allowed, "consumed": s.consumed, "remaining": s.remaining},
        "burn_rates": dict(s.burn_rates),
        "alerts": [
            {
                "tier": a.tier,
                "severity": a.severity,
                "long_window": a.long_window,
                "short_window": a.short_window,
                "factor": a.factor,
                "long_burn_rate": a.long_burn_rate,
                "short_burn_rate": a.short_burn_rate,
                "min_events": a.min_events,
                "firing": a.firing,
            }
            for a in s.alerts
        ],
        "status": s.status,
        "exhaustion_at": {w: timestamp(t) for w, t in s.exhaustion_at.items()},
        "coverage": {
            "share": s.coverage.share,
            "data_since": timestamp(s.coverage.data_since),
            "complete": s.coverage.complete,
        },
        "warnings": list(s.warnings),
        "links": {"runbook": s.runbook_url or None, "dashboard": s.dashboard_url or None},
        "group": dict(s.group),
        "group_by": list(s.group_by),
        "groups_total": rows.total,
        "groups_note": rows.note or None,
        "groups": [slo_document(g) for g in rows.rows],
    }


def rounded(value: Any) -> Any:
    """`value` with every float cut to SIGNIFICANT_DIGITS significant digits, recursively."""
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def document(report: Report) -> dict[str, Any]:
    return {
        **head(report.at, report.backend, report.source),
        "slos": [slo_document(s, report.group_view) for s in report.slos],
    }


def head(at: float, backend: str, source: str) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "at": timestamp(at), "backend": backend, "source": source}


def render(report: Report) -> str:
    return "".join(chunks(report.at, report.backend, report.source, report.slos, report.group_view))


def chunks(at: float, backend: str, source: str, slos: Iterable[SloReport], view: GroupView) -> Iterator[str]:
    """The document as text, one SLO at a time, as `slos` yields them: a fleet's report is written
    while it is measured, never held whole. The text is `json.dumps(document, indent=2)`'s."""
    opening = json.dumps(rounded(head(at, backend, source)), indent=2, allow_nan=False)
    yield opening[: -len("\n}")] + ',\n  "slos": ['
    empty = True
    for s in slos:
        text = json.dumps(rounded(slo_document(s, view)), indent=2, allow_nan=False)
        # Indented as one level deeper; JSON text has no raw newline inside a string to break.
        yield ("\n    " if empty else ",\n    ") + text.replace("\n", "\n    ")
        empty = False
    yield ("]" if empty else "\n  ]") + "\n}\n"
