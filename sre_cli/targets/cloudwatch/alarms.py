"""Multi-window multi-burn-rate alarms for CloudWatch: `alarms/cloudwatch/<service>.json`.

Every alarm is stored as the exact request of the API call that creates it (PutMetricAlarm /
PutCompositeAlarm keyword arguments), so Terraform and `sre cloudwatch apply` send the same bytes:

    {"service": "api",
     "metric_alarms":    {"<AlarmName>": {PutMetricAlarm kwargs}},
     "composite_alarms": {"<AlarmName>": {PutCompositeAlarm kwargs}}}

Per SLO and tier window pair (long, short) there are two child metric alarms (one per window,
threshold = the pair's burn factor, no actions) and one composite `ALARM(long) AND ALARM(short)`
that carries the tier's SNS topic. When an SLO has a page tier, a `<slo>-page-any` composite
(`ALARM(page pair 1) OR ...`, actions disabled) is the ActionsSuppressor of the ticket composites,
so a ticket stays quiet while the page for the same burn is firing. How each window maps onto
Period/EvaluationPeriods, including the fallback for windows the API cannot express, is in
`sli.py`. Every payload passes `validator.py` before anything is written.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sre_cli import links, placeholders, slomath
from sre_cli.generate import Target
from sre_cli.placeholders import Identity
from sre_cli.slospec.document import Defaults
from sre_cli.slospec.model import AlertTier, Slo, SpecSet
from sre_cli.slospec.resolve import TIER_DEFAULT_FOR
from sre_cli.targets.cloudwatch import sli, validator

ALARMS_DIR = "alarms/cloudwatch"
MANAGED_BY = ("ManagedBy", "sre")
SUPPRESSOR_EXTENSION_SECONDS = 300


def alarms_path(service: str) -> str:
    return f"{ALARMS_DIR}/{service}.json"


def pair_name(slo: Slo, tier: AlertTier, w: slomath.BurnWindow) -> str:
    return f"{slo.name}-{tier.name}-{slomath.format_duration(w.long)}-{slomath.format_duration(w.short)}"


def page_any_name(slo: Slo) -> str:
    return f"{slo.name}-page-any"


def tags(slo: Slo, severity: str) -> list[dict[str, str]]:
    pairs = {MANAGED_BY[0]: MANAGED_BY[1], "slo": slo.name, "service": slo.service, "severity": severity}
    return [{"Key": k, "Value": v} for k, v in sorted(pairs.items())]


def topic_arn(specs: SpecSet, slo: Slo, tier: AlertTier) -> str:
    return notify_topic_arn(specs, slo, f"{tier.name} tier", tier.notify)


def notify_topic_arn(specs: SpecSet, slo: Slo, what: str, notify: str) -> str:
    """The SNS topic of a notification target (often a `${name}` placeholder an environment fills).

    Without any notificationTargets (a spec set not yet wired to on-call, an import), a tier
    notifies `${<tier>_topic_arn}`, the repository's own convention, for its environment to fill.
    """
    if problem := topic_problem(specs.defaults, what, notify):
        raise ValueError(f"{slo.file}:{slo.line}: SLO {slo.name}: {problem}")
    target = specs.defaults.notification_targets.get(notify)
    return Identity(target.sns_topic_arn if target is not None and target.sns_topic_arn else topic_placeholder(notify))


def topic_placeholder(notify: str) -> str:
    name = re.sub(r"[^a-z0-9_]", "_", notify.lower())
    return f"${{{name if name[:1].isalpha() else 'target_' + name}_topic_arn}}"


def topic_problem(defaults: Defaults, what: str, notify: str) -> str | None:
    """Why `what` (an alarm) has no SNS topic to notify, if it has none."""
    target = defaults.notification_targets.get(notify)
    if not defaults.notification_targets or (target is not None and target.sns_topic_arn):
        return None
    return (
        f"the {what} notifies {notify!r}, which has no snsTopicArn under notificationTargets in defaults.yaml; "
        "CloudWatch alarms need an SNS topic"
    )


def notified(slo: Slo, defaults: Defaults) -> list[tuple[str, str]]:
    """(what, notification target) of every alarm of the SLO that has actions."""
    return [(f"{tier.name} tier", tier.notify) for tier in slo.tiers] + [
        ("metrics-absent alarm", absent_notify(slo, defaults))
    ]


def missing_data_treatment(slo: Slo) -> str:
    """TreatMissingData of the burn-rate child alarms, chosen per kind of source metric."""
    if sli.is_timeslice(slo):
        # The gauge is published once per slice, 0 when all is well (the Batch queue-age Lambda
        # writes 0 for an empty queue): a slice without a datapoint means the publisher stopped,
        # which says nothing about the queue. "missing" evaluates the slices that do exist and
        # turns INSUFFICIENT_DATA when none do, instead of counting unknown slices as good; the
        # metrics-absent alarm tickets the silence.
        return "missing"
    # Event counts (ALB, Step Functions, the API's own DB counters) are published only for
    # periods in which something happened, and the burn expression FILLs each count with 0, so it
    # has a datapoint whenever any source reported. No datapoint at all means no events, and no
    # events burn no budget: "notBreaching". A total outage still pages because the failures are
    # counted by a source that keeps reporting: api-availability's total includes the ALB's own
    # HTTPCode_ELB_5XX_Count, so when the targets are gone and the 2xx and per-target-group
    # RequestCount series stop, bad = total - FILL(good, 0) = the ALB's 5xx and the burn is 1/budget.
    # A source that goes silent without anyone counting errors is the metrics-absent alarm's case.
    return "notBreaching"


def alarm_window(slo: Slo, window: int, factor: float) -> sli.AlarmWindow:
    if sli.is_timeslice(slo):
        t = slo.indicator.threshold
        assert t is not None
        return sli.timeslice_window(window, t.slice_seconds, factor, slomath.error_budget(slo.objective))
    return sli.event_window(window)


def child_alarm(slo: Slo, tier: AlertTier, w: slomath.BurnWindow, which: str) -> dict[str, Any]:
    """The metric-math alarm of one window of a pair (`which` is "long" or "short")."""
    window = w.long if which == "long" else w.short
    factor = w.factor(slo.window_seconds)
    try:
        plan = alarm_window(slo, window, factor)
    except ValueError as exc:
        raise ValueError(f"{slo.file}:{slo.line}: SLO {slo.name}, {tier.name} tier: {exc}") from None
    if sli.counts_slices(slo, plan):
        metrics = sli.slice_burn_queries(slo, plan.period)
        how = (
            f"at least {factor:g} x budget of {plan.evaluation_periods} slices of "
            f"{slomath.format_duration(plan.period)} bad ({plan.datapoints_to_alarm} of {plan.evaluation_periods})"
        )
    else:
        if sli.is_timeslice(slo):
            metrics = sli.slice_share_burn_queries(slo, plan.period)
        else:
            # The low-traffic guard applies to the long window only (minEvents is per long window).
            min_events = slo.min_events_for(w) if which == "long" else 0
            per_period = -(-min_events // plan.evaluation_periods)
            metrics = sli.event_burn_queries(slo, plan.period, per_period)
        how = (
            f"burn rate over {slomath.format_duration(window)} at or above {factor:g}"
            if plan.exact
            else f"burn rate of each of {plan.evaluation_periods} x {slomath.format_duration(plan.period)} "
            f"at or above {factor:g} (a {slomath.format_duration(window)} window is longer than one alarm period)"
        )
    return {
        "AlarmName": f"{pair_name(slo, tier, w)}-{which}",
        "AlarmDescription": f"SLO {slo.name} ({tier.name} pair, {which} window): {how}. "
        f"Child of composite {pair_name(slo, tier, w)}; no actions of its own.",
        "ActionsEnabled": False,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "Threshold": slomath.firing_threshold(factor),
        "EvaluationPeriods": plan.evaluation_periods,
        "DatapointsToAlarm": plan.datapoints_to_alarm,
        "TreatMissingData": missing_data_treatment(slo),
        "Metrics": metrics,
        "Tags": tags(slo, tier.name),
    }


def composite_alarm(specs: SpecSet, slo: Slo, tier: AlertTier, w: slomath.BurnWindow) -> dict[str, Any]:
    name = pair_name(slo, tier, w)
    topic = topic_arn(specs, slo, tier)
    factor = w.factor(slo.window_seconds)
    long_s, short_s = slomath.format_duration(w.long), slomath.format_duration(w.short)
    payload: dict[str, Any] = {
        "AlarmName": name,
        "AlarmRule": f'ALARM("{name}-long") AND ALARM("{name}-short")',
        "AlarmDescription": f"SLO {slo.name} ({slo.objective * 100:g}% over {slo.window}) burns its error budget "
        f"{factor:g}x too fast over {long_s} and {short_s} ({w.budget_share * 100:g}% of the budget in {long_s}). "
        f"Runbook: {links.runbook_link(slo, tier.name)} Dashboard: {links.dashboard_link(slo)}",
        "ActionsEnabled": True,
        "AlarmActions": [topic],
        "OKActions": [topic],
        "Tags": tags(slo, tier.name),
    }
    page = next((t for t in slo.tiers if t.name == "page"), None)
    if tier.name == "ticket" and page is not None:
        payload["ActionsSuppressor"] = page_any_name(slo)
        # Wait as long as the page needs to fire, then keep the ticket quiet a little past it.
        payload["ActionsSuppressorWaitPeriod"] = slomath.parse_duration(page.for_)
        payload["ActionsSuppressorExtensionPeriod"] = SUPPRESSOR_EXTENSION_SECONDS
    return payload


def page_any_alarm(slo: Slo, page: AlertTier) -> dict[str, Any]:
    rule = " OR ".join(f'ALARM("{pair_name(slo, page, w)}")' for w in page.windows)
    return {
        "AlarmName": page_any_name(slo),
        "AlarmRule": rule,
        "AlarmDescription": f"SLO {slo.name}: any page pair is firing. Suppresses the ticket composites; "
        f"no actions of its own. Runbook: {links.runbook_link(slo, 'page')}",
        "ActionsEnabled": False,
        "Tags": tags(slo, "page"),
    }


def absent_name(slo: Slo) -> str:
    return f"{slo.name}-metrics-absent"


def absent_notify(slo: Slo, defaults: Defaults) -> str:
    """The metrics-absent alarm tickets: the ticket tier's target, even when that tier is off."""
    ticket = next((t for t in slo.tiers if t.name == "ticket"), None)
    return ticket.notify if ticket else (defaults.ticket.notify or "ticket")


