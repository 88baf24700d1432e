"""What CloudWatch would compute from the generated alarms: metric math, alarm state, composite rules.

CloudWatch cannot be asked offline what an alarm would do, and moto evaluates no metric math, so
this evaluator is how the tests prove that the generated expressions compute the burn rates of
`sre_cli.slomath`. It is pure: series in, series out. Expressions are parsed by the package's own
parser (`sre_cli.targets.cloudwatch.metricmath`, what the strict validator reads); this module
refuses the functions it does not implement.

Semantics follow the CloudWatch metric-math documentation for what we generate:
- a series is a list of datapoints, `None` where CloudWatch has no datapoint;
- arithmetic and comparisons work point by point, a scalar broadcasts over a series, and an
  operation on a missing datapoint (or a division by zero) yields a missing datapoint;
- comparisons and AND/OR/NOT yield 1 or 0; IF(c, a, b) picks a where c is non-zero;
- FILL(x, v) replaces missing datapoints of x with the scalar v;
- SUM/AVG/MIN/MAX of an array `[a, b]` combine point by point; of a single series they return a
  scalar over the whole queried range (the documented single-series behaviour).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from sre_cli.targets.cloudwatch.metricmath import (
    Array,
    Literal,
    MathError,
    Node,
    Operation,
    Ref,
    parse,
    references,
    rule_tokens,
)

Series = list[float | None]
Value = float | Series


# ---- metric math ---------------------------------------------------------------------------------


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
    if isinstance(node, Literal):
        if isinstance(node.value, str):
            raise MathError("strings are not values")
        return node.value
    if isinstance(node, Ref):
        if node.name not in env:
            raise MathError(f"unknown id {node.name!r}")
        return env[node.name]
    if isinstance(node, Array):
        return _ArrayValue(evaluate_expression(i, env) for i in node.items)
    if isinstance(node, Operation):
        operands = [evaluate_expression(x, env) for x in node.operands]
        if len(operands) == 2:
            return _pointwise(_ARITHMETIC[node.op], *operands)
        if node.op == "NOT":
            return _pointwise(lambda a: float(not a), *operands)
        return _pointwise(lambda a: -a if node.op == "-" else a, *operands)
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


# ---- alarm state ---------------------------------------------------------------------------------

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


# ---- composite alarms ----------------------------------------------------------------------------


class _RuleEvaluation:
    """Recursive descent over an AlarmRule's tokens: NOT binds tighter than AND, AND than OR."""

    def __init__(self, rule: str, states: Mapping[str, bool]):
        self.tokens = rule_tokens(rule)
        self.i = 0
        self.states = states

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.tokens):
            raise MathError("AlarmRule: incomplete rule")
        self.i += 1
        return self.tokens[self.i - 1]

    def either(self) -> bool:
        value = self.both()
        while self.peek() == "OR":
            self.take()
            right = self.both()  # evaluated even when value is true: the whole rule must parse
            value = value or right
        return value

    def both(self) -> bool:
        value = self.negation()
        while self.peek() == "AND":
            self.take()
            right = self.negation()
            value = value and right
        return value

    def negation(self) -> bool:
        if self.peek() == "NOT":
            self.take()
            return not self.negation()
        return self.operand()

    def operand(self) -> bool:
        token, name = self.take()
        if token == "ALARM":
            return bool(self.states[name])
        if token in ("TRUE", "FALSE"):
            return token == "TRUE"
        if token == "(":
            value = self.either()
            if self.take()[0] != ")":
                raise MathError("AlarmRule: unbalanced parentheses")
            return value
        if name:
            raise MathError(f"composite_firing knows which alarms are in ALARM only, not {token}({name!r})")
        raise MathError(f"AlarmRule: unexpected {token}")


def composite_firing(rule: str, states: Mapping[str, bool]) -> bool:
    """Whether a composite AlarmRule is true, given which alarms are in ALARM (ALARM/TRUE/FALSE,
    AND/OR/NOT, parentheses)."""
    evaluation = _RuleEvaluation(rule, states)
    value = evaluation.either()
    if evaluation.peek() is not None:
        raise MathError(f"AlarmRule: unexpected {evaluation.peek()} after the end of the rule")
    return value


# ---- datapoints ----------------------------------------------------------------------------------


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
