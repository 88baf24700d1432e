"""Strict validation of CloudWatch requests before they are written or sent.

Two layers:
1. botocore's own service model for PutMetricAlarm, PutCompositeAlarm and PutDashboard, walked
   here so that max/min lengths, enums, numeric ranges and list sizes are enforced (botocore's
   stock ParamValidator checks types and required members only) and unknown members rejected.
2. CloudWatch's semantic rules that the model does not carry (from the PutMetricAlarm,
   MetricDataQuery, PutCompositeAlarm and dashboard-body reference pages):
   - Period is 10, 20, 30 or a multiple of 60, at most 1 day for an alarm;
   - Period x EvaluationPeriods <= 7 days, and <= 1 day when Period < 1 hour;
   - DatapointsToAlarm <= EvaluationPeriods;
   - a math alarm names at most 10 metrics, exactly one query has ReturnData true, ids start
     with a lowercase letter and are unique, every id an expression uses is defined, there are
     no reference cycles, and Namespace/MetricName/Statistic/Period are not mixed with Metrics;
   - alarm expressions use no function CloudWatch refuses in alarms (SEARCH and the other
     query-language functions) and only functions known to work in alarms;
   - a composite rule parses, names only alarms that exist in the same set (not itself), at most
     100 of them; an ActionsSuppressor exists and comes with its wait and extension periods;
   - a DashboardBody is a JSON object with a `widgets` array of at most 500 widgets on the
     24-column grid, metric widgets with at most 500 metrics, alarm widgets with 1-100 alarms.

Every message starts with the dotted path of the offending field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sre_cli import placeholders, slomath
from sre_cli.slospec.validate import is_cloudwatch_statistic
from sre_cli.targets.cloudwatch import metricmath, sli

MAX_EVALUATION_RANGE = slomath.WEEK
MAX_COMPOSITE_CHILDREN = 100
MAX_WIDGETS = 500
MAX_METRICS_PER_WIDGET = 500
MAX_ALARMS_PER_WIDGET = 100
# Our own cap: the reference documents no DashboardBody size; 1 MiB keeps requests well-formed.
MAX_DASHBOARD_BODY_BYTES = 1024 * 1024
WIDGET_TYPES = {"metric", "text", "alarm", "log", "explorer", "custom"}
TREAT_MISSING_DATA = {"breaching", "notBreaching", "ignore", "missing"}
QUERY_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
DASHBOARD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$")

# Functions that query instead of computing; the metric-math reference excludes them from alarms.
BANNED_IN_ALARMS = {
    "SEARCH": "SEARCH expressions cannot be used in alarms",
    "SCHEMA": "SCHEMA() belongs to Metrics Insights queries, not alarm expressions",
    "SELECT": "Metrics Insights queries are not metric math",
    "METRICS": "METRICS() selects series dynamically; alarms need fixed metrics",
    "SORT": "SORT returns several series; an alarm watches one",
    "SLICE": "SLICE returns several series; an alarm watches one",
    "LAMBDA": "LAMBDA (custom data sources) is not supported here",
}
ALARM_FUNCTIONS = {
    "ABS",
    "AVG",
    "CEIL",
    "DATAPOINT_COUNT",
    "DIFF",
    "DIFF_TIME",
    "FILL",
    "FIRST",
    "FLOOR",
    "IF",
    "INSIGHT_RULE_METRIC",
    "LAST",
    "LOG",
    "LOG10",
    "MAX",
    "MIN",
    "MINUTE",
    "HOUR",
    "DAY",
    "DATE",
    "MONTH",
    "YEAR",
    "EPOCH",
    "PERIOD",
    "RATE",
    "REMOVE_EMPTY",
    "RUNNING_SUM",
    "SERVICE_QUOTA",
    "STDDEV",
    "SUM",
    "TIME_SERIES",
}
# Every MetricStat names one of a handful of statistics: each is checked once.
_statistic_ok = cache(is_cloudwatch_statistic)
METRIC_ALARM_ONLY_SINGLE = ("Namespace", "MetricName", "Dimensions", "Period", "Unit", "Statistic", "ExtendedStatistic")


# ---- layer 1: the botocore model -----------------------------------------------------------------


@cache
def _service_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("cloudwatch")


def _is_mapping(value: Any) -> bool:
    # Requests are plain dicts: the exact type test answers before the (much slower) ABC check.
    return type(value) is dict or isinstance(value, Mapping)


def _path(parent: str, child: str | int) -> str:
    if isinstance(child, int):
        return f"{parent}[{child}]"
    return f"{parent}.{child}" if parent else child


@dataclass
class _ShapeRules:
    """What the walk needs from a botocore shape, read once: botocore rebuilds `metadata` per access."""

    name: str
    kind: str
    meta: dict[str, Any]
    enum: frozenset[str]
    enum_text: str
    required: tuple[str, ...]
    members: dict[str, _ShapeRules]
    member: _ShapeRules | None = None


def _compile(shape: Any, memo: dict[str, _ShapeRules]) -> _ShapeRules:
    if shape.name in memo:
        return memo[shape.name]
    kind = shape.type_name
    enum = tuple(getattr(shape, "enum", None) or ())
    rules = _ShapeRules(
        name=shape.name,
        kind=kind,
        meta=dict(shape.metadata),
        enum=frozenset(enum),
        enum_text=", ".join(enum),
        required=tuple(shape.required_members) if kind == "structure" else (),
        members={},
    )
    memo[shape.name] = rules  # before recursing: shapes may be recursive
    if kind == "structure":
        rules.members = {name: _compile(member, memo) for name, member in shape.members.items()}
    elif kind == "list":
        rules.member = _compile(shape.member, memo)
    return rules


@cache
def _operation_rules(operation: str) -> _ShapeRules:
    return _compile(_service_model().operation_model(operation).input_shape, {})


# The Python types a request value of each botocore type may have, and how the error names them.
# bool is an int subclass: it passes only where the model asks for a boolean.
_ACCEPTS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "structure": (dict, "an object"),
    "list": (list, "a list"),
    "string": (str, "a string"),
    "integer": (int, "an integer"),
    "long": (int, "an integer"),
    "double": ((int, float), "a number"),
    "float": ((int, float), "a number"),
    "boolean": (bool, "true or false"),
}


def _walk(value: Any, r: _ShapeRules, where: str, problems: list[str]) -> None:
    # Runs for every field of every request: paths are built only on the way down, rules read once.
    meta = r.meta
    kind = r.kind
    at = where or r.name
    accepts = _ACCEPTS.get(kind)
    if accepts is None:
        return
    if not isinstance(value, accepts[0]) or (type(value) is bool and kind != "boolean"):
        problems.append(f"{at}: expected {accepts[1]}, got {type(value).__name__}")
        return
    if kind == "structure":
        for name in r.required:
            if name not in value:
                problems.append(f"{_path(where, name)}: required field is missing")
        members = r.members
        for name, member_value in value.items():
            member = members.get(name)
            if member is None:
                problems.append(f"{_path(where, name)}: unknown field (allowed: {', '.join(members)})")
            else:
                _walk(member_value, member, f"{where}.{name}" if where else name, problems)
    elif kind == "list":
        _check_length(len(value), meta, at, "item(s)", "item(s)", problems)
        member = r.member
        assert member is not None
        for i, item in enumerate(value):
            _walk(item, member, f"{where}[{i}]", problems)
    elif kind == "string":
        _check_length(len(value), meta, at, "character(s)", "characters", problems)
        if r.enum and value not in r.enum:
            problems.append(f"{at}: {value!r} is not one of {r.enum_text}")
        pattern = meta.get("pattern")
        if pattern and not _pattern_matches(pattern, value):
            problems.append(f"{at}: {value!r} does not match the pattern {pattern}")
    elif kind != "boolean":
        if value != value or value in (float("inf"), float("-inf")):
            problems.append(f"{at}: must be a finite number")
            return
        if "min" in meta and value < meta["min"]:
            problems.append(f"{at}: must be >= {meta['min']}, got {value}")
        if "max" in meta and value > meta["max"]:
            problems.append(f"{at}: must be <= {meta['max']}, got {value}")


def _check_length(length: int, meta: dict[str, Any], at: str, fewest: str, most: str, problems: list[str]) -> None:
    """botocore's min/max on a list's items or a string's characters (`fewest`/`most` name the unit)."""
    if "min" in meta and length < meta["min"]:
        problems.append(f"{at}: at least {meta['min']} {fewest} required, got {length}")
    if "max" in meta and length > meta["max"]:
        problems.append(f"{at}: at most {meta['max']} {most} allowed, got {length}")


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None  # a Java-only construct: leave it to the API


