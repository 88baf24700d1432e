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

Ownership is recorded in the tags: `ManagedBy=sre` says a generator made the alarm, and the scope
tag `sre:scope=<spec set>/${environment}` says which spec set (repository) and environment
(`scope_tag`). `sre cloudwatch prune` deletes only alarms of its own scope. AlarmDescription holds
at most 1,024 characters: a summary too long for it (many long metric names) is cut with an
ellipsis, keeping the runbook and dashboard links whole (`description`).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import urlsplit

from sre_cli import links, placeholders, slomath
from sre_cli.generate import Target
from sre_cli.placeholders import Identity
from sre_cli.slospec.document import CloudWatchMetric, Defaults
from sre_cli.slospec.model import AlertTier, Slo, SpecSet
from sre_cli.slospec.resolve import TIER_DEFAULT_FOR
from sre_cli.targets.cloudwatch import groups, sli, validator
from sre_cli.targets.cloudwatch.groups import Group
from sre_cli.vocabulary import for_people

ALARMS_DIR = "alarms/cloudwatch"
MANAGED_BY = ("ManagedBy", "sre")
SCOPE_TAG = "sre:scope"
# The environment part of the scope: each environment's `sre_values` names it (`dev`, `prod`).
ENVIRONMENT = "environment"
# runbookBaseUrl is relative (no repository named): the spec set is this.
LOCAL_SPEC_SET = "local"
SPEC_SET_MAX = 200  # of the 256 characters a tag value holds; the rest is the environment
SUPPRESSOR_EXTENSION_SECONDS = 300
MAX_DESCRIPTION = 1024  # AlarmDescription, PutMetricAlarm and PutCompositeAlarm
# Room a description's own text keeps next to its links; links longer than the rest are a spec error.
MIN_SUMMARY = 200
ELLIPSIS = "\u2026"
# Where a repository URL ends and a file inside it begins (GitHub, GitLab, Bitbucket, Gitea).
_REPO_PATH_END = frozenset({"blob", "tree", "raw", "src", "-"})
_NOT_TAG_CHARACTER = re.compile(r"[^\w .:/=+@-]")


def alarms_path(service: str) -> str:
    return f"{ALARMS_DIR}/{service}.json"


def stack_name(slo: Slo, group: Group | None = None) -> str:
    """What the names of one alarm stack start with: the SLO's name, and the group's key when grouped."""
    return slo.name if group is None else f"{slo.name}-{group.key}"


def pair_name(slo: Slo, tier: AlertTier, w: slomath.BurnWindow, group: Group | None = None) -> str:
    long_s, short_s = slomath.format_duration(w.long), slomath.format_duration(w.short)
    return f"{stack_name(slo, group)}-{tier.name}-{long_s}-{short_s}"


def page_any_name(slo: Slo, group: Group | None = None) -> str:
    return f"{stack_name(slo, group)}-page-any"


def what_slo(slo: Slo, group: Group | None) -> str:
    """The SLO, and the group, as a description names them: `checkout {handler="/orders"}`."""
    return slo.name if group is None else f"{slo.name} {group.selector}"


# Every name `pair_name`, `page_any_name` and `absent_name` can build (SLO names are DNS labels,
# group keys slugs): the SLO part absorbs a group's key.
_GENERATED_NAME = re.compile(
    r"[a-z0-9][a-z0-9-]*-(?:(?:page|ticket)-[0-9a-z]+-[0-9a-z]+(?:-long|-short)?|page-any|metrics-absent(?:-\d+)?)"
)


def could_be_generated(alarm_name: str) -> bool:
    """Whether the name has a shape these generators build: only such alarms can be ours.

    A cheap first sieve, never the proof of ownership: that is the alarm's tags.
    """
    return _GENERATED_NAME.fullmatch(alarm_name) is not None


