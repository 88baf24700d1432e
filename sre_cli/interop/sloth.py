"""Sloth -> `sre.dev/v1`: `version: prometheus/v1` files and the `PrometheusServiceLevel` CRD.

Both carry the same model; the file spells fields in snake_case (`error_query`, `page_alert`),
the CRD in camelCase (`errorQuery`, `pageAlert`). Sloth's window pairs are the SRE Workbook's,
the same as sre's defaults, so its global period maps onto `spec.window` with default tiers.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import TypeAdapter, ValidationError

from sre_cli.interop import common
from sre_cli.interop.queries import (
    SLOTH_WINDOW,
    EventSelectors,
    MixedGrouping,
    NotACount,
    difference_selectors,
    event_selectors,
    shared_group_by,
)
from sre_cli.interop.report import ImportedSlo, ImportResult, SourceObject
from sre_cli.interop.source import SourceFile, is_dns_label, is_label_name
from sre_cli.promql_window import template_problem
from sre_cli.sli_sources import APPROXIMATE
from sre_cli.slospec.document import (
    ALERT_NAME,
    RESERVED_ALERT_LABELS,
    RESERVED_ANNOTATIONS,
    AlertAnnotations,
    AlertLabels,
)
from sre_cli.slospec.errors import SpecError
from sre_cli.slospec.yamlpos import YamlDocument

FILE_VERSION = "prometheus/v1"
CRD_API_VERSION = "sloth.slok.dev/v1"
CRD_KIND = "PrometheusServiceLevel"
DEFAULT_PERIOD = "30d"
# Periods Sloth ships window pairs for; any other needs a windows file sre cannot read.
_SLOTH_DEFAULT_PERIODS = ("28d", "30d")

_SNAKE = {
    "error_query": "error_query",
    "total_query": "total_query",
    "error_ratio_query": "error_ratio_query",
    "page_alert": "page_alert",
    "ticket_alert": "ticket_alert",
    "slo_plugins": "slo_plugins",
}
_CAMEL = {
    "error_query": "errorQuery",
    "total_query": "totalQuery",
    "error_ratio_query": "errorRatioQuery",
    "page_alert": "pageAlert",
    "ticket_alert": "ticketAlert",
    "slo_plugins": "sloPlugins",
}
_SLO_FIELDS = {"name", "description", "objective", "labels", "sli", "alerting", "plugins"}
NO_FOR_WHY = (
    "Sloth's alerts fire at the first evaluation over the factor; sre's wait `for` (2m page, 15m ticket by "
    "default; a duration of at least 1s)"
)

BAD_ALERT_NAME_WHY = f"not an sre alert name prefix ({ALERT_NAME}); sre names the alerts SLOBurnRatePage/Ticket"
TEMPLATE_WHY = "Sloth's annotations are Go templates; sre writes free annotations as literal text"
WHO_WRITES = {
    "labels": "routing and inhibition read it",
    "annotations": "the alert's text and links; runbook links come from alerting.runbook",
}
SEVERITY = r"[a-z][a-z0-9_-]*"
# The spec's own checks of free labels and annotations (names, lengths, how many).
_FREE_FIELDS = {"labels": TypeAdapter(AlertLabels), "annotations": TypeAdapter(AlertAnnotations)}


def import_files(sources: list[SourceFile], period: str = DEFAULT_PERIOD) -> ImportResult:
    result = ImportResult()
    for src in sources:
        for doc in src.documents:
            result.extend(_import_document(src, doc, period))
    return result


def _import_document(src: SourceFile, doc: YamlDocument, period: str) -> ImportResult:
    result = ImportResult()
    data = doc.data
    if isinstance(data, dict) and data.get("version") == FILE_VERSION:
        base: tuple[str | int, ...] = ()
        keys = _SNAKE
        body = data
    elif isinstance(data, dict) and data.get("apiVersion") == CRD_API_VERSION and data.get("kind") == CRD_KIND:
        base = ("spec",)
        keys = _CAMEL
        body = data.get("spec")
    else:
        result.errors.append(
            SpecError(
                src.path,
                doc.start.line,
                doc.start.col,
                "version",
                f"not a Sloth spec: expected `version: {FILE_VERSION}` or `apiVersion: {CRD_API_VERSION}` "
                f"with `kind: {CRD_KIND}`",
            )
        )
        return result
    problems = _shape_errors(body, keys)
    if problems:
        for path, message in problems:
            pos = doc.position_of((*base, *path))
            result.errors.append(SpecError(src.path, pos.line, pos.col, ".".join(map(str, path)), message))
        return result
    for i, slo in enumerate(body["slos"]):
        obj = SourceObject(src.path, doc, (*base, "slos", i), f"Sloth SLO {slo['name']!r}")
        imported = _import_slo(obj, body, slo, keys, period, (*base,))
        result.add(obj, imported, src.import_comments("sloth", obj.line()))
    return result


def _shape_errors(body: Any, keys: dict[str, str]) -> list[tuple[tuple[str | int, ...], str]]:
    """What makes a Sloth document unreadable (exit 2), as (path, message)."""
    if not isinstance(body, dict):
        return [((), "the Sloth spec must be a mapping")]
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if not isinstance(body.get("service"), str) or not body["service"]:
        problems.append((("service",), "required: the service name, a string"))
    slos = body.get("slos")
    if not isinstance(slos, list) or not slos:
        problems.append((("slos",), "required: a list of SLOs"))
        return problems
    for i, slo in enumerate(slos):
        if not isinstance(slo, dict):
            problems.append((("slos", i), "an SLO must be a mapping"))
            continue
        if not isinstance(slo.get("name"), str) or not slo["name"]:
            problems.append((("slos", i, "name"), "required: the SLO name, a string"))
        objective = slo.get("objective")
        if isinstance(objective, bool) or not isinstance(objective, int | float):
            problems.append((("slos", i, "objective"), "required: the objective in percent, a number"))
        if not isinstance(slo.get("sli"), dict):
            problems.append((("slos", i, "sli"), "required: the SLI (events, raw or plugin)"))
    return problems


def _import_slo(
    obj: SourceObject, body: dict[str, Any], slo: dict[str, Any], keys: dict[str, str], period: str, base: tuple
) -> ImportedSlo | None:
    service = common.name_field(obj, (*base, "service"), "service", body["service"], "service", absolute=True)
    if is_dns_label(f"{body['service']}-{slo['name']}"):
        name = f"{body['service']}-{slo['name']}"
        obj.exact(("name",), "name", f"as Sloth's SLO id {name!r} (service-name), unique across services")
    else:
        name = common.name_field(obj, ("name",), "name", f"{body['service']}-{slo['name']}", "SLO")
    objective = float(slo["objective"])
    if not 0 < objective < 100:
        obj.not_mapped(("objective",), "objective", f"{objective:g}: sre objectives lie strictly between 0 and 100")
        return None
    obj.exact(("objective",), "objective")
    description = slo.get("description")
    if isinstance(description, str) and description.strip():
        obj.exact(("description",), "description")
    else:
        description = f"Sloth SLO {slo['name']} of {body['service']}."
        obj.approximated((), "description", "Sloth's is optional, sre's required: a placeholder was written")
    window_why = "Sloth's period (--sloth-period) with Sloth's default window pairs, which are sre's defaults"
    if period in _SLOTH_DEFAULT_PERIODS:
        obj.exact((), "window", window_why)
    else:
        obj.approximated((), "window", f"{period}: Sloth needs a windows file for it; sre uses its default pairs")
    doc = common.new_document(name, service, description.strip(), objective, period)

    indicator = _indicator(obj, slo["sli"], keys)
    if indicator is None:
        return None
    doc["spec"]["indicator"] = indicator

    labels: dict[str, str] = {}
    common.add_labels(obj, labels, body.get("labels"), (*base, "labels"), "labels", absolute=True)
    common.add_labels(obj, labels, slo.get("labels"), ("labels",), "labels")
    for plugins_key, where in ((keys["slo_plugins"], "service"), ("plugins", "SLO")):
        source = body if where == "service" else slo
        if source.get(plugins_key):
            path = (plugins_key,) if where == "SLO" else (*base, plugins_key)
            ids = ", ".join(repr(i) for i in _plugin_ids(source[plugins_key])) or "unnamed"
            why = f"not mappable: the {where}'s Sloth plugin(s) {ids} change Sloth's rules; sre has no plugins"
            obj.not_mapped(path, plugins_key, why, absolute=where == "service")
    for key in sorted(set(slo) - _SLO_FIELDS):
        obj.not_mapped((key,), key, "not a Sloth SLO field")
    alerting = _alerting(obj, slo.get("alerting"), keys)
    if labels:
        doc["metadata"]["labels"] = labels
    if alerting:
        doc["spec"]["alerting"] = alerting
    _grouping(obj, doc, slo["sli"], keys)
    obj.imported_as = name
    return ImportedSlo(service, name, doc)


def _plugin_ids(plugins: Any) -> list[str]:
    """The ids in a Sloth plugin chain (`{overridePrevious, chain: [{id, config, priority}]}`)."""
    chain = plugins.get("chain") if isinstance(plugins, dict) else None
    return [str(p["id"]) for p in chain or [] if isinstance(p, dict) and p.get("id")] if isinstance(chain, list) else []


def _indicator(obj: SourceObject, sli: dict[str, Any], keys: dict[str, str]) -> dict[str, Any] | None:
    if "plugin" in sli:
        plugin = sli["plugin"] if isinstance(sli["plugin"], dict) else {}
        obj.not_mapped(
            ("sli", "plugin"),
            "sli.plugin",
            f"not mappable: plugin SLI {plugin.get('id', '?')!r}: its queries exist only inside Sloth's plugin",
        )
        return None
    if "raw" in sli:
        return _error_ratio(obj, sli["raw"], keys["error_ratio_query"])
    events = sli.get("events")
    if not isinstance(events, dict):
        obj.not_mapped(("sli",), "sli", "no events, raw or plugin SLI")
        return None
    error_key, total_key = keys["error_query"], keys["total_query"]
    for key in (error_key, total_key):
        if not isinstance(events.get(key), str):
            obj.not_mapped(("sli", "events", key), f"sli.events.{key}", "missing: a PromQL query string")
            return None
    total, bad = _count_or_none(events[total_key]), _count_or_none(events[error_key])
    if total is not None and bad is not None:
        if not (_report_count(obj, total_key, total) and _report_count(obj, error_key, bad)):
            return None
        return _ratio("bad", bad.selectors, total.selectors)
    good = _good_by_difference(events[error_key], total) if total is not None else None
    if total is not None and good is not None:
        why = f"as good = {', '.join(good.selectors)}: the errors are the total minus these"
        if not (_report_count(obj, total_key, total) and _report_count(obj, error_key, good, why)):
            return None
        return _ratio("good", good.selectors, total.selectors)
    return _expression(obj, events, error_key, total_key)


def _count_or_none(query: str) -> EventSelectors | None:
    try:
        return event_selectors(query, templated=True)
    except NotACount:
        return None


def _expression(obj: SourceObject, events: dict[str, Any], error_key: str, total_key: str) -> dict[str, Any] | None:
    """Queries that are no sums of selectors: the spec's `expression` source, their PromQL kept as written."""
    for key in (error_key, total_key):
        if (problem := _template_problem(events[key])) is not None:
            obj.not_mapped(("sli", "events", key), f"sli.events.{key}", f"not mappable: {problem}")
            return None
    for key, role in ((error_key, "bad"), (total_key, "total")):
        path, field = ("sli", "events", key), f"sli.events.{key}"
        if "increase(" in events[key]:
            why = f"as expression.{role}, kept as written; increase() counts per window, not per second: "
            obj.approximated(path, field, why + "ratios are exact, event counts (minEvents, reports) are not")
        else:
            obj.exact(path, field, f"as expression.{role}, the PromQL kept as written")
    return {"ratio": {"prometheus": {"expression": {"bad": events[error_key], "total": events[total_key]}}}}


