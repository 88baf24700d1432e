"""Checks that span fields or files: the rules a type checker cannot see."""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import promql_parser
from pydantic import ValidationError

from sre_cli import placeholders, slomath
from sre_cli.promql_selectors import (
    SeriesSelector,
    check_expression,
    dropped_labels,
    expression_selectors,
    histogram_family,
    parse_promql,
    parse_selector,
)
from sre_cli.promql_window import template_problem
from sre_cli.slospec import document
from sre_cli.slospec.errors import SpecError, field_path
from sre_cli.slospec.model import Slo, SpecSet
from sre_cli.slospec.resolve import GENERATED_RUNBOOK_DIR, default_runbook, in_generated_runbook_dir
from sre_cli.slospec.yamlpos import YamlDocument
from sre_cli.vocabulary import latency_statistic_problem

INDICATOR = ("spec", "indicator")

# CloudWatch statistics: named, extended (percentile, trimmed/winsorized means, ranks, counts).
_NUM = r"\d+(\.\d+)?"
_BOUND = rf"({_NUM}%?)"
_CW_STAT = re.compile(
    rf"^(SampleCount|Average|Sum|Minimum|Maximum|IQM|p{_NUM}"
    rf"|(TM|WM|TC|TS|PR)\({_BOUND}?:{_BOUND}?\)|(tm|wm|tc|ts){_NUM})$"
)


def is_cloudwatch_statistic(stat: str) -> bool:
    if not _CW_STAT.match(stat):
        return False
    percentile = re.fullmatch(r"(?:p|tm|wm|tc|ts)(\d+(?:\.\d+)?)", stat)
    return percentile is None or float(percentile.group(1)) <= 100


def _err(slo_file: str, doc: YamlDocument, path: tuple[str | int, ...], message: str) -> SpecError:
    pos = doc.position_of(path)
    return SpecError(slo_file, pos.line, pos.col, field_path(path), message)


def _parse_promql(expr: str) -> tuple[object | None, str | None]:
    try:
        return parse_promql(expr), None
    except (ValueError, RuntimeError) as exc:
        return None, f"PromQL does not parse: {exc}"


def _check_selector(expr: str, *, what: str) -> str | None:
    """A plain vector selector (metric{labels}); generators wrap it in rate()/increase()."""
    node, problem = _parse_promql(expr)
    if problem:
        return problem
    if not isinstance(node, promql_parser.VectorSelector):
        return f'{what} must be a series selector like metric{{label="v"}}, not an expression'
    if node.offset is not None or node.at is not None:
        return f"{what} must not carry offset or @"
    try:
        parse_selector(expr)  # what the generators read, as Prometheus 2.42 reads it
    except ValueError as exc:
        return str(exc)
    return None


Add = Callable[[tuple[str | int, ...], str], None]


def check_slo(
    slo: Slo, doc: YamlDocument, defaults: document.Defaults, root: Path, generating: bool = False
) -> list[SpecError]:
    """Cross-field checks of one fully validated SLO; `generating`: also what the generators would refuse."""
    errors: list[SpecError] = []

    def add(path: tuple[str | int, ...], message: str) -> None:
        errors.append(_err(slo.file, doc, path, message))

    check_indicator(slo.indicator, slo.window, add)
    check_alerting(slo.alerting, slo.window, slo.objective, defaults, root, add, slo.name)
    check_slice_guards(slo, add)
    check_inherited_pairs(slo, add)
    check_cloudwatch_born_series(slo.indicator, add)
    check_grouping(slo, add)
    check_error_ratio_guard(slo, add)
    check_cloudwatch_groups(slo, add)
    if generating:
        check_generated_limits(slo, defaults, add)
    targets = defaults.notification_targets
    for tier in slo.tiers:
        explicit = getattr(slo.alerting, tier.name).notify or getattr(defaults, tier.name).notify
        if targets and explicit is None and tier.notify not in targets:
            # The target is the tier's own name: say so, or nobody is paged. (An explicit notify,
            # in the spec or in defaults.yaml, is checked where it is written.)
            add(
                ("spec", "alerting", tier.name),
                f"the {tier.name} tier notifies {tier.notify!r} by default, which is not a notification "
                f"target in defaults.yaml (has: {', '.join(sorted(targets))}); set alerting.{tier.name}.notify",
            )
    if generating and not errors:
        # Asked only of a spec that is otherwise right: its own mistakes come first, without noise.
        check_output_names(slo, add)
        check_cloudwatch_alarm_plans(slo, defaults, add)
    return errors


