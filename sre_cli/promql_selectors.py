"""PromQL built from the spec's raw series selectors: one parser, one renderer, one `le` rule.

The rule generator, the report backend and the runbook queries each build different expressions
(recorded 5m rates, exact instant counts, rates for humans), but they name the same series, so
they name them here: a histogram family `x{job="api"}` becomes `x_bucket{job="api",le="0.3"}`
and `x_count{job="api"}` the same way everywhere. Pure string building, no I/O.

How clients write a bucket's `le` (what `le_values` matches):

- Go text format (client_golang's expfmt `writeFloat`): strconv 'g' with the shortest digits,
  exponent below 1e-4 and from 1e6 on: "0.3", "1", "10", "1e+06", "1e-05", "+Inf".
- OpenMetrics (client_golang's OpenMetrics output, and every ingested `le` from Prometheus 3.0
  on, which normalizes classic-histogram `le` on scrape; Prometheus 2.x's protobuf scrape too):
  the same text plus ".0" when it has neither "." nor "e": "1.0", "10.0", "1e+06".
- client_python (`floatToGoString`, text and OpenMetrics): the OpenMetrics form for every
  positive bound ("0.3", "1.0", "1e+06"). Releases before 0.26.0 wrote "1e+010" for bounds
  from 1e10 s (317 years) up; that spelling is not matched.

No client writes "0.30" or "1e+00". A histogram uses one spelling throughout, so matching every
spelling of one bound never selects two buckets.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import promql_parser

from sre_cli.promql_regex import regex_problem

HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")

# Pairs, not a dict: the parser's MatchOp is not hashable.
_OPERATORS = (
    (promql_parser.MatchOp.Equal, "="),
    (promql_parser.MatchOp.NotEqual, "!="),
    (promql_parser.MatchOp.Re, "=~"),
    (promql_parser.MatchOp.NotRe, "!~"),
)
_LEGACY_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_LEGACY_METRIC = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
# Control characters are written as \u escapes: Go's PromQL lexer takes them raw, YAML and humans less so.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# RE2 metacharacters that can occur in a label value we match literally.
_REGEX_META = re.compile(r"([\\.+*?()|\[\]{}^$])")


@dataclass(frozen=True)
class LabelMatcher:
    """One `label op "value"`; `value` is the plain text (a regex for =~ and !~), unescaped."""

    label: str
    op: str  # = != =~ !~
    value: str

    def __str__(self) -> str:
        label = self.label if _LEGACY_LABEL.fullmatch(self.label) else quote(self.label)
        return f"{label}{self.op}{quote(self.value)}"


@dataclass(frozen=True)
class SeriesSelector:
    """A parsed `metric{matchers}`; `metric` is None for a selector by labels only."""

    metric: str | None
    matchers: tuple[LabelMatcher, ...] = ()

    def __str__(self) -> str:
        matchers = self.matchers
        if self.metric is not None and not _LEGACY_METRIC.fullmatch(self.metric):
            # Prometheus 2 reads no quoted metric name: such a name is only a __name__ matcher.
            matchers = (LabelMatcher("__name__", "=", self.metric), *matchers)
        inner = ",".join(str(m) for m in matchers)
        if self.metric is None or matchers is not self.matchers:
            return f"{{{inner}}}"
        return f"{self.metric}{{{inner}}}" if inner else self.metric


def quote(text: str) -> str:
    """A PromQL double-quoted string literal of `text` (a newline may not appear raw)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    escaped = _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", escaped)
    return f'"{escaped}"'