def _template_problem(query: str) -> str | None:
    if SLOTH_WINDOW not in query:
        return "the query does not use the {{.window}} range, so no window can be put in"
    return template_problem(query)


def _error_ratio(obj: SourceObject, raw: Any, key: str) -> dict[str, Any] | None:
    """Sloth's raw SLI: an error ratio without event counts, the spec's `errorRatio` source (averaged)."""
    path, field = ("sli", "raw", key), f"sli.raw.{key}"
    query = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(query, str):
        obj.not_mapped(path, field, "missing: a PromQL query string")
        return None
    if (problem := _template_problem(query)) is not None:
        obj.not_mapped(path, field, f"not mappable: {problem}")
        return None
    why = f"as errorRatio, kept as written; without event counts its long windows are {APPROXIMATE}"
    obj.approximated(path, field, why + " (Sloth's are ratios of rates over each window)")
    return {"ratio": {"prometheus": {"errorRatio": query}}}


def _ratio(role: str, selectors: list[str], total: list[str]) -> dict[str, Any]:
    prometheus = {role: common.selector_value(selectors), "total": common.selector_value(total)}
    return {"ratio": {"prometheus": prometheus}}


def _good_by_difference(query: str, total: EventSelectors) -> EventSelectors | None:
    """The good events of an error query written as `total - good` (Sloth's latency example); None otherwise."""
    try:
        minuend, subtrahend = difference_selectors(query, templated=True)
    except NotACount:
        return None
    if sorted(minuend.selectors) != sorted(total.selectors) or _split_apart(minuend) or minuend.fixed_ranges:
        return None
    return subtrahend


