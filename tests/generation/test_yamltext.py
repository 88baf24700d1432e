"""The fast rule-document writer gives exactly PyYAML's text (libyaml emitter)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sre_cli import generate
from sre_cli.slospec.model import SpecSet
from sre_cli.targets import yamltext
from sre_cli.targets.prometheus import alertmanager, prometheusrule, rules
from tests.support.many_slos import thousand_slos

ROOT = Path(__file__).resolve().parents[2]


def _by_the_writer(doc: Any) -> bool:
    """Whether `dump` writes `doc` itself rather than handing it to PyYAML."""
    try:
        yamltext._Writer().mapping(doc, 0, False)
    except yamltext._Unsupported:
        return False
    return True


def _documents(specs: SpecSet) -> list[Any]:
    docs: list[Any] = []
    for service, slos in rules.prometheus_slos(specs).items():
        groups = rules.rule_groups(slos)
        docs += [groups, prometheusrule.manifest(service, groups)]
    return docs


def test_rule_documents_of_the_repo_specs_are_written_as_pyyaml_writes_them(repo_specs: SpecSet) -> None:
    docs = [*_documents(repo_specs), alertmanager.config(repo_specs)]
    for doc in docs:
        assert yamltext.dump(doc) == yamltext.pyyaml_dump(doc)
    # Not all of it by the fallback: the rule files are what the writer is for.
    assert all(_by_the_writer(d) for d in docs[:-1])


def test_rule_documents_of_1000_slos_are_written_as_pyyaml_writes_them(tmp_path: Path) -> None:
    """The benchmark's 1,000-SLO set (benchmarks/rules.py), the load the writer was built for."""
    for doc in _documents(thousand_slos(tmp_path)):
        assert yamltext.dump(doc) == yamltext.pyyaml_dump(doc)


def test_rule_files_and_manifests_from_one_build_are_written_as_pyyaml_writes_them(repo_specs: SpecSet) -> None:
    files = rules.render(repo_specs)
    for service, slos in rules.prometheus_slos(repo_specs).items():
        groups = rules.rule_groups(slos)
        text = files[prometheusrule.manifest_path(service)]
        assert text == yamltext.pyyaml_dump(prometheusrule.manifest(service, groups))
        assert files[rules.rule_file_path(service)].endswith("\n" + yamltext.pyyaml_dump(groups))


def test_files_pyyaml_must_write_are_written_by_pyyaml(repo_specs: SpecSet) -> None:
    """A multi-line description sends both documents of its service to PyYAML."""
    slo = rules.prometheus_slos(repo_specs)["db"][0]
    changed = dataclasses.replace(slo, description="Two\nlines: a break libyaml keeps")
    specs = dataclasses.replace(repo_specs, slos=[changed if s is slo else s for s in repo_specs.slos])
    files = rules.render(specs)
    groups = rules.rule_groups(rules.prometheus_slos(specs)["db"])
    assert not _by_the_writer(groups)
    assert files[rules.rule_file_path("db")].endswith("\n" + yamltext.pyyaml_dump(groups))
    assert files[prometheusrule.manifest_path("db")] == yamltext.pyyaml_dump(prometheusrule.manifest("db", groups))
    read_back = yaml.safe_load(files[rules.rule_file_path("db")])["groups"][0]["rules"]
    assert any("Two\nlines" in r.get("annotations", {}).get("description", "") for r in read_back)


def test_a_string_pyyaml_must_write_falls_back_for_the_whole_file(repo_specs: SpecSet) -> None:
    slos = rules.prometheus_slos(repo_specs)["api"]
    groups = rules.rule_groups(slos)
    labels = groups["groups"][0]["rules"][0]["labels"]
    labels["escaped"] = "tab\tünïcode"  # double-quoted with escapes: still one line, still the fast path
    assert _by_the_writer(groups)
    assert yamltext.dump(groups) == yamltext.pyyaml_dump(groups)
    labels["note"] = "two\nlines"  # libyaml writes it over two lines, at the column of its key
    assert not _by_the_writer(groups)
    assert yamltext.dump(groups) == yamltext.pyyaml_dump(groups)
    assert yaml.safe_load(yamltext.dump(groups)) == groups


# Characters that steer libyaml's choice of style: indicators, quotes, comment and mapping
# markers, spaces at the ends, digits and words the resolver reads as numbers, bools or nulls.
_TRICKY = st.sampled_from(
    [
        *"-?:,[]{}#&*!|>'\"%@`. =~<+\\/_\t\n",
        ": ",
        " #",
        "---",
        "...",
        "0",
        "1.5",
        "0x1f",
        "1e3",
        ".inf",
        "yes",
        "No",
        "on",
        "null",
        "~",
        "2024-01-01",
        "<<",
        "é",
        "\x85",
        "\u2028",
        "\x07",
        "a",
        "slo",
        "{{ $value }}",
        'rate(x{job="api"}[5m])',
    ]
)
_STRINGS = st.lists(_TRICKY, max_size=6).map("".join)
_KEYS = st.one_of(_STRINGS, st.sampled_from(["expr", "labels", "for", "x" * 129]))
_VALUES = st.recursive(  # what rule documents hold: the writer's own ground
    _STRINGS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=20,
)
_ANY_VALUES = st.recursive(  # anything else goes to PyYAML
    st.one_of(_STRINGS, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=10,
)


@settings(max_examples=1000, deadline=None)
@given(_STRINGS)
def test_any_string_is_written_as_pyyaml_writes_it(text: str) -> None:
    for doc in ({"key": text}, {"key": [text]}, {text: "value"}, {"key": {text: text}}):
        assert yamltext.dump(doc) == yamltext.pyyaml_dump(doc)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=5))
def test_any_document_of_strings_is_written_as_pyyaml_writes_it(doc: dict[str, Any]) -> None:
    assert yamltext.dump(doc) == yamltext.pyyaml_dump(doc)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_KEYS, _ANY_VALUES, max_size=4))
def test_any_other_document_is_written_as_pyyaml_writes_it(doc: dict[str, Any]) -> None:
    assert yamltext.dump(doc) == yamltext.pyyaml_dump(doc)


def test_most_strings_take_the_fast_path() -> None:
    """Guard against a writer that passes by always falling back."""
    plain = ["slo:sli_bad:rate5m", 'sum(rate(x{job="api"}[5m])) or vector(0)', "2m", "https://x/y.md#page"]
    quoted = ["a: b", "# no", "'q'", "5", "true", "~", "x:", " lead", 'SLO {{ $value | printf "%.2f" }}: x']
    assert all(yamltext._scalar_text(s) == s for s in plain)
    assert [yamltext._scalar_text(s) for s in quoted] == [yamltext._libyaml_scalar(s) for s in quoted]
    assert all(yamltext._plain(s) or yamltext._single_quoted(s) for s in quoted)


def test_render_all_builds_the_rule_groups_once_per_service(
    repo_specs: SpecSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    original = rules.rule_groups

    def counting(slos: list[Any]) -> dict[str, list[Any]]:
        built.append(1)
        return original(slos)

    monkeypatch.setattr(rules, "rule_groups", counting)
    outputs = generate.render_all(repo_specs)
    services = rules.prometheus_slos(repo_specs)
    assert len(built) == len(services)  # the rule files and the manifests share one build
    assert all(prometheusrule.manifest_path(s) in outputs and rules.rule_file_path(s) in outputs for s in services)
