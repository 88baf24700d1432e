"""Benchmark the Prometheus rules: generation time, and rule-evaluation cost against Sloth.

Prints figures, asserts nothing.

1. `sre generate` for 1,000 SLOs (every registered target, via generate.render_all; target < 3 s).
   Measured on the shared 2-core dev VM, whose speed drifts by a third from one minute to the next
   (compare runs taken back to back): 8.3-11.4 s before the generation work of issue 3 (ffb7764),
   2.5-3.2 s after it serially, run alternately with the earlier code, on a larger output (59.5 MB,
   was 53.7); 2.2-2.9 s since the CloudWatch alarms render in a forked second process. What each
   of the speed-ups buys: benchmarks/generate.py, benchmarks/README.md.
2. Rule-group evaluation time on a real Prometheus over 30 days of backfilled history of ~500 raw
   `http_requests_total{job="api"}` series (synth, 1m samples, 3 status classes per handler):
   our rule group for api-availability (from the prometheus rules target) next to the
   Sloth's groups for the same SLO (`tests/support/sloth_rules.py`, Sloth's documented generated shape), summed
   per rule set, median over several evaluations, and the ratio ours/Sloth (target <= 1.0).

How the history is made realistic for the long windows. Both rule sets read RECORDED series over
long ranges (ours: avg_over_time of the recorded 5m bad/total rates over 30m .. 30d; Sloth:
sum_over_time/count_over_time of its recorded 5m ratio over 30d). On a fresh Prometheus over
backfilled raw data those recorded series would not exist for the past 30 days and the long
windows would cost nothing, so they are backfilled too, at their production interval (1m):
every recording rule another rule reads over a range is evaluated over the whole history with
the query_range API of a Prometheus holding the raw blocks — what `promtool tsdb
create-blocks-from rules` does — and written with `create-blocks-from openmetrics
--max-block-duration=768h`. The promtool rules importer is not used because it writes one block
per 2 hours (checked with 2.42: 25 blocks for 2 days, so ~360 for 30), which a live Prometheus
would long have compacted; reading 30 days across 360 tiny blocks would charge our rules (which
read recorded series over 7 windows) for a storage layout no production server has. Those rules
read only raw series (checked), so one stage is enough.

Each rule set then runs alone on its own copy of the data (no cross-talk on 2 cores), with the raw
series kept live by a local exporter that continues every counter from its last backfilled value
at its last-hour rate (scraped every 15 s; without it the 5m rates at wall-clock now would be
empty). Groups evaluate every 10 s; the first evaluations (cold caches) are dropped; the
`evaluationTime` of each group from /api/v1/rules is collected per evaluation.

Run from the repository root: .venv/bin/python -m benchmarks.rules [--days 30] [--series 500] [--evals 6] [--part all]
(a quick run: --days 3 --series 60). The full run takes ~6-8 minutes on 2 cores and ~8 GB of RAM
(synth keeps every per-step increment of every handler, latency histograms included).
"""

from __future__ import annotations

import argparse
import dataclasses
import http.server
import math
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from sre_cli import generate, promrun, synth
from sre_cli.commands.generate import cyclic_gc_paused
from sre_cli.slomath import HOUR, MINUTE
from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import Slo, SpecSet
from sre_cli.targets.prometheus import naming
from sre_cli.targets.prometheus import rules as prometheus_rules
from tests.support import rule_history, sloth_rules
from tests.support.many_slos import thousand_slos

ROOT = Path(__file__).resolve().parents[1]
SLO_NAME = "api-availability"
# What a Sloth user writes for this SLO (errorQuery / totalQuery): Sloth asks for the bad events,
# our spec for the good ones (status="2xx"); both count every non-2xx answer as bad.
SLOTH_ERRORS = 'http_requests_total{job="api",status!="2xx"}'
SLOTH_TOTAL = 'http_requests_total{job="api"}'
RECORD_STEP = MINUTE  # production evaluation interval of the recorded history
SCRAPE_INTERVAL = "15s"
Group = dict[str, Any]


# ---------------------------------------------------------------- 1. generation time


