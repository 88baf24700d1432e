"""Benchmark `sre slo report` against slo-generator 2.6.0 on one local Prometheus with the same data (issue 18).

Prints side by side, in one run (whole CLI processes including interpreter start-up):
  1. `sre slo report` for the five stack SLOs over 8 windows (5m .. 30d), median of --runs (5),
  2. slo-generator 2.6.0 computing the equivalent SLOs and windows (one error-budget-policy step
     per window), median of --runs, and the ratio ours/theirs (target <= 0.5),
  3. `sre slo report` over 200 and 2,000 DISTINCT SLOs (every copy's selectors carry a no-op matcher
     of its own, so no query is shared) with the generated rules' recorded series in Prometheus
     (targets < 2 s, < 10 s), with the report's peak RSS.

Recorded series: the five stack SLOs' rules are evaluated over the raw history through the query
API (as `promtool tsdb create-blocks-from rules` does; the base series every --eval-interval, the
windows' counts and ratios at the report's instant) and copied, relabelled, to every copy: copies
differ from their original only by a no-op matcher, so their rules would record the same values. A
live group records every minute; the history here is coarser (printed) to keep the setup in minutes:
fewer base samples make the report's coverage counts (`count_over_time` over 30d) cheaper than live.
The rule files are not loaded for evaluation during the runs (no rule load on Prometheus meanwhile).

slo-generator ignores its --timestamp and queries at wall-clock now, so the synthetic history
ends now. It lives in its own virtualenv (.venv-slogen, created on first run):
  pip install 'slo-generator[prometheus]==2.6.0' 'setuptools<81'
When that install fails, the comparison is skipped and the output says so.

Run: .venv/bin/python benchmarks/report.py [--runs 5] [--part stack]
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from sre_cli import promrun, synth
from sre_cli.slomath import DAY, HOUR, MINUTE
from sre_cli.slospec.load import load_or_raise
from sre_cli.targets.prometheus import rules

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support import rule_history  # the rule evaluation the tests backfill with

REPO = Path(__file__).resolve().parents[1]
SLOGEN_VENV = REPO / ".venv-slogen"
SRE = str(Path(sys.executable).parent / "sre")
BATCH_SLI = (
    'avg_over_time((max(aws_batch_oldest_runnable_job_age_seconds{job_queue="sre-prod-jobs"}) <= bool 900)[window:1m])'
)
WINDOWS = (300, 1800, 3600, 7200, 21600, 86400, 259200, 2592000)


def ensure_slo_generator() -> tuple[Path | None, str]:
    """slo-generator's binary, installed on first use; None and why when it cannot be installed."""
    binary = SLOGEN_VENV / "bin" / "slo-generator"
    if not binary.exists():
        print("installing slo-generator 2.6.0 into .venv-slogen ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(SLOGEN_VENV)], check=True)
        proc = subprocess.run(
            [str(SLOGEN_VENV / "bin" / "pip"), "install", "-q", "slo-generator[prometheus]==2.6.0", "setuptools<81"],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            return None, " ".join(proc.stderr.strip().splitlines()[-1:]) or f"pip exited {proc.returncode}"
    return binary, ""


def slo_generator_configs(directory: Path, url: str) -> Path:
    """The five SLOs as slo-generator v2 configs, each window one policy step."""
    steps = [
        {
            "name": f"{w}s",
            "window": w,
            "burn_rate_threshold": 14.4,
            "alert": False,
            "message_alert": "burning",
            "message_ok": "ok",
        }
        for w in WINDOWS
    ]
    config = directory / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {"backends": {"prometheus": {"url": url}}, "error_budget_policies": {"default": {"steps": steps}}}
        )
    )
    sfn = 'dimension_StateMachineArn=~".*:stateMachine:processing"'
    slos = {
        "api-availability": (
            "good_bad_ratio",
            0.999,
            {
                "filter_good": 'http_requests_total{job="api",status="2xx"}',
                "filter_valid": 'http_requests_total{job="api"}',
            },
        ),
        "api-latency": (
            "distribution_cut",
            0.95,
            {"expression": 'http_request_duration_seconds_bucket{job="api"}', "threshold_bucket": "0.3"},
        ),
        "db-errors": (
            "good_bad_ratio",
            0.9995,
            {
                "filter_good": 'db_client_operations_total{job="api"}',
                "filter_bad": 'db_client_errors_total{job="api",error=~"timeout|connection"}',
            },
        ),
        # slo-generator sums one selector per side: succeeded vs failed is the same query load.
        "sfn-success": (
            "good_bad_ratio",
            0.99,
            {
                "filter_good": f"aws_states_executions_succeeded_sum{{{sfn}}}",
                "filter_bad": f"aws_states_executions_failed_sum{{{sfn}}}",
                "operators": ["sum_over_time", "sum"],
            },
        ),
        # No time-slice method: the SLI as one PromQL expression per window.
        "batch-queue-age": (
            "query_sli",
            0.99,
            {"expression": BATCH_SLI},
        ),
    }
    slo_dir = directory / "slos"
    slo_dir.mkdir()
    for name, (method, goal, sli) in slos.items():
        doc = {
            "apiVersion": "sre.google.com/v2",
            "kind": "ServiceLevelObjective",
            "metadata": {"name": name, "labels": {"service_name": "bench", "feature_name": name, "slo_name": name}},
            "spec": {
                "description": name,
                "backend": "prometheus",
                "method": method,
                "exporters": [],
                "service_level_indicator": sli,
                "goal": goal,
            },
        }
        (slo_dir / f"slo_{name}.yaml").write_text(yaml.safe_dump(doc))
    return config


