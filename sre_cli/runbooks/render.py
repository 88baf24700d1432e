"""Render `runbooks/<slo>.md` from the Jinja2 template, the spec and the hand-written parts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2

from sre_cli import links, slomath
from sre_cli.promql_selectors import threshold_le_matcher
from sre_cli.runbooks import handwritten, markdown, queries
from sre_cli.sli_sources import APPROXIMATE
from sre_cli.slomath import format_duration
from sre_cli.slospec.document import CloudWatchMetric
from sre_cli.slospec.model import Slo, SpecSet
from sre_cli.slospec.resolve import in_generated_runbook_dir
from sre_cli.textsafe import markdown_cell, markdown_code, markdown_link_target, markdown_text
from sre_cli.vocabulary import BASE_RANGE, latency_rank, number

RUNBOOK_GLOB = "runbooks/*.md"
INDEX_PATH = "runbooks/README.md"
INCIDENT_DIR = "runbooks/incidents"

# What one event is, in the words of the service's callers; anything else reads "events".
_EVENT_UNITS = {"api": "requests", "db": "database operations", "sfn": "executions"}
_TIER_MEANING = {
    "page": "The budget is burning fast enough to exhaust it within days: someone must act now.",
    "ticket": "The budget is burning steadily above its sustainable rate: fix it within working hours.",
}
_TIER_ACTION = {
    "page": "Acknowledge, open an incident, and mitigate before you investigate.",
    "ticket": "Take the ticket in the owning team's queue; no one needs to be woken up.",
}


def environment() -> jinja2.Environment:
    # StrictUndefined: a misspelt variable is an error at generate time, never a blank in a runbook.
    # No auto_reload: one generation never sees the template change, so it is not stat'ed per page.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sre_cli.runbooks", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,
    )


def percent(fraction: float) -> str:
    return f"{round(fraction * 100, 10):.10g}%"


def approx_duration(seconds: float) -> str:
    """Rounded to a unit a human plans with (minutes under a day, hours above)."""
    unit = slomath.MINUTE if seconds < slomath.DAY else slomath.HOUR
    return format_duration(max(unit, round(seconds / unit) * unit))


def _budget(slo: Slo) -> dict[str, str]:
    ind = slo.indicator
    budget = slomath.error_budget(slo.objective)
    if ind.threshold is not None:
        slices = slomath.timeslice_budget(slo.window_seconds, ind.threshold.slice_seconds, slo.objective)
        bad_time = approx_duration(slices * ind.threshold.slice_seconds)
        concrete = f"{number(slices)} bad {ind.threshold.slice} slices, {bad_time} in total"
        unit = f"{ind.threshold.slice} slices"
    else:
        outage = approx_duration(budget * slo.window_seconds)
        state = "every request slow" if ind.latency is not None else "a total outage"
        concrete = f"{state} for up to {outage} per {slo.window}"
        unit = _EVENT_UNITS.get(slo.service, "events")
    return {"share_pct": percent(budget), "ratio": number(budget), "concrete": concrete, "unit_plural": unit}


def _sli_meaning(slo: Slo) -> str:
    ind = slo.indicator
    parts: list[str] = []
    if ind.ratio is not None:
        prom, cw = ind.ratio.prometheus, ind.ratio.cloudwatch
        if prom is not None and prom.expression is not None:
            e = prom.expression
            kind, counted_expr = ("bad", e.bad) if e.bad is not None else ("good", e.good)
            parts.append(
                f"In Prometheus: {kind} events per second {markdown_code(counted_expr or '')} over all events "
                f"{markdown_code(e.total)}, each with the window put in for `{{{{.window}}}}`."
            )
        elif prom is not None and prom.error_ratio is not None:
            parts.append(
                f"In Prometheus: the error ratio {markdown_code(prom.error_ratio)}, without event counts: its "
                f"windows are the time average of the {BASE_RANGE} ratio ({APPROXIMATE})."
            )
        elif prom is not None:
            kind = "good" if prom.good else "bad"
            counted = " + ".join(markdown_code(s) for s in queries.selector_list(prom.good or prom.bad))
            total = " + ".join(markdown_code(s) for s in queries.selector_list(prom.total))
            how = "per-period sums (summed over time)" if prom.metric_type == "periodSum" else "counters (rates)"
            parts.append(f"In Prometheus: {kind} events {counted} over all events {total}, from {how}.")
        if cw is not None:
            counted_cw = cw.good or cw.bad or []
            names = ", ".join(sorted({_cloudwatch_metric(m) for m in counted_cw}))
            totals = ", ".join(sorted({_cloudwatch_metric(m) for m in cw.total}))
            parts.append(f"In CloudWatch: {'good' if cw.good else 'bad'} {names} over total {totals}.")
        head = "The SLI is the ratio of good events to all events."
    elif ind.latency is not None:
        head = f"The SLI is the share of requests served within {ind.latency.threshold}."
        if (hist := ind.latency.prometheus) is not None and hist.native:
            parts.append(
                f"In Prometheus: the share of the native histogram {markdown_code(hist.histogram)} above "
                "the threshold (`histogram_fraction`, interpolated within the threshold's bucket when the "
                "threshold is no bucket boundary) over its count (`histogram_count`)."
            )
        elif hist is not None and hist.buckets is not None:
            # The matcher the queries below use, so the prose names the bucket as they select it.
            le = threshold_le_matcher(ind.latency.threshold_seconds, hist.buckets)
            parts.append(
                f"In Prometheus: the {markdown_code(str(le))} bucket of the histogram {markdown_code(hist.histogram)} "
                "over its `_count`."
            )
        if ind.latency.cloudwatch is not None:
            m = ind.latency.cloudwatch.metric
            parts.append(
                f"In CloudWatch: the percentile rank `{latency_rank(ind.latency)}` of "
                f"{_cloudwatch_metric(m)}, the share of requests at or under the threshold."
            )
    else:
        th = ind.threshold
        assert th is not None
        head = (
            f"The SLI is the share of {th.slice} slices in which the measured value stays "
            f"`{th.operator} {number(th.value)}`; a slice that breaks it is bad as a whole."
        )
        if th.prometheus is not None:
            parts.append(f"In Prometheus: {markdown_code(th.prometheus.gauge)} sampled every {th.slice}.")
        if th.cloudwatch is not None:
            m = th.cloudwatch.metric
            parts.append(f"In CloudWatch: {_cloudwatch_metric(m)} ({markdown_text(m.statistic)} per {th.slice}).")
    return "\n".join([f"{head} {markdown_text(slo.description)}", "", *(f"- {p}" for p in parts)])


def _cloudwatch_metric(metric: CloudWatchMetric) -> str:
    return f"{markdown_code(metric.namespace)} {markdown_text(metric.metric_name)}"


def _impact(slo: Slo, budget: dict[str, str]) -> str:
    ind = slo.indicator
    if ind.threshold is not None:
        what = "work waits longer than the objective allows"
    elif ind.latency is not None:
        what = "requests are slower than the threshold: pages load slowly and clients may time out and retry"
    else:
        what = "the failing events this SLI counts reach callers"
    return (
        f"While a tier fires, {what}. Every bad one of the {budget['unit_plural']} spends part of the "
        f"{slo.window} error budget ({budget['share_pct']}); once it is spent the SLO is breached for the "
        f"window and the service owes its users the reliability it promised. A page means that, at the "
        f"current rate, the budget runs out within days."
    )


def _contributors_title(slo: Slo) -> str:
    ind = slo.indicator
    if ind.latency is not None:
        return (
            f"{latency_quantile_name(slo)} latency over {BASE_RANGE} (compare with the threshold, "
            f"{ind.latency.threshold})"
        )
    if ind.threshold is not None:
        return "Current value of the measured gauge"
    return "Where the events come from (top label sets; compare with a healthy hour)"


def latency_quantile_name(slo: Slo) -> str:
    """`p99` for a 99% latency SLO: the percentile whose latency the threshold bounds."""
    return f"p{number(slo.objective * 100)}"


def _tier_context(slo: Slo, specs: SpecSet) -> list[dict[str, Any]]:
    tiers: list[dict[str, Any]] = []
    for tier in slo.tiers:
        title = tier.name.capitalize()
        anchor = links.alert_anchor(tier.name)  # type: ignore[arg-type]
        if markdown.github_slug(title) != anchor:
            raise ValueError(f"tier heading {title!r} would not produce the alert anchor #{anchor}")
        target = specs.defaults.notification_targets.get(tier.notify)
        windows = []
        for w in tier.windows:
            factor = w.factor(slo.window_seconds)
            windows.append(
                {
                    "long": format_duration(w.long),
                    "short": format_duration(w.short),
                    "factor": number(round(factor, 3)),
                    "share_pct": percent(w.budget_share),
                    "exhaustion": approx_duration(slo.window_seconds / factor),
                }
            )
        receiver = target.alertmanager_receiver if target else None
        sns = target.sns_topic_arn if target else None
        notify_text, notify_cell = (_channels(receiver, sns, in_table) for in_table in (False, True))
        tiers.append(
            {
                "title": title,
                "severity": tier.severity,
                "for_": tier.for_,
                "notify": markdown_code(tier.notify),
                "receiver": receiver,
                "sns": sns,
                "notify_text": notify_text or markdown_code(tier.notify),
                "notify_cell": notify_cell or markdown_code(tier.notify, in_table=True),
                "windows": windows,
                "meaning": _TIER_MEANING.get(tier.name, ""),
                "action": _TIER_ACTION.get(tier.name, ""),
            }
        )
    return tiers


def _channels(receiver: str | None, sns: str | None, in_table: bool) -> str:
    """Where a tier's notifications go, as Markdown prose or as a table cell."""
    channels = (
        f"Alertmanager receiver {markdown_code(receiver, in_table=in_table)}" if receiver else "",
        f"SNS topic {markdown_code(sns, in_table=in_table)}" if sns else "",
    )
    return ", ".join(x for x in channels if x)


