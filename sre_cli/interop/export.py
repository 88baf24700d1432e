"""`sre.dev/v1` -> OpenSLO v1: a Service per service, an SLO with its inline SLI per spec, an
AlertPolicy (with its inline AlertCondition) per burn-rate window pair, and an
AlertNotificationTarget per notification target.

OpenSLO's AlertCondition holds one lookback window and a threshold; a pair's short window, its
budget share and low-traffic guard go into `sre.dev/*` annotations (`openslo_format`). A spec
measured by both Prometheus and CloudWatch exports the Prometheus SLI inline and the CloudWatch
one as an `SLI` object the SLO names in an annotation.
"""

from __future__ import annotations

import json
from typing import Any

from sre_cli import slomath
from sre_cli.interop import openslo_format as fmt
from sre_cli.interop.write import to_yaml
from sre_cli.promql_selectors import histogram_series, threshold_bucket_series
from sre_cli.slospec.document import CloudWatchMetric, PrometheusRatioSource
from sre_cli.slospec.model import AlertTier, Slo, SpecSet

NOTIFICATION_TARGETS_FILE = "notification-targets.yaml"
_NAME_MAX = 63


def export_files(specs: SpecSet) -> dict[str, str]:
    """File name -> OpenSLO YAML (several documents): one file per service, one for the targets."""
    files: dict[str, str] = {}
    for service, slos in specs.by_service().items():
        objects: list[dict[str, Any]] = [_object("Service", service, {"description": f"Service {service}."})]
        for slo in slos:
            objects += slo_objects(slo)
        files[f"{service}.yaml"] = _documents(objects)
    targets = notification_target_objects(specs)
    if targets:
        files[NOTIFICATION_TARGETS_FILE] = _documents(targets)
    return files


def _documents(objects: list[dict[str, Any]]) -> str:
    return "---\n".join(to_yaml(o) for o in objects)


