"""Grouped SLOs on the Grafana service dashboard: a variable per group label, panels filtered by it.

Locators as in test_table_grafana (its `locate`), plus `<file> variables`: every template variable
as (name, query, multi, includeAll, allValue), and `<file> legend <title> <refId>`: a target's legend.
Expected text is written out by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.dashboards.test_table_grafana import OVERVIEW, SERVICE, _panel, locate
from tests.support.spec_table import SPEC_HEADER, Case, Generated, generate_table, params

TWO_BY_HANDLER_ONE_BY_QUEUE = f"""
metadata: {{name: a, service: t}}
spec:
  description: d
  objective: 99.9
  indicator:
    groupBy: [handler]
    ratio:
      prometheus:
        bad: req_total{{code="5xx"}}
        total: req_total
---
{SPEC_HEADER}metadata: {{name: b, service: t}}
spec:
  description: d
  objective: 99
  indicator:
    groupBy: [handler, method]
    latency:
      threshold: 1s
      prometheus:
        histogram: req_seconds
        buckets: [1]
---
{SPEC_HEADER}metadata: {{name: q, service: t}}
spec:
  description: d
  objective: 99
  indicator:
    groupBy: [queue]
    threshold:
      slice: 1m
      operator: "<="
      value: 300
      prometheus:
        gauge: max by (queue) (age_seconds)
"""

ALL = {"multi": True, "includeAll": True, "allValue": ".*"}

CASES = [
    Case(
        "a-variable-per-group-label",
        TWO_BY_HANDLER_ONE_BY_QUEUE,
        {
            # handler is shared by a and b: one variable over both SLOs' series.
            f"{SERVICE} variables": [
                ("datasource", "prometheus", False, False, None),
                ("handler", 'label_values(slo:error_budget_remaining:ratio{slo=~"a|b"}, handler)', *ALL.values()),
                ("method", 'label_values(slo:error_budget_remaining:ratio{slo="b"}, method)', *ALL.values()),
                ("queue", 'label_values(slo:error_budget_remaining:ratio{slo="q"}, queue)', *ALL.values()),
            ],
            f"{SERVICE} panel a: SLI vs objective 99.9% A": (
                '1 - slo:sli_error:ratio_rate1h{slo="a",handler=~"${handler:regex}"}'
            ),
            f"{SERVICE} legend a: SLI vs objective 99.9% A": "SLI 1h {{handler}}",
            f"{SERVICE} panel b: error budget left (30d) A": (
                'slo:error_budget_remaining:ratio{slo="b",handler=~"${handler:regex}",method=~"${method:regex}"}'
            ),
            f"{SERVICE} legend b: error budget left (30d) A": "budget left {{handler}} {{method}}",
            f"{SERVICE} panel q: bad slice (1 = bad) A": 'slo:sli_slice:bad{slo="q",queue=~"${queue:regex}"}',
            f"{SERVICE} panel a: burn rate per window (lines: tier thresholds) A": (
                'slo:burn_rate:ratio_rate5m{slo="a",handler=~"${handler:regex}"}'
            ),
            f"{SERVICE} panel a: events per second (5m) B": 'slo:sli_bad:rate5m{slo="a",handler=~"${handler:regex}"}',
            # Per group; the window's end is the SLO's (its objective has no group labels).
            f"{SERVICE} panel a: error budget burn-down over 30d A": (
                '1 - sum_over_time((slo:sli_error:ratio_rate1h{slo="a",handler=~"${handler:regex}"}'
                ' * slo:sli_events:count1h{slo="a",handler=~"${handler:regex}"}'
                ' and on() (vector(time()) > scalar(timestamp(slo:objective:ratio{slo="a"} @ end())) - 2592000))'
                '[30d:1h]) / (slo:sli_events:count30d{slo="a",handler=~"${handler:regex}"} @ end() * 0.001 > 0)'
            ),
            f"{OVERVIEW} overview budget_left": "min by (service, slo) (slo:error_budget_remaining:ratio)",
        },
    ),
]


def _variables(board: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (v["name"], v.get("query"), v.get("multi"), v.get("includeAll"), v.get("allValue"))
        for v in board["templating"]["list"]
    ]


def _locate(result: Generated, key: str) -> Any:
    path, kind, rest = key.split(" ", 2) if key.count(" ") >= 2 else (*key.split(" ", 1), "")
    if kind == "variables":
        return _variables(result.json(path))
    if kind == "legend":
        title, _, ref = rest.rpartition(" ")
        [target] = [t for t in _panel(result.json(path), title)["targets"] if t["refId"] == ref]
        return target["legendFormat"]
    return locate(result, key)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    return generate_table(tmp_path_factory.mktemp("grafana-grouped"), CASES)


@pytest.mark.parametrize("case", params(CASES))
def test_grouped_panels(case: Case, generated: dict[str, Generated]) -> None:
    result = generated[case.id]
    assert result.exit_code == 0, result.output
    actual = {key: _locate(result, key) for key in case.expect}
    assert actual == case.expect
