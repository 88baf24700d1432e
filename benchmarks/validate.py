"""Speed of the spec front door: `sre --help` and validating 1,000 specs.

Prints figures against the targets (help < 0.3 s, 1,000 specs < 2 s); never fails a build.
Run: .venv/bin/python benchmarks/validate.py [--specs N] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SRE = Path(sys.executable).parent / "sre"
HELP_TARGET_S = 0.3
VALIDATE_TARGET_S = 2.0

DEFAULTS = """\
runbookBaseUrl: https://git.example/blob/main/
labels: {team: platform}
notificationTargets:
  page: {alertmanagerReceiver: pager, snsTopicArn: "arn:aws:sns:us-east-1:123456789012:page"}
  ticket: {alertmanagerReceiver: ticket, snsTopicArn: "arn:aws:sns:us-east-1:123456789012:ticket"}
"""

RATIO = """\
apiVersion: sre.dev/v1
kind: SLO
metadata: {{name: svc-{i}-availability, service: svc-{i}, owner: team-{t}}}
spec:
  description: Requests of svc-{i} answered with 2xx.
  objective: 99.9
  window: 30d
  indicator:
    ratio:
      prometheus:
        good: http_requests_total{{job="svc-{i}",status="2xx"}}
        total: http_requests_total{{job="svc-{i}"}}
      cloudwatch:
        good:
          - {{namespace: AWS/ApplicationELB, metricName: HTTPCode_Target_2XX_Count,
             dimensions: {{LoadBalancer: lb-{i}}}}}
        total:
          - {{namespace: AWS/ApplicationELB, metricName: RequestCount, dimensions: {{LoadBalancer: lb-{i}}}}}
  alerting: {{minEvents: 100}}
"""

LATENCY = """\
apiVersion: sre.dev/v1
kind: SLO
metadata: {{name: svc-{i}-latency, service: svc-{i}}}
spec:
  description: Requests of svc-{i} within 300 ms.
  objective: 95
  indicator:
    latency:
      threshold: 300ms
      prometheus:
        histogram: http_request_duration_seconds{{job="svc-{i}"}}
        buckets: [0.05, 0.1, 0.3, 1, 5]
      cloudwatch:
        metric: {{namespace: AWS/ApplicationELB, metricName: TargetResponseTime, statistic: "PR(:0.3)"}}
  alerting:
    page:
      windows: [{{long: 1h, short: 5m, budgetPercent: 2}}, {{long: 6h, short: 30m, budgetPercent: 5}}]
"""

THRESHOLD = """\
apiVersion: sre.dev/v1
kind: SLO
metadata: {{name: svc-{i}-queue-age, service: svc-{i}}}
spec:
  description: Minutes of svc-{i} with the oldest job under 15 minutes.
  objective: 99
  indicator:
    threshold:
      slice: 1m
      operator: "<="
      value: 900
      prometheus:
        gauge: max(queue_oldest_job_age_seconds{{queue="svc-{i}"}})
      cloudwatch:
        metric: {{namespace: Custom/Batch, metricName: OldestRunnableJobAgeSeconds, statistic: Maximum}}
"""

KINDS = (RATIO, LATENCY, THRESHOLD)


def write_specs(root: Path, n: int) -> Path:
    specs = root / "slo"
    specs.mkdir()
    (specs / "defaults.yaml").write_text(DEFAULTS)
    for i in range(n):
        (specs / f"spec-{i:04d}.yaml").write_text(KINDS[i % 3].format(i=i, t=i % 7))
    return specs


def timed(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def run(argv: list[str], expect: int = 0) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != expect:
        sys.exit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr[:2000]}")


def verdict(value: float, target: float) -> str:
    return f"{'ok' if value < target else 'MISSED'} (target < {target:g} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--specs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    help_s, samples = timed(lambda: run([str(SRE), "--help"]), args.runs)
    print(f"sre --help: median {help_s:.3f} s of {args.runs} runs (min {min(samples):.3f}) {verdict(help_s, 0.3)}")

    from sre_cli.slospec.load import load  # after the help timing: nothing is imported yet then

    with tempfile.TemporaryDirectory(prefix="sre-bench-") as tmp:
        specs = write_specs(Path(tmp), args.specs)
        first = load([specs])
        if first.errors or len(first.slos) != args.specs:
            sys.exit(f"generated specs did not load cleanly: {first.errors[:5]}")
        runs = max(3, args.runs // 2)
        load_s, _ = timed(lambda: load([specs]), runs)
        print(f"load() of {args.specs} specs, in process: median {load_s:.3f} s of {runs} runs {verdict(load_s, 2)}")
        cli_s, _ = timed(lambda: run([str(SRE), "validate", "-q", str(specs)]), runs)
        print(
            f"sre validate of {args.specs} specs (new process): median {cli_s:.3f} s of {runs} runs {verdict(cli_s, 2)}"
        )


if __name__ == "__main__":
    main()
