"""The strict validator accepts everything we generate and rejects each broken payload, naming the field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from sre_cli.slospec.model import SpecSet
from sre_cli.targets.cloudwatch import dashboards, validator

API = "alarms/cloudwatch/api.json"
CHILD = "api-availability-page-1h-5m-long"
LATENCY_CHILD = "api-latency-page-1h-5m-long"
COMPOSITE = "api-availability-page-1h-5m"
TICKET = "api-availability-ticket-1d-2h"


def test_every_generated_document_passes(documents: dict[str, dict[str, Any]]) -> None:
    assert documents  # all four services with a CloudWatch source
    for path, doc in documents.items():
        assert validator.validate_alarm_document(doc) == [], path


def test_every_generated_request_passes_the_model_walk(specs: SpecSet, documents: dict[str, dict[str, Any]]) -> None:
    """Every request of the repository's specs meets botocore's model (moved from the fast path's tests)."""
    requests = [("PutMetricAlarm", p) for doc in documents.values() for p in doc["metric_alarms"].values()]
    requests += [("PutCompositeAlarm", p) for doc in documents.values() for p in doc["composite_alarms"].values()]
    requests += [("PutDashboard", doc) for doc in dashboards.render_documents(specs).values()]
    assert {operation for operation, _ in requests} == {"PutMetricAlarm", "PutCompositeAlarm", "PutDashboard"}
    for operation, request in requests:
        assert validator.check_request(operation, request) == [], (operation, request)


def _metric(doc: dict[str, Any], name: str = CHILD) -> dict[str, Any]:
    return doc["metric_alarms"][name]


def _composite(doc: dict[str, Any], name: str = COMPOSITE) -> dict[str, Any]:
    return doc["composite_alarms"][name]


def _query(doc: dict[str, Any], qid: str, name: str = CHILD) -> dict[str, Any]:
    return next(q for q in _metric(doc, name)["Metrics"] if q["Id"] == qid)


def _set(target: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        target(doc)[key] = value

    return apply


def _drop(target: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        del target(doc)[key]

    return apply


def _eleven_metrics(doc: dict[str, Any]) -> None:
    queries = _metric(doc)["Metrics"]
    template = next(q for q in queries if "MetricStat" in q)
    for i in range(11):
        extra = copy.deepcopy(template)
        extra["Id"] = f"extra{i}"
        queries.insert(0, extra)


def _two_return_data(doc: dict[str, Any]) -> None:
    _query(doc, "total")["ReturnData"] = True


def _no_return_data(doc: dict[str, Any]) -> None:
    _query(doc, "burn")["ReturnData"] = False


def _duplicate_id(doc: dict[str, Any]) -> None:
    _query(doc, "m1")["Id"] = "m0"


def _cycle(doc: dict[str, Any]) -> None:
    _query(doc, "total")["Expression"] = "burn + 1"


def _too_many_tags(doc: dict[str, Any]) -> None:
    _metric(doc)["Tags"] = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]


def _duplicate_tag(doc: dict[str, Any]) -> None:
    _metric(doc)["Tags"].append({"Key": "slo", "Value": "other"})


def _too_many_actions(doc: dict[str, Any]) -> None:
    _composite(doc)["AlarmActions"] = [f"arn:aws:sns:us-east-1:123456789012:t{i}" for i in range(6)]


# (case id, mutation, the field the message must name, a phrase of the reason)
BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("name-too-long", _set(_metric, "AlarmName", "x" * 256), f"metric_alarms.{CHILD}.AlarmName", "at most 255"),
    ("description-too-long", _set(_metric, "AlarmDescription", "d" * 1025), "AlarmDescription", "at most 1024"),
    ("bad-operator", _set(_metric, "ComparisonOperator", "GreaterThan"), "ComparisonOperator", "not one of"),
    ("bad-missing-data", _set(_metric, "TreatMissingData", "zero"), "TreatMissingData", "not one of"),
    ("eval-periods-zero", _set(_metric, "EvaluationPeriods", 0), "EvaluationPeriods", ">= 1"),
    ("threshold-string", _set(_metric, "Threshold", "14.4"), "Threshold", "expected a number"),
    ("unknown-field", _set(_metric, "Thresold", 1.0), "Thresold", "unknown field"),
    ("mixed-single-metric", _set(_metric, "MetricName", "RequestCount"), "MetricName", "cannot be combined"),
    (
        "period-not-minute",
        lambda d: _query(d, "m0")["MetricStat"].__setitem__("Period", 90),
        "Metrics[0].MetricStat.Period",
        "not a valid alarm period",
    ),
    (
        "period-over-a-day",
        lambda d: _query(d, "m0")["MetricStat"].__setitem__("Period", 172800),
        "Metrics[0].MetricStat.Period",
        "longest alarm period",
    ),
    ("evaluation-range-7d", _set(_metric, "EvaluationPeriods", 169), "EvaluationPeriods", "exceeds 604800"),
    (
        "evaluation-range-1d-short-period",
        lambda d: _metric(d, "api-availability-page-1h-5m-short").__setitem__("EvaluationPeriods", 289),
        "api-availability-page-1h-5m-short.EvaluationPeriods",
        "1 day for periods under 1 hour",
    ),
    ("datapoints-over-evaluations", _set(_metric, "DatapointsToAlarm", 2), "DatapointsToAlarm", "more than"),
    ("eleven-metrics", _eleven_metrics, f"{CHILD}.Metrics", "at most 10 metrics"),
    ("two-return-data", _two_return_data, f"{CHILD}.Metrics", "exactly one query must have ReturnData"),
    ("no-return-data", _no_return_data, f"{CHILD}.Metrics", "exactly one query must have ReturnData"),
    ("uppercase-id", lambda d: _query(d, "burn").__setitem__("Id", "Burn"), "Metrics[6].Id", "lowercase letter"),
    ("duplicate-id", _duplicate_id, f"{CHILD}.Metrics", "more than one query"),
    (
        "undefined-id",
        lambda d: _query(d, "burn").__setitem__("Expression", "bad / totl"),
        "Metrics[6].Expression",
        "'totl'",
    ),
    (
        "search-banned",
        lambda d: _query(d, "total").__setitem__("Expression", "SEARCH('{AWS/ApplicationELB} RequestCount', 'Sum')"),
        "Metrics[3].Expression",
        "SEARCH expressions cannot be used in alarms",
    ),
    (
        "unknown-function",
        lambda d: _query(d, "total").__setitem__("Expression", "MOVING_SUM(m0, 60)"),
        "Metrics[3].Expression",
        "MOVING_SUM() is not",
    ),
    (
        "expression-syntax",
        lambda d: _query(d, "burn").__setitem__("Expression", "IF(total > 0, bad / total"),
        "Metrics[6].Expression",
        "does not parse",
    ),
    ("cycle", _cycle, f"{CHILD}.Metrics", "cycle"),
    (
        "stat-and-expression",
        lambda d: _query(d, "m0").__setitem__("Expression", "1"),
        "Metrics[0]",
        "exactly one of MetricStat or Expression",
    ),
    (
        "bad-statistic",
        lambda d: _query(d, "m1", LATENCY_CHILD)["MetricStat"].__setitem__("Stat", "p101"),
        "Metrics[1].MetricStat.Stat",
        "not a CloudWatch statistic",
    ),
    (
        "dimension-value-too-long",
        lambda d: _query(d, "m0")["MetricStat"]["Metric"]["Dimensions"][0].__setitem__("Value", "v" * 1025),
        "Dimensions[0].Value",
        "at most 1024",
    ),
    ("too-many-tags", _too_many_tags, f"{CHILD}.Tags", "at most 50"),
    ("duplicate-tag", _duplicate_tag, f"{CHILD}.Tags", "more than once"),
    (
        "reserved-tag",
        lambda d: _metric(d)["Tags"].append({"Key": "aws:owner", "Value": "x"}),
        "Tags[6].Key",  # after ManagedBy, owner, service, severity, slo, sre:scope
        "reserved",
    ),
    (
        "rule-names-missing-alarm",
        _set(_composite, "AlarmRule", 'ALARM("nope") AND ALARM("api-availability-page-1h-5m-short")'),
        f"composite_alarms.{COMPOSITE}.AlarmRule",
        "'nope', which is not defined",
    ),
    ("rule-syntax", _set(_composite, "AlarmRule", 'ALARM("x") AND'), f"{COMPOSITE}.AlarmRule", "incomplete"),
    ("rule-self", _set(_composite, "AlarmRule", f'ALARM("{COMPOSITE}")'), f"{COMPOSITE}.AlarmRule", "itself"),
    ("rule-too-long", _set(_composite, "AlarmRule", "A" * 10241), f"{COMPOSITE}.AlarmRule", "at most 10240"),
    ("rule-missing", _drop(_composite, "AlarmRule"), f"{COMPOSITE}.AlarmRule", "required"),
    ("too-many-actions", _too_many_actions, f"{COMPOSITE}.AlarmActions", "at most 5"),
    ("action-not-arn", _set(_composite, "OKActions", ["sre-page"]), f"{COMPOSITE}.OKActions[0]", "not an ARN"),
    (
        "suppressor-unknown",
        lambda d: _composite(d, TICKET).__setitem__("ActionsSuppressor", "ghost"),
        f"{TICKET}.ActionsSuppressor",
        "not a defined alarm",
    ),
    (
        "suppressor-without-wait",
        lambda d: _composite(d, TICKET).pop("ActionsSuppressorWaitPeriod"),
        f"{TICKET}.ActionsSuppressorWaitPeriod",
        "required when ActionsSuppressor",
    ),
    (
        "name-differs-from-key",
        _set(_metric, "AlarmName", "something-else"),
        f"metric_alarms.{CHILD}.AlarmName",
        "differs from its key",
    ),
]


@pytest.mark.parametrize(("mutate", "field", "reason"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_alarm_payload_is_rejected_naming_the_field(
    documents: dict[str, dict[str, Any]], mutate: Callable[[dict[str, Any]], None], field: str, reason: str
) -> None:
    doc = documents[API]
    mutate(doc)
    problems = validator.validate_alarm_document(doc)
    assert problems, "accepted a broken payload"
    assert any(field in p and reason in p for p in problems), problems


def test_corpus_is_large_enough() -> None:
    assert len(BROKEN) + len(BROKEN_DASHBOARDS) >= 20


def _dashboard(widgets: list[dict[str, Any]], name: str = "sre-slo-api") -> dict[str, Any]:
    return {"DashboardName": name, "DashboardBody": json.dumps({"widgets": widgets})}


_TEXT = {"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {"markdown": "# hi"}}
_METRIC = {
    "type": "metric",
    "x": 0,
    "y": 2,
    "width": 12,
    "height": 6,
    "properties": {"metrics": [["AWS/ApplicationELB", "RequestCount"]], "region": "us-east-1"},
}

BROKEN_DASHBOARDS: list[tuple[str, dict[str, Any], str, str]] = [
    ("name-chars", _dashboard([_TEXT], "sre slo/api"), "DashboardName", "A-Z a-z 0-9 - _"),
    ("body-not-json", {"DashboardName": "x", "DashboardBody": "{widgets: []"}, "DashboardBody", "not JSON"),
    ("no-widgets", {"DashboardName": "x", "DashboardBody": "{}"}, "DashboardBody.widgets", "required array"),
    ("501-widgets", _dashboard([_TEXT] * 501), "DashboardBody.widgets", "at most 500"),
    ("width-25", _dashboard([{**_TEXT, "width": 25}]), "widgets[0].width", "1..24"),
    ("past-grid", _dashboard([{**_METRIC, "x": 18}]), "widgets[0].width", "24-column grid"),
    ("bad-type", _dashboard([{**_TEXT, "type": "chart"}]), "widgets[0].type", "not one of"),
    ("text-no-markdown", _dashboard([{**_TEXT, "properties": {}}]), "widgets[0].properties.markdown", "needs markdown"),
    (
        "alarm-widget-101",
        _dashboard(
            [
                {
                    **_TEXT,
                    "type": "alarm",
                    "properties": {
                        "alarms": [f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:a{i}" for i in range(101)]
                    },
                }
            ]
        ),
        "widgets[0].properties.alarms",
        "1-100",
    ),
    (
        "annotation-not-number",
        _dashboard(
            [{**_METRIC, "properties": {**_METRIC["properties"], "annotations": {"horizontal": [{"value": "14"}]}}}]
        ),
        "annotations.horizontal[0].value",
        "must be a number",
    ),
    (
        "metric-no-region",
        _dashboard([{**_METRIC, "properties": {"metrics": [["A", "B"]]}}]),
        "properties.region",
        "region",
    ),
    ("name-missing", {"DashboardBody": json.dumps({"widgets": []})}, "DashboardName", "required"),
]


@pytest.mark.parametrize(
    ("payload", "field", "reason"), [c[1:] for c in BROKEN_DASHBOARDS], ids=[c[0] for c in BROKEN_DASHBOARDS]
)
def test_broken_dashboard_is_rejected_naming_the_field(payload: dict[str, Any], field: str, reason: str) -> None:
    problems = validator.check_dashboard(payload)
    assert any(field in p and reason in p for p in problems), problems


def test_valid_dashboard_passes() -> None:
    assert validator.check_dashboard(_dashboard([_TEXT, _METRIC])) == []


def test_model_layer_catches_what_stock_botocore_skips() -> None:
    """botocore's ParamValidator accepts an over-long name and a bad enum; ours does not."""
    from botocore.validate import ParamValidator

    model = validator._service_model().operation_model("PutCompositeAlarm").input_shape
    params = {"AlarmName": "x" * 300, "AlarmRule": 'ALARM("a")'}
    assert not ParamValidator().validate(params, model).has_errors()
    assert any("AlarmName" in p and "at most 255" in p for p in validator.check_request("PutCompositeAlarm", params))
