"""`sre export openslo` is valid OpenSLO v1, and importing it back gives the same generated rules and alarms."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SRE = str(Path(sys.executable).parent / "sre")
SCHEMA = json.loads((Path(__file__).parent / "openslo-v1.schema.json").read_text())
# Compared byte for byte; runbooks and dashboards carry hand-written parts and spec paths.
GENERATED = ("alarms/prometheus", "alarms/cloudwatch")


def _sre(*args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([SRE, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode in ok, proc.stdout + proc.stderr
    return proc


def _export_valid(specs: Path, out: Path) -> list[dict]:
    """`sre export openslo` of `specs` into `out`: every document it wrote, each valid OpenSLO v1."""
    _sre("export", "openslo", "--specs", str(specs), "--out", str(out))
    docs = [d for f in sorted(out.glob("*.yaml")) for d in yaml.safe_load_all(f.read_text())]
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for doc in docs:
        assert not [e.message for e in validator.iter_errors(doc)], doc
    return docs


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("openslo")
    _sre("export", "openslo", "--specs", str(REPO / "slo"), "--out", str(out))
    return out


def test_export_is_valid_openslo_v1(exported: Path) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    kinds = set()
    for f in sorted(exported.glob("*.yaml")):
        for doc in yaml.safe_load_all(f.read_text()):
            errors = [e.message for e in validator.iter_errors(doc)]
            assert not errors, (f.name, doc["metadata"]["name"], errors)
            kinds.add(doc["kind"])
    assert kinds == {"Service", "SLO", "SLI", "AlertPolicy", "AlertNotificationTarget"}


def test_schema_rejects_what_openslo_forbids() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    slo = {
        "apiVersion": "openslo/v1",
        "kind": "SLO",
        "metadata": {"name": "a"},
        "spec": {"service": "s", "budgetingMethod": "Occurrences", "objectives": [{"target": 0.99}]},
    }
    assert validator.is_valid(slo)
    for broken in (
        {**slo, "apiVersion": "openslo/v2"},
        {**slo, "spec": {**slo["spec"], "budgetingMethod": "Sometimes"}},
        {**slo, "spec": {**slo["spec"], "objectives": [{"target": 1.5}]}},
        {**slo, "spec": {**slo["spec"], "timeWindow": [{"duration": "30s", "isRolling": True}]}},
        {**slo, "metadata": {"name": "Not_A_Label"}},
    ):
        assert not validator.is_valid(broken), broken


def test_every_stack_slo_is_exported(exported: Path) -> None:
    names = {d["metadata"]["name"] for f in exported.glob("*.yaml") for d in yaml.safe_load_all(f.read_text())}
    stack = {
        d["metadata"]["name"]
        for f in (REPO / "slo").glob("*.yaml")
        for d in yaml.safe_load_all(f.read_text())
        if d and d.get("kind") == "SLO"
    }
    assert stack and stack <= names


def test_import_of_the_export_generates_identical_rules_and_alarms(exported: Path, tmp_path: Path) -> None:
    imported = tmp_path / "repo" / "slo"
    imported.mkdir(parents=True)
    shutil.copy(REPO / "slo" / "defaults.yaml", imported / "defaults.yaml")
    proc = _sre("import", "openslo", str(exported), "--out", str(imported))
    assert " 0 approximated, 0 not mapped" in proc.stdout, proc.stdout
    original, again = tmp_path / "original", tmp_path / "again"
    _sre("generate", "--specs", str(REPO / "slo"), "--out", str(original))
    _sre("generate", "--specs", str(imported), "--out", str(again))
    compared = 0
    for sub in GENERATED:
        files = sorted(p.relative_to(original) for p in (original / sub).rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(again) for p in (again / sub).rglob("*") if p.is_file())
        for rel in files:
            assert (original / rel).read_bytes() == (again / rel).read_bytes(), rel
            compared += 1
    assert compared >= 8


TEMPLATED = """
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: ex, service: t}
spec:
  description: expression source
  objective: 99.9
  indicator:
    ratio:
      prometheus:
        expression:
          good: sum(rate(ok_total[{{.window}}]))
          total: sum(rate(all_total[{{.window}}])) * 1
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: er, service: t}
spec:
  description: errorRatio source
  objective: 99
  indicator:
    ratio:
      prometheus:
        errorRatio: sum(rate(err_total[{{.window}}])) / sum(rate(all_total[{{.window}}]))
