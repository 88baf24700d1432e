"""Prometheus rule files: SLI recording rules, metadata rules and burn-rate alerts, one file per service.

Per SLO a rule group `slo-<name>`, evaluated top to bottom every minute (rules of a group see the
samples the rules above them recorded in the same evaluation), and for ratio SLIs a rollup group
`slo-<name>-rollup` every 4m:

1. base rates from the raw series over 5m (`sli.event_rates`), and over any alert window shorter
   than 5m (a fast outage pair's 1m), or one bad-slice sample per slice for threshold SLIs (the
   group then runs at the slice interval);
2. per window W of `Slo.sli_windows` an alert reads (both windows of a pair, the guard window):
   the event count and the error ratio, fresh every minute. Long windows are derived from the
   recorded 5m rates, never from the raw series: the event-weighted ratio over W is
   avg_over_time(bad 5m rate[W]) / avg_over_time(total 5m rate[W]) = sum of bad / sum of all
   events (the rates are sampled at the same instants, so the sampling cancels). That is exact
   Occurrences, unlike an average of 5m ratios, and it costs one series read per window instead
   of `increase(raw[30d])` over every raw series. A window without events has ratio 0, never NaN:
   `ratio / (count > 0) or count * 0`;
3. the rollup group: windows of a day or more that no alert reads (the SLO window, and report
   windows the tiers do not pair) would cost the most read every minute (30d: 43,200 samples of
   each 5m rate). Every 4m it records a block, the 5m rates averaged over the last 4m
   (`slo:sli_bad:rate5m_avg4m`, `..total..`), and averages the blocks over W the same way (30d:
   10,800 samples, read a quarter as often: 1/16 of the cost). The blocks of consecutive
   evaluations tile time, so the average of the blocks is the average of the rates and the ratio
   stays event-weighted. 4m keeps what the group records inside the 5m lookback: instant queries
   (report, dashboards) always find a sample, at most 4m old;
4. metadata: objective, error budget, burn rate per window (in the group of its window), budget
   remaining over the SLO window;
5. alerts (main group): one rule per tier and window pair (labels long_window/short_window say
   which pair fired), burn rate >= `slomath.firing_threshold(BurnWindow.factor(slo window))` (the
   factor less a billionth of it, so a burn at exactly the factor is not lost to float rounding),
   the spec's `for`, a low-traffic guard (`slo:sli_events:count<W>` >= minEvents, W = the long
   window and at least 1h: `slomath.guard_window`) and `SLOMetricsAbsent` when the sources vanish.

Edge tolerance. The windows average 5m rates recorded once a minute, so the minutes just before T
weigh less than the rest and the few minutes before T - W count a little: a 2.5-minute blur at
each edge. A rolled-up window ends at the rollup group's last evaluation (at most 4m before a
reader's instant) and its edges blur by one more block (4m) each; when an evaluation is missed
(a restart), the blocks left average over the gap as the minute rates would. Over a month that
is nothing unless the edge holds a sizeable share of the bad events (measured against the exact
counts over 30 days of 10x day/night traffic: within 0.01% on every SLO of slo/ and of the
rule benchmark's sweep; tests/prometheus/test_prom_accuracy.py, benchmarks/rules.py). Threshold
SLIs have no rollup group: their one slice series is read as it is.

Shortening `for` (tests only): generated files always carry the spec's `for`. A test that needs a
page within seconds loads the generated YAML and passes it through `override_for(doc, "0s")`
(tests/support/rule_files.py) before handing it to Prometheus. There is deliberately no CLI flag
for it, so committed rules can not be generated with a shortened `for` by accident.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sre_cli import links, sli_sources, slomath
from sre_cli.generate import Target
from sre_cli.slomath import format_duration
from sre_cli.slospec.document import PrometheusRuleSettings
from sre_cli.slospec.model import AlertTier, Slo, SpecSet
from sre_cli.slospec.resolve import TIER_DEFAULT_FOR
from sre_cli.targets import yamltext
from sre_cli.targets.prometheus import naming, prometheusrule, sli
from sre_cli.textsafe import go_template_literal
from sre_cli.vocabulary import BASE_WINDOW, ROLLUP_RANGE, for_people, number

RULES_DIR = "alarms/prometheus"
README = f"{RULES_DIR}/README.md"

Rule = dict[str, Any]
Group = dict[str, Any]


def rule_file_path(service: str) -> str:
    return f"{RULES_DIR}/{service}.rules.yaml"


def _record(name: str, expr: str, slo: Slo) -> Rule:
    return {"record": name, "expr": expr, "labels": naming.series_labels(slo)}


def alert_windows(slo: Slo) -> frozenset[int]:
    """Every window an alert reads: both windows of each pair and the low-traffic guard's."""
    pairs = [pair for tier in slo.tiers for pair in tier.windows]
    return frozenset(w for pair in pairs for w in (pair.long, pair.short, slomath.guard_window(pair)))


