"""Sloth -> `sre.dev/v1`: `version: prometheus/v1` files and the `PrometheusServiceLevel` CRD.

Both carry the same model; the file spells fields in snake_case (`error_query`, `page_alert`),
the CRD in camelCase (`errorQuery`, `pageAlert`). Sloth's window pairs are the SRE Workbook's,
the same as sre's defaults, so its global period maps onto `spec.window` with default tiers.
"""

from __future__ import annotations

import re
from typing import Any

from sre_cli.interop import common
from sre_cli.interop.queries import NotACount, event_selectors
from sre_cli.interop.report import ImportedSlo, ImportResult, SourceObject
from sre_cli.interop.source import SourceFile, is_dns_label
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
            why = f"the {where}'s Sloth plugins change Sloth's rules; sre has no plugins"
            obj.not_mapped(path, plugins_key, why, absolute=where == "service")
    for key in sorted(set(slo) - _SLO_FIELDS):
        obj.not_mapped((key,), key, "not a Sloth SLO field")
    alerting = _alerting(obj, slo.get("alerting"), keys, labels)
    if labels:
        doc["metadata"]["labels"] = labels
    if alerting:
        doc["spec"]["alerting"] = alerting
    obj.imported_as = name
    return ImportedSlo(service, name, doc)


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
        obj.not_mapped(
            ("sli", "raw"),
            f"sli.raw.{keys['error_ratio_query']}",
            "not mappable yet: a raw error ratio has no event counts; sre has no averaged-ratio source yet",
        )
        return None
    events = sli.get("events")
    if not isinstance(events, dict):
        obj.not_mapped(("sli",), "sli", "no events, raw or plugin SLI")
        return None
    queries: dict[str, list[str]] = {}
    for role, key in (("bad", keys["error_query"]), ("total", keys["total_query"])):
        path = ("sli", "events", key)
        query = events.get(key)
        if not isinstance(query, str):
            obj.not_mapped(path, f"sli.events.{key}", "missing: a PromQL query string")
            return None
        try:
            found = event_selectors(query, templated=True)
        except NotACount as exc:
            obj.not_mapped(path, f"sli.events.{key}", f"not mappable yet: expression SLI: {exc}")
            return None
        if len(found.selectors) > common.MAX_SELECTORS:
            obj.not_mapped(path, f"sli.events.{key}", f"sums {len(found.selectors)} selectors; sre takes at most 8")
            return None
        if found.grouping or found.fixed_ranges:
            why = []
            if found.grouping:
                why.append(f"`sum {', '.join(found.grouping)}` splits the SLI by label; sre's covers all series")
            if found.fixed_ranges:
                why.append(f"fixed range(s) {', '.join(found.fixed_ranges)} became the SLI windows")
            obj.approximated(path, f"sli.events.{key}", "; ".join(why))
        else:
            obj.exact(path, f"sli.events.{key}", f"as selector(s) {', '.join(found.selectors)}")
        queries[role] = found.selectors
    return {
        "ratio": {
            "prometheus": {
                "bad": common.selector_value(queries["bad"]),
                "total": common.selector_value(queries["total"]),
            }
        }
    }


def _alerting(obj: SourceObject, alerting: Any, keys: dict[str, str], labels: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(alerting, dict):
        obj.approximated((), "alerting", NO_FOR_WHY)
        return out
    base = ("alerting",)
    if alerting.get("name"):
        obj.not_mapped((*base, "name"), "alerting.name", "sre names its alerts from the SLO name and tier")
    if alerting.get("labels"):
        common.add_labels(
            obj,
            labels,
            alerting["labels"],
            (*base, "labels"),
            "alerting.labels",
            approximate_why="became an SLO label: sre puts it on the SLO's recorded series too, not only alerts",
        )
    for key in sorted(alerting.get("annotations") or {}):
        obj.not_mapped(
            (*base, "annotations", key),
            f"alerting.annotations.{key}",
            "sre writes its own annotations (summary, description, runbook_url from alerting.runbook)",
        )
    for tier, key in (("page", keys["page_alert"]), ("ticket", keys["ticket_alert"])):
        spec = alerting.get(key)
        if not isinstance(spec, dict):
            continue
        tier_out: dict[str, Any] = {}
        here = (*base, key)
        if spec.get("disable") is True:
            tier_out["enabled"] = False
            obj.exact((*here, "disable"), f"alerting.{key}.disable", f"as alerting.{tier}.enabled: false")
        for label, value in (spec.get("labels") or {}).items():
            field = f"alerting.{key}.labels.{label}"
            if label == "severity" and isinstance(value, str) and _severity_ok(value):
                tier_out["severity"] = value
                obj.exact((*here, "labels", label), field, f"as alerting.{tier}.severity")
            else:
                obj.not_mapped((*here, "labels", label), field, "sre sets no per-tier labels besides severity")
        for annotation in sorted(spec.get("annotations") or {}):
            obj.not_mapped(
                (*here, "annotations", annotation),
                f"alerting.{key}.annotations.{annotation}",
                "sre writes its own annotations",
            )
        if tier_out:
            out[tier] = tier_out
    obj.approximated(base, "alerting", NO_FOR_WHY)
    return out


def _severity_ok(value: str) -> bool:
    return bool(re.fullmatch(r"[a-z][a-z0-9_-]*", value))