"""


def test_expression_and_error_ratio_sources_round_trip(tmp_path: Path) -> None:
    """Expression -> ratioMetric good/total queries, errorRatio -> ratioMetric.raw (failure), both
    keeping `{{.window}}`; imported back they generate the same rules (even a selector-sum expression
    stays an expression, by its annotation)."""
    specs = tmp_path / "slo"
    specs.mkdir()
    (specs / "t.yaml").write_text(TEMPLATED)
    out = tmp_path / "openslo"
    slis = {
        doc["metadata"]["name"]: doc["spec"]["indicator"]["spec"]["ratioMetric"]
        for doc in _export_valid(specs, out)
        if doc["kind"] == "SLO"
    }
    assert slis["er"] == {
        "counter": False,
        "rawType": "failure",
        "raw": {
            "metricSource": {
                "type": "Prometheus",
                "spec": {"query": "sum(rate(err_total[{{.window}}])) / sum(rate(all_total[{{.window}}]))"},
            }
        },
    }
    assert slis["ex"]["good"]["metricSource"]["spec"]["query"] == "sum(rate(ok_total[{{.window}}]))"
    imported = tmp_path / "back"
    proc = _sre("import", "openslo", str(out), "--out", str(imported), ok=(1,))  # errorRatio is approximated
    assert "approximate: average of ratios" in proc.stdout
    generated = {}
    for name, where in (("spec", specs), ("import", imported)):
        _sre("generate", "--specs", str(where), "--out", str(tmp_path / f"gen-{name}"))
        generated[name] = (tmp_path / f"gen-{name}" / "alarms/prometheus/t.rules.yaml").read_text().split("\n", 1)[1]
    assert generated["import"] == generated["spec"]


NATIVE_SPEC = """\
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: rpc-fast, service: rpc}
spec:
  description: RPCs within 370ms
  objective: 99.5
  indicator:
    latency:
      threshold: 370ms
      prometheus: {histogram: 'rpc_seconds{job="rpc"}', native: true}
"""


def test_native_histogram_exports_counter_queries_and_comes_back(tmp_path: Path) -> None:
    # OpenSLO has no native histograms: the export says the SLI as counter queries over the native
    # series (histogram_count, histogram_fraction x count) and names the histogram in an annotation.
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "rpc.yaml").write_text(NATIVE_SPEC)
    exported = tmp_path / "openslo"
    docs = _export_valid(specs, exported)
    text = yaml.safe_dump(docs)
    assert 'histogram_fraction(0.37, +Inf, rpc_seconds{job="rpc"}) * histogram_count(rpc_seconds{job="rpc"})' in text
    assert "sre.dev/native-histogram" in text

    imported = tmp_path / "again" / "slo"
    imported.mkdir(parents=True)
    proc = _sre("import", "openslo", str(exported), "--out", str(imported), ok=(0, 1))
    assert "native histogram: from sre.dev/native-histogram" in proc.stdout, proc.stdout
    spec = yaml.safe_load((imported / "rpc.yaml").read_text())
    assert spec["spec"]["indicator"]["latency"] == {
        "threshold": "370ms",
        "prometheus": {"histogram": 'rpc_seconds{job="rpc"}', "native": True},
    }
    original, again = tmp_path / "out1", tmp_path / "out2"
    _sre("generate", "--specs", str(specs), "--out", str(original))
    _sre("generate", "--specs", str(imported), "--out", str(again))
    rules = "alarms/prometheus/rpc.rules.yaml"
    assert (original / rules).read_text().split("\n", 1)[1] == (again / rules).read_text().split("\n", 1)[1]


GROUPED_SPECS = """\
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: checkout-errors, service: shop}
spec:
  description: Checkouts succeed, per route and region
  objective: 99.5
  indicator:
    groupBy: [route, region]
    maxGroups: 120
    ratio:
      prometheus:
        bad: ['checkout_total{code=~"5.."}', checkout_timeouts_total]
        total: checkout_total
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: checkout-fast, service: shop}
spec:
  description: Checkouts within 300ms, per route
  objective: 99
  indicator:
    groupBy: [route]
    latency:
      threshold: 300ms
      prometheus: {histogram: 'checkout_seconds{job="shop"}', buckets: [0.1, 0.3, 1]}
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: checkout-rpc-fast, service: shop}
spec:
  description: Payment RPCs within 370ms, per method
  objective: 99.5
  indicator:
    groupBy: [method]
    latency:
      threshold: 370ms
      prometheus: {histogram: 'rpc_seconds{job="pay"}', native: true}
