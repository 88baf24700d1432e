"""`sre import sloth`: Sloth's alert naming, labels, annotations, `disable` and plugins, rule by rule.

Inputs written here from Sloth's published `prometheus/v1` and `PrometheusServiceLevel` types
(`alerting.name`, `labels`, `annotations`, `page_alert`/`ticket_alert` with `disable`, `labels`,
`annotations`; plugins as `{id, options}` SLIs and `{chain: [{id, config}]}` SLO plugin chains).
Each case checks the whole imported `spec.alerting`, so a rule that maps too much fails as well.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.slospec.load import load
from sre_cli.targets.prometheus import rules

FOR_WHY = ("approximated", "alerting", "fire at the first evaluation")
LONG = "x" * 300


EVENTS_SLI = """
events:
  error_query: sum(rate(cart_total{code=~"5.."}[{{.window}}]))
  total_query: sum(rate(cart_total[{{.window}}]))
"""


def _sloth(alerting: str, *, crd: bool = False, service_extra: str = "", slo_extra: str = "", sli: str = "") -> str:
    """A Sloth spec (file, or the CRD in camelCase) with one SLO; each argument a YAML block or ""."""
    slo = "name: cart\nobjective: 99.9\ndescription: Cart requests succeed.\n"
    slo += "sli:\n" + textwrap.indent((sli or EVENTS_SLI).strip(), "  ") + "\n" + slo_extra
    if alerting:
        slo += "alerting:\n" + textwrap.indent(textwrap.dedent(alerting).strip(), "  ") + "\n"
    body = "service: shop\n" + service_extra + "slos:\n  - " + textwrap.indent(slo, "    ").lstrip()
    if not crd:
        return "version: prometheus/v1\n" + body
    body = body.replace("error_query", "errorQuery").replace("total_query", "totalQuery")
    head = "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\nmetadata: {name: shop}\nspec:\n"
    return head + textwrap.indent(body, "  ")


# (sloth alerting block, crd?, [(status, field, why fragment)], expected spec.alerting)
CASES = [
    pytest.param("", False, [FOR_WHY], None, id="no-alerting-block"),
    pytest.param(
        "name: CartErrors",
        False,
        [("approximated", "alerting.name", "CartErrorsPage and CartErrorsTicket"), FOR_WHY],
        {"name": "CartErrors"},
        id="name-as-prefix",
    ),
    pytest.param(
        "name: 'cart:errors'",
        False,
        [("not mapped", "alerting.name", "'cart:errors': not an sre alert name prefix")],
        {},
        id="name-not-a-prefix",
    ),
    pytest.param(
        "name: A\nlabels: {team: shop, category: availability}",
        False,
        [
            ("exact", "alerting.labels.team", "page and ticket alert label"),
            ("exact", "alerting.labels.category", "page and ticket alert label"),
        ],
        {"name": "A", "labels": {"team": "shop", "category": "availability"}},
        id="slo-labels-on-both-tiers",
    ),
    pytest.param(
        "name: A\nlabels: {severity: high}\npage_alert: {labels: {severity: critical}}",
        False,
        [
            ("exact", "alerting.labels.severity", "severity of the page and ticket alert"),
            ("exact", "alerting.page_alert.labels.severity", "severity of the page alert"),
        ],
        {"name": "A", "page": {"severity": "critical"}, "ticket": {"severity": "high"}},
        id="severity-shared-then-tier-wins",
    ),
    pytest.param(
        "name: A\nticket_alert: {labels: {severity: Warning}}",
        False,
        [("not mapped", "alerting.ticket_alert.labels.severity", "'Warning': an sre severity matches")],
        {"name": "A"},
        id="severity-not-an-sre-severity",
    ),
    pytest.param(
        "name: A\nlabels: {slo: x, owner: y, team-name: z, on: true}",
        False,
        [
            ("not mapped", "alerting.labels.slo", "sre writes `slo` itself (routing and inhibition"),
            ("not mapped", "alerting.labels.owner", "sre writes `owner` itself"),
            ("not mapped", "alerting.labels.team-name", "not a Prometheus label name"),
            ("not mapped", "alerting.labels.on", "the value must be a string"),
        ],
        {"name": "A"},
        id="labels-sre-cannot-carry",
    ),
    pytest.param(
        f"name: A\nlabels: {{note: {LONG}}}\nannotations: {{note: ok}}",
        False,
        [
            ("not mapped", "alerting.labels.note", "the spec cannot carry it: String should have at most 256"),
            ("exact", "alerting.annotations.note", "page and ticket alert annotation"),
        ],
        {"name": "A", "annotations": {"note": "ok"}},
        id="label-value-too-long",
    ),
    pytest.param(
        "name: A\nlabels: {" + ", ".join(f"l{i}: v" for i in range(21)) + "}",
        False,
        [
            ("exact", "alerting.labels.l19", ""),
            ("not mapped", "alerting.labels.l20", "the spec cannot carry it: Value should have at most 20 items"),
        ],
        {"name": "A", "labels": {f"l{i}": "v" for i in range(20)}},
        id="more-labels-than-the-spec-takes",
    ),
    pytest.param(
        """
        name: A
        annotations:
          runbook: https://example.org/cart
          title: "{{$labels.sloth_service}} burns"
          summary: mine
          runbook_url: https://example.org/rb
        """,
        False,
        [
            ("exact", "alerting.annotations.runbook", "page and ticket alert annotation"),
            ("approximated", "alerting.annotations.title", "Go templates; sre writes free annotations as literal"),
            ("not mapped", "alerting.annotations.summary", "sre writes `summary` itself (the alert's text"),
            ("not mapped", "alerting.annotations.runbook_url", "runbook links come from alerting.runbook"),
        ],
        {
            "name": "A",
            "annotations": {"runbook": "https://example.org/cart", "title": "{{$labels.sloth_service}} burns"},
        },
        id="slo-annotations",
    ),
    pytest.param(
        """
        name: A
        page_alert:
          labels: {route: pager, severity: critical}
          annotations: {channel: "#cart-oncall"}
        ticket_alert:
          labels: {route: queue}
        """,
        False,
        [
            ("exact", "alerting.page_alert.labels.route", "page alert label"),
            ("exact", "alerting.page_alert.annotations.channel", "page alert annotation"),
            ("exact", "alerting.ticket_alert.labels.route", "ticket alert label"),
        ],
        {
            "name": "A",
            "page": {"severity": "critical", "labels": {"route": "pager"}, "annotations": {"channel": "#cart-oncall"}},
            "ticket": {"labels": {"route": "queue"}},
        },
        id="tier-labels-and-annotations",
    ),
    pytest.param(
        "name: A\npage_alert: {disable: true}\nticket_alert: {disable: false}",
        False,
        [("exact", "alerting.page_alert.disable", "as alerting.page.enabled: false")],
        {"name": "A", "page": {"enabled": False}},
        id="disable-a-tier",
    ),
    pytest.param(
        "name: A\nticket_alert: {disable: 'yes', silence: 1h}\npage_alert: [x]\nrouting: x",
        False,
        [
            ("not mapped", "alerting.ticket_alert.disable", "not a boolean; the tier stays enabled"),
            ("not mapped", "alerting.ticket_alert.silence", "not a Sloth alert field"),
            ("not mapped", "alerting.page_alert", "not a mapping"),
            ("not mapped", "alerting.routing", "not a Sloth alerting field"),
        ],
        {"name": "A"},
        id="malformed-tiers",
    ),
    pytest.param(
        "name: A\nlabels: {team: shop}\npageAlert: {labels: {severity: critical}}\nticketAlert: {disable: true}",
        True,
        [
            ("exact", "alerting.labels.team", ""),
            ("exact", "alerting.pageAlert.labels.severity", "severity of the page alert"),
            ("exact", "alerting.ticketAlert.disable", "enabled: false"),
        ],
        {"name": "A", "labels": {"team": "shop"}, "page": {"severity": "critical"}, "ticket": {"enabled": False}},
        id="crd-camelcase",
    ),
]


def _import(tmp_path: Path, text: str):
    src = tmp_path / "in" / "sloth.yaml"
    src.parent.mkdir(parents=True)
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "slo"
    return CliRunner().invoke(cli, ["import", "sloth", str(src), "--out", str(out)]), out


def _has(output: str, status: str, field: str, why: str) -> bool:
    return any(line.strip().startswith(status) and f": {field}" in line and why in line for line in output.splitlines())


@pytest.mark.parametrize(("alerting", "crd", "findings", "expected"), CASES)
def test_sloth_alerting(tmp_path: Path, alerting: str, crd: bool, findings: list, expected: dict | None) -> None:
    result, out = _import(tmp_path, _sloth(alerting, crd=crd))
    assert result.exit_code == 1, result.output  # `for` alone makes every Sloth alerting import approximate
    for status, field, why in findings:
        assert _has(result.output, status, field, why), f"no {status} {field} ({why}) in:\n{result.output}"
    doc = yaml.safe_load((out / "shop.yaml").read_text())
    assert doc["spec"].get("alerting") == (expected or None)
    assert load([out]).ok


def test_sloth_alert_customisation_reaches_the_generated_alerts(tmp_path: Path) -> None:
    alerting = """
    name: CartErrors
    labels: {team: shop}
    annotations: {runbook: https://example.org/cart}
    page_alert: {labels: {severity: critical, route: pager}}
    ticket_alert: {disable: true}
    """
    _, out = _import(tmp_path, _sloth(alerting))
    (slo,) = load([out]).slos
    group = rules.slo_group(slo)
    alerts = {r["alert"]: r for r in group["rules"] if "alert" in r}
    assert set(alerts) == {"CartErrorsPage", "CartErrorsMetricsAbsent"}
    page = alerts["CartErrorsPage"]
    assert {"team": "shop", "route": "pager", "severity": "critical"}.items() <= page["labels"].items()
    assert page["annotations"]["runbook"] == "https://example.org/cart"


PLUGINS = [
    pytest.param(
        {"sli": "plugin: {id: sloth-common/kubernetes/apiserver/availability, options: {filter: x}}"},
        ("not mapped", "sli.plugin", "plugin SLI 'sloth-common/kubernetes/apiserver/availability'"),
        id="sli-plugin",
    ),
    pytest.param(
        {"slo_extra": "plugins:\n  chain: [{id: sloth.dev/contrib/noop/v1}, {id: acme/rules, priority: 10}]\n"},
        ("not mapped", "plugins", "plugin(s) 'sloth.dev/contrib/noop/v1', 'acme/rules'"),
        id="slo-plugin-chain",
    ),
    pytest.param(
        {"service_extra": "slo_plugins:\n  overridePrevious: true\n  chain: [{id: acme/validate}]\n"},
        ("not mapped", "slo_plugins", "the service's Sloth plugin(s) 'acme/validate'"),
        id="service-plugin-chain",
    ),
]


@pytest.mark.parametrize(("parts", "finding"), PLUGINS)
def test_sloth_plugins_are_named_when_not_mapped(tmp_path: Path, parts: dict[str, str], finding: tuple) -> None:
    result, _ = _import(tmp_path, _sloth("name: A", **parts))
    assert result.exit_code == 1, result.output
    assert _has(result.output, *finding), result.output
