"""Human formats: a rich table for terminals and markdown for PR comments, most trouble first."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass

from sre_cli.report.model import GroupView, Report, SloReport, by_severity
from sre_cli.report.render_json import timestamp
from sre_cli.textsafe import markdown_cell

STATUS_STYLE = {
    "breached": "bold red",
    "alerting": "red",
    "at_risk": "yellow",
    "no_data": "magenta",
    "partial": "cyan",
    "ok": "green",
}
STATUS_ICON = {"breached": "🔴", "alerting": "🟠", "at_risk": "🟡", "no_data": "⚪", "partial": "🔵", "ok": "🟢"}
# Piped or redirected output has no terminal to fit: lay the table out whole.
UNBOUNDED_WIDTH = 200


def pct(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x * 100:.{digits}f}%"


def rate(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def count(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def firing_tiers(s: SloReport) -> str:
    tiers = sorted({a.tier for a in s.alerts if a.firing})
    return ", ".join(tiers) if tiers else "—"


def runs_out(s: SloReport) -> str:
    """When the budget runs out at the current 1h/6h burn, relative to the report's instant."""
    from sre_cli.runbooks.render import approx_duration

    t = s.runs_out_at
    if t is None:
        return "—"
    return "now" if t <= s.at else f"in {approx_duration(t - s.at)}"


def coverage_cell(s: SloReport) -> str:
    return coverage(s) if s.coverage.complete else f"[yellow]{coverage(s)}[/yellow]"


def coverage(s: SloReport) -> str:
    if s.status == "no_data":
        return "no data"
    # Which series the numbers come from: the recorded rules' or the raw source series.
    return pct(s.coverage.share, 0) + ("" if s.coverage.complete else " partial") + f" {s.source}"


# Printed under every report with a grouped SLO: what its own line means.
GROUPED_LINE = (
    "a grouped SLO's own line sums the events of all its groups (event-weighted: a busy group weighs "
    "more than a quiet one; not the mean of the groups' SLIs); its group rows follow it"
)


def rows_of(slos: tuple[SloReport, ...], view: GroupView) -> tuple[list[SloReport], list[str]]:
    """Print rows, most trouble first, each grouped SLO followed by the group rows `view` keeps;
    and a note per grouped SLO whose groups were not all printed."""
    rows: list[SloReport] = []
    notes: list[str] = []
    for s in by_severity(slos):
        rows.append(s)
        if s.group_by:
            shown = view.rows(s)
            rows += shown.rows
            if shown.note:
                notes.append(f"{s.name}: {shown.note}")
    return rows, notes


def slo_cell(s: SloReport) -> str:
    """The SLO column's text: name and window; a group row its label values, under its SLO's line."""
    if s.group:
        return f"  └ {s.group_selector}"
    grouped = f" · {len(s.groups)} groups" if s.group_by else ""
    return f"{s.name} ({s.window}){grouped}"


@dataclass(frozen=True)
class Column:
    header: str
    justify: str
    cell: Callable[[SloReport], str]  # rich markup; user text escaped


def _columns() -> list[Column]:
    """Every table column, in the order they are dropped when the terminal is too narrow (last first)."""
    from rich.markup import escape

    def styled(s: SloReport, text: str) -> str:
        style = STATUS_STYLE[s.status]
        return f"[{style}]{text}[/{style}]"

    def events(s: SloReport) -> str:
        if s.events is None:
            return "—"
        return f"{count(s.events.good)}/{count(s.events.total)}" + (f" {s.unit}" if s.unit != "events" else "")

    return [
        Column("SLO", "left", lambda s: escape(slo_cell(s))),
        Column("status", "left", lambda s: styled(s, s.status)),
        Column("budget left", "right", lambda s: styled(s, pct(s.remaining, 1))),
        Column("firing", "left", lambda s: escape(firing_tiers(s))),
        Column("runs out", "left", runs_out),
        Column("burn 1h", "right", lambda s: rate(s.burn_rates.get("1h"))),
        Column("SLI", "right", lambda s: pct(s.sli)),
        Column("burn 6h", "right", lambda s: rate(s.burn_rates.get("6h"))),
        Column("coverage", "right", coverage_cell),
        Column("objective", "right", lambda s: pct(s.objective, 2)),
        Column("burn 1d", "right", lambda s: rate(s.burn_rates.get("1d"))),
        Column("burn 3d", "right", lambda s: rate(s.burn_rates.get("3d"))),
        Column("events good/total", "right", events),
    ]


