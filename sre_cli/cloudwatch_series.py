"""CloudWatch metrics as Prometheus series: which `aws_*` series a spec reads and where each comes from.

The specs read some CloudWatch metrics from Prometheus (`aws_states_executions_failed_sum`): an
exporter, YACE (yet-another-cloudwatch-exporter), copies them over. YACE names a series
`aws_<namespace>_<metric>_<statistic>` in snake case (its `promutil.BuildMetricName`: the namespace
lowercased, a leading `aws` not repeated, namespace words dropped from the front of the metric
name) and labels it `dimension_<Dimension>`. The spec pairs each Prometheus series with the
CloudWatch metric it comes from by position: the i-th `bad` selector with the i-th `bad` metric, a
threshold gauge's one `aws_*` series with the threshold metric.

A metric of an `AWS/` namespace must be read under YACE's own name. A metric of a custom namespace
(ours to name, e.g. `Custom/Batch`) may be read under another `aws_*` name: the scrape renames
YACE's series to it and copies each `dimension_<D>` label to the snake-case label `<d>` as well.
Pure string work, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sre_cli.slospec.document import CloudWatchMetric, Indicator

PREFIX = "aws_"
_SEPARATORS = set(" ,\t/\\.-:=@<>()“")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_BRACES = re.compile(r"\{[^{}]*\}")
_AWS_SERIES = re.compile(r"(?<![\w:])aws_\w*")


def snake(text: str) -> str:
    """YACE's PromString: separators to '_', '%' to '_percent', '_' before an upper after lower/digit."""
    out: list[str] = []
    prev = ""
    for c in text:
        if c in _SEPARATORS:
            out.append("_")
        elif c == "%":
            out.append("_percent")
        else:
            if c.isupper() and (prev.islower() or prev.isdigit()):
                out.append("_")
            out.append(c.lower())
        prev = c
    return "".join(out)


def yace_name(namespace: str, metric_name: str, statistic: str) -> str:
    """The series YACE exports for one CloudWatch metric and statistic."""
    namespace_part = snake(namespace.lower()).removeprefix("_")
    metric_part = snake(metric_name)
    for word in namespace_part.split("_"):
        metric_part = metric_part.removeprefix(word)
    metric_part = metric_part.removeprefix("_")
    prefix = "" if namespace_part.startswith("aws") else PREFIX
    return f"{prefix}{namespace_part}_{metric_part}_{snake(statistic)}"


def is_custom_namespace(namespace: str) -> bool:
    return not namespace.startswith("AWS/")


def series_names(expr: str) -> list[str]:
    """The `aws_*` metric names an expression or selector names, in order, once each."""
    bare = _BRACES.sub("{}", _STRING.sub('""', expr))
    return list(dict.fromkeys(_AWS_SERIES.findall(bare)))


@dataclass(frozen=True)
class ExportedSeries:
    """One `aws_*` series a spec reads, the CloudWatch metric it comes from, and YACE's name for it."""

    series: str  # the name the spec reads
    metric: CloudWatchMetric
    path: tuple[str | int, ...]  # where the spec names the series

    @property
    def yace_name(self) -> str:
        return yace_name(self.metric.namespace, self.metric.metric_name, self.metric.statistic)

    @property
    def renamed(self) -> bool:
        return self.series != self.yace_name

    @property
    def problem(self) -> str | None:
        """Why the exporter config cannot produce this series under the spec's name, or None."""
        if self.renamed and not is_custom_namespace(self.metric.namespace):
            return (
                f"YACE exports {self.metric.namespace} {self.metric.metric_name} ({self.metric.statistic}) "
                f"as {self.yace_name}, not {self.series}; read it under that name"
            )
        return None


@dataclass(frozen=True)
class UnsourcedSeries:
    """An `aws_*` series the spec reads with no CloudWatch metric at its position."""

    series: str
    path: tuple[str | int, ...]


def cloudwatch_born(indicator: Indicator) -> list[ExportedSeries | UnsourcedSeries]:
    """Every `aws_*` series the Prometheus source reads, paired with its CloudWatch metric if any."""
    found: list[ExportedSeries | UnsourcedSeries] = []
    base: tuple[str | int, ...] = ("spec", "indicator")
    if indicator.ratio and indicator.ratio.prometheus and indicator.ratio.prometheus.form != "selectors":
        # PromQL of the spec's own has no place a CloudWatch metric could stand at: its aws_* series
        # come from no generated exporter config.
        prom = indicator.ratio.prometheus
        templates = (
            {f"expression.{k}": getattr(prom.expression, k) for k in ("good", "bad", "total")}
            if prom.expression
            else {"errorRatio": prom.error_ratio}
        )
        for field, template in templates.items():
            if template is None:
                continue
            path = (*base, "ratio", "prometheus", *field.split("."))
            found.extend(UnsourcedSeries(name, path) for name in series_names(template))
    elif indicator.ratio and indicator.ratio.prometheus:
        prom, cw = indicator.ratio.prometheus, indicator.ratio.cloudwatch
        for key in ("good", "bad", "total"):
            written = getattr(prom, key)
            metrics = (getattr(cw, key) or []) if cw else []
            for i, expr in enumerate(prom.selectors(key)):
                path = (*base, "ratio", "prometheus", key) + (() if isinstance(written, str) else (i,))
                for name in series_names(expr):
                    metric = metrics[i] if i < len(metrics) else None
                    found.append(ExportedSeries(name, metric, path) if metric else UnsourcedSeries(name, path))
    elif indicator.threshold and indicator.threshold.prometheus:
        t = indicator.threshold
        path = (*base, "threshold", "prometheus", "gauge")
        names = series_names(t.prometheus.gauge)
        metric = t.cloudwatch.metric if t.cloudwatch and len(names) == 1 else None
        for name in names:
            found.append(ExportedSeries(name, metric, path) if metric else UnsourcedSeries(name, path))
    elif indicator.latency and indicator.latency.prometheus:
        path = (*base, "latency", "prometheus", "histogram")
        found.extend(UnsourcedSeries(name, path) for name in series_names(indicator.latency.prometheus.histogram))
    return found
