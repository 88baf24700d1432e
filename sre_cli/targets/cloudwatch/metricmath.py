"""A parser and evaluator for the CloudWatch metric-math subset our alarms use.

CloudWatch cannot be asked offline what an alarm would do, and moto evaluates no metric math, so
this module is how the tests prove that the generated expressions compute the burn rates of
`sre_cli.slomath`. It is pure: series in, series out.

Semantics follow the CloudWatch metric-math documentation for what we generate:
- a series is a list of datapoints, `None` where CloudWatch has no datapoint;
- arithmetic and comparisons work point by point, a scalar broadcasts over a series, and an
  operation on a missing datapoint (or a division by zero) yields a missing datapoint;
- comparisons and AND/OR/NOT yield 1 or 0; IF(c, a, b) picks a where c is non-zero;
- FILL(x, v) replaces missing datapoints of x with the scalar v;
- SUM/AVG/MIN/MAX of an array `[a, b]` combine point by point; of a single series they return a
  scalar over the whole queried range (the documented single-series behaviour).

The parser is also used by the strict validator to find every function and id an expression
names, so its grammar accepts any function call; the evaluator refuses functions it does not know.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

Series = list[float | None]
Value = float | Series


class MathError(ValueError):
    """An expression that does not parse or cannot be evaluated."""


# ---- syntax ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Array:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


Node = Num | Ref | Str | Call | Array | Unary | Binary

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|[-+*/^<>(),\[\]!]))"
)
_WORD_OPS = {"AND": "AND", "OR": "OR", "NOT": "NOT"}
_SYMBOL_OPS = {"&&": "AND", "||": "OR", "!": "NOT"}
# Binding power of binary operators, loosest first (CloudWatch: logical < comparison < + - < * / < ^).
_BINARY = {
    "OR": 1,
    "AND": 2,
    "==": 3,
    "!=": 3,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "^": 7,
}


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise MathError(f"unexpected character {text[pos:].strip()[:1]!r} at position {pos + 1}")
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "name" and value.upper() in _WORD_OPS:
            kind, value = "op", _WORD_OPS[value.upper()]
        elif kind == "op" and value in _SYMBOL_OPS:
            value = _SYMBOL_OPS[value]
        out.append((kind, value))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise MathError(f"expression ends early{f', expected {value!r}' if value else ''}")
        if value is not None and tok[1] != value:
            raise MathError(f"expected {value!r}, got {tok[1]!r}")
        self.i += 1
        return tok

    def expression(self, min_power: int = 0) -> Node:
        left = self.prefix()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in _BINARY:
            power = _BINARY[tok[1]]
            if power <= min_power:
                break
            self.take()
            # ^ is right-associative; everything else binds left.
            right = self.expression(power - 1 if tok[1] == "^" else power)
            left = Binary(tok[1], left, right)
        return left

    def prefix(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Num(float(value))
        if kind == "str":
            return Str(value[1:-1])
        if kind == "name":
            if (tok := self.peek()) is not None and tok[1] == "(":
                self.take("(")
                return Call(value.upper(), self.items(")"))
            return Ref(value)
        if value == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if value == "[":
            return Array(self.items("]"))
        if value in ("-", "+"):
            return Unary(value, self.expression(6))
        if value == "NOT":
            return Unary("NOT", self.expression(2))
        raise MathError(f"unexpected {value!r}")

    def items(self, closing: str) -> tuple[Node, ...]:
        args: list[Node] = []
        if (tok := self.peek()) is not None and tok[1] == closing:
            self.take()
            return ()
        while True:
            args.append(self.expression())
            _, value = self.take()
            if value == closing:
                return tuple(args)
            if value != ",":
                raise MathError(f"expected ',' or {closing!r}, got {value!r}")


def parse(text: str) -> Node:
    """Parse one metric-math expression; raises MathError with the reason."""
    if not text or not text.strip():
        raise MathError("empty expression")
    parser = _Parser(text)
    node = parser.expression()
    if parser.peek() is not None:
        raise MathError(f"unexpected {parser.peek()[1]!r} after the end of the expression")  # type: ignore[index]
    return node


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents first."""
    out: list[Node] = [node]
    children: tuple[Node, ...] = ()
    if isinstance(node, Call):
        children = node.args
    elif isinstance(node, Array):
        children = node.items
    elif isinstance(node, Unary):
        children = (node.operand,)
    elif isinstance(node, Binary):
        children = (node.left, node.right)
    for child in children:
        out.extend(walk(child))
    return out


def functions(node: Node) -> set[str]:
    return {n.name for n in walk(node) if isinstance(n, Call)}


def references(node: Node) -> set[str]:
    return {n.name for n in walk(node) if isinstance(n, Ref)}


# ---- evaluation --------------------------------------------------------------------------------


def _lift(value: Value, length: int) -> Series:
    return [value] * length if isinstance(value, float | int) else value  # type: ignore[list-item]


