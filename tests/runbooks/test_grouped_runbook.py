"""A grouped SLO's runbook: its worst groups first (`topk` over the recorded burn rate, pasted from
the rendered Markdown and evaluated by promtool on the generated rules), and what its groups cost."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.spec_table import Generated, generate

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")

SPEC = """
metadata: {name: g, service: t}
spec:
  description: d
  objective: 99.9
  indicator:
    groupBy: [handler]
    maxGroups: 20
    ratio:
      prometheus:
        bad: req_total{code="5xx"}
        total: req_total
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    result = generate(tmp_path_factory.mktemp("grouped-runbook"), SPEC)
    assert result.exit_code == 0, result.output
    return result


def _section(markdown: str) -> str:
    match = re.search(r"^### Worst groups first\n(.*?)^### ", markdown, re.S | re.M)
    assert match, "no worst-groups section"
    return match.group(1)


def test_the_topk_query_lists_the_ten_fastest_burning_handlers(generated: Generated, tmp_path: Path) -> None:
    section = _section(generated.text("runbooks/g.md"))
    query = re.search(r"^- 1h:\n\n  ```promql\n  (.*?)\n  ```", section, re.M)
    assert query, section
    # Twelve handlers, handler i failing i requests in a thousand: burn rate i (budget 0.1%).
    series = []
    for i in range(12):
        series.append({"series": f'req_total{{handler="/h{i}",code="2xx"}}', "values": f"0+{1000 - i}x90"})
        series.append({"series": f'req_total{{handler="/h{i}",code="5xx"}}', "values": f"0+{i}x90"})
    expected = [{"labels": f'{{handler="/h{i}",service="t",slo="g"}}', "value": i} for i in range(2, 12)]
    suite = {
        "rule_files": [str(generated.out / "alarms/prometheus/t.rules.yaml")],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                # round() keeps the pasted query itself untouched inside; the two best handlers are left out.
                "promql_expr_test": [
                    {"expr": f"round({query.group(1)}, 0.000001)", "eval_time": "80m", "exp_samples": expected}
                ],
            }
        ],
    }
    path = tmp_path / "worst.test.yaml"
    path.write_text(yaml.safe_dump(suite, sort_keys=False))
    proc = subprocess.run(["promtool", "test", "rules", str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]


def test_the_runbook_says_what_the_groups_cost(generated: Generated) -> None:
    section = " ".join(_section(generated.text("runbooks/g.md")).split())
    # 29 recorded series per group: 2 base rates, 8 windows x (events, ratio, burn rate), budget left,
    # and the rollup group's 2 blocks of the base rates.
    assert (
        "every group records its own series (29 per group, a few per window), so series = groups x windows: "
        "580 at maxGroups (20), and up to 4 burn-rate alerts per group." in section
    )
    assert 'bottomk(10, slo:error_budget_remaining:ratio{slo="g"})' in section


def test_an_ungrouped_runbook_has_no_group_section(tmp_path: Path) -> None:
    result = generate(tmp_path, SPEC.replace("    groupBy: [handler]\n", ""))
    assert "Worst groups first" not in result.text("runbooks/g.md")