# SLO, status and budget left are always shown; rich wraps them if even those do not fit.
ALWAYS_SHOWN = 3


def terminal_width() -> int:
    """COLUMNS when set, else the terminal's width, else UNBOUNDED_WIDTH (not a terminal)."""
    return shutil.get_terminal_size(fallback=(UNBOUNDED_WIDTH, 24)).columns


def render_table(report: Report, width: int | None = None, color: bool | None = None) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    width = width or terminal_width()
    console_buffer = io.StringIO()
    console = Console(file=console_buffer, width=width, force_terminal=color, no_color=color is False, emoji=False)
    rows, group_notes = rows_of(report.slos, report.group_view)

    def table_of(columns: list[Column]) -> Table:
        table = Table(expand=False, show_edge=False)
        for c in columns:
            table.add_column(c.header, justify=c.justify, no_wrap=c.header != "SLO")  # type: ignore[arg-type]
        for s in rows:
            table.add_row(*(c.cell(s) for c in columns))
        return table

    # Drop the least needed columns until the rest fit unwrapped: an 80-column terminal keeps what
    # on-call reads first (status, budget, firing, 1h burn, when it runs out) on one line per SLO.
    unbounded = console.options.update_width(10**6)  # measure the natural width, not the clamped one
    columns = _columns()
    table = table_of(columns)
    while len(columns) > ALWAYS_SHOWN and console.measure(table, options=unbounded).maximum > width:
        columns = columns[:-1]
        table = table_of(columns)
    # User text (names, URLs, warnings naming them) is data: `[bold]` in it must print as typed.
    console.print(f"SLO report at {timestamp(report.at)} ({escape(report.backend)}: {escape(report.source)})")
    console.print(table)
    hidden = len(_columns()) - len(columns)
    if hidden:
        console.print(f"[dim]{hidden} columns left out to fit {width} columns: --format markdown or json has all[/dim]")
    if any(s.group_by for s in rows):
        console.print(f"[dim]{GROUPED_LINE}[/dim]")
    for note in group_notes:
        console.print(f"[yellow]groups left out[/yellow]: {escape(note)}")
    for s in rows:
        for w in s.warnings:
            console.print(f"[yellow]warning[/yellow]: {escape(s.label)}: {escape(w)}")
    return console_buffer.getvalue()


def render_markdown(report: Report) -> str:
    lines = [
        f"### SLO report at {timestamp(report.at)}",
        "",
        f"Backend: {report.backend} (`{report.source}`)",
        "",
        "| SLO | status | budget left | firing | burn 1h | burn 6h | burn 3d | runs out | SLI | objective | coverage |",
        "|---|---|---:|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    rows, group_notes = rows_of(report.slos, report.group_view)
    for s in rows:
        lines.append(
            f"| {markdown_slo_cell(s)} | {STATUS_ICON[s.status]} {s.status} | {pct(s.remaining, 1)} "
            f"| {firing_tiers(s)} | {rate(s.burn_rates.get('1h'))} | {rate(s.burn_rates.get('6h'))} "
            f"| {rate(s.burn_rates.get('3d'))} | {runs_out(s)} | {pct(s.sli)} | {pct(s.objective, 2)} "
            f"| {'⚠️ ' if not s.coverage.complete else ''}{coverage(s)} |"
        )
    if any(s.group_by for s in rows):
        lines += ["", f"Note: {GROUPED_LINE}."]
    notes = [f"- groups left out: {markdown_cell(n)}" for n in group_notes]
    notes += [f"- **{s.name}**{group_text(s)}: {w}" for s in rows for w in s.warnings]
    if notes:
        lines += ["", "Warnings:", "", *notes]
    return "\n".join(lines) + "\n"


def group_text(s: SloReport) -> str:
    """A group's label values as Markdown text (values are data: escaped); "" for a whole SLO."""
    return f" {markdown_cell(s.group_selector)}" if s.group else ""


def markdown_slo_cell(s: SloReport) -> str:
    if s.group:
        return "└" + group_text(s)
    grouped = f" · {len(s.groups)} groups" if s.group_by else ""
    return f"`{s.name}` ({s.window}){grouped}"
