"""Benchmark a grouped SLO's rules against the same SLOs written out one by one (issue 15).

Prints figures, asserts nothing, but flags a grouped cost above one-by-one's with MISSED. The
question: does `groupBy: [grp]` over N groups cost Prometheus more rule evaluation than N specs,
one per group, each selecting its group?

- grouped: one spec over all N series groups of benchmarks/rules.py's history (synthesized with N
  groups) with `groupBy: [grp]`: its minute group and its rollup group, each rule `sum by (grp)`, N series each;
- one by one: N specs `bench_requests_total{job="bench",grp="gNNN"}`: 2 x N rule groups, one series each.

Both rule sets come from the real generator (`rule_groups`) and are measured as benchmarks/rules.py
measures its rule sets (its docstring says why and how; its helpers do the work): N groups x 3
status classes of its synthetic 1m history for `--days`, the recorded history each set reads over
ranges backfilled stage by stage at each group's own interval (the rollup blocks every 4m), both
sets running at once, each in its own Prometheus on its own copy of the data, scraping one live
exporter; groups every `--interval` seconds, rollups every 4 x `--interval`. Per set: CPU per round
from `process_cpu_seconds_total` over `--spans` spans of 4 rounds, and the sum over its rule groups of
their last `evaluationTime` at each span's end (concurrent groups' evaluation times include waiting
for each other on 2 cores; CPU does not). Figures: the median over the spans.

Figures: benchmarks/README.md, "Grouped SLO against the same SLOs one by one (issue 15)".

Run from the repository root: .venv/bin/python -m benchmarks.rules --part grouped [--slos 50]
[--days 31] [--interval 10] [--spans 4] (or .venv/bin/python -m benchmarks.rules_grouped, the same
options); --days 3 for a quick look.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks import rules as bench
from sre_cli import promrun
from sre_cli.slomath import MINUTE
from sre_cli.slospec.load import load_or_raise
from sre_cli.targets.prometheus import rules as prometheus_rules
from sre_cli.vocabulary import ROLLUP_INTERVAL
from tests.support import rule_history

GROUPS = 50  # issue 15: 50 groups against 50 SLOs
SETS = ("grouped", "one-by-one")


def _spec(name: str, matcher: str, group_by: list[str]) -> dict[str, Any]:
    selector = f'{bench.METRIC}{{job="bench"{matcher}'
    prometheus = {"good": selector + ',status="2xx"}', "total": selector + "}"}
    indicator: dict[str, Any] = {"ratio": {"prometheus": prometheus}}
    if group_by:
        indicator["groupBy"] = group_by
    return {
        "apiVersion": "sre.dev/v1",
        "kind": "SLO",
        "metadata": {"name": name, "service": "grouped"},
        "spec": {"description": "benchmark", "objective": 99.5, "window": "30d", "indicator": indicator},
    }


def rule_sets(root: Path, count: int) -> dict[str, list[bench.Group]]:
    """The two rule sets, from spec files loaded as `sre` loads them."""
    docs = {
        "grouped": [_spec("grouped", "", ["grp"])],
        "one-by-one": [_spec(f"one-g{k:03d}", f',grp="g{k:03d}"', []) for k in range(count)],
    }
    sets = {}
    for label, specs in docs.items():
        directory = root / f"specs-{label}"
        directory.mkdir()
        (directory / "slos.yaml").write_text(yaml.safe_dump_all(specs, sort_keys=False), encoding="utf-8")
        sets[label] = prometheus_rules.rule_groups(load_or_raise([directory]).slos)["groups"]
    return sets


def evaluation_seconds(url: str) -> float:
    """The sum over the server's rule groups of their last evaluation time."""
    return sum(g["evaluationTime"] for g in rule_history.api_get(url, "/api/v1/rules")["groups"])