def _object(kind: str, name: str, spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    return {"apiVersion": fmt.API_VERSION, "kind": kind, "metadata": {"name": name, **metadata}, "spec": spec}


def _name(base: str, suffix: str) -> str:
    """`<base>-<suffix>` within the 63 characters of an OpenSLO name."""
    return f"{base[: _NAME_MAX - len(suffix) - 1].rstrip('-')}-{suffix}"


def slo_objects(slo: Slo) -> list[dict[str, Any]]:
    """The SLO, its CloudWatch SLI object (when it has both sources) and its alert policies."""
    annotations: dict[str, str] = {}
    if slo.owner:
        annotations[fmt.OWNER] = slo.owner
    if slo.min_events:
        annotations[fmt.MIN_EVENTS] = str(slo.min_events)
    if slo.alerting.runbook:
        annotations[fmt.RUNBOOK] = slo.alerting.runbook
    if slo.group_by:
        annotations[fmt.GROUP_BY] = ",".join(slo.group_by)
        annotations[fmt.MAX_GROUPS] = str(slo.max_groups)
        cloudwatch = slo.indicator.body.cloudwatch
        if cloudwatch is not None and cloudwatch.groups is not None:
            groups = {label: group.model_dump() for label, group in cloudwatch.groups.items()}
            annotations[fmt.CLOUDWATCH_GROUPS] = json.dumps(groups)
    prometheus, cloudwatch = _indicator_specs(slo, annotations)
    objects: list[dict[str, Any]] = []
    inline = prometheus if prometheus is not None else cloudwatch
    if prometheus is not None and cloudwatch is not None:
        sli_name = _name(slo.name, "cloudwatch")
        annotations[fmt.CLOUDWATCH_INDICATOR] = sli_name
        objects.append(_object("SLI", sli_name, {"description": f"{slo.description} (CloudWatch)", **cloudwatch}))
    objective: dict[str, Any] = {"displayName": slo.name, "target": slo.objective}
    if slo.indicator.threshold is not None:
        t = slo.indicator.threshold
        objective.update(op=fmt.OPERATORS[t.operator], value=t.value, timeSliceTarget=1)
        window = fmt.shorthand(t.slice_seconds)
        if window is None:
            annotations[fmt.SLICE] = t.slice
            window = fmt.shorthand(slomath.MINUTE)
        objective["timeSliceWindow"] = window
    policies = [p for tier in slo.tiers for p in _alert_policies(slo, tier)]
    spec: dict[str, Any] = {
        "description": slo.description,
        "service": slo.service,
        "indicator": {"metadata": {"name": _name(slo.name, "sli")}, "spec": inline},
        "timeWindow": [_time_window(slo.window)],
        "budgetingMethod": "Timeslices" if slo.indicator.threshold is not None else "Occurrences",
        "objectives": [objective],
    }
    if policies:
        spec["alertPolicies"] = [{"alertPolicyRef": p["metadata"]["name"]} for p in policies]
    metadata: dict[str, Any] = {}
    if slo.labels:
        metadata["labels"] = dict(slo.labels)
    if annotations:
        metadata["annotations"] = annotations
    return [_object("SLO", slo.name, spec, **metadata), *objects, *policies]


def _time_window(window: str) -> dict[str, Any]:
    if window in fmt.CALENDAR:
        return {
            "duration": fmt.CALENDAR[window],
            "calendar": {"startTime": fmt.CALENDAR_START[window], "timeZone": "UTC"},
            "isRolling": False,
        }
    text = fmt.shorthand(slomath.window_seconds(window))
    return {"duration": text, "isRolling": True}


def _prometheus_query(selectors: list[str], group_by: tuple[str, ...]) -> str:
    """One selector as itself; several as the sum of their sums, which `import openslo` reads back.
    A grouped SLO's selectors are each summed by its groups."""
    if group_by:
        return " + ".join(fmt.split_by(s, group_by) for s in selectors)
    return selectors[0] if len(selectors) == 1 else " + ".join(f"sum({s})" for s in selectors)


def _prometheus_source(selectors: list[str], group_by: tuple[str, ...]) -> dict[str, Any]:
    return {"metricSource": {"type": "Prometheus", "spec": {"query": _prometheus_query(selectors, group_by)}}}


def _metric_stat(metric: CloudWatchMetric, stat: str) -> dict[str, Any]:
    return {
        "metric": {
            "namespace": metric.namespace,
            "metricName": metric.metric_name,
            "dimensions": [{"name": k, "value": v} for k, v in metric.dimensions.items()],
        },
        "stat": stat,
        "period": 60,
    }


def _cloudwatch_source(metrics: list[tuple[CloudWatchMetric, str]]) -> dict[str, Any]:
    """One metric as a `metricStat`; several as GetMetricData queries summed by an expression."""
    if len(metrics) == 1:
        spec: dict[str, Any] = {"metricStat": _metric_stat(*metrics[0])}
    else:
        queries: list[dict[str, Any]] = [
            {"id": f"m{i}", "metricStat": _metric_stat(m, stat), "returnData": False}
            for i, (m, stat) in enumerate(metrics)
        ]
        queries.append({"id": "total", "expression": " + ".join(q["id"] for q in queries), "returnData": True})
        spec = {"metricDataQueries": queries}
    return {"metricSource": {"type": "CloudWatch", "spec": spec}}


def _query_source(query: str) -> dict[str, Any]:
    return {"metricSource": {"type": "Prometheus", "spec": {"query": query}}}


def _templated_ratio(p: PrometheusRatioSource, annotations: dict[str, str]) -> dict[str, Any]:
    """An expression source as good or bad over total queries, an errorRatio as OpenSLO's `raw` failure
    ratio; the PromQL keeps its `{{.window}}` (annotated, so `import openslo` keeps the form)."""
    annotations[fmt.PROMETHEUS_SOURCE] = p.form
    if p.expression is not None:
        role = "good" if p.expression.good is not None else "bad"
        return {
            "ratioMetric": {
                "counter": False,
                role: _query_source(getattr(p.expression, role)),
                "total": _query_source(p.expression.total),
            }
        }
    assert p.error_ratio is not None
    return {"ratioMetric": {"counter": False, "rawType": "failure", "raw": _query_source(p.error_ratio)}}


def _indicator_specs(slo: Slo, annotations: dict[str, str]) -> tuple[dict | None, dict | None]:
    """The OpenSLO SLI spec of the Prometheus source and of the CloudWatch source (None if absent)."""
    ind = slo.indicator
    if ind.ratio is not None:
        prom = cw = None
        if (p := ind.ratio.prometheus) is not None and p.form != "selectors":
            prom = _templated_ratio(p, annotations)
        elif p is not None:
            if p.metric_type != "counter":
                annotations[fmt.METRIC_TYPE] = p.metric_type
            role = "good" if p.good is not None else "bad"
            prom = {
                "ratioMetric": {
                    "counter": p.metric_type == "counter",
                    role: _prometheus_source(p.selectors(role), slo.group_by),
                    "total": _prometheus_source(p.selectors("total"), slo.group_by),
                }
            }
        if (c := ind.ratio.cloudwatch) is not None:
            role = "good" if c.good is not None else "bad"
            cw = {
                "ratioMetric": {
                    "counter": False,
                    role: _cloudwatch_source([(m, m.statistic) for m in getattr(c, role)]),
                    "total": _cloudwatch_source([(m, m.statistic) for m in c.total]),
                }
            }
        return prom, cw
    if ind.latency is not None:
        lat = ind.latency
        annotations[fmt.LATENCY_THRESHOLD] = str(lat.threshold)
        prom = cw = None
        if (p := lat.prometheus) is not None and p.native:
            annotations[fmt.NATIVE_HISTOGRAM] = p.histogram
            bad, total = fmt.native_histogram_queries(p.histogram, lat.threshold_seconds, slo.group_by)
            prom = {
                "ratioMetric": {
                    "counter": True,
                    "bad": {"metricSource": {"type": "Prometheus", "spec": {"query": bad}}},
                    "total": {"metricSource": {"type": "Prometheus", "spec": {"query": total}}},
                }
            }
        elif p is not None and p.buckets is not None:
            annotations[fmt.HISTOGRAM_BUCKETS] = json.dumps(p.buckets)
            good = threshold_bucket_series(p.histogram, lat.threshold_seconds, p.buckets)
            prom = {
                "ratioMetric": {
                    "counter": True,
                    "good": _prometheus_source([good], slo.group_by),
                    "total": _prometheus_source([histogram_series(p.histogram, "_count")], slo.group_by),
                }
            }
        if (c := lat.cloudwatch) is not None:
            # TC(:t) counts the samples at or under t: the good requests.
            cw = {
                "ratioMetric": {
                    "counter": False,
                    "good": _cloudwatch_source([(c.metric, f"TC(:{lat.threshold_seconds:g})")]),
                    "total": _cloudwatch_source([(c.metric, "SampleCount")]),
                }
            }
        return prom, cw
    t = ind.threshold
    assert t is not None
    prom = cw = None
    if t.prometheus is not None:
        prom = {"thresholdMetric": {"metricSource": {"type": "Prometheus", "spec": {"query": t.prometheus.gauge}}}}
    if t.cloudwatch is not None:
        cw = {"thresholdMetric": _cloudwatch_source([(t.cloudwatch.metric, t.cloudwatch.metric.statistic)])}
    return prom, cw


def _alert_policies(slo: Slo, tier: AlertTier) -> list[dict[str, Any]]:
    """One AlertPolicy per window pair: OpenSLO's policy holds exactly one condition."""
    policies = []
    alert_after = fmt.shorthand(slomath.parse_duration(tier.for_))
    for i, window in enumerate(tier.windows, start=1):
        name = _name(slo.name, f"{tier.name}-{i}")
        cond_annotations = {
            fmt.SHORT_WINDOW: slomath.format_duration(window.short),
            fmt.BUDGET_PERCENT: repr(round(window.budget_share * 100, 10)),
        }
        lookback = fmt.shorthand(window.long)
        if lookback is None:
            cond_annotations[fmt.LONG_WINDOW] = slomath.format_duration(window.long)
            lookback = fmt.shorthand(-(-window.long // 60) * 60)
        if window.min_events is not None:
            cond_annotations[fmt.MIN_EVENTS] = str(window.min_events)
        if alert_after is None:
            cond_annotations[fmt.FOR] = tier.for_
        condition = {
            "kind": "AlertCondition",
            "metadata": {"name": name, "annotations": cond_annotations},
            "spec": {
                "description": f"{slo.name}: burn rate over {slomath.format_duration(window.long)} and "
                f"{slomath.format_duration(window.short)} at or over the {tier.name} factor",
                "severity": tier.severity,
                "condition": {
                    "kind": "burnrate",
                    "op": "gte",
                    "threshold": round(window.factor(slo.window_seconds), 10),
                    "lookbackWindow": lookback,
                    "alertAfter": alert_after or "0m",
                },
            },
        }
        policies.append(
            _object(
                "AlertPolicy",
                name,
                {
                    "description": f"{slo.name}: {tier.name} when burning fast",
                    "alertWhenNoData": False,
                    "alertWhenResolved": False,
                    "alertWhenBreaching": True,
                    "conditions": [condition],
                    "notificationTargets": [{"targetRef": tier.notify}],
                },
                annotations={fmt.TIER: tier.name},
            )
        )
    return policies


def notification_target_objects(specs: SpecSet) -> list[dict[str, Any]]:
    """defaults.yaml's targets, or the bare names the tiers notify when it defines none."""
    targets = specs.defaults.notification_targets
    names = sorted(set(targets) | {t.notify for s in specs.slos for t in s.tiers})
    objects = []
    for name in names:
        annotations: dict[str, str] = {}
        target = targets.get(name)
        parts = []
        if target is not None and target.alertmanager_receiver:
            annotations[fmt.ALERTMANAGER_RECEIVER] = target.alertmanager_receiver
            parts.append(f"Alertmanager receiver {target.alertmanager_receiver}")
        if target is not None and target.sns_topic_arn:
            annotations[fmt.SNS_TOPIC_ARN] = target.sns_topic_arn
            parts.append(f"SNS topic {target.sns_topic_arn}")
        spec = {"target": "alertmanager" if not target or target.alertmanager_receiver else "sns"}
        spec["description"] = "; ".join(parts) or f"Alertmanager receiver {name}"
        metadata = {"annotations": annotations} if annotations else {}
        objects.append(_object("AlertNotificationTarget", name, spec, **metadata))
    return objects
