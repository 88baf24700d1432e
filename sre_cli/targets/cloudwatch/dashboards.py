"""CloudWatch SLO dashboards: `dashboards/cloudwatch/<service>.json` and `slo-overview.json`, PutDashboard requests.

Per SLO, top to bottom: a text header linking the runbook and the Grafana dashboard; one burn-rate
graph per alert tier, drawing for each window pair the burn over its long window, at the period
its alarm evaluates (`sli.event_window`: one datapoint per window, or per sub-period of a 3d
window), against that pair's own factor as a horizontal line of the same color; the SLI and the
error budget left over the SLO window as single values; the status of the SLO's composite
alarms. Burn and SLI use the same metric math as the alarms (`sli.py`), so the graph shows what
the alarm evaluates.

The overview (`sre-slos-overview`, a name no `sre-slo-<service>` can take) shows every SLO: the
status of every page and ticket composite alarm, and the budget left over each SLO's window,
one single-value widget per service and window. Past OVERVIEW_PAGE_SLOS SLOs it continues on
`slo-overview-2.json` (`sre-slos-overview-2`) and so on, under CloudWatch's widget and size limits.

Every request passes `validator.check_dashboard` before anything is written.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from sre_cli import links, placeholders, slomath
from sre_cli.generate import Target
from sre_cli.placeholders import Identity
from sre_cli.slomath import format_duration
from sre_cli.slospec.model import AlertTier, Slo, SpecSet
from sre_cli.targets.cloudwatch import alarms, groups, sli, validator
from sre_cli.targets.cloudwatch.groups import Group

DASHBOARDS_DIR = "dashboards/cloudwatch"
GRAPH_HEIGHT = 6
OVERVIEW_FILE = "slo-overview"
OVERVIEW_NAME = "sre-slos-overview"
# 200 SLOs take ~300 KB of the 1 MB body limit and ~10 of the 500 widgets; values per widget stay
# under the 500 metrics a widget may hold (at most ~8 queries per SLO).
OVERVIEW_PAGE_SLOS = 200
VALUES_PER_WIDGET = 50
# One color per window pair of a tier: its burn line and its threshold line share it.
PAIR_COLORS = ("#d62728", "#ff7f0e", "#9467bd", "#1f77b4")
_QUERY_ID = re.compile(r"\b[a-z][a-zA-Z0-9_]*\b")


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
            break
    # No topic, or one given as a placeholder (the alarms then notify `${<target>_topic_arn}`).
    return "aws", f"${{{placeholders.REGION}}}", f"${{{placeholders.ACCOUNT}}}"


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


def prefixed(queries: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """The queries with every Id, and every reference to one in an expression, prefixed.

    Several SLIs or windows in one widget need distinct ids; expressions name ids only (functions
    are upper case, numbers start with a digit), so renaming the known ids renames every reference.
    """
    ids = {q["Id"] for q in queries}

    def rename(match: re.Match[str]) -> str:
        return prefix + match.group(0) if match.group(0) in ids else match.group(0)

    renamed = []
    for q in queries:
        q = {**q, "Id": prefix + q["Id"]}
        if "Expression" in q:
            q["Expression"] = _QUERY_ID.sub(rename, q["Expression"])
        renamed.append(q)
    return renamed


def pair_label(slo: Slo, tier: AlertTier, pair: slomath.BurnWindow) -> str:
    return (
        f"{tier.name} {format_duration(pair.long)}/{format_duration(pair.short)}: {pair.factor(slo.window_seconds):g}x"
    )


def pair_series(slo: Slo, tier: AlertTier, pair: slomath.BurnWindow, index: int) -> list[dict[str, Any]]:
    """The burn over the pair's long window as its alarm evaluates it, hidden inputs, shown burn."""
    plan = sli.event_window(pair.long)
    queries = prefixed(burn_queries(slo, plan.period), f"p{index}_")
    over = format_duration(pair.long)
    if plan.exact:
        label = f"burn over {over}"
    else:  # the all-of-n fallback: every sub-period must reach the factor
        label = f"burn per {format_duration(plan.period)} (all {plan.evaluation_periods} of {over})"
    *inputs, burn = queries
    return [*({**q, "ReturnData": False} for q in inputs), {**burn, "Label": label, "ReturnData": True}]


def burn_widget(slo: Slo, tier: AlertTier, region: str, group: Group | None = None) -> dict[str, Any]:
    pairs = sorted(tier.windows)
    metrics: list[list[Any]] = []
    annotations = []
    periods = []
    for i, pair in enumerate(pairs):
        color = PAIR_COLORS[i % len(PAIR_COLORS)]
        rows = widget_metrics(pair_series(slo, tier, pair, i), region)
        rows[-1][-1]["color"] = color
        metrics += rows
        annotations.append(
            {"label": pair_label(slo, tier, pair), "value": pair.factor(slo.window_seconds), "color": color}
        )
        periods.append(sli.event_window(pair.long).period)
    # A week of the slowest period's datapoints at least, a day at least.
    shown = max(slomath.DAY, 7 * max(periods))
    return {
        "type": "metric",
        "properties": {
            "title": f"{alarms.what_slo(slo, group)}: {tier.name} burn rate over each pair's long window "
            "(lines: its threshold)",
            "view": "timeSeries",
            "region": region,
            "period": min(periods),
            "start": f"-PT{shown // slomath.HOUR}H",
            "end": "P0D",
            "metrics": metrics,
            "annotations": {"horizontal": annotations},
            "yAxis": {"left": {"min": 0}},
        },
    }


