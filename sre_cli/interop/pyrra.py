"""Pyrra -> `sre.dev/v1`: `pyrra.dev/v1alpha1` `ServiceLevelObjective` resources.

Pyrra scales four window pairs with the SLO window (the 28d pairs are 1h/5m at 14x, 6h/30m at
7x, 1d/2h at 2x, 4d/6h at 1x), so every imported SLO carries its pairs explicitly, computed the
way Pyrra does (rounded to the minute), with the budget share that gives Pyrra's factor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sre_cli import slomath
from sre_cli.interop import common
from sre_cli.interop.report import ImportedSlo, ImportResult, SourceObject
from sre_cli.interop.source import SourceFile, is_label_name
from sre_cli.promql_selectors import histogram_family, parse_selector
from sre_cli.slospec.document import check_window
from sre_cli.slospec.errors import SpecError
from sre_cli.slospec.yamlpos import YamlDocument

API_VERSION = "pyrra.dev/v1alpha1"
KIND = "ServiceLevelObjective"
PROPAGATED_LABEL_PREFIX = "pyrra.dev/"  # Pyrra copies these labels onto its rules
_BASE_WINDOW = 28 * slomath.DAY
_KNOWN_SPEC = {"description", "target", "window", "indicator", "alerting"}
_KINDS = ("latencyNative", "ratio", "latency", "bool_gauge")  # in the order `_indicator` reads them


@dataclass(frozen=True)
class PyrraPair:
    tier: str
    severity_key: str  # the alerting.severities field naming this pair's severity
    severity: str  # Pyrra's default
    long: int
    short: int
    for_: int
    factor: float


def pyrra_pairs(window: int) -> list[PyrraPair]:
    """Pyrra's window pairs for an SLO window, as its rule generator computes them."""
    scale = window / _BASE_WINDOW

    def at(seconds: int) -> int:  # Go's Duration.Round(time.Minute): half away from zero
        return int(seconds * scale / 60 + 0.5) * 60

    h, m = slomath.HOUR, slomath.MINUTE
    return [
        PyrraPair("page", "fastBurn", "critical", at(h), at(5 * m), at(2 * m), 14),
        PyrraPair("page", "mediumBurn", "critical", at(6 * h), at(30 * m), at(15 * m), 7),
        PyrraPair("ticket", "slowBurn", "warning", at(24 * h), at(2 * h), at(h), 2),
        PyrraPair("ticket", "longTermBurn", "warning", at(96 * h), at(6 * h), at(3 * h), 1),
    ]


def import_files(sources: list[SourceFile]) -> ImportResult:
    result = ImportResult()
    for src in sources:
        for doc in src.documents:
            result.extend(_import_document(src, doc))
    return result


def _error(src: SourceFile, doc: YamlDocument, path: tuple[str | int, ...], field: str, message: str) -> SpecError:
    pos = doc.position_of(path)
    return SpecError(src.path, pos.line, pos.col, field, message)


def _import_document(src: SourceFile, doc: YamlDocument) -> ImportResult:
    result = ImportResult()
    data = doc.data
    if not (isinstance(data, dict) and data.get("apiVersion") == API_VERSION and data.get("kind") == KIND):
        result.errors.append(
            _error(src, doc, ("apiVersion",), "apiVersion", f"not a Pyrra SLO: expected {API_VERSION} {KIND}")
        )
        return result
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    spec = data.get("spec")
    if not isinstance(meta.get("name"), str) or not isinstance(spec, dict):
        result.errors.append(_error(src, doc, (), "metadata.name", "required: metadata.name and spec"))
        return result
    try:
        target = float(str(spec.get("target")))
        check_window(spec.get("window"))
    except (TypeError, ValueError) as exc:
        field = "spec.target" if "window" not in str(exc) and "duration" not in str(exc) else "spec.window"
        result.errors.append(_error(src, doc, tuple(field.split(".")), field, f"unreadable: {exc}"))
        return result
    obj = SourceObject(src.path, doc, (), f"Pyrra SLO {meta['name']!r}")
    imported = _import_slo(obj, meta, spec, target)
    result.add(obj, imported, src.import_comments("pyrra", doc.start.line))
    return result


