"""Issue 14.9: the runbook's latency query reads the quantile the SLO promises, not a fixed p95."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.spec_table import generate

SPEC = """
metadata: {{name: checkout-latency, service: checkout}}
spec:
  description: d
  objective: {objective}
  indicator:
    latency:
      threshold: 500ms
      prometheus:
        histogram: http_request_duration_seconds{{job="checkout"}}
        buckets: [0.1, 0.5, 1]
"""


@pytest.mark.parametrize(
    ("objective", "quantile", "title"), [(99, "0.99", "p99"), (99.9, "0.999", "p99.9"), (95, "0.95", "p95")]
)
def test_latency_query_uses_the_objective_as_quantile(
    tmp_path: Path, objective: float, quantile: str, title: str
) -> None:
    runbook = generate(tmp_path, SPEC.format(objective=objective)).text("runbooks/checkout-latency.md")
    assert (
        f"histogram_quantile({quantile}, sum by (le) "
        '(rate(http_request_duration_seconds_bucket{job="checkout"}[5m])))' in runbook
    )
    assert f"{title} latency over 5m (compare with the threshold, 500ms)" in runbook
    if quantile != "0.95":
        assert "0.95" not in runbook and "p95" not in runbook
