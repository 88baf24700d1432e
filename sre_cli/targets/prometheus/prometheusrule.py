"""PrometheusRule manifests (monitoring.coreos.com/v1) carrying the same groups as the rule files.

Written by the rule-file target (`rules.render`), from the same build of each service's groups.

For prometheus-operator (kube-prometheus-stack on EKS): one manifest per service under
`alarms/prometheus/kubernetes/`. The `release` label matches kube-prometheus-stack's default
`ruleSelector`; change NAMESPACE/RELEASE here if the stack is installed under other names.
"""

from __future__ import annotations

from typing import Any

from sre_cli.targets import yamltext

MANIFEST_DIR = "alarms/prometheus/kubernetes"  # next to the rule files (rules.RULES_DIR)
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


def manifest_yaml(service: str, groups: dict[str, Any]) -> str:
    return yamltext.dump(manifest(service, groups))