@functools.lru_cache(maxsize=4096)  # each SLO's family is named by several generators; results are frozen
def parse_selector(text: str) -> SeriesSelector:
    """Parse a plain series selector; ValueError saying what is wrong with anything else.

    A `{__name__="x", ...}` selector becomes metric `x`, so both spellings of one series compare
    and render alike. Offsets, `@` and `or` inside braces are refused: generators put the series
    into their own ranges and functions. What Prometheus 2.42 refuses is refused too (the parser
    reads Prometheus 3): quoted names and regexes Go's regexp does not take.
    """
    node = _parse(text)
    if not isinstance(node, promql_parser.VectorSelector):
        raise ValueError(f'{text!r} must be a series selector like metric{{label="v"}}, not an expression')
    if node.offset is not None or node.at is not None:
        raise ValueError(f"{text!r} must not carry offset or @")
    if node.matchers.or_matchers:
        raise ValueError(f"{text!r}: `or` inside braces is not supported; list the selectors instead")
    if problem := matchers_problem(node):
        raise ValueError(f"{text!r}: {problem}")
    return _series_selector(node)


def _series_selector(node: Any) -> SeriesSelector:
    """A parsed vector selector's series, without offset or @ (which say when, not what)."""
    metric = node.name
    matchers = [LabelMatcher(m.name, _operator(m.op), regex_value(m.value)) for m in node.matchers.matchers]
    names = [m for m in matchers if m.label == "__name__"]
    if metric is None and len(names) == 1 and names[0].op == "=":
        metric = names[0].value
        matchers.remove(names[0])
    return SeriesSelector(metric, tuple(matchers))


def expression_selectors(text: str) -> list[SeriesSelector]:
    """The series an expression reads, each once, in order: `max(x{q="a"}) or vector(0)` -> [x{q="a"}].

    What must exist for the expression to see anything: its value may not tell (the `vector(0)`
    fallback exists forever), so absence and presence checks watch these instead. Selectors in
    ranges and subqueries count; offset and @ are dropped (the series is the same).
    """
    found: dict[str, SeriesSelector] = {}
    for node in _walk(_parse(text)):
        if isinstance(node, promql_parser.VectorSelector):
            selector = _series_selector(node)
            found.setdefault(str(selector), selector)
    return list(found.values())


# Nodes that are one operand as they stand: nothing inside them can bind to an operator outside.
_ATOMIC = (
    promql_parser.VectorSelector,
    promql_parser.MatrixSelector,
    promql_parser.SubqueryExpr,
    promql_parser.Call,
    promql_parser.AggregateExpr,
    promql_parser.ParenExpr,
    promql_parser.StringLiteral,
)


@functools.lru_cache(maxsize=4096)  # every rule, runbook query and report term of an SLO embeds its gauge
def operand(text: str) -> str:
    """`text` ready to be one operand of a binary operator, bracketed unless its parse is atomic.

    `max(x) or vector(0) <= bool 5` compares only `vector(0)`: `or`, `and`, `unless` bind looser
    than comparisons, so a user expression goes in brackets unless it is a selector, a call, an
    aggregation, a bracketed expression or a non-negative number. Unparseable text is bracketed too.
    """
    text = strip_comments(text)  # a `# comment` would swallow the operator written after it
    try:
        node = parse_promql(text)
    except (ValueError, RuntimeError):
        return f"({text})"
    if isinstance(node, _ATOMIC) or (isinstance(node, promql_parser.NumberLiteral) and node.val >= 0):
        return text
    return f"({text})"


# Where the in-process parser (Rust, Prometheus 3) is stricter than Prometheus 2.42 (Go), the text is
# reworded before parsing, keeping every value: a raw `...` string becomes the double-quoted string
# of the same value (Rust reads escapes in raw strings, Go does not), and a regex Rust's engine
# refuses but Go's takes (`aaa(?i)?`, `\Qa.b\E`, `\pL{1000}`) stands in as a marked string that
# `regex_value` turns back into the regex. What Go refuses is still refused.
_REGEX_STAND_IN = "\x00sre-regex:"
_ILLEGAL_REGEX = "illegal regex for "
_MOST_STAND_INS = 64
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`[^`]*`|#[^\n]*')


def parse_promql(text: str) -> Any:
    """`promql_parser.parse`, reading what Prometheus 2.42 reads where the Rust parser is stricter."""
    text = _STRING.sub(lambda m: quote(m.group(0)[1:-1]) if m.group(0)[0] == "`" else m.group(0), text)
    for _ in range(_MOST_STAND_INS):
        try:
            return promql_parser.parse(text)
        except ValueError as exc:
            regex = str(exc).removeprefix(_ILLEGAL_REGEX)
            if regex == str(exc) or regex_problem(regex) is not None:
                raise
            stood_in = _STRING.sub(functools.partial(_stand_in, regex=regex), text)
            if stood_in == text:
                raise
            text = stood_in
    return promql_parser.parse(text)