def check_partial(
    data: dict[str, Any], doc: YamlDocument, file: str, defaults: document.Defaults, root: Path
) -> list[SpecError]:
    """Cross-field checks of a document the model rejected, on the parts that did validate.

    So one run still reports a bad PromQL selector next to a mistyped field elsewhere. A part the
    model rejected already has its errors, so it is skipped here: nothing is reported twice.
    """
    errors: list[SpecError] = []

    def add(path: tuple[str | int, ...], message: str) -> None:
        errors.append(_err(file, doc, path, message))

    body = data.get("spec")
    if not isinstance(body, dict):
        return errors
    window = body.get("window", "30d")
    try:
        window = document.check_window(window)
    except (ValueError, TypeError):
        window = None
    try:
        indicator = document.Indicator.model_validate(body.get("indicator"))
    except ValidationError:
        pass
    else:
        check_indicator(indicator, window, add)
    alerting = _valid_alerting_parts(body.get("alerting", {}))
    objective = body.get("objective")
    fraction = objective / 100 if isinstance(objective, int | float) and 0 < objective < 100 else None
    if alerting is not None:
        metadata = data.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) and isinstance(metadata.get("name"), str) else None
        check_alerting(alerting, window, fraction, defaults, root, add, name)
    return errors


def _valid_alerting_parts(data: Any) -> document.Alerting | None:
    """The alerting section keeping only the tiers and runbook that validate on their own."""
    if not isinstance(data, dict):
        return None
    try:
        return document.Alerting.model_validate(data)
    except ValidationError:
        pass
    parts: dict[str, Any] = {}
    for tier_name in ("page", "ticket"):
        try:
            parts[tier_name] = document.TierSpec.model_validate(data.get(tier_name, {}))
        except ValidationError:
            parts[tier_name] = document.TierSpec(enabled=False)  # its errors are already reported
    if isinstance(data.get("runbook"), str):
        parts["runbook"] = data["runbook"]
    return document.Alerting.model_validate(parts)


def check_indicator(ind: document.Indicator, window: str | None, add: Add) -> None:
    """Selectors parse, histogram thresholds are buckets, statistics exist, slices fit the window."""
    window_s = slomath.window_seconds(window) if window else None
    if ind.ratio:
        base = (*INDICATOR, "ratio")
        if p := ind.ratio.prometheus:
            for key in ("good", "bad", "total"):
                value = getattr(p, key)
                for i, expr in enumerate(p.selectors(key)):
                    if problem := _check_selector(expr, what=key):
                        add((*base, "prometheus", key) + (() if isinstance(value, str) else (i,)), problem)
            check_window_templates(p, ind.group_by, add)
        if c := ind.ratio.cloudwatch:
            for key in ("good", "bad", "total"):
                for i, metric in enumerate(getattr(c, key) or []):
                    _check_cw_metric(metric, (*base, "cloudwatch", key, i), add)
    elif ind.latency:
        base = (*INDICATOR, "latency")
        threshold = ind.latency.threshold_seconds
        if p := ind.latency.prometheus:
            problem = _check_selector(p.histogram, what="histogram")
            if problem is None:
                # The generators' own reading of the family: what validates here, generates.
                try:
                    histogram_family(p.histogram)
                except ValueError as exc:
                    problem = str(exc)
            if problem:
                add((*base, "prometheus", "histogram"), problem)
            # A native histogram (no bucket list) counts at any threshold: histogram_fraction.
            buckets = p.buckets or []
            if sorted(buckets) != buckets or len(set(buckets)) != len(buckets):
                add((*base, "prometheus", "buckets"), "bucket boundaries must be strictly increasing")
            if buckets and not _is_bucket(threshold, buckets):
                bounds = ", ".join(f"{b:g}" for b in buckets)
                # `threshold: 500` meaning milliseconds: the bare number is read as seconds.
                hint = (
                    f"; did you mean {threshold:g}ms?"
                    if not str(ind.latency.threshold).endswith("ms") and _is_bucket(threshold / 1000, buckets)
                    else ""
                )
                add(
                    (*base, "threshold"),
                    f"{threshold:g}s is not a bucket boundary of the histogram ({bounds}); "
                    f"a histogram can only count requests at or under a boundary{hint}",
                )
        if c := ind.latency.cloudwatch:
            _check_cw_metric(c.metric, (*base, "cloudwatch", "metric"), add)
            check_latency_statistic(ind.latency, add)
    elif ind.threshold:
        base = (*INDICATOR, "threshold")
        t = ind.threshold
        if window_s is not None and window_s % t.slice_seconds:
            add((*base, "slice"), f"the slice {t.slice} must divide the SLO window {window}")
        if t.slice_seconds < 60 and t.cloudwatch:
            add((*base, "slice"), "CloudWatch slices must be at least 1m (the metric's period)")
        if p := t.prometheus:
            node, problem = _parse_promql(p.gauge)
            if problem is None and isinstance(node, promql_parser.MatrixSelector | promql_parser.SubqueryExpr):
                problem = "gauge must be an instant vector, not a range"
            if problem is None:
                try:
                    check_expression(p.gauge)
                    if not expression_selectors(p.gauge):
                        # Nothing to go missing, so nothing SLOMetricsAbsent could watch.
                        problem = "gauge reads no series: name the metric it measures, e.g. max(x)"
                except ValueError as exc:
                    problem = str(exc)
            if problem:
                add((*base, "prometheus", "gauge"), problem)
        if c := t.cloudwatch:
            _check_cw_metric(c.metric, (*base, "cloudwatch", "metric"), add)