def _import_slo(obj: SourceObject, meta: dict[str, Any], spec: dict[str, Any], target: float) -> ImportedSlo | None:
    name = common.name_field(obj, ("metadata", "name"), "metadata.name", meta["name"], "SLO")
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and namespace:
        service = common.name_field(obj, ("metadata", "namespace"), "metadata.namespace", namespace, "service")
        obj.approximated(("metadata", "namespace"), "service", "Pyrra has no service: the namespace names it")
    else:
        service = name
        obj.approximated(("metadata",), "service", "Pyrra has no service (and no namespace given): the SLO names it")
    if not 0 < target < 100:
        obj.not_mapped(("spec", "target"), "spec.target", f"{target:g}: sre objectives lie strictly between 0 and 100")
        return None
    if target < 1:
        obj.not_mapped(("spec", "target"), "spec.target", f"{target:g} reads as a fraction: write percent (0-100)")
        return None
    obj.exact(("spec", "target"), "spec.target", "as spec.objective")
    description = spec.get("description")
    if isinstance(description, str) and description.strip():
        obj.exact(("spec", "description"), "spec.description")
    else:
        description = f"Pyrra SLO {meta['name']}."
        obj.approximated(("spec",), "spec.description", "missing; sre requires one: a placeholder was written")
    window = spec["window"]
    obj.exact(("spec", "window"), "spec.window")
    doc = common.new_document(name, service, description.strip(), common.number(target), window)
    indicator = _indicator(obj, spec.get("indicator"))
    if indicator is None:
        return None
    doc["spec"]["indicator"] = indicator
    labels: dict[str, str] = {}
    for key, value in (meta.get("labels") or {}).items():
        here = ("metadata", "labels", key)
        label = key.removeprefix(PROPAGATED_LABEL_PREFIX)
        if key.startswith(PROPAGATED_LABEL_PREFIX) and is_label_name(label) and isinstance(value, str):
            labels[label] = value
            obj.exact(here, f"metadata.labels.{key}", f"as label {label} (Pyrra propagates it to its rules)")
        elif key.startswith(PROPAGATED_LABEL_PREFIX):
            obj.not_mapped(here, f"metadata.labels.{key}", "not a Prometheus label name and string value")
        else:
            obj.not_mapped(here, f"metadata.labels.{key}", "a Kubernetes label of the resource; not on Pyrra's rules")
    if labels:
        doc["metadata"]["labels"] = labels
    doc["spec"]["alerting"] = _alerting(obj, spec.get("alerting") or {}, slomath.window_seconds(window), target)
    _grouping(obj, doc, spec["indicator"])
    for key in sorted(set(spec) - _KNOWN_SPEC):
        obj.not_mapped(("spec", key), f"spec.{key}", "changes how Pyrra writes its rules; sre has no equivalent")
    obj.imported_as = name
    return ImportedSlo(service, name, doc)


def _selector(obj: SourceObject, path: tuple[str | int, ...], field: str, value: Any) -> str | None:
    try:
        return str(parse_selector(value)) if isinstance(value, str) else None
    except ValueError as exc:
        obj.not_mapped(path, field, str(exc))
        return None


def _grouping(obj: SourceObject, doc: dict[str, Any], indicator: dict[str, Any]) -> None:
    """Pyrra's `grouping` (one SLO per label value combination) as the spec's groupBy, the same split.
    A bool gauge keeps the labels through its `min`, so that each group judges its own series."""
    kind = next((k for k in _KINDS if isinstance(indicator.get(k), dict)), None)
    grouping = indicator[kind].get("grouping") if kind else None
    if not grouping:
        return
    here, field = ("spec", "indicator", kind, "grouping"), f"spec.indicator.{kind}.grouping"
    if not isinstance(grouping, list) or not all(isinstance(label, str) for label in grouping):
        obj.not_mapped(here, field, "not a list of label names: the SLI covers all series")
        return
    if common.group_by(obj, doc, grouping, here, field) and kind == "bool_gauge":
        gauge = doc["spec"]["indicator"]["threshold"]["prometheus"]
        labels = ", ".join(doc["spec"]["indicator"]["groupBy"])
        gauge["gauge"] = gauge["gauge"].replace("min(", f"min by ({labels}) (", 1)


