"""Benchmark `sre slo report` against slo-generator 2.6.0 on one local Prometheus with the same data.

Prints wall times (median of runs, whole CLI processes including interpreter start-up):
  1. `sre slo report` for the five stack SLOs over 8 windows (5m .. 30d),
  2. slo-generator 2.6.0 computing the equivalent SLOs and windows (one error-budget-policy step
     per window), and the ratio ours/theirs (target <= 1.0),
  3. `sre slo report` over 200 SLOs (40 copies of each kind; target < 5 s), and the same 200 with
     selectors made distinct so no query is shared (the worst case: every SLO scans its 30 days).

slo-generator ignores its --timestamp and queries at wall-clock now, so the synthetic history
ends now. It lives in its own virtualenv (.venv-slogen, created on first run):
  pip install 'slo-generator[prometheus]==2.6.0' 'setuptools<81'

Run: .venv/bin/python benchmarks/report.py [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from sre_cli import promrun, synth

REPO = Path(__file__).resolve().parents[1]
SLOGEN_VENV = REPO / ".venv-slogen"
SRE = str(Path(sys.executable).parent / "sre")
BATCH_SLI = (
    'avg_over_time((max(aws_batch_oldest_runnable_job_age_seconds{job_queue="sre-prod-jobs"}) <= bool 900)[window:1m])'
)
WINDOWS = (300, 1800, 3600, 7200, 21600, 86400, 259200, 2592000)


def ensure_slo_generator() -> Path:
    binary = SLOGEN_VENV / "bin" / "slo-generator"
    if not binary.exists():
        print("installing slo-generator 2.6.0 into .venv-slogen ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(SLOGEN_VENV)], check=True)
        subprocess.run(
            [str(SLOGEN_VENV / "bin" / "pip"), "install", "-q", "slo-generator[prometheus]==2.6.0", "setuptools<81"],
            check=True,
        )
    return binary


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
                    text = yaml.safe_dump(c, sort_keys=False)
                    # metric{ -> metric{instance!="bench-i", in the PromQL strings (YAML is block style).
                    text = re.sub(r"([a-z_]+)\{(?!\})", rf'\1{{instance!="bench-{i}",', text)
                    c = yaml.safe_load(text)
                copied.append(c)
        (out / spec_file.name).write_text(yaml.safe_dump_all(copied, sort_keys=False))
    return out


def timed(cmd: list[str], runs: int) -> tuple[float, subprocess.CompletedProcess[str]]:
    times, proc = [], None
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - t)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{cmd[0]} failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    assert proc is not None
    return statistics.median(times), proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    slogen = ensure_slo_generator()
    with tempfile.TemporaryDirectory(prefix="sre-bench-") as tmp:
        root = Path(tmp)
        end = int(time.time()) // 60 * 60
        data = synth.generate(synth.SynthConfig(end=end))
        print(f"history: {data.series_count} series, 30 days at 1m, ending {end}", flush=True)
        promrun.backfill_openmetrics(data.save(root / "h.om"), root / "tsdb")
        (root / "h.om").unlink()
        with promrun.PrometheusServer(data_dir=root / "tsdb") as server:
            config = slo_generator_configs(root, server.url)
            ours = [SRE, "slo", "report", "--specs", str(REPO / "slo"), "--prometheus-url", server.url]
            ours += ["--at", str(data.end), "--format", "json"]
            theirs = [str(slogen), "compute", "-f", str(root / "slos"), "-c", str(config)]
            timed(ours, 1)  # warm Prometheus' page cache for both
            t_ours, _ = timed(ours, args.runs)
            t_theirs, proc = timed(theirs, args.runs)
            computed = proc.stdout.count("SLO") + proc.stderr.count("| ")
            many = many_specs(root, 40)
            many_cmd = [SRE, "slo", "report", "--specs", str(many), "--prometheus-url", server.url]
            many_cmd += ["--at", str(data.end), "--format", "json"]
            t_many, proc_many = timed(many_cmd, args.runs)
            n_many = proc_many.stdout.count('"name":')
            distinct_cmd = [SRE, "slo", "report", "--specs", str(many_specs(root, 40, distinct=True))]
            distinct_cmd += ["--prometheus-url", server.url, "--at", str(data.end), "--format", "json"]
            t_distinct, _ = timed(distinct_cmd, 1)
        print(f"sre slo report, 5 SLOs x 8 windows:        {t_ours:6.2f} s (median of {args.runs})")
        print(f"slo-generator 2.6.0, same SLOs and windows: {t_theirs:6.2f} s ({computed} log lines)")
        print(f"ratio ours / slo-generator:                 {t_ours / t_theirs:6.2f}   (target <= 1.0)")
        print(f"sre slo report, {n_many} SLOs (40 x 5, SLIs shared): {t_many:6.2f} s (target < 5 s)")
        print(f"sre slo report, {n_many} SLOs, nothing shared:     {t_distinct:6.2f} s (worst case, one run)")


if __name__ == "__main__":
    main()