def check_window_templates(p: document.PrometheusRatioSource, group_by: list[str], add: Add) -> None:
    """Expression and errorRatio sources: PromQL instant vectors over `{{.window}}`, not grouped.

    Grouping needs selectors: the rules split a grouped SLO with `sum by (<groupBy>)` around each
    selector, and an expression reduces to one series (`sum(...)`), which has no groups to split.
    """
    base = (*INDICATOR, "ratio", "prometheus")
    templates: list[tuple[tuple[str | int, ...], str]] = []
    if p.expression is not None:
        templates = [(("expression", k), getattr(p.expression, k)) for k in ("good", "bad", "total")]
    elif p.error_ratio is not None:
        templates = [(("errorRatio",), p.error_ratio)]
    for path, template in templates:
        if template is not None and (problem := template_problem(template)):
            add((*base, *path), problem)
    if templates and group_by:
        add(GROUP_BY, f"groupBy needs selector sources (good/bad and total): {p.form} is one series, not per group")


def check_error_ratio_guard(slo: Slo, add: Add) -> None:
    """An errorRatio SLI has no event counts, so no low-traffic guard can count them: a minEvents
    written in the spec would silently guard nothing. (Inherited ones from defaults.yaml are not applied.)"""
    src = slo.indicator.ratio.prometheus if slo.indicator.ratio else None
    if src is None or src.error_ratio is None:
        return
    why = "errorRatio has no event counts to guard with (approximate: average of ratios); remove it"
    if slo.alerting.min_events:
        add(("spec", "alerting", "minEvents"), why)
    for tier_name in ("page", "ticket"):
        for i, w in enumerate(getattr(slo.alerting, tier_name).windows or []):
            if w.min_events:
                add(("spec", "alerting", tier_name, "windows", i, "minEvents"), why)


GROUP_BY = (*INDICATOR, "groupBy")
# Labels whose values are not a bounded set of things people own: one group per pod restart,
# per bucket, per request. Grouping by them is allowed, and warned about.
UNBOUNDED_LABELS = frozenset(
    {"le", "quantile", "instance", "pod", "pod_name", "container_id", "ip", "client_ip", "id", "uid", "url", "uri"}
    | {"path", "request_id", "trace_id", "span_id", "session_id", "user", "user_id"}
)


def _group_selectors(ind: document.Indicator) -> list[SeriesSelector]:
    """The raw series whose labels make a grouped SLO's groups (those that parse)."""
    texts: list[str] = []
    if ind.ratio and ind.ratio.prometheus:
        texts = [t for key in ("good", "bad", "total") for t in ind.ratio.prometheus.selectors(key)]
    elif ind.latency and ind.latency.prometheus:
        texts = [ind.latency.prometheus.histogram]
    elif ind.threshold and ind.threshold.prometheus:
        try:
            return expression_selectors(ind.threshold.prometheus.gauge)
        except ValueError:
            return []  # reported by check_indicator
    out = []
    for text in texts:
        with contextlib.suppress(ValueError):  # reported by check_indicator
            out.append(parse_selector(text))
    return out


def group_label_problems(
    label: str, *, latency: bool, spec_labels: Collection[str], selectors: Sequence[SeriesSelector]
) -> list[str]:
    """Why `label` cannot split an SLO: the generator's own labels and the spec's would merge groups, a
    latency SLI needs `le` itself, a selector matching `label=""` has no groups. Empty when it can."""
    from sre_cli.targets.prometheus.naming import GENERATOR_LABELS

    problems = []
    if label in GENERATOR_LABELS:
        problems.append(f"{label!r} is a label the generated series and alerts carry themselves; groups would merge")
    elif label in spec_labels:
        problems.append(
            f"{label!r} is also a label of the spec (metadata.labels or alerting labels); groups would merge"
        )
    elif label == "le" and latency:
        problems.append("a latency SLI reads its threshold's bucket (le) itself: it cannot be grouped by le")
    for sel in selectors:
        if any(m.label == label and m.op == "=" and m.value == "" for m in sel.matchers):
            problems.append(f'{sel} only matches series without {label} ({label}=""): there are no groups to make')
    return problems


