"""promtool proves that SLOs with an `expression` or an `errorRatio` source page on an outage and
stay quiet while healthy: the generated rules (`sre generate`, for shortened to 0s) run by the real
`promtool test rules` over counters that go from healthy to all errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.rule_files import override_for
from tests.support.spec_table import generate

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")

SPECS = """
metadata: {name: ex, service: t}
spec:
  description: expression source, no plain sum of selectors
  objective: 99.9
  indicator:
    ratio:
      prometheus:
        expression:
          bad: >-
            sum(rate(req_total{code=~"5.."}[{{.window}}]))
            - (sum(rate(req_total{code="503"}[{{.window}}])) or vector(0))
          total: sum(rate(req_total[{{.window}}]))
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: er, service: t}
spec:
  description: errorRatio source
  objective: 99.9
  indicator:
    ratio:
      prometheus:
        errorRatio: sum(rate(req_total{code=~"5.."}[{{.window}}])) / sum(rate(req_total[{{.window}}]))
"""
HEALTHY = 480  # minutes of healthy traffic before the outage: every alert window starts healthy
OUTAGE = 30  # minutes of nothing but errors
PER_MINUTE = 1000


def _counter(per_minute_healthy: int, per_minute_outage: int) -> str:
    """promtool series notation: a counter growing by one rate, then another."""
    return f"0+{per_minute_healthy}x{HEALTHY} {HEALTHY * per_minute_healthy}+{per_minute_outage}x{OUTAGE}"


def _firing(slo: str, alert: str, long_window: str) -> str:
    return f'count(ALERTS{{alertname="{alert}",alertstate="firing",slo="{slo}",long_window="{long_window}"}})'


def _suite(rule_file: Path) -> dict[str, Any]:
    # One error in a thousand while healthy: on budget (99.9%), far from any burn threshold.
    series = [
        {"series": 'req_total{code="200"}', "values": _counter(PER_MINUTE - 1, 0)},
        {"series": 'req_total{code="500"}', "values": _counter(1, PER_MINUTE)},
    ]
    before, during = f"{HEALTHY - 1}m", f"{HEALTHY + 10}m"
    checks = []
    for slo in ("ex", "er"):
        checks += [
            {"expr": _firing(slo, "SLOBurnRatePage", "1h"), "eval_time": before, "exp_samples": []},
            {"expr": _firing(slo, "SLOBurnRatePage", "1h"), "eval_time": during, "exp_samples": [{"value": 1}]},
            # 100% errors over the last 5m: the recorded 5m error ratio is exact for both sources.
            {
                "expr": f'slo:sli_error:ratio_rate5m{{slo="{slo}"}}',
                "eval_time": during,
                "exp_samples": [{"labels": f'slo:sli_error:ratio_rate5m{{service="t",slo="{slo}"}}', "value": 1}],
            },
        ]
    return {
        "rule_files": [str(rule_file)],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": checks}],
    }


def test_expression_and_error_ratio_sources_page_on_an_outage(tmp_path: Path) -> None:
    result = generate(tmp_path, SPECS)
    assert result.exit_code == 0, result.output
    rules = tmp_path / "fast.rules.yaml"
    rules.write_text(yaml.safe_dump(override_for(result.yaml("alarms/prometheus/t.rules.yaml"), "0s")))
    suite = tmp_path / "suite.yaml"
    suite.write_text(yaml.safe_dump(_suite(rules)))
    proc = subprocess.run(["promtool", "test", "rules", str(suite)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
