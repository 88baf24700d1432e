"""CloudWatch SLO dashboards: `dashboards/cloudwatch/<service>.json`, the exact PutDashboard request.

Per SLO, top to bottom: a text header linking the runbook and the Grafana dashboard; one burn-rate
graph per alert tier with each window pair's burn factor as a horizontal annotation; the SLI and
the error budget left over the SLO window as single values; the status of the SLO's composite
alarms. Burn and SLI use the same metric math as the alarms (`sli.py`), so the graph shows what
the alarm evaluates. Every request passes `validator.check_dashboard` before anything is written.
"""

from __future__ import annotations

import json
from typing import Any

from sre_cli import links, placeholders, slomath
from sre_cli.generate import Target
from sre_cli.placeholders import Identity
from sre_cli.slomath import format_duration
from sre_cli.slospec.model import AlertTier, Slo, SpecSet
from sre_cli.targets.cloudwatch import alarms, sli, validator

DASHBOARDS_DIR = "dashboards/cloudwatch"
GRAPH_HEIGHT = 6


def dashboard_path(service: str) -> str:
    return f"{DASHBOARDS_DIR}/{service}.json"


def dashboard_name(service: str) -> str:
    return f"sre-slo-{service}"


def topic_location(specs: SpecSet) -> tuple[str, str, str]:
    """(partition, region, account) of the SNS topics: the alarms live next to them.

    A topic given as a placeholder (`${page_topic_arn}`) tells neither: then the region and the
    account are placeholders the environment fills too (`placeholders.REGION`, `.ACCOUNT`).
    """
    for name in sorted(specs.defaults.notification_targets):
        arn = specs.defaults.notification_targets[name].sns_topic_arn
        if arn:
            parts = arn.split(":", 5)
            if len(parts) == 6 and parts[0] == "arn" and not any(map(placeholders.has_placeholders, parts[:5])):
                _, partition, _, region, account, _ = parts
                return partition, region, account
            return "aws", f"${{{placeholders.REGION}}}", f"${{{placeholders.ACCOUNT}}}"
    raise ValueError(
        "defaults.yaml: no notificationTargets entry has an snsTopicArn; CloudWatch dashboards and alarms "
        "need one to know their region and account"
    )


def widget_metrics(queries: list[dict[str, Any]], region: str) -> list[list[Any]]:
    """MetricDataQuery objects in the dashboard's metrics-array notation."""
    rows: list[list[Any]] = []
    for q in queries:
        if "MetricStat" in q:
            stat = q["MetricStat"]
            metric = stat["Metric"]
            row: list[Any] = [metric["Namespace"], metric["MetricName"]]
            for d in metric["Dimensions"]:
                row += [d["Name"], d["Value"]]
            row.append(
                {"id": q["Id"], "stat": stat["Stat"], "period": stat["Period"], "visible": False, "region": region}
            )
        else:
            row = [{"expression": q["Expression"], "id": q["Id"], "label": q["Label"], "visible": q["ReturnData"]}]
        rows.append(row)
    return rows


def burn_queries(slo: Slo, period: int) -> list[dict[str, Any]]:
    """Burn rate per `period`: event counts for ratio/latency, bad-slice share for time slices."""
    if sli.is_timeslice(slo):
        return sli.slice_share_burn_queries(slo, period)
    return sli.event_burn_queries(slo, period, 0)


def _ratio_queries(slo: Slo, period: int) -> list[dict[str, Any]]:
    """Queries ending in `total`, `good`/`bad` expressions, all hidden."""
    queries = burn_queries(slo, period)[:-1]
    return [{**q, "ReturnData": False} for q in queries]


def graph_period(slo: Slo, tier: AlertTier) -> int:
    """Plot at the tier's shortest window, never finer than a slice."""
    shortest = min(w.short for w in tier.windows)
    t = slo.indicator.threshold
    period = max(shortest, t.slice_seconds if t else 60)
    return period if sli.legal_period(period) else 300


def burn_widget(slo: Slo, tier: AlertTier, region: str) -> dict[str, Any]:
    period = graph_period(slo, tier)
    annotations = [
        {
            "label": f"{tier.name} {format_duration(w.long)}/{format_duration(w.short)}: "
            f"{w.factor(slo.window_seconds):g}x",
            "value": w.factor(slo.window_seconds),
        }
        for w in tier.windows
    ]
    return {
        "type": "metric",
        "properties": {
            "title": f"{slo.name}: burn rate per {format_duration(period)} ({tier.name} thresholds)",
            "view": "timeSeries",
            "region": region,
            "period": period,
            "metrics": widget_metrics(burn_queries(slo, period), region),
            "annotations": {"horizontal": annotations},
            "yAxis": {"left": {"min": 0}},
        },
    }


