"""promtool proves a grouped SLO (`groupBy: [handler]`) is one SLO per handler: ten handlers, one
misbehaving, and only that one pages, with its handler label and its name in the alert text.

The rules are generated from a spec by `sre generate`, as a user runs it, and run by the real
`promtool test rules`; expected labels and text are written out literally.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.prometheus.prom_scenarios import Scenario, good_and_bad_counters
from tests.support.spec_table import generate

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")

SPEC = """
metadata: {name: g, service: t}
spec:
  description: API requests answered without a 5xx, per handler.
  objective: 99.9
  indicator:
    groupBy: [handler]
    ratio:
      prometheus:
        bad: http_requests_total{job="api",code=~"5.."}
        total: http_requests_total{job="api"}
  alerting:
    minEvents: 100
"""
HANDLERS = [f"/h{i}" for i in range(10)]
PER_MINUTE = 5000  # 14.4 x 0.1% of it is 72 whole bad requests a minute
HEALTHY = 360  # minutes before the story starts: every 6h window healthy
LABELS = {"service": "t", "slo": "g"}
PAGE_1H = {"long_window": "1h", "severity": "page", "short_window": "5m"}


def _promql_labels(name: str, labels: dict[str, str]) -> str:
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _series(stories: dict[str, Scenario]) -> list[dict[str, str]]:
    """Per handler a 200 and a 500 counter; plus another job's errors on the same handlers, ignored."""
    out = []
    for handler, story in stories.items():
        good, bad = good_and_bad_counters(story)
        out.append({"series": f'http_requests_total{{job="api",handler="{handler}",code="200"}}', "values": good})
        out.append({"series": f'http_requests_total{{job="api",handler="{handler}",code="500"}}', "values": bad})
        out.append({"series": f'http_requests_total{{job="web",handler="{handler}",code="500"}}', "values": "0+50x900"})
    return out


def _healthy(minutes: int, per_minute: float = PER_MINUTE) -> Scenario:
    return Scenario().add(minutes, per_minute, 0.0001)  # a tenth of the budget


def _with(sick: dict[str, Scenario], minutes: int) -> dict[str, Scenario]:
    """Ten handlers: the given ones with their own story, the others healthy throughout."""
    return {h: sick.get(h) or _healthy(minutes) for h in HANDLERS}


def _alerts(handler: str, **labels: str) -> str:
    return _promql_labels(
        "ALERTS", {"alertname": "SLOBurnRatePage", "alertstate": "firing", **LABELS, "handler": handler, **labels}
    )


def outage_of_one_handler() -> dict[str, Any]:
    """/h3 fails every request from minute 360: it pages, through both page pairs; the nine others never do."""
    end = HEALTHY + 60
    stories = _with({"/h3": _healthy(HEALTHY).add(60, PER_MINUTE, 1.0)}, end)
    at = HEALTHY + 2 + 4  # the 2m `for` after a few samples of the outage
    checks = [
        {
            "expr": 'ALERTS{alertname="SLOBurnRatePage",alertstate="firing",slo="g",long_window="1h"}',
            "eval_time": f"{at}m",
            "exp_samples": [{"labels": _alerts("/h3", **PAGE_1H), "value": 1}],
        },
        {
            "expr": 'count by (handler) (ALERTS{alertname="SLOBurnRatePage",alertstate="firing",slo="g"})',
            "eval_time": f"{at + 10}m",
            "exp_samples": [{"labels": '{handler="/h3"}', "value": 2}],
        },
        # Nothing for any healthy handler at any time, pending included; nothing before the outage.
        {
            "expr": f'count_over_time(ALERTS{{slo="g",handler!="/h3"}}[{end}m])',
            "eval_time": f"{end}m",
            "exp_samples": [],
        },
        {"expr": 'ALERTS{slo="g"}', "eval_time": f"{HEALTHY}m", "exp_samples": []},
    ]
    return {"interval": "1m", "input_series": _series(stories), "promql_expr_test": checks}


def budget_2pct_on_one_handler() -> dict[str, Any]:
    """/h7 burns 2% of its budget an hour (14.4x): its page reads its handler in summary and description."""
    at = HEALTHY + 70
    stories = _with({"/h7": _healthy(HEALTHY).add(71, PER_MINUTE, 14.4 * 0.001)}, at + 1)
    page = {
        "exp_labels": {**LABELS, "handler": "/h7", **PAGE_1H},
        "exp_annotations": {
            "summary": "g [handler=/h7]: error budget burning 14.4x too fast over 1h and 5m",
            "description": (
                "g [handler=/h7] (t) burns its error budget at 14.40x the sustainable rate over 1h (and over 5m); "
                "threshold 14.4x, i.e. 2% of the 30d budget within 1h. Fires only with >= 100 events in 1h. "
                "Objective 99.9%: API requests answered without a 5xx, per handler."
            ),
            "runbook_url": "runbooks/g.md#page",
        },
    }
    return {
        "interval": "1m",
        "input_series": _series(stories),
        "alert_rule_test": [{"eval_time": f"{at}m", "alertname": "SLOBurnRatePage", "exp_alerts": [page]}],
    }


