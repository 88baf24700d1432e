"""Diff, apply and prune the generated CloudWatch requests against an AWS account.

The desired state is exactly the generated requests (`alarms/cloudwatch/*.json`,
`dashboards/cloudwatch/*.json`, or the same rendered in memory from the specs). The current
state comes from DescribeAlarms, ListTagsForResource and GetDashboard. `plan` is pure: it
compares the two and says per alarm/dashboard create, update, delete or unchanged, so a second
apply makes zero write calls. Tags of an existing alarm are changed with TagResource (PutMetricAlarm
ignores Tags on update); tags someone else added are left alone.

Apply order follows the references: SNS topics (if asked), metric alarms, composites (each after
the alarms its rule and ActionsSuppressor name), dashboards. Every write is retried by botocore's
standard retry mode; a write that still fails is recorded and the rest continue, except when the
endpoint is unreachable, which stops the run. The report lists what was applied, what failed and
what was not attempted, so nothing half-applied goes unreported.

Prune deletes only alarms tagged ManagedBy=sre that the desired state does not contain,
composites first (CloudWatch refuses to delete an alarm a composite still names).

moto (used by the tests) does not implement PutCompositeAlarm; callers can restrict a run to
some resource kinds (`kinds=`), and the composite path is tested with botocore's Stubber.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sre_cli.deploy import aws_calls as calls
from sre_cli.deploy.aws_calls import Change, Report
from sre_cli.deploy.aws_calls import describe_error as _message
from sre_cli.deploy.aws_calls import is_unreachable as _is_unreachable
from sre_cli.deploy.aws_calls import run_steps as _run

METRIC = "metric-alarm"
COMPOSITE = "composite-alarm"
DASHBOARD = "dashboard"
KINDS = (METRIC, COMPOSITE, DASHBOARD)
MANAGED_BY = ("ManagedBy", "sre")
ACTION_LISTS = ("AlarmActions", "OKActions", "InsufficientDataActions")
DELETE_BATCH = 100  # DeleteAlarms takes at most 100 names


class InputError(ValueError):
    """The desired state is missing or invalid (exit code 2)."""


# ---- desired state -----------------------------------------------------------------------------


@dataclass
class Desired:
    metric_alarms: dict[str, dict[str, Any]] = field(default_factory=dict)
    composite_alarms: dict[str, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_alarm_document(self, doc: Mapping[str, Any]) -> None:
        self.metric_alarms.update(doc["metric_alarms"])
        self.composite_alarms.update(doc["composite_alarms"])

    def add_dashboard(self, request: Mapping[str, Any]) -> None:
        self.dashboards[request["DashboardName"]] = dict(request)

    @property
    def alarm_names(self) -> set[str]:
        return set(self.metric_alarms) | set(self.composite_alarms)

    def topics(self) -> set[str]:
        return {
            arn
            for alarm in [*self.metric_alarms.values(), *self.composite_alarms.values()]
            for key in ACTION_LISTS
            for arn in alarm.get(key, [])
            if ":sns:" in arn
        }


def from_specs(specs: Any, values: Mapping[str, str] | None = None, values_file: str | None = None) -> Desired:
    """Render (and strictly validate) the requests from loaded specs, filled with `values`."""
    from sre_cli.targets.cloudwatch import alarms, dashboards

    try:
        texts = {**alarms.render(specs), **dashboards.render(specs)}
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return from_texts(texts, values, values_file)


def from_generated(root: Path, values: Mapping[str, str] | None = None, values_file: str | None = None) -> Desired:
    """Read the generated files under `root`, filled with `values`, validated as strictly as generate does."""
    alarm_files = sorted((root / "alarms" / "cloudwatch").glob("*.json"))
    dashboard_files = sorted((root / "dashboards" / "cloudwatch").glob("*.json"))
    if not alarm_files and not dashboard_files:
        raise InputError(f"{root}: no alarms/cloudwatch/*.json or dashboards/cloudwatch/*.json; run `sre generate`")
    texts: dict[str, str] = {}
    problems: list[str] = []
    for path in [*alarm_files, *dashboard_files]:
        try:
            texts[str(path)] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot read JSON: {exc}")
    if problems:
        raise InputError("\n".join(problems))
    return from_texts(texts, values, values_file)


def from_texts(
    texts: Mapping[str, str], values: Mapping[str, str] | None = None, values_file: str | None = None
) -> Desired:
    """The desired state from generated file texts (`alarms/...` or `dashboards/...` by path).

    The texts are Terraform templates: they are filled exactly as the observability module's
    `templatefile` fills them, and nothing is returned while a placeholder lacks its value.
    """
    from sre_cli import placeholders
    from sre_cli.targets.cloudwatch import validator

    unfilled = {name for text in texts.values() for name in placeholders.names_in(text)} - set(values or {})
    if unfilled:
        raise InputError(placeholders.missing_message(unfilled, values_file if values is not None else None))
    desired = Desired()
    problems: list[str] = []
    for path, text in sorted(texts.items()):
        is_alarms = "alarms" in Path(path).parts
        check, add = (
            (validator.validate_alarm_document, desired.add_alarm_document)
            if is_alarms
            else (validator.check_dashboard, desired.add_dashboard)
        )
        try:
            doc = json.loads(placeholders.fill(text, values or {}, path))
        except json.JSONDecodeError as exc:
            problems.append(f"{path}: cannot read JSON: {exc}")
            continue
        found = check(doc) if isinstance(doc, dict) else ["expected a JSON object"]
        if found:
            problems.extend(f"{path}: {p}" for p in found)
        else:
            add(doc)
    if problems:
        raise InputError("\n".join(problems))
    return desired


# ---- current state -----------------------------------------------------------------------------


@dataclass
class Current:
    metric_alarms: dict[str, dict[str, Any]] = field(default_factory=dict)
    composite_alarms: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # alarm name -> tags
    dashboards: dict[str, str] = field(default_factory=dict)  # name -> body


def read_current(cw: Any, desired: Desired, kinds: Iterable[str] = KINDS) -> Current:
    """What the account holds: every alarm with its tags (prune needs them), the desired dashboards."""
    kinds = set(kinds)
    current = Current()
    alarm_types = [t for k, t in ((METRIC, "MetricAlarm"), (COMPOSITE, "CompositeAlarm")) if k in kinds]
    if alarm_types:
        for page in cw.get_paginator("describe_alarms").paginate(AlarmTypes=alarm_types):
            for alarm in page.get("MetricAlarms", []):
                current.metric_alarms[alarm["AlarmName"]] = alarm
            for alarm in page.get("CompositeAlarms", []):
                current.composite_alarms[alarm["AlarmName"]] = alarm
        for alarm in [*current.metric_alarms.values(), *current.composite_alarms.values()]:
            tags = cw.list_tags_for_resource(ResourceARN=alarm["AlarmArn"]).get("Tags", [])
            current.tags[alarm["AlarmName"]] = {t["Key"]: t["Value"] for t in tags}
    if DASHBOARD in kinds:
        for name in sorted(desired.dashboards):
            try:
                current.dashboards[name] = cw.get_dashboard(DashboardName=name)["DashboardBody"]
            except cw.exceptions.ResourceNotFound:
                continue
    return current


# ---- plan (pure) -------------------------------------------------------------------------------


def _query(q: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in q.items() if v is not None}
    out.setdefault("ReturnData", True)
    return out


def _same(field_name: str, want: Any, have: Any) -> bool:
    if field_name == "Metrics":
        return isinstance(have, list) and [_query(q) for q in want] == [_query(q) for q in have]
    if field_name == "ActionsSuppressor" and isinstance(have, str):
        return have == want or have.endswith(f":alarm:{want}")
    if isinstance(want, float | int) and isinstance(have, float | int) and not isinstance(want, bool):
        return math.isclose(float(want), float(have), rel_tol=1e-12, abs_tol=0.0)
    return bool(want == have)


_DEFAULTS: dict[str, Any] = {"ActionsEnabled": True, **{k: [] for k in ACTION_LISTS}}


def alarm_differences(want: Mapping[str, Any], have: Mapping[str, Any]) -> list[str]:
    """Fields of a Put*Alarm request that the described alarm does not match (Tags aside)."""
    fields = [
        k
        for k, v in want.items()
        if k != "Tags" and not _same(k, v, have.get(k, _DEFAULTS.get(k, have.get("EvaluationPeriods"))))
    ]
    # Actions someone added by hand to an alarm we own are drift too.
    fields += [k for k in ACTION_LISTS if k not in want and have.get(k)]
    return sorted(fields)


def tag_differences(want: Iterable[Mapping[str, str]], have: Mapping[str, str]) -> dict[str, str]:
    """Desired tags missing or different on the alarm (extra tags are not ours to remove)."""
    return {t["Key"]: t["Value"] for t in want if have.get(t["Key"]) != t["Value"]}


def is_managed(tags: Mapping[str, str]) -> bool:
    return tags.get(MANAGED_BY[0]) == MANAGED_BY[1]


def plan(desired: Desired, current: Current, kinds: Iterable[str] = KINDS) -> list[Change]:
    kinds = set(kinds)
    changes: list[Change] = []
    for kind, wanted, present in (
        (METRIC, desired.metric_alarms, current.metric_alarms),
        (COMPOSITE, desired.composite_alarms, current.composite_alarms),
    ):
        if kind not in kinds:
            continue
        for name in sorted(wanted):
            if name not in present:
                changes.append(Change(kind, name, "create"))
                continue
            fields = alarm_differences(wanted[name], present[name])
            if tag_differences(wanted[name].get("Tags", []), current.tags.get(name, {})):
                fields.append("Tags")
            changes.append(Change(kind, name, "update" if fields else "unchanged", tuple(fields)))
        for name in sorted(set(present) - set(wanted) - desired.alarm_names):
            if is_managed(current.tags.get(name, {})):
                changes.append(Change(kind, name, "delete"))
    if DASHBOARD in kinds:
        for name in sorted(desired.dashboards):
            body = desired.dashboards[name]["DashboardBody"]
            if name not in current.dashboards:
                changes.append(Change(DASHBOARD, name, "create"))
            elif _json_equal(current.dashboards[name], body):
                changes.append(Change(DASHBOARD, name, "unchanged"))
            else:
                changes.append(Change(DASHBOARD, name, "update", ("DashboardBody",)))
    return changes


def _json_equal(a: str, b: str) -> bool:
    try:
        return bool(json.loads(a) == json.loads(b))
    except json.JSONDecodeError:
        return a == b


# ---- apply / prune -----------------------------------------------------------------------------


def composite_order(composites: Mapping[str, Mapping[str, Any]], names: Iterable[str]) -> list[str]:
    """Composites after every composite their rule or suppressor names (a topological order)."""
    from sre_cli.targets.cloudwatch.metricmath import rule_alarms

    wanted = sorted(names)
    deps = {
        n: {child for _, child in rule_alarms(composites[n]["AlarmRule"])}
        | ({composites[n]["ActionsSuppressor"]} if "ActionsSuppressor" in composites[n] else set())
        for n in wanted
    }
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(wanted):
        ready = [n for n in wanted if n not in placed and not (deps[n] & set(wanted)) - placed]
        if not ready:  # a cycle: the validator rejects these, keep going in name order
            ready = [n for n in wanted if n not in placed]
        for n in ready:
            order.append(n)
            placed.add(n)
    return order


def _topic_exists(sns: Any, arn: str) -> bool:
    """Looked up first so that a second apply makes no write call, topics included."""
    try:
        sns.get_topic_attributes(TopicArn=arn)
    except sns.exceptions.NotFoundException:
        return False
    return True


def _put_alarm(cw: Any, change: Change, request: Mapping[str, Any], current: Current) -> Callable[[], None]:
    put = cw.put_metric_alarm if change.kind == METRIC else cw.put_composite_alarm

    def step() -> None:
        fields = set(change.fields)
        if change.action == "create" or fields - {"Tags"}:
            put(**request)
        if change.action == "update" and "Tags" in fields:
            arn = _alarm_arn(current, change)
            missing = tag_differences(request.get("Tags", []), current.tags.get(change.name, {}))
            cw.tag_resource(ResourceARN=arn, Tags=[{"Key": k, "Value": v} for k, v in sorted(missing.items())])

    return step


def _alarm_arn(current: Current, change: Change) -> str:
    table = current.metric_alarms if change.kind == METRIC else current.composite_alarms
    return str(table[change.name]["AlarmArn"])


def apply(
    cw: Any,
    desired: Desired,
    current: Current,
    changes: list[Change],
    *,
    sns: Any = None,
    create_topics: bool = False,
) -> Report:
    """Create and update what `changes` says; deletes are left to `prune`."""
    report = Report()
    if create_topics and sns is not None:
        for arn in sorted(desired.topics()):
            try:
                if not _topic_exists(sns, arn):
                    sns.create_topic(Name=arn.rsplit(":", 1)[1])
                    report.topics_created.append(arn)
            except Exception as exc:
                if _is_unreachable(exc):
                    report.unreachable = _message(exc)
                    report.not_attempted = [c for c in changes if c.action in ("create", "update")]
                    return report
                raise
    todo = {(c.kind, c.name): c for c in changes if c.action in ("create", "update")}
    steps: list[tuple[Change, Callable[[], None]]] = []
    for name in sorted(n for k, n in todo if k == METRIC):
        change = todo[(METRIC, name)]
        steps.append((change, _put_alarm(cw, change, desired.metric_alarms[name], current)))
    for name in composite_order(desired.composite_alarms, (n for k, n in todo if k == COMPOSITE)):
        change = todo[(COMPOSITE, name)]
        steps.append((change, _put_alarm(cw, change, desired.composite_alarms[name], current)))
    for name in sorted(n for k, n in todo if k == DASHBOARD):
        request = desired.dashboards[name]
        steps.append((todo[(DASHBOARD, name)], lambda r=request: cw.put_dashboard(**r)))
    _run(report, steps)
    return report


def prune(cw: Any, changes: list[Change]) -> Report:
    """Delete the managed alarms no spec produces (composites first), in batches of 100."""
    from botocore.exceptions import BotoCoreError, ClientError

    report = Report()
    batches = [
        batch
        for kind in (COMPOSITE, METRIC)
        for doomed in [[c for c in changes if c.kind == kind and c.action == "delete"]]
        for batch in (doomed[i : i + DELETE_BATCH] for i in range(0, len(doomed), DELETE_BATCH))
    ]
    for i, batch in enumerate(batches):
        try:
            cw.delete_alarms(AlarmNames=[c.name for c in batch])
        except (ClientError, BotoCoreError) as exc:
            if _is_unreachable(exc):
                report.unreachable = _message(exc)
                report.not_attempted = [c for b in batches[i:] for c in b]
                break
            report.failed.extend((c, _message(exc)) for c in batch)
        else:
            report.applied.extend(batch)
    return report


# ---- clients -----------------------------------------------------------------------------------


def clients(
    region: str | None, profile: str | None, endpoint_url: str | None, max_attempts: int = 5
) -> tuple[Any, Any]:
    """CloudWatch and SNS clients with botocore's standard retry mode (throttling and 5xx retried)."""
    return (
        calls.client("cloudwatch", region, profile, endpoint_url, max_attempts),
        calls.client("sns", region, profile, endpoint_url, max_attempts),
    )