def single_value_widget(slo: Slo, region: str, title: str, expression: str, label: str) -> dict[str, Any]:
    # One datapoint over the SLO window: setPeriodToTimeRange makes each a sum over the whole range.
    queries = _ratio_queries(slo, slomath.DAY)
    result = {"Id": "value", "Expression": expression, "Label": label, "ReturnData": True}
    return {
        "type": "metric",
        "properties": {
            "title": title,
            "view": "singleValue",
            "region": region,
            "start": f"-PT{slo.window_seconds // slomath.HOUR}H",
            "end": "P0D",
            "setPeriodToTimeRange": True,
            "singleValueFullPrecision": True,
            "metrics": widget_metrics([*queries, result], region),
        },
    }


def header_widget(slo: Slo) -> dict[str, Any]:
    lines = [
        f"## {slo.name}: {slo.objective * 100:g}% over {slo.window}",
        slo.description,
        "",
        f"Service `{slo.service}`"
        + (f", owner `{slo.owner}`" if slo.owner else "")
        + f". [Runbook]({links.runbook_link(slo, 'page')}) · [Dashboard]({links.dashboard_link(slo)})"
        + " · Generated by `sre generate`; edit the spec, not this dashboard.",
    ]
    return {"type": "text", "properties": {"markdown": "\n".join(lines)}}


def alarm_widget(slo: Slo, composite_names: list[str], location: tuple[str, str, str]) -> dict[str, Any]:
    partition, region, account = location
    arns = [Identity(f"arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}") for name in composite_names]
    return {
        "type": "alarm",
        "properties": {"title": f"{slo.name}: burn-rate alarms", "alarms": arns, "sortBy": "stateUpdatedTimestamp"},
    }


def _place(row: list[dict[str, Any]], y: int, height: int) -> list[dict[str, Any]]:
    width = 24 // len(row)
    return [{**w, "x": i * width, "y": y, "width": width, "height": height} for i, w in enumerate(row)]


def slo_widgets(slo: Slo, y: int, location: tuple[str, str, str]) -> list[dict[str, Any]]:
    region = Identity(location[1])
    budget = sli.budget_literal(slo)
    widgets = _place([header_widget(slo)], y, 3)
    y += 3
    if slo.tiers:
        widgets += _place([burn_widget(slo, tier, region) for tier in slo.tiers], y, GRAPH_HEIGHT)
        y += GRAPH_HEIGHT
    row = [
        single_value_widget(
            slo,
            region,
            f"SLI over {slo.window} (objective {slo.objective * 100:g}%)",
            "100 * (1 - bad / total)",
            "SLI %",
        ),
        single_value_widget(
            slo, region, f"Error budget left over {slo.window}", f"100 * (1 - bad / total / {budget})", "budget left %"
        ),
    ]
    if composite := alarms.composite_names(slo):
        row.append(alarm_widget(slo, composite, location))
    widgets += _place(row, y, 4)
    return widgets


def service_dashboard(specs: SpecSet, service: str, slos: list[Slo]) -> dict[str, Any]:
    location = topic_location(specs)
    widgets: list[dict[str, Any]] = []
    bottom = 0  # the next SLO starts below the lowest widget so far
    for slo in slos:
        added = slo_widgets(slo, bottom, location)
        widgets += added
        bottom = max(bottom, *(w["y"] + w["height"] for w in added))
    body = {"start": "-PT24H", "periodOverride": "inherit", "widgets": widgets}
    # The body is JSON inside JSON: user text in it is escaped for Terraform here, at the inner
    # boundary, and the body as a whole carries the placeholders through the outer one.
    text = placeholders.template_json(body, _sorted_json)
    return {"DashboardName": dashboard_name(service), "DashboardBody": Identity(text)}


def render_documents(specs: SpecSet) -> dict[str, dict[str, Any]]:
    docs = {
        dashboard_path(service): service_dashboard(specs, service, slos)
        for service, slos in alarms.cloudwatch_slos(specs).items()
    }
    problems = [f"{path}: {p}" for path, doc in docs.items() for p in validator.check_dashboard(doc)]
    if problems:
        raise ValueError("generated CloudWatch dashboards fail the strict validator:\n" + "\n".join(problems))
    return docs


_sorted_json = json.JSONEncoder(sort_keys=True).encode


def _indented_json(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def render(specs: SpecSet) -> dict[str, str]:
    """The files: Terraform templates whose only `${...}` are the environment placeholders."""
    return {path: placeholders.template_json(doc, _indented_json) for path, doc in render_documents(specs).items()}


TARGET = Target("cloudwatch-dashboards", (f"{DASHBOARDS_DIR}/*.json",), render)
