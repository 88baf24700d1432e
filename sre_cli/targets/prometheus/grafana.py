"""Grafana dashboards: `dashboards/grafana/<service>.json`, one row per SLO, and `slo-overview.json`.

Built with grafana-foundation-sdk (Grafana's maintained, typed dashboard builder) rather than
hand-written JSON. The uid is `slo-<service>`, which is what `dashboard_url` in every alert
points at (`dashboardBaseUrl` + service); Grafana refuses uids over 40 characters.

Per SLO: the SLI over 1h and the SLO window against the objective, the budget left, the budget
burn-down over the SLO window with the ideal burn as a dashed line, the burn rate of every alert
window with each tier threshold drawn as a line, and the event rates.

Grouped SLOs (`groupBy`): the dashboard has a variable per group label (multi-select, "All",
values from the recorded series of the service's SLOs grouped by it), every panel of such an SLO
reads the chosen groups only and names each group in its legend. The overview's row of a grouped
SLO shows its worst group: the least SLI and budget left, the highest burn rates.

The overview (uid `slos-overview`, which no `slo-<service>` can be) is one table row per SLO,
whatever recorded it: objective, SLI and budget left over the SLO window, the burn rate over
every long alert window, firing alerts and a status, sorted with the worst first.

What the SDK writes and Grafana 10 reads differently: the SDK sets the deprecated dashboard
`style` and gives panels built without options `"options": null`, so every panel here gets its
options and `style` is dropped from the document.
"""

from __future__ import annotations

from typing import Any

from grafana_foundation_sdk.builders import common, dashboard, prometheus, stat, table, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as common_models
from grafana_foundation_sdk.models import dashboard as models
from grafana_foundation_sdk.models import prometheus as prometheus_models

from sre_cli import sli_sources, slomath
from sre_cli.generate import Target
from sre_cli.slomath import format_duration
from sre_cli.slospec.model import Slo, SpecSet
from sre_cli.targets import jsontext
from sre_cli.targets.prometheus import naming, rules
from sre_cli.vocabulary import number

DASHBOARD_DIR = "dashboards/grafana"
OVERVIEW_PATH = f"{DASHBOARD_DIR}/slo-overview.json"
OVERVIEW_UID = "slos-overview"
MAX_UID_LENGTH = 40  # Grafana's limit: longer uids are refused on import
DATASOURCE_VARIABLE = "datasource"
DATASOURCE = models.DataSourceRef(type_val="prometheus", uid=f"${{{DATASOURCE_VARIABLE}}}")
COLORS = ("red", "orange", "yellow", "blue")
AT_RISK_BUDGET = 0.25  # budget left under a quarter: orange on the dashboards, "at risk" on the overview
# The burn-down adds up hourly bad events: a 30d chart of 720 hourly points reads 720 samples per point.
BURN_DOWN_STEP = slomath.HOUR
DASHED = {"fill": "dash", "dash": [10, 10]}

# Overview status, worst first: what the value means, and its color.
STATUS = {
    4: ("paging", "dark-red"),
    3: ("budget exhausted", "red"),
    2: ("ticket", "orange"),
    1: ("at risk", "yellow"),
    0: ("ok", "green"),
}


def dashboard_path(service: str) -> str:
    return f"{DASHBOARD_DIR}/{service}.json"


def dashboard_uid(service: str) -> str:
    """The service dashboard's uid: alert links are `dashboardBaseUrl` + service, so it is `slo-<service>`."""
    return f"slo-{service}"


def uid_problem(service: str) -> str | None:
    """Why Grafana would refuse the service's dashboard, if it would."""
    uid = dashboard_uid(service)
    if len(uid) <= MAX_UID_LENGTH:
        return None
    return (
        f"the Grafana dashboard uid {uid!r} is {len(uid)} characters and Grafana accepts at most "
        f"{MAX_UID_LENGTH}; use a service name of at most {MAX_UID_LENGTH - len(dashboard_uid(''))} characters"
    )