def spec_set_id(specs: SpecSet) -> str:
    """The spec set's name in the scope tag: the repository its runbooks live in.

    `https://github.com/acme/sre/blob/main/` -> `github.com/acme/sre` (host and path up to
    `/blob/`, `/tree/`, `/raw/`, `/src/` or `/-/`); a relative runbookBaseUrl names no repository:
    `local`. Characters a tag value cannot hold become `-`; a name over 200 characters keeps its
    start and a hash of the whole, so it stays stable and distinct.
    """
    url = urlsplit(specs.defaults.runbook_base_url)
    if not url.scheme or not url.netloc:
        return LOCAL_SPEC_SET
    segments = [s for s in url.path.split("/") if s]
    cut = next((i for i, s in enumerate(segments) if s in _REPO_PATH_END), len(segments))
    name = _NOT_TAG_CHARACTER.sub("-", "/".join([url.hostname or url.netloc, *segments[:cut]]))
    if len(name) > SPEC_SET_MAX:
        digest = hashlib.sha256(name.encode()).hexdigest()[:12]
        name = f"{name[: SPEC_SET_MAX - 13]}-{digest}"
    return name


def scope_tag(specs: SpecSet) -> Identity:
    """`<spec set>/${environment}`: the environment fills its part (Terraform's sre_values, --values)."""
    return Identity(f"{spec_set_id(specs)}/${{{ENVIRONMENT}}}")


def tags(
    specs: SpecSet, slo: Slo, severity: str, free: dict[str, str] | None = None, group: Group | None = None
) -> list[dict[str, str]]:
    """Ownership (ManagedBy, scope), what the alarm is about, the group, and the tags people route on."""
    pairs = {
        MANAGED_BY[0]: MANAGED_BY[1],
        SCOPE_TAG: scope_tag(specs),
        "slo": slo.name,
        "service": slo.service,
        "severity": severity,
    }
    pairs = {**people_tags(slo, free or {}), **group_tags(group), **pairs}  # the generator's own tags win
    return [{"Key": k, "Value": v} for k, v in sorted(pairs.items())]


# Tags the generator sets itself: a groupBy label of the same name would be overwritten (validate refuses it).
OWN_TAGS = frozenset({MANAGED_BY[0], SCOPE_TAG, "slo", "service", "severity"})
TAG_VALUE_MAX = 256


def group_tags(group: Group | None) -> dict[str, str]:
    """The group's labels, each value as a tag value can hold it (the exact value is in the description)."""
    if group is None:
        return {}
    return {label: _NOT_TAG_CHARACTER.sub("-", value)[:TAG_VALUE_MAX] for label, value in group.labels}


# ---- what an alarm tells people: owner, the spec's free labels and annotations, links ----------


def people_tags(slo: Slo, free: dict[str, str]) -> dict[str, str]:
    """Tags people route and search on: `owner` (metadata.owner) and the tier's free labels."""
    return {**free, **({"owner": slo.owner} if slo.owner else {})}


def owner_text(slo: Slo) -> str:
    return f" Owner: {slo.owner}." if slo.owner else ""


def links_text(slo: Slo, kind: links.AlertKind) -> str:
    """The runbook link, and the dashboard link when there is one a person can open."""
    dashboard = links.alert_dashboard_link(slo)
    return f" Runbook: {links.runbook_link(slo, kind)}" + (f" Dashboard: {dashboard}" if dashboard else "")


def description(summary: str, tail: str = "", annotations: dict[str, str] | None = None) -> str:
    """`summary + tail` within CloudWatch's 1,024 characters: the summary is cut, the links (tail)
    kept whole; the free annotations follow as `key: value` (after the links, so a URL in them is
    never taken for the runbook link) in what room is left."""
    room = MAX_DESCRIPTION - len(tail)
    if len(summary) > room:
        summary = summary[: max(room - len(ELLIPSIS), 0)].rstrip() + ELLIPSIS
    text = summary + tail
    if not annotations:
        return text
    extra = " | " + "; ".join(f"{key}: {value}" for key, value in sorted(annotations.items()))
    room = MAX_DESCRIPTION - len(text)
    if len(extra) <= room:
        return text + extra
    return text + (extra[: room - len(ELLIPSIS)] + ELLIPSIS if room > len(ELLIPSIS) else "")