def rollup_windows(slo: Slo) -> tuple[int, ...]:
    """The windows the rollup group computes: a day or longer and read by no alert (the SLO window,
    unless a tier pairs it). Threshold SLIs have none: their one slice series is read as it is."""
    if slo.indicator.kind == "threshold":
        return ()
    alerted = alert_windows(slo)
    return tuple(w for w in slo.sli_windows if w >= slomath.DAY and w not in alerted)


def _count_and_ratio(slo: Slo, window: int, events: str, bad_events: str) -> list[Rule]:
    """Event count and error ratio over W; a window without events has ratio 0, never NaN."""
    count = naming.selector(naming.event_count(window), slo)
    return [
        _record(naming.event_count(window), events, slo),
        _record(naming.error_ratio(window), f"clamp_max({bad_events} / ({count} > 0), 1) or {count} * 0", slo),
    ]


def _averaged_window(slo: Slo, window: int, bad_rate: str, total_rate: str) -> list[Rule]:
    """A window longer than 5m: recorded rates averaged over W (module docstring)."""
    rng = format_duration(window)
    return _count_and_ratio(
        slo, window, f"avg_over_time({total_rate}[{rng}]) * {window}", f"avg_over_time({bad_rate}[{rng}]) * {window}"
    )


def _ratio_sli_rules(slo: Slo) -> list[Rule]:
    rules = []
    for window in (w for w in slo.sli_windows if w <= BASE_WINDOW):
        bad, total = sli.event_rates(slo, window)
        recorded = [_record(naming.bad_rate(window), bad, slo), _record(naming.total_rate(window), total, slo)]
        # A grouped SLO's bad events fall back to its recorded total x 0: the total comes first.
        rules += recorded[::-1] if slo.group_by else recorded
    bad_rate = naming.selector(naming.BAD_RATE, slo)
    total_rate = naming.selector(naming.TOTAL_RATE, slo)
    rolled_up = rollup_windows(slo)
    for window in (w for w in slo.sli_windows if w not in rolled_up):
        if window > BASE_WINDOW:
            rules += _averaged_window(slo, window, bad_rate, total_rate)
        else:
            events = f"{naming.selector(naming.total_rate(window), slo)} * {window}"
            bad_events = f"{naming.selector(naming.bad_rate(window), slo)} * {window}"
            rules += _count_and_ratio(slo, window, events, bad_events)
    return rules


def _rollup_rules(slo: Slo, windows: tuple[int, ...]) -> list[Rule]:
    """The rollup blocks (the 5m rates averaged since the group's previous evaluation), then each
    long window averaged from the blocks."""
    rules = [
        _record(naming.BAD_ROLLUP, f"avg_over_time({naming.selector(naming.BAD_RATE, slo)}[{ROLLUP_RANGE}])", slo),
        _record(naming.TOTAL_ROLLUP, f"avg_over_time({naming.selector(naming.TOTAL_RATE, slo)}[{ROLLUP_RANGE}])", slo),
    ]
    bad_blocks = naming.selector(naming.BAD_ROLLUP, slo)
    total_blocks = naming.selector(naming.TOTAL_ROLLUP, slo)
    for window in windows:
        rules += _averaged_window(slo, window, bad_blocks, total_blocks)
    return rules


def _timeslice_sli_rules(slo: Slo) -> list[Rule]:
    assert slo.indicator.threshold is not None
    bad_slice = naming.selector(naming.SLICE_BAD, slo)
    rules = [_record(naming.SLICE_BAD, sli.bad_slice(slo.indicator.threshold, naming.aggregation(slo)), slo)]
    # Zero without slices; not per group, where a label-less 0 would be a group of its own.
    fallback = "" if slo.group_by else " or on() vector(0)"
    for window in slo.sli_windows:
        rng = format_duration(window)
        rules.append(_record(naming.event_count(window), f"count_over_time({bad_slice}[{rng}]){fallback}", slo))
        rules.append(_record(naming.error_ratio(window), f"avg_over_time({bad_slice}[{rng}]){fallback}", slo))
    return rules


def _metadata_rules(slo: Slo) -> list[Rule]:
    budget = slomath.error_budget(slo.objective)
    return [
        _record(naming.OBJECTIVE, f"vector({number(slo.objective)})", slo),
        _record(naming.ERROR_BUDGET, f"vector({number(budget)})", slo),
    ]