def _indicator(obj: SourceObject, indicator: Any) -> dict[str, Any] | None:
    base = ("spec", "indicator")
    if not isinstance(indicator, dict):
        obj.not_mapped(base, "spec.indicator", "missing")
        return None
    if "latencyNative" in indicator:
        return _latency_native(obj, indicator["latencyNative"])
    if isinstance(indicator.get("ratio"), dict):
        body = indicator["ratio"]
        bad = _selector(obj, (*base, "ratio", "errors"), "errors.metric", (body.get("errors") or {}).get("metric"))
        total = _selector(obj, (*base, "ratio", "total"), "total.metric", (body.get("total") or {}).get("metric"))
        if bad is None or total is None:
            return None
        obj.exact((*base, "ratio"), "spec.indicator.ratio", "errors as bad, total as total (counters)")
        return {"ratio": {"prometheus": {"bad": bad, "total": total}}}
    if isinstance(indicator.get("latency"), dict):
        return _latency(obj, indicator["latency"])
    if isinstance(indicator.get("bool_gauge"), dict):
        body = indicator["bool_gauge"]
        gauge = _selector(obj, (*base, "bool_gauge"), "bool_gauge.metric", body.get("metric"))
        if gauge is None:
            return None
        obj.approximated(
            (*base, "bool_gauge"),
            "spec.indicator.bool_gauge",
            "sre counts 1m slices in which every series is 1 (min(gauge) >= 1); Pyrra averages the samples",
        )
        return {"threshold": {"slice": "1m", "operator": ">=", "value": 1, "prometheus": {"gauge": f"min({gauge})"}}}
    obj.not_mapped(base, "spec.indicator", "none of ratio, latency, latencyNative, bool_gauge")
    return None


def _latency(obj: SourceObject, body: dict[str, Any]) -> dict[str, Any] | None:
    here = ("spec", "indicator", "latency")
    success = _selector(obj, (*here, "success"), "success.metric", (body.get("success") or {}).get("metric"))
    total = _selector(obj, (*here, "total"), "total.metric", (body.get("total") or {}).get("metric"))
    if success is None or total is None:
        return None
    good, count = parse_selector(success), parse_selector(total)
    le = [m for m in good.matchers if m.label == "le" and m.op == "="]
    if not (good.metric or "").endswith("_bucket") or len(le) != 1:
        obj.not_mapped((*here, "success"), "success.metric", 'not a histogram bucket x_bucket{le="<threshold>"}')
        return None
    try:
        threshold = slomath.parse_latency(float(le[0].value))
    except ValueError as exc:
        obj.not_mapped((*here, "success"), "success.metric", str(exc))
        return None
    family_name = (good.metric or "").removesuffix("_bucket")
    family = type(good)(family_name, tuple(m for m in good.matchers if m.label != "le"))
    if count.metric != f"{family_name}_count" or set(count.matchers) != set(family.matchers):
        obj.approximated(
            (*here, "total"),
            "total.metric",
            f"not {family_name}_count with the bucket's matchers: sre counts {family_name}_count{{...}} instead",
        )
    else:
        obj.exact((*here, "total"), "total.metric", f"as the _count of histogram {family}")
    obj.exact((*here, "success"), "success.metric", f"as histogram {family}, threshold {threshold:g}s")
    obj.approximated(
        (*here, "success"),
        "prometheus.buckets",
        "Pyrra names only the threshold's bucket; list the histogram's other boundaries for dashboards",
    )
    return {"latency": {"threshold": threshold, "prometheus": {"histogram": str(family), "buckets": [threshold]}}}


