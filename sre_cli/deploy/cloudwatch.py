"""Diff, apply and prune the generated CloudWatch requests against an AWS account.

The desired state is exactly the generated requests (`alarms/cloudwatch/*.json`,
`dashboards/cloudwatch/*.json`, or the same rendered in memory from the specs). The current
state comes from DescribeAlarms, ListTagsForResource and GetDashboard. DescribeAlarms returns no
tags, so tags are listed with up to `TAG_READERS` calls in flight, and only for alarms that are
desired or whose name has a shape the generators build (`alarms.could_be_generated`): an alarm
of any other name cannot be ours, and is never listed, changed or deleted. `plan` is pure: it
compares the two and says per alarm/dashboard create, update, delete or unchanged, so a second
apply makes zero write calls. Tags of an existing alarm are changed with TagResource (PutMetricAlarm
ignores Tags on update); tags someone else added are left alone.

Ownership: an alarm is ours when it is tagged ManagedBy=sre AND its scope tag
(`sre:scope=<spec set>/<environment>`, written by the generator) is the scope of this run.
`plan` deletes (prune) only alarms of this scope that belong to a service the desired state has
alarms for, unless `all_services`; everything else is out of scope and never shown, changed or
deleted. A desired alarm whose name is taken by an alarm of another scope is a `conflict`: it is
not overwritten.

Apply order follows the references: SNS topics (if asked, each created in the region and account
its ARN names), metric alarms, composites (each after
the alarms its rule and ActionsSuppressor name), dashboards. Every write is retried by botocore's
standard retry mode; a write that still fails is recorded and the rest continue, except when the
endpoint is unreachable, which stops the run. The report lists what was applied, what failed and
what was not attempted, so nothing half-applied goes unreported.

Prune deletes only alarms of this scope (and service) that the desired state does not contain,
composites first (CloudWatch refuses to delete an alarm a composite still names).

moto (used by the tests) does not implement PutCompositeAlarm; callers can restrict a run to
some resource kinds (`kinds=`), and the composite path is tested with botocore's Stubber.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sre_cli.deploy import aws_calls as calls
from sre_cli.deploy.aws_calls import Change, Report
from sre_cli.deploy.aws_calls import describe_error as _message
from sre_cli.deploy.aws_calls import is_unreachable as _is_unreachable
from sre_cli.deploy.aws_calls import run_steps as _run
from sre_cli.targets.cloudwatch.alarms import MANAGED_BY, SCOPE_TAG, could_be_generated

METRIC = "metric-alarm"
COMPOSITE = "composite-alarm"
DASHBOARD = "dashboard"
KINDS = (METRIC, COMPOSITE, DASHBOARD)
ACTION_LISTS = ("AlarmActions", "OKActions", "InsufficientDataActions")
DELETE_BATCH = 100  # DeleteAlarms takes at most 100 names
TAG_READERS = 8  # ListTagsForResource calls in flight: well under CloudWatch's per-account rate
# A tag value: 0-256 of letters, digits, spaces and _ . : / = + - @ (CloudWatch's TagValue).
_TAG_VALUE = re.compile(r"[\w .:/=+@-]{1,256}")


class InputError(ValueError):
    """The desired state is missing or invalid (exit code 2)."""


def check_scope(scope: str) -> str:
    """A `--scope` value: what the scope tag can hold."""
    if not _TAG_VALUE.fullmatch(scope):
        raise InputError(
            f"--scope {scope!r}: a scope is 1-256 letters, digits, spaces or _ . : / = + - @ "
            "(e.g. github.com/acme/sre/prod)"
        )
    return scope


# ---- desired state -----------------------------------------------------------------------------


@dataclass
class Desired:
    metric_alarms: dict[str, dict[str, Any]] = field(default_factory=dict)
    composite_alarms: dict[str, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The scope of this run: its alarms' scope tag (or --scope). None when there are no alarms
    # and no --scope: then nothing in the account is ours to delete.
    scope: str | None = None

    def add_alarm_document(self, doc: Mapping[str, Any]) -> None:
        self.metric_alarms.update(doc["metric_alarms"])
        self.composite_alarms.update(doc["composite_alarms"])

    def add_dashboard(self, request: Mapping[str, Any]) -> None:
        self.dashboards[request["DashboardName"]] = dict(request)

    @property
    def alarm_names(self) -> set[str]:
        return set(self.metric_alarms) | set(self.composite_alarms)

    @property
    def services(self) -> set[str]:
        """The services the desired alarms belong to (their `service` tag)."""
        return {
            t["Value"]
            for alarm in [*self.metric_alarms.values(), *self.composite_alarms.values()]
            for t in alarm.get("Tags", [])
            if t["Key"] == "service"
        }

    def alarm_scopes(self) -> set[str | None]:
        """The scope tag values of the desired alarms (None: an alarm without one)."""
        return {
            _tag_map(alarm.get("Tags", [])).get(SCOPE_TAG)
            for alarm in [*self.metric_alarms.values(), *self.composite_alarms.values()]
        }

    def with_scope(self, scope: str) -> Desired:
        """The same requests with every alarm's scope tag set to `scope` (--scope)."""

        def rescoped(alarms: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
            return {
                name: {**alarm, "Tags": _set_tag(alarm.get("Tags", []), SCOPE_TAG, scope)}
                for name, alarm in alarms.items()
            }

        return replace(
            self,
            metric_alarms=rescoped(self.metric_alarms),
            composite_alarms=rescoped(self.composite_alarms),
            scope=scope,
        )

    def topics(self) -> set[str]:
        return {
            arn
            for alarm in [*self.metric_alarms.values(), *self.composite_alarms.values()]
            for key in ACTION_LISTS
            for arn in alarm.get(key, [])
            if ":sns:" in arn
        }


def _tag_map(tags: Iterable[Mapping[str, str]]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags}


def _set_tag(tags: Iterable[Mapping[str, str]], key: str, value: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted({**_tag_map(tags), key: value}.items())]


def scoped(desired: Desired, scope: str | None = None) -> Desired:
    """The desired state with its scope decided: `scope` (--scope) if given, else its alarms' one tag value."""
    if scope is not None:
        return desired.with_scope(check_scope(scope))
    found = desired.alarm_scopes()
    if not found:
        return desired
    if None in found:
        raise InputError(
            f"some desired alarms carry no {SCOPE_TAG} tag (files from an older `sre generate`?): "
            "regenerate them, or pass --scope"
        )
    if len(found) > 1:
        listed = ", ".join(sorted(str(s) for s in found))
        raise InputError(f"the desired alarms name more than one {SCOPE_TAG} ({listed}); deploy one at a time")
    return replace(desired, scope=found.pop())


def from_specs(
    specs: Any, values: Mapping[str, str] | None = None, values_file: str | None = None, scope: str | None = None
) -> Desired:
    """Render (and strictly validate) the requests from loaded specs, filled with `values`, in `scope`."""
    from sre_cli.targets.cloudwatch import alarms, dashboards

    try:
        texts = {**alarms.render(specs), **dashboards.render(specs)}
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return from_texts(texts, values, values_file, scope)


def from_generated(
    root: Path, values: Mapping[str, str] | None = None, values_file: str | None = None, scope: str | None = None
) -> Desired:
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
    return from_texts(texts, values, values_file, scope)


def from_texts(
    texts: Mapping[str, str],
    values: Mapping[str, str] | None = None,
    values_file: str | None = None,
    scope: str | None = None,
) -> Desired:
    """The desired state from generated file texts (`alarms/...` or `dashboards/...` by path).

    Its scope is `scope` (--scope, which then replaces the alarms' scope tag) or the one the
    alarms' scope tag names once filled (`<spec set>/${environment}` -> `github.com/acme/sre/prod`).

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
    return scoped(desired, scope)


# ---- current state -----------------------------------------------------------------------------


@dataclass
class Current:
    metric_alarms: dict[str, dict[str, Any]] = field(default_factory=dict)
    composite_alarms: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # alarm name -> tags
    dashboards: dict[str, str] = field(default_factory=dict)  # name -> body


def read_current(cw: Any, desired: Desired, kinds: Iterable[str] = KINDS, *, workers: int = TAG_READERS) -> Current:
    """What the account holds: every alarm; the tags of those that may be ours; the desired dashboards."""
    kinds = set(kinds)
    current = Current()
    alarm_types = [t for k, t in ((METRIC, "MetricAlarm"), (COMPOSITE, "CompositeAlarm")) if k in kinds]
    if alarm_types:
        for page in cw.get_paginator("describe_alarms").paginate(AlarmTypes=alarm_types):
            for alarm in page.get("MetricAlarms", []):
                current.metric_alarms[alarm["AlarmName"]] = alarm
            for alarm in page.get("CompositeAlarms", []):
                current.composite_alarms[alarm["AlarmName"]] = alarm
        wanted = desired.alarm_names
        candidates = [
            alarm
            for alarm in [*current.metric_alarms.values(), *current.composite_alarms.values()]
            if alarm["AlarmName"] in wanted or could_be_generated(alarm["AlarmName"])
        ]
        listed = list_tags(cw, [alarm["AlarmArn"] for alarm in candidates], workers)
        current.tags = {alarm["AlarmName"]: tags for alarm, tags in zip(candidates, listed, strict=True)}
    if DASHBOARD in kinds:
        for name in sorted(desired.dashboards):
            try:
                current.dashboards[name] = cw.get_dashboard(DashboardName=name)["DashboardBody"]
            except cw.exceptions.ResourceNotFound:
                continue
    return current


def list_tags(cw: Any, arns: list[str], workers: int = TAG_READERS) -> list[dict[str, str]]:
    """The tags of each alarm, `workers` calls in flight (boto3 clients are thread-safe)."""

    def tags_of(arn: str) -> dict[str, str]:
        return _tag_map(cw.list_tags_for_resource(ResourceARN=arn).get("Tags", []))

    if workers <= 1 or len(arns) <= 1:
        return [tags_of(arn) for arn in arns]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sre-list-tags") as pool:
        futures = [pool.submit(tags_of, arn) for arn in arns]
        try:
            return [f.result() for f in futures]
        except BaseException:
            pool.shutdown(cancel_futures=True)  # the first failure ends the read; skip what is queued
            raise


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


def owned_elsewhere(tags: Mapping[str, str], scope: str | None) -> str | None:
    """The scope of another spec set or environment that owns the alarm, or None."""
    other = tags.get(SCOPE_TAG)
    return other if is_managed(tags) and other is not None and other != scope else None


def is_prunable(tags: Mapping[str, str], scope: str | None, services: set[str], all_services: bool) -> bool:
    """Ours to delete: made by sre, in this run's scope, of a service this run deploys (or any, if asked)."""
    return (
        is_managed(tags)
        and scope is not None
        and tags.get(SCOPE_TAG) == scope
        and (all_services or tags.get("service") in services)
    )


def plan(
    desired: Desired, current: Current, kinds: Iterable[str] = KINDS, *, all_services: bool = False
) -> list[Change]:
    """Per desired alarm/dashboard what to do, and the alarms of this scope (and its services) no spec makes."""
    kinds = set(kinds)
    services = desired.services
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
            if owner := owned_elsewhere(current.tags.get(name, {}), desired.scope):
                changes.append(Change(kind, name, "conflict", (f"{SCOPE_TAG}={owner}",)))
                continue
            fields = alarm_differences(wanted[name], present[name])
            if tag_differences(wanted[name].get("Tags", []), current.tags.get(name, {})):
                fields.append("Tags")
            changes.append(Change(kind, name, "update" if fields else "unchanged", tuple(fields)))
        for name in sorted(set(present) - set(wanted) - desired.alarm_names):
            if is_prunable(current.tags.get(name, {}), desired.scope, services, all_services):
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


class TopicError(Exception):
    """The SNS topics could not all be created; nothing else was written."""

    def __init__(self, message: str, *, bad_input: bool = False):
        super().__init__(message)
        self.bad_input = bad_input  # the ARN or the account is wrong (exit 2), not AWS (exit 3)


@dataclass(frozen=True)
class TopicArn:
    arn: str
    partition: str
    region: str
    account: str
    name: str

    @classmethod
    def parse(cls, arn: str) -> TopicArn:
        parts = arn.split(":")
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns" or not all(parts[1:]):
            raise TopicError(f"{arn!r} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)", bad_input=True)
        return cls(arn, parts[1], parts[3], parts[4], parts[5])


def _topic_exists(sns: Any, arn: str) -> bool:
    """Looked up first so that a second apply makes no write call, topics included."""
    try:
        sns.get_topic_attributes(TopicArn=arn)
    except sns.exceptions.NotFoundException:
        return False
    return True


def ensure_topics(aws: Clients, arns: Iterable[str], created: list[str]) -> None:
    """Create the topics that do not exist, each in its ARN's region, appending each to `created`.

    A missing topic of another account cannot be created with these credentials: that stops the run
    before anything is created (the values file or the profile is wrong), as does any AWS error.
    """
    topics = [TopicArn.parse(arn) for arn in sorted(set(arns))]
    missing = [t for t in topics if not _topic_exists(aws.sns(t.region), t.arn)]
    if not missing:
        return
    account = aws.account()
    elsewhere = [t.arn for t in missing if t.account != account]
    if elsewhere:
        raise TopicError(
            f"{', '.join(elsewhere)}: missing, and not in account {account} of these credentials: "
            "not created (wrong --values or --profile?)",
            bad_input=True,
        )
    for topic in missing:
        made = aws.sns(topic.region).create_topic(Name=topic.name)["TopicArn"]
        if made != topic.arn:
            raise TopicError(f"{topic.arn}: CreateTopic made {made} instead")
        created.append(topic.arn)


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
    topics_with: Clients | None = None,
) -> Report:
    """Create and update what `changes` says; deletes are left to `prune`, conflicts are not written.

    With `topics_with`, the SNS topics the alarms notify are created first where missing.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    report = Report()
    writes = [c for c in changes if c.action in ("create", "update")]
    if topics_with is not None:
        try:
            ensure_topics(topics_with, desired.topics(), report.topics_created)
        except (ClientError, BotoCoreError) as exc:
            if _is_unreachable(exc):
                report.unreachable = _message(exc)
            else:
                report.stopped = f"creating the SNS topics failed: {_message(exc)}"
            report.not_attempted = writes
            return report
        except TopicError as exc:
            report.stopped, report.stopped_by_input = str(exc), exc.bad_input
            report.not_attempted = writes
            return report
    for change in changes:
        if change.action == "conflict":
            report.failed.append((change, "another scope owns this alarm name: not overwritten"))
    todo = {(c.kind, c.name): c for c in writes}
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


@dataclass
class Clients:
    """boto3 clients of one session, in aws_calls' retry mode (throttling and 5xx retried)."""

    session: Any
    config: Any
    endpoint_url: str | None
    cloudwatch: Any
    _sns: dict[str, Any] = field(default_factory=dict)

    def _client(self, service: str, region: str | None = None) -> Any:
        return self.session.client(service, region_name=region, config=self.config, endpoint_url=self.endpoint_url)

    def sns(self, region: str | None = None) -> Any:
        """SNS in `region` (default: the session's): a topic is created in the region its ARN names."""
        key = region or self.cloudwatch.meta.region_name
        if key not in self._sns:
            self._sns[key] = self._client("sns", key)
        return self._sns[key]

    def account(self) -> str:
        return str(self._client("sts").get_caller_identity()["Account"])


def clients(region: str | None, profile: str | None, endpoint_url: str | None, max_attempts: int = 5) -> Clients:
    session = calls.session(profile, region)
    config = calls.retry_config(max_attempts)
    cloudwatch = session.client("cloudwatch", config=config, endpoint_url=endpoint_url)
    return Clients(session, config, endpoint_url, cloudwatch)
