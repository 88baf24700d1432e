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


NATIVE_SPEC = """
metadata: {name: rpc-latency, service: rpc}
spec:
  description: d
  objective: 99
  indicator:
    latency:
      threshold: 370ms
      prometheus:
        histogram: rpc_seconds{job="rpc"}
        native: true
"""


def test_native_histogram_runbook_reads_the_native_series(tmp_path: Path) -> None:
    # A native histogram has no _bucket series and no le label: the buckets are in each sample.
    runbook = generate(tmp_path, NATIVE_SPEC).text("runbooks/rpc-latency.md")
    assert 'histogram_quantile(0.99, sum(rate(rpc_seconds{job="rpc"}[5m])))' in runbook
    # The error ratio is the share above the threshold, straight from the histogram.
    assert 'histogram_fraction(0.37, +Inf, sum(rate(rpc_seconds{job="rpc"}[1h])))' in runbook
    assert 'absent(rpc_seconds{job="rpc"})' in runbook
    assert "rpc_seconds_bucket" not in runbook and "rpc_seconds_count" not in runbook
