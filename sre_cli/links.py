"""Stable links from alerts to runbooks and dashboards, shared by every generator.

Every alert links to `<runbook file URL>#<anchor>`; the runbook generator writes a heading whose
GitHub slug is exactly that anchor, and `sre runbooks check` proves it.
"""

from __future__ import annotations

from typing import Literal

from sre_cli.slospec.model import Slo

AlertKind = Literal["page", "ticket", "absent"]

ANCHORS: dict[str, str] = {"page": "page", "ticket": "ticket", "absent": "metrics-absent"}


def alert_anchor(kind: AlertKind) -> str:
    return ANCHORS[kind]


def runbook_link(slo: Slo, kind: AlertKind) -> str:
    return f"{slo.runbook_url}#{alert_anchor(kind)}"


def dashboard_link(slo: Slo) -> str:
    return slo.dashboard_url


def alert_dashboard_link(slo: Slo) -> str | None:
    """The dashboard link an alert carries, or None without `dashboardBaseUrl`.

    Without a base the link would be the bare service name, a relative path no pager or chat
    client can open: alerts then carry no dashboard link at all rather than a broken one.
    """
    return slo.dashboard_url if slo.dashboard_url.startswith(("http://", "https://")) else None