def _stand_in(match: re.Match[str], regex: str) -> str:
    """A quoted string literal of `regex` replaced by its stand-in; any other token as it was."""
    token = match.group(0)
    if token[0] not in "\"'":
        return token
    try:
        value = promql_parser.parse(token).val
    except (ValueError, RuntimeError):
        return token
    return quote(_REGEX_STAND_IN + regex.encode().hex()) if value == regex else token


def regex_value(value: str) -> str:
    """A matcher value as written: the regex itself where `parse_promql` stood one in."""
    if value.startswith(_REGEX_STAND_IN):
        return bytes.fromhex(value.removeprefix(_REGEX_STAND_IN)).decode()
    return value


def _parse(text: str) -> Any:
    try:
        node = parse_promql(text)
    except (ValueError, RuntimeError) as exc:
        raise ValueError(f"PromQL does not parse: {exc}") from None
    if quoted := quoted_name(text):
        raise ValueError(f"{quoted} is a quoted name (Prometheus 3 syntax); Prometheus 2 reads only plain names")
    return node


def matchers_problem(selector: Any) -> str | None:
    """Why Prometheus 2.42 refuses a parsed vector selector's matchers (or None)."""
    if selector.matchers.or_matchers:
        return "`or` inside braces is Prometheus 3 syntax; list the selectors instead"
    for m in selector.matchers.matchers:
        if m.op in (promql_parser.MatchOp.Re, promql_parser.MatchOp.NotRe) and (
            problem := regex_problem(regex_value(m.value))
        ):
            return problem
    return None


def check_expression(text: str) -> Any:
    """A PromQL expression as Prometheus 2.42 reads it, parsed: ValueError saying what it refuses."""
    node = _parse(text)
    for sub in _walk(node):
        if isinstance(sub, promql_parser.VectorSelector) and (problem := matchers_problem(sub)):
            raise ValueError(problem)
        if isinstance(sub, promql_parser.Call) and sub.func.name not in PROMETHEUS_2_42_FUNCTIONS:
            raise ValueError(f"{sub.func.name}() is not a function of Prometheus 2.42")
        if isinstance(sub, promql_parser.AggregateExpr) and str(sub.op).lower() not in PROMETHEUS_2_42_AGGREGATIONS:
            raise ValueError(f"{str(sub.op).lower()} is not an aggregation of Prometheus 2.42")
    return node


# Functions and aggregations of Prometheus 2.42 (promql/functions.go, parser/lex.go); the parser
# knows later ones too.
PROMETHEUS_2_42_FUNCTIONS = frozenset(
    [
        "abs",
        "absent",
        "absent_over_time",
        "acos",
        "acosh",
        "asin",
        "asinh",
        "atan",
        "atanh",
        "avg_over_time",
        "ceil",
        "changes",
        "clamp",
        "clamp_max",
        "clamp_min",
        "cos",
        "cosh",
        "count_over_time",
        "day_of_month",
        "day_of_week",
        "day_of_year",
        "days_in_month",
        "deg",
        "delta",
        "deriv",
        "exp",
        "floor",
        "histogram_count",
        "histogram_fraction",
        "histogram_quantile",
        "histogram_sum",
        "holt_winters",
        "hour",
        "idelta",
        "increase",
        "irate",
        "label_join",
        "label_replace",
        "last_over_time",
        "ln",
        "log10",
        "log2",
        "max_over_time",
        "min_over_time",
        "minute",
        "month",
        "pi",
        "predict_linear",
        "present_over_time",
        "quantile_over_time",
        "rad",
        "rate",
        "resets",
        "round",
        "scalar",
        "sgn",
        "sin",
        "sinh",
        "sort",
        "sort_desc",
        "sqrt",
        "stddev_over_time",
        "stdvar_over_time",
        "sum_over_time",
        "tan",
        "tanh",
        "time",
        "timestamp",
        "vector",
        "year",
    ]
)
PROMETHEUS_2_42_AGGREGATIONS = frozenset(
    ["sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "count_values", "quantile"]
)


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for attr in ("expr", "param", "lhs", "rhs", "vector_selector"):
        child = getattr(node, attr, None)
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)
    for arg in getattr(node, "args", None) or []:
        yield from _walk(arg)


_GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)|(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)"""
    r"""|(?P<word>[A-Za-z_:][A-Za-z0-9_:]*)|(?P<punct>[{}(),])|(?P<space>\s+)|(?P<other>\S)"""
)


def quoted_name(text: str) -> str | None:
    """The first quoted metric or label name (`{"metric"}`, `x{"a"="b"}`, `by ("a")`), or None."""
    contexts: list[str] = []
    previous = ""
    last_word = ""
    for m in _TOKEN.finditer(text):
        kind, token = m.lastgroup, m.group(0)
        if kind in ("comment", "space"):
            continue
        if kind == "string" and contexts and contexts[-1] == "names" and previous in ("{", "(", ","):
            return token
        if token == "{":
            contexts.append("names")
        elif token == "(":
            contexts.append("names" if last_word in _GROUPING else "call")
        elif token in ("}", ")") and contexts:
            contexts.pop()
        last_word = token.lower() if kind == "word" else ""
        previous = token if kind == "punct" else kind or ""
    return None


def strip_comments(text: str) -> str:
    """PromQL without its `# comments` (they would swallow what a generator writes after them)."""
    if "#" not in text:
        return text
    return "".join("" if m.lastgroup == "comment" else m.group(0) for m in _TOKEN.finditer(text))


def _operator(op: object) -> str:
    return next(text for parsed, text in _OPERATORS if parsed == op)


def histogram_family(text: str) -> SeriesSelector:
    """The spec's histogram selector: a named family without suffix and without an `le` matcher."""
    selector = parse_selector(text)
    if selector.metric is None:
        raise ValueError(f'histogram {text!r} must name its metric family, e.g. x_seconds{{job="api"}}')
    if selector.metric.endswith(HISTOGRAM_SUFFIXES):
        raise ValueError(f"give the histogram family without its suffix ({selector.metric.rsplit('_', 1)[0]})")
    if any(m.label == "le" for m in selector.matchers):
        raise ValueError(f"histogram {text!r} must not match on le: the latency threshold chooses the bucket")
    return selector


def histogram_series(family: str, suffix: str, *extra: LabelMatcher) -> str:
    """`x{job="api"}`, "_bucket", le -> `x_bucket{job="api",le="0.3"}`; the family's matchers first."""
    if suffix not in HISTOGRAM_SUFFIXES:
        raise ValueError(f"{suffix!r} is not a histogram series suffix ({', '.join(HISTOGRAM_SUFFIXES)})")
    selector = histogram_family(family)
    return str(SeriesSelector(f"{selector.metric}{suffix}", selector.matchers + extra))


def threshold_bucket_series(family: str, threshold: float, buckets: Sequence[float]) -> str:
    """The cumulative bucket of requests at or under `threshold`: `x_bucket{...,le=<bound>}`."""
    return histogram_series(family, "_bucket", threshold_le_matcher(threshold, buckets))


def threshold_le_matcher(threshold: float, buckets: Sequence[float]) -> LabelMatcher:
    """The `le` matcher of the bucket at `threshold` (for prose that names the bucket, too)."""
    return le_matcher(bucket_bound(threshold, buckets))


def bucket_bound(threshold: float, buckets: Sequence[float]) -> float:
    """The configured boundary the threshold names, as the client has it.

    The spec validator accepts a threshold within 1e-9 of a boundary; the `le` text comes from the
    boundary, so `ExponentialBuckets`' 0.30000000000000004 is matched by a 300ms threshold.
    """
    for bound in buckets:
        if math.isclose(threshold, bound, rel_tol=1e-9):
            return float(bound)
    raise ValueError(f"{threshold:g}s is not a bucket boundary of the histogram ({', '.join(map(str, buckets))})")


