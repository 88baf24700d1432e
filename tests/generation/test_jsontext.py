"""The indented JSON writer gives exactly `json.dumps(value, indent=2, sort_keys=True)`."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sre_cli.spec import load_or_raise
from sre_cli.targets import jsontext
from sre_cli.targets.prometheus import grafana, rules

ROOT = Path(__file__).resolve().parents[2]


def _reference(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True)


def test_grafana_dashboards_are_written_as_json_dumps_writes_them() -> None:
    specs = load_or_raise([ROOT / "slo"])
    for service, slos in rules.prometheus_slos(specs).items():
        board = grafana.service_dashboard(service, slos)
        assert jsontext.dumps(board) == _reference(board)


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


def test_other_types_are_left_to_json_dumps() -> None:
    subclass = type("S", (str,), {})("v")
    for value in ({"a": (1, 2)}, {1: "x", 10: "y", 9: "z"}, [True, 1.0, math.inf, -0.0], {"s": subclass}):
        assert jsontext.dumps(value) == _reference(value)