def many_specs(directory: Path, copies: int, distinct: bool = False) -> Path:
    """`copies` renamed copies of every stack SLO (5 x copies SLOs).

    Copies share their SLI queries (the report queries each once) unless `distinct`: then every
    copy's selectors carry a no-op matcher of their own, so nothing is shared (the worst case).
    """
    out = directory / ("distinct" if distinct else "many")
    out.mkdir()
    (out / "defaults.yaml").write_text((REPO / "slo" / "defaults.yaml").read_text())
    for spec_file in sorted((REPO / "slo").glob("*.yaml")):
        if spec_file.name == "defaults.yaml":
            continue
        docs = [d for d in yaml.safe_load_all(spec_file.read_text()) if d]
        copied = []
        for i in range(copies):
            for d in docs:
                c = yaml.safe_load(yaml.safe_dump(d))
                c["metadata"]["name"] = f"{d['metadata']['name']}-{i:03d}"
                if distinct:
                    # A service per copy: a service's CloudWatch dashboard holds ~80 SLOs at most.
                    c["metadata"]["service"] = f"{d['metadata']['service']}-{i:03d}"
                    text = yaml.safe_dump(c, sort_keys=False)
                    # metric{ -> metric{instance!="bench-i", in the PromQL strings (YAML is block style).
                    text = re.sub(r"([a-z_]+)\{(?!\})", rf'\1{{instance!="bench-{i}",', text)
                    c = yaml.safe_load(text)
                copied.append(c)
        (out / spec_file.name).write_text(yaml.safe_dump_all(copied, sort_keys=False))
    return out


# Both tools run from compiled bytecode, as an installed package does: pip compiled slo-generator's,
# while sre_cli is an editable install that a PYTHONDONTWRITEBYTECODE environment (this VM's)
# would recompile on every run (~0.1 s). The warm-up run of each fills this cache.
# The validated-spec cache (sre_cli/slospec/cache.py) likewise lives in a scratch directory, filled
# by the same warm-up run, as a user's ~/.cache/sre is after their first report on unchanged specs.
BYTECODE_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "SRE_NO_CACHE")} | {
    "PYTHONPYCACHEPREFIX": tempfile.mkdtemp(prefix="sre-bench-pyc-"),
    "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="sre-bench-cache-"),
}
atexit.register(shutil.rmtree, BYTECODE_ENV["PYTHONPYCACHEPREFIX"], ignore_errors=True)
atexit.register(shutil.rmtree, BYTECODE_ENV["XDG_CACHE_HOME"], ignore_errors=True)


def timed(cmd: list[str], runs: int) -> tuple[float, float, str]:
    """Median wall time of `runs` runs, the largest peak RSS of them (MiB), and the last stdout."""
    return timed_together({"": cmd}, runs)[""][:3]