def le_matcher(bound: float) -> LabelMatcher:
    """The one matcher for the bucket at `bound`: `le="0.3"`, or `le=~"1|1\\.0"` when spellings differ."""
    spellings = le_values(bound)
    if len(spellings) == 1:
        return LabelMatcher("le", "=", spellings[0])
    return LabelMatcher("le", "=~", "|".join(_REGEX_META.sub(r"\\\1", s) for s in spellings))


def le_values(bound: float) -> tuple[str, ...]:
    """Every `le` text a client or Prometheus writes for `bound`, sorted (see the module doc)."""
    value = float(bound)
    if math.isnan(value):
        raise ValueError("a bucket boundary cannot be NaN")
    return tuple(sorted({go_float_text(value), openmetrics_float_text(value)}))


def go_float_text(value: float) -> str:
    """Go's strconv.FormatFloat(value, 'g', -1, 64), as client_golang's text format writes floats."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "0"  # -0 too: expfmt's writeFloat hardcodes f == 0
    # repr gives the shortest digits that read back as `value`, the digits Go picks too.
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    decimal_exponent = len(digits) + exponent - 1
    text = "".join(map(str, digits))
    if decimal_exponent < -4 or decimal_exponent >= 6:  # Go: eprec = 6 for the shortest form
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        body = f"{mantissa}e{'-' if decimal_exponent < 0 else '+'}{abs(decimal_exponent):02d}"
    elif exponent >= 0:
        body = text + "0" * exponent
    elif decimal_exponent >= 0:
        body = f"{text[: decimal_exponent + 1]}.{text[decimal_exponent + 1 :]}"
    else:
        body = "0." + "0" * (-decimal_exponent - 1) + text
    return ("-" if sign else "") + body


def openmetrics_float_text(value: float) -> str:
    """Prometheus' FormatOpenMetricsFloat: the Go text, with ".0" when it reads as an integer."""
    text = go_float_text(value)
    return text if any(c in text for c in ".eIN") else text + ".0"


def series_union(selectors: Sequence[str]) -> str:
    """`a or b`: present while any of the selectors has a series (presence and absence checks)."""
    if not selectors:
        raise ValueError("no selectors to join")
    return " or ".join(selectors)


# Aggregations that return their input series as they are (labels kept), not one series per group.
_SELECTING_AGGREGATIONS = {"topk", "bottomk"}


def dropped_labels(text: str, labels: Sequence[str]) -> list[str]:
    """Which of `labels` an expression's aggregations and one-to-one matchings can drop anywhere,
    in order: `max(x)` drops them all, `max by (queue) (x)` all but `queue`, `a / on(queue) b` all
    but `queue`. A grouped SLO's gauge must keep its group labels, or its groups merge into one."""
    dropped: set[str] = set()
    for node in _walk(_parse(text)):
        if isinstance(node, promql_parser.AggregateExpr) and str(node.op).lower() not in _SELECTING_AGGREGATIONS:
            modifier = node.modifier
            if modifier is None:
                dropped.update(labels)
            elif modifier.type == promql_parser.AggModifierType.By:
                dropped.update(set(labels) - set(modifier.labels))
            else:
                dropped.update(set(labels) & set(modifier.labels))
        elif isinstance(node, promql_parser.BinaryExpr) and node.modifier is not None and node.modifier.matching:
            if node.modifier.card != promql_parser.VectorMatchCardinality.OneToOne:
                continue  # group_left/right keep the many side's labels; and/or/unless keep theirs
            matching = node.modifier.matching
            if matching.type == promql_parser.LabelModifierType.Include:
                dropped.update(set(labels) - set(matching.labels))
            else:
                dropped.update(set(labels) & set(matching.labels))
    return [label for label in labels if label in dropped]
