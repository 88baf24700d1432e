"""A validated document plus defaults.yaml -> the resolved `Slo` generators read. Pure: no I/O."""

from __future__ import annotations

from pathlib import PurePosixPath

from sre_cli import slomath
from sre_cli.slospec.document import Defaults, SloDocument, TierSpec
from sre_cli.slospec.model import AlertTier, Slo

TIER_DEFAULT_FOR = {"page": "2m", "ticket": "15m"}
# `sre generate` writes one runbook per SLO here and owns every *.md directly in it (not sub-folders).
GENERATED_RUNBOOK_DIR = "runbooks"


def default_runbook(name: str) -> str:
    """The runbook `sre generate` writes for an SLO that names none (or names exactly this one)."""
    return f"{GENERATED_RUNBOOK_DIR}/{name}.md"


def in_generated_runbook_dir(path: str) -> bool:
    return PurePosixPath(path).parent == PurePosixPath(GENERATED_RUNBOOK_DIR) and path.endswith(".md")


def alert_tiers(document: SloDocument, defaults: Defaults) -> tuple[AlertTier, ...]:
    """The enabled tiers, each field taken from the spec, else defaults.yaml, else the built-in default."""
    alerting = document.spec.alerting
    tiers: list[AlertTier] = []
    for tier_name, default_tier in (("page", defaults.page), ("ticket", defaults.ticket)):
        tier: TierSpec = getattr(alerting, tier_name)
        if not tier.enabled or not default_tier.enabled:
            continue
        specified = tier.windows or default_tier.windows
        windows = (
            tuple(w.to_math() for w in specified)
            if specified
            else next(t.windows for t in slomath.DEFAULT_TIERS if t.name == tier_name)
        )
        tiers.append(
            AlertTier(
                name=tier_name,
                severity=tier.severity or default_tier.severity or tier_name,
                for_=tier.for_ or default_tier.for_ or TIER_DEFAULT_FOR[tier_name],
                notify=tier.notify or default_tier.notify or tier_name,
                windows=windows,
                labels={**default_tier.labels, **alerting.labels, **tier.labels},
                annotations={**default_tier.annotations, **alerting.annotations, **tier.annotations},
            )
        )
    return tuple(tiers)


def resolve(
    document: SloDocument, defaults: Defaults, file: str, line: int, name_line: int = 1, name_col: int = 1
) -> Slo:
    body = document.spec
    name = document.metadata.name
    tiers = alert_tiers(document, defaults)
    ticket = next((t for t in tiers if t.name == "ticket"), None)
    window_seconds = slomath.window_seconds(body.window)
    runbook = body.alerting.runbook or default_runbook(name)
    base = defaults.runbook_base_url
    runbook_rel = runbook.removeprefix("runbooks/") if base.rstrip("/").endswith("runbooks") else runbook
    return Slo(
        document=document,
        file=file,
        line=line,
        name_line=name_line,
        name_col=name_col,
        name=name,
        service=document.metadata.service,
        owner=document.metadata.owner,
        description=body.description,
        objective=round(body.objective / 100, 12),
        window=body.window,
        window_seconds=window_seconds,
        indicator=body.indicator,
        group_by=tuple(body.indicator.group_by),
        max_groups=body.indicator.max_groups,
        alerting=body.alerting,
        min_events=body.alerting.min_events,
        labels={**defaults.labels, **document.metadata.labels},
        tiers=tiers,
        alert_name=body.alerting.name,
        absent_labels=ticket.labels if ticket else dict(body.alerting.labels),
        absent_annotations=ticket.annotations if ticket else dict(body.alerting.annotations),
        sli_windows=slomath.sli_windows(window_seconds, tuple(slomath.Tier(t.name, t.windows) for t in tiers)),
        runbook=runbook,
        runbook_generated=runbook == default_runbook(name),
        runbook_url=f"{base}{runbook_rel}",
        dashboard_url=f"{defaults.dashboard_base_url}{document.metadata.service}",
    )
