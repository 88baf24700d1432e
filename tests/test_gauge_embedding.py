"""Wherever a generator writes a threshold gauge into a longer query, the parse keeps it whole.

Issue 17.1: `max(x) or vector(0) <= bool 900` is `max(x) or (vector(0) <= bool 900)`. Checked on
the parse tree (promql_parser, as Prometheus reads the text): the report's counts, the runbook's
error ratio and the recorded bad slice compare the whole gauge, and absence is watched on its
selectors. Generated gauges (hypothesis) cover operator combinations the table does not.
"""

from __future__ import annotations

import re
from typing import Any

import promql_parser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sre_cli import sli_sources
from sre_cli.backends import promql as report_promql
from sre_cli.promql_selectors import expression_selectors, operand
from sre_cli.runbooks import queries as runbook_queries
from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import Slo
from sre_cli.targets.prometheus import sli
from sre_cli.vocabulary import bool_comparison
from tests.support.gauge_shapes import SHAPES, X, threshold_spec

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


def _bare(node: Any) -> Any:
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    return node


def _same(a: Any, b: Any) -> bool:
    return str(_bare(a)) == str(_bare(b))


def _nodes(node: Any) -> list[Any]:
    out = [node]
    for attr in ("expr", "param", "lhs", "rhs", "vector_selector"):
        child = getattr(node, attr, None)
        if child is not None and not isinstance(child, str | int | float):
            out += _nodes(child)
    for arg in getattr(node, "args", None) or []:
        out += _nodes(arg)
    return out


def compared(query: str) -> list[Any]:
    """The left sides of every `<lhs> <comparison> bool <number>` in a query, outermost first."""
    return [
        n.lhs
        for n in _nodes(promql_parser.parse(query))
        if isinstance(n, promql_parser.BinaryExpr)
        and str(n.op) in COMPARISONS
        and n.modifier is not None
        and n.modifier.return_bool
        and isinstance(_bare(n.rhs), promql_parser.NumberLiteral)
    ]


def sliced(query: str) -> list[Any]:
    """What every subquery of a query slices, outermost first."""
    return [n.expr for n in _nodes(promql_parser.parse(query)) if isinstance(n, promql_parser.SubqueryExpr)]


# ---- every shape, every place it is embedded -------------------------------------------------


@pytest.fixture(scope="module")
def slos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Slo]:
    root = tmp_path_factory.mktemp("shapes")
    for shape in SHAPES:
        (root / f"{shape.id}.yaml").write_text(threshold_spec(shape.id, shape, 1_700_000_000))
    return {s.name: s for s in load_or_raise([root]).slos}


@pytest.mark.parametrize("shape", SHAPES, ids=[s.id for s in SHAPES])
def test_every_query_compares_and_slices_the_whole_gauge(slos: dict[str, Slo], shape: Any) -> None:
    slo = slos[shape.id]
    gauge = promql_parser.parse(slo.indicator.threshold.prometheus.gauge)
    counted = report_promql.slo_queries(slo)
    num, total = counted.counts(86400)
    places = {
        "report good slices": num,
        "runbook error ratio": runbook_queries.promql_error_ratio(slo, "1h"),
        "recorded bad slice": sli.bad_slice(slo.indicator.threshold),
    }
    for place, query in places.items():
        outermost = compared(query)[0]  # the gauge's own comparisons (shape `bool`) come after it
        assert _same(outermost, gauge), (place, query)
    assert _same(sliced(total)[0], gauge), total
    # Absence and presence watch the series, never the expression (`or vector(0)` is never absent).
    watched = sli_sources.source_series(slo)
    assert X in watched
    assert sli.absent_expr(slo) == f"absent({' or '.join(watched)})"
    assert counted.presence == f"group({' or '.join(watched)})"
    assert runbook_queries.promql_presence(slo) == [f"absent({s})" for s in watched]


# ---- generated gauges ----------------------------------------------------------------------

ATOMS = st.sampled_from(
    [X, "max(x)", "vector(0)", "-max(x)", "x offset 5m", "x @ 1700000000", "rate(c[5m])", "sum by (q) (x)", "(x)"]
)
OPERATORS = st.sampled_from(
    ["or", "and", "unless", "+", "-", "*", "/", "%", "^", *COMPARISONS, *(f"{c} bool" for c in COMPARISONS)]
)
MATCHING = st.sampled_from(["", " on()", " ignoring(q)"])


@st.composite
def gauges(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(ATOMS)
    op = draw(OPERATORS)
    left, right = draw(gauges(depth - 1)), draw(gauges(depth - 1))
    shaped = draw(st.sampled_from(["{}", "-{}", "max({})", "max_over_time(({})[5m:1m])", "{}\n"]))
    return shaped.format(f"{left} {op}{draw(MATCHING)} {right}")


@given(gauge=gauges(), op=st.sampled_from(["<", "<=", ">", ">="]), value=st.sampled_from([0, 900, -900, 0.25]))
def test_a_comparison_takes_the_whole_user_expression(gauge: str, op: str, value: float) -> None:
    query = bool_comparison(gauge, op, value)
    root = promql_parser.parse(query)
    assert isinstance(root, promql_parser.BinaryExpr) and str(root.op) == op and root.modifier.return_bool, query
    assert _same(root.lhs, promql_parser.parse(gauge)), query
    assert float(str(_bare(root.rhs))) == value


@given(gauge=gauges())
def test_operand_brackets_only_what_an_operator_could_split(gauge: str) -> None:
    node = promql_parser.parse(gauge)
    text = operand(gauge)
    if isinstance(node, promql_parser.BinaryExpr | promql_parser.UnaryExpr):
        assert text == f"({gauge})"
    assert _same(promql_parser.parse(text), node)


@given(gauge=gauges())
def test_selectors_of_a_generated_gauge(gauge: str) -> None:
    selectors = [str(s) for s in expression_selectors(gauge)]
    # The atoms read x, x{queue="a"} and c; offset and @ are not part of a series' name.
    assert set(selectors) == {m.replace(" ", "") for m in re.findall(r'(?<![\w])[xc](?:\{queue="a"\})?(?![\w])', gauge)}
    assert len(selectors) == len(set(selectors))


@pytest.mark.parametrize(
    ("gauge", "selectors"),
    [
        ("max(x) or vector(0)", ["x"]),
        ('max(x{q="a"} offset 1h) / on() group_left max(y @ 100)', ['x{q="a"}', "y"]),
        ("max_over_time(max(rate(c[5m]))[1h:1m]) unless absent(d)", ["c", "d"]),
        ('{__name__="x", q=~"a|b"} > 0 and x', ['x{q=~"a|b"}', "x"]),
        ("vector(1) + scalar(x) * 0", ["x"]),
        ("vector(0)", []),
    ],
)
def test_expression_selectors(gauge: str, selectors: list[str]) -> None:
    assert [str(s) for s in expression_selectors(gauge)] == selectors