def links_problem(slo: Slo) -> str | None:
    """Why this SLO's alarm links leave its descriptions too little room, or None (checked by validate)."""
    longest = max(len(links_text(slo, kind)) for kind in links.ANCHORS)
    if longest <= MAX_DESCRIPTION - MIN_SUMMARY:
        return None
    return (
        f"the runbook and dashboard links of its CloudWatch alarms take {longest} of the {MAX_DESCRIPTION} "
        f"characters of an AlarmDescription (at most {MAX_DESCRIPTION - MIN_SUMMARY}); shorten runbookBaseUrl, "
        "dashboardBaseUrl (defaults.yaml) or alerting.runbook"
    )


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


def child_alarm(
    specs: SpecSet, slo: Slo, tier: AlertTier, w: slomath.BurnWindow, which: str, group: Group | None = None
) -> dict[str, Any]:
    """The metric-math alarm of one window of a pair (`which` is "long" or "short"); `slo` as its group sees it."""
    window = w.long if which == "long" else w.short
    factor = w.factor(slo.window_seconds)
    try:
        plan = alarm_window(slo, window, factor)
    except ValueError as exc:
        raise ValueError(f"{slo.file}:{slo.line}: SLO {slo.name}, {tier.name} tier: {exc}") from None
    if sli.counts_slices(slo, plan):
        metrics = sli.slice_burn_queries(slo, plan.period)
        how = (
            f"at least {for_people(factor)} x budget of {plan.evaluation_periods} slices of "
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
            f"burn rate over {slomath.format_duration(window)} at or above {for_people(factor)}"
            if plan.exact
            else f"burn rate of each of {plan.evaluation_periods} x {slomath.format_duration(plan.period)} "
            f"at or above {for_people(factor)} (a {slomath.format_duration(window)} window is longer than one "
            "alarm period)"
        )
    return {
        "AlarmName": f"{pair_name(slo, tier, w, group)}-{which}",
        "AlarmDescription": description(
            f"SLO {what_slo(slo, group)} ({tier.name} pair, {which} window): {how}. "
            f"Child of composite {pair_name(slo, tier, w, group)}; no actions of its own." + owner_text(slo)
        ),
        "ActionsEnabled": False,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "Threshold": slomath.firing_threshold(factor),
        "EvaluationPeriods": plan.evaluation_periods,
        "DatapointsToAlarm": plan.datapoints_to_alarm,
        "TreatMissingData": missing_data_treatment(slo),
        "Metrics": metrics,
        "Tags": tags(specs, slo, tier.name, tier.labels, group),
    }


def composite_alarm(
    specs: SpecSet, slo: Slo, tier: AlertTier, w: slomath.BurnWindow, group: Group | None = None
) -> dict[str, Any]:
    name = pair_name(slo, tier, w, group)
    topic = topic_arn(specs, slo, tier)
    factor = w.factor(slo.window_seconds)
    long_s, short_s = slomath.format_duration(w.long), slomath.format_duration(w.short)
    payload: dict[str, Any] = {
        "AlarmName": name,
        "AlarmRule": f'ALARM("{name}-long") AND ALARM("{name}-short")',
        "AlarmDescription": description(
            f"SLO {what_slo(slo, group)} ({slo.objective * 100:g}% over {slo.window}) burns its error budget "
            f"{for_people(factor)}x too fast over {long_s} and {short_s} ({w.budget_share * 100:g}% of the budget in "
            f"{long_s}).{owner_text(slo)}",
            links_text(slo, tier.name),  # type: ignore[arg-type]
            tier.annotations,
        ),
        "ActionsEnabled": True,
        "AlarmActions": [topic],
        "OKActions": [topic],
        "Tags": tags(specs, slo, tier.name, tier.labels, group),
    }
    page = next((t for t in slo.tiers if t.name == "page"), None)
    if tier.name == "ticket" and page is not None:
        payload["ActionsSuppressor"] = page_any_name(slo, group)
        # Wait as long as the page needs to fire, then keep the ticket quiet a little past it.
        payload["ActionsSuppressorWaitPeriod"] = slomath.parse_duration(page.for_)
        payload["ActionsSuppressorExtensionPeriod"] = SUPPRESSOR_EXTENSION_SECONDS
    return payload


