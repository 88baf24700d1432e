"""The alarm documents keep the contract the Terraform module reads."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from sre_cli import slomath
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.cloudwatch import alarms, sli

from .conftest import slo_named


def test_one_document_per_service_with_the_contract_keys(documents: dict[str, dict[str, Any]]) -> None:
    assert sorted(documents) == [f"alarms/cloudwatch/{s}.json" for s in ("api", "batch", "db", "sfn")]
    for path, doc in documents.items():
        assert set(doc) == {"service", "metric_alarms", "composite_alarms"}
        assert path.endswith(f"/{doc['service']}.json")


def test_children_have_no_actions_and_composites_page_the_tier_topic(
    specs: SpecSet, documents: dict[str, dict[str, Any]]
) -> None:
    topics = {name: t.sns_topic_arn for name, t in specs.defaults.notification_targets.items()}
    for doc in documents.values():
        for name, child in doc["metric_alarms"].items():
            if name.endswith("-metrics-absent"):
                continue  # tickets on its own: test_every_slo_has_a_metrics_absent_alarm_that_tickets
            assert not any(k in child for k in ("AlarmActions", "OKActions", "InsufficientDataActions"))
            # Counts: no datapoint is no event; the queue-age gauge: no datapoint is no knowledge.
            expected = "missing" if name.startswith("batch-queue-age-") else "notBreaching"
            assert child["TreatMissingData"] == expected
        for name, composite in doc["composite_alarms"].items():
            tags = {t["Key"]: t["Value"] for t in composite["Tags"]}
            assert tags["ManagedBy"] == "sre" and tags["severity"] in ("page", "ticket")
            if name.endswith("-page-any"):
                assert composite["ActionsEnabled"] is False and "AlarmActions" not in composite
                continue
            assert composite["AlarmActions"] == composite["OKActions"] == [topics[tags["severity"]]]
            assert "#page" in composite["AlarmDescription"] or "#ticket" in composite["AlarmDescription"]
            assert "Dashboard: https://" in composite["AlarmDescription"]


def test_thresholds_are_the_tier_factors(specs: SpecSet, documents: dict[str, dict[str, Any]]) -> None:
    slo = slo_named(specs, "api-availability")
    metric = documents["alarms/cloudwatch/api.json"]["metric_alarms"]
    for tier in slo.tiers:
        for w in tier.windows:
            name = alarms.pair_name(slo, tier, w)
            for which in ("long", "short"):
                alarm = metric[f"{name}-{which}"]
                assert alarm["Threshold"] == slomath.firing_threshold(w.factor(slo.window_seconds))
                assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    # At the factor, less a billionth of it (float noise must not hide a burn at exactly 14.4x).
    assert metric["api-availability-page-1h-5m-long"]["Threshold"] == 14.3999999856
    assert metric["api-availability-ticket-3d-6h-long"]["Threshold"] == 0.999999999


def test_ticket_composites_are_suppressed_by_any_page(documents: dict[str, dict[str, Any]]) -> None:
    composite = documents["alarms/cloudwatch/db.json"]["composite_alarms"]
    assert composite["db-errors-page-any"]["AlarmRule"] == (
        'ALARM("db-errors-page-1h-5m") OR ALARM("db-errors-page-6h-30m")'
    )
    for name in ("db-errors-ticket-1d-2h", "db-errors-ticket-3d-6h"):
        assert composite[name]["ActionsSuppressor"] == "db-errors-page-any"
    assert "ActionsSuppressor" not in composite["db-errors-page-1h-5m"]


def test_windows_that_fit_are_one_datapoint_and_3d_falls_back(documents: dict[str, dict[str, Any]]) -> None:
    metric = documents["alarms/cloudwatch/api.json"]["metric_alarms"]
    one_hour = metric["api-availability-page-1h-5m-long"]
    assert (one_hour["EvaluationPeriods"], one_hour["DatapointsToAlarm"]) == (1, 1)
    assert {q["MetricStat"]["Period"] for q in one_hour["Metrics"] if "MetricStat" in q} == {3600}
    three_days = metric["api-availability-ticket-3d-6h-long"]
    assert (three_days["EvaluationPeriods"], three_days["DatapointsToAlarm"]) == (3, 3)
    assert {q["MetricStat"]["Period"] for q in three_days["Metrics"] if "MetricStat" in q} == {86400}


def test_step_functions_fetch_each_outcome_metric_once(documents: dict[str, dict[str, Any]]) -> None:
    child = documents["alarms/cloudwatch/sfn.json"]["metric_alarms"]["sfn-success-page-1h-5m-long"]
    names = [q["MetricStat"]["Metric"]["MetricName"] for q in child["Metrics"] if "MetricStat" in q]
    assert sorted(names) == sorted(
        ["ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"]
    )


def test_latency_uses_percentile_rank_and_sample_count(documents: dict[str, dict[str, Any]]) -> None:
    child = documents["alarms/cloudwatch/api.json"]["metric_alarms"]["api-latency-page-1h-5m-long"]
    stats = [q["MetricStat"]["Stat"] for q in child["Metrics"] if "MetricStat" in q]
    assert stats == ["SampleCount", "PR(:0.3)"]


def test_low_traffic_guard_on_long_window_only(documents: dict[str, dict[str, Any]]) -> None:
    metric = documents["alarms/cloudwatch/api.json"]["metric_alarms"]

    def burn(name: str) -> str:
        return next(q["Expression"] for q in metric[name]["Metrics"] if q["Id"] == "burn")

    assert burn("api-availability-page-1h-5m-long").startswith("IF(total >= 100,")
    assert burn("api-availability-page-1h-5m-short").startswith("IF(total > 0,")
    # 100 events over 3d are spread over the 3 daily sub-periods.
    assert burn("api-availability-ticket-3d-6h-long").startswith("IF(total >= 34,")


def test_output_is_deterministic(specs: SpecSet) -> None:
    first = alarms.render(specs)
    assert first == alarms.render(specs)
    for text in first.values():
        assert text == alarms.dumps(json.loads(text))
        assert json.dumps(json.loads(text), sort_keys=True) == json.dumps(json.loads(text))  # keys sorted


def test_composite_names_match_the_built_composites(specs: SpecSet) -> None:
    for slo in specs.slos:
        assert alarms.composite_names(slo) == sorted(alarms.slo_alarms(specs, slo)[1])


def test_tier_without_topic_fails_naming_the_spec(specs: SpecSet) -> None:
    targets = dict(specs.defaults.notification_targets)
    targets["ticket"] = targets["ticket"].model_copy(update={"sns_topic_arn": None})
    broken = dataclasses.replace(specs, defaults=specs.defaults.model_copy(update={"notification_targets": targets}))
    with pytest.raises(ValueError, match=r"slo/api\.yaml:\d+: SLO api-availability: the ticket tier.*snsTopicArn"):
        alarms.render(broken)


def test_window_periods() -> None:
    assert sli.event_window(300) == sli.AlarmWindow(300, 300, 1, 1)
    assert sli.event_window(slomath.DAY) == sli.AlarmWindow(slomath.DAY, slomath.DAY, 1, 1)
    assert sli.event_window(3 * slomath.DAY) == sli.AlarmWindow(3 * slomath.DAY, slomath.DAY, 3, 3)
    assert sli.event_window(90) == sli.AlarmWindow(90, 30, 3, 3)
    with pytest.raises(ValueError, match="7 days"):
        sli.event_window(8 * slomath.DAY)
    # 1h of 1m slices at 99%: more than 14.4 x 0.01 x 60 = 8.64 bad slices -> 9 of 60.
    assert sli.timeslice_window(slomath.HOUR, 60, 14.4, 0.01) == sli.AlarmWindow(3600, 60, 60, 9)
    with pytest.raises(ValueError, match="can never happen"):
        sli.timeslice_window(slomath.HOUR, 60, 14.4, 0.1)
