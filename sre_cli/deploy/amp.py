"""Diff, apply and prune the generated rule files in an Amazon Managed Service for Prometheus workspace.

One rule groups namespace per service, named after it, whose data is the service's generated rule
file (`alarms/prometheus/<service>.rules.yaml`, or the same rendered in memory from the specs)
byte for byte. The current state comes from ListRuleGroupsNamespaces (names, status, tags) and
DescribeRuleGroupsNamespace (data); `plan` is pure and says per namespace create, update, delete,
unchanged or conflict, so a second apply makes zero write calls.

Ownership is recorded, not guessed from a name: every namespace this tool creates carries the tags
`sre.dev/managed-by=sre` and `sre.dev/scope=<scope>` (the repository or spec set, and environment
if one workspace serves several). Only namespaces carrying both, with this run's scope, are
updated or pruned; a namespace of the wanted name that is not ours is a conflict, reported and
left alone. Prune refuses to delete every namespace of the scope when nothing is desired (an empty
or wrong --generated folder) unless told so.

Writes go through `calls.run_steps`: throttling is retried by botocore's standard mode,
ConflictException (the namespace is still being created or updated; AMP applies asynchronously)
with a bounded backoff here, and a write that still fails is reported with the rest continuing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sre_cli.deploy import aws_calls as calls
from sre_cli.deploy.aws_calls import Change, Report, fields_text

KIND = "rule-namespace"
MANAGED_BY = ("sre.dev/managed-by", "sre")
SCOPE_TAG = "sre.dev/scope"
RULE_FILE_SUFFIX = ".rules.yaml"
BUSY = ("ConflictException",)
FAILED_STATES = ("CREATION_FAILED", "UPDATE_FAILED")
_TAG_VALUE_UNSAFE = re.compile(r"[^\w .:/=+\-@]")  # AMP tag values: letters, digits, space, _.:/=+-@
TAG_VALUE_MAX = 256


class InputError(ValueError):
    """The desired state is missing or invalid (exit code 2)."""


# ---- desired state -----------------------------------------------------------------------------


def from_specs(specs: Any) -> dict[str, str]:
    """Namespace name -> rule file text, exactly as `sre generate` writes it."""
    from sre_cli.targets.prometheus import rules

    rendered = rules.render(specs)
    return {
        _service_of(Path(path)): text if text.endswith("\n") else text + "\n"
        for path, text in rendered.items()
        if path.endswith(RULE_FILE_SUFFIX)
    }


def from_generated(rules_dir: Path) -> dict[str, str]:
    """Namespace name -> the text of `<service>.rules.yaml` in `rules_dir`, each checked to be a rule file."""
    if not rules_dir.is_dir():
        raise InputError(f"{rules_dir}: not a folder; run `sre generate` or pass --generated")
    desired: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted(rules_dir.glob(f"*{RULE_FILE_SUFFIX}")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot read: {exc}")
            continue
        if problem := rule_file_problem(text):
            problems.append(f"{path}: {problem}")
        else:
            desired[_service_of(path)] = text
    if problems:
        raise InputError("\n".join(problems))
    return desired


def _service_of(path: Path) -> str:
    return path.name.removesuffix(RULE_FILE_SUFFIX)


def rule_file_problem(text: str) -> str | None:
    """None for a Prometheus rule file (`groups:`, each named with a rule list), else what is wrong."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return f"not YAML: {exc}"
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), list):
        return "not a Prometheus rule file (no `groups:` list)"
    for i, group in enumerate(doc["groups"]):
        if not isinstance(group, dict) or not isinstance(group.get("name"), str):
            return f"groups[{i}] has no name"
        if not isinstance(group.get("rules"), list):
            return f"group {group['name']!r} has no `rules:` list"
    return None


def scope_tag_value(text: str) -> str:
    """A scope as an AMP tag value: unsafe characters become '-', at most 256 characters."""
    cleaned = _TAG_VALUE_UNSAFE.sub("-", text.strip())[:TAG_VALUE_MAX]
    if not cleaned:
        raise InputError("the scope is empty; pass --scope")
    return cleaned