def _window_values_widget(
    title: str, region: str, window_seconds: int, queries: list[dict[str, Any]], *, full_precision: bool = False
) -> dict[str, Any]:
    """A single-value widget over the last SLO window: setPeriodToTimeRange sums each query over the range."""
    properties: dict[str, Any] = {
        "title": title,
        "view": "singleValue",
        "region": region,
        "start": f"-PT{window_seconds // slomath.HOUR}H",
        "end": "P0D",
        "setPeriodToTimeRange": True,
    }
    if full_precision:
        properties["singleValueFullPrecision"] = True
    properties["metrics"] = widget_metrics(queries, region)
    return {"type": "metric", "properties": properties}


def single_value_widget(slo: Slo, region: str, title: str, expression: str, label: str) -> dict[str, Any]:
    # One datapoint over the SLO window: setPeriodToTimeRange makes each a sum over the whole range.
    queries = _ratio_queries(slo, slomath.DAY)
    result = {"Id": "value", "Expression": expression, "Label": label, "ReturnData": True}
    return _window_values_widget(title, region, slo.window_seconds, [*queries, result], full_precision=True)


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


def alarm_widget(
    slo: Slo, composite_names: list[str], location: tuple[str, str, str], group: Group | None = None
) -> dict[str, Any]:
    partition, region, account = location
    arns = [Identity(f"arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}") for name in composite_names]
    return {
        "type": "alarm",
        "properties": {
            "title": f"{alarms.what_slo(slo, group)}: burn-rate alarms",
            "alarms": arns,
            "sortBy": "stateUpdatedTimestamp",
        },
    }


def _place(row: list[dict[str, Any]], y: int, height: int) -> list[dict[str, Any]]:
    width = 24 // len(row)
    return [{**w, "x": i * width, "y": y, "width": width, "height": height} for i, w in enumerate(row)]


def slo_widgets(slo: Slo, y: int, location: tuple[str, str, str]) -> list[dict[str, Any]]:
    """The SLO's header, then its burn graphs and values: once, or one section per enumerated group."""
    widgets = _place([header_widget(slo)], y, 3)
    y += 3
    for view, group in groups.members(slo):
        section = group_widgets(view, group, y, location)
        widgets += section
        y = max(w["y"] + w["height"] for w in section)
    return widgets


def group_widgets(slo: Slo, group: Group | None, y: int, location: tuple[str, str, str]) -> list[dict[str, Any]]:
    """Burn graphs, SLI, budget left and alarm status of one group (`slo` as it sees it), or of the SLO."""
    region = Identity(location[1])
    budget = sli.budget_literal(slo)
    prefix = "" if group is None else f"{alarms.what_slo(slo, group)}: "
    widgets: list[dict[str, Any]] = []
    if slo.tiers:
        widgets += _place([burn_widget(slo, tier, region, group) for tier in slo.tiers], y, GRAPH_HEIGHT)
        y += GRAPH_HEIGHT
    row = [
        single_value_widget(
            slo,
            region,
            f"{prefix}SLI over {slo.window} (objective {slo.objective * 100:g}%)",
            "100 * (1 - bad / total)",
            "SLI %",
        ),
        single_value_widget(
            slo,
            region,
            f"{prefix}Error budget left over {slo.window}",
            f"100 * (1 - bad / total / {budget})",
            "budget left %",
        ),
    ]
    if composite := alarms.composite_names(slo, group):
        row.append(alarm_widget(slo, composite, location, group))
    widgets += _place(row, y, 4)
    return widgets


def dashboard_request(name: str, widgets: list[dict[str, Any]]) -> dict[str, Any]:
    body = {"start": "-PT24H", "periodOverride": "inherit", "widgets": widgets}
    # The body is JSON inside JSON: user text in it is escaped for Terraform here, at the inner
    # boundary, and the body as a whole carries the placeholders through the outer one.
    text = placeholders.template_json(body, _sorted_json)
    return {"DashboardName": name, "DashboardBody": Identity(text)}


def service_dashboard(specs: SpecSet, service: str, slos: list[Slo]) -> dict[str, Any]:
    location = topic_location(specs)
    widgets: list[dict[str, Any]] = []
    bottom = 0  # the next SLO starts below the lowest widget so far
    for slo in slos:
        added = slo_widgets(slo, bottom, location)
        widgets += added
        bottom = max(bottom, *(w["y"] + w["height"] for w in added))
    return dashboard_request(dashboard_name(service), widgets)


# ---- the overview -------------------------------------------------------------------------------