def overview_clash(service: str) -> str | None:
    """Why the service's dashboard file would overwrite the overview, if it would."""
    if dashboard_path(service) != OVERVIEW_PATH:
        return None
    return f"{service!r} would overwrite the SLO overview {OVERVIEW_PATH}; rename the service"


def service_problems(service: str) -> list[str]:
    """Everything that keeps a service from having its Grafana dashboard (`sre validate` asks too)."""
    return [p for p in (uid_problem(service), overview_clash(service)) if p]


def variable_name(label: str) -> str:
    """The dashboard variable of a group label: the label's name, unless the datasource's is taken."""
    return label if label != DATASOURCE_VARIABLE else f"group_{label}"


def _series(name: str, slo: Slo) -> str:
    """A recorded series of one SLO, limited to the groups chosen in the dashboard's variables."""
    chosen = "".join(f',{label}=~"${{{variable_name(label)}:regex}}"' for label in slo.group_by)
    return naming.selector(name, slo)[:-1] + chosen + "}"


def _legend(text: str, slo: Slo) -> str:
    """A panel legend naming the series' group, e.g. `SLI 1h {{handler}}`."""
    return text + "".join(f" {{{{{label}}}}}" for label in slo.group_by)


def _query(expr: str, legend: str, ref: str) -> prometheus.Dataquery:
    return prometheus.Dataquery().expr(expr).legend_format(legend).ref_id(ref).datasource(DATASOURCE)


def _table_query(expr: str, ref: str) -> prometheus.Dataquery:
    """An instant query answered as a table: one row per series, its labels as columns."""
    return (
        prometheus.Dataquery()
        .expr(expr)
        .instant()
        .format(prometheus_models.PromQueryFormat.TABLE)
        .ref_id(ref)
        .datasource(DATASOURCE)
    )


def _thresholds(steps: list[tuple[float | None, str]]) -> dashboard.ThresholdsConfig:
    return (
        dashboard.ThresholdsConfig()
        .mode(models.ThresholdsMode.ABSOLUTE)
        .steps([models.Threshold(value=v, color=c) for v, c in steps])
    )


def _graph() -> timeseries.Panel:
    """A time series panel with its options set (legend below, every series in the tooltip)."""
    legend = (
        common.VizLegendOptions()
        .display_mode(common_models.LegendDisplayMode.LIST)
        .placement(common_models.LegendPlacement.BOTTOM)
        .show_legend(True)
    )
    tooltip = common.VizTooltipOptions().mode(common_models.TooltipDisplayMode.MULTI).sort(common_models.SortOrder.NONE)
    return timeseries.Panel().legend(legend).tooltip(tooltip).datasource(DATASOURCE)


def _line_thresholds() -> common.GraphThresholdsStyleConfig:
    return common.GraphThresholdsStyleConfig().mode(common_models.GraphTresholdsStyleMode.LINE)


def sli_panel(slo: Slo) -> timeseries.Panel:
    panel = _graph().title(f"{slo.name}: SLI vs objective {number(slo.objective * 100)}%")
    for i, window in enumerate((slomath.HOUR, slo.window_seconds)):
        ratio = _series(naming.error_ratio(window), slo)
        panel = panel.with_target(_query(f"1 - {ratio}", _legend(f"SLI {format_duration(window)}", slo), chr(65 + i)))
    if sli_sources.is_approximate(slo):
        panel = panel.description(_APPROXIMATE_TEXT)
    return (
        panel.unit("percentunit")
        .thresholds(_thresholds([(None, "red"), (slo.objective, "green")]))
        .thresholds_style(_line_thresholds())
        .height(8)
        .span(8)
    )


def budget_panel(slo: Slo) -> stat.Panel:
    return (
        stat.Panel()
        .title(f"{slo.name}: error budget left ({slo.window})")
        .with_target(_query(_series(naming.BUDGET_REMAINING, slo), _legend("budget left", slo), "A"))
        .unit("percentunit")
        .datasource(DATASOURCE)
        .thresholds(_thresholds([(None, "red"), (0.0, "orange"), (AT_RISK_BUDGET, "green")]))
        .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .color_mode(common_models.BigValueColorMode.VALUE)
        .graph_mode(common_models.BigValueGraphMode.AREA)
        .height(8)
        .span(4)
    )