def page_any_alarm(specs: SpecSet, slo: Slo, page: AlertTier, group: Group | None = None) -> dict[str, Any]:
    rule = " OR ".join(f'ALARM("{pair_name(slo, page, w, group)}")' for w in page.windows)
    return {
        "AlarmName": page_any_name(slo, group),
        "AlarmRule": rule,
        "AlarmDescription": description(
            f"SLO {what_slo(slo, group)}: any page pair is firing. Suppresses the ticket composites; no actions "
            "of its own." + owner_text(slo),
            f" Runbook: {links.runbook_link(slo, 'page')}",
        ),
        "ActionsEnabled": False,
        "Tags": tags(specs, slo, "page", page.labels, group),
    }


def absent_name(slo: Slo) -> str:
    return f"{slo.name}-metrics-absent"


def absent_notify(slo: Slo, defaults: Defaults) -> str:
    """The metrics-absent alarm tickets: the ticket tier's target, even when that tier is off."""
    ticket = next((t for t in slo.tiers if t.name == "ticket"), None)
    return ticket.notify if ticket else (defaults.ticket.notify or "ticket")


def absent_chunks(slo: Slo) -> list[list[CloudWatchMetric]]:
    """The source metrics of every group (or of the SLO), at most 10 per alarm (the metric math limit).

    The metrics-absent alarm stays one per SLO, as its Prometheus twin: a group that goes quiet is
    not an absent publisher. Past 10 metrics it is split, and a composite tickets when all are silent.
    """
    unique: dict[tuple[Any, ...], CloudWatchMetric] = {}
    for view, _ in groups.members(slo):
        for m in sli.source_metrics(view):
            unique.setdefault((m.namespace, m.metric_name, tuple(sorted(m.dimensions.items()))), m)
    metrics = list(unique.values())
    size = sli.MAX_METRICS_PER_ALARM
    return [metrics[i : i + size] for i in range(0, len(metrics), size)]


def absent_part_names(slo: Slo) -> list[str]:
    """The metric alarms of a split metrics-absent alarm (none when one alarm holds every source)."""
    chunks = absent_chunks(slo)
    return [f"{absent_name(slo)}-{i}" for i in range(1, len(chunks) + 1)] if len(chunks) > 1 else []


def alarm_names(slo: Slo) -> list[str]:
    """Every alarm name of the SLO (metric and composite), without building the alarms."""
    children = [
        f"{pair_name(slo, t, w, group)}-{which}"
        for _, group in groups.members(slo)
        for t in slo.tiers
        for w in t.windows
        for which in ("long", "short")
    ]
    return [*children, *composite_names(slo), absent_name(slo), *absent_part_names(slo)]


