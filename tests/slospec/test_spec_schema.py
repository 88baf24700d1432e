"""slo/schema.json is what the model generates, and it agrees with the loader on real and broken specs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from spec_corpus import BROKEN

from sre_cli.slospec import schema
from sre_cli.slospec.load import load
from sre_cli.slospec.model import SpecSet

REPO = Path(__file__).resolve().parents[2]
SLO_DIR = REPO / "slo"


def _committed(rel: str) -> str:
    return (REPO / rel).read_text(encoding="utf-8")


@pytest.mark.parametrize("rel", [schema.SCHEMA_PATH, schema.DEFAULTS_SCHEMA_PATH])
def test_committed_schema_is_not_stale(rel: str, repo_specs: SpecSet) -> None:
    rendered = schema.render(repo_specs)[rel]
    assert _committed(rel).rstrip("\n") == rendered.rstrip("\n"), f"{rel} is stale: run `sre generate`"


def test_committed_schema_equals_the_model() -> None:
    assert json.loads(_committed(schema.SCHEMA_PATH)) == schema.spec_schema()
    assert json.loads(_committed(schema.DEFAULTS_SCHEMA_PATH)) == schema.defaults_schema()


def test_schemas_are_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(schema.spec_schema())
    jsonschema.Draft202012Validator.check_schema(schema.defaults_schema())


def _spec_documents() -> list[tuple[str, dict]]:
    docs = []
    for f in sorted(SLO_DIR.glob("*.yaml")):
        if f.name == "defaults.yaml":
            continue
        docs.extend((f"{f.name}#{i}", d) for i, d in enumerate(yaml.safe_load_all(f.read_text())))
    return docs


SPEC_DOCS = _spec_documents()


def test_the_five_slos_are_there() -> None:
    names = sorted(d["metadata"]["name"] for _, d in SPEC_DOCS)
    assert names == ["api-availability", "api-latency", "batch-queue-age", "db-errors", "sfn-success"]


@pytest.mark.parametrize(("where", "doc"), SPEC_DOCS, ids=[w for w, _ in SPEC_DOCS])
def test_stack_specs_validate_against_the_schema(where: str, doc: dict) -> None:
    jsonschema.Draft202012Validator(json.loads(_committed(schema.SCHEMA_PATH))).validate(doc)


def test_defaults_validate_against_the_defaults_schema() -> None:
    doc = yaml.safe_load((SLO_DIR / "defaults.yaml").read_text())
    jsonschema.Draft202012Validator(json.loads(_committed(schema.DEFAULTS_SCHEMA_PATH))).validate(doc)


def test_every_stack_spec_points_editors_at_the_schema() -> None:
    for f in SLO_DIR.glob("*.yaml"):
        target = "defaults.schema.json" if f.name == "defaults.yaml" else "schema.json"
        assert f"# yaml-language-server: $schema=./{target}" in f.read_text(), f.name


# Broken specs an editor must flag too (the rest need the loader: PromQL, buckets, files).
SCHEMA_REJECTS = [
    "objective-zero.yaml",
    "objective-100.yaml",
    "objective-negative.yaml",
    "objective-over-100.yaml",
    "objective-fraction-string.yaml",
    "unknown-field-typo.yaml",
    "unknown-field-snake-case.yaml",
    "name-not-dns-label.yaml",
    "name-too-long.yaml",
    "label-name-invalid.yaml",
    "missing-service.yaml",
    "wrong-apiversion.yaml",
    "indicator-empty.yaml",
    "indicator-two-kinds.yaml",
    "ratio-good-and-bad.yaml",
    "ratio-neither-good-nor-bad.yaml",
    "threshold-bad-operator.yaml",
    "alert-window-bad-duration.yaml",
    "alert-min-events-negative.yaml",
    "bool-where-string.yaml",
    "ratio-two-source-forms.yaml",
    "latency-native-with-buckets.yaml",
    "latency-histogram-without-buckets.yaml",
]


@pytest.mark.parametrize("name", SCHEMA_REJECTS)
def test_schema_rejects_broken_spec(name: str) -> None:
    validator = jsonschema.Draft202012Validator(schema.spec_schema())
    doc = yaml.safe_load((BROKEN / name).read_text())
    assert list(validator.iter_errors(doc)), f"the JSON Schema accepts {name}"
    assert load([BROKEN / name]).errors  # and so does the loader, of course


@pytest.mark.parametrize(
    "source",
    [
        {"expression": {"bad": "sum(rate(e[{{.window}}]))", "total": "sum(rate(t[{{.window}}]))"}},
        {"errorRatio": "sum(rate(e[{{.window}}])) / sum(rate(t[{{.window}}]))"},
    ],
    ids=["expression", "errorRatio"],
)
def test_schema_takes_expression_and_error_ratio_sources_alone(source: dict) -> None:
    validator = jsonschema.Draft202012Validator(schema.spec_schema())
    doc = {
        "apiVersion": "sre.dev/v1",
        "kind": "SLO",
        "metadata": {"name": "a", "service": "b"},
        "spec": {"description": "d", "objective": 99, "indicator": {"ratio": {"prometheus": source}}},
    }
    assert validator.is_valid(doc)
    with_selectors = {**source, "good": "ok_total", "total": "all_total"}
    doc["spec"]["indicator"]["ratio"]["prometheus"] = with_selectors
    assert not validator.is_valid(doc)


def test_native_histogram_spec_takes_any_threshold_in_schema_and_loader(tmp_path: Path) -> None:
    # 0.37s is no boundary of any schema's buckets worth naming: histogram_fraction counts at it anyway.
    spec = {
        "apiVersion": "sre.dev/v1",
        "kind": "SLO",
        "metadata": {"name": "native", "service": "api"},
        "spec": {
            "description": "d",
            "objective": 99,
            "indicator": {
                "latency": {"threshold": "370ms", "prometheus": {"histogram": 'x_seconds{job="a"}', "native": True}}
            },
        },
    }
    assert not list(jsonschema.Draft202012Validator(schema.spec_schema()).iter_errors(spec))
    (tmp_path / "native.yaml").write_text(yaml.safe_dump(spec))
    specs = load([tmp_path / "native.yaml"])
    assert specs.ok, specs.errors
    assert specs.slos[0].indicator.latency.prometheus.native