def ownership_tags(scope: str) -> dict[str, str]:
    return {MANAGED_BY[0]: MANAGED_BY[1], SCOPE_TAG: scope}


# ---- current state -----------------------------------------------------------------------------


@dataclass
class Namespace:
    name: str
    status: str
    tags: dict[str, str]
    data: str | None = None  # read only for the namespaces the plan compares


@dataclass
class Current:
    namespaces: dict[str, Namespace] = field(default_factory=dict)


def is_ours(namespace: Namespace, scope: str) -> bool:
    tags = namespace.tags
    return tags.get(MANAGED_BY[0]) == MANAGED_BY[1] and tags.get(SCOPE_TAG) == scope


def read_current(amp: Any, workspace: str, desired: Mapping[str, str], scope: str) -> Current:
    """Every namespace of the workspace with its tags; the data of the desired ones that are ours."""
    current = Current()
    for page in amp.get_paginator("list_rule_groups_namespaces").paginate(workspaceId=workspace):
        for summary in page.get("ruleGroupsNamespaces", []):
            tags = summary.get("tags")
            if tags is None:  # the summary normally carries them; ask when it does not
                tags = amp.list_tags_for_resource(resourceArn=summary["arn"]).get("tags", {})
            name = summary["name"]
            current.namespaces[name] = Namespace(name, summary.get("status", {}).get("statusCode", ""), dict(tags))
    for name in sorted(desired):
        namespace = current.namespaces.get(name)
        if namespace is not None and is_ours(namespace, scope):
            found = amp.describe_rule_groups_namespace(workspaceId=workspace, name=name)["ruleGroupsNamespace"]
            data = found.get("data", b"")
            namespace.data = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)
    return current


# ---- plan (pure) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleChange:
    """One rule added, removed or changed, keyed by group and record/alert name."""

    sign: str  # + - ~
    group: str
    rule: str  # "alert SLOBurnRate" or "record slo:sli_bad:rate5m"; "#2" for the second of a name
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"  {self.sign} {self.group}: {self.rule}{fields_text(self.fields)}"


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    rule_changes: dict[str, list[RuleChange]] = field(default_factory=dict)  # namespace -> its rule diff

    def lines(self) -> list[str]:
        """Each namespace's change, and under it the rules that differ."""
        out: list[str] = []
        for change in self.changes:
            out.append(str(change))
            out.extend(str(r) for r in self.rule_changes.get(change.name, []))
        return out


def _rules_by_key(text: str | None) -> dict[tuple[str, str], dict[str, Any]]:
    """(group, "alert X" / "record y", with "#n" from the second rule of the same name on) -> rule."""
    try:
        doc = yaml.safe_load(text or "") or {}
    except yaml.YAMLError:
        doc = {}
    out: dict[tuple[str, str], dict[str, Any]] = {}
    groups = doc.get("groups") if isinstance(doc, dict) else None
    for group in groups if isinstance(groups, list) else []:
        if not isinstance(group, dict):
            continue
        seen: dict[str, int] = {}
        settings = {k: v for k, v in group.items() if k != "rules"}
        out[(str(group.get("name")), "(group settings)")] = settings
        for rule in group.get("rules") or []:
            if not isinstance(rule, dict):
                continue
            kind = "alert" if "alert" in rule else "record"
            label = f"{kind} {rule.get(kind)}"
            seen[label] = seen.get(label, 0) + 1
            key = label if seen[label] == 1 else f"{label} #{seen[label]}"
            out[(str(group.get("name")), key)] = rule
    return out


