"""PrometheusRule manifests (monitoring.coreos.com/v1) carrying the same groups as the rule files.

For prometheus-operator (kube-prometheus-stack on EKS): one manifest per service under
`alarms/prometheus/kubernetes/`. The `release` label matches kube-prometheus-stack's default
`ruleSelector`; change NAMESPACE/RELEASE here if the stack is installed under other names.
"""

from __future__ import annotations

from typing import Any

from sre_cli.spec import SpecSet
from sre_cli.targets.prometheus import rules

MANIFEST_DIR = f"{rules.RULES_DIR}/kubernetes"
NAMESPACE = "monitoring"
RELEASE = "kube-prometheus-stack"


def manifest_path(service: str) -> str:
    return f"{MANIFEST_DIR}/{service}-slo.prometheusrule.yaml"


def manifest(service: str, groups: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": f"slo-{service}",
            "namespace": NAMESPACE,
            "labels": {
                "app.kubernetes.io/managed-by": "sre-generate",
                "app.kubernetes.io/part-of": "slo",
                "release": RELEASE,
            },
        },
        "spec": groups,
    }


def render(specs: SpecSet) -> dict[str, str]:
    return {
        manifest_path(service): rules.dump_yaml(manifest(service, rules.rule_groups(slos)))
        for service, slos in rules.prometheus_slos(specs).items()
    }


def _target() -> Any:
    from sre_cli.generate import Target

    return Target("prometheusrule", (f"{MANIFEST_DIR}/*.prometheusrule.yaml",), render)


TARGET = _target()
