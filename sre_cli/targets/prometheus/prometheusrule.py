"""PrometheusRule manifests (monitoring.coreos.com/v1) carrying the same groups as the rule files.

For prometheus-operator (kube-prometheus-stack on EKS): one manifest per service under
`alarms/prometheus/kubernetes/`. The `release` label matches kube-prometheus-stack's default
`ruleSelector`; change NAMESPACE/RELEASE here if the stack is installed under other names.
"""

from __future__ import annotations

from typing import Any

from sre_cli.slospec.model import SpecSet
from sre_cli.targets.prometheus import rules, yamltext

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


def manifest_yaml(service: str, service_rules: rules.ServiceRules) -> str:
    if service_rules.groups_text is None:
        return rules.dump_yaml(manifest(service, rules.rule_groups(service_rules.slos)))
    # `spec` is the manifest's last key: its text follows the rest, the groups two columns in,
    # exactly where the rule file's groups sit under `spec:`.
    head = {key: value for key, value in manifest(service, {}).items() if key != "spec"}
    return rules.dump_yaml(head) + "spec:\n  groups:\n" + yamltext.indent(service_rules.groups_text, 2)


def render(specs: SpecSet) -> dict[str, str]:
    return {
        manifest_path(service): manifest_yaml(service, service_rules)
        for service, service_rules in rules.service_rules(specs).items()
    }


def _target() -> Any:
    from sre_cli.generate import Target

    return Target("prometheusrule", (f"{MANIFEST_DIR}/*.prometheusrule.yaml",), render)


TARGET = _target()
