"""Benchmark a grouped SLO's rules against the same SLOs written out one by one (issue 15).

Prints figures, asserts nothing. The question: does `groupBy: [handler]` over N handlers cost
Prometheus more rule-evaluation time than N specs, one per handler, each selecting its handler?

- grouped: one spec, api-availability's selectors with `groupBy: [handler]`: one rule group whose
  rules each `sum by (handler)` and record N series;
- one by one: N specs `...{job="api",handler="/v1/hNNN",...}`: N rule groups, each recording one series.

Both rule sets come from the real generator (`rules.slo_group`), and run on a real Prometheus
over the same backfilled history as benchmarks/rules.py: synth's `http_requests_total` (3 status
classes per handler, 1m samples) for `--days`, with the recorded 5m rates the long windows read
backfilled too (tests/support/rule_history), the raw series kept live by a local exporter. Each
set runs alone on its own copy of the data; the figure is the sum over its groups of the median
`evaluationTime` (benchmarks/rules.py says why and how, and its helpers do the work).

Measured (shared 2-core VM, 50 handlers, 30 days, 150 raw series; issue 15):
- alone: sum of group medians, grouped 1,569 ms (1 group, 34 rules) vs one-by-one 22,963 ms
  (50 groups, 1,700 rules): 0.068;
- with Prometheus CPU added, while the test suite ran beside it: evaluation time 1,418 vs 8,310 ms
  (0.171), Prometheus CPU 497 vs 1,961 ms per 10 s evaluation interval (0.254).
Grouped costs a quarter of the CPU: one rule reading 50 series instead of 50 rules reading one.

Run from the repository root: .venv/bin/python -m benchmarks.rules_grouped [--groups 50] [--days 30]
(quick: --days 3). 50 groups over 30 days: ~6.5 M raw samples; a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from benchmarks import rules as bench
from sre_cli import promrun
from sre_cli.slomath import MINUTE
from sre_cli.slospec.document import SloDocument
from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import Slo
from sre_cli.slospec.resolve import resolve
from sre_cli.targets.prometheus import rules
from tests.support import rule_history

ROOT = Path(__file__).resolve().parents[1]


def _slo(name: str, handler: str | None, group_by: list[str]) -> Slo:
    """api-availability's Prometheus SLI (2xx over all), for one handler or grouped by handler."""
    specs = load_or_raise([ROOT / "slo"])
    only = f',handler="{handler}"' if handler else ""
    document = SloDocument.model_validate(
        {
            "apiVersion": "sre.dev/v1",
            "kind": "SLO",
            "metadata": {"name": name, "service": "api"},
            "spec": {
                "description": "2xx over all requests",
                "objective": 99.9,
                "window": "30d",
                "indicator": {
                    "groupBy": group_by,
                    "ratio": {
                        "prometheus": {
                            "good": f'http_requests_total{{job="api"{only},status="2xx"}}',
                            "total": f'http_requests_total{{job="api"{only}}}',
                        }
                    },
                },
                "alerting": {"minEvents": 100},
            },
        }
    )
    return resolve(document, specs.defaults, "bench.yaml", 1)


def rule_sets(handlers: list[str]) -> dict[str, list[dict[str, Any]]]:
    grouped = [rules.slo_group(_slo("api-by-handler", None, ["handler"]))]
    one_by_one = [rules.slo_group(_slo(f"api-h{i:03d}", h, [])) for i, h in enumerate(handlers)]
    return {"grouped": grouped, "one-by-one": one_by_one}