def check_grouping(slo: Slo, add: Add) -> None:
    """groupBy labels are not the generator's own, can exist on the series, and survive the gauge."""
    ind = slo.indicator
    alert_labels = {**slo.labels, **slo.absent_labels, **{k: v for t in slo.tiers for k, v in t.labels.items()}}
    selectors = _group_selectors(ind)
    for i, label in enumerate(slo.group_by):
        for problem in group_label_problems(
            label, latency=ind.latency is not None, spec_labels=alert_labels, selectors=selectors
        ):
            add((*GROUP_BY, i), problem)
    if ind.threshold and ind.threshold.prometheus and slo.group_by:
        try:
            lost = dropped_labels(ind.threshold.prometheus.gauge, slo.group_by)
        except ValueError:
            lost = []  # reported by check_indicator
        if lost:
            add(
                (*INDICATOR, "threshold", "prometheus", "gauge"),
                f"the gauge aggregates away {', '.join(lost)}, which groupBy splits by: keep it, "
                f"e.g. max by ({', '.join(slo.group_by)}) (...)",
            )


def grouping_warnings(slo: Slo, doc: YamlDocument) -> list[SpecError]:
    """What is allowed but likely a mistake: labels without a bound, or pinned to one value.
    Shaped like errors, their message starting `warning:`."""
    warnings: list[SpecError] = []

    def add(path: tuple[str | int, ...], message: str) -> None:
        warnings.append(_err(slo.file, doc, path, f"warning: {message}"))

    for i, label in enumerate(slo.group_by):
        if label in UNBOUNDED_LABELS:
            add(
                (*GROUP_BY, i),
                f"{label!r} usually has no bound (a group per value): series and alerts grow with groups x windows, "
                f"maxGroups is {slo.max_groups}",
            )
        for sel in _group_selectors(slo.indicator):
            if any(m.label == label and m.op == "=" and m.value for m in sel.matchers):
                add((*GROUP_BY, i), f"{sel} pins {label} to one value: a single group")
    return warnings


def check_latency_statistic(latency: document.LatencyIndicator, add: Add) -> None:
    """A written statistic of a CloudWatch latency metric is the one the queries use: it must count fast requests."""
    if is_cloudwatch_statistic(latency.cloudwatch.metric.statistic) and (problem := latency_statistic_problem(latency)):
        add((*INDICATOR, "latency", "cloudwatch", "metric", "statistic"), problem)


def check_cloudwatch_born_series(ind: document.Indicator, add: Add) -> None:
    """Every `aws_*` series a Prometheus source reads is one the generated exporter config produces.

    The exporter config is generated from the spec's cloudwatch source; a Prometheus-only spec gets
    none, so its `aws_*` series are whatever exports them today and are not checked here.
    """
    from sre_cli.cloudwatch_series import UnsourcedSeries, cloudwatch_born

    sources = ind.ratio or ind.latency or ind.threshold
    if sources is None or sources.cloudwatch is None:
        return
    for found in cloudwatch_born(ind):
        if (
            isinstance(found, UnsourcedSeries)
            and found.path[-1] in ("good", "bad", "total", "errorRatio")
            and ("expression" in found.path or "errorRatio" in found.path)
        ):
            add(
                found.path,
                f"{found.series} is a CloudWatch series (aws_*) the generated exporter config (alarms/exporters/"
                "yace.yaml) exports only for selectors paired with the cloudwatch source's metrics; write the "
                "Prometheus source as selectors (good or bad, and total)",
            )
        elif isinstance(found, UnsourcedSeries):
            add(
                found.path,
                f"{found.series} is a CloudWatch series (aws_*) but no CloudWatch metric stands at the same place "
                "in the cloudwatch source, so the generated exporter config (alarms/exporters/yace.yaml) does "
                "not produce it; add the metric it comes from",
            )
        elif problem := found.problem:
            add(found.path, f"{found.series}: {problem}")


def _is_bucket(seconds: float, buckets: list[float]) -> bool:
    return any(math.isclose(seconds, b, rel_tol=1e-9) for b in buckets)


