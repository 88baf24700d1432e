"""The indented JSON writer gives exactly `json.dumps(value, indent=2, sort_keys=True)`."""

from __future__ import annotations

import enum
import json
import math
from typing import Any

import pytest
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from hypothesis import given, settings
from hypothesis import strategies as st

from sre_cli.slospec.model import SpecSet
from sre_cli.targets import jsontext
from sre_cli.targets.prometheus import grafana, rules


def _reference(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True)


def test_grafana_dashboards_are_written_as_json_dumps_writes_them(repo_specs: SpecSet) -> None:
    specs = repo_specs
    for service, slos in rules.prometheus_slos(specs).items():
        # The dashboard as plain JSON values: the SDK's models through its own encoder.
        document = grafana.dashboard_document(grafana.service_board(service, slos))
        board = json.loads(JSONEncoder(sort_keys=True).encode(document))
        assert jsontext.dumps(board) == _reference(board)
        # in one pass from the SDK's models, as the target writes it
        assert grafana.dashboard_json(service, slos) == _reference(board)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN and infinities included: json.dumps writes them as NaN / Infinity
    st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    st.sampled_from(['"', "\\", "\n", "\u2028", "é", "\x00", "\U0001f600"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=500, deadline=None)
@given(_VALUES)
def test_any_json_value_is_written_as_json_dumps_writes_it(value: Any) -> None:
    assert jsontext.dumps(value) == _reference(value)


class _Color(enum.StrEnum):
    RED = "red"


class _Named(str):
    def __str__(self) -> str:
        return "not the value"  # json writes the str value, never str()


class _Level(enum.IntEnum):
    HIGH = 3


class _Model:
    """Like the SDK's models: turned into JSON values by the encoder's `default`."""

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def to_json(self) -> Any:
        return self.payload


def _to_json(obj: Any) -> Any:
    if isinstance(obj, _Model):
        return obj.to_json()
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


_OBJECTS = st.recursive(
    st.one_of(
        _SCALARS,
        st.sampled_from([_Color.RED, _Named("v"), _Level.HIGH]),
        st.tuples(st.integers(), st.text(max_size=2)),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.builds(_Model, inner),
    ),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(_OBJECTS)
def test_subclasses_tuples_and_default_objects_are_written_as_json_dumps_writes_them(value: Any) -> None:
    assert jsontext.dumps(value, default=_to_json) == json.dumps(value, indent=2, sort_keys=True, default=_to_json)


def test_other_types_are_left_to_json_dumps() -> None:
    subclass = type("S", (str,), {})("v")
    for value in ({"a": (1, 2)}, {1: "x", 10: "y", 9: "z"}, [True, 1.0, math.inf, -0.0], {"s": subclass}):
        assert jsontext.dumps(value) == _reference(value)
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        jsontext.dumps(cycle)
    with pytest.raises(TypeError):
        jsontext.dumps({"a": object()})
