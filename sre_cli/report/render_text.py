"""Human formats: a rich table for terminals and markdown for PR comments."""

from __future__ import annotations

import io

from sre_cli.report.model import Report, SloReport
from sre_cli.report.render_json import timestamp

STATUS_STYLE = {"ok": "green", "warning": "yellow", "breached": "bold red", "no_data": "magenta"}
STATUS_ICON = {"ok": "🟢", "warning": "🟡", "breached": "🔴", "no_data": "⚪"}
TABLE_BURN_WINDOWS = ("1h", "6h", "1d", "3d")


def pct(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x * 100:.{digits}f}%"


def rate(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def count(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def firing_tiers(s: SloReport) -> str:
    tiers = sorted({a.tier for a in s.alerts if a.firing})
    return ", ".join(tiers) if tiers else "—"


def exhaustion(s: SloReport) -> str:
    t = s.exhaustion_at.get("1h")
    return (timestamp(t) or "—").replace("T", " ")[:16] if t is not None else "—"


def render_table(report: Report, width: int | None = None, color: bool | None = None) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # User text (names, URLs, warnings naming them) is data: `[bold]` in it must print as typed.
    title = f"SLO report at {timestamp(report.at)} ({escape(report.backend)}: {escape(report.source)})"
    table = Table(title=title, expand=False)
    for column, justify in (
        ("SLO", "left"),
        ("status", "left"),
        ("SLI", "right"),
        ("objective", "right"),
        ("events good/total", "right"),
        ("budget left", "right"),
        *((f"burn {w}", "right") for w in TABLE_BURN_WINDOWS),
        ("firing", "left"),
        ("exhausted at (1h rate)", "left"),
        ("coverage", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for s in report.slos:
        style = STATUS_STYLE[s.status]
        events = "—" if s.events is None else f"{count(s.events.good)}/{count(s.events.total)}"
        table.add_row(
            escape(f"{s.name} ({s.window})"),
            f"[{style}]{s.status}[/{style}]",
            pct(s.sli),
            pct(s.objective, 2),
            events + (" slices" if s.unit == "slices" else ""),
            f"[{style}]{pct(s.remaining, 1)}[/{style}]",
            *(rate(s.burn_rates.get(w)) for w in TABLE_BURN_WINDOWS),
            escape(firing_tiers(s)),
            exhaustion(s),
            ("" if s.coverage.complete else "[yellow]⚠ [/yellow]") + pct(s.coverage.share, 0),
        )
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 200, force_terminal=color, no_color=color is False, emoji=False)
    console.print(table)
    for s in report.slos:
        for w in s.warnings:
            console.print(f"[yellow]warning[/yellow]: {escape(s.name)}: {escape(w)}")
    return buffer.getvalue()


def render_markdown(report: Report) -> str:
    lines = [
        f"### SLO report at {timestamp(report.at)}",
        "",
        f"Backend: {report.backend} (`{report.source}`)",
        "",
        "| SLO | status | SLI | objective | budget left | burn 1h | burn 6h | burn 3d | firing | coverage |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for s in report.slos:
        lines.append(
            f"| `{s.name}` ({s.window}) | {STATUS_ICON[s.status]} {s.status} | {pct(s.sli)} | {pct(s.objective, 2)} "
            f"| {pct(s.remaining, 1)} | {rate(s.burn_rates.get('1h'))} | {rate(s.burn_rates.get('6h'))} "
            f"| {rate(s.burn_rates.get('3d'))} | {firing_tiers(s)} "
            f"| {'⚠️ ' if not s.coverage.complete else ''}{pct(s.coverage.share, 0)} |"
        )
    notes = [f"- **{s.name}**: {w}" for s in report.slos for w in s.warnings]
    if notes:
        lines += ["", "Warnings:", "", *notes]
    return "\n".join(lines) + "\n"
