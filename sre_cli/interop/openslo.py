"""OpenSLO v1 -> `sre.dev/v1`: one sre SLO per objective of each `SLO` object.

Objects may reference each other across the files given (`indicatorRef` -> `SLI`,
`alertPolicyRef` -> `AlertPolicy`, `conditionRef` -> `AlertCondition`, `targetRef` ->
`AlertNotificationTarget`, `metricSourceRef` -> `DataSource`), so all files are read first.
`sre.dev/*` annotations written by `sre export openslo` are read back (`openslo_format`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from sre_cli import slomath
from sre_cli.interop import common
from sre_cli.interop import openslo_format as fmt
from sre_cli.interop.queries import EventSelectors, MixedGrouping, NotACount, event_selectors, shared_group_by
from sre_cli.interop.report import ImportedSlo, ImportResult, SourceObject
from sre_cli.interop.source import SourceFile
from sre_cli.promql_selectors import histogram_family, parse_selector
from sre_cli.promql_window import WINDOW, on_window, template_problem
from sre_cli.sli_sources import APPROXIMATE
from sre_cli.slospec.document import MOST_GROUPS, CloudWatchGroup
from sre_cli.slospec.errors import SpecError
from sre_cli.slospec.resolve import TIER_DEFAULT_FOR
from sre_cli.slospec.yamlpos import YamlDocument

KINDS = ("SLO", "SLI", "Service", "AlertPolicy", "AlertCondition", "AlertNotificationTarget", "DataSource")
_CLOUDWATCH_SUM = re.compile(r"^\s*(\w+)(\s*\+\s*\w+)*\s*$")
_TC = re.compile(r"^TC\(:(\d+(?:\.\d+)?)\)$")
_CLOUDWATCH_GROUPS = TypeAdapter(dict[str, CloudWatchGroup])


@dataclass
class Catalog:
    """Every OpenSLO object given, by kind and name, with where it was read."""

    objects: dict[str, dict[str, tuple[SourceFile, YamlDocument, dict[str, Any]]]] = field(default_factory=dict)

    def get(self, kind: str, name: object) -> dict[str, Any] | None:
        found = self.objects.get(kind, {}).get(str(name))
        return found[2] if found else None


def import_files(sources: list[SourceFile]) -> ImportResult:
    result = ImportResult()
    catalog = Catalog()
    for src in sources:
        for doc in src.documents:
            data = doc.data
            if not (isinstance(data, dict) and data.get("apiVersion") == fmt.API_VERSION):
                pos = doc.position_of(("apiVersion",))
                result.errors.append(
                    SpecError(src.path, pos.line, pos.col, "apiVersion", f"not OpenSLO: expected {fmt.API_VERSION}")
                )
                continue
            kind, name = data.get("kind"), (data.get("metadata") or {}).get("name")
            if kind not in KINDS or not isinstance(name, str) or not isinstance(data.get("spec"), dict):
                pos = doc.position_of(("kind",))
                why = f"kind {kind!r} with metadata.name and spec (kinds: {', '.join(KINDS)})"
                result.errors.append(SpecError(src.path, pos.line, pos.col, "kind", f"unreadable OpenSLO: {why}"))
                continue
            catalog.objects.setdefault(kind, {})[name] = (src, doc, data)
    if result.errors:
        return result
    for name, (_src, _doc, data) in catalog.objects.get("AlertNotificationTarget", {}).items():
        annotations = (data.get("metadata") or {}).get("annotations") or {}
        target = {"alertmanagerReceiver": annotations.get(fmt.ALERTMANAGER_RECEIVER, name)}
        if fmt.SNS_TOPIC_ARN in annotations:
            target["snsTopicArn"] = annotations[fmt.SNS_TOPIC_ARN]
        result.notification_targets[name] = target
    for _name, (src, doc, data) in catalog.objects.get("SLO", {}).items():
        objectives = data["spec"].get("objectives")
        if not isinstance(objectives, list) or not objectives:
            pos = doc.position_of(("spec", "objectives"))
            result.errors.append(SpecError(src.path, pos.line, pos.col, "spec.objectives", "required: a list"))
            continue
        for i in range(len(objectives)):
            obj = SourceObject(src.path, doc, ("spec", "objectives", i), "")
            obj.title = f"OpenSLO SLO {data['metadata']['name']!r} objective {i}"
            imported = _import_objective(obj, catalog, data, i)
            result.add(obj, imported, src.import_comments("openslo", doc.start.line))
    return result


def _import_objective(obj: SourceObject, catalog: Catalog, data: dict[str, Any], index: int) -> ImportedSlo | None:
    meta, spec = data["metadata"], data["spec"]
    objective = spec["objectives"][index]
    annotations = meta.get("annotations") or {}
    many = len(spec["objectives"]) > 1
    if many:
        suffix = objective.get("displayName") or str(index)
        name = common.name_field(
            obj, ("metadata", "name"), "metadata.name", f"{meta['name']}-{suffix}", "SLO", absolute=True
        )
        obj.approximated((), "objectives", f"one sre SLO per objective: this one is {name!r}")
    else:
        name = common.name_field(obj, ("metadata", "name"), "metadata.name", meta["name"], "SLO", absolute=True)
    service = common.name_field(
        obj, ("spec", "service"), "spec.service", str(spec.get("service") or name), "service", absolute=True
    )
    target = objective.get("target")
    percent = objective.get("targetPercent")
    value = round(target * 100, 10) if isinstance(target, int | float) else percent
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 100:
        obj.not_mapped((), "target", "needs target in (0, 1) or targetPercent in (0, 100)")
        return None
    obj.exact((), "target" if target is not None else "targetPercent", "as spec.objective")
    description = spec.get("description") or meta.get("displayName")
    if isinstance(description, str) and description.strip():
        obj.exact(("spec", "description"), "spec.description", absolute=True)
    else:
        description = f"OpenSLO SLO {meta['name']}."
        obj.approximated(("spec",), "spec.description", "missing; sre requires one: a placeholder", absolute=True)
    window = _window(obj, spec.get("timeWindow"))
    doc = common.new_document(name, service, description.strip(), common.number(value), window)
    if fmt.OWNER in annotations:
        doc["metadata"]["owner"] = annotations[fmt.OWNER]
    labels: dict[str, str] = {}
    common.add_labels(obj, labels, meta.get("labels"), ("metadata", "labels"), "metadata.labels", absolute=True)
    if labels:
        doc["metadata"]["labels"] = labels
    counts: list[EventSelectors] = []
    indicator = _indicator(obj, catalog, spec, objective, annotations, counts)
    if indicator is None:
        return None
    doc["spec"]["indicator"] = indicator
    _grouping(obj, doc, annotations, counts)
    alerting = _alerting(obj, catalog, spec, annotations, slomath.window_seconds(window))
    if alerting:
        doc["spec"]["alerting"] = alerting
    obj.imported_as = name
    return ImportedSlo(service, name, doc)


def _window(obj: SourceObject, windows: Any) -> str:
    here = ("spec", "timeWindow")
    if not isinstance(windows, list) or not windows or not isinstance(windows[0], dict):
        obj.approximated(here, "spec.timeWindow", "missing: sre's default 30d rolling window", absolute=True)
        return "30d"
    tw = windows[0]
    parsed = fmt.shorthand_seconds(tw.get("duration"))
    if "calendar" in tw and tw.get("isRolling") is not True:
        calendar = tw["calendar"] if isinstance(tw["calendar"], dict) else {}
        kind = {"1M": "month", "1w": "week", "7d": "week"}.get(str(tw.get("duration")))
        if kind is not None:
            if calendar.get("timeZone", "UTC") in ("UTC", "Etc/UTC"):
                obj.exact((*here, 0), "spec.timeWindow", f"as the calendar window {kind}", absolute=True)
            else:
                why = f"calendar {kind} in {calendar.get('timeZone')}; sre's calendar windows start in UTC"
                obj.approximated((*here, 0), "spec.timeWindow", why, absolute=True)
            return kind
        obj.approximated(
            (*here, 0), "spec.timeWindow", "only 1M and 1w calendar windows exist in sre: rolling", absolute=True
        )
    if parsed is None or parsed[0] < slomath.DAY:
        obj.approximated((*here, 0), "spec.timeWindow", "unreadable or under 1d: sre's default 30d", absolute=True)
        return "30d"
    seconds, exact = parsed
    text = str(tw["duration"]) if exact else slomath.format_duration(seconds)
    if exact and "calendar" not in tw:
        obj.exact((*here, 0), "spec.timeWindow", absolute=True)
    elif not exact:
        obj.approximated((*here, 0), "spec.timeWindow", f"{tw['duration']} read as {text}", absolute=True)
    return text


def _sli_spec(obj: SourceObject, catalog: Catalog, holder: dict[str, Any], where: str) -> dict[str, Any] | None:
    if isinstance(holder.get("indicator"), dict):
        body = holder["indicator"].get("spec")
        return body if isinstance(body, dict) else None
    if "indicatorRef" in holder:
        sli = catalog.get("SLI", holder["indicatorRef"])
        if sli is None:
            # The objective's own reference is inside the source object; the SLO's is in its spec.
            path = ("indicatorRef",) if where == "objective" else ("spec", "indicatorRef")
            why = "no SLI of that name in the files given"
            obj.not_mapped(path, f"{where}.indicatorRef", why, absolute=where != "objective")
        return sli["spec"] if sli else None
    return None


def _source_type(catalog: Catalog, source: dict[str, Any]) -> str:
    kind = source.get("type")
    if not kind and "metricSourceRef" in source:
        ds = catalog.get("DataSource", source["metricSourceRef"])
        kind = (ds or {}).get("spec", {}).get("type")
    return str(kind or "").lower()


def _metric_source(part: Any) -> dict[str, Any]:
    return part.get("metricSource") if isinstance(part, dict) and isinstance(part.get("metricSource"), dict) else {}


def _indicator(
    obj: SourceObject,
    catalog: Catalog,
    spec: dict[str, Any],
    objective: dict[str, Any],
    annotations: dict[str, Any],
    counts: list[EventSelectors],
) -> dict[str, Any] | None:
    """The objective's SLI(s) as the spec's indicator; the Prometheus counts read are added to `counts`."""
    sli = _sli_spec(obj, catalog, objective, "objective") or _sli_spec(obj, catalog, spec, "spec")
    if sli is None:
        obj.not_mapped(
            ("spec",), "spec.indicator", "no inline indicator and no indicatorRef to a given SLI", absolute=True
        )
        return None
    slis = [sli]
    if fmt.CLOUDWATCH_INDICATOR in annotations:
        extra = catalog.get("SLI", annotations[fmt.CLOUDWATCH_INDICATOR])
        if extra is None:
            obj.not_mapped(("metadata", "annotations"), fmt.CLOUDWATCH_INDICATOR, "no SLI of that name", absolute=True)
        else:
            slis.append(extra["spec"])
    given = _Given(catalog, objective, annotations, spec.get("budgetingMethod"), counts)
    merged: dict[str, Any] = {}
    for one in slis:
        part = _one_indicator(obj, given, one)
        if part is None:
            return None
        for kind, body in part.items():
            merged.setdefault(kind, {}).update(body)
    if len(merged) != 1:
        obj.not_mapped(("spec",), "indicator", "the SLIs given are of different kinds", absolute=True)
        return None
    return merged


@dataclass(frozen=True)
class _Given:
    """What mapping each SLI of an objective reads besides the SLI: the objects given, the objective
    (op, value, time slices), the SLO's `sre.dev/*` annotations and its budgetingMethod; and where
    it leaves the Prometheus counts it read (their `sum by` are the SLO's groups)."""

    catalog: Catalog
    objective: dict[str, Any]
    annotations: dict[str, Any]
    method: Any
    counts: list[EventSelectors]


def _one_indicator(obj: SourceObject, given: _Given, sli: dict[str, Any]) -> dict[str, Any] | None:
    here = ("spec", "indicator")
    if isinstance(sli.get("thresholdMetric"), dict):
        return _threshold(obj, given, sli["thresholdMetric"])
    ratio = sli.get("ratioMetric")
    if not isinstance(ratio, dict):
        obj.not_mapped(here, "indicator", "neither ratioMetric nor thresholdMetric", absolute=True)
        return None
    if "raw" in ratio:
        return _raw_ratio(obj, given, ratio)
    if given.method not in (None, "Occurrences"):
        why = f"{given.method}: sre counts events over the window for ratio SLIs (Occurrences)"
        obj.approximated(("spec", "budgetingMethod"), "spec.budgetingMethod", why, absolute=True)
    role = "good" if "good" in ratio else "bad"
    sources = {r: _metric_source(ratio.get(r)) for r in (role, "total")}
    if fmt.NATIVE_HISTOGRAM in given.annotations:
        return _native_latency(obj, sources, role, given.annotations)
    kinds = {_source_type(given.catalog, s) for s in sources.values()}
    if kinds == {"cloudwatch"}:
        return _cloudwatch_ratio(obj, sources, role, given.annotations)
    if kinds != {"prometheus"}:
        obj.not_mapped(
            here, "metricSource.type", f"{', '.join(sorted(kinds))}: only Prometheus and CloudWatch", absolute=True
        )
        return None
    queries = {r: _prometheus_query(source) for r, source in sources.items()}
    if given.annotations.get(fmt.PROMETHEUS_SOURCE) == "expression" or any(_not_a_count(q) for q in queries.values()):
        return _expression(obj, given, queries, role)
    selectors: dict[str, list[str]] = {}
    for r, query in queries.items():
        found = event_selectors(query, templated=False)
        if len(found.selectors) > common.MAX_SELECTORS:
            obj.not_mapped(here, f"ratioMetric.{r}", "more than 8 selectors", absolute=True)
            return None
        selectors[r] = found.selectors
        given.counts.append(found)
        if found.fixed_ranges:
            why = "a fixed range in the query: sre applies its own windows"
            obj.approximated(here, f"ratioMetric.{r}", why, absolute=True)
        else:
            obj.exact(here, f"ratioMetric.{r}", f"as selector(s) {', '.join(found.selectors)}", absolute=True)
    latency = _as_latency(obj, selectors, role, given.annotations)
    if latency is not None:
        return latency
    out: dict[str, Any] = {
        role: common.selector_value(selectors[role]),
        "total": common.selector_value(selectors["total"]),
    }
    if ratio.get("counter") is False:
        out = {"metricType": "periodSum", **out}
        if given.annotations.get(fmt.METRIC_TYPE) == "periodSum":
            obj.exact(here, "ratioMetric.counter", "false, with sre.dev/metric-type: periodSum", absolute=True)
        else:
            why = "false: read as per-period event counts (periodSum, summed with sum_over_time)"
            obj.approximated(here, "ratioMetric.counter", why, absolute=True)
    return {"ratio": {"prometheus": out}}


def _prometheus_query(source: dict[str, Any]) -> str:
    spec = source.get("spec") or {}
    return str(spec.get("query") or spec.get("promql"))


def _not_a_count(query: str) -> bool:
    try:
        event_selectors(query, templated=False)
    except NotACount:
        return True
    return False


def _window_template(obj: SourceObject, query: str, field: str) -> tuple[str, bool] | None:
    """The query templated on `{{.window}}` and whether that replaced its fixed ranges; None (reported
    as not mapped) when it cannot be."""
    here = ("spec", "indicator")
    templated, replaced = (query, False) if WINDOW in query else on_window(query)
    problem = None if replaced or WINDOW in query else "the query has no range to put the SLO's windows in"
    if problem is None:
        problem = template_problem(templated)
    if problem is not None:
        obj.not_mapped(here, field, f"not mappable: {problem}", absolute=True)
        return None
    return templated, replaced


def _expression(obj: SourceObject, given: _Given, queries: dict[str, str], role: str) -> dict[str, Any] | None:
    """Queries that are no sums of selectors: the spec's `expression` source, ranges put on `{{.window}}`."""
    here = ("spec", "indicator")
    out: dict[str, str] = {}
    for r, query in queries.items():
        templated = _window_template(obj, query, f"ratioMetric.{r}")
        if templated is None:
            return None
        out[r], replaced = templated
        if replaced:
            why = f"as expression.{r}, its fixed range(s) put on {WINDOW}: sre applies its own windows"
            obj.approximated(here, f"ratioMetric.{r}", why, absolute=True)
        else:
            obj.exact(here, f"ratioMetric.{r}", f"as expression.{r}, the PromQL kept as written", absolute=True)
    return {"ratio": {"prometheus": {"expression": {role: out[role], "total": out["total"]}}}}


def _raw_ratio(obj: SourceObject, given: _Given, ratio: dict[str, Any]) -> dict[str, Any] | None:
    """`ratioMetric.raw`: a precomputed ratio without event counts, the spec's `errorRatio` (averaged)."""
    here, field = ("spec", "indicator"), "ratioMetric.raw"
    source = _metric_source(ratio.get("raw"))
    if _source_type(given.catalog, source) != "prometheus":
        obj.not_mapped(here, field, "a precomputed ratio maps only from Prometheus (errorRatio)", absolute=True)
        return None
    raw_type = ratio.get("rawType")
    if raw_type not in ("success", "failure"):
        obj.not_mapped(here, "ratioMetric.rawType", "must be success or failure", absolute=True)
        return None
    templated = _window_template(obj, _prometheus_query(source), field)
    if templated is None:
        return None
    query = templated[0] if raw_type == "failure" else f"1 - ({templated[0]})"
    why = f"as errorRatio{'' if raw_type == 'failure' else ' = 1 - the success ratio'}; without event counts "
    obj.approximated(here, field, why + f"its windows are {APPROXIMATE}", absolute=True)
    return {"ratio": {"prometheus": {"errorRatio": query}}}


def _native_latency(
    obj: SourceObject, sources: dict[str, Any], role: str, annotations: dict[str, Any]
) -> dict[str, Any] | None:
    """A latency SLI over a native histogram, as `sre export openslo` writes it: the histogram and
    threshold from the annotations, the queries checked against what they give."""
    here = ("metadata", "annotations")
    histogram, threshold = annotations.get(fmt.NATIVE_HISTOGRAM), annotations.get(fmt.LATENCY_THRESHOLD)
    try:
        if threshold is None:
            raise ValueError(f"{fmt.LATENCY_THRESHOLD} is missing")
        seconds = slomath.parse_latency(threshold)
        family = str(histogram_family(str(histogram)))
    except (TypeError, ValueError) as exc:
        why = f"{fmt.NATIVE_HISTOGRAM} needs a histogram and {fmt.LATENCY_THRESHOLD} a latency: {exc}"
        obj.not_mapped(here, "native histogram", why, absolute=True)
        return None
    written = {r: ((source or {}).get("spec") or {}).get("query") for r, source in sources.items()}
    bad, total = fmt.native_histogram_queries(family, seconds, _annotated_group_by(annotations))
    if written != {"bad": bad, "total": total}:
        why = f"the queries are not those of {fmt.NATIVE_HISTOGRAM}; the annotations are read"
        obj.approximated(("spec", "indicator"), "ratioMetric", why, absolute=True)
    else:
        obj.exact(here, "native histogram", f"from {fmt.NATIVE_HISTOGRAM}: {family}", absolute=True)
    return {"latency": {"threshold": threshold, "prometheus": {"histogram": family, "native": True}}}


def _annotated_group_by(annotations: dict[str, Any]) -> list[str]:
    return [label.strip() for label in str(annotations.get(fmt.GROUP_BY, "")).split(",") if label.strip()]


def _grouping(
    obj: SourceObject, doc: dict[str, Any], annotations: dict[str, Any], counts: list[EventSelectors]
) -> None:
    """The SLO's groups: `sre.dev/group-by` and `sre.dev/max-groups` as `sre export openslo` writes
    them, else the `sum by (<labels>)` every Prometheus count of the SLI splits by."""
    if fmt.GROUP_BY in annotations:
        here = ("metadata", "annotations")
        annotated = _annotated_group_by(annotations)
        if not common.group_by(obj, doc, annotated, here, fmt.GROUP_BY, absolute=True):
            return
        if counts and (split := _query_split(counts)) != set(annotated):
            why = f"the queries split by {split or 'nothing'}; the annotation's groups were taken"
            obj.approximated(here, fmt.GROUP_BY, why, absolute=True)
        if fmt.MAX_GROUPS in annotations:
            text = str(annotations[fmt.MAX_GROUPS])
            if text.isdigit() and 1 <= int(text) <= MOST_GROUPS:
                doc["spec"]["indicator"]["maxGroups"] = int(text)
                obj.exact(here, fmt.MAX_GROUPS, "as spec.indicator.maxGroups", absolute=True)
            else:
                why = f"{text!r}: a whole number from 1 to {MOST_GROUPS}; the default applies"
                obj.not_mapped(here, fmt.MAX_GROUPS, why, absolute=True)
        if fmt.CLOUDWATCH_GROUPS in annotations:
            _cloudwatch_groups(obj, doc, annotations[fmt.CLOUDWATCH_GROUPS])
        return
    here, field = ("spec", "indicator"), "ratioMetric grouping"
    try:
        labels = shared_group_by(*counts)
    except MixedGrouping as exc:
        obj.approximated(here, field, f"{exc}: the SLI covers all series", absolute=True)
        return
    common.group_by(obj, doc, labels, here, field, absolute=True)


def _query_split(counts: list[EventSelectors]) -> set[str] | str:
    """The labels the counts split by alike, or why they do not split alike."""
    try:
        return set(shared_group_by(*counts))
    except MixedGrouping as exc:
        return str(exc)


def _cloudwatch_groups(obj: SourceObject, doc: dict[str, Any], text: Any) -> None:
    """`sre.dev/cloudwatch-groups`: how the CloudWatch source enumerates each group label."""
    here = ("metadata", "annotations")
    body = next(v for v in doc["spec"]["indicator"].values() if isinstance(v, dict))
    if "cloudwatch" not in body:
        obj.not_mapped(here, fmt.CLOUDWATCH_GROUPS, "the SLI has no CloudWatch source", absolute=True)
        return
    try:
        groups = _CLOUDWATCH_GROUPS.validate_json(str(text))
    except ValidationError as exc:
        why = f"not a JSON map of label -> {{dimension, values}}: {exc.errors()[0]['msg']}"
        obj.not_mapped(here, fmt.CLOUDWATCH_GROUPS, why, absolute=True)
        return
    body["cloudwatch"]["groups"] = {label: group.model_dump() for label, group in groups.items()}
    obj.exact(here, fmt.CLOUDWATCH_GROUPS, "as the CloudWatch source's groups", absolute=True)


def _as_latency(
    obj: SourceObject, selectors: dict[str, list[str]], role: str, annotations: dict[str, Any]
) -> dict[str, Any] | None:
    """good = x_bucket{le="t"} over total = x_count: a latency SLI over histogram x."""
    if role != "good" or len(selectors["good"]) != 1 or len(selectors["total"]) != 1:
        return None
    good, total = parse_selector(selectors["good"][0]), parse_selector(selectors["total"][0])
    le = [m for m in good.matchers if m.label == "le"]
    if not (good.metric or "").endswith("_bucket") or len(le) != 1:
        return None
    family = type(good)((good.metric or "").removesuffix("_bucket"), tuple(m for m in good.matchers if m.label != "le"))
    if total.metric != f"{family.metric}_count" or set(total.matchers) != set(family.matchers):
        return None
    threshold: Any = annotations.get(fmt.LATENCY_THRESHOLD) or le[0].value.split("|")[0]
    try:
        slomath.parse_latency(threshold)
    except ValueError:
        threshold = float(threshold)
    buckets = annotations.get(fmt.HISTOGRAM_BUCKETS)
    if buckets:
        bucket_list = json.loads(buckets)
        obj.exact(("metadata", "annotations"), "histogram buckets", f"from {fmt.HISTOGRAM_BUCKETS}", absolute=True)
    else:
        bucket_list = [slomath.parse_latency(threshold)]
        why = "only the threshold's bucket is named; list the histogram's other boundaries for dashboards"
        obj.approximated(("spec", "indicator"), "prometheus.buckets", why, absolute=True)
    return {"latency": {"threshold": threshold, "prometheus": {"histogram": str(family), "buckets": bucket_list}}}


def _cloudwatch_metrics(
    obj: SourceObject, source: dict[str, Any], what: str
) -> list[tuple[dict[str, Any], str]] | None:
    """[(sre CloudWatch metric, statistic)] of a CloudWatch metricSource: a metricStat or summed queries."""
    spec = source.get("spec") or {}
    stats: list[dict[str, Any]] = []
    if isinstance(spec.get("metricStat"), dict):
        stats = [spec["metricStat"]]
    elif isinstance(spec.get("metricDataQueries"), list):
        queries = spec["metricDataQueries"]
        by_id = {q.get("id"): q for q in queries if isinstance(q, dict)}
        returned = [q for q in queries if isinstance(q, dict) and q.get("returnData", True) is not False]
        if (
            len(returned) != 1
            or "expression" not in returned[0]
            or not _CLOUDWATCH_SUM.match(returned[0]["expression"])
        ):
            obj.not_mapped(("spec",), what, "metricDataQueries other than a plain sum of metricStats", absolute=True)
            return None
        ids = [part.strip() for part in returned[0]["expression"].split("+")]
        if not all(isinstance(by_id.get(i, {}).get("metricStat"), dict) for i in ids):
            obj.not_mapped(("spec",), what, "the expression names a query without metricStat", absolute=True)
            return None
        stats = [by_id[i]["metricStat"] for i in ids]
    else:
        obj.not_mapped(("spec",), what, "a CloudWatch source needs metricStat or metricDataQueries", absolute=True)
        return None
    out = []
    for stat in stats:
        metric = stat.get("metric") or {}
        dims = {d.get("name"): d.get("value") for d in metric.get("dimensions") or [] if isinstance(d, dict)}
        cw: dict[str, Any] = {"namespace": metric.get("namespace"), "metricName": metric.get("metricName")}
        if dims:
            cw["dimensions"] = dims
        out.append((cw, str(stat.get("stat", "Sum"))))
    obj.exact(("spec",), what, "as the CloudWatch source", absolute=True)
    return out


def _with_stat(metric: dict[str, Any], stat: str) -> dict[str, Any]:
    return metric if stat == "Sum" else {**metric, "statistic": stat}


def _cloudwatch_ratio(
    obj: SourceObject, sources: dict[str, dict[str, Any]], role: str, annotations: dict[str, Any]
) -> dict[str, Any] | None:
    parts = {r: _cloudwatch_metrics(obj, s, f"ratioMetric.{r} (CloudWatch)") for r, s in sources.items()}
    if any(p is None for p in parts.values()):
        return None
    good, total = parts[role], parts["total"]
    assert good is not None and total is not None
    tc = _TC.match(good[0][1]) if len(good) == 1 else None
    if role == "good" and tc and len(total) == 1 and total[0][1] == "SampleCount" and good[0][0] == total[0][0]:
        threshold = annotations.get(fmt.LATENCY_THRESHOLD) or float(tc.group(1))
        return {"latency": {"threshold": threshold, "cloudwatch": {"metric": good[0][0]}}}
    return {
        "ratio": {
            "cloudwatch": {
                role: [_with_stat(m, s) for m, s in good],
                "total": [_with_stat(m, s) for m, s in total],
            }
        }
    }


def _threshold(obj: SourceObject, given: _Given, metric: dict[str, Any]) -> dict[str, Any] | None:
    here = ("spec", "indicator")
    op = fmt.OPERATORS_BACK.get(str(given.objective.get("op")))
    value = given.objective.get("value")
    if op is None or isinstance(value, bool) or not isinstance(value, int | float):
        obj.not_mapped((), "op/value", "a thresholdMetric objective needs op (lt, lte, gt, gte) and a number value")
        return None
    out: dict[str, Any] = {"operator": op, "value": value}
    slice_text = given.annotations.get(fmt.SLICE)
    if slice_text is None:
        raw = given.objective.get("timeSliceWindow")
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raw = f"{int(raw)}m"  # OpenSLO: a bare number is minutes
        parsed = fmt.shorthand_seconds(raw)
        if given.method == "Timeslices" and parsed and parsed[1]:
            slice_text = slomath.format_duration(parsed[0])
            obj.exact(("timeSliceWindow",), "timeSliceWindow", "as the threshold slice")
        else:
            slice_text = "1m"
            why = (
                f"{given.method}: sre judges 1m time slices of the gauge"
                if given.method != "Timeslices"
                else "unreadable: 1m"
            )
            obj.approximated(("spec", "budgetingMethod"), "spec.budgetingMethod", why, absolute=True)
    target = given.objective.get("timeSliceTarget")
    if target not in (None, 1, 1.0):
        why = f"{target}: sre's slice is good when the gauge meets the condition at the slice's evaluation"
        obj.approximated(("timeSliceTarget",), "timeSliceTarget", why)
    out = {"slice": slice_text, **out}
    obj.exact((), "op/value", f"a slice is good when gauge {op} {value:g}")
    source = _metric_source(metric)
    kind = _source_type(given.catalog, source)
    if kind == "cloudwatch":
        metrics = _cloudwatch_metrics(obj, source, "thresholdMetric (CloudWatch)")
        if metrics is None:
            return None
        if len(metrics) != 1:
            obj.not_mapped(here, "thresholdMetric", "a threshold gauge is one CloudWatch metric", absolute=True)
            return None
        m, stat = metrics[0]
        return {"threshold": {**out, "cloudwatch": {"metric": {**m, "statistic": stat}}}}
    if kind != "prometheus":
        obj.not_mapped(
            here, "thresholdMetric.metricSource.type", f"{kind!r}: only Prometheus and CloudWatch", absolute=True
        )
        return None
    query = (source.get("spec") or {}).get("query") or (source.get("spec") or {}).get("promql")
    if not isinstance(query, str):
        obj.not_mapped(here, "thresholdMetric", "the Prometheus source has no query", absolute=True)
        return None
    obj.exact(here, "thresholdMetric", "as the gauge expression", absolute=True)
    return {"threshold": {**out, "prometheus": {"gauge": query}}}


# ---- alerting ------------------------------------------------------------------------------


def _policies(obj: SourceObject, catalog: Catalog, spec: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for i, entry in enumerate(spec.get("alertPolicies") or []):
        ref = entry if isinstance(entry, str) else entry.get("alertPolicyRef") if isinstance(entry, dict) else None
        if ref is not None:
            policy = catalog.get("AlertPolicy", ref)
            if policy is None:
                obj.not_mapped(
                    ("spec", "alertPolicies", i), "alertPolicies", f"no AlertPolicy {ref!r} given", absolute=True
                )
                continue
            out.append(policy)
        elif isinstance(entry, dict) and isinstance(entry.get("spec"), dict):
            out.append(entry)
    return out


def _alerting(
    obj: SourceObject, catalog: Catalog, spec: dict[str, Any], annotations: dict[str, Any], window: int
) -> dict[str, Any]:
    alerting: dict[str, Any] = {}
    if fmt.MIN_EVENTS in annotations:
        alerting["minEvents"] = int(annotations[fmt.MIN_EVENTS])
    if fmt.RUNBOOK in annotations:
        alerting["runbook"] = annotations[fmt.RUNBOOK]
    tiers: dict[str, list[dict[str, Any]]] = {"page": [], "ticket": []}
    here = ("spec", "alertPolicies")
    for policy in _policies(obj, catalog, spec):
        pspec = policy.get("spec") or {}
        pname = (policy.get("metadata") or {}).get("name", "?")
        conditions = pspec.get("conditions") or [{}]
        cond = conditions[0] if isinstance(conditions[0], dict) else {}
        if "conditionRef" in cond:
            cond = catalog.get("AlertCondition", cond["conditionRef"]) or {}
        cspec = cond.get("spec") or {}
        c = cspec.get("condition") or {}
        cann = (cond.get("metadata") or {}).get("annotations") or {}
        if c.get("kind", "burnrate") != "burnrate" or c.get("op") not in ("gte", "gt"):
            obj.not_mapped(here, f"AlertPolicy {pname}", "only burn rate at or over a threshold alerts", absolute=True)
            continue
        long_text = cann.get(fmt.LONG_WINDOW) or c.get("lookbackWindow")
        long = (
            fmt.shorthand_seconds(long_text)
            if fmt.LONG_WINDOW not in cann
            else (slomath.parse_duration(long_text), True)
        )
        if not long or not isinstance(c.get("threshold"), int | float):
            obj.not_mapped(here, f"AlertPolicy {pname}", "needs lookbackWindow and a numeric threshold", absolute=True)
            continue
        exact = True
        if fmt.SHORT_WINDOW in cann:
            short = slomath.parse_duration(cann[fmt.SHORT_WINDOW])
        else:
            short, exact = max(60, long[0] // 12 // 60 * 60), False
        if fmt.BUDGET_PERCENT in cann:
            budget = float(cann[fmt.BUDGET_PERCENT])
        else:
            budget, exact = round(float(c["threshold"]) * long[0] / window * 100, 10), False
        tier = (policy.get("metadata") or {}).get("annotations", {}).get(fmt.TIER)
        if tier not in tiers:
            tier = "page" if str(cspec.get("severity", "")).lower() in ("page", "critical", "sev1", "p1") else "ticket"
            exact = False
        pair: dict[str, Any] = {
            "long": slomath.format_duration(long[0]),
            "short": slomath.format_duration(short),
            "budgetPercent": common.number(budget),
        }
        if fmt.MIN_EVENTS in cann:
            pair["minEvents"] = int(cann[fmt.MIN_EVENTS])
        after = cann.get(fmt.FOR) or c.get("alertAfter") or "0m"
        targets = pspec.get("notificationTargets") or [{}]
        notify = targets[0].get("targetRef") or (targets[0].get("metadata") or {}).get("name")
        tiers[tier].append({"pair": pair, "severity": cspec.get("severity"), "for": after, "notify": notify})
        if exact:
            obj.exact(here, f"AlertPolicy {pname}", f"as a {tier} window pair", absolute=True)
        else:
            why = f"{tier} pair; short window long/12, budget share from the threshold where sre.dev/* is missing"
            obj.approximated(here, f"AlertPolicy {pname}", why, absolute=True)
        for flag in ("alertWhenNoData", "alertWhenResolved"):
            if pspec.get(flag) is True:
                obj.not_mapped(here, f"AlertPolicy {pname}.{flag}", "sre alerts on burn rates only", absolute=True)
    for tier, pairs in tiers.items():
        alerting_tier = _tier(obj, tier, pairs)
        if alerting_tier:
            alerting[tier] = alerting_tier
    return alerting


def _tier(obj: SourceObject, tier: str, pairs: list[dict[str, Any]]) -> dict[str, Any]:
    if not pairs:
        return {"enabled": False}
    out: dict[str, Any] = {}
    first = pairs[0]
    for key in ("severity", "for", "notify"):
        if len({str(p[key]) for p in pairs}) > 1:
            obj.approximated(
                ("spec", "alertPolicies"), f"{tier}.{key}", "differs between the tier's pairs: the first", absolute=True
            )
    if first["severity"] and first["severity"] != tier:
        out["severity"] = first["severity"]
    after = first["for"]
    seconds = fmt.shorthand_seconds(after)
    if after == "0m" or (seconds and seconds[0] == 0):
        obj.approximated(
            ("spec", "alertPolicies"), f"{tier}.for", "alertAfter 0m: sre waits at least 1s", absolute=True
        )
        after = "1s"
    elif seconds:
        after = slomath.format_duration(seconds[0])
    if after != TIER_DEFAULT_FOR[tier]:
        out["for"] = after
    if first["notify"] and first["notify"] != tier:
        out["notify"] = first["notify"]
    windows = [p["pair"] for p in pairs][:4]
    default = next(t.windows for t in slomath.DEFAULT_TIERS if t.name == tier)
    as_math = tuple(
        slomath.BurnWindow(
            slomath.parse_duration(w["long"]), slomath.parse_duration(w["short"]), w["budgetPercent"] / 100
        )
        for w in windows
    )
    if as_math != default or any("minEvents" in w for w in windows):
        out["windows"] = windows
    return out