def _report_count(obj: SourceObject, key: str, found: EventSelectors, exact_why: str = "") -> bool:
    """Report how a counting query mapped; False (reported as not mapped) when the spec cannot hold it."""
    path, field = ("sli", "events", key), f"sli.events.{key}"
    if len(found.selectors) > common.MAX_SELECTORS:
        obj.not_mapped(path, field, f"sums {len(found.selectors)} selectors; sre takes at most {common.MAX_SELECTORS}")
        return False
    why = exact_why or f"as selector(s) {', '.join(found.selectors)}"
    if found.fixed_ranges:
        lost = f"fixed range(s) {', '.join(found.fixed_ranges)} became the SLI windows"
        obj.approximated(path, field, f"{why}; {lost}" if exact_why else lost)
    else:
        obj.exact(path, field, why)
    return True


def _split_apart(query: EventSelectors) -> bool:
    """Whether the sums of one query split their events differently (so it is no one count)."""
    try:
        shared_group_by(query)
    except MixedGrouping:
        return True
    return False


def _event_counts(sli: dict[str, Any], keys: dict[str, str]) -> list[EventSelectors]:
    """Every count the events SLI's queries sum (the error query's two sides when it is `total - good`)."""
    events = sli.get("events") or {}
    try:
        total = event_selectors(events[keys["total_query"]], templated=True)
    except NotACount:
        return []
    error = events[keys["error_query"]]
    try:
        return [event_selectors(error, templated=True), total]
    except NotACount:
        pass
    try:
        return [*difference_selectors(error, templated=True), total]
    except NotACount:
        return []


