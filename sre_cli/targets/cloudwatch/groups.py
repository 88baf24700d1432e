"""Grouped SLOs on CloudWatch: one alarm stack, and one dashboard row, per enumerated group.

A grouped SLO (`indicator.groupBy: [handler]`) is one SLO per value combination of its labels.
Prometheus fans out by itself (`sum by (handler)`); a CloudWatch metric math alarm watches exactly
the metrics it names, so the spec enumerates each label's CloudWatch dimension and values
(`<kind>.cloudwatch.groups: {handler: {dimension: Handler, values: [...]}}`). Every combination of
the values (their cartesian product, at most `maxGroups`) is a `Group`; `in_group` gives the SLO as
that group sees it: the group's value put into the named dimension of every source metric, so the
burn-rate expressions of `sli.py` are built once, unchanged, and read only that group's metrics.

A grouped SLO without `groups` keeps today's alarms over the metrics as written: they watch the
SLO as a whole (all groups together), and `sre validate` says so (`unenumerated_warning`).

Why enumeration, not a Metrics Insights alarm (one query, one series per group)? From the
CloudWatch "Limits" page of alarms based on Metrics Insights queries and the Metrics Insights
quotas page: only the latest 3 hours of data are used to evaluate such an alarm's condition, while
the burn-rate pairs read 6h, 1d and 3d windows; there are by default 200 of them per account and
Region; a multi-series alarm caps its contributors in ALARM at 100 and, past 500 series or 10,000
matched metrics, evaluates PARTIAL_DATA. And a composite alarm combines the states of whole alarms
(PutCompositeAlarm), so the `ALARM(long) AND ALARM(short)` of a pair could not be asked per
contributor: the long window of one group and the short window of another would page together.

Names: an alarm of a group is `<slo>-<group key>-<tier>-...`, the key being a readable slug of the
values (at most KEY_SLUG_MAX characters) and a hash of the exact values, so names are unique, within
CloudWatch's 255 characters, and free of the quotes an AlarmRule cannot hold. The group's exact
values are in each alarm's description and its labels in the tags.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass

from sre_cli.placeholders import Text
from sre_cli.slospec.document import CloudWatchGroup, CloudWatchMetric
from sre_cli.slospec.model import Slo

KEY_SLUG_MAX = 40
KEY_HASH_LENGTH = 8
MAX_DIMENSIONS = 30  # per metric (the CloudWatch Dimension reference)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Group:
    """One value combination of a grouped SLO: its labels, and the CloudWatch dimensions selecting it."""

    labels: tuple[tuple[str, str], ...]  # (groupBy label, value), in groupBy order
    dimensions: tuple[tuple[str, str], ...]  # (CloudWatch dimension, value), the same order

    @property
    def key(self) -> str:
        """The group's part of alarm names: a lowercase slug of its values and a hash of them exactly."""
        slug = "-".join(filter(None, (_NOT_SLUG.sub("-", v.lower()).strip("-") for _, v in self.labels)))
        slug = slug[:KEY_SLUG_MAX].strip("-") or "group"
        digest = hashlib.sha256(json.dumps(self.labels).encode()).hexdigest()[:KEY_HASH_LENGTH]
        return f"{slug}-{digest}"

    @property
    def selector(self) -> str:
        """The group as people read it next to the SLO name: `{handler="/orders"}`."""
        return "{" + ", ".join(f"{label}={json.dumps(value)}" for label, value in self.labels) + "}"


def enumeration(slo: Slo) -> dict[str, CloudWatchGroup] | None:
    """The CloudWatch `groups` of a grouped SLO, in groupBy order; None when it has none."""
    source = slo.indicator.body.cloudwatch
    if not slo.group_by or source is None or source.groups is None:
        return None
    return {label: source.groups[label] for label in slo.group_by}


def group_count(slo: Slo) -> int:
    """How many groups the enumeration makes (1 for an SLO without one), without building them."""
    groups = enumeration(slo)
    return math.prod(len(g.values) for g in groups.values()) if groups else 1


def of(slo: Slo) -> tuple[Group, ...]:
    """Every group of the SLO, values in the order written; empty when CloudWatch does not enumerate it."""
    groups = enumeration(slo)
    if groups is None:
        return ()
    labels = list(groups)
    return tuple(
        Group(
            labels=tuple(zip(labels, combination, strict=True)),
            dimensions=tuple(
                (groups[label].dimension, value) for label, value in zip(labels, combination, strict=True)
            ),
        )
        for combination in itertools.product(*(groups[label].values for label in labels))
    )


def unenumerated_warning(slo: Slo) -> str | None:
    """What `sre validate` says of a grouped SLO whose CloudWatch source enumerates no groups."""
    source = slo.indicator.body.cloudwatch
    if not slo.group_by or source is None or source.groups is not None:
        return None
    labels = ", ".join(slo.group_by)
    return (
        f"the SLO is grouped by {labels}, but its CloudWatch source enumerates no groups: its CloudWatch alarms "
        f"and dashboard watch the SLO as a whole (the metrics as written, all {labels} values together), not "
        f"each group; add `groups: {{{slo.group_by[0]}: {{dimension: <CloudWatch dimension>, values: [...]}}}}` "
        "for one alarm stack per value"
    )


def _with_group(metric: CloudWatchMetric, group: Group) -> CloudWatchMetric:
    # `Text`: a group value is user text, escaped in the generated files like any, never a placeholder.
    dimensions = {**metric.dimensions, **{name: Text(value) for name, value in group.dimensions}}
    return metric.model_copy(update={"dimensions": dimensions})


def in_group(slo: Slo, group: Group) -> Slo:
    """The SLO as one group sees it: every metric of its CloudWatch source carries the group's dimensions."""
    body = slo.indicator.body
    source = body.cloudwatch
    assert source is not None
    update = {}
    for field in type(source).model_fields:
        value = getattr(source, field)
        if isinstance(value, CloudWatchMetric):
            update[field] = _with_group(value, group)
        elif isinstance(value, list) and value and isinstance(value[0], CloudWatchMetric):
            update[field] = [_with_group(m, group) for m in value]
    body = body.model_copy(update={"cloudwatch": source.model_copy(update=update)})
    indicator = slo.indicator.model_copy(update={slo.indicator.kind: body})
    return dataclasses.replace(slo, indicator=indicator)


def members(slo: Slo) -> list[tuple[Slo, Group | None]]:
    """What gets an alarm stack: each group as it sees the SLO, or the SLO itself when not enumerated."""
    groups = of(slo)
    return [(in_group(slo, g), g) for g in groups] if groups else [(slo, None)]
