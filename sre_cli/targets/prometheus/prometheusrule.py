"""PrometheusRule manifests (monitoring.coreos.com/v1) carrying the same groups as the rule files.

Written by the rule-file target (`rules.render`), from the same build of each service's groups.

For prometheus-operator (kube-prometheus-stack on EKS): one manifest per service under
`alarms/prometheus/kubernetes/`. Namespace and selector labels come from defaults.yaml
(`prometheusRule: {namespace, labels}`); the defaults, `monitoring` and `release:
kube-prometheus-stack`, match kube-prometheus-stack's default `ruleSelector`.
"""

from __future__ import annotations

from typing import Any

from sre_cli.slospec.document import PrometheusRuleSettings
from sre_cli.targets import yamltext

MANIFEST_DIR = "alarms/prometheus/kubernetes"  # next to the rule files (rules.RULES_DIR)
MANAGED_LABELS = {"app.kubernetes.io/managed-by": "sre-generate", "app.kubernetes.io/part-of": "slo"}


def manifest_path(service: str) -> str:
    return f"{MANIFEST_DIR}/{service}-slo.prometheusrule.yaml"


def manifest(service: str, groups: dict[str, Any], settings: PrometheusRuleSettings | None = None) -> dict[str, Any]:
    settings = settings or PrometheusRuleSettings()
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": f"slo-{service}",
            "namespace": settings.namespace,
            "labels": dict(sorted({**settings.labels, **MANAGED_LABELS}.items())),
        },
        "spec": groups,
    }


def manifest_yaml(service: str, groups: dict[str, Any], settings: PrometheusRuleSettings | None = None) -> str:
    return yamltext.dump(manifest(service, groups, settings))