def check_slice_guards(slo: Slo, add: Add) -> None:
    """A time-slice SLI's low-traffic guard must be reachable: a window of W holds W / slice slices."""
    threshold = slo.indicator.threshold
    if threshold is None:
        return
    for tier in slo.tiers:
        for w in tier.windows:
            guard = slomath.guard_window(w)
            most = guard // threshold.slice_seconds
            if slo.min_events_for(w) <= most:
                continue
            specified = getattr(slo.alerting, tier.name).windows or []
            index = next((i for i, s in enumerate(specified) if s.to_math() == w), None)
            own = index is not None and specified[index].min_events is not None
            path: tuple[str | int, ...] = ("spec", "alerting", "minEvents")
            if own:
                path = ("spec", "alerting", tier.name, "windows", index, "minEvents")  # type: ignore[assignment]
            add(
                path,
                f"the {slomath.format_duration(w.long)}/{slomath.format_duration(w.short)} pair can never fire: "
                f"minEvents {slo.min_events_for(w)} is more than the {most} slices its "
                f"{slomath.format_duration(guard)} guard window holds"
                + ("" if own else " (set minEvents on the pair)"),
            )


def fraction_hint(objective_percent: float) -> str:
    """A nudge for the slo-generator/OpenSLO habit of writing 0.995 for 99.5%."""
    if objective_percent < 1:
        return f" (objective {objective_percent:g} looks like a fraction: did you mean {objective_percent * 100:g}?)"
    return ""


def check_inherited_pairs(slo: Slo, add: Add) -> None:
    """Pairs the spec did not write (built-in or defaults.yaml) must also fit the window and be able to fire.

    Hand-written pairs are checked where they are written (`check_alerting`); an inherited pair has
    no line of its own, so its problem is reported at what makes it impossible: the window or the
    objective.
    """
    most = 1 / slomath.error_budget(slo.objective)
    for tier in slo.tiers:
        written = {w.to_math() for w in getattr(slo.alerting, tier.name).windows or []}
        for w in tier.windows:
            if w in written:
                continue
            pair = f"the {tier.name} pair {slomath.format_duration(w.long)}/{slomath.format_duration(w.short)}"
            if w.long > slo.window_seconds:
                add(
                    ("spec", "window"),
                    f"{pair} (inherited) is longer than the SLO window {slo.window}; use a longer window "
                    f"or set alerting.{tier.name}.windows",
                )
                continue
            factor = w.factor(slo.window_seconds)
            if slomath.firing_threshold(factor) > most:
                add(
                    ("spec", "objective"),
                    f"{pair} (inherited) can never fire: it needs a burn rate of {factor:.4g}x, and a total outage "
                    f"burns at most {most:.4g}x at this objective" + fraction_hint(slo.objective * 100),
                )


# ---- what `sre generate` would refuse: asked of the generators themselves -----------------------
# `sre validate` and `sre generate` ask these (load(..., generating=True)); a report or a deploy of
# already generated files does not need, say, an SNS topic, so it is not refused for lacking one.


def check_output_names(slo: Slo, add: Add) -> None:
    """The service names files and dashboard uids: each target says whether it can take the name."""
    from sre_cli.targets.cloudwatch import dashboards, sli
    from sre_cli.targets.prometheus import grafana
    from sre_cli.targets.prometheus.sli import has_prometheus_source

    problems = grafana.service_problems(slo.service) if has_prometheus_source(slo) else []
    if sli.has_cloudwatch(slo) and (clash := dashboards.overview_clash(slo.service)):
        problems.append(clash)
    for problem in dict.fromkeys(problems):
        add(("metadata", "service"), problem)


def check_cloudwatch_alarm_plans(slo: Slo, defaults: document.Defaults, add: Add) -> None:
    """Every CloudWatch alarm of the SLO can be built: periods the API takes, ranks it reads, SNS topics."""
    from sre_cli.targets.cloudwatch import alarms, sli

    if not sli.has_cloudwatch(slo):
        return
    source = (*INDICATOR, slo.indicator.kind, "cloudwatch")
    for notify, what in {notify: what for what, notify in reversed(alarms.notified(slo, defaults))}.items():
        if problem := alarms.topic_problem(defaults, what, notify):
            add(source, problem)
    most = 1 / slomath.error_budget(slo.objective)
    for tier in slo.tiers:
        for w in tier.windows:
            if slomath.firing_threshold(w.factor(slo.window_seconds)) > most:
                continue  # a pair that can never fire is reported as such (check_alerting, check_inherited_pairs)
            if problem := _pair_plan_problem(slo, w):
                add(_pair_path(slo, tier.name, w), problem)
    try:
        alarms.absent_window(slo)
    except ValueError as exc:
        add(("spec", "alerting", "ticket", "for"), str(exc))
    if slo.indicator.threshold is not None:
        try:
            sli.slice_share_rank(slo.indicator.threshold.value)
        except ValueError as exc:
            add((*INDICATOR, "threshold", "value"), str(exc))


