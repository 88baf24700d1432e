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
    _sre("export", "openslo", "--specs", str(specs), "--out", str(exported))
    docs = [d for f in sorted(exported.glob("*.yaml")) for d in yaml.safe_load_all(f.read_text())]
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for doc in docs:
        assert not [e.message for e in validator.iter_errors(doc)], doc
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
