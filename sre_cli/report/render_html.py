"""`--format html`: one self-contained page (inline CSS and SVG, no scripts, no external assets).

A summary table first, most trouble first; then one card per SLO in a grid that reflows with the
page width (several per row on a wide screen, one on a narrow one). Each card has the SLO's
runbook and dashboard links, its burn rate per window and alert pairs, and a budget burn-down
chart: error budget remaining through the SLO window with dated ticks and the ideal (1x) burn.
It renders in a browser with no network and no JavaScript.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from html import escape

from sre_cli import slomath
from sre_cli.report.model import STATUSES, BudgetPoint, GroupView, Report, SloReport, by_severity
from sre_cli.report.render_json import timestamp
from sre_cli.report.render_text import GROUPED_LINE, count, coverage, firing_tiers, pct, rate, rows_of, runs_out

# Drawn in a 520-unit box and scaled to the card (about 400 px on a wide screen, at most 600).
WIDTH, HEIGHT = 520, 230
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 46, 10, 24, 28
STATUS_COLOR = {
    "breached": "#cf222e",
    "alerting": "#bc4c00",
    "at_risk": "#9a6700",
    "no_data": "#8250df",
    "partial": "#0969da",
    "ok": "#1a7f37",
}
STATUS_MEANING = {
    "breached": "budget spent: the SLI is below the objective",
    "alerting": "a burn-rate alert (page or ticket) is firing",
    "at_risk": "budget runs out at the current 1h or 6h burn, or under 25% left",
    "no_data": "no events in the window: the series do not exist or are empty",
    "partial": "healthy so far, but the window reaches back before the data",
    "ok": "fully measured, no alert, budget not running out",
}
# The chart keeps 0-100% readable: a budget far below zero is drawn at this floor and labelled.
CHART_FLOOR = -1.0
TICK_STEPS = tuple(
    s * unit for unit, steps in ((slomath.HOUR, (1, 2, 3, 6, 12)), (slomath.DAY, (1, 2, 3, 7, 14, 28))) for s in steps
)
MAX_TICKS = 7

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:0 0 6px}
a{color:#0969da}
.meta{color:#59636e;font-size:13px;margin-bottom:8px}
.scroll{overflow-x:auto;margin:12px 0 8px}
table{border-collapse:collapse;font-size:13px}
table.summary{width:100%}
table.summary th,table.summary td{padding:5px 8px;border-bottom:1px solid #d1d9e0;text-align:right;white-space:nowrap}
table.summary th{background:#f6f8fa;font-weight:600}
table.summary th:nth-child(-n+3),table.summary td:nth-child(-n+3){text-align:left}
table.summary .svc{display:block;color:#59636e;font-size:11px}
table.summary tr.group td:first-child{padding-left:22px;color:#59636e}
@media (max-width:1000px){table.summary .wide{display:none}}
.badge{display:inline-block;color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600}
.legend{color:#59636e;font-size:12px;margin:0 0 20px;line-height:1.6}
.legend .badge{margin-right:4px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,420px),1fr));gap:16px}
.slo{border:1px solid #d1d9e0;border-radius:8px;padding:12px 16px;min-width:0}
.status{display:inline-block;color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;margin-left:8px}
.desc{font-size:13px;margin:4px 0 6px}
.links{font-size:13px;margin:4px 0 8px}
.links a,.links span{margin-right:14px}
.nolink{color:#59636e}
.facts{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;font-size:13px;margin:6px 0}
.facts dt{color:#59636e}
.facts dd{margin:0}
table.burn{margin:8px 0;font-size:12px;width:100%}
table.per-window{font-size:11px}
table.per-window th,table.per-window td{padding:2px 3px}
table.burn caption{text-align:left;color:#59636e;font-size:12px;padding-bottom:2px}
table.burn th,table.burn td{padding:2px 5px;text-align:right}
table.burn th:first-child,table.burn td:first-child{text-align:left;padding-left:0}
table.burn thead th{color:#59636e;font-weight:600;border-bottom:1px solid #d1d9e0}
table.burn tbody th{color:#59636e;font-weight:600}
td.hot{color:#bc4c00;font-weight:600}
td.firing{color:#cf222e;font-weight:600}
.warn{color:#9a6700;font-size:13px;margin:4px 0}
svg.burn-down{width:100%;max-width:600px;height:auto;display:block;margin-top:8px}
svg text{font-size:12px;fill:#59636e}
"""


