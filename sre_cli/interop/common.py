"""Building `sre.dev/v1` documents from what importers found: the parts every peer shares."""

from __future__ import annotations

from typing import Any

from sre_cli.interop.report import SourceObject
from sre_cli.interop.source import dns_label, is_dns_label, is_label_name
from sre_cli.promql_selectors import parse_selector
from sre_cli.slospec.document import API_VERSION, MAX_GROUP_LABELS
from sre_cli.slospec.validate import UNBOUNDED_LABELS, group_label_problems

MAX_SELECTORS = 8  # document.Selectors' max_length


def new_document(name: str, service: str, description: str, objective: float, window: str) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "SLO",
        "metadata": {"name": name, "service": service},
        "spec": {"description": description, "objective": objective, "window": window},
    }


def name_field(
    obj: SourceObject, path: tuple[str | int, ...], field: str, value: str, what: str, *, absolute: bool = False
) -> str:
    """A DNS-label name (SLO or service) from a peer's name: kept when valid, else the closest label."""
    if is_dns_label(value):
        obj.exact(path, field, absolute=absolute)
        return value
    label = dns_label(value)
    why = f"{value!r} is not a lowercase DNS label; the {what} is named {label!r}"
    obj.approximated(path, field, why, absolute=absolute)
    return label


def add_labels(
    obj: SourceObject,
    labels: dict[str, str],
    source: Any,
    path: tuple[str | int, ...],
    field: str,
    *,
    absolute: bool = False,
) -> None:
    """Merge a peer's label map into metadata.labels; names Prometheus cannot carry are dropped."""
    if not isinstance(source, dict):
        if source is not None:
            obj.not_mapped(path, field, "not a mapping of labels", absolute=absolute)
        return
    for key, value in source.items():
        here = f"{field}.{key}"
        if not is_label_name(key):
            obj.not_mapped((*path, key), here, "not a Prometheus label name", absolute=absolute)
            continue
        if isinstance(value, list):
            if not all(isinstance(v, str | int | float) for v in value) or not value:
                obj.not_mapped((*path, key), here, "a label value must be a string", absolute=absolute)
                continue
            labels[key] = ",".join(str(v) for v in value)
            obj.approximated(
                (*path, key), here, "a list of values became one comma-separated label value", absolute=absolute
            )
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            obj.not_mapped((*path, key), here, "a label value must be a string", absolute=absolute)
            continue
        labels[key] = str(value)
        obj.exact((*path, key), here, absolute=absolute)


def selector_value(selectors: list[str]) -> str | list[str]:
    """One selector as a string, several as a list: how the spec is written by hand."""
    return selectors[0] if len(selectors) == 1 else selectors


def number(value: float) -> int | float:
    """99.0 as 99, as a person writes it; other values unchanged."""
    return int(value) if float(value).is_integer() else value


def group_by(
    obj: SourceObject,
    doc: dict[str, Any],
    labels: list[str],
    path: tuple[str | int, ...],
    field: str,
    *,
    absolute: bool = False,
) -> bool:
    """Split the imported SLO by a peer's group labels (`spec.indicator.groupBy`: one SLO per value
    combination, as the peer keeps them) when `sre validate` would accept them, reported either way.
    Call it once the document's labels are in place: a group label may not be one of them."""
    if not labels:
        return False
    labels = list(dict.fromkeys(labels))
    problems = [f"{label!r} is not a Prometheus label name" for label in labels if not is_label_name(label)]
    if len(labels) > MAX_GROUP_LABELS:
        problems.append(f"{len(labels)} labels; sre splits an SLO by at most {MAX_GROUP_LABELS}")
    indicator = doc["spec"]["indicator"]
    spec_labels = set(_spec_labels(doc))
    selectors = [parse_selector(s) for s in _indicator_selectors(indicator)]
    for label in labels if not problems else ():
        problems += group_label_problems(
            label, latency="latency" in indicator, spec_labels=spec_labels, selectors=selectors
        )
    if problems:
        obj.not_mapped(path, field, f"{'; '.join(problems)}: the SLI covers all series", absolute=absolute)
        return False
    indicator["groupBy"] = labels
    why = f"as spec.indicator.groupBy [{', '.join(labels)}]: budget, burn rates and alerts per value combination"
    if unbounded := [label for label in labels if label in UNBOUNDED_LABELS]:
        why += f"; `sre validate` warns that {', '.join(unbounded)} usually has no bound (a group per value)"
    obj.exact(path, field, why, absolute=absolute)
    return True


def _spec_labels(doc: dict[str, Any]) -> list[str]:
    """The labels a document puts on its alerts: metadata.labels, alerting.labels and the tiers' labels."""
    alerting = doc["spec"].get("alerting") or {}
    maps = [doc["metadata"].get("labels"), alerting.get("labels")]
    maps += [(alerting.get(tier) or {}).get("labels") for tier in ("page", "ticket")]
    return [label for m in maps for label in m or {}]


def _indicator_selectors(indicator: dict[str, Any]) -> list[str]:
    """The series selectors of an imported Prometheus source (ratio good/bad/total, latency histogram)."""
    prometheus = (indicator.get("ratio") or indicator.get("latency") or {}).get("prometheus") or {}
    found: list[str] = []
    for key in ("good", "bad", "total", "histogram"):
        value = prometheus.get(key)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            found += [v for v in value if isinstance(v, str)]
    return found