def _pair_plan_problem(slo: Slo, w: slomath.BurnWindow) -> str | None:
    """Why CloudWatch cannot evaluate a pair: its two child alarms, and the dashboard's burn graph."""
    from sre_cli.targets.cloudwatch import alarms, sli

    factor = w.factor(slo.window_seconds)
    try:
        for window in (w.long, w.short):
            alarms.alarm_window(slo, window, factor)
        sli.event_window(w.long)
    except ValueError as exc:
        return str(exc)
    return None


def _pair_path(slo: Slo, tier_name: str, w: slomath.BurnWindow) -> tuple[str | int, ...]:
    """Where a pair is written: its own line, or (inherited) the tier's."""
    written = getattr(slo.alerting, tier_name).windows or []
    index = next((i for i, s in enumerate(written) if s.to_math() == w), None)
    return ("spec", "alerting", tier_name) + (("windows", index) if index is not None else ())


def check_alerting(
    alerting: document.Alerting,
    window: str | None,
    objective: float | None,
    defaults: document.Defaults,
    root: Path,
    add: Add,
    name: str | None = None,
) -> None:
    """Window pairs fit the SLO window and can fire, notification targets exist, the runbook exists."""
    window_s = slomath.window_seconds(window) if window else None
    for tier_name in ("page", "ticket"):
        tier: document.TierSpec = getattr(alerting, tier_name)
        for i, w in enumerate(tier.windows or []):
            path = ("spec", "alerting", tier_name, "windows", i)
            long_s, short_s = slomath.parse_duration(w.long), slomath.parse_duration(w.short)
            if short_s >= long_s:
                add((*path, "short"), f"short window {w.short} must be shorter than long window {w.long}")
            if window_s is not None and long_s > window_s:
                add((*path, "long"), f"long window {w.long} is longer than the SLO window {window}")
            elif window_s is not None and objective is not None and 0 < objective < 1:
                factor = slomath.burn_factor(w.budget_percent / 100, window_s, long_s)
                most = 1 / slomath.error_budget(objective)
                if slomath.firing_threshold(factor) > most:
                    add(
                        (*path, "budgetPercent"),
                        f"this pair can never fire: it needs a burn rate of {factor:g}x over {w.long}, "
                        f"and a total outage burns at most {most:g}x at this objective"
                        + fraction_hint(objective * 100),
                    )
        if tier.notify and defaults.notification_targets and tier.notify not in defaults.notification_targets:
            known = ", ".join(sorted(defaults.notification_targets))
            add(
                ("spec", "alerting", tier_name, "notify"),
                f"unknown notification target {tier.notify!r} (defaults.yaml has: {known})",
            )
    if alerting.runbook is not None and (name is None or alerting.runbook != default_runbook(name)):
        if alerting.runbook.startswith("/") or ".." in alerting.runbook.split("/"):
            add(("spec", "alerting", "runbook"), "runbook must be a path inside the repository")
        elif not (root / alerting.runbook).is_file():
            add(("spec", "alerting", "runbook"), f"runbook file {alerting.runbook} does not exist (relative to {root})")
        elif in_generated_runbook_dir(alerting.runbook):
            add(
                ("spec", "alerting", "runbook"),
                f"{alerting.runbook} lies in {GENERATED_RUNBOOK_DIR}/, where `sre generate` writes and deletes "
                f"runbooks; keep hand-written runbooks in a sub-folder such as {GENERATED_RUNBOOK_DIR}/custom/"
                + (f" (or name this SLO's own generated runbook, {default_runbook(name)})" if name else ""),
            )


def _check_cw_metric(metric: document.CloudWatchMetric, path: tuple[str | int, ...], add: Add) -> None:
    if not is_cloudwatch_statistic(metric.statistic):
        add(
            (*path, "statistic"),
            f"{metric.statistic!r} is not a CloudWatch statistic (Sum, Average, Maximum, p95, PR(:0.3), ...)",
        )
    check_identity_placeholders(metric.dimensions, (*path, "dimensions"), add)


def check_identity_placeholders(identities: Mapping[str, str | None], path: tuple[str | int, ...], add: Add) -> None:
    """Dimension values and topic ARNs may hold ${name} placeholders: each one well formed."""
    for key, text in identities.items():
        if text is not None and (problem := placeholders.syntax_problem(text)):
            add((*path, key), problem)