def absent_window(slo: Slo) -> sli.AlarmWindow:
    """The metrics-absent alarm waits the ticket tier's `for` (in whole minutes) before it tickets."""
    ticket = next((t for t in slo.tiers if t.name == "ticket"), None)
    wait = slomath.parse_duration(ticket.for_ if ticket else TIER_DEFAULT_FOR["ticket"])
    try:
        return sli.event_window(max(60, -(-wait // 60) * 60))
    except ValueError as exc:
        raise ValueError(f"the metrics-absent alarm waits the ticket tier's `for`: {exc}") from None


def absent_alarm(specs: SpecSet, slo: Slo) -> dict[str, Any]:
    """The CloudWatch twin of Prometheus' SLOMetricsAbsent: none of the SLI's sources reports.

    It counts the datapoints (SampleCount) of every source series (all events, or the gauge) per
    period; `FILL(.., 0)` makes a period where only some sources reported still count. When none
    reported there is no datapoint at all, and that is the condition: TreatMissingData
    "breaching". Tickets like its Prometheus twin, after the ticket tier's `for`.
    """
    ticket = next((t for t in slo.tiers if t.name == "ticket"), None)
    topic = notify_topic_arn(specs, slo, "metrics-absent alarm", absent_notify(slo, specs.defaults))
    try:
        plan = absent_window(slo)
    except ValueError as exc:
        raise ValueError(f"{slo.file}:{slo.line}: SLO {slo.name}: {exc}") from None
    queries = sli.source_count_queries(slo, plan.period)
    return {
        "AlarmName": absent_name(slo),
        "AlarmDescription": f"SLO {slo.name}: none of its source metrics has reported for "
        f"{slomath.format_duration(plan.window)} ({', '.join(sli.source_names(slo))}). The SLI reads as zero "
        "events, so its burn-rate alarms cannot fire: check the publisher (or whether traffic stopped). "
        f"Runbook: {links.runbook_link(slo, 'absent')} Dashboard: {links.dashboard_link(slo)}",
        "ActionsEnabled": True,
        "AlarmActions": [topic],
        "OKActions": [topic],
        "ComparisonOperator": "LessThanThreshold",
        "Threshold": 1.0,
        "EvaluationPeriods": plan.evaluation_periods,
        "DatapointsToAlarm": plan.datapoints_to_alarm,
        "TreatMissingData": "breaching",
        "Metrics": queries,
        "Tags": tags(slo, ticket.severity if ticket else "ticket"),
    }


def composite_names(slo: Slo) -> list[str]:
    """Names of the SLO's composite alarms, without building them (the dashboards need only these)."""
    names = [pair_name(slo, tier, w) for tier in slo.tiers for w in tier.windows]
    if {t.name for t in slo.tiers} >= {"page", "ticket"}:
        names.append(page_any_name(slo))
    return sorted(names)


def slo_alarms(specs: SpecSet, slo: Slo) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    metric: dict[str, dict[str, Any]] = {}
    composite: dict[str, dict[str, Any]] = {}
    for tier in slo.tiers:
        for w in tier.windows:
            for which in ("long", "short"):
                child = child_alarm(slo, tier, w, which)
                metric[child["AlarmName"]] = child
            c = composite_alarm(specs, slo, tier, w)
            composite[c["AlarmName"]] = c
    page = next((t for t in slo.tiers if t.name == "page"), None)
    ticket = next((t for t in slo.tiers if t.name == "ticket"), None)
    if page is not None and ticket is not None:
        helper = page_any_alarm(slo, page)
        composite[helper["AlarmName"]] = helper
    metric[absent_name(slo)] = absent_alarm(specs, slo)
    return metric, composite


def service_alarms(specs: SpecSet, slos: list[Slo]) -> dict[str, Any]:
    metric: dict[str, dict[str, Any]] = {}
    composite: dict[str, dict[str, Any]] = {}
    for slo in slos:
        m, c = slo_alarms(specs, slo)
        metric.update(m)
        composite.update(c)
    return {"service": slos[0].service, "metric_alarms": metric, "composite_alarms": composite}


def cloudwatch_slos(specs: SpecSet) -> dict[str, list[Slo]]:
    by_service = {s: [x for x in slos if sli.has_cloudwatch(x)] for s, slos in specs.by_service().items()}
    return {s: slos for s, slos in by_service.items() if slos}


def render_documents(specs: SpecSet) -> dict[str, dict[str, Any]]:
    """Alarm documents by relative path, validated; raises ValueError listing every violation."""
    docs = {alarms_path(service): service_alarms(specs, slos) for service, slos in cloudwatch_slos(specs).items()}
    problems = [f"{path}: {p}" for path, doc in docs.items() for p in validator.validate_alarm_document(doc)]
    if problems:
        raise ValueError("generated CloudWatch alarms fail the strict validator:\n" + "\n".join(problems))
    return docs


# `json.dumps(value, sort_keys=True)` without building an encoder per alarm.
_sorted_json = json.JSONEncoder(sort_keys=True).encode


def dumps(document: dict[str, Any]) -> str:
    """Sorted JSON with one alarm per line: readable diffs, and 5x faster than indent=2 (C encoder)."""
    lines = ["{"]
    keys = sorted(document)
    for i, key in enumerate(keys):
        value = document[key]
        comma = "," if i < len(keys) - 1 else ""
        if isinstance(value, dict) and value:
            lines.append(f"  {json.dumps(key)}: {{")
            names = sorted(value)
            for j, name in enumerate(names):
                inner = "," if j < len(names) - 1 else ""
                lines.append(f"    {json.dumps(name)}: {_sorted_json(value[name])}{inner}")
            lines.append(f"  }}{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(specs: SpecSet) -> dict[str, str]:
    """The files: Terraform templates whose only `${...}` are the environment placeholders."""
    return {path: placeholders.template_json(doc, dumps) for path, doc in render_documents(specs).items()}


TARGET = Target("cloudwatch-alarms", (f"{ALARMS_DIR}/*.json",), render)