def _burn_rules(slo: Slo, windows: tuple[int, ...] | list[int]) -> list[Rule]:
    """Burn rate per window, and the budget remaining where the SLO window is among them."""
    budget = number(slomath.error_budget(slo.objective))
    rules = [
        _record(naming.burn_rate(w), f"{naming.selector(naming.error_ratio(w), slo)} / {budget}", slo) for w in windows
    ]
    if slo.window_seconds in windows:
        period_burn = naming.selector(naming.burn_rate(slo.window_seconds), slo)
        rules.append(_record(naming.BUDGET_REMAINING, f"1 - {period_burn}", slo))
    return rules


def _alert_labels(slo: Slo, free: dict[str, str], **alert_labels: str) -> dict[str, str]:
    """An alert's labels: the series' labels, the owner, the spec's free labels, then the ones the
    generator routes and inhibits on. Prometheus expands them as Go templates, so spec text is made literal."""
    owner = {"owner": slo.owner} if slo.owner else {}
    labels = {**naming.series_labels(slo), **owner, **dict(sorted(free.items())), **alert_labels}
    return {name: go_template_literal(value) for name, value in labels.items()}


def _annotations(slo: Slo, kind: links.AlertKind, summary: str, description: str, free: dict[str, str]) -> Rule:
    """The text of a page: summary, description, links that open from a pager, then the spec's own."""
    annotations = {
        "summary": summary,
        "description": description,
        "runbook_url": go_template_literal(links.runbook_link(slo, kind)),
    }
    dashboard = links.alert_dashboard_link(slo)
    if dashboard is not None:
        annotations["dashboard_url"] = go_template_literal(dashboard)
    annotations.update((key, go_template_literal(value)) for key, value in sorted(free.items()))
    return annotations


def _group_text(slo: Slo) -> str:
    """The firing group in alert text, ` [handler=/login]`, expanded by Prometheus from the alert's
    labels (`index`, so any label name reads); label values are output, never expanded again."""
    if not slo.group_by:
        return ""
    return " [" + ", ".join(f'{label}={{{{ index $labels "{label}" }}}}' for label in slo.group_by) + "]"


def _burn_alert(slo: Slo, tier: AlertTier, window: slomath.BurnWindow) -> Rule:
    exact_factor = window.factor(slo.window_seconds)
    threshold = number(slomath.firing_threshold(exact_factor))
    factor = for_people(exact_factor)  # the expression keeps the exact threshold; text is for people
    long, short = format_duration(window.long), format_duration(window.short)
    expr = (
        f"{naming.selector(naming.burn_rate(window.long), slo)} >= {threshold}"
        f" and {naming.selector(naming.burn_rate(window.short), slo)} >= {threshold}"
    )
    # An errorRatio SLI counts no events, so no guard can count them (validation refuses a minEvents
    # written for it; one inherited from defaults.yaml is not applied to its Prometheus rules).
    approximate = sli_sources.is_approximate(slo)
    min_events = 0 if approximate else slo.min_events_for(window)
    guard = slomath.guard_window(window)
    guard_text = f" Error ratios {sli_sources.APPROXIMATE} (errorRatio source)." if approximate else ""
    if min_events > 0:
        expr += f" and {naming.selector(naming.event_count(guard), slo)} >= {min_events}"
        unit = "slices" if slo.indicator.kind == "threshold" else "events"
        guard_text += f" Fires only with >= {min_events} {unit} in {format_duration(guard)}."
    share = number(window.budget_share * 100)
    kind: links.AlertKind = "page" if tier.name == "page" else "ticket"
    group = _group_text(slo)
    return {
        "alert": naming.alert_name(slo, kind),
        "expr": expr,
        "for": tier.for_,
        "labels": _alert_labels(slo, tier.labels, long_window=long, severity=tier.severity, short_window=short),
        "annotations": _annotations(
            slo,
            kind,
            f"{slo.name}{group}: error budget burning {factor}x too fast over {long} and {short}",
            f'{slo.name}{group} ({slo.service}) burns its error budget at {{{{ $value | printf "%.2f" }}}}x '
            f"the sustainable rate over {long} (and over {short}); threshold {factor}x, i.e. {share}% "
            f"of the {slo.window} budget within {long}.{guard_text} Objective {number(slo.objective * 100)}%: "
            + go_template_literal(slo.description),
            tier.annotations,
        ),
    }


def _absent_alert(slo: Slo) -> Rule:
    ticket = slo.tier("ticket")
    sources = go_template_literal(", ".join(sli_sources.source_series(slo)))
    return {
        "alert": naming.alert_name(slo, "absent"),
        "expr": sli.absent_expr(slo),
        "for": ticket.for_ if ticket else TIER_DEFAULT_FOR["ticket"],
        "labels": _alert_labels(slo, slo.absent_labels, severity=ticket.severity if ticket else "ticket"),
        "annotations": _annotations(
            slo,
            "absent",
            f"{slo.name}: the SLI's source series are missing",
            f"None of the series behind {slo.name} exist ({sources}). The SLI reads as zero "
            "events, so its burn-rate alerts cannot fire: check the exporter and the scrape.",
            slo.absent_annotations,
        ),
    }


