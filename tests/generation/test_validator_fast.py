"""The validator's fast acceptance agrees with its walk: it accepts exactly what the walk finds nothing in."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sre_cli.targets.cloudwatch import alarms, dashboards, validator
from tests.support.repo_specs import shared_repo_specs


def _requests() -> list[tuple[str, dict[str, Any]]]:
    specs = shared_repo_specs()
    found: list[tuple[str, dict[str, Any]]] = []
    for doc in alarms.render_documents(specs).values():
        found += [("PutMetricAlarm", p) for p in doc["metric_alarms"].values()]
        found += [("PutCompositeAlarm", p) for p in doc["composite_alarms"].values()]
    found += [("PutDashboard", doc) for doc in dashboards.render_documents(specs).values()]
    return found


REQUESTS = _requests()

# Values that break one rule each: types, lengths, ranges, enums, non-finite numbers.
_ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=3_000_000),
    st.sampled_from([0.5, -1.0, math.nan, math.inf, -math.inf, 1e300]),
    st.sampled_from(["", "x", "x" * 256, "x" * 1025, "GreaterThanThreshold", "notBreaching", "Sum", "m0"]),
    st.builds(list),  # fresh objects: a later mutation may change them in place
    st.builds(dict),
    st.lists(st.builds(lambda: {"Name": "n", "Value": "v"}), min_size=0, max_size=31),
)


def _containers(value: Any, trail: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every dict and list inside a request."""
    found = [trail]
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        if isinstance(child, dict | list):
            found += _containers(child, (*trail, key))
    return found


def _at(value: Any, trail: tuple[Any, ...]) -> Any:
    for key in trail:
        value = value[key]
    return value


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    operation, request = draw(st.sampled_from(REQUESTS))
    request = copy.deepcopy(request)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        target = _at(request, draw(st.sampled_from(_containers(request))))
        action = draw(st.sampled_from(["set", "drop", "add"]))
        if isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target)))
            if action == "drop":
                del target[key]
            elif action == "add":
                target[draw(st.sampled_from(["Unknown", "Id", "Period", "Label"]))] = draw(_ODD)
            else:
                target[key] = draw(_ODD)
        elif isinstance(target, list) and target:
            index = draw(st.integers(min_value=0, max_value=len(target) - 1))
            if action == "drop":
                del target[index]
            else:
                target[index] = draw(_ODD)
    return operation, request


def _walk_problems(operation: str, request: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    validator._walk(request, validator._operation_rules(operation), "", problems)
    return problems


def _edge_values(rules: validator._ShapeRules) -> list[Any]:
    """Values on both sides of every limit of a shape, and of the wrong type."""
    meta = rules.meta
    low, high = meta.get("min"), meta.get("max")
    wrong_types: list[Any] = [None, True, "1", 1, 1.5, [], {}]
    if rules.kind == "string":
        lengths = [n for n in (0, 1, low, high) if n is not None] + [n + d for n in (low, high) if n for d in (-1, 1)]
        values = ["x" * n for n in lengths if n >= 0]
        values += [*sorted(rules.enum)[:1], "NotAnEnumValue", "arn:aws:sns:us-east-1:123456789012:t"]
        return values + wrong_types
    if rules.kind in ("integer", "long", "double", "float"):
        bounds = [n + d for n in (low, high) if n is not None for d in (-1, 0, 1)]
        return [*bounds, 0, -1, 2**40, math.nan, math.inf, -math.inf, *wrong_types]
    if rules.kind == "list":
        assert rules.member is not None
        return [[None] * n for n in (0, 1, (low or 0) - 1, high or 0, (high or 0) + 1) if n >= 0] + wrong_types
    return wrong_types


def _variants(value: Any, rules: validator._ShapeRules) -> list[Any]:
    """Copies of `value` with one field changed (to an edge value), dropped or added, at any depth."""
    found: list[Any] = [edge for edge in _edge_values(rules)]
    if rules.kind == "structure" and isinstance(value, dict):
        for name in value:
            found.append({k: v for k, v in value.items() if k != name})
        found.append({**value, "Unknown": 1})
        for name, member in rules.members.items():  # optional fields we never send, too
            if name not in value:
                found += [{**value, name: edge} for edge in _edge_values(member)]
        for name, child in value.items():
            member = rules.members.get(name)
            if member is not None:
                found += [{**value, name: variant} for variant in _variants(child, member)]
    if rules.kind == "list" and isinstance(value, list) and rules.member is not None:
        for i, child in enumerate(value):
            found += [[*value[:i], variant, *value[i + 1 :]] for variant in _variants(child, rules.member)]
        found.append(value * 40)
    return found


def test_fast_acceptance_agrees_with_the_walk_on_every_edge() -> None:
    seen: set[tuple[str, str]] = set()
    checked = rejected = 0
    for operation, request in REQUESTS:
        kind = (operation, str(sorted(request)))
        if kind in seen:  # one request of each shape: the rules are per shape, not per alarm
            continue
        seen.add(kind)
        for variant in _variants(request, validator._operation_rules(operation)):
            problems = _walk_problems(operation, variant)
            assert validator._operation_accepts(operation)(variant) == (not problems), (operation, variant)
            checked += 1
            rejected += bool(problems)
    assert checked > 1000 and rejected > checked / 2  # the edges really were edges


@pytest.mark.parametrize("operation,request_", REQUESTS[:3] + REQUESTS[-2:])
def test_generated_requests_are_accepted_without_a_walk(operation: str, request_: dict[str, Any]) -> None:
    assert validator._operation_accepts(operation)(request_)
    assert _walk_problems(operation, request_) == []


@settings(max_examples=600, deadline=None)
@given(_mutated())
def test_fast_acceptance_agrees_with_the_walk(case: tuple[str, dict[str, Any]]) -> None:
    operation, request = case
    accepted = validator._operation_accepts(operation)(request)
    assert accepted == (not _walk_problems(operation, request))
    assert validator.check_request(operation, request) == _walk_problems(operation, request)
