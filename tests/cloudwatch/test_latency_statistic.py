"""Issue 14.9: the `statistic` of a CloudWatch latency metric is respected or refused, never replaced.

A latency SLI counts requests within the threshold, which CloudWatch reads as the percentile rank
`PR(:t)` over `SampleCount`. Without a statistic, t is the threshold in seconds; a metric in another
unit (milliseconds) writes its own `PR(:300)`, which every query then uses. A statistic that cannot
count requests within a threshold (p99, Average, Sum) is refused at its line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.spec_table import generate

TARGETS = """
notificationTargets:
  page: {alertmanagerReceiver: pager, snsTopicArn: "arn:aws:sns:us-east-1:111122223333:page"}
  ticket: {alertmanagerReceiver: tickets, snsTopicArn: "arn:aws:sns:us-east-1:111122223333:ticket"}
"""
SPEC = """
metadata: {{name: lat, service: t}}
spec:
  description: d
  objective: 99
  indicator:
    latency:
      threshold: 300ms
      cloudwatch:
        metric: {{namespace: Custom/App, metricName: LatencyMs{statistic}}}
"""


def _stats(root: Path, statistic: str) -> set[str]:
    """Every statistic the alarms, dashboards and runbook read of the latency metric."""
    result = generate(root, SPEC.format(statistic=statistic), TARGETS)
    alarms = result.json("alarms/cloudwatch/t.json")["metric_alarms"]
    found = {q["MetricStat"]["Stat"] for a in alarms.values() for q in a["Metrics"] if "MetricStat" in q}
    board = json.loads(result.json("dashboards/cloudwatch/t.json")["DashboardBody"])
    found |= {
        row[-1]["stat"] for w in board["widgets"] for row in w["properties"].get("metrics", []) if "stat" in row[-1]
    }
    runbook = result.text("runbooks/lat.md")
    assert "PR(:0.3)" not in runbook if statistic else "PR(:0.3)" in runbook
    return found


def test_without_a_statistic_the_rank_is_the_threshold_in_seconds(tmp_path: Path) -> None:
    assert _stats(tmp_path, "") == {"PR(:0.3)", "SampleCount"}


def test_a_written_percentile_rank_is_used_everywhere(tmp_path: Path) -> None:
    assert _stats(tmp_path, ", statistic: 'PR(:300)'") == {"PR(:300)", "SampleCount"}


@pytest.mark.parametrize("statistic", ["p99", "Average", "Sum", "PR(10:300)", "PR(:300%)"])
def test_a_statistic_that_cannot_count_requests_within_the_threshold_is_refused(tmp_path: Path, statistic: str) -> None:
    result = generate(tmp_path, SPEC.format(statistic=f", statistic: '{statistic}'"), TARGETS)
    assert result.exit_code == 2, result.output
    assert (
        f"case.yaml:11:75: spec.indicator.latency.cloudwatch.metric.statistic: {statistic!r} cannot count "
        "requests within the latency threshold" in result.output
    )