def window_end(slo: Slo) -> str:
    """The panel's end as a number: when the SLO's objective was last recorded before it."""
    return f"timestamp({naming.selector(naming.OBJECTIVE, slo)} @ end())"


def burn_down_expr(slo: Slo) -> str:
    """Budget left through the window the panel shows: 1 at its start, minus each hour's bad events.

    The report's burn-down, in PromQL: the bad events of each hour since the window start
    (`vector(time())` is each subquery step's own time) over the events the whole window allows
    (all events up to the panel's end, `@ end()`, times the error budget). The panel shows exactly
    one SLO window ending now, so its start is the end less the window.
    """
    window = slo.window_seconds
    hourly_bad = " * ".join(
        _series(name, slo) for name in (naming.error_ratio(BURN_DOWN_STEP), naming.event_count(BURN_DOWN_STEP))
    )
    since_start = f"vector(time()) > scalar({window_end(slo)}) - {window}"
    allowed = f"{_series(naming.event_count(window), slo)} @ end() * {number(slomath.error_budget(slo.objective))}"
    subquery = f"[{format_duration(window)}:{format_duration(BURN_DOWN_STEP)}]"
    return f"1 - sum_over_time(({hourly_bad} and on() ({since_start})){subquery}) / ({allowed} > 0)"


def ideal_burn_expr(slo: Slo) -> str:
    """The budget left at a steady burn of exactly 1x: from 1 at the window's start to 0 at its end."""
    return f"({window_end(slo)} - time()) / {slo.window_seconds}"


# Said on every panel of an errorRatio SLI whose numbers come from averaged ratios.
_APPROXIMATE_TEXT = (
    f"errorRatio source: no event counts, so every window is the time average of the 5m error ratio "
    f"({sli_sources.APPROXIMATE}), not the share of bad events."
)


def burn_down_panel(slo: Slo) -> timeseries.Panel:
    ideal = [
        models.DynamicConfigValue(id_val="custom.lineStyle", value=DASHED),
        models.DynamicConfigValue(id_val="color", value={"mode": "fixed", "fixedColor": "text"}),
    ]
    return (
        _graph()
        .title(f"{slo.name}: error budget burn-down over {slo.window}")
        .description(
            "Error budget left through the last SLO window: 100% at its start, less each whole hour's bad "
            "events (the hour under way shows up when it ends). Dashed: a steady burn of exactly 1x."
            + (f" {_APPROXIMATE_TEXT}" if sli_sources.is_approximate(slo) else "")
        )
        .with_target(_query(burn_down_expr(slo), _legend("budget left", slo), "A"))
        .with_target(_query(ideal_burn_expr(slo), "ideal burn (1x)", "B"))
        .override_by_query("B", ideal)
        .time_from(format_duration(slo.window_seconds))
        .unit("percentunit")
        .thresholds(_thresholds([(None, "red"), (0.0, "green")]))
        .thresholds_style(_line_thresholds())
        .height(8)
        .span(12)
    )


def burn_panel(slo: Slo) -> timeseries.Panel:
    windows = sorted({w for t in slo.tiers for pair in t.windows for w in (pair.long, pair.short)})
    panel = _graph().title(f"{slo.name}: burn rate per window (lines: tier thresholds)")
    for i, window in enumerate(windows):
        panel = panel.with_target(
            _query(_series(naming.burn_rate(window), slo), _legend(format_duration(window), slo), chr(65 + i))
        )
    # Fastest-burning threshold red, the slowest blue.
    factors = sorted({pair.factor(slo.window_seconds) for t in slo.tiers for pair in t.windows}, reverse=True)
    ranked = [(f, COLORS[min(i, len(COLORS) - 1)]) for i, f in enumerate(factors)]
    steps: list[tuple[float | None, str]] = [(None, "green"), *reversed(ranked)]
    return panel.thresholds(_thresholds(steps)).thresholds_style(_line_thresholds()).height(8).span(12)