def _grouping(obj: SourceObject, doc: dict[str, Any], sli: dict[str, Any], keys: dict[str, str]) -> None:
    """`sum by (<labels>)` in every count of the SLI: Sloth's SLI per label value combination, the
    spec's groupBy. Only for an SLI imported as selectors (good or bad over total)."""
    prometheus = (doc["spec"]["indicator"].get("ratio") or {}).get("prometheus") or {}
    counts = _event_counts(sli, keys) if {"good", "bad"} & set(prometheus) else []
    path, field = ("sli", "events"), "sli.events grouping"
    try:
        labels = shared_group_by(*counts)
    except MixedGrouping as exc:
        obj.approximated(path, field, f"{exc}: the SLI covers all series")
        return
    common.group_by(obj, doc, labels, path, field)


def _alerting(obj: SourceObject, alerting: Any, keys: dict[str, str]) -> dict[str, Any]:
    """Sloth's alert customisation onto the spec's: name, SLO-wide and per-tier labels and annotations.

    Sloth lays each tier's labels and annotations over `alerting.labels`/`annotations`; so does
    sre (resolve.alert_tiers), so each map lands where it was written.
    """
    out: dict[str, Any] = {}
    if not isinstance(alerting, dict):
        obj.approximated((), "alerting", NO_FOR_WHY)
        return out
    base = ("alerting",)
    name = alerting.get("name")
    if isinstance(name, str) and re.fullmatch(ALERT_NAME, name):
        out["name"] = name
        obj.approximated((*base, "name"), "alerting.name", _alert_name_why(name))
    elif name is not None:
        obj.not_mapped((*base, "name"), "alerting.name", f"{name!r}: {BAD_ALERT_NAME_WHY}")
    shared_severity = _free_fields(obj, alerting, base, "alerting", "page and ticket", out)
    for tier, key in (("page", keys["page_alert"]), ("ticket", keys["ticket_alert"])):
        here = (*base, key)
        spec = alerting.get(key)
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            obj.not_mapped(here, f"alerting.{key}", "not a mapping (disable, labels, annotations)")
            continue
        tier_out: dict[str, Any] = {}
        disable = spec.get("disable")
        if disable is True:
            tier_out["enabled"] = False
            obj.exact((*here, "disable"), f"alerting.{key}.disable", f"as alerting.{tier}.enabled: false")
        elif disable not in (None, False):
            obj.not_mapped((*here, "disable"), f"alerting.{key}.disable", "not a boolean; the tier stays enabled")
        severity = _free_fields(obj, spec, here, f"alerting.{key}", tier, tier_out) or shared_severity
        if severity:
            tier_out = {"severity": severity, **tier_out}
        for unknown in sorted(set(spec) - {"disable", "labels", "annotations"}):
            obj.not_mapped((*here, unknown), f"alerting.{key}.{unknown}", "not a Sloth alert field")
        if tier_out:
            out[tier] = tier_out
    for unknown in sorted(set(alerting) - {"name", "labels", "annotations", keys["page_alert"], keys["ticket_alert"]}):
        obj.not_mapped((*base, unknown), f"alerting.{unknown}", "not a Sloth alerting field")
    obj.approximated(base, "alerting", NO_FOR_WHY)
    return out