def one_failure_on_an_idle_handler() -> dict[str, Any]:
    """/h9 serves nothing, then one request that fails: a 100% error ratio on both windows of the
    1h/5m pair (the control), held back by the per-handler guard: nobody is paged."""
    end = HEALTHY + 60
    idle = Scenario().add(HEALTHY, 0, 0).add(1, 1, 1.0).add(end - HEALTHY, 0, 0)
    stories = _with({"/h9": idle}, end + 1)
    both = (
        'count(slo:burn_rate:ratio_rate1h{slo="g",handler="/h9"} > 14.4'
        ' and slo:burn_rate:ratio_rate5m{slo="g",handler="/h9"} > 14.4)'
    )
    return {
        "interval": "1m",
        "input_series": _series(stories),
        "promql_expr_test": [
            {"expr": both, "eval_time": f"{HEALTHY + 2}m", "exp_samples": [{"labels": "{}", "value": 1}]},
            {
                "expr": f'count_over_time(ALERTS{{alertname="SLOBurnRatePage",slo="g"}}[{end}m])',
                "eval_time": f"{end}m",
                "exp_samples": [],
            },
        ],
        "alert_rule_test": [
            {"eval_time": f"{t}m", "alertname": "SLOBurnRatePage", "exp_alerts": []}
            for t in (HEALTHY + 3, HEALTHY + 10)
        ],
    }


def handlers_that_stop(recorded: list[str]) -> dict[str, Any]:
    """/h3 and /h4 fail for 20 minutes (both page), then /h3's series vanish and /h4 gets no more
    requests. No recorded series of any handler is ever NaN, and their alerts end: pages once the
    short windows are clean, tickets once the 6h window has passed. /h3's series go with it."""
    outage_end = HEALTHY + 20
    end = outage_end + 6 * 60 + 30
    vanishing = _healthy(HEALTHY).add(20, PER_MINUTE, 1.0).add(end - outage_end + 1, 0, 0, present=False)
    quiet = _healthy(HEALTHY).add(20, PER_MINUTE, 1.0).add(end - outage_end + 1, 0, 0)
    stories = _with({"/h3": vanishing, "/h4": quiet}, end + 1)
    checks: list[dict[str, Any]] = [
        {
            "expr": 'count by (handler) (ALERTS{alertname="SLOBurnRatePage",alertstate="firing",slo="g"})',
            "eval_time": f"{outage_end}m",
            "exp_samples": [{"labels": '{handler="/h3"}', "value": 2}, {"labels": '{handler="/h4"}', "value": 2}],
        },
        {
            "expr": 'ALERTS{alertname="SLOBurnRatePage",slo="g"}',
            "eval_time": f"{outage_end + 60}m",
            "exp_samples": [],
        },
        {"expr": 'ALERTS{slo="g"}', "eval_time": f"{end}m", "exp_samples": []},
        # A vanished handler's short windows go; its 6h window still holds its outage, as a number.
        {"expr": 'slo:sli_total:rate5m{handler="/h3"}', "eval_time": f"{outage_end + 10}m", "exp_samples": []},
        {
            "expr": 'count(slo:sli_error:ratio_rate6h{handler="/h3"} > 0)',
            "eval_time": f"{outage_end + 60}m",
            "exp_samples": [{"labels": "{}", "value": 1}],
        },
    ]
    for minute in (outage_end + 3, outage_end + 10, outage_end + 40, outage_end + 6 * 60 + 10, end):
        for name in recorded:
            checks.append(
                {"expr": f'{name}{{slo="g"}} != {name}{{slo="g"}}', "eval_time": f"{minute}m", "exp_samples": []}
            )
    return {"interval": "1m", "input_series": _series(stories), "promql_expr_test": checks}


@pytest.fixture(scope="module")
def rule_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = generate(tmp_path_factory.mktemp("grouped"), SPEC)
    assert result.exit_code == 0, result.output
    return result.out / "alarms/prometheus/t.rules.yaml"


def _run(rule_file: Path, tmp_path: Path, test: dict[str, Any]) -> None:
    suite = {"rule_files": [str(rule_file)], "evaluation_interval": "1m", "tests": [test]}
    path = tmp_path / "grouped.test.yaml"
    path.write_text(yaml.safe_dump(suite, sort_keys=False))
    proc = subprocess.run(["promtool", "test", "rules", str(path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-6000:]


def test_an_outage_of_one_handler_pages_for_that_handler_only(rule_file: Path, tmp_path: Path) -> None:
    _run(rule_file, tmp_path, outage_of_one_handler())


def test_the_page_names_its_handler(rule_file: Path, tmp_path: Path) -> None:
    _run(rule_file, tmp_path, budget_2pct_on_one_handler())


def test_one_failure_on_an_idle_handler_pages_nobody(rule_file: Path, tmp_path: Path) -> None:
    _run(rule_file, tmp_path, one_failure_on_an_idle_handler())


def test_a_handler_that_stops_leaves_no_nan_and_no_stuck_alert(rule_file: Path, tmp_path: Path) -> None:
    doc = yaml.safe_load(rule_file.read_text())
    recorded = sorted({r["record"] for g in doc["groups"] for r in g["rules"] if "record" in r})
    assert "slo:sli_error:ratio_rate30d" in recorded
    _run(rule_file, tmp_path, handlers_that_stop(recorded))
