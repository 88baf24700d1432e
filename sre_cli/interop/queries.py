"""Event queries of the peers' SLIs as the selectors they count: `sum(rate(x[{{.window}}]))` -> `x`.

Sloth and OpenSLO write PromQL where the spec writes series selectors. A query that only sums
the rate (or increase) of selectors over the SLI window says nothing a selector list does not,
so it imports as that list; any other expression is reported with why it is not a plain count.
Parsed with the same in-process parser `sre validate` uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import promql_parser

from sre_cli.promql_selectors import parse_promql, parse_selector

# Sloth's template variable, replaced by a range no one writes so that it can be told apart from
# a fixed range after parsing: 1y2w3d4h5m6s.
SLOTH_WINDOW = "{{.window}}"
_WINDOW_STANDIN = "1y2w3d4h5m6s"
_WINDOW_STANDIN_SECONDS = 33019506
_COUNTING_FUNCTIONS = ("rate", "increase")


class NotACount(ValueError):
    """The query is an expression, not a sum of event counts; the message says why."""


class MixedGrouping(ValueError):
    """The counts of an SLI split their events differently; the message says how."""


@dataclass(frozen=True)
class Split:
    """How one sum of a counting query splits its events: `by` or `without` labels, or not at all."""

    how: str  # "by", "without", or "" for a plain sum (or a count with no sum around it)
    labels: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.how} ({', '.join(self.labels)})" if self.how else "no split"


@dataclass
class EventSelectors:
    """What a counting query selects, and what of the query the selectors leave out."""

    selectors: list[str] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)  # one per sum (or bare count) of the query
    fixed_ranges: list[str] = field(default_factory=list)  # ranges that were not the SLI window
    bare: bool = False  # a plain selector, no function around it

    @property
    def grouping(self) -> list[str]:
        """The `by (...)`/`without (...)` clauses of the query's sums."""
        return [str(s) for s in self.splits if s.how]


def shared_group_by(*queries: EventSelectors) -> list[str]:
    """The labels every sum of every query splits by (`sum by (<labels>)`): the SLI's groups, [] when
    none splits. Raises MixedGrouping when the sums split differently or with `without`."""
    splits = [s for q in queries for s in q.splits]
    without = [str(s) for s in splits if s.how == "without"]
    if without:
        raise MixedGrouping(
            f"`sum {', '.join(without)}` keeps every label but those named; sre's groups are named labels (groupBy)"
        )
    if len({frozenset(s.labels) for s in splits}) > 1:
        ways = ", ".join(dict.fromkeys(f"`sum {s}`" if s.how else "a count over all series" for s in splits))
        raise MixedGrouping(f"the counts split differently ({ways}); sre splits good and total alike")
    return list(splits[0].labels) if splits else []


def event_selectors(query: str, *, templated: bool) -> EventSelectors:
    """The selectors a query sums. `templated`: the query uses Sloth's `{{.window}}` as its range.

    Accepts a selector, `sum(rate|increase(sel[w]))` (with `by`/`without`), parentheses and `+`
    of such. Raises NotACount otherwise.
    """
    found = EventSelectors()
    _collect(_parse(query, templated), found, top=True)
    return found


def difference_selectors(query: str, *, templated: bool) -> tuple[EventSelectors, EventSelectors]:
    """`all - some` of two counting queries, as the selectors of each side.

    How Sloth's own latency example counts bad events: all requests minus those in the
    threshold's bucket, i.e. total minus good. Raises NotACount for anything else.
    """
    node = _parse(query, templated)
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    if not (isinstance(node, promql_parser.BinaryExpr) and str(node.op) == "-"):
        raise NotACount("not a difference of two sums of event counts")
    if node.modifier is not None and str(node.modifier).strip():
        raise NotACount(f"`- {node.modifier}` matches series label by label; only plain differences of counts import")
    minuend, subtrahend = EventSelectors(), EventSelectors()
    _collect(node.lhs, minuend, top=True)
    _collect(node.rhs, subtrahend, top=True)
    return minuend, subtrahend


def _parse(query: str, templated: bool) -> object:
    text = query.strip()
    if templated:
        if SLOTH_WINDOW not in text:
            raise NotACount("the query does not use the {{.window}} range")
        text = text.replace(SLOTH_WINDOW, _WINDOW_STANDIN)
    try:
        return parse_promql(text)
    except (ValueError, RuntimeError) as exc:
        raise NotACount(f"PromQL does not parse: {exc}") from None


def _collect(node: object, found: EventSelectors, *, top: bool) -> None:
    if isinstance(node, promql_parser.ParenExpr):
        _collect(node.expr, found, top=top)
    elif isinstance(node, promql_parser.BinaryExpr):
        if str(node.op) != "+":
            raise NotACount(f"`{node.op}` of two queries is an expression, not a sum of event counts")
        if node.modifier is not None and str(node.modifier).strip():
            raise NotACount(f"`+ {node.modifier}` matches series label by label; only plain sums of counts import")
        _collect(node.lhs, found, top=top)
        _collect(node.rhs, found, top=top)
    elif isinstance(node, promql_parser.AggregateExpr):
        if str(node.op) != "sum":
            raise NotACount(f"`{node.op}(...)` is not a sum of event counts")
        found.splits.append(_split(node.modifier))
        _collect_counter(node.expr, found)
    elif isinstance(node, promql_parser.VectorSelector) and top:
        found.selectors.append(_selector(node))
        found.splits.append(Split(""))
        found.bare = True
    elif isinstance(node, promql_parser.Call) and node.func.name in _COUNTING_FUNCTIONS:
        found.splits.append(Split(""))
        _collect_counter(node, found)
    else:
        name = f"{node.func.name}()" if isinstance(node, promql_parser.Call) else type(node).__name__
        raise NotACount(f"{name} is not a sum of rate()/increase() of selectors")


def _split(modifier: promql_parser.AggModifier | None) -> Split:
    if modifier is None:
        return Split("")
    if modifier.type == promql_parser.AggModifierType.Without:
        return Split("without", tuple(modifier.labels))
    return Split("by", tuple(modifier.labels)) if modifier.labels else Split("")  # `by ()`: a plain sum


def _collect_counter(node: object, found: EventSelectors) -> None:
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    if isinstance(node, promql_parser.VectorSelector):
        found.selectors.append(_selector(node))
        found.bare = True
        return
    if not (isinstance(node, promql_parser.Call) and node.func.name in _COUNTING_FUNCTIONS):
        name = f"{node.func.name}()" if isinstance(node, promql_parser.Call) else type(node).__name__
        raise NotACount(f"{name} inside sum() is not rate() or increase() of a selector")
    (arg,) = node.args
    if not isinstance(arg, promql_parser.MatrixSelector):
        raise NotACount(f"{node.func.name}() of a subquery or expression is not an event count of a selector")
    seconds = int(arg.range.total_seconds())
    if seconds != _WINDOW_STANDIN_SECONDS:
        found.fixed_ranges.append(promql_parser.display_duration(arg.range))
    found.selectors.append(_selector(arg.vector_selector))


def _selector(node: promql_parser.VectorSelector) -> str:
    try:
        return str(parse_selector(str(node)))
    except ValueError as exc:
        raise NotACount(str(exc)) from None