def _alert_rules(slo: Slo) -> list[Rule]:
    rules = [_burn_alert(slo, tier, window) for tier in slo.tiers for window in sorted(tier.windows)]
    rules.append(_absent_alert(slo))
    return rules


def slo_group(slo: Slo) -> Group:
    """The SLO's main rule group: recordings first, alerts last (they read this evaluation)."""
    group: Group = {"name": naming.group_name(slo)}
    if slo.indicator.kind == "threshold":
        assert slo.indicator.threshold is not None
        group["interval"] = slo.indicator.threshold.slice
        sli_rules = _timeslice_sli_rules(slo)
    else:
        sli_rules = _ratio_sli_rules(slo)
    rolled_up = rollup_windows(slo)
    fresh = [w for w in slo.sli_windows if w not in rolled_up]
    group["rules"] = [*sli_rules, *_metadata_rules(slo), *_burn_rules(slo, fresh), *_alert_rules(slo)]
    return group


def rollup_group(slo: Slo) -> Group | None:
    """The SLO's long windows no alert reads, every 4m (module docstring); None when it has none."""
    windows = rollup_windows(slo)
    if not windows:
        return None
    rules = [*_rollup_rules(slo, windows), *_burn_rules(slo, windows)]
    return {"name": naming.rollup_group_name(slo), "interval": ROLLUP_RANGE, "rules": rules}


def slo_groups(slo: Slo) -> list[Group]:
    rollup = rollup_group(slo)
    return [slo_group(slo)] if rollup is None else [slo_group(slo), rollup]


def prometheus_slos(specs: SpecSet) -> dict[str, list[Slo]]:
    """SLOs with a Prometheus source, by service (sorted); services without any are left out."""
    out: dict[str, list[Slo]] = {}
    for service, slos in specs.by_service().items():
        chosen = [s for s in slos if sli.has_prometheus_source(s)]
        if chosen:
            out[service] = chosen
    return out


def rule_groups(slos: list[Slo]) -> dict[str, list[Group]]:
    return {"groups": [g for s in slos for g in slo_groups(s)]}


def dump_yaml(doc: Any) -> str:
    """Block YAML, byte-identical to `yaml.dump` with libyaml (`yamltext.pyyaml_dump`), faster."""
    return yamltext.dump(doc)


def _header(slos: list[Slo], root: Path) -> str:
    # Relative to the repo root, so the text does not depend on how the specs were named.
    files = {s.file for s in slos}  # resolved once each: many SLOs share a file
    sources = ", ".join(sorted({Path(os.path.relpath(Path(f).resolve(), root)).as_posix() for f in files}))
    notes = "".join(
        f"# {s.name}: errorRatio source, its windows are {sli_sources.APPROXIMATE}\n"
        for s in slos
        if sli_sources.is_approximate(s)
    )
    return f"# Generated by `sre generate` from {sources}; do not edit. Names: alarms/prometheus/README.md\n{notes}"


def _readme() -> str:
    doc = (naming.__doc__ or "").strip()
    return (
        "# Prometheus SLO rules\n\n"
        "Generated by `sre generate` (one `<service>.rules.yaml` per service, PrometheusRule manifests\n"
        "in `kubernetes/`); do not edit. Load them with `rule_files:` or apply the manifests.\n\n"
        "## Recorded series\n\n" + doc.split("\n", 1)[1].strip() + "\n\n"
        "## How the windows are computed\n\n" + (__doc__ or "").split("\n", 1)[1].strip() + "\n"
    )


def service_files(
    service: str, slos: list[Slo], root: Path, settings: PrometheusRuleSettings | None = None
) -> dict[str, str]:
    """The service's rule file and its PrometheusRule manifest, from one build of its groups."""
    groups = rule_groups(slos)
    return {
        rule_file_path(service): _header(slos, root) + dump_yaml(groups),
        prometheusrule.manifest_path(service): prometheusrule.manifest_yaml(service, groups, settings),
    }


def render(specs: SpecSet) -> dict[str, str]:
    out: dict[str, str] = {}
    for service, slos in prometheus_slos(specs).items():
        out.update(service_files(service, slos, specs.root, specs.defaults.prometheus_rule))
    if out:
        out[README] = _readme()
    return out


TARGET = Target(
    "prometheus-rules",
    (f"{RULES_DIR}/*.rules.yaml", README, f"{prometheusrule.MANIFEST_DIR}/*.prometheusrule.yaml"),
    render,
)
