"""promtool proves the generated rules page, ticket and stay quiet when they should, for each SLO.

Suites are built here from `prom_scenarios` (one traffic story rendered as every SLO's series) and
run by the real `promtool test rules` against freshly generated rule files. Expected labels,
links and the absent alert's labels are written out literally, not derived from the generator.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from sre_cli import slomath
from sre_cli.slospec.model import Slo, SpecSet
from sre_cli.targets.prometheus import rules
from tests.prometheus.prom_scenarios import Scenario, bad_slices, input_series
from tests.support.repo_specs import shared_repo_specs

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")

LABELS = {
    "api-availability": {"service": "api", "slo": "api-availability", "team": "platform"},
    "api-latency": {"service": "api", "slo": "api-latency", "team": "platform"},
    "db-errors": {"service": "db", "slo": "db-errors", "team": "platform"},
    "sfn-success": {"service": "sfn", "slo": "sfn-success", "team": "platform"},
    "batch-queue-age": {"service": "batch", "slo": "batch-queue-age", "team": "platform"},
}
# Alerts also carry metadata.owner (issue 14 item 4); recorded series do not.
OWNERS = {
    "api-availability": "team-api",
    "api-latency": "team-api",
    "db-errors": "team-api",
    "sfn-success": "team-data",
    "batch-queue-age": "team-data",
}
# absent() keeps the equality matchers of a plain selector; aggregates and unions keep none.
ABSENT_LABELS = {"api-availability": {"job": "api"}, "api-latency": {"job": "api"}, "db-errors": {"job": "api"}}
# Whole bad events per minute at both 1x and 14.4x (float counters would drift off the threshold).
EVENTS_PER_MINUTE = {"api-availability": 5000, "api-latency": 600, "db-errors": 10000, "sfn-success": 500}
PAGE_1H = {"long_window": "1h", "short_window": "5m", "severity": "page"}
TICKET_3D = {"long_window": "3d", "short_window": "6h", "severity": "ticket"}
HEALTHY = 360  # minutes of history before the story starts, so the 6h windows are all healthy


def _slos() -> dict[str, Slo]:
    return {s.name: s for s in shared_repo_specs().slos}


def _promql_labels(name: str, labels: dict[str, str]) -> str:
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _alerts(alertname: str, slo: str, extra: dict[str, str], state: str = "firing") -> str:
    labels = {"alertname": alertname, "alertstate": state, **LABELS[slo], "owner": OWNERS[slo], **extra}
    return _promql_labels("ALERTS", labels)


def _minute(slo: Slo) -> tuple[float, float]:
    """(events per minute, error share of a healthy minute); timeslices have one slice a minute."""
    return float(EVENTS_PER_MINUTE.get(slo.name, 1)), 0.1 * slomath.error_budget(slo.objective)


def _firing_query(slo: str, alertname: str) -> str:
    return f'ALERTS{{alertname="{alertname}",alertstate="firing",slo="{slo}"}}'


def _test(scenario: Scenario, slo: str, **asserts: Any) -> dict[str, Any]:
    return {"interval": "1m", "input_series": input_series(slo, scenario), **asserts}


def fastest_page(slo: Slo) -> slomath.BurnWindow:
    return min((w for t in slo.tiers if t.name == "page" for w in t.windows), key=lambda w: w.long)


def outage(slo: Slo) -> dict[str, Any]:
    """Total outage: pages within `for` + 2m of the first failing scrape, for every SLO.

    Through the 1h/5m pair at 99.9% and over; SLOs whose 1h pair a total outage reaches too late
    (at 99%: 14.4 x 1% of 1h = 8.6 min) carry a 5m/1m outage pair in their spec.
    """
    rate, healthy = _minute(slo)
    scenario = Scenario().add(HEALTHY, rate, healthy).add(90, rate, 1.0)
    page_for = slomath.parse_duration(next(t.for_ for t in slo.tiers if t.name == "page")) // 60
    pair = fastest_page(slo)
    labels = {
        "long_window": slomath.format_duration(pair.long),
        "short_window": slomath.format_duration(pair.short),
        "severity": "page",
    }
    at = HEALTHY + page_for + 2
    return _test(
        scenario,
        slo.name,
        alert_rule_test=[{"eval_time": f"{HEALTHY - 1}m", "alertname": "SLOBurnRatePage", "exp_alerts": []}],
        promql_expr_test=[
            {
                "expr": f'{_firing_query(slo.name, "SLOBurnRatePage")[:-1]},long_window="{labels["long_window"]}"}}',
                "eval_time": f"{at}m",
                "exp_samples": [{"labels": _alerts("SLOBurnRatePage", slo.name, labels), "value": 1}],
            }
        ],
    )


def budget_2pct(slo: Slo) -> tuple[dict[str, Any], float]:
    """Burning 2% of the budget per hour (14.4x) for 70 minutes pages through the 1h/5m pair.

    Timeslices burn in whole bad minutes: one in six (16.7x) is the sparsest pattern whose closed
    6-sample 5m window always holds a bad slice. Returns the test and the burn rate the 1h window
    holds at the check.
    """
    rate, healthy = _minute(slo)
    budget = slomath.error_budget(slo.objective)
    timeslice = slo.indicator.kind == "threshold"
    share = 1 / 6 if timeslice else 14.4 * budget
    scenario = Scenario().add(HEALTHY, rate, healthy).add(70, rate, share)
    at = HEALTHY + 70
    if timeslice:
        bad = sum(bad_slices(scenario)[at - 60 : at + 1])
        expected_burn = bad / 61 / budget
        assert expected_burn >= 14.4
    else:
        expected_burn = 14.4
    test = _test(
        scenario,
        slo.name,
        promql_expr_test=[
            {
                "expr": f'{_firing_query(slo.name, "SLOBurnRatePage")[:-1]},long_window="1h"}}',
                "eval_time": f"{at}m",
                "exp_samples": [{"labels": _alerts("SLOBurnRatePage", slo.name, PAGE_1H), "value": 1}],
            }
        ],
    )
    return test, expected_burn


def steady_1x(slo: Slo) -> dict[str, Any]:
    """A steady 1x burn never pages and tickets only through the 3d/6h pair, whose threshold is
    exactly 1x (alerts compare with >=). Timeslices burn in whole bad minutes: one in 90 (1.11x)
    is the sparsest pattern whose closed 361-sample 6h window never holds less than 1% bad."""
    rate, _ = _minute(slo)
    budget = slomath.error_budget(slo.objective)
    timeslice = slo.indicator.kind == "threshold"
    # A handful of bad minutes in a short history swings the ratio; timeslices get 3d of it.
    history = 3 * 1440 if timeslice else 0
    end = history + 360
    # One minute past `end`, so the check at `end` reads that minute's own sample (a last bad
    # sample would otherwise linger into the next slice through the 5m lookback).
    scenario = Scenario().add(end + 1, rate, (1 / 90 if timeslice else budget))
    checks = []
    for at in (end - 180, end):
        checks.append(
            {
                "expr": _firing_query(slo.name, "SLOBurnRateTicket"),
                "eval_time": f"{at}m",
                "exp_samples": [{"labels": _alerts("SLOBurnRateTicket", slo.name, TICKET_3D), "value": 1}],
            }
        )
    window = f"[{end - history - 30}m]"  # from 30 minutes in (pending included): never a page
    checks.append(
        {
            "expr": f'count_over_time(ALERTS{{alertname="SLOBurnRatePage",slo="{slo.name}"}}{window})',
            "eval_time": f"{end}m",
            "exp_samples": [],
        }
    )
    return _test(scenario, slo.name, promql_expr_test=checks)


def low_traffic(slo: Slo) -> dict[str, Any]:
    """A burn at 10x the fastest page threshold for 20 minutes, with fewer events than minEvents
    in every guard window, does not page. Where the burn itself would page, a control asserts both
    burn rates of the 1h/5m pair are over the threshold, so only the guard holds the page back.

    The guard counts over the pair's long window and at least 1h (`slomath.guard_window`), so the
    5m outage pair is held back too: 20 minutes of a trickle fill a 5m window. Time slices have
    one slice a minute; their story is a queue gauge that reports for 20 minutes only (20 of the
    30 slices minEvents asks of the last hour).
    """
    budget = slomath.error_budget(slo.objective)
    share = min(1.0, 10 * 14.4 * budget)
    if slo.indicator.kind == "threshold":
        scenario = Scenario().add(HEALTHY, 1, 0, present=False).add(20, 1, share)
    else:
        rate = slo.min_events / 360 / 2  # half of minEvents in 6h
        scenario = Scenario().add(HEALTHY, rate, 0).add(20, rate, share)
    at = HEALTHY + 20
    checks = [
        {
            "expr": f'count_over_time(ALERTS{{alertname="SLOBurnRatePage",slo="{slo.name}"}}[30m])',
            "eval_time": f"{at + 10}m",
            "exp_samples": [],
        }
    ]
    if share * 20 / 61 / budget > 14.4:
        both = (
            f'count(slo:burn_rate:ratio_rate1h{{slo="{slo.name}"}} > 14.4 '
            f'and slo:burn_rate:ratio_rate5m{{slo="{slo.name}"}} > 14.4)'
        )
        checks.append({"expr": both, "eval_time": f"{at}m", "exp_samples": [{"labels": "{}", "value": 1}]})
    return _test(
        scenario,
        slo.name,
        alert_rule_test=[
            {"eval_time": f"{t}m", "alertname": "SLOBurnRatePage", "exp_alerts": []} for t in (at, at + 10)
        ],
        promql_expr_test=checks,
    )


def zero_traffic(slo: Slo) -> dict[str, Any]:
    """6h without events (timeslices: without the gauge) after a clean 2h: every ratio, burn rate
    and the budget left are defined numbers, and no burn alert fires."""
    rate, _ = _minute(slo)
    if slo.indicator.kind == "threshold":
        scenario = Scenario().add(120, 1, 0).add(360, 1, 0, present=False)
    else:
        scenario = Scenario().add(120, rate, 0).add(360, 0, 0)
    checks = []
    for at in (240, 480):
        for window in slo.sli_windows:
            w = slomath.format_duration(window)
            for name in (f"slo:sli_error:ratio_rate{w}", f"slo:burn_rate:ratio_rate{w}"):
                checks.append(
                    {
                        "expr": f'{name}{{slo="{slo.name}"}}',
                        "eval_time": f"{at}m",
                        "exp_samples": [{"labels": _promql_labels(name, LABELS[slo.name]), "value": 0}],
                    }
                )
        remaining = "slo:error_budget_remaining:ratio"
        checks.append(
            {
                "expr": f'{remaining}{{slo="{slo.name}"}}',
                "eval_time": f"{at}m",
                "exp_samples": [{"labels": _promql_labels(remaining, LABELS[slo.name]), "value": 1}],
            }
        )
    quiet = [
        {"eval_time": f"{t}m", "alertname": name, "exp_alerts": []}
        for t in (240, 480)
        for name in ("SLOBurnRatePage", "SLOBurnRateTicket")
    ]
    return _test(scenario, slo.name, alert_rule_test=quiet, promql_expr_test=checks)


def absent_source(slo: Slo) -> dict[str, Any]:
    """The source series stop: SLOMetricsAbsent (a ticket) fires once the 5m lookback and its `for`
    have passed."""
    rate, healthy = _minute(slo)
    scenario = Scenario().add(120, rate, healthy).add(60, rate, 0, present=False)
    ticket_for = slomath.parse_duration(next(t.for_ for t in slo.tiers if t.name == "ticket")) // 60
    at = 120 + 5 + ticket_for + 2
    labels = {"alertname": "SLOMetricsAbsent", "alertstate": "firing", "severity": "ticket", **LABELS[slo.name]}
    labels["owner"] = OWNERS[slo.name]
    labels |= ABSENT_LABELS.get(slo.name, {})
    return _test(
        scenario,
        slo.name,
        promql_expr_test=[
            {"expr": _firing_query(slo.name, "SLOMetricsAbsent"), "eval_time": "119m", "exp_samples": []},
            {
                "expr": _firing_query(slo.name, "SLOMetricsAbsent"),
                "eval_time": f"{at}m",
                "exp_samples": [{"labels": _promql_labels("ALERTS", labels), "value": 1}],
            },
        ],
    )


# Literal text of one page, so links and wording are checked character by character.
API_AVAILABILITY_PAGE = {
    "exp_labels": {
        "severity": "page",
        "slo": "api-availability",
        "service": "api",
        "team": "platform",
        "owner": "team-api",
        "long_window": "1h",
        "short_window": "5m",
    },
    "exp_annotations": {
        "summary": "api-availability: error budget burning 14.4x too fast over 1h and 5m",
        "description": (
            "api-availability (api) burns its error budget at 14.40x the sustainable rate over 1h "
            "(and over 5m); threshold 14.4x, i.e. 2% of the 30d budget within 1h. Fires only with "
            ">= 100 events in 1h. Objective 99.9%: 99.9% of API requests are answered with a 2xx "
            "(2xx/total)."
        ),
        "runbook_url": "https://github.com/acme/sre/blob/main/runbooks/api-availability.md#page",
        "dashboard_url": "https://grafana.example.com/d/slo-api",
    },
}


def suite(slo: Slo, rule_file: Path) -> dict[str, Any]:
    two_pct, burn = budget_2pct(slo)
    if slo.name == "api-availability":
        assert burn == 14.4
        two_pct["alert_rule_test"] = [
            {"eval_time": f"{HEALTHY + 70}m", "alertname": "SLOBurnRatePage", "exp_alerts": [API_AVAILABILITY_PAGE]}
        ]
    return {
        "rule_files": [str(rule_file)],
        "evaluation_interval": "1m",
        "tests": [
            outage(slo),
            two_pct,
            steady_1x(slo),
            low_traffic(slo),
            zero_traffic(slo),
            absent_source(slo),
        ],
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, repo_specs: SpecSet) -> Path:
    out = tmp_path_factory.mktemp("rules")
    for rel, content in rules.render(repo_specs).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(content)
    return out


def test_every_generated_rule_file_passes_promtool_check(generated: Path) -> None:
    files = sorted((generated / rules.RULES_DIR).glob("*.rules.yaml"))
    assert [f.name for f in files] == ["api.rules.yaml", "batch.rules.yaml", "db.rules.yaml", "sfn.rules.yaml"]
    proc = subprocess.run(["promtool", "check", "rules", *map(str, files)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", sorted(LABELS))
def test_promtool_scenarios(name: str, generated: Path, tmp_path: Path) -> None:
    slo = _slos()[name]
    rule_file = generated / rules.rule_file_path(slo.service)
    test_file = tmp_path / f"{name}.test.yaml"
    tests = suite(slo, rule_file)
    assert all(isinstance(t, dict) and t.get("input_series") for t in tests["tests"])  # promtool skips nulls
    test_file.write_text(yaml.safe_dump(tests, sort_keys=False))
    proc = subprocess.run(["promtool", "test", "rules", str(test_file)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-6000:]