def events_panel(slo: Slo) -> timeseries.Panel:
    panel = _graph().height(8).span(12)
    if sli_sources.is_approximate(slo):
        # An errorRatio source counts no events: what it records at 5m is the ratio itself.
        return (
            panel.title(f"{slo.name}: error ratio (5m)")
            .description(_APPROXIMATE_TEXT)
            .unit("percentunit")
            .with_target(_query(_series(naming.BAD_RATE, slo), _legend("error ratio", slo), "A"))
        )
    if slo.indicator.kind == "threshold":
        return panel.title(f"{slo.name}: bad slice (1 = bad)").with_target(
            _query(_series(naming.SLICE_BAD, slo), _legend("bad slice", slo), "A")
        )
    return (
        panel.title(f"{slo.name}: events per second (5m)")
        .unit("reqps")
        .with_target(_query(_series(naming.TOTAL_RATE, slo), _legend("all", slo), "A"))
        .with_target(_query(_series(naming.BAD_RATE, slo), _legend("bad", slo), "B"))
    )


def _datasource_variable() -> dashboard.DatasourceVariable:
    return dashboard.DatasourceVariable(DATASOURCE_VARIABLE).label("Prometheus").type("prometheus")


def group_variables(slos: list[Slo]) -> list[dashboard.QueryVariable]:
    """One variable per group label of the service's grouped SLOs, its values the label's values on
    their recorded budget series; "All" is `.*`, so a group written without the label shows too."""
    by_label: dict[str, list[str]] = {}
    for slo in slos:
        for label in slo.group_by:
            by_label.setdefault(label, []).append(slo.name)
    variables = []
    for label, names in by_label.items():
        matcher = f'slo="{names[0]}"' if len(names) == 1 else f'slo=~"{"|".join(names)}"'
        variables.append(
            dashboard.QueryVariable(variable_name(label))
            .label(label)
            .datasource(DATASOURCE)
            .query(f"label_values({naming.BUDGET_REMAINING}{{{matcher}}}, {label})")
            .refresh(models.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(models.VariableSort.ALPHABETICAL_ASC)
            .multi(True)
            .include_all(True)
            .all_value(".*")
        )
    return variables


def service_board(service: str, slos: list[Slo]) -> dashboard.Dashboard:
    """The service's dashboard as the SDK's builder."""
    board = (
        dashboard.Dashboard(f"SLOs: {service}")
        .uid(dashboard_uid(service))
        .tags(["slo", "generated"])
        .time("now-7d", "now")
        .refresh("1m")
        .with_variable(_datasource_variable())
    )
    for variable in group_variables(slos):
        board = board.with_variable(variable)
    panel_id = 0
    for slo in slos:
        panel_id += 1
        board = board.with_row(dashboard.Row(f"{slo.name} — {slo.description}").id(panel_id))
        panels = (sli_panel(slo), budget_panel(slo), burn_down_panel(slo), burn_panel(slo), events_panel(slo))
        for panel in panels:
            panel_id += 1
            board = board.with_panel(panel.id(panel_id))
    return board


# ---- the overview -------------------------------------------------------------------------------

PER_SLO = "service, slo"  # every overview query answers one row per SLO, joined on these labels


def _per_slo(expr: str) -> str:
    return f"max by ({PER_SLO}) ({expr})"


def _worst_group(expr: str) -> str:
    """The least value per SLO: a grouped SLO's row shows its worst group (the SLI, the budget left)."""
    return f"min by ({PER_SLO}) ({expr})"


def _firing(severities: set[str]) -> str:
    """Firing alerts of SLOs whose severity is one of `severities` (label values: `[a-z][a-z0-9_-]*`)."""
    return f'ALERTS{{alertstate="firing", slo!="", severity=~"{"|".join(sorted(severities))}"}}'


def long_windows(slos: list[Slo]) -> list[int]:
    """Every pair's long window across the SLOs: the windows whose burn rate an alert is about."""
    return sorted({pair.long for slo in slos for tier in slo.tiers for pair in tier.windows})


def overview_queries(slos: list[Slo]) -> dict[str, str]:
    """Column (the query's refId) -> PromQL, in the table's order; every answer is one row per SLO."""
    every_slo = f"group by ({PER_SLO}) ({naming.OBJECTIVE})"
    queries = {
        "objective": _per_slo(naming.OBJECTIVE),
        # The SLI over each SLO's own window, whatever its length: remaining = 1 - error ratio / budget.
        # A grouped SLO's worst group: the budget is the SLO's, one series for all its groups.
        "sli": _worst_group(f"1 - (1 - {naming.BUDGET_REMAINING}) * on({PER_SLO}) group_left() {naming.ERROR_BUDGET}"),
        "budget_left": _worst_group(naming.BUDGET_REMAINING),
    }
    for window in long_windows(slos):
        queries[f"burn_{format_duration(window)}"] = _per_slo(naming.burn_rate(window))
    queries["firing"] = f'count by ({PER_SLO}) (ALERTS{{alertstate="firing", slo!=""}}) or 0 * {every_slo}'
    # The first term present for an SLO wins: paging, then budget exhausted, ticket, at risk, ok.
    terms = []
    for tier, rank in (("page", 4), ("ticket", 2)):
        severities = {t.severity for slo in slos for t in slo.tiers if t.name == tier}
        if severities:
            terms.append((rank, f"group by ({PER_SLO}) ({_firing(severities)})"))
    terms += [
        (3, f"group by ({PER_SLO}) ({naming.BUDGET_REMAINING} <= 0)"),
        (1, f"group by ({PER_SLO}) ({naming.BUDGET_REMAINING} < {number(AT_RISK_BUDGET)})"),
        (0, every_slo),
    ]
    queries["status"] = " or ".join(f"{rank} * {term}" for rank, term in sorted(terms, reverse=True))
    return queries


def _column_titles(slos: list[Slo]) -> dict[str, str]:
    titles = {"objective": "objective", "sli": "SLI (SLO window)", "budget_left": "budget left"}
    titles |= {f"burn_{format_duration(w)}": f"burn {format_duration(w)}" for w in long_windows(slos)}
    return titles | {"firing": "alerts firing", "status": "status"}


def _burn_colors(slos: list[Slo], window: int) -> list[tuple[float | None, str]]:
    """Orange when spending faster than the budget allows, red at the lowest factor alerting on this window."""
    factors = [
        pair.factor(slo.window_seconds) for slo in slos for t in slo.tiers for pair in t.windows if pair.long == window
    ]
    red = min(factors)
    return [(None, "green"), *([(1.0, "orange")] if red > 1 else []), (red, "red")]


def _colored(steps: list[tuple[float | None, str]]) -> list[models.DynamicConfigValue]:
    return [
        models.DynamicConfigValue(id_val="custom.cellOptions", value={"type": "color-text"}),
        models.DynamicConfigValue(
            id_val="thresholds",
            value={"mode": "absolute", "steps": [{"value": v, "color": c} for v, c in steps]},
        ),
    ]


def overview_table(slos: list[Slo]) -> table.Panel:
    queries = overview_queries(slos)
    titles = _column_titles(slos)
    panel = (
        table.Panel()
        .title("Every SLO, worst first")
        .description(
            "One row per SLO recorded by the generated rules. SLI and budget left are over each SLO's own "
            "window; burn is the error budget's burn rate (1 = on budget) over each alert pair's long window."
        )
        .datasource(DATASOURCE)
        .show_header(True)
        .cell_height(common_models.TableCellHeight.SM)
        .sort_by(
            [
                common.TableSortByFieldState().display_name("status").desc(True),
                common.TableSortByFieldState().display_name("budget left").desc(False),
            ]
        )
        .footer(common.TableFooterOptions().show(False).reducer(["sum"]))
        .height(min(30, max(8, 3 + len(slos))))
        .span(24)
    )
    for ref, expr in queries.items():
        panel = panel.with_target(_table_query(expr, ref))
    panel = panel.with_transformation(models.DataTransformerConfig(id_val="merge", options={}))
    organize = {
        "excludeByName": {"Time": True},
        "indexByName": {name: i for i, name in enumerate(["service", "slo", *(f"Value #{r}" for r in queries)])},
        "renameByName": {f"Value #{ref}": titles[ref] for ref in queries},
    }
    panel = panel.with_transformation(models.DataTransformerConfig(id_val="organize", options=organize))
    percent = [models.DynamicConfigValue(id_val="unit", value="percentunit")]
    panel = panel.override_by_name("objective", percent).override_by_name("SLI (SLO window)", percent)
    panel = panel.override_by_name(
        "budget left",
        [*percent, *_colored([(None, "red"), (0.0, "orange"), (AT_RISK_BUDGET, "green")])],
    )
    for window in long_windows(slos):
        burn_unit = models.DynamicConfigValue(id_val="unit", value="suffix:x")
        panel = panel.override_by_name(
            f"burn {format_duration(window)}", [burn_unit, *_colored(_burn_colors(slos, window))]
        )
    panel = panel.override_by_name("alerts firing", _colored([(None, "green"), (1.0, "red")]))
    status_text = {
        str(rank): {"text": text, "color": color, "index": i} for i, (rank, (text, color)) in enumerate(STATUS.items())
    }
    panel = panel.override_by_name(
        "status",
        [
            models.DynamicConfigValue(id_val="mappings", value=[{"type": "value", "options": status_text}]),
            models.DynamicConfigValue(id_val="custom.cellOptions", value={"type": "color-background"}),
        ],
    )
    link = [{"title": "SLO dashboard", "url": "/d/slo-${__data.fields.service}"}]
    return panel.override_by_name("slo", [models.DynamicConfigValue(id_val="links", value=link)])


def overview_board(slos: list[Slo]) -> dashboard.Dashboard:
    return (
        dashboard.Dashboard("SLOs: overview")
        .uid(OVERVIEW_UID)
        .tags(["slo", "generated"])
        .time("now-1h", "now")
        .refresh("1m")
        .with_variable(_datasource_variable())
        .with_panel(overview_table(slos).id(1))
    )


# ---- files --------------------------------------------------------------------------------------

DEPRECATED_DASHBOARD_FIELDS = ("style",)


def dashboard_document(board: dashboard.Dashboard) -> dict[str, Any]:
    """The SDK's model as the JSON object Grafana 10 imports, without the fields it deprecated."""
    document = board.build().to_json()
    for name in DEPRECATED_DASHBOARD_FIELDS:
        document.pop(name, None)
    return document


def board_json(board: dashboard.Dashboard) -> str:
    """The dashboard as `json.dumps(..., indent=2, sort_keys=True)` writes it, in one pass."""
    return jsontext.dumps(dashboard_document(board), default=JSONEncoder().default)


def dashboard_json(service: str, slos: list[Slo]) -> str:
    return board_json(service_board(service, slos))


def render(specs: SpecSet) -> dict[str, str]:
    per_service = rules.prometheus_slos(specs)
    for service, slos in per_service.items():
        for problem in service_problems(service):
            raise ValueError(f"{slos[0].file}:{slos[0].line}: SLO {slos[0].name}: metadata.service: {problem}")
    files = {dashboard_path(service): dashboard_json(service, slos) for service, slos in per_service.items()}
    slos = [slo for service_slos in per_service.values() for slo in service_slos]
    if slos:
        files[OVERVIEW_PATH] = board_json(overview_board(slos))
    return files


TARGET = Target("grafana", (f"{DASHBOARD_DIR}/*.json",), render)
