"""Recorded history of the generated rules over backfilled raw data, as a live group would have left it.

The long windows of the generated rules read recorded series over [W] (up to 30d), so a fresh
Prometheus over backfilled raw data would evaluate them on minutes of recorded history, not 30
days. `record_history` evaluates the recording rules that other rules read over a range (the base
rules) at every step of the history with the query_range API of a Prometheus holding the raw
blocks, and writes the samples as OpenMetrics with the rule's labels, so that
`promrun.backfill_openmetrics` turns them into the series the live group would have recorded: same
name, same labels, one sample per evaluation.

Why not `promtool tsdb create-blocks-from rules`: it does the same query_range evaluation but
writes one block per rule and 2 hours (measured with 2.42 on the stack's five SLOs, 30 days: 82 s
and 3,249 blocks); this route takes ~3 s and writes one block.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sre_cli import promrun, slomath

Rule = dict[str, Any]
MAX_POINTS = 10_000  # query_range refuses more than 11,000 points per series

_RANGE_READ = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{[^}]*\})?\s*\[")
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def api_get(url: str, path: str, params: dict[str, Any] | None = None, timeout: float = 300) -> Any:
    """`data` of a Prometheus HTTP API answer; anything but success raises."""
    qs = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"{url}{path}{qs}", timeout=timeout) as resp:
        body = json.load(resp)
    if body.get("status") != "success":
        raise RuntimeError(f"{path} {params}: {body}")
    return body["data"]


def range_read_records(groups: list[dict[str, Any]]) -> list[Rule]:
    """The recording rules whose output another rule reads over a range: the history that matters.

    Each must read raw series only (one backfill stage); a rule reading a recorded series raises.
    """
    rules = [r for g in groups for r in g["rules"]]
    records = {r["record"] for r in rules if "record" in r}
    read_over_range = {name for r in rules for name in _RANGE_READ.findall(r["expr"])} & records
    chosen = [r for r in rules if r.get("record") in read_over_range]
    for rule in chosen:
        reads_recorded = set(_METRIC_NAME.findall(rule["expr"])) & records
        if reads_recorded:
            raise ValueError(f"{rule['record']} reads recorded {sorted(reads_recorded)}: needs a second stage")
    return chosen


def range_read_stages(groups: list[dict[str, Any]]) -> list[list[Rule]]:
    """The range-read recording rules (as `range_read_records`) in stages: each stage reads raw
    series and the records of earlier stages only. A grouped SLO's bad events fall back to its
    recorded total, so they come one stage after it; everything else is one stage."""
    rules = [r for g in groups for r in g["rules"]]
    records = {r["record"] for r in rules if "record" in r}
    read_over_range = {name for r in rules for name in _RANGE_READ.findall(r["expr"])} & records
    remaining = [r for r in rules if r.get("record") in read_over_range]
    stages: list[list[Rule]] = []
    done: set[str] = set()
    while remaining:
        stage = [r for r in remaining if set(_METRIC_NAME.findall(r["expr"])) & records <= done]
        if not stage:
            names = sorted({r["record"] for r in remaining})
            raise ValueError(f"{names} read records no earlier stage records")
        stages.append(stage)
        done |= {r["record"] for r in stage}
        remaining = [r for r in remaining if r not in stage]
    return stages


def timed_range_read_stages(groups: list[dict[str, Any]], default_interval: int) -> list[list[tuple[Rule, int]]]:
    """`range_read_stages`, each rule with its group's interval in seconds (`default_interval` for
    groups without one): the rollup blocks of the SLO window are recorded every 4m, not every minute."""
    intervals = {
        id(rule): slomath.parse_duration(g["interval"]) if "interval" in g else default_interval
        for g in groups
        for rule in g["rules"]
    }
    return [[(rule, intervals[id(rule)]) for rule in stage] for stage in range_read_stages(groups)]


def write_stage_history(url: str, stage: list[tuple[Rule, int]], start: int, end: int, out: Path) -> int:
    """One stage of `timed_range_read_stages`, each rule at its group's interval, into one OpenMetrics file."""
    samples = 0
    with out.open("w", encoding="utf-8") as fh:
        for rule, interval in stage:
            for line in record_history(url, rule, start, end, interval):
                fh.write(line)
                samples += not line.startswith("#")
        fh.write("# EOF\n")
    return samples