def measure(
    sets: dict[str, list[bench.Group]], tsdbs: dict[str, Path], exporter: str, args: argparse.Namespace
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, float]]:
    """Per set: CPU seconds per round and evaluation seconds, one per span; group evaluations skipped."""
    rollup = ROLLUP_INTERVAL * args.interval // MINUTE
    scrape = [{"job_name": "bench", "honor_labels": True, "static_configs": [{"targets": [exporter]}]}]
    servers, urls = {}, {}
    try:
        for label, groups in sets.items():
            rule_file = tsdbs[label].parent / f"{label}.rules.yaml"
            rule_file.write_text(yaml.safe_dump({"groups": bench.scaled(groups, args.interval)}, sort_keys=False))
            promrun.promtool("check", "rules", str(rule_file))
            servers[label] = promrun.PrometheusServer(
                [rule_file],
                tsdbs[label],
                scrape_configs=scrape,
                evaluation_interval=f"{args.interval}s",
                scrape_interval=bench.SCRAPE_INTERVAL,
            ).start()
            urls[label] = servers[label].url
        bench.wait_evaluated(urls, 2, 6 * rollup + 120)
        cpu: dict[str, list[float]] = {label: [] for label in sets}
        evaluation: dict[str, list[float]] = {label: [] for label in sets}
        before = {label: bench.cpu_seconds(url) for label, url in urls.items()}
        for _ in range(args.spans):
            time.sleep(rollup)
            after = {label: bench.cpu_seconds(url) for label, url in urls.items()}
            for label, url in urls.items():
                cpu[label].append((after[label] - before[label]) / (rollup / args.interval))
                evaluation[label].append(evaluation_seconds(url))
            before = after
        missed = {label: bench.missed_rounds(url) for label, url in urls.items()}
    finally:
        for server in servers.values():
            server.stop()
    return cpu, evaluation, missed


def grouped(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    count = args.slos or GROUPS
    with tempfile.TemporaryDirectory(prefix="sre-bench-grouped-") as tmp:
        root = Path(tmp)
        sets = rule_sets(root, count)
        t = time.perf_counter()
        traffic = bench.Traffic.synthesize(int(time.time()) // MINUTE * MINUTE, args.days, count)
        raw_om = root / "raw.om"
        samples = traffic.openmetrics(raw_om)
        base = root / "raw"
        bench.backfill(raw_om, base)
        raw_om.unlink()
        print(
            f"history: {len(traffic.counters)} raw series x {args.days} d at 1m = {samples / 1e6:.1f} M samples "
            f"({time.perf_counter() - t:.0f} s)",
            flush=True,
        )
        tsdbs = {label: root / label / "tsdb" for label in SETS}
        with promrun.PrometheusServer([], base) as prom:
            for label, groups in sets.items():
                t = time.perf_counter()
                shutil.copytree(base, tsdbs[label])
                samples = bench.record_history(prom.url, groups, traffic, tsdbs[label], root)
                print(
                    f"recorded history, {label}: {samples / 1e6:.1f} M samples ({time.perf_counter() - t:.0f} s)",
                    flush=True,
                )
        server = bench.LiveCounters(traffic).serve()
        exporter = f"127.0.0.1:{server.server_address[1]}"
        load_before = os.getloadavg()[0]
        try:
            cpu, evaluation, missed = measure(sets, tsdbs, exporter, args)
        finally:
            server.shutdown()
    print(
        f"\n{count} groups, both rule sets at once, groups every {args.interval}s, rollups every "
        f"{ROLLUP_INTERVAL * args.interval // MINUTE}s; median (min-max) over {args.spans} spans of 4 rounds; "
        f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}:"
    )
    for label, groups in sets.items():
        rules_count = sum(len(g["rules"]) for g in groups)
        print(
            f"  {label:<10} {len(groups):>3} rule groups {rules_count:>5} rules: CPU "
            f"{statistics.median(cpu[label]) * 1e3:8.1f} ms/round, evaluation time (sum over groups) "
            f"{statistics.median(evaluation[label]) * 1e3:8.1f} ms"
        )
    saturated = {label: n for label, n in missed.items() if n}
    if saturated:
        print(f"  SATURATED (evaluations skipped: {saturated}): CPU per round is what the server got; raise --interval")
    for name, figures in (("CPU", cpu), ("evaluation time", evaluation)):
        ratios = [g / o for g, o in zip(figures["grouped"], figures["one-by-one"], strict=True)]
        median = statistics.median(ratios)
        print(
            f"  grouped / one by one, {name}: {median:.3f} ({min(ratios):.3f}-{max(ratios):.3f})"
            f" (<= 1: {'met' if median <= 1 else 'MISSED'})"
        )
    print(f"grouped benchmark wall time: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    bench.main(["--part", "grouped", *sys.argv[1:]])