def _x(t: float, start: float, end: float) -> float:
    span = max(end - start, 1.0)
    return PAD_LEFT + (t - start) / span * (WIDTH - PAD_LEFT - PAD_RIGHT)


def _y(v: float, low: float, high: float) -> float:
    return PAD_TOP + (high - max(v, low)) / (high - low) * (HEIGHT - PAD_TOP - PAD_BOTTOM)


def y_range(points: tuple[BudgetPoint, ...]) -> tuple[float, float]:
    """Budget fractions the chart spans: 100% down to 0%, or to the lowest point in 25% steps,
    but never below CHART_FLOOR, so the 0-100% band keeps at least half the height."""
    lowest = min([0.0, *(p.remaining for p in points)])
    low = max(lowest, CHART_FLOOR)
    return math.floor(low * 4) / 4, 1.0


def time_ticks(start: float, end: float) -> list[float]:
    """Tick times on round UTC hours or days between `start` and `end`, at most MAX_TICKS of them."""
    span = end - start
    step = next((s for s in TICK_STEPS if span / s <= MAX_TICKS), TICK_STEPS[-1])
    # Weeks start on Monday; the Unix epoch was a Thursday.
    offset = 4 * slomath.DAY if step % slomath.WEEK == 0 else 0
    first = -(-(start - offset) // step) * step + offset
    return [first + i * step for i in range(int((end - first) // step) + 1)]


def minute(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M UTC")


def tick_label(t: float, step_is_days: bool) -> str:
    dt = datetime.fromtimestamp(t, UTC)
    if step_is_days or (dt.hour == 0 and dt.minute == 0):
        return dt.strftime("%b %d")
    return dt.strftime("%H:%M")


def chart(s: SloReport) -> str:
    """The burn-down chart of one SLO as an <svg> element."""
    start, end = s.at - s.window_seconds, s.at
    full = slomath.window_seconds(s.window)  # a calendar window's full length (rolling: the window)
    points: tuple[BudgetPoint, ...] = s.burn_down
    low, high = y_range(points)
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    parts = [
        f'<svg class="burn-down" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="error budget remaining of {escape(s.name)}">',
        f'<rect x="{PAD_LEFT}" y="{PAD_TOP}" width="{plot_w}" height="{plot_h}" fill="#f6f8fa" stroke="#d1d9e0"/>',
    ]
    if low < 0:
        zero = _y(0, low, high)
        parts.append(
            f'<rect class="overspent" x="{PAD_LEFT}" y="{zero:.1f}" width="{plot_w}" '
            f'height="{PAD_TOP + plot_h - zero:.1f}" fill="#cf222e" fill-opacity="0.06"/>'
        )
    level = 1.0
    while level >= low - 1e-9:
        y = _y(level, low, high)
        stroke = "#8c959f" if abs(level) < 1e-9 else "#d1d9e0"
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{stroke}"/>')
        parts.append(f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{level * 100:.0f}%</text>')
        level -= 0.25
    ticks = time_ticks(start, end)
    days = len(ticks) > 1 and ticks[1] - ticks[0] >= slomath.DAY
    for t in ticks:
        x = _x(t, start, end)
        parts.append(
            f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{PAD_TOP}" y2="{PAD_TOP + plot_h + 4}" '
            'stroke="#d1d9e0" stroke-dasharray="2,3"/>'
        )
        parts.append(
            f'<text class="tick-label" x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle">{tick_label(t, days)}</text>'
        )
    # Ideal burn: the budget spent evenly, 100% at the window start, 0% at its (full) end.
    ideal_end = 1.0 - s.window_seconds / full
    parts.append(
        f'<line class="ideal" x1="{_x(start, start, end):.1f}" y1="{_y(1.0, low, high):.1f}" '
        f'x2="{_x(end, start, end):.1f}" y2="{_y(ideal_end, low, high):.1f}" stroke="#59636e" '
        'stroke-width="1.5" stroke-dasharray="6,4"/>'
    )
    legend_y = PAD_TOP - 8
    parts.append(
        f'<text x="{WIDTH - PAD_RIGHT}" y="{legend_y}" text-anchor="end">— budget left   - - - ideal burn (1x)</text>'
    )
    if points:
        color = STATUS_COLOR[s.status]
        coords = " ".join(f"{_x(p.at, start, end):.1f},{_y(p.remaining, low, high):.1f}" for p in points)
        base = _y(0, low, high)
        area = f"{_x(points[0].at, start, end):.1f},{base:.1f} {coords} {_x(points[-1].at, start, end):.1f},{base:.1f}"
        parts.append(f'<polygon class="budget-area" points="{area}" fill="{color}" fill-opacity="0.18"/>')
        parts.append(f'<polyline class="budget" points="{coords}" fill="none" stroke="{color}" stroke-width="2.5"/>')
        lowest = min(p.remaining for p in points)
        if lowest < low:
            parts.append(
                f'<text class="off-chart" x="{WIDTH - PAD_RIGHT - 4}" y="{PAD_TOP + plot_h - 6}" text-anchor="end" '
                f'style="fill:{STATUS_COLOR["breached"]}">↓ off the chart: {lowest * 100:.0f}% at the lowest, '
                f"{points[-1].remaining * 100:.0f}% now</text>"
            )
    else:
        parts.append(
            f'<text x="{PAD_LEFT + plot_w / 2:.0f}" y="{PAD_TOP + plot_h / 2:.0f}" text-anchor="middle">'
            "no data in the window</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def link(label: str, url: str) -> str:
    """A link a reader can open; a relative path (no base URL configured) is shown, not linked:
    it would resolve against wherever the report file happens to be."""
    if url.startswith(("https://", "http://")):
        return f'<a href="{escape(url)}" rel="noopener">{escape(label)} ↗</a>'
    if not url:
        return f'<span class="nolink">no {escape(label)}</span>'
    hint = "not a URL: set runbookBaseUrl/dashboardBaseUrl in defaults.yaml"
    return f'<span class="nolink" title="{hint}">{escape(label)}: {escape(url)}</span>'


def badge(status: str, css_class: str = "badge") -> str:
    return f'<span class="{css_class}" style="background:{STATUS_COLOR[status]}">{escape(status)}</span>'


def burn_tables(s: SloReport) -> str:
    """Burn rate per window (a row, over 1x highlighted), then every alert pair as the alerts see it."""
    windows = "".join(f"<th>{escape(w)}</th>" for w in s.burn_rates)
    burns = "".join(
        f'<td class="{"hot" if b is not None and b >= 1 else "cool"}">{rate(b)}</td>' for b in s.burn_rates.values()
    )
    rows = "".join(
        f"<tr><td>{escape(a.tier)}</td><td>{escape(a.long_window)} / {escape(a.short_window)}</td>"
        f"<td>{rate(a.factor)}</td><td>{rate(a.long_burn_rate)} / {rate(a.short_burn_rate)}</td>"
        f'<td class="{"firing" if a.firing else "quiet"}">{"firing" if a.firing else "quiet"}</td></tr>'
        for a in s.alerts
    )
    return (
        '<table class="burn per-window"><caption>burn rate per window (1 = on budget)</caption>'
        f"<thead><tr><th>window</th>{windows}</tr></thead><tbody><tr><th>burn</th>{burns}</tr></tbody></table>"
        '<table class="burn alert-pairs"><caption>alert pairs: firing when both windows burn at or over the '
        "factor</caption>"
        "<thead><tr><th>tier</th><th>long / short</th><th>factor</th><th>burn long / short</th>"
        f"<th>state</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def card(s: SloReport, view: GroupView | None = None) -> str:
    events = "—" if s.events is None else f"{count(s.events.good)} / {count(s.events.total)} {s.unit}"
    grouped = []
    if s.group_by:
        shown = (view or GroupView()).rows(s)
        summary_note = f"; {shown.note}" if shown.note else "; each in the summary"
        grouped = [("groups", f"{shown.total} by {', '.join(s.group_by)}: {GROUPED_LINE}{summary_note}")]
    facts = [
        *grouped,
        ("SLI", f"{pct(s.sli)} (objective {pct(s.objective, 2)} over {s.window})"),
        (f"good / total {s.unit}", events),
        ("budget remaining", pct(s.remaining, 1)),
        ("alerts firing", firing_tiers(s)),
        ("budget runs out", runs_out(s) + (f" ({minute(s.runs_out_at)})" if s.runs_out_at else "")),
        (
            "coverage",
            coverage(s) + ("" if s.coverage.complete or s.status == "no_data" else " (window longer than the data)"),
        ),
    ]
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    warnings = "".join(f'<p class="warn">⚠ {escape(w)}</p>' for w in s.warnings)
    owner = f" · {escape(s.owner)}" if s.owner else ""
    desc = f'<p class="desc">{escape(s.description)}</p>' if s.description else ""
    return (
        f'<article class="slo" id="slo-{escape(s.name)}"><h2>{escape(s.name)}{badge(s.status, "status")}</h2>'
        f'<div class="meta">{escape(s.service)}{owner}</div>{desc}'
        f'<div class="links">{link("runbook", s.runbook_url)}{link("dashboard", s.dashboard_url)}</div>'
        f'<dl class="facts">{dl}</dl>{warnings}{burn_tables(s)}{chart(s)}</article>'
    )


# Summary columns; `wide` ones give way on narrow screens (every card still has them).
SUMMARY_COLUMNS = (
    ("SLO", ""),
    ("status", ""),
    ("budget left", ""),
    ("firing", ""),
    ("burn 1h", ""),
    ("burn 6h", "wide"),
    ("runs out", ""),
    ("SLI", ""),
    ("objective", "wide"),
    ("coverage", "wide"),
)


def summary_cells(s: SloReport) -> tuple[str, ...]:
    name = (
        f"└ {escape(s.group_selector)}"
        if s.group
        else f'<a href="#slo-{escape(s.name)}">{escape(s.name)}</a><span class="svc">{escape(s.service)}</span>'
    )
    return (
        name,
        badge(s.status),
        pct(s.remaining, 1),
        escape(firing_tiers(s)),
        rate(s.burn_rates.get("1h")),
        rate(s.burn_rates.get("6h")),
        escape(runs_out(s)),
        pct(s.sli),
        pct(s.objective, 2),
        escape(coverage(s)),
    )


def summary(slos: list[SloReport]) -> str:
    """The summary table of `slos` in the order given (a grouped SLO's group rows after it)."""

    def cell(tag: str, text: str, css: str) -> str:
        return f'<{tag} class="{css}">{text}</{tag}>' if css else f"<{tag}>{text}</{tag}>"

    head = "".join(cell("th", h, css) for h, css in SUMMARY_COLUMNS)
    rows = "".join(
        f'<tr class="row-{s.status}{" group" if s.group else ""}">'
        + "".join(cell("td", text, css) for text, (_, css) in zip(summary_cells(s), SUMMARY_COLUMNS, strict=True))
        + "</tr>"
        for s in slos
    )
    legend = " ".join(f"{badge(st)}{escape(STATUS_MEANING[st])}." for st in STATUSES)
    return (
        f'<div class="scroll"><table class="summary"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
        f'<p class="legend">{legend}</p>'
    )


def render(report: Report) -> str:
    title = f"SLO report at {timestamp(report.at)}"
    slos = by_severity(report.slos)
    counts = ", ".join(f"{n} {st}" for st in STATUSES if (n := sum(s.status == st for s in slos)))
    cards = "\n".join(card(s, report.group_view) for s in slos)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<div class="meta">{escape(report.backend)}: {escape(report.source)} · {len(slos)} SLOs: {escape(counts)} · '
        "budget remaining over each SLO window, most trouble first</div>"
        f"{summary(rows_of(report.slos, report.group_view)[0])}"
        f'<main class="cards">\n{cards}\n</main></body></html>\n'
    )
