"""Grafana dashboards `dashboards/grafana/<service>.json`, one row per SLO, built on the metadata rules.

Built with grafana-foundation-sdk (Grafana's maintained, typed dashboard builder) rather than
hand-written JSON. The uid is `slo-<service>`, which is what `dashboard_url` in every alert
points at (`dashboardBaseUrl` + service).

Per SLO: the SLI over 1h and the SLO window against the objective, the budget left, the burn
rate of every alert window with each tier threshold drawn as a line, and the event rates.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import common, dashboard, prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as common_models
from grafana_foundation_sdk.models import dashboard as models

from sre_cli import slomath
from sre_cli.generate import Target
from sre_cli.slomath import format_duration
from sre_cli.slospec.model import Slo, SpecSet
from sre_cli.targets import jsontext
from sre_cli.targets.prometheus import naming, rules
from sre_cli.vocabulary import number

DASHBOARD_DIR = "dashboards/grafana"
DATASOURCE = models.DataSourceRef(type_val="prometheus", uid="${datasource}")
COLORS = ("red", "orange", "yellow", "blue")


def dashboard_path(service: str) -> str:
    return f"{DASHBOARD_DIR}/{service}.json"


def _query(expr: str, legend: str, ref: str) -> prometheus.Dataquery:
    return prometheus.Dataquery().expr(expr).legend_format(legend).ref_id(ref).datasource(DATASOURCE)


def _thresholds(steps: list[tuple[float | None, str]]) -> dashboard.ThresholdsConfig:
    return (
        dashboard.ThresholdsConfig()
        .mode(models.ThresholdsMode.ABSOLUTE)
        .steps([models.Threshold(value=v, color=c) for v, c in steps])
    )


def sli_panel(slo: Slo) -> timeseries.Panel:
    panel = timeseries.Panel().title(f"{slo.name}: SLI vs objective {number(slo.objective * 100)}%")
    for i, window in enumerate((slomath.HOUR, slo.window_seconds)):
        ratio = naming.selector(naming.error_ratio(window), slo)
        panel = panel.with_target(_query(f"1 - {ratio}", f"SLI {format_duration(window)}", chr(65 + i)))
    return (
        panel.unit("percentunit")
        .datasource(DATASOURCE)
        .thresholds(_thresholds([(None, "red"), (slo.objective, "green")]))
        .thresholds_style(common.GraphThresholdsStyleConfig().mode(common_models.GraphTresholdsStyleMode.LINE))
        .height(8)
        .span(8)
    )


def budget_panel(slo: Slo) -> stat.Panel:
    return (
        stat.Panel()
        .title(f"{slo.name}: error budget left ({slo.window})")
        .with_target(_query(naming.selector(naming.BUDGET_REMAINING, slo), "budget left", "A"))
        .unit("percentunit")
        .datasource(DATASOURCE)
        .thresholds(_thresholds([(None, "red"), (0.0, "orange"), (0.25, "green")]))
        .height(8)
        .span(4)
    )


def burn_panel(slo: Slo) -> timeseries.Panel:
    windows = sorted({w for t in slo.tiers for pair in t.windows for w in (pair.long, pair.short)})
    panel = timeseries.Panel().title(f"{slo.name}: burn rate per window (lines: tier thresholds)")
    for i, window in enumerate(windows):
        panel = panel.with_target(
            _query(naming.selector(naming.burn_rate(window), slo), format_duration(window), chr(65 + i))
        )
    # Fastest-burning threshold red, the slowest blue.
    factors = sorted({pair.factor(slo.window_seconds) for t in slo.tiers for pair in t.windows}, reverse=True)
    ranked = [(f, COLORS[min(i, len(COLORS) - 1)]) for i, f in enumerate(factors)]
    steps: list[tuple[float | None, str]] = [(None, "green"), *reversed(ranked)]
    return (
        panel.datasource(DATASOURCE)
        .thresholds(_thresholds(steps))
        .thresholds_style(common.GraphThresholdsStyleConfig().mode(common_models.GraphTresholdsStyleMode.LINE))
        .height(8)
        .span(8)
    )


def events_panel(slo: Slo) -> timeseries.Panel:
    panel = timeseries.Panel().datasource(DATASOURCE).height(8).span(4)
    if slo.indicator.kind == "threshold":
        return panel.title(f"{slo.name}: bad slice (1 = bad)").with_target(
            _query(naming.selector(naming.SLICE_BAD, slo), "bad slice", "A")
        )
    return (
        panel.title(f"{slo.name}: events per second (5m)")
        .unit("reqps")
        .with_target(_query(naming.selector(naming.TOTAL_RATE, slo), "all", "A"))
        .with_target(_query(naming.selector(naming.BAD_RATE, slo), "bad", "B"))
    )


def service_board(service: str, slos: list[Slo]) -> dashboard.Dashboard:
    """The service's dashboard as the SDK's builder."""
    board = (
        dashboard.Dashboard(f"SLOs: {service}")
        .uid(f"slo-{service}")
        .tags(["slo", "generated"])
        .time("now-7d", "now")
        .refresh("1m")
        .with_variable(dashboard.DatasourceVariable("datasource").label("Prometheus").type("prometheus"))
    )
    for slo in slos:
        board = board.with_row(dashboard.Row(f"{slo.name} — {slo.description}"))
        for panel in (sli_panel(slo), budget_panel(slo), burn_panel(slo), events_panel(slo)):
            board = board.with_panel(panel)
    return board


def dashboard_json(service: str, slos: list[Slo]) -> str:
    """The SDK's own JSON of the dashboard, as `json.dumps(..., indent=2, sort_keys=True)` writes it, in one pass."""
    return jsontext.dumps(service_board(service, slos).build(), default=JSONEncoder().default)


def render(specs: SpecSet) -> dict[str, str]:
    return {
        dashboard_path(service): dashboard_json(service, slos) for service, slos in rules.prometheus_slos(specs).items()
    }


TARGET = Target("grafana", (f"{DASHBOARD_DIR}/*.json",), render)