def _cpu_seconds(url: str) -> float:
    """The Prometheus process's CPU time so far (its own /metrics)."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=30) as resp:
        text = resp.read().decode()
    match = re.search(r"^process_cpu_seconds_total (\S+)$", text, re.M)
    assert match, "no process_cpu_seconds_total"
    return float(match.group(1))


def run_rule_set(
    label: str, groups: list[dict[str, Any]], tsdb: Path, exporter: str, args: argparse.Namespace
) -> tuple[list[bench.GroupCost], float]:
    """benchmarks/rules.py's run, plus the CPU seconds Prometheus spent per evaluation interval while
    measured: groups evaluate concurrently, so on 2 cores 50 groups' evaluationTimes include waiting
    for each other, and CPU time is the cost that does not."""
    rule_file = tsdb.parent / f"{label}.rules.yaml"
    rule_file.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    promrun.promtool("check", "rules", str(rule_file))
    scrape = [{"job_name": "api", "honor_labels": True, "static_configs": [{"targets": [exporter]}]}]
    with promrun.PrometheusServer(
        [rule_file],
        tsdb,
        scrape_configs=scrape,
        evaluation_interval=f"{args.interval}s",
        scrape_interval=bench.SCRAPE_INTERVAL,
    ) as prom:
        time.sleep(args.interval * args.warmup)  # past the first (cold) evaluations
        cpu, began = _cpu_seconds(prom.url), time.monotonic()
        costs = bench.measure(prom.url, args.evals, 0, args.interval)
        cpu_per_interval = (_cpu_seconds(prom.url) - cpu) / (time.monotonic() - began) * args.interval
    return costs, cpu_per_interval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--groups", type=int, default=50, help="handlers = groups = SLOs written out (50)")
    parser.add_argument("--days", type=int, default=30, help="days of backfilled history (30)")
    parser.add_argument("--evals", type=int, default=6, help="evaluations measured per group (6)")
    parser.add_argument("--warmup", type=int, default=2, help="first evaluations dropped (2)")
    parser.add_argument("--interval", type=int, default=10, help="evaluation interval in seconds (10)")
    args = parser.parse_args()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sre-bench-grouped-") as tmp:
        root = Path(tmp)
        base = root / "base"
        history = bench.raw_history(args.days, 3 * args.groups, root, base)
        handlers = sorted({text.split('handler="')[1].split('"')[0] for text, _ in history.series})
        sets = rule_sets(handlers)
        for label, groups in sets.items():
            shutil.copytree(base, root / label)
            # A grouped SLO's bad rate reads its recorded total: two stages (rule_history says why).
            stages = rule_history.range_read_stages(groups)
            start = history.start + 5 * MINUTE  # the first 5m rates need 5 minutes of raw samples
            samples = rule_history.backfill_stages(root / label, stages, start, history.end, bench.RECORD_STEP, root)
            print(f"recorded history, {label}: {len(stages)} stage(s), {samples:,} samples", flush=True)
        counters = bench.LiveCounters(history)
        del history
        server = counters.serve()
        exporter = f"127.0.0.1:{server.server_address[1]}"
        totals: dict[str, float] = {}
        cpus: dict[str, float] = {}
        try:
            print(
                f"\nrule-group evaluationTime (ms), {len(handlers)} handlers, each rule set alone, every "
                f"{args.interval}s, median of {args.evals} evaluations after {args.warmup} dropped:"
            )
            for label, groups in sets.items():
                costs, cpu = run_rule_set(label, groups, root / label, exporter, args)
                total = sum(c.median for c in costs)
                totals[label], cpus[label] = total, cpu
                rules_count = sum(c.rules for c in costs)
                unhealthy = [p for c in costs for p in c.unhealthy]
                print(
                    f"  {label:<11} {len(costs):>3} groups {rules_count:>5} rules: sum of group medians "
                    f"{total * 1e3:8.2f} ms, Prometheus CPU {cpu * 1e3:8.2f} ms per {args.interval}s"
                    + (f"  UNHEALTHY: {unhealthy[:3]}" if unhealthy else ""),
                    flush=True,
                )
        finally:
            server.shutdown()
    print(
        f"\ngrouped / one-by-one (target <= 1.0): evaluation time {totals['grouped'] / totals['one-by-one']:.3f}, "
        f"Prometheus CPU {cpus['grouped'] / cpus['one-by-one']:.3f}; {args.days} d x {len(counters.series)} raw "
        f"series; wall time {time.perf_counter() - began:.0f} s"
    )


if __name__ == "__main__":
    main()