def check_defaults(defaults: document.Defaults, doc: YamlDocument, file: str) -> list[SpecError]:
    """Placeholders in defaults.yaml's notification targets (snsTopicArn); one receiver, one setting."""
    errors: list[SpecError] = []
    receivers: dict[str, tuple[str, document.NotificationTarget]] = {}
    for name, target in defaults.notification_targets.items():
        check_identity_placeholders(
            {"snsTopicArn": target.sns_topic_arn},
            ("notificationTargets", name),
            lambda path, message: errors.append(_err(file, doc, path, message)),
        )
        # Targets may share an Alertmanager receiver (and differ in their SNS topic), but one
        # receiver has one set of integrations and one grouping.
        receiver = target.alertmanager_receiver or name
        first = receivers.setdefault(receiver, (name, target))
        alertmanager_side = {"alertmanager_receiver", "sns_topic_arn"}
        if first[0] != name and first[1].model_dump(exclude=alertmanager_side) != target.model_dump(
            exclude=alertmanager_side
        ):
            errors.append(
                _err(
                    file,
                    doc,
                    ("notificationTargets", name),
                    f"target {name!r} uses Alertmanager receiver {receiver!r} like target {first[0]!r}, with "
                    "other integrations or groupBy; give it its own alertmanagerReceiver or the same settings",
                )
            )
    return errors


def check_set(specs: SpecSet) -> list[SpecError]:
    """Rules across files: SLO names are unique (they name rules, alarms and runbooks)."""
    errors: list[SpecError] = []
    first: dict[str, Slo] = {}
    for slo in specs.slos:
        if slo.name in first:
            other = first[slo.name]
            errors.append(
                SpecError(
                    slo.file,
                    slo.name_line,
                    slo.name_col,
                    "metadata.name",
                    f"duplicate SLO name {slo.name!r} (first in {other.file}:{other.line})",
                )
            )
        else:
            first[slo.name] = slo
    return errors


# ---- what the generated objects must fit (Grafana, CloudWatch): refused here, not at generate ----

# Grafana refuses a dashboard uid over 40 characters; the generator's uid is `slo-<service>`
# (targets/prometheus/grafana.py), and alerts link to it, so it is not shortened behind their back.
CLOUDWATCH_ALARM_NAME_MAX = 255


def check_generated_limits(slo: Slo, defaults: document.Defaults, add: Add) -> None:
    """The CloudWatch alarms' names and description links (the Grafana uid and SNS topics are the
    generators' own checks, run by `check_output_names` and `check_cloudwatch_alarm_plans`)."""
    from sre_cli.targets.cloudwatch import alarms, sli

    if not sli.has_cloudwatch(slo):
        return
    too_long = [n for n in alarms.alarm_names(slo) if len(n) > CLOUDWATCH_ALARM_NAME_MAX]
    if too_long:
        add(
            ("metadata", "name"),
            f"CloudWatch alarm name {too_long[0]!r} is {len(too_long[0])} characters; at most "
            f"{CLOUDWATCH_ALARM_NAME_MAX}",
        )
    if problem := alarms.links_problem(slo):
        add(("spec", "alerting", "runbook") if slo.alerting.runbook else ("metadata", "name"), problem)


def _is_cloudwatch_dimension_text(text: str) -> bool:
    """CloudWatch's Dimension reference: only ASCII, no control characters, at least one non-whitespace."""
    return text.isascii() and not any(ord(c) < 32 or ord(c) == 127 for c in text) and bool(text.strip())