def _latency_native(obj: SourceObject, body: Any) -> dict[str, Any] | None:
    """`latencyNative: {latency: <Prometheus duration>, total: {metric: <native histogram>}}`: the
    same SLI as sre's `native: true` latency (Pyrra: histogram_fraction(0, latency, ...) of total)."""
    here = ("spec", "indicator", "latencyNative")
    if not isinstance(body, dict):
        obj.not_mapped(here, "spec.indicator.latencyNative", "not a mapping of latency and total")
        return None
    total = _selector(obj, (*here, "total"), "total.metric", (body.get("total") or {}).get("metric"))
    latency = body.get("latency")
    try:
        # Pyrra reads the latency as a Prometheus duration (200ms, 1s500ms).
        seconds = slomath.parse_latency(slomath.parse_duration_seconds(latency))
    except ValueError as exc:
        obj.not_mapped((*here, "latency"), "latency", str(exc))
        return None
    if total is None:
        return None
    try:
        family = histogram_family(total)
    except ValueError as exc:
        obj.not_mapped((*here, "total"), "total.metric", str(exc))
        return None
    obj.exact(here, "spec.indicator.latencyNative", f"as native histogram {family}, threshold {seconds:g}s")
    # The threshold as Pyrra wrote it when the spec reads it the same (200ms, 1s), else in seconds.
    threshold: str | float = latency if re.fullmatch(r"\d+(ms|s)", latency) else seconds
    return {"latency": {"threshold": threshold, "prometheus": {"histogram": str(family), "native": True}}}


def _alerting(obj: SourceObject, alerting: dict[str, Any], window: int, target: float) -> dict[str, Any]:
    base = ("spec", "alerting")
    out: dict[str, Any] = {}
    off = alerting.get("disabled") is True or alerting.get("burnrates") is False
    for key in ("name", "absentName"):
        if alerting.get(key):
            obj.not_mapped((*base, key), f"spec.alerting.{key}", "sre names its alerts from the SLO name and tier")
    if alerting.get("absent", True) is not False and not off:
        obj.not_mapped(base, "spec.alerting.absent", "sre has no alert on absent series (Pyrra's default is on)")
    severities = alerting.get("severities") if isinstance(alerting.get("severities"), dict) else {}
    max_factor = 1 / slomath.error_budget(target / 100)
    for tier in ("page", "ticket"):
        pairs = [p for p in pyrra_pairs(window) if p.tier == tier]
        tier_out: dict[str, Any] = {}
        if off:
            key = "disabled" if alerting.get("disabled") is True else "burnrates"
            obj.exact((*base, key), f"spec.alerting.{key}", f"as alerting.{tier}.enabled: false")
            out[tier] = {"enabled": False}
            continue
        windows = []
        for p in pairs:
            label = f"{slomath.format_duration(p.long)}/{slomath.format_duration(p.short) if p.short else '0'}"
            if p.short == 0 or p.short >= p.long:
                obj.not_mapped(base, f"window pair {label}", "Pyrra rounds its short window to nothing here")
            elif p.factor > max_factor:
                why = f"{p.factor:g}x can never fire at {target:g}% (a total outage burns {max_factor:.4g}x)"
                obj.not_mapped(base, f"window pair {label}", why)
            else:
                budget = round(p.factor * p.long / window * 100, 10)
                windows.append(
                    {
                        "long": slomath.format_duration(p.long),
                        "short": slomath.format_duration(p.short),
                        "budgetPercent": budget,
                    }
                )
                obj.exact(base, f"alerting.{tier} window pair {label}", f"Pyrra's {p.factor:g}x pair")
        if not windows:
            obj.approximated(base, f"alerting.{tier}", "no Pyrra pair of this tier can fire: tier disabled")
            out[tier] = {"enabled": False}
            continue
        severity = {severities.get(p.severity_key) or p.severity for p in pairs}
        tier_out["severity"] = sorted(severity)[0]
        if len(severity) > 1:
            why = f"Pyrra's two pairs have severities {', '.join(sorted(severity))}; sre one per tier"
            obj.approximated((*base, "severities"), f"alerting.{tier}.severity", why)
        fors = sorted({p.for_ for p in pairs})
        if fors[0] == 0:  # a short SLO window scales Pyrra's `for` down to nothing
            obj.approximated(base, f"alerting.{tier}.for", "Pyrra fires at once here; sre waits at least 1s")
        tier_out["for"] = slomath.format_duration(max(fors[0], 1))
        if len(fors) > 1:
            pyrra_fors = " and ".join(slomath.format_duration(f) if f else "0s" for f in fors)
            why = f"Pyrra waits {pyrra_fors} for the tier's two pairs; sre one `for` per tier: the shorter"
            obj.approximated(base, f"alerting.{tier}.for", why)
        tier_out["windows"] = windows
        out[tier] = tier_out
    return out
