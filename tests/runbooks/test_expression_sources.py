"""Runbooks of expression and errorRatio SLOs: the SLI said in words, and the queries on-call pastes
are the spec's PromQL with the window put in, evaluated by the real promtool on known series."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.spec_table import generate

SPECS = """
metadata: {name: ex, service: t}
spec:
  description: expression source
  objective: 99
  indicator:
    ratio:
      prometheus:
        expression:
          bad: sum(rate(req_total{code="500"}[{{.window}}])) * 1
          total: sum(rate(req_total[{{.window}}]))
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: er, service: t}
spec:
  description: errorRatio source
  objective: 99
  indicator:
    ratio:
      prometheus:
        errorRatio: sum(rate(req_total{code="500"}[{{.window}}])) / sum(rate(req_total[{{.window}}]))
"""


def _burn_rate_query(runbook: str, window: str) -> str:
    """The 'burn rate now' query of one window, as printed (the list item `- <window>:`)."""
    match = re.search(rf"^- {window}:\n\n  ```promql\n(.*?)\n  ```", runbook, re.S | re.M)
    assert match, runbook
    return match.group(1)


@pytest.fixture(scope="module")
def runbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    result = generate(tmp_path_factory.mktemp("rb"), SPECS)
    assert result.exit_code == 0, result.output
    return {name: result.text(f"runbooks/{name}.md") for name in ("ex", "er")}


def test_the_sli_is_said_with_its_promql(runbooks: dict[str, str]) -> None:
    assert 'bad events per second `sum(rate(req_total{code="500"}[{{.window}}])) * 1`' in runbooks["ex"]
    assert "approximate: average of ratios" in runbooks["er"]
    assert "approximate" not in runbooks["ex"]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
def test_burn_rate_queries_evaluate_on_known_series(runbooks: dict[str, str], tmp_path: Path) -> None:
    # 2% errors over the last hour at a 1% budget: burn rate 2, from both sources.
    series = [
        {"series": 'req_total{code="200"}', "values": "0+98x70"},
        {"series": 'req_total{code="500"}', "values": "0+2x70"},
    ]
    checks = [
        {"expr": _burn_rate_query(runbooks[name], "1h"), "eval_time": "65m", "exp_samples": [{"value": 2}]}
        for name in ("ex", "er")
    ]
    rules = tmp_path / "empty.rules.yaml"
    rules.write_text("groups: []\n")
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        yaml.safe_dump(
            {
                "rule_files": [str(rules)],
                "evaluation_interval": "1m",
                "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": checks}],
            }
        )
    )
    proc = subprocess.run(["promtool", "test", "rules", str(suite)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
