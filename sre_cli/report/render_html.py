"""`--format html`: one self-contained page (inline CSS and SVG, no scripts, no external assets).

Each SLO gets a budget burn-down chart: error budget remaining through the SLO window, from 100%
at the window start to the report's value at `at`. It renders in a browser with no network.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from sre_cli.report.model import BudgetPoint, Report, SloReport
from sre_cli.report.render_json import timestamp
from sre_cli.report.render_text import firing_tiers, pct, rate

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 16, 28
STATUS_COLOR = {"ok": "#1a7f37", "warning": "#bf8700", "breached": "#cf222e", "no_data": "#8250df"}

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#59636e;margin-bottom:16px}
.grid{display:flex;flex-wrap:wrap;gap:16px}
.slo{border:1px solid #d1d9e0;border-radius:8px;padding:12px 16px;width:680px}
.slo h2{font-size:16px;margin:0 0 6px}
.status{display:inline-block;color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;margin-left:6px}
table.numbers{border-collapse:collapse;font-size:13px;margin:6px 0}
table.numbers td{padding:2px 10px 2px 0}
.warn{color:#9a6700;font-size:13px}
svg text{font-size:11px;fill:#59636e}
"""


def _x(t: float, start: float, end: float) -> float:
    span = max(end - start, 1.0)
    return PAD_LEFT + (t - start) / span * (WIDTH - PAD_LEFT - PAD_RIGHT)


def _y(v: float, low: float, high: float) -> float:
    return PAD_TOP + (high - v) / (high - low) * (HEIGHT - PAD_TOP - PAD_BOTTOM)


def chart(s: SloReport) -> str:
    """The burn-down chart of one SLO as an <svg> element."""
    start, end = s.at - s.window_seconds, s.at
    points: tuple[BudgetPoint, ...] = s.burn_down
    low = min([0.0, *(p.remaining for p in points)])
    high = 1.0
    parts = [
        f'<svg class="burn-down" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="error budget remaining of {escape(s.name)}">',
        f'<rect x="{PAD_LEFT}" y="{PAD_TOP}" width="{WIDTH - PAD_LEFT - PAD_RIGHT}" '
        f'height="{HEIGHT - PAD_TOP - PAD_BOTTOM}" fill="#f6f8fa" stroke="#d1d9e0"/>',
    ]
    last_label_y = -100.0
    for v in sorted({high, 0.5, 0.0, low}, reverse=True):
        y = _y(v, low, high)
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d1d9e0"/>')
        if y - last_label_y >= 12:  # skip labels that would overprint (a deeply negative budget)
            parts.append(f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{v * 100:.0f}%</text>')
            last_label_y = y
    for t, anchor in ((start, "start"), (end, "end")):
        label = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")
        parts.append(f'<text x="{_x(t, start, end):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">{label}</text>')
    if points:
        color = STATUS_COLOR[s.status]
        coords = " ".join(f"{_x(p.at, start, end):.1f},{_y(p.remaining, low, high):.1f}" for p in points)
        area = f"{_x(points[0].at, start, end):.1f},{_y(0, low, high):.1f} {coords} "
        area += f"{_x(points[-1].at, start, end):.1f},{_y(0, low, high):.1f}"
        parts.append(f'<polygon class="budget-area" points="{area}" fill="{color}" fill-opacity="0.18"/>')
        parts.append(f'<polyline class="budget" points="{coords}" fill="none" stroke="{color}" stroke-width="2.5"/>')
    else:
        parts.append(
            f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT / 2:.0f}" text-anchor="middle">no data in the window</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def card(s: SloReport) -> str:
    events = "—" if s.events is None else f"{s.events.good:,.0f} / {s.events.total:,.0f} {s.unit}"
    rows = [
        ("SLI", pct(s.sli)),
        ("objective", f"{pct(s.objective, 2)} over {s.window}"),
        (f"good / total {s.unit}", events),
        ("budget remaining", pct(s.remaining, 1)),
        ("burn rate 1h / 6h / 3d", " / ".join(rate(s.burn_rates.get(w)) for w in ("1h", "6h", "3d"))),
        ("alerts firing", firing_tiers(s)),
        ("budget exhausted at (1h rate)", timestamp(s.exhaustion_at.get("1h")) or "—"),
        ("coverage", pct(s.coverage.share, 1) + ("" if s.coverage.complete else " (window longer than the data)")),
    ]
    table = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    warnings = "".join(f'<p class="warn">⚠ {escape(w)}</p>' for w in s.warnings)
    color = STATUS_COLOR[s.status]
    owner = f" · {escape(s.owner)}" if s.owner else ""
    return (
        f'<section class="slo" id="{escape(s.name)}"><h2>{escape(s.name)}'
        f'<span class="status" style="background:{color}">{escape(s.status)}</span></h2>'
        f'<div class="meta">{escape(s.service)}{owner}</div>'
        f'<table class="numbers">{table}</table>{warnings}{chart(s)}</section>'
    )


def render(report: Report) -> str:
    title = f"SLO report at {timestamp(report.at)}"
    cards = "\n".join(card(s) for s in report.slos)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<div class="meta">{escape(report.backend)}: {escape(report.source)} · budget remaining over each SLO '
        "window</div>"
        f'<div class="grid">\n{cards}\n</div></body></html>\n'
    )