def overview_path(page: int) -> str:
    return f"{DASHBOARDS_DIR}/{OVERVIEW_FILE}{'' if page == 1 else f'-{page}'}.json"


def overview_clash(service: str) -> str | None:
    """Why the service's dashboard file could overwrite an overview page, if it could.

    Every page's name is reserved, not only the pages the current SLO count fills: a spec that
    validates must not start failing when someone adds the 201st SLO elsewhere.
    """
    page = re.fullmatch(rf"{OVERVIEW_FILE}(?:-([2-9]|[1-9]\d+))?", service)
    if page is None:
        return None
    path = overview_path(int(page.group(1) or 1))
    return f"{service!r} would overwrite the SLO overview {path}; rename the service"


def overview_name(page: int) -> str:
    return OVERVIEW_NAME if page == 1 else f"{OVERVIEW_NAME}-{page}"


def alarm_status_widgets(slos: list[Slo], location: tuple[str, str, str]) -> list[dict[str, Any]]:
    """Every page and ticket composite of the SLOs, at most 100 alarms per widget, alarming first."""
    partition, region, account = location
    arns = [
        Identity(f"arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}")
        for slo in slos
        for name in alarms.composite_names(slo)
    ]
    size = validator.MAX_ALARMS_PER_WIDGET
    chunks = [arns[i : i + size] for i in range(0, len(arns), size)]
    return [
        {
            "type": "alarm",
            "properties": {
                "title": "SLO burn-rate alarms" + (f" ({i}/{len(chunks)})" if len(chunks) > 1 else ""),
                "alarms": chunk,
                "sortBy": "default",  # alarming first, then insufficient data, then ok
            },
        }
        for i, chunk in enumerate(chunks, 1)
    ]


def budget_values_widget(title: str, slos: list[tuple[Slo, Group | None]], region: str) -> dict[str, Any]:
    """The budget left over the SLO window of each SLO or group (all of one window length), one value each."""
    queries: list[dict[str, Any]] = []
    for i, (slo, group) in enumerate(slos):
        value = {
            "Id": "value",
            "Expression": f"100 * (1 - bad / total / {sli.budget_literal(slo)})",
            "Label": alarms.what_slo(slo, group),
            "ReturnData": True,
        }
        queries += prefixed([*_ratio_queries(slo, slomath.DAY), value], f"s{i}_")
    return _window_values_widget(title, region, slos[0][0].window_seconds, queries)


def budget_widgets(slos: list[Slo], region: str) -> list[dict[str, Any]]:
    """One single-value widget per service and SLO window (a widget has one time range); a grouped
    SLO shows one value per group."""
    by_window: dict[tuple[str, str], list[tuple[Slo, Group | None]]] = {}
    for slo in slos:
        by_window.setdefault((slo.service, slo.window), []).extend(groups.members(slo))
    widgets = []
    for (service, window), members in by_window.items():
        for start in range(0, len(members), VALUES_PER_WIDGET):
            title = f"{service}: error budget left % over {window}"
            widgets.append(budget_values_widget(title, members[start : start + VALUES_PER_WIDGET], region))
    return widgets


def overview_widgets(slos: list[Slo], location: tuple[str, str, str]) -> list[dict[str, Any]]:
    header = {
        "type": "text",
        "properties": {
            "markdown": "## SLO overview\nBurn-rate alarms of every SLO (alarming first) and the error budget "
            "left over each SLO's window. Generated by `sre generate`; edit the specs, not this dashboard."
        },
    }
    widgets = _place([header], 0, 2)
    y = 2
    for status in alarm_status_widgets(slos, location):
        rows = math.ceil(len(status["properties"]["alarms"]) / 4)
        widgets += _place([status], y, 2 + rows)
        y += 2 + rows
    values = budget_widgets(slos, Identity(location[1]))
    for start in range(0, len(values), 2):
        row = values[start : start + 2]
        height = 3 + 2 * math.ceil(max(len(w["properties"]["metrics"]) for w in row) / 24)
        widgets += _place(row, y, height)
        y += height
    return widgets


def overview_dashboards(specs: SpecSet, slos: list[Slo]) -> dict[str, dict[str, Any]]:
    if not slos:
        return {}
    location = topic_location(specs)
    pages = [slos[i : i + OVERVIEW_PAGE_SLOS] for i in range(0, len(slos), OVERVIEW_PAGE_SLOS)]
    return {
        overview_path(page): dashboard_request(overview_name(page), overview_widgets(members, location))
        for page, members in enumerate(pages, 1)
    }


def render_documents(specs: SpecSet) -> dict[str, dict[str, Any]]:
    per_service = alarms.cloudwatch_slos(specs)
    docs = {dashboard_path(service): service_dashboard(specs, service, slos) for service, slos in per_service.items()}
    overviews = overview_dashboards(specs, [slo for slos in per_service.values() for slo in slos])
    for service, slos in per_service.items():
        if problem := overview_clash(service):
            raise ValueError(f"{slos[0].file}:{slos[0].line}: SLO {slos[0].name}: metadata.service: {problem}")
    docs |= overviews
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