def generation(specs: SpecSet) -> None:
    start = time.perf_counter()
    with cyclic_gc_paused():  # as `sre generate` renders
        outputs = generate.render_all(specs)
    elapsed = time.perf_counter() - start
    size = sum(len(c) for c in outputs.values())
    print(f"generate, 1,000 SLOs, all targets: {elapsed:.2f} s ({len(outputs)} files, {size / 1e6:.1f} MB)")


# ---------------------------------------------------------------- 2. the two rule sets


def our_groups(slo: Slo) -> list[Group]:
    """Our group for the SLO, as `sre generate` writes it (the service's rule file, filtered)."""
    specs = load_or_raise([ROOT / "slo"])
    path = prometheus_rules.rule_file_path(slo.service)
    doc = yaml.safe_load(prometheus_rules.TARGET.render(specs)[path])
    return [g for g in doc["groups"] if g["name"] == naming.group_name(slo)]


def sloth_groups(slo: Slo) -> list[Group]:
    total = slo.indicator.ratio.prometheus.total if slo.indicator.ratio and slo.indicator.ratio.prometheus else None
    if total != SLOTH_TOTAL:
        raise SystemExit(f"{SLO_NAME}: total selector changed ({total}); update SLOTH_ERRORS/SLOTH_TOTAL")
    sloth_slo = {
        "name": slo.name,
        "objective": slo.objective * 100,
        "labels": slo.labels,
        "sli": {
            "events": {
                "error_query": f"sum(rate({SLOTH_ERRORS}[{sloth_rules.WINDOW}]))",
                "total_query": f"sum(rate({SLOTH_TOTAL}[{sloth_rules.WINDOW}]))",
            }
        },
        "alerting": {"name": "SlothErrorBudgetBurn"},
    }
    return sloth_rules.slo_groups({"service": slo.service, "slos": [sloth_slo]}, sloth_slo, slo.window)


# ---------------------------------------------------------------- history


@dataclasses.dataclass
class History:
    start: int
    end: int
    series: list[tuple[str, list[float]]]  # http_requests_total series text, cumulative values
    samples: int
    openmetrics_bytes: int


def raw_history(days: int, series: int, directory: Path, tsdb: Path) -> History:
    handlers = tuple(f"/v1/h{i:03d}" for i in range(math.ceil(series / 3)))
    t = time.perf_counter()
    data = synth.generate(synth.SynthConfig(end=int(time.time()), days=days, handlers=handlers))
    t_synth = time.perf_counter() - t
    # Only the request counters: the rules read nothing else, and synth's latency histograms
    # (14 series per handler) would make the file six times larger.
    requests = [f for f in data._families if f[0] == "http_requests"]
    only_requests = dataclasses.replace(data, _families=requests)
    t = time.perf_counter()
    path = only_requests.save(directory / "requests.om")
    t_write = time.perf_counter() - t
    t = time.perf_counter()
    promrun.backfill_openmetrics(path, tsdb)
    t_backfill = time.perf_counter() - t
    samples = only_requests.series_count * len(data.truth.times)
    size = path.stat().st_size
    path.unlink()
    print(
        f"history: {only_requests.series_count} raw series x {len(data.truth.times):,} samples "
        f"({days} d at 1m) = {samples / 1e6:.1f} M samples, {size / 1e9:.2f} GB OpenMetrics; "
        f"synth {t_synth:.0f} s, write {t_write:.0f} s, backfill {t_backfill:.0f} s",
        flush=True,
    )
    return History(data.start, data.end, requests[0][2], samples, size)


def backfill_records(url: str, rules: list[dict[str, Any]], history: History, tsdb: Path, om: Path) -> int:
    # From 5 minutes in: the first 5m rates need 5 minutes of raw samples.
    start = history.start + 5 * MINUTE
    samples = rule_history.write_recorded_history(url, rules, start, history.end, RECORD_STEP, om)
    promrun.backfill_openmetrics(om, tsdb)
    om.unlink()
    return samples


# ---------------------------------------------------------------- live raw series