def backfill_stages(tsdb: Path, stages: list[list[Rule]], start: int, end: int, step: int, scratch: Path) -> int:
    """Each stage's history evaluated by a Prometheus over `tsdb` (raw blocks and the earlier
    stages), then backfilled into it; returns the samples written."""
    samples = 0
    for i, stage in enumerate(stages):
        om = scratch / f"stage{i}.om"
        with promrun.PrometheusServer([], tsdb) as prom:
            samples += write_recorded_history(prom.url, stage, start, end, step, om)
        promrun.backfill_openmetrics(om, tsdb)
        om.unlink()
    return samples


def report_stages(groups: list[dict[str, Any]], base: set[str]) -> list[set[str]]:
    """The series the report reads (event counts, error ratios) and those they read, minus `base`,
    in stages: each rule after every rule it reads (promtool evaluates each rule on its own)."""
    exprs: dict[str, list[str]] = {}
    for g in groups:
        for r in g["rules"]:
            if "record" in r:
                exprs.setdefault(r["record"], []).append(r["expr"])
    reads = {
        name: {m for e in es for m in _METRIC_NAME.findall(e)} & exprs.keys() - {name} for name, es in exprs.items()
    }
    wanted = {n for n in exprs if n.startswith(("slo:sli_events:count", "slo:sli_error:ratio_rate"))}
    todo = list(wanted)
    while todo:
        for name in reads[todo.pop()] - base - wanted:
            wanted.add(name)
            todo.append(name)
    depth: dict[str, int] = {n: 0 for n in base}

    def depth_of(name: str) -> int:
        if name not in depth:
            depth[name] = 1 + max((depth_of(r) for r in reads[name]), default=0)
        return depth[name]

    stages: dict[int, set[str]] = {}
    for name in wanted:
        stages.setdefault(depth_of(name), set()).add(name)
    return [stages[d] for d in sorted(stages)]


def _label_text(labels: dict[str, str]) -> str:
    escaped = {k: v.replace("\\", "\\\\").replace('"', '\\"') for k, v in labels.items()}
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(escaped.items())) + "}"


def record_history(url: str, rule: Rule, start: int, end: int, step: int) -> Iterator[str]:
    """OpenMetrics lines of one recording rule evaluated at start, start + step, ... <= end."""
    yield f"# TYPE {rule['record']} gauge\n"
    for lo in range(start, end + 1, step * MAX_POINTS):
        hi = min(end, lo + step * (MAX_POINTS - 1))
        params = {"query": rule["expr"], "start": lo, "end": hi, "step": step}
        for result in api_get(url, "/api/v1/query_range", params)["result"]:
            # A rule's output keeps the expression's labels; the rule's own labels win.
            labels = {k: v for k, v in result["metric"].items() if k != "__name__"}
            series = rule["record"] + _label_text({**labels, **rule.get("labels", {})})
            for ts, value in result["values"]:
                yield f"{series} {value} {ts}\n"


def write_recorded_history(url: str, rules: list[Rule], start: int, end: int, step: int, out: Path) -> int:
    """Every rule's history into one OpenMetrics file (for backfill_openmetrics); returns samples."""
    samples = 0
    with out.open("w", encoding="utf-8") as fh:
        for rule in rules:
            for line in record_history(url, rule, start, end, step):
                fh.write(line)
                samples += not line.startswith("#")
        fh.write("# EOF\n")
    return samples


def range_read_names(groups: list[dict[str, Any]]) -> set[str]:
    """The recorded names some rule reads over a range (their history matters, not just their last sample)."""
    rules = [r for g in groups for r in g["rules"]]
    records = {r["record"] for r in rules if "record" in r}
    return {name for r in rules for name in _RANGE_READ.findall(r["expr"])} & records