def _pointwise(fn: Callable[..., float | None], *values: Value) -> Value:
    """Apply fn point by point; missing in, missing out. All scalars stay a scalar."""
    lengths = {len(v) for v in values if isinstance(v, list)}
    if len(lengths) > 1:
        raise MathError("series of different lengths")
    if not lengths:
        result = fn(*values)
        if result is None:
            raise MathError("scalar arithmetic produced no value (division by zero?)")
        return result
    n = lengths.pop()
    columns = [_lift(v, n) for v in values]
    return [None if any(c[i] is None for c in columns) else fn(*(c[i] for c in columns)) for i in range(n)]


def _divide(a: float, b: float) -> float | None:
    return None if b == 0 else a / b


def _power(a: float, b: float) -> float | None:
    try:
        return float(a**b)
    except (OverflowError, ZeroDivisionError):
        return None


_ARITHMETIC: dict[str, Callable[[float, float], float | None]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divide,
    "^": _power,
    "==": lambda a, b: float(a == b),
    "!=": lambda a, b: float(a != b),
    "<": lambda a, b: float(a < b),
    "<=": lambda a, b: float(a <= b),
    ">": lambda a, b: float(a > b),
    ">=": lambda a, b: float(a >= b),
    "AND": lambda a, b: float(bool(a) and bool(b)),
    "OR": lambda a, b: float(bool(a) or bool(b)),
}


def _aggregate(name: str, args: Sequence[Value]) -> Value:
    reducers: dict[str, Callable[[list[float]], float]] = {
        "SUM": sum,
        "AVG": lambda xs: sum(xs) / len(xs),
        "MIN": min,
        "MAX": max,
    }
    reduce = reducers[name]
    if len(args) == 1 and isinstance(args[0], list) and not isinstance(args[0], _ArrayValue):
        present = [x for x in args[0] if x is not None]
        if not present:
            raise MathError(f"{name} of a series without datapoints")
        return reduce(present)
    items = list(args[0]) if len(args) == 1 and isinstance(args[0], _ArrayValue) else list(args)
    return _pointwise(lambda *xs: reduce(list(xs)), *items)


class _ArrayValue(list):  # type: ignore[type-arg]
    """The value of `[a, b]`: a list of values, kept apart from a plain series."""


def _choose(condition: Value, then: Value, otherwise: Value | None) -> Value:
    """IF point by point: only the chosen branch matters, so a guarded division by zero is fine."""
    if not isinstance(condition, list):
        picked = then if condition else otherwise
        if picked is None:
            raise MathError("IF without a false value on a scalar false condition")
        return picked
    n = len(condition)
    a = _lift(then, n)
    b = _lift(otherwise, n) if otherwise is not None else [None] * n
    if len(a) != n or len(b) != n:
        raise MathError("series of different lengths")
    return [None if c is None else (a[i] if c else b[i]) for i, c in enumerate(condition)]


def _call(name: str, args: Sequence[Value]) -> Value:
    if name == "IF":
        if len(args) not in (2, 3):
            raise MathError("IF takes 2 or 3 arguments")
        # IF(c, a) drops the datapoint where c is false.
        return _choose(args[0], args[1], args[2] if len(args) == 3 else None)
    if name == "FILL":
        if len(args) != 2 or not isinstance(args[1], float | int):
            raise MathError("FILL takes a series and a number")
        series, fill = args
        if not isinstance(series, list):
            return series
        return [fill if x is None else x for x in series]  # type: ignore[misc]
    if name == "ABS":
        return _pointwise(abs, *args)
    if name in ("SUM", "AVG", "MIN", "MAX"):
        return _aggregate(name, args)
    raise MathError(f"the evaluator does not implement {name}()")


def evaluate_expression(node: Node, env: Mapping[str, Value]) -> Value:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        if node.name not in env:
            raise MathError(f"unknown id {node.name!r}")
        return env[node.name]
    if isinstance(node, Str):
        raise MathError("strings are not values")
    if isinstance(node, Array):
        return _ArrayValue(evaluate_expression(i, env) for i in node.items)
    if isinstance(node, Unary):
        x = evaluate_expression(node.operand, env)
        if node.op == "NOT":
            return _pointwise(lambda a: float(not a), x)
        return _pointwise(lambda a: -a if node.op == "-" else a, x)
    if isinstance(node, Binary):
        return _pointwise(
            _ARITHMETIC[node.op], evaluate_expression(node.left, env), evaluate_expression(node.right, env)
        )
    return _call(node.name, [evaluate_expression(a, env) for a in node.args])


def evaluate_queries(queries: Sequence[Mapping[str, object]], data: Mapping[str, Series]) -> Series:
    """Evaluate a PutMetricAlarm `Metrics` array; `data` holds the series of each MetricStat id.

    Returns the series of the query with ReturnData true.
    """
    env: dict[str, Value] = {}
    pending = {str(q["Id"]): q for q in queries}
    for qid, q in pending.items():
        if "MetricStat" in q:
            if qid not in data:
                raise MathError(f"no datapoints given for metric {qid!r}")
            env[qid] = list(data[qid])
    # Expressions may reference each other in any order: resolve until nothing moves.
    remaining = {qid: parse(str(q["Expression"])) for qid, q in pending.items() if "Expression" in q}
    while remaining:
        ready = [qid for qid, node in remaining.items() if references(node) <= env.keys()]
        if not ready:
            raise MathError(f"unresolvable references in {', '.join(sorted(remaining))}")
        for qid in ready:
            env[qid] = evaluate_expression(remaining.pop(qid), env)
    returned = [str(q["Id"]) for q in queries if q.get("ReturnData", True)]
    if len(returned) != 1:
        raise MathError("exactly one query must have ReturnData true")
    value = env[returned[0]]
    n = max((len(v) for v in data.values()), default=1)
    return _lift(value, n) if not isinstance(value, list) else value