def timed_together(cmds: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float, str, list[float]]]:
    """Per command: median wall time of `runs` runs, largest peak RSS (MiB), last stdout, every time.

    The commands take turns (a round runs each once), so a load that changes while they run (this
    VM's other agents) weighs on all of them alike instead of on whichever ran during the busy minute.
    Peak RSS through /usr/bin/time: a child's own getrusage figure starts from its parent's peak at
    the fork (this script holds the synthetic history), time(1) is a small parent.
    """
    times: dict[str, list[float]] = {name: [] for name in cmds}
    peak = dict.fromkeys(cmds, 0.0)
    out = dict.fromkeys(cmds, "")
    for _ in range(runs):
        for name, cmd in cmds.items():
            with tempfile.NamedTemporaryFile("r") as rss:
                t = time.perf_counter()
                proc = subprocess.run(
                    ["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd],
                    capture_output=True,
                    text=True,
                    env=BYTECODE_ENV,
                )
                times[name].append(time.perf_counter() - t)
                if proc.returncode not in (0, 1):
                    raise SystemExit(
                        f"{cmd[0]} failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
                    )
                peak[name] = max(peak[name], int(rss.read().split()[-1]) / 1024)
                out[name] = proc.stdout
    return {name: (statistics.median(times[name]), peak[name], out[name], times[name]) for name in cmds}


def recorded_history(raw_tsdb: Path, root: Path, at: int, step: int) -> list[str]:
    """The stack SLOs' recorded series as a live group would leave them (base every `step`), in
    OpenMetrics sample lines: the base rules over 30 days, then what the report reads at `at`."""
    texts = [t for p, t in rules.render(load_or_raise([REPO / "slo"])).items() if p.endswith(".rules.yaml")]
    groups = [g for t in texts for g in yaml.safe_load(t)["groups"]]
    # The range-read rules in stages (the 30d rollups read the 5m rates), each over 30 days.
    base = rule_history.range_read_stages(groups)
    stages = [(stage, at - 30 * DAY + step) for stage in base]
    for names in rule_history.report_stages(groups, {r["record"] for stage in base for r in stage}):
        stages.append(([r for g in groups for r in g["rules"] if r.get("record") in names], at))
    tsdb = shutil.copytree(raw_tsdb, root / f"stack-{step}")
    lines: list[str] = []
    for stage, start in stages:
        with promrun.PrometheusServer([], tsdb) as server:
            stage_lines = [x for r in stage for x in rule_history.record_history(server.url, r, start, at, step)]
        promrun.backfill_openmetrics("".join(stage_lines), tsdb)
        lines += [x.rstrip("\n") for x in stage_lines if not x.startswith("#")]
    shutil.rmtree(tsdb)
    return lines


def fleet_tsdb(raw_tsdb: Path, root: Path, stack_lines: list[str], copies: int | None) -> Path:
    """A copy of the raw TSDB plus every copy's recorded series (the originals' relabelled as
    `many_specs` names them: SLO and service), or the originals' own (`copies` None)."""
    tsdb = root / f"fleet-{copies}"
    shutil.copytree(raw_tsdb, tsdb)
    suffixes = [""] if copies is None else [f"-{i:03d}" for i in range(copies)]
    families: dict[str, list[str]] = {}
    for line in stack_lines:
        families.setdefault(line.split("{", 1)[0], []).append(line)
    om = root / f"fleet-{copies}.om"
    with om.open("w") as fh:
        for name, family in families.items():
            fh.write(f"# TYPE {name} gauge\n")
            for suffix in suffixes:
                fh.writelines(re.sub(r'(slo|service)="([^"]+)"', rf'\1="\2{suffix}"', x) + "\n" for x in family)
        fh.write("# EOF\n")
    promrun.backfill_openmetrics(om, tsdb)
    om.unlink()
    return tsdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--part",
        choices=["all", "stack"],
        default="all",
        help="stack: only the 5-SLO rows against slo-generator (minutes less set-up)",
    )
    args = parser.parse_args()
    slogen, why_not = ensure_slo_generator()
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sre-bench-") as tmp:
        root = Path(tmp)
        end = int(time.time()) // 60 * 60
        data = synth.generate(synth.SynthConfig(end=end))
        print(f"history: {data.series_count} series, 30 days at 1m, ending {end}", flush=True)
        promrun.backfill_openmetrics(data.save(root / "h.om"), root / "tsdb")
        (root / "h.om").unlink()
        # The stack's five SLOs with their recorded series (base every 5 minutes: the 5m rates tile
        # the window), as a Prometheus running the generated rules holds them.
        stack = fleet_tsdb(root / "tsdb", root, recorded_history(root / "tsdb", root, data.end, 5 * MINUTE), None)
        with promrun.PrometheusServer(data_dir=stack) as server:
            ours = [SRE, "slo", "report", "--specs", str(REPO / "slo"), "--prometheus-url", server.url]
            ours += ["--at", str(data.end), "--format", "json"]
            cmds = {"auto": ours, "raw": [*ours, "--source", "raw"], "no-cache": [*ours, "--no-cache"]}
            if slogen is not None:
                config = slo_generator_configs(root, server.url)
                cmds["slo-generator"] = [str(slogen), "compute", "-f", str(root / "slos"), "-c", str(config)]
            # Warm-up: Prometheus' page cache, both tools' bytecode, our spec cache.
            timed_together(cmds, 1)
            load_before = os.getloadavg()
            result = timed_together(cmds, args.runs)
            t_ours, rss_ours, out, ours_times = result["auto"]
            t_raw, rss_raw, _, _ = result["raw"]
            t_cold, rss_cold, _, _ = result["no-cache"]
            recorded = sum(1 for s in json.loads(out)["slos"] if s["source"] == "recorded")
            median = f"median of {args.runs}, runs taking turns"
            rows.append(
                f"sre slo report, 5 SLOs x 8 windows (auto: {recorded} recorded): {t_ours:6.2f} s ({median}), "
                f"peak RSS {rss_ours:.0f} MiB"
            )
            rows.append(
                f"sre slo report, 5 SLOs x 8 windows (--source raw): {t_raw:6.2f} s ({median}), "
                f"peak RSS {rss_raw:.0f} MiB"
            )
            rows.append(
                f"sre slo report, 5 SLOs x 8 windows (auto, --no-cache: specs validated again): {t_cold:6.2f} s "
                f"({median}), peak RSS {rss_cold:.0f} MiB"
            )
            if slogen is not None:
                t_theirs, rss_theirs, _, their_times = result["slo-generator"]
                rows.append(
                    f"slo-generator 2.6.0, 5 SLOs x 8 windows: {t_theirs:6.2f} s ({median}), "
                    f"peak RSS {rss_theirs:.0f} MiB"
                )
                rounds = sorted(a / b for a, b in zip(ours_times, their_times, strict=True))
                rows.append(
                    f"ratio ours (auto) / slo-generator: {t_ours / t_theirs:6.2f} "
                    f"(target <= 0.5{missed(t_ours / t_theirs <= 0.5)}); "
                    f"raw / slo-generator: {t_raw / t_theirs:6.2f}; "
                    f"--no-cache / slo-generator: {t_cold / t_theirs:6.2f}; "
                    f"per round (auto): {' '.join(f'{r:.2f}' for r in rounds)}"
                )
            else:
                rows.append(f"slo-generator 2.6.0: NOT RUN, not installable from the local pip mirror ({why_not})")
            rows.append(
                f"load average before / after: {' '.join(f'{x:.2f}' for x in load_before)} / "
                f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
            )
        shutil.rmtree(stack)
        print("\n".join(rows), flush=True)
        if args.part == "stack":
            return
        for copies, step, target in ((40, 30 * MINUTE, 2.0), (400, HOUR, 10.0)):
            stack = recorded_history(root / "tsdb", root, data.end, step)
            tsdb = fleet_tsdb(root / "tsdb", root, stack, copies)
            specs = many_specs(root, copies, distinct=True)
            with promrun.PrometheusServer(data_dir=tsdb) as server:
                cmd = [SRE, "slo", "report", "--specs", str(specs), "--prometheus-url", server.url]
                cmd += ["--at", str(data.end), "--format", "json"]
                timed(cmd, 1)
                t, rss, out = timed(cmd, args.runs)
            slos = json.loads(out)["slos"]
            recorded = sum(1 for s in slos if s["source"] == "recorded")
            row = (
                f"sre slo report, {len(slos):,} DISTINCT SLOs, recorded series loaded: {t:6.2f} s "
                f"(median of {args.runs}, target < {target:g} s{missed(t < target)}), peak RSS {rss:.0f} MiB; "
                f"{recorded:,} read from recorded series; base history every {step // 60} min"
            )
            print(row, flush=True)
            rows.append(row)
            shutil.rmtree(tsdb)
            shutil.rmtree(specs)
    print("\nsummary\n" + "\n".join(rows))


def missed(met: bool) -> str:
    return "" if met else ": MISSED"


if __name__ == "__main__":
    main()
