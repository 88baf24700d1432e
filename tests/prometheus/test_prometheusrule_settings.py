"""Issue 14.9: the PrometheusRule manifests' namespace and selector labels come from defaults.yaml.

kube-prometheus-stack picks rules by its `ruleSelector` (by default the Helm release's name) and
may live in any namespace: `prometheusRule: {namespace, labels}` says where and how.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.spec_table import generate

SPEC = """
metadata: {name: avail, service: checkout}
spec:
  description: d
  objective: 99.5
  indicator:
    ratio:
      prometheus: {bad: 'http_requests_total{code=~"5.."}', total: http_requests_total}
"""
MANIFEST = "alarms/prometheus/kubernetes/checkout-slo.prometheusrule.yaml"
MANAGED = {"app.kubernetes.io/managed-by": "sre-generate", "app.kubernetes.io/part-of": "slo"}


def test_without_settings_the_manifest_suits_a_default_kube_prometheus_stack(tmp_path: Path) -> None:
    metadata = generate(tmp_path, SPEC).yaml(MANIFEST)["metadata"]
    assert (metadata["namespace"], metadata["labels"]) == (
        "monitoring",
        {**MANAGED, "release": "kube-prometheus-stack"},
    )


def test_namespace_and_labels_are_set_in_defaults(tmp_path: Path) -> None:
    defaults = "prometheusRule:\n  namespace: observability\n  labels: {release: prom, prometheus.io/rules: slo}\n"
    metadata = generate(tmp_path, SPEC, defaults).yaml(MANIFEST)["metadata"]
    assert metadata["namespace"] == "observability"
    assert metadata["labels"] == {**MANAGED, "release": "prom", "prometheus.io/rules": "slo"}


@pytest.mark.parametrize(
    ("defaults", "expected"),
    [
        (
            "prometheusRule: {namespace: Observability}",
            "defaults.yaml:1:29: prometheusRule.namespace: must be a lowercase DNS label",
        ),
        (
            "prometheusRule: {labels: {release: 'a b'}}",
            "defaults.yaml:1:36: prometheusRule.labels.release: must be a Kubernetes label value",
        ),
        (
            "prometheusRule: {labels: {'-x': a}}",
            "defaults.yaml:1:27: prometheusRule.labels.-x: must be a Kubernetes label key",
        ),
    ],
)
def test_settings_kubernetes_would_refuse_are_refused(tmp_path: Path, defaults: str, expected: str) -> None:
    result = generate(tmp_path, SPEC, defaults)
    assert result.exit_code == 2, result.output
    assert expected in result.output