# ---- alarm state -------------------------------------------------------------------------------

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}


def alarm_breaching(alarm: Mapping[str, object], data: Mapping[str, Series]) -> bool:
    """Whether a metric alarm is in ALARM after the last datapoint of `data`.

    Looks at the last EvaluationPeriods datapoints and needs DatapointsToAlarm of them breaching;
    missing datapoints follow TreatMissingData: breaching counts them as breaching; notBreaching,
    ignore and missing count them as OK here (for missing/ignore CloudWatch would look further
    back or keep the state, which never makes an alarm fire on a missing datapoint either).
    """
    series = evaluate_queries(alarm["Metrics"], data)  # type: ignore[arg-type]
    n = int(alarm["EvaluationPeriods"])  # type: ignore[call-overload]
    m = int(alarm.get("DatapointsToAlarm", n))  # type: ignore[call-overload]
    threshold = float(alarm["Threshold"])  # type: ignore[arg-type]
    compare = _COMPARE[str(alarm["ComparisonOperator"])]
    breaching_missing = alarm.get("TreatMissingData") == "breaching"
    window = series[-n:]
    breaching = sum(breaching_missing if v is None else compare(v, threshold) for v in window)
    return breaching >= m


_RULE_TOKEN = re.compile(r'\s*(?:(ALARM|OK|INSUFFICIENT_DATA)\(\s*"([^"]+)"\s*\)|(AND|OR|NOT|TRUE|FALSE)|([()]))')


def rule_alarms(rule: str) -> list[tuple[str, str]]:
    """(state, alarm name) pairs a composite AlarmRule names; raises MathError if it does not parse."""
    names: list[tuple[str, str]] = []
    pos = 0
    depth = 0
    expect_operand = True
    while pos < len(rule.rstrip()):
        m = _RULE_TOKEN.match(rule, pos)
        if not m:
            raise MathError(f"AlarmRule does not parse at position {pos + 1}: {rule[pos : pos + 20]!r}")
        state, name, word, paren = m.groups()
        if state:
            if not expect_operand:
                raise MathError(f"AlarmRule: missing AND/OR before {state}(...)")
            names.append((state, name))
            expect_operand = False
        elif word in ("TRUE", "FALSE"):
            expect_operand = False
        elif word == "NOT":
            if not expect_operand:
                raise MathError("AlarmRule: NOT in operator position")
        elif word:
            if expect_operand:
                raise MathError(f"AlarmRule: {word} without a left operand")
            expect_operand = True
        elif paren == "(":
            depth += 1
        else:
            depth -= 1
            if depth < 0 or expect_operand:
                raise MathError("AlarmRule: unbalanced parentheses")
        pos = m.end()
    if depth != 0 or expect_operand:
        raise MathError("AlarmRule: incomplete rule")
    return names


def composite_firing(rule: str, states: Mapping[str, bool]) -> bool:
    """Evaluate an AlarmRule given which alarms are in ALARM (only ALARM/AND/OR/NOT/parens)."""
    python = re.sub(r'ALARM\(\s*"([^"]+)"\s*\)', lambda m: repr(bool(states[m.group(1)])), rule)
    python = python.replace("AND", "and").replace("OR", "or").replace("NOT", "not")
    if not re.fullmatch(r"[\s()]*(?:(?:True|False|and|or|not)[\s()]*)+", python):
        raise MathError(f"composite_firing handles ALARM/AND/OR/NOT only: {rule!r}")
    return bool(eval(python, {"__builtins__": {}}, {}))  # input is restricted to the tokens above


def resample(points: Sequence[float | None], step: int, period: int, how: str = "Sum") -> Series:
    """Aggregate datapoints of `step` seconds into periods (Sum, Maximum, Minimum, Average, SampleCount).

    Periods are aligned to the end of the data, like an alarm looking back from now.
    """
    if period % step:
        raise MathError("the period must be a multiple of the step")
    k = period // step
    n = len(points) // k
    start = len(points) - n * k
    out: Series = []
    for i in range(n):
        chunk = [p for p in points[start + i * k : start + (i + 1) * k] if p is not None]
        if not chunk:
            out.append(None)
        elif how == "Sum":
            out.append(math.fsum(chunk))
        elif how == "Maximum":
            out.append(max(chunk))
        elif how == "Minimum":
            out.append(min(chunk))
        elif how == "Average":
            out.append(math.fsum(chunk) / len(chunk))
        elif how == "SampleCount":
            out.append(float(len(chunk)))
        else:
            raise MathError(f"resample does not know {how}")
    return out