def _promql_context(slo: Slo) -> dict[str, Any] | None:
    if slo.indicator.body.prometheus is None:
        return None
    windows: list[int] = []
    for tier in slo.tiers:
        for w in tier.windows:
            windows += [w.long, w.short]
    ordered = sorted(set(windows)) or [slomath.HOUR]
    burn = [{"window": format_duration(s), "expr": queries.promql_burn_rate(slo, format_duration(s))} for s in ordered]
    return {
        "burn": burn,
        "remaining": queries.promql_budget_remaining(slo),
        "contributors": queries.promql_contributors(slo),
        "contributors_title": _contributors_title(slo),
    }


def _groups_context(slo: Slo) -> dict[str, Any] | None:
    """A grouped SLO's worst groups, and what its groups cost in recorded series."""
    if not slo.group_by or slo.indicator.body.prometheus is None:
        return None
    from sre_cli.targets.prometheus import naming, rules

    burn, budget = queries.promql_worst_groups(slo)
    per_slo = {naming.OBJECTIVE, naming.ERROR_BUDGET}  # the only series a grouped SLO records once
    recorded = [r for g in rules.slo_groups(slo) for r in g["rules"] if "record" in r and r["record"] not in per_slo]
    return {
        "labels": ", ".join(markdown_code(label) for label in slo.group_by),
        "burn": [{"window": window, "expr": expr} for window, expr in burn],
        "budget": budget,
        "series_per_group": len(recorded),
        "max_groups": slo.max_groups,
        "series_at_max": len(recorded) * slo.max_groups,
        "pairs": sum(len(tier.windows) for tier in slo.tiers),
    }


