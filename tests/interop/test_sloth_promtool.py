"""An imported Sloth SLO alerts when Sloth's own rules alert: both rule sets under `promtool test rules`.

One Sloth spec (written here from Sloth's `prometheus/v1` format) is imported with `sre import
sloth` and, independently, turned into the rules Sloth generates for it (tests/support/sloth_rules.py).
The same input series (fast outage, slow burn, no errors) then run through both rule files, and
at each check the set of firing (tier, severity) must be the one written in the story, for both:
Sloth's tier is its `sloth_severity` label under the alert `alerting.name`, ours the alert name
`<alerting.name>Page|Ticket`; the `severity` label is the one the spec gave each tier.

Intended differences, kept away from the checks (slo/README.md, "Import and export"):
- `for`: ours wait 2m (page) / 15m (ticket) before firing, Sloth's fire at the first evaluation over
  the threshold; checks are taken long after both would fire (or far from any threshold);
- exact long windows: Sloth's ratio over a long window is `rate()` of the raw series over it, ours
  rolls the window up event-weighted from the recorded base window, and compares with `>=`, not
  `>`; the stories stay well away from the thresholds;
- the low-traffic guard (`minEvents`): Sloth has none and an import sets none (0), so it never holds
  an alert back here.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.slospec.load import load
from sre_cli.targets.prometheus import rules
from tests.prometheus.prom_scenarios import Scenario, _counter
from tests.support import sloth_rules

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")

SLOTH_SPEC = """\
version: prometheus/v1
service: shop
labels: {team: shop}
slos:
  - name: cart-errors
    objective: 99.9
    description: Cart requests succeed.
    sli:
      events:
        error_query: sum(rate(cart_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(cart_requests_total[{{.window}}]))
    alerting:
      name: CartErrors
      labels: {category: availability}
      page_alert: {labels: {severity: critical}}
      ticket_alert: {labels: {severity: warning}}
"""
RATE = 1000.0  # events per minute
HEALTHY = 360  # minutes without errors before a story's trouble starts
PAGE = ("page", "critical")
TICKET = ("ticket", "warning")


def _input_series(scenario: Scenario) -> list[dict[str, str]]:
    good = [m.total - m.bad for m in scenario.minutes]
    bad = [m.bad for m in scenario.minutes]
    return [
        {"series": 'cart_requests_total{code="200"}', "values": _counter(good)},
        {"series": 'cart_requests_total{code="503"}', "values": _counter(bad)},
        # Another service's errors: neither rule set may count them.
        {"series": 'checkout_requests_total{code="503"}', "values": _counter([RATE] * scenario.length)},
    ]


# (story, scenario, [(minute, firing (tier, severity) pairs)])
STORIES = [
    pytest.param(
        Scenario().add(HEALTHY, RATE, 0.0).add(90, RATE, 1.0),
        # Sloth's ticket fires minutes into the outage, ours after its 15m `for`: checked at 40m.
        [(HEALTHY - 1, set()), (HEALTHY + 40, {PAGE, TICKET}), (HEALTHY + 89, {PAGE, TICKET})],
        id="fast-outage",
    ),
    pytest.param(
        # 2x the budget's rate: only the 3d/6h pair (1x) is crossed, once 6h of it fill the 6h
        # window and pull the whole history's ratio over 0.1% (after 6h of the 12h history).
        Scenario().add(HEALTHY, RATE, 0.0).add(720, RATE, 0.002),
        [(HEALTHY + 240, set()), (HEALTHY + 600, {TICKET}), (HEALTHY + 719, {TICKET})],
        id="slow-burn",
    ),
    pytest.param(
        Scenario().add(720, RATE, 0.0),
        [(60, set()), (360, set()), (719, set())],
        id="no-errors",
    ),
]


def _firing_tiers(kind: str) -> str:
    """Firing alerts of one rule set as (tier, severity) samples, so both sets answer alike."""
    if kind == "sloth":
        alerts = 'ALERTS{alertname="CartErrors",alertstate="firing"}'
        return f'group by (tier, severity) (label_replace({alerts}, "tier", "$1", "sloth_severity", "(.*)"))'
    page = 'label_replace(ALERTS{alertname="CartErrorsPage",alertstate="firing"}, "tier", "page", "", "")'
    ticket = 'label_replace(ALERTS{alertname="CartErrorsTicket",alertstate="firing"}, "tier", "ticket", "", "")'
    return f"group by (tier, severity) ({page} or {ticket})"


def _suite(rule_file: Path, kind: str, scenario: Scenario, checks: list) -> dict[str, Any]:
    expr = _firing_tiers(kind)
    return {
        "rule_files": [str(rule_file)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": _input_series(scenario),
                "promql_expr_test": [
                    {
                        "expr": expr,
                        "eval_time": f"{minute}m",
                        "exp_samples": [
                            {"labels": f'{{severity="{severity}",tier="{tier}"}}', "value": 1}
                            for tier, severity in sorted(firing)
                        ],
                    }
                    for minute, firing in checks
                ],
                # Any other alert of ours (MetricsAbsent) would be a difference too.
                "alert_rule_test": [
                    {"alertname": "CartErrorsMetricsAbsent", "eval_time": f"{m}m", "exp_alerts": []} for m, _ in checks
                ]
                if kind == "sre"
                else [],
            }
        ],
    }


@pytest.fixture(scope="module")
def rule_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sloth-compare")
    (root / "sloth.yaml").write_text(SLOTH_SPEC)
    result = CliRunner().invoke(cli, ["import", "sloth", str(root / "sloth.yaml"), "--out", str(root / "slo")])
    assert result.exit_code == 1, result.output  # `for` is an approximation
    (slo,) = load([root / "slo"]).slos
    ours = root / "sre.rules.yaml"
    ours.write_text(rules.dump_yaml({"groups": [rules.slo_group(slo)]}))
    theirs = root / "sloth.rules.yaml"
    theirs.write_text(yaml.safe_dump({"groups": sloth_rules.service_groups(yaml.safe_load(SLOTH_SPEC))}))
    return {"sre": ours, "sloth": theirs}


@pytest.mark.parametrize(("scenario", "checks"), STORIES)
@pytest.mark.parametrize("kind", ["sloth", "sre"])
def test_imported_sloth_slo_fires_where_sloth_fires(
    tmp_path: Path, rule_files: dict[str, Path], kind: str, scenario: Scenario, checks: list
) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(yaml.safe_dump(_suite(rule_files[kind], kind, scenario, checks)))
    run = subprocess.run(["promtool", "test", "rules", str(suite)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_comparison_tells_the_rule_sets_apart(tmp_path: Path, rule_files: dict[str, Path]) -> None:
    """The normalising query is not blind: at the outage's first minutes only Sloth's alerts fire
    (ours waits its `for`), so the same expectation fails for one of them."""
    scenario = Scenario().add(HEALTHY, RATE, 0.0).add(10, RATE, 1.0)
    checks = [(HEALTHY + 2, {PAGE, TICKET})]
    outcomes = {}
    for kind in ("sloth", "sre"):
        suite = tmp_path / f"{kind}.yaml"
        suite.write_text(yaml.safe_dump(_suite(rule_files[kind], kind, scenario, checks)))
        outcomes[kind] = subprocess.run(["promtool", "test", "rules", str(suite)], capture_output=True).returncode
    assert outcomes == {"sloth": 0, "sre": 1}
