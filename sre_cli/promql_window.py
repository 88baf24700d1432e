"""PromQL templated on the window: expression and errorRatio sources, written with Sloth's `{{.window}}`.

The spec takes such PromQL as written (imports copy Sloth's and OpenSLO's text as is); whoever
reads it puts a range in for the placeholder: the rules the base window (5m) or a shorter alert
window, the report its window, runbooks the window a person looks at. Pure string work, no I/O.
"""

from __future__ import annotations

import re

import promql_parser

from sre_cli.promql_selectors import check_expression, expression_selectors

WINDOW = "{{.window}}"
# Any range parses: the template's shape is checked, and which series it reads, not its range.
_CHECK_RANGE = "5m"


def at_window(template: str, window: str) -> str:
    """The template with `window` (a PromQL range such as 5m) put in for every `{{.window}}`."""
    return template.replace(WINDOW, window)


_FIXED_RANGE = re.compile(r"\[\s*(?:\d+(?:ms|s|m|h|d|w|y))+\s*\]")


def on_window(query: str) -> tuple[str, bool]:
    """A query written for one fixed range (OpenSLO's) templated on `{{.window}}`: every `[<duration>]`
    range becomes `[{{.window}}]` (subqueries keep theirs). True when some range was replaced."""
    templated, n = _FIXED_RANGE.subn(f"[{WINDOW}]", query)
    return templated, n > 0


def template_problem(template: str) -> str | None:
    """Why an expression template is not a PromQL instant vector over `{{.window}}` (or None)."""
    if WINDOW not in template:
        return f"the expression must read its range as {WINDOW} (e.g. sum(rate(x[{WINDOW}]))), not a fixed range"
    text = at_window(template, _CHECK_RANGE)
    try:
        node = check_expression(text)
    except (ValueError, RuntimeError) as exc:
        return str(exc)
    if isinstance(node, promql_parser.MatrixSelector | promql_parser.SubqueryExpr):
        return "the expression must be an instant vector, not a range"
    if isinstance(node, promql_parser.NumberLiteral | promql_parser.StringLiteral):
        return "the expression must be an instant vector, not a constant"
    if not expression_selectors(text):
        return "the expression reads no series: name the metrics it counts"
    return None


def template_selectors(template: str) -> list[str]:
    """The series a template reads (its range put in): what must exist for it to see anything."""
    return [str(s) for s in expression_selectors(at_window(template, _CHECK_RANGE))]