def absent_window(slo: Slo) -> sli.AlarmWindow:
    """The metrics-absent alarm waits the ticket tier's `for` (in whole minutes) before it tickets."""
    ticket = next((t for t in slo.tiers if t.name == "ticket"), None)
    wait = slomath.parse_duration(ticket.for_ if ticket else TIER_DEFAULT_FOR["ticket"])
    try:
        return sli.event_window(max(60, -(-wait // 60) * 60))
    except ValueError as exc:
        raise ValueError(f"the metrics-absent alarm waits the ticket tier's `for`: {exc}") from None


def absent_alarms(specs: SpecSet, slo: Slo) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The CloudWatch twin of Prometheus' SLOMetricsAbsent: none of the SLI's sources reports.

    It counts the datapoints (SampleCount) of every source series (all events, or the gauge) per
    period; `FILL(.., 0)` makes a period where only some sources reported still count. When none
    reported there is no datapoint at all, and that is the condition: TreatMissingData
    "breaching". Tickets like its Prometheus twin, after the ticket tier's `for`. A grouped SLO's
    sources are every group's; more than one alarm holds are split into `-1`, `-2`... without
    actions, and the metrics-absent alarm is then the composite of them all in ALARM.
    """
    ticket = next((t for t in slo.tiers if t.name == "ticket"), None)
    topic = notify_topic_arn(specs, slo, "metrics-absent alarm", absent_notify(slo, specs.defaults))
    try:
        plan = absent_window(slo)
    except ValueError as exc:
        raise ValueError(f"{slo.file}:{slo.line}: SLO {slo.name}: {exc}") from None
    chunks = absent_chunks(slo)
    if not chunks:
        raise ValueError(f"{slo.name}: no CloudWatch source")
    of_groups = " of any group" if groups.of(slo) else ""
    alarm_description = description(
        f"SLO {slo.name}: none of its source metrics{of_groups} has reported for "
        f"{slomath.format_duration(plan.window)} ({', '.join(sli.source_names(slo))}). The SLI reads as zero "
        f"events, so its burn-rate alarms cannot fire: check the publisher (or whether traffic stopped)."
        + owner_text(slo),
        links_text(slo, "absent"),
        slo.absent_annotations,
    )
    severity_tags = tags(specs, slo, ticket.severity if ticket else "ticket", slo.absent_labels)
    actions = {"ActionsEnabled": True, "AlarmActions": [topic], "OKActions": [topic]}
    silence = {
        "ComparisonOperator": "LessThanThreshold",
        "Threshold": 1.0,
        "EvaluationPeriods": plan.evaluation_periods,
        "DatapointsToAlarm": plan.datapoints_to_alarm,
        "TreatMissingData": "breaching",
    }
    if len(chunks) == 1:
        alarm = {
            "AlarmName": absent_name(slo),
            "AlarmDescription": alarm_description,
            **actions,
            **silence,
            "Metrics": sli.count_queries(chunks[0], plan.period),
            "Tags": severity_tags,
        }
        return {alarm["AlarmName"]: alarm}, {}
    parts = {
        name: {
            "AlarmName": name,
            "AlarmDescription": description(
                f"SLO {slo.name}: part {i} of {len(chunks)} of its source metrics has not reported for "
                f"{slomath.format_duration(plan.window)}. Child of composite {absent_name(slo)}; no actions "
                "of its own." + owner_text(slo)
            ),
            "ActionsEnabled": False,
            **silence,
            "Metrics": sli.count_queries(chunk, plan.period),
            "Tags": severity_tags,
        }
        for i, (name, chunk) in enumerate(zip(absent_part_names(slo), chunks, strict=True), 1)
    }
    composite = {
        "AlarmName": absent_name(slo),
        "AlarmRule": " AND ".join(f'ALARM("{name}")' for name in parts),
        "AlarmDescription": alarm_description,
        **actions,
        "Tags": severity_tags,
    }
    return parts, {composite["AlarmName"]: composite}


def absent_alarm(specs: SpecSet, slo: Slo) -> dict[str, Any]:
    """The metrics-absent alarm of an SLO whose sources fit one alarm (every ungrouped SLO)."""
    metric, composite = absent_alarms(specs, slo)
    return metric[absent_name(slo)] if not composite else composite[absent_name(slo)]


def composite_names(slo: Slo, group: Group | None = None) -> list[str]:
    """Names of the burn-rate composites of one group (or, group None, of every group of the SLO),
    without building them (the dashboards need only these)."""
    stacks = [group] if group is not None else [g for _, g in groups.members(slo)]
    names = [pair_name(slo, tier, w, g) for g in stacks for tier in slo.tiers for w in tier.windows]
    if {t.name for t in slo.tiers} >= {"page", "ticket"}:
        names += [page_any_name(slo, g) for g in stacks]
    return sorted(names)


def slo_alarms(specs: SpecSet, slo: Slo) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every alarm of the SLO: one burn-rate stack per group (or one), and the metrics-absent alarm."""
    metric: dict[str, dict[str, Any]] = {}
    composite: dict[str, dict[str, Any]] = {}
    page = next((t for t in slo.tiers if t.name == "page"), None)
    ticket = next((t for t in slo.tiers if t.name == "ticket"), None)
    for view, group in groups.members(slo):
        for tier in slo.tiers:
            for w in tier.windows:
                for which in ("long", "short"):
                    child = child_alarm(specs, view, tier, w, which, group)
                    metric[child["AlarmName"]] = child
                c = composite_alarm(specs, view, tier, w, group)
                composite[c["AlarmName"]] = c
        if page is not None and ticket is not None:
            helper = page_any_alarm(specs, view, page, group)
            composite[helper["AlarmName"]] = helper
    absent_metric, absent_composite = absent_alarms(specs, slo)
    return metric | absent_metric, composite | absent_composite


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