def rule_diff(want: str, have: str | None) -> list[RuleChange]:
    """Rules added, removed and changed (with the fields that differ), by group then rule."""
    wanted, present = _rules_by_key(want), _rules_by_key(have)
    diff: list[RuleChange] = []
    for key in sorted(set(wanted) | set(present)):
        group, rule = key
        if key not in present:
            diff.append(RuleChange("+", group, rule))
        elif key not in wanted:
            diff.append(RuleChange("-", group, rule))
        elif wanted[key] != present[key]:
            a, b = wanted[key], present[key]
            diff.append(RuleChange("~", group, rule, tuple(sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k)))))
    return diff


def _summary(diff: Iterable[RuleChange]) -> tuple[str, ...]:
    counts: dict[str, int] = {}
    for change in diff:
        counts[change.sign] = counts.get(change.sign, 0) + 1
    words = {"+": "added", "-": "removed", "~": "changed"}
    return tuple(f"{counts[s]} rule(s) {words[s]}" for s in ("~", "+", "-") if s in counts)


def plan(desired: Mapping[str, str], current: Current, scope: str) -> Plan:
    result = Plan()
    for name in sorted(desired):
        namespace = current.namespaces.get(name)
        if namespace is None:
            result.rule_changes[name] = rule_diff(desired[name], None)
            result.changes.append(Change(KIND, name, "create", _summary(result.rule_changes[name])))
        elif not is_ours(namespace, scope):
            owner = namespace.tags.get(SCOPE_TAG)
            why = f"owned by scope {owner!r}" if owner else "not created by sre"
            result.changes.append(Change(KIND, name, "conflict", (why,)))
        elif namespace.data == desired[name] and namespace.status not in FAILED_STATES:
            result.changes.append(Change(KIND, name, "unchanged"))
        else:
            result.rule_changes[name] = rule_diff(desired[name], namespace.data)
            fields = _summary(result.rule_changes[name]) or ("text",)  # comments or layout only
            if namespace.status in FAILED_STATES:
                fields += (f"status {namespace.status}",)
            result.changes.append(Change(KIND, name, "update", fields))
    for name in sorted(set(current.namespaces) - set(desired)):
        if is_ours(current.namespaces[name], scope):
            result.changes.append(Change(KIND, name, "delete"))
    return result


# ---- apply / prune -----------------------------------------------------------------------------


def _busy(sleep: Any = None) -> calls.BusyRetry:
    return calls.BusyRetry(BUSY) if sleep is None else calls.BusyRetry(BUSY, sleep=sleep)


def apply(
    amp: Any, workspace: str, desired: Mapping[str, str], changes: Iterable[Change], scope: str, sleep: Any = None
) -> Report:
    """Create and update what `changes` says; conflicts are reported as failed, deletes left to `prune`."""
    report = Report()
    steps = []
    for change in changes:
        data = desired.get(change.name, "").encode("utf-8")
        if change.action == "create":
            steps.append(
                (
                    change,
                    lambda c=change, d=data: amp.create_rule_groups_namespace(
                        workspaceId=workspace, name=c.name, data=d, tags=ownership_tags(scope)
                    ),
                )
            )
        elif change.action == "update":
            steps.append(
                (
                    change,
                    lambda c=change, d=data: amp.put_rule_groups_namespace(workspaceId=workspace, name=c.name, data=d),
                )
            )
        elif change.action == "conflict":
            report.failed.append((change, "a namespace of this name exists and is not ours; not overwritten"))
    calls.run_steps(report, steps, _busy(sleep))
    return report


def prune(amp: Any, workspace: str, changes: Iterable[Change], sleep: Any = None) -> Report:
    """Delete our namespaces that no service produces any more."""
    report = Report()
    steps = [
        (c, lambda c=c: amp.delete_rule_groups_namespace(workspaceId=workspace, name=c.name))
        for c in changes
        if c.action == "delete"
    ]
    calls.run_steps(report, steps, _busy(sleep))
    return report


def client(region: str | None, profile: str | None, endpoint_url: str | None, max_attempts: int = 5) -> Any:
    return calls.client("amp", region, profile, endpoint_url, max_attempts)