def _alert_name_why(name: str) -> str:
    return (
        f"as alerting.name: sre's alerts are {name}Page and {name}Ticket (and {name}MetricsAbsent), labelled "
        f"severity; Sloth names both tiers' alert {name} and tells them apart by the label sloth_severity "
        "(page/ticket): routes matching on either need the new names"
    )


def _free_fields(
    obj: SourceObject, block: dict[str, Any], path: tuple[str | int, ...], field: str, tiers: str, out: dict
) -> str:
    """A Sloth alerting block's `labels` and `annotations` into `out`; returns its `severity` label ("" if none).

    `severity` becomes the tier's severity (sre sets that label itself); any other label or
    annotation is a free one, unless sre writes it itself or the spec cannot carry it.
    """
    severity = ""
    for kind, reserved in (("labels", RESERVED_ALERT_LABELS), ("annotations", RESERVED_ANNOTATIONS)):
        given = block.get(kind)
        if given is None:
            continue
        if not isinstance(given, dict):
            obj.not_mapped((*path, kind), f"{field}.{kind}", f"not a mapping of {kind}")
            continue
        kept: dict[str, str] = {}
        for key, value in given.items():
            here, where = (*path, kind, key), f"{field}.{kind}.{key}"
            if kind == "labels" and key == "severity":
                if isinstance(value, str) and re.fullmatch(SEVERITY, value):
                    severity = value
                    obj.exact(here, where, f"as the severity of the {tiers} alert(s)")
                else:
                    obj.not_mapped(here, where, f"{value!r}: an sre severity matches {SEVERITY}")
                continue
            why = _unmappable(kind, key, value, reserved, kept)
            if why:
                obj.not_mapped(here, where, why)
                continue
            kept[key] = str(value)
            if kind == "annotations" and "{{" in kept[key]:
                obj.approximated(here, where, TEMPLATE_WHY)
            else:
                obj.exact(here, where, f"as a {tiers} alert {kind[:-1]}")
        if kept:
            out[kind] = kept
    return severity


def _unmappable(kind: str, key: Any, value: Any, reserved: frozenset[str], kept: dict[str, str]) -> str:
    """Why a Sloth alert label or annotation cannot be a free one in the spec; "" when it can."""
    if not is_label_name(key):
        return "not a Prometheus label name"
    if key in reserved:
        return f"sre writes `{key}` itself ({WHO_WRITES[kind]})"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return "the value must be a string"
    try:
        _FREE_FIELDS[kind].validate_python({**kept, key: str(value)})
    except ValidationError as exc:
        return f"the spec cannot carry it: {exc.errors()[0]['msg']}"
    return ""