def check_cloudwatch_groups(slo: Slo, add: Add) -> None:
    """The enumeration of a grouped SLO's CloudWatch groups: at most maxGroups, each value a dimension
    value CloudWatch takes, each dimension one its metrics can take (not pinned already, at most 30)."""
    from sre_cli.targets.cloudwatch import groups

    enumeration = groups.enumeration(slo)
    if enumeration is None:
        return
    # Only here: the alarm plans (and the generator machinery they import) cost a report's first load
    # a tenth of a second, and an SLO without groups needs none of them.
    from sre_cli.targets.cloudwatch import alarms, validator

    source = slo.indicator.body.cloudwatch
    assert source is not None
    path = (*INDICATOR, slo.indicator.kind, "cloudwatch", "groups")
    for i, label in enumerate(slo.group_by):
        if label in alarms.OWN_TAGS:
            add(
                (*INDICATOR, "groupBy", i), f"{label!r} is a tag the CloudWatch alarms set themselves; rename the label"
            )
    count = groups.group_count(slo)
    if count > slo.max_groups:
        sizes = " x ".join(f"{len(g.values)} {label}" for label, g in enumeration.items())
        add(
            path,
            f"{count} groups ({sizes} values) exceed maxGroups {slo.max_groups}: each group is an alarm stack and a "
            "dashboard section; raise spec.indicator.maxGroups or enumerate fewer values",
        )
    metrics = [(field, m) for field in type(source).model_fields for m in _listed_metrics(getattr(source, field))]
    dimensions: dict[str, str] = {}
    for label, group in enumeration.items():
        where = (*path, label, "dimension")
        if group.dimension.startswith(":") or not _is_cloudwatch_dimension_text(group.dimension):
            add(where, f"{group.dimension!r} is not a CloudWatch dimension name (ASCII, not starting with ':')")
        if group.dimension in dimensions:
            add(where, f"dimension {group.dimension!r} already carries label {dimensions[group.dimension]!r}")
        dimensions.setdefault(group.dimension, label)
        for field, metric in metrics:
            if group.dimension in metric.dimensions:
                add(
                    where,
                    f"the {field} metric {metric.namespace} {metric.metric_name} already sets {group.dimension}="
                    f"{metric.dimensions[group.dimension]!r}; each group sets it: remove it from the metric's "
                    "dimensions",
                )
        seen: set[str] = set()
        for j, value in enumerate(group.values):
            if value in seen:
                add((*path, label, "values", j), f"{value!r} is listed twice")
            seen.add(value)
            if not _is_cloudwatch_dimension_text(value):
                add(
                    (*path, label, "values", j),
                    "CloudWatch dimension values hold ASCII characters only, no control characters, and at least "
                    "one non-whitespace character",
                )
    for field, metric in metrics:
        total = len(set(metric.dimensions) | set(dimensions))
        if total > groups.MAX_DIMENSIONS:
            add(
                path,
                f"the {field} metric {metric.namespace} {metric.metric_name} would carry {total} dimensions with "
                f"the groups'; CloudWatch metrics have at most {groups.MAX_DIMENSIONS}",
            )
    keys = [g.key for g in groups.of(slo)] if count <= slo.max_groups else []
    if len(set(keys)) != len(keys):
        add(path, "two groups share an alarm name key (a hash collision): change one value's spelling")
    if count <= slo.max_groups and len(alarms.absent_chunks(slo)) > validator.MAX_COMPOSITE_CHILDREN:
        add(path, "the groups' source metrics are too many for one metrics-absent composite alarm; enumerate fewer")


def _listed_metrics(value: Any) -> list[document.CloudWatchMetric]:
    if isinstance(value, document.CloudWatchMetric):
        return [value]
    if isinstance(value, list):
        return [m for m in value if isinstance(m, document.CloudWatchMetric)]
    return []


def slo_warnings(slo: Slo, doc: YamlDocument) -> list[SpecError]:
    """What validate says without failing: groupBy labels without a bound or pinned to one value
    (`grouping_warnings`), a grouped SLO whose CloudWatch alarms watch it as a whole."""
    from sre_cli.targets.cloudwatch import groups

    warnings = grouping_warnings(slo, doc)
    if (warning := groups.unenumerated_warning(slo)) is not None:
        warnings.append(_err(slo.file, doc, (*INDICATOR, slo.indicator.kind, "cloudwatch"), f"warning: {warning}"))
    return warnings


def check_cloudwatch_dashboards(specs: SpecSet) -> list[SpecError]:
    """Each service's CloudWatch dashboard fits CloudWatch (widgets, body size), reported at its first SLO."""
    from sre_cli.targets.cloudwatch import alarms, dashboards, validator

    errors: list[SpecError] = []
    try:
        dashboards.topic_location(specs)
    except ValueError:
        return errors  # no usable topic: the alarm plan checks say so per SLO
    for service, slos in alarms.cloudwatch_slos(specs).items():
        try:
            request = dashboards.service_dashboard(specs, service, slos)
        except ValueError as exc:
            problems = [str(exc)]
        else:
            problems = validator.check_dashboard(request)
        first = slos[0]
        errors.extend(
            SpecError(
                first.file,
                first.name_line,
                first.name_col,
                "metadata.service",
                f"the CloudWatch dashboard of service {service!r} ({len(slos)} SLOs) does not fit CloudWatch: "
                f"{problem}; split the service",
            )
            for problem in problems
        )
    return errors


def check_hand_runbooks(specs: SpecSet) -> list[SpecError]:
    """The hand-written runbook parts `sre generate` merges (runbooks/_hand/) name known SLOs and parse."""
    from sre_cli.runbooks import handwritten

    try:
        handwritten.load(specs.root, [slo.name for slo in specs.slos])
    except handwritten.HandError as exc:
        return [SpecError(exc.file, exc.line, 1, "", exc.message)]
    return []