"""


def test_grouped_slos_export_per_group_queries_and_come_back(tmp_path: Path) -> None:
    # OpenSLO has no grouping: the queries sum by the group labels (a peer tool evaluates them per
    # group) and sre.dev/group-by, sre.dev/max-groups say groupBy and maxGroups exactly.
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "shop.yaml").write_text(GROUPED_SPECS)
    exported = tmp_path / "openslo"
    docs = _export_valid(specs, exported)
    slos = {d["metadata"]["name"]: d for d in docs if d["kind"] == "SLO"}
    errors = slos["checkout-errors"]
    assert errors["metadata"]["annotations"]["sre.dev/group-by"] == "route,region"
    assert errors["metadata"]["annotations"]["sre.dev/max-groups"] == "120"
    queries = {
        r: m["metricSource"]["spec"]["query"]
        for r, m in errors["spec"]["indicator"]["spec"]["ratioMetric"].items()
        if r != "counter"
    }
    assert queries == {
        "bad": 'sum by (route, region) (checkout_total{code=~"5.."}) '
        "+ sum by (route, region) (checkout_timeouts_total)",
        "total": "sum by (route, region) (checkout_total)",
    }
    fast = slos["checkout-fast"]["spec"]["indicator"]["spec"]["ratioMetric"]
    assert fast["total"]["metricSource"]["spec"]["query"] == 'sum by (route) (checkout_seconds_count{job="shop"})'
    native = slos["checkout-rpc-fast"]["spec"]["indicator"]["spec"]["ratioMetric"]
    assert (
        native["total"]["metricSource"]["spec"]["query"] == 'histogram_count(sum by (method) (rpc_seconds{job="pay"}))'
    )

    imported = tmp_path / "again" / "slo"
    imported.mkdir(parents=True)
    proc = _sre("import", "openslo", str(exported), "--out", str(imported))
    assert " 0 approximated, 0 not mapped" in proc.stdout, proc.stdout
    again = {d["metadata"]["name"]: d for d in yaml.safe_load_all((imported / "shop.yaml").read_text())}
    assert again["checkout-errors"]["spec"]["indicator"]["groupBy"] == ["route", "region"]
    assert again["checkout-errors"]["spec"]["indicator"]["maxGroups"] == 120
    assert again["checkout-fast"]["spec"]["indicator"]["groupBy"] == ["route"]
    assert again["checkout-rpc-fast"]["spec"]["indicator"]["groupBy"] == ["method"]
    original, regenerated = tmp_path / "out1", tmp_path / "out2"
    _sre("generate", "--specs", str(specs), "--out", str(original))
    _sre("generate", "--specs", str(imported), "--out", str(regenerated))
    rules = "alarms/prometheus/shop.rules.yaml"
    first = (original / rules).read_text()
    assert "sum by (route, region) (rate(checkout_total[" in first  # the rules are grouped at all
    assert first.split("\n", 1)[1] == (regenerated / rules).read_text().split("\n", 1)[1]


GROUPED_CLOUDWATCH_DEFAULTS = """\
notificationTargets:
  page: {alertmanagerReceiver: page, snsTopicArn: "arn:aws:sns:us-east-1:123456789012:page"}
  ticket: {alertmanagerReceiver: ticket, snsTopicArn: "arn:aws:sns:us-east-1:123456789012:ticket"}
"""

GROUPED_CLOUDWATCH_SPECS = """\
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: cart-errors, service: cart}
spec:
  description: Cart requests succeed, per handler
  objective: 99.9
  indicator:
    groupBy: [handler]
    ratio:
      prometheus:
        bad: 'cart_requests_total{code=~"5.."}'
        total: cart_requests_total
      cloudwatch:
        groups:
          handler: {dimension: Handler, values: [/cart, /pay]}
        bad: [{namespace: Shop, metricName: Errors, dimensions: {Service: cart}}]
        total: [{namespace: Shop, metricName: Requests, dimensions: {Service: cart}}]
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: queue-age, service: cart}
spec:
  description: Queues drain within 10 minutes, per queue
  objective: 99
  indicator:
    groupBy: [queue]
    threshold:
      operator: "<="
      value: 600
      prometheus: {gauge: 'max by (queue) (queue_age_seconds{job="cart"})'}
"""


def test_grouped_cloudwatch_and_threshold_slos_come_back(tmp_path: Path) -> None:
    # A gauge's query keeps its groups itself and CloudWatch enumerates them in the spec: both come
    # back from sre.dev/group-by and sre.dev/cloudwatch-groups, every generated rule and alarm identical.
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "cart.yaml").write_text(GROUPED_CLOUDWATCH_SPECS)
    (specs / "defaults.yaml").write_text(GROUPED_CLOUDWATCH_DEFAULTS)
    exported = tmp_path / "openslo"
    _export_valid(specs, exported)
    imported = tmp_path / "again" / "slo"
    imported.mkdir(parents=True)
    (imported / "defaults.yaml").write_text(GROUPED_CLOUDWATCH_DEFAULTS)
    proc = _sre("import", "openslo", str(exported), "--out", str(imported))
    assert " 0 approximated, 0 not mapped" in proc.stdout, proc.stdout
    assert "sre.dev/cloudwatch-groups: as the CloudWatch source's groups" in proc.stdout
    original, again = tmp_path / "out1", tmp_path / "out2"
    _sre("generate", "--specs", str(specs), "--out", str(original))
    _sre("generate", "--specs", str(imported), "--out", str(again))
    files = sorted(p.relative_to(original) for sub in GENERATED for p in (original / sub).rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for sub in GENERATED for p in (again / sub).rglob("*") if p.is_file())
    assert "cart-errors-pay-" in (original / "alarms/cloudwatch/cart.json").read_text()  # a stack per handler
    for rel in files:
        body, body_again = (original / rel).read_text(), (again / rel).read_text()
        if str(rel).endswith(".rules.yaml"):  # the header names the spec file
            body, body_again = body.split("\n", 1)[1], body_again.split("\n", 1)[1]
        assert body == body_again, rel