class LiveCounters:
    """Serves the raw counters at wall-clock now, continuing the backfilled history."""

    def __init__(self, history: History) -> None:
        lookback = min(HOUR // MINUTE, len(history.series[0][1]) - 1)
        self.since = history.end
        self.series = [
            (text, values[-1], (values[-1] - values[-1 - lookback]) / (lookback * MINUTE))
            for text, values in history.series
        ]

    def exposition(self, now: float) -> bytes:
        elapsed = max(0.0, now - self.since)
        lines = ["# TYPE http_requests_total counter\n"]
        lines += [f"{text} {last + rate * elapsed:.3f}\n" for text, last, rate in self.series]
        return "".join(lines).encode()

    def serve(self) -> http.server.ThreadingHTTPServer:
        counters = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = counters.exposition(time.time())
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", promrun.free_port()), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


# ---------------------------------------------------------------- measuring


@dataclasses.dataclass
class GroupCost:
    name: str
    rules: int
    times: list[float]  # seconds, one per evaluation kept
    rule_times: dict[str, list[float]]  # rule label -> seconds per evaluation kept
    unhealthy: list[str]

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def measure(url: str, evals: int, warmup: int, interval: float) -> list[GroupCost]:
    """Per group, evaluationTime of `evals` consecutive evaluations after `warmup` ones."""
    seen: dict[str, dict[str, tuple[float, dict[str, float]]]] = {}
    health: dict[str, list[str]] = {}
    sizes: dict[str, int] = {}
    deadline = time.monotonic() + (evals + warmup + 4) * interval + 120
    while time.monotonic() < deadline:
        for group in rule_history.api_get(url, "/api/v1/rules")["groups"]:
            evaluations = seen.setdefault(group["name"], {})
            sizes[group["name"]] = len(group["rules"])
            if group["lastEvaluation"].startswith("0001-"):
                continue
            per_rule = {f"{r['name']}#{i}": r["evaluationTime"] for i, r in enumerate(group["rules"])}
            evaluations[group["lastEvaluation"]] = (group["evaluationTime"], per_rule)
            health[group["name"]] = [
                f"{r['name']}: {r.get('lastError') or r['health']}" for r in group["rules"] if r["health"] != "ok"
            ]
        if seen and all(len(e) >= evals + warmup for e in seen.values()):
            break
        time.sleep(interval / 4)
    costs = []
    for name, evaluations in seen.items():
        kept = [evaluations[k] for k in sorted(evaluations)][warmup : warmup + evals]
        if not kept:
            raise RuntimeError(f"group {name} did not evaluate {warmup + 1} times")
        rule_times = {rule: [k[1][rule] for k in kept] for rule in kept[0][1]}
        costs.append(GroupCost(name, sizes[name], [k[0] for k in kept], rule_times, health.get(name, [])))
    return costs


def run_rule_set(
    label: str, groups: list[Group], tsdb: Path, exporter: str, args: argparse.Namespace
) -> tuple[list[GroupCost], dict[str, str]]:
    rule_file = tsdb.parent / f"{label}.rules.yaml"
    rule_file.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    promrun.promtool("check", "rules", str(rule_file))
    scrape = [{"job_name": "api", "honor_labels": True, "static_configs": [{"targets": [exporter]}]}]
    with promrun.PrometheusServer(
        [rule_file],
        tsdb,
        scrape_configs=scrape,
        evaluation_interval=f"{args.interval}s",
        scrape_interval=SCRAPE_INTERVAL,
    ) as prom:
        costs = measure(prom.url, args.evals, args.warmup, args.interval)
        checks = sanity(prom.url, label)
    return costs, checks


def sanity(url: str, label: str) -> dict[str, str]:
    """What the long windows saw: samples of the recorded 5m series in 30d, and the 30d ratio."""
    recorded = "slo:sli_total:rate5m" if label == "ours" else "slo:sli_error:ratio_rate5m"
    selector = f'{{slo="{SLO_NAME}"}}' if label == "ours" else f'{{sloth_slo="{SLO_NAME}"}}'
    out = {}
    for key, expr in (
        ("recorded 5m samples in 30d", f"count_over_time({recorded}{selector}[30d])"),
        ("slo:sli_error:ratio_rate30d", f"slo:sli_error:ratio_rate30d{selector}"),
    ):
        result = rule_history.api_get(url, "/api/v1/query", {"query": expr})["result"]
        out[key] = ", ".join(r["value"][1] for r in result) or "(none)"
    return out


# ---------------------------------------------------------------- report


def print_costs(label: str, costs: list[GroupCost], checks: dict[str, str]) -> float:
    total = 0.0
    for c in costs:
        total += c.median
        print(
            f"  {label:<6} {c.name:<48} {c.rules:>5} {c.median * 1e3:>10.2f} "
            f"{min(c.times) * 1e3:>8.2f} {max(c.times) * 1e3:>8.2f}"
        )
        for problem in c.unhealthy:
            print(f"         UNHEALTHY {problem}")
    print(f"  {label:<6} {'sum of group medians':<48} {'':>5} {total * 1e3:>10.2f}")
    costliest = sorted(
        ((statistics.median(ts), rule) for c in costs for rule, ts in c.rule_times.items()), reverse=True
    )[:4]
    print("         costliest rules: " + "; ".join(f"{r.split('#')[0]} {t * 1e3:.2f} ms" for t, r in costliest))
    for key, value in checks.items():
        print(f"         {key}: {value}")
    return total


def evaluation(args: argparse.Namespace) -> None:
    slo = next(s for s in load_or_raise([ROOT / "slo"]).slos if s.name == SLO_NAME)
    sets = {"ours": our_groups(slo), "sloth": sloth_groups(slo)}
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sre-bench-rules-") as tmp:
        root = Path(tmp)
        base = root / "base"
        history = raw_history(args.days, args.series, root, base)
        for label in sets:  # copied before a server opens the base directory
            shutil.copytree(base, root / label)
        t = time.perf_counter()
        with promrun.PrometheusServer([], base) as prom:
            for label, groups in sets.items():
                chosen = rule_history.range_read_records(groups)
                samples = backfill_records(prom.url, chosen, history, root / label, root / f"{label}.om")
                print(
                    f"recorded history, {label}: {', '.join(r['record'] for r in chosen)}: {samples:,} samples",
                    flush=True,
                )
        print(f"recorded history: {time.perf_counter() - t:.0f} s", flush=True)
        counters = LiveCounters(history)
        del history
        server = counters.serve()
        exporter = f"127.0.0.1:{server.server_address[1]}"
        results: dict[str, float] = {}
        try:
            print(
                f"\nrule-group evaluationTime (ms), {SLO_NAME}, each rule set alone, every {args.interval}s, "
                f"median of {args.evals} evaluations after {args.warmup} dropped:"
            )
            print(f"  {'set':<6} {'group':<48} {'rules':>5} {'median':>10} {'min':>8} {'max':>8}")
            for label, groups in sets.items():
                costs, checks = run_rule_set(label, groups, root / label, exporter, args)
                results[label] = print_costs(label, costs, checks)
        finally:
            server.shutdown()
    ratio = results["ours"] / results["sloth"]
    print(
        f"\nsummed rule-group evaluation time, {args.days} d x {len(counters.series)} raw series: "
        f"ours {results['ours'] * 1e3:.2f} ms, Sloth-shaped {results['sloth'] * 1e3:.2f} ms, "
        f"ratio ours/Sloth = {ratio:.3f} (target <= 1.0)"
    )
    print(f"evaluation benchmark wall time: {time.perf_counter() - began:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--part", choices=("all", "generate", "evaluate"), default="all")
    parser.add_argument("--days", type=int, default=30, help="days of backfilled history (30)")
    parser.add_argument("--series", type=int, default=500, help="raw http_requests_total series (500)")
    parser.add_argument("--evals", type=int, default=6, help="evaluations measured per group (6)")
    parser.add_argument("--warmup", type=int, default=2, help="first evaluations dropped (2)")
    parser.add_argument("--interval", type=int, default=10, help="evaluation interval in seconds (10)")
    args = parser.parse_args()
    if args.part in ("all", "generate"):
        with tempfile.TemporaryDirectory() as tmp:
            generation(thousand_slos(Path(tmp)))
    if args.part in ("all", "evaluate"):
        evaluation(args)


if __name__ == "__main__":
    main()
