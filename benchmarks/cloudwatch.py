"""CloudWatch generation speed and deploy call counts.

1. Generation + strict validation of alarms and dashboards for 1,000 SLOs (the repository's five
   SLO kinds, copied under new names, five per service): target < 3 s.
2. `apply` against moto's server mode: API calls of a first and a second run (the second must
   write nothing). moto has no PutCompositeAlarm, so composites are counted, not sent.
3. Reading the account's state (what diff/apply/prune do first) with other teams' alarms next to
   ours: ListTagsForResource calls (only alarms that may be ours are listed) and the time with
   `deploy.TAG_READERS` calls in flight against one at a time.

Prints figures; never fails a build.
Run from the repository root: .venv/bin/python -m benchmarks.cloudwatch [--slos N] [--apply-slos N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
GENERATE_TARGET_S = 3.0
SLOS_PER_SERVICE = 5
FOREIGN_ALARMS = 200  # other teams' alarms in the account (names no generator builds)


def write_specs(directory: Path, count: int) -> None:
    templates = [
        doc
        for f in sorted((REPO / "slo").glob("*.yaml"))
        if f.name != "defaults.yaml"
        for doc in yaml.safe_load_all(f.read_text())
    ]
    shutil.copy(REPO / "slo" / "defaults.yaml", directory / "defaults.yaml")
    docs = []
    for i in range(count):
        doc = yaml.safe_load(yaml.safe_dump(templates[i % len(templates)]))
        doc["metadata"]["name"] = f"slo-{i}-{doc['metadata']['name']}"[:63].rstrip("-")
        doc["metadata"]["service"] = f"svc-{i // SLOS_PER_SERVICE}"
        docs.append(doc)
    (directory / "bench.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))


def bench_generation(count: int) -> None:
    from sre_cli.slospec.load import load
    from sre_cli.targets.cloudwatch import alarms, dashboards

    with tempfile.TemporaryDirectory() as tmp:
        spec_dir = Path(tmp) / "slo"
        spec_dir.mkdir()
        write_specs(spec_dir, count)
        started = time.perf_counter()
        specs = load([spec_dir])
        loaded = time.perf_counter()
        if specs.errors:
            sys.exit(f"benchmark specs do not load: {specs.errors[:3]}")
        alarm_files = alarms.render(specs)
        dashboard_files = dashboards.render(specs)
        done = time.perf_counter()
    n_alarms = sum(text.count('"AlarmName"') for text in alarm_files.values())
    generate_s = done - loaded
    verdict = "ok" if generate_s < GENERATE_TARGET_S else "SLOWER THAN TARGET"
    print(f"specs loaded:            {len(specs.slos)} SLOs in {loaded - started:.2f} s (not counted below)")
    print(
        f"generate + validate:     {generate_s:.2f} s for {len(specs.slos)} SLOs -> {n_alarms} alarms in "
        f"{len(alarm_files)} files, {len(dashboard_files)} dashboards (target < {GENERATE_TARGET_S:.0f} s: {verdict})"
    )


def bench_apply(count: int) -> None:
    from sre_cli.deploy import cloudwatch as deploy
    from sre_cli.slospec.load import load
    from tests.cloudwatch.conftest import PROD_VALUES
    from tests.support.moto_server import FAKE_CREDENTIALS, moto_server

    os.environ.update(FAKE_CREDENTIALS)
    with tempfile.TemporaryDirectory() as tmp:
        if count:
            spec_dir = Path(tmp) / "slo"
            spec_dir.mkdir()
            write_specs(spec_dir, count)
        else:
            spec_dir = REPO / "slo"
        desired = deploy.from_specs(load([spec_dir]), PROD_VALUES)
    kinds = (deploy.METRIC, deploy.DASHBOARD)
    with moto_server() as url:
        for run in ("first", "second"):
            aws = deploy.clients("us-east-1", None, url)
            cw = aws.cloudwatch
            calls: Counter[str] = Counter()

            def record(model: Any, **_: Any) -> None:
                calls[model.name] += 1  # noqa: B023 - bound per run on purpose

            for client in (cw, aws.sns()):
                client.meta.events.register("before-call", record)
            started = time.perf_counter()
            current = deploy.read_current(cw, desired, kinds)
            changes = deploy.plan(desired, current, kinds)
            report = deploy.apply(cw, desired, current, changes, topics_with=aws)
            elapsed = time.perf_counter() - started
            writes = sum(n for op, n in calls.items() if op.startswith(("Put", "Delete", "Tag", "Create")))
            status = "ok" if report.ok else f"{len(report.failed)} failed"
            print(
                f"apply ({run} run):       {writes} write calls, {sum(calls.values()) - writes} read calls "
                f"in {elapsed:.2f} s [{status}] {dict(sorted(calls.items()))}"
            )
        bench_read(url, desired, kinds)
    print(
        f"composites not sent (moto lacks PutCompositeAlarm): {len(desired.composite_alarms)} "
        "(tested with botocore's Stubber)"
    )


def bench_read(url: str, desired: Any, kinds: tuple[str, ...]) -> None:
    from sre_cli.deploy import cloudwatch as deploy

    cw = deploy.clients("us-east-1", None, url).cloudwatch
    template = {k: v for k, v in next(iter(desired.metric_alarms.values())).items() if k != "Tags"}
    for i in range(FOREIGN_ALARMS):
        cw.put_metric_alarm(**{**template, "AlarmName": f"team-alarm-{i}"})
    listed: Counter[str] = Counter()
    cw.meta.events.register("before-call", lambda model, **_: listed.update([model.name]))
    figures = []
    for workers in (1, deploy.TAG_READERS):
        listed.clear()
        started = time.perf_counter()
        current = deploy.read_current(cw, desired, kinds, workers=workers)
        figures.append((workers, time.perf_counter() - started, listed["ListTagsForResource"]))
    alarms = len(current.metric_alarms) + len(current.composite_alarms)
    (_, serial_s, calls), (workers, pooled_s, _) = figures
    print(
        f"read state:              {alarms} alarms ({FOREIGN_ALARMS} of other teams) -> {calls} ListTagsForResource "
        f"calls (before: {alarms}); {pooled_s:.2f} s with {workers} in flight, {serial_s:.2f} s one at a time"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slos", type=int, default=1000, help="SLOs to generate (default 1000)")
    parser.add_argument(
        "--apply-slos", type=int, default=0, help="SLOs to apply against moto (default 0: the repository's specs)"
    )
    args = parser.parse_args()
    bench_generation(args.slos)
    bench_apply(args.apply_slos)


if __name__ == "__main__":
    main()