def _pattern_matches(pattern: str, value: str) -> bool:
    compiled = _compiled(pattern)
    return compiled is None or compiled.fullmatch(value) is not None


def check_request(operation: str, params: Mapping[str, Any], path: str = "") -> list[str]:
    problems: list[str] = []
    _walk(params, _operation_rules(operation), path, problems)
    return problems


# ---- layer 2: CloudWatch semantics ---------------------------------------------------------------


def _check_period(period: Any, where: str) -> list[str]:
    if not isinstance(period, int) or isinstance(period, bool):
        return []  # the model layer reports the type
    if not sli.legal_period(period):
        if period in sli.HIGH_RESOLUTION_PERIODS or period % 60 == 0:
            return [f"{where}: {period}s is longer than the longest alarm period, 1 day (86400)"]
        return [f"{where}: {period}s is not a valid alarm period (10, 20, 30 or a multiple of 60)"]
    return []


@cache
def _analyse(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Functions and ids of an expression; thousands of alarms share a handful of texts."""
    node = metricmath.parse(text)
    return frozenset(metricmath.functions(node)), frozenset(metricmath.references(node))


def _check_expression(text: Any, where: str, ids: set[str], own_id: str) -> tuple[list[str], set[str]]:
    if not isinstance(text, str):
        return [], set()
    try:
        functions, refs = _analyse(text)
    except metricmath.MathError as exc:
        return [f"{where}: does not parse: {exc}"], set()
    problems: list[str] = []
    for fn in sorted(functions):
        if fn in BANNED_IN_ALARMS:
            problems.append(f"{where}: {BANNED_IN_ALARMS[fn]}")
        elif fn not in ALARM_FUNCTIONS:
            problems.append(f"{where}: {fn}() is not a metric-math function usable in alarms")
    for ref in sorted(refs - ids):
        problems.append(f"{where}: references {ref!r}, which no query in Metrics defines")
    if own_id in refs:
        problems.append(f"{where}: refers to its own id {own_id!r}")
    return problems, refs & ids


def _find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    for node in sorted(graph):
        if node not in state and (found := _visit(graph, state, node, [])):
            return found
    return None


def _visit(graph: Mapping[str, set[str]], state: dict[str, int], node: str, trail: list[str]) -> list[str] | None:
    # Module-level rather than nested in _find_cycle: a recursive closure is a reference cycle,
    # garbage for the cyclic collector on every alarm checked.
    state[node] = 1
    for nxt in sorted(graph.get(node, ())):
        if state.get(nxt) == 1:
            return [*trail, node, nxt]
        if nxt not in state and (found := _visit(graph, state, nxt, [*trail, node])):
            return found
    state[node] = 2
    return None


def check_metric_queries(queries: Any, where: str) -> tuple[list[str], int | None]:
    """Rules of a math alarm's Metrics array; also returns the alarm's period (largest MetricStat period)."""
    if not isinstance(queries, list):
        return [], None
    problems: list[str] = []
    ids: list[str] = [q.get("Id") for q in queries if _is_mapping(q) and isinstance(q.get("Id"), str)]
    id_set = set(ids)
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"{where}: Id {dup!r} is used by more than one query")
    metric_count = 0
    returned = 0
    periods: list[int] = []
    graph: dict[str, set[str]] = {}
    for i, q in enumerate(queries):
        here = f"{where}[{i}]"
        if not _is_mapping(q):
            continue
        qid = q.get("Id")
        if isinstance(qid, str) and not QUERY_ID.match(qid):
            problems.append(f"{here}.Id: {qid!r} must start with a lowercase letter and hold only letters, digits, _")
        if q.get("ReturnData", True):
            returned += 1
        has_stat, has_expr = "MetricStat" in q, "Expression" in q
        if has_stat == has_expr:
            problems.append(f"{here}: give exactly one of MetricStat or Expression")
        if has_stat:
            metric_count += 1
            stat = q["MetricStat"]
            if _is_mapping(stat):
                problems.extend(_check_period(stat.get("Period"), f"{here}.MetricStat.Period"))
                if isinstance(stat.get("Period"), int):
                    periods.append(stat["Period"])
                if isinstance(stat.get("Stat"), str) and not _statistic_ok(stat["Stat"]):
                    problems.append(f"{here}.MetricStat.Stat: {stat['Stat']!r} is not a CloudWatch statistic")
        if has_expr:
            found, refs = _check_expression(q["Expression"], f"{here}.Expression", id_set, str(qid))
            problems.extend(found)
            graph[str(qid)] = refs
            if "Period" in q:
                problems.extend(_check_period(q["Period"], f"{here}.Period"))
    if metric_count > sli.MAX_METRICS_PER_ALARM:
        problems.append(f"{where}: an alarm may name at most {sli.MAX_METRICS_PER_ALARM} metrics, got {metric_count}")
    if returned != 1:
        problems.append(f"{where}: exactly one query must have ReturnData true, got {returned}")
    if cycle := _find_cycle(graph):
        problems.append(f"{where}: expressions reference each other in a cycle: {' -> '.join(cycle)}")
    return problems, max(periods) if periods else None


def check_metric_alarm(params: Mapping[str, Any], where: str = "") -> list[str]:
    """Model + semantic rules of one PutMetricAlarm request."""
    problems = check_request("PutMetricAlarm", params, where)

    def at(field: str) -> str:
        return _path(where, field)

    period: int | None = None
    if "Metrics" in params:
        for field in METRIC_ALARM_ONLY_SINGLE:
            if field in params:
                problems.append(f"{at(field)}: cannot be combined with Metrics (put it in a MetricStat)")
        found, period = check_metric_queries(params["Metrics"], at("Metrics"))
        problems.extend(found)
    elif "MetricName" in params:
        if "Period" not in params:
            problems.append(f"{at('Period')}: required for a single-metric alarm")
        if ("Statistic" in params) == ("ExtendedStatistic" in params):
            problems.append(f"{at('Statistic')}: give exactly one of Statistic or ExtendedStatistic")
        problems.extend(_check_period(params.get("Period"), at("Period")))
        period = params.get("Period") if isinstance(params.get("Period"), int) else None
    else:
        problems.append(f"{at('Metrics')}: give Metrics (metric math) or MetricName")
    if "EvaluationPeriods" not in params:
        problems.append(f"{at('EvaluationPeriods')}: required field is missing")
    if "ComparisonOperator" not in params:
        problems.append(f"{at('ComparisonOperator')}: required field is missing")
    elif "Threshold" not in params and "ThresholdMetricId" not in params:
        problems.append(f"{at('Threshold')}: give Threshold (or ThresholdMetricId for an anomaly band)")
    evaluations = params.get("EvaluationPeriods")
    if isinstance(evaluations, int) and period:
        ceiling = sli.evaluation_ceiling(period)
        if period * evaluations > ceiling:
            problems.append(
                f"{at('EvaluationPeriods')}: Period x EvaluationPeriods = {period * evaluations}s exceeds "
                f"{ceiling}s ({'1 day for periods under 1 hour' if ceiling < MAX_EVALUATION_RANGE else '7 days'})"
            )
    datapoints = params.get("DatapointsToAlarm")
    if isinstance(datapoints, int) and isinstance(evaluations, int) and datapoints > evaluations:
        problems.append(f"{at('DatapointsToAlarm')}: {datapoints} is more than EvaluationPeriods ({evaluations})")
    missing = params.get("TreatMissingData")
    if isinstance(missing, str) and missing not in TREAT_MISSING_DATA:
        problems.append(f"{at('TreatMissingData')}: {missing!r} is not one of {', '.join(sorted(TREAT_MISSING_DATA))}")
    problems.extend(_check_actions(params, where))
    problems.extend(_check_tags(params.get("Tags"), at("Tags")))
    return problems


def _arn_or_template(text: str) -> bool:
    """An ARN, or one an environment completes: placeholders are checked once filled (deploy)."""
    return bool(ARN.match(text)) or placeholders.has_placeholders(text)


def _check_actions(params: Mapping[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    for field in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        for i, arn in enumerate(params.get(field) or []):
            if isinstance(arn, str) and not _arn_or_template(arn):
                problems.append(f"{_path(_path(where, field), i)}: {arn!r} is not an ARN")
    return problems


def _check_tags(tag_list: Any, where: str) -> list[str]:
    if not isinstance(tag_list, list):
        return []
    problems: list[str] = []
    keys = [t.get("Key") for t in tag_list if _is_mapping(t)]
    for dup in sorted({k for k in keys if isinstance(k, str) and keys.count(k) > 1}):
        problems.append(f"{where}: tag key {dup!r} appears more than once")
    for i, key in enumerate(keys):
        if isinstance(key, str) and key.lower().startswith("aws:"):
            problems.append(f"{where}[{i}].Key: the aws: prefix is reserved")
    if len(tag_list) > 50:
        problems.append(f"{where}: at most 50 tags per resource, got {len(tag_list)}")
    return problems


def check_composite_alarm(params: Mapping[str, Any], known_alarms: Iterable[str], where: str = "") -> list[str]:
    """Model + semantic rules of one PutCompositeAlarm request; `known_alarms` are the alarms that will exist."""
    problems = check_request("PutCompositeAlarm", params, where)
    known = set(known_alarms)
    own = params.get("AlarmName")
    rule = params.get("AlarmRule")
    rule_at = _path(where, "AlarmRule")
    if isinstance(rule, str) and rule:
        try:
            named = metricmath.rule_alarms(rule)
        except metricmath.MathError as exc:
            problems.append(f"{rule_at}: {exc}")
            named = []
        children = {name for _, name in named}
        if own in children:
            problems.append(f"{rule_at}: a composite alarm cannot name itself ({own!r})")
        for name in sorted(children - known - {own}):
            problems.append(f"{rule_at}: names alarm {name!r}, which is not defined")
        if len(children) > MAX_COMPOSITE_CHILDREN:
            problems.append(f"{rule_at}: at most {MAX_COMPOSITE_CHILDREN} alarms per rule, got {len(children)}")
    suppressor = params.get("ActionsSuppressor")
    if suppressor is not None:
        at = _path(where, "ActionsSuppressor")
        name = suppressor.rsplit(":alarm:", 1)[-1] if isinstance(suppressor, str) else suppressor
        if name == own:
            problems.append(f"{at}: a composite alarm cannot suppress itself")
        elif name not in known:
            problems.append(f"{at}: {suppressor!r} is not a defined alarm")
        for field in ("ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod"):
            if field not in params:
                problems.append(f"{_path(where, field)}: required when ActionsSuppressor is set")
            elif isinstance(params[field], int) and params[field] < 0:
                problems.append(f"{_path(where, field)}: must be >= 0")
    else:
        for field in ("ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod"):
            if field in params:
                problems.append(f"{_path(where, field)}: only allowed with ActionsSuppressor")
    problems.extend(_check_actions(params, where))
    problems.extend(_check_tags(params.get("Tags"), _path(where, "Tags")))
    return problems


def validate_alarm_document(document: Mapping[str, Any]) -> list[str]:
    """All rules over one `alarms/cloudwatch/<service>.json` document."""
    problems: list[str] = []
    for field in ("service", "metric_alarms", "composite_alarms"):
        if field not in document:
            problems.append(f"{field}: required field is missing")
    metric = document.get("metric_alarms") or {}
    composite = document.get("composite_alarms") or {}
    if not _is_mapping(metric) or not _is_mapping(composite):
        return [*problems, "metric_alarms/composite_alarms: must be objects keyed by AlarmName"]
    for name in sorted(set(metric) & set(composite)):
        problems.append(f"composite_alarms.{name}: the name is also a metric alarm")
    known = set(metric) | set(composite)
    for name, params in metric.items():
        where = f"metric_alarms.{name}"
        if _is_mapping(params) and params.get("AlarmName") != name:
            problems.append(f"{where}.AlarmName: {params.get('AlarmName')!r} differs from its key")
        problems.extend(check_metric_alarm(params, where))
    for name, params in composite.items():
        where = f"composite_alarms.{name}"
        if _is_mapping(params) and params.get("AlarmName") != name:
            problems.append(f"{where}.AlarmName: {params.get('AlarmName')!r} differs from its key")
        problems.extend(check_composite_alarm(params, known, where))
    return problems


# ---- dashboards ----------------------------------------------------------------------------------


def check_dashboard(params: Mapping[str, Any], where: str = "") -> list[str]:
    """Model rules of PutDashboard plus the dashboard-body structure and widget limits."""
    problems = check_request("PutDashboard", params, where)
    name = params.get("DashboardName")
    if isinstance(name, str) and not DASHBOARD_NAME.match(name):
        problems.append(f"{_path(where, 'DashboardName')}: {name!r} must be 1-255 of A-Z a-z 0-9 - _")
    body_text = params.get("DashboardBody")
    at = _path(where, "DashboardBody")
    if not isinstance(body_text, str):
        return problems
    if len(body_text.encode("utf-8")) > MAX_DASHBOARD_BODY_BYTES:
        problems.append(f"{at}: {len(body_text.encode())} bytes is more than {MAX_DASHBOARD_BODY_BYTES}")
    try:
        body = json.loads(body_text)
    except json.JSONDecodeError as exc:
        return [*problems, f"{at}: not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]
    if not isinstance(body, dict):
        return [*problems, f"{at}: must be a JSON object"]
    widgets = body.get("widgets")
    if not isinstance(widgets, list):
        return [*problems, f"{at}.widgets: required array is missing"]
    if len(widgets) > MAX_WIDGETS:
        problems.append(f"{at}.widgets: at most {MAX_WIDGETS} widgets, got {len(widgets)}")
    for i, widget in enumerate(widgets):
        problems.extend(_check_widget(widget, f"{at}.widgets[{i}]"))
    return problems


def _int_in(widget: Mapping[str, Any], field: str, low: int, high: int | None, where: str) -> list[str]:
    if field not in widget:
        return []
    value = widget[field]
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        return [f"{where}.{field}: must be an integer in {low}..{high if high is not None else 'inf'}, got {value!r}"]
    return []


def _check_widget(widget: Any, where: str) -> list[str]:
    if not _is_mapping(widget):
        return [f"{where}: must be an object"]
    problems: list[str] = []
    kind = widget.get("type")
    if kind not in WIDGET_TYPES:
        problems.append(f"{where}.type: {kind!r} is not one of {', '.join(sorted(WIDGET_TYPES))}")
    problems += _int_in(widget, "x", 0, 23, where) + _int_in(widget, "y", 0, None, where)
    problems += _int_in(widget, "width", 1, 24, where) + _int_in(widget, "height", 1, 1000, where)
    x, width = widget.get("x", 0), widget.get("width", 6)
    if isinstance(x, int) and isinstance(width, int) and x + width > 24:
        problems.append(f"{where}.width: x + width = {x + width} runs past the 24-column grid")
    props = widget.get("properties")
    if not _is_mapping(props):
        return [*problems, f"{where}.properties: required object is missing"]
    if kind == "text" and not isinstance(props.get("markdown"), str):
        problems.append(f"{where}.properties.markdown: a text widget needs markdown")
    if kind == "metric":
        metrics = props.get("metrics")
        if not isinstance(metrics, list) or not metrics:
            problems.append(f"{where}.properties.metrics: a metric widget needs a non-empty metrics array")
        elif len(metrics) > MAX_METRICS_PER_WIDGET:
            problems.append(f"{where}.properties.metrics: at most {MAX_METRICS_PER_WIDGET}, got {len(metrics)}")
        for j, annotation in enumerate((props.get("annotations") or {}).get("horizontal", [])):
            if not _is_mapping(annotation) or not isinstance(annotation.get("value"), int | float):
                problems.append(f"{where}.properties.annotations.horizontal[{j}].value: must be a number")
        if "region" not in props:
            problems.append(f"{where}.properties.region: a metric widget needs its region")
    if kind == "alarm":
        alarms = props.get("alarms")
        if not isinstance(alarms, list) or not 1 <= len(alarms) <= MAX_ALARMS_PER_WIDGET:
            problems.append(f"{where}.properties.alarms: give 1-{MAX_ALARMS_PER_WIDGET} alarm ARNs")
        else:
            for j, arn in enumerate(alarms):
                if not isinstance(arn, str) or ":cloudwatch:" not in arn or not _arn_or_template(arn):
                    problems.append(f"{where}.properties.alarms[{j}]: {arn!r} is not a CloudWatch alarm ARN")
    return problems