def _spec_file(file: str, root: Path) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def context(slo: Slo, specs: SpecSet, parts: handwritten.HandParts) -> dict[str, Any]:
    budget = _budget(slo)
    region = queries.aws_region(slo, specs.defaults)
    cloudwatch = (
        [{"title": q.title, "command": q.command()} for q in queries.cloudwatch_queries(slo)]
        if slo.indicator.body.cloudwatch is not None
        else []
    )
    return {
        "slo": {
            "name": slo.name,
            "description": markdown_text(slo.description),
            "service": slo.service,
            "owner": markdown_cell(slo.owner) if slo.owner else "unassigned",
            "objective_pct": percent(slo.objective),
            "window": slo.window,
            "min_events": slo.min_events,
            "spec_file": _spec_file(slo.file, specs.root),
            "spec_file_cell": markdown_code(_spec_file(slo.file, specs.root), in_table=True),
        },
        "budget": budget,
        "dashboard": {
            "title": f"{slo.service} SLOs",
            "url": markdown_link_target(links.dashboard_link(slo)),
            "url_cell": markdown_link_target(links.dashboard_link(slo), in_table=True),
        },
        "meaning": {"sli": _sli_meaning(slo)},
        "impact": _impact(slo, budget),
        "tiers": _tier_context(slo, specs),
        "absent": {
            "promql": queries.promql_presence(slo),
            "jobs": queries.scrape_jobs(slo),
            "cloudwatch": [queries.list_metrics_command(m) for m in queries.cloudwatch_metrics(slo)],
        },
        "promql": _promql_context(slo),
        "groups": _groups_context(slo),
        "cloudwatch": cloudwatch,
        "aws_region": region or '"${AWS_REGION:?set the region of the stack}"',
        "hand": {name: parts.get(name) for name in handwritten.SECTIONS},
        "hand_file": parts.file,
    }


def tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def render_runbook(
    slo: Slo, specs: SpecSet, parts: handwritten.HandParts, env: jinja2.Environment | None = None
) -> str:
    env = env or environment()
    return tidy(env.get_template("slo.md.j2").render(**context(slo, specs, parts)))


def generated(slo: Slo) -> bool:
    """A spec that names its own runbook owns it; the default path is generated."""
    return slo.runbook_generated


def _incident_titles(root: Path) -> list[tuple[str, str]]:
    folder = root / INCIDENT_DIR
    found: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        title = next((h.text for h in markdown.headings(text) if h.level == 1), path.stem)
        found.append((f"{INCIDENT_DIR}/{path.name}", title))
    return found


def _rel(target: str, start: str) -> str:
    return os.path.relpath(target, os.path.dirname(start)).replace(os.sep, "/")


def render_index(specs: SpecSet) -> str:
    lines = [
        "<!-- Generated by `sre generate`. Do not edit: SLO runbooks come from the specs, incidents from",
        "     runbooks/incidents/. -->",
        "# Runbooks",
        "",
        "Every alert links to a heading of one of the SLO runbooks; they link to the incident runbooks.",
        "",
        "| SLO | Service | Objective | Runbook |",
        "|---|---|---|---|",
    ]
    for slo in sorted(specs.slos, key=lambda s: (s.service, s.name)):
        lines.append(
            f"| {slo.name} | {slo.service} | {percent(slo.objective)} over {slo.window} | "
            f"[{slo.runbook}]({_rel(slo.runbook, INDEX_PATH)}) |"
        )
    incidents = _incident_titles(specs.root)
    if incidents:
        lines += ["", "## Incidents", ""]
        lines += [f"- [{title}]({_rel(path, INDEX_PATH)})" for path, title in incidents]
    return "\n".join(lines) + "\n"


def render(specs: SpecSet) -> dict[str, str]:
    """`runbooks/<slo>.md` for every SLO with a default runbook path, plus the index."""
    for slo in specs.slos:
        if not generated(slo) and in_generated_runbook_dir(slo.runbook):
            raise ValueError(
                f"{slo.file}: spec.alerting.runbook {slo.runbook} lies in {RUNBOOK_GLOB}, which `sre generate` "
                "owns and would delete; keep hand-written runbooks in a sub-folder such as runbooks/custom/"
            )
    parts = handwritten.load(specs.root, [s.name for s in specs.slos])
    env = environment()
    outputs = {slo.runbook: render_runbook(slo, specs, parts[slo.name], env) for slo in specs.slos if generated(slo)}
    outputs[INDEX_PATH] = render_index(specs)
    return dict(sorted(outputs.items()))
