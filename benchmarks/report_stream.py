"""Peak memory of `sre slo report --format json` at fleet scale: streamed versus held whole.

Each mode runs in a process of its own, so its peak RSS (ru_maxrss) is its own:
  held      10,000 SLOs: make_report + render: every report, the document and its text at once
            (how JSON was written before streaming);
  streamed  10,000 SLOs: the CLI's path (`iter_reports` -> `render_json.chunks`), each SLO built,
            judged for --fail-on and written to /dev/null as it comes;
  baseline  the same process up to the measurements, rendering nothing (what a backend hands over);
  cloudwatch  --cw-slos (default 1,000) ratio SLOs measured from a moto server running in another
            process: GetMetricData calls, wall time and peak RSS of the report's process.

The 10,000 SLOs' measurements come from a replay backend (below): the numbers a backend hands
over (every window's counts, coverage), so the first three modes measure the report itself.

Run: .venv/bin/python benchmarks/report_stream.py [--slos 10000] [--cw-slos 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sre_cli.backends import Counts, Measurement  # noqa: E402
from sre_cli.slospec.model import Slo  # noqa: E402
from tests.support.many_slos import thousand_slos  # noqa: E402

AT = 1_700_000_000 - 1_700_000_000 % 3600
RATIO_SLOS = ("api-availability", "db-errors", "sfn-success")  # moto has no PR statistic; slices are slow there


class Replay:
    """Measurements as a backend hands them over: every window, a little bad traffic per SLO."""

    name = "replay"
    where = "memory"

    def measure(
        self,
        slos: Sequence[Slo],
        at: float,
        slo_windows: dict[str, int],
        *,
        history: bool = False,
        progress: Callable[[], None] | None = None,
    ) -> dict[str, Measurement]:
        out = {}
        for i, s in enumerate(slos):
            window = slo_windows[s.name]
            total = 1_000_000.0 + i
            # The windows a real backend measures: the alert windows, and the SLO window as measured.
            windows = sorted(set(s.sli_windows) - {s.window_seconds} | {window})
            out[s.name] = Measurement(
                slo=s.name,
                unit="slices" if s.indicator.kind == "threshold" else "events",
                at=at,
                slo_window=window,
                windows={w: Counts(total - (i % 997) * w / window, total) for w in windows},
                coverage=1.0,
                data_since=None,
                coverage_step=3600,
                data_at_start=True,
            )
        return out


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, n: int) -> dict:
    from sre_cli.commands.slo import Verdicts, stream_json
    from sre_cli.report import iter_reports, make_report, render
    from sre_cli.report.model import GroupView, measured_window

    with tempfile.TemporaryDirectory() as tmp:
        slos = thousand_slos(Path(tmp), n).slos
    before = peak_mib()
    started = time.perf_counter()
    backend = Replay()
    with open(os.devnull, "w") as sink:
        if mode == "baseline":
            backend.measure(slos, AT, {s.name: measured_window(s, AT) for s in slos})
        elif mode == "held":
            sink.write(render(make_report(slos, backend, AT), "json"))
        elif mode == "streamed":
            verdicts = Verdicts(("breach",))
            for chunk in stream_json(iter_reports(slos, backend, AT), backend, GroupView(), verdicts):
                sink.write(chunk)
    return {
        "mode": mode,
        "slos": n,
        "seconds": time.perf_counter() - started,
        "specs_mib": before,
        "peak_mib": peak_mib(),
    }


def cloudwatch_child(n: int, url: str) -> dict:
    import boto3

    from sre_cli import placeholders
    from sre_cli.backends.cloudwatch import CloudWatchBackend
    from sre_cli.commands.slo import Verdicts, stream_json
    from sre_cli.report import iter_reports
    from sre_cli.report.model import GroupView

    values = {
        "api_alb_arn_suffix": "app/bench/1",
        "api_target_group_arn_suffix": "targetgroup/bench/2",
        "state_machine_arn": "arn:aws:states:us-east-1:123456789012:stateMachine:bench",
        "batch_job_queue_name": "bench",
    }
    with tempfile.TemporaryDirectory() as tmp:
        specs = thousand_slos(Path(tmp), n * 5 // 3 + 5)
    ratio = [s for s in specs.slos if s.name.rsplit("-", 1)[0] in RATIO_SLOS][:n]
    slos = [placeholders.fill_slo(s, values) for s in ratio]
    client = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=url)
    calls: list[int] = []
    client.meta.events.register(
        "provide-client-params.cloudwatch.GetMetricData",
        lambda params, **_: calls.append(len(params["MetricDataQueries"])),
    )
    backend = CloudWatchBackend("us-east-1", client=client, timeout=3600)
    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        for chunk in stream_json(iter_reports(slos, backend, AT), backend, GroupView(), Verdicts(())):
            sink.write(chunk)
    return {
        "mode": "cloudwatch",
        "slos": len(slos),
        "seconds": time.perf_counter() - started,
        "calls": len(calls),
        "queries": sum(calls),
        "peak_mib": peak_mib(),
    }


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slos", type=int, default=10_000)
    parser.add_argument("--cw-slos", type=int, default=1_000)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        result = cloudwatch_child(int(rest[0]), rest[1]) if mode == "cloudwatch" else child(mode, int(rest[0]))
        print(json.dumps(result))
        return
    print(f"sre slo report --format json, {args.slos:,} SLOs (replay backend), one process per mode")
    for mode in ("baseline", "held", "streamed"):
        r = run_child(mode, str(args.slos))
        print(
            f"  {mode:9s} peak RSS {r['peak_mib']:7.1f} MiB (specs loaded: {r['specs_mib']:.1f} MiB)"
            f"  {r['seconds']:6.2f} s"
        )
    if args.cw_slos:
        from sre_cli.promrun import free_port

        port = free_port()
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            time.sleep(2)
            os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")})
            r = run_child("cloudwatch", str(args.cw_slos), f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait()
        print(
            f"CloudWatch (moto server, another process): {r['slos']:,} ratio SLOs, {r['queries']:,} queries "
            f"in {r['calls']} GetMetricData calls, {r['seconds']:.1f} s, peak RSS {r['peak_mib']:.1f} MiB"
        )


if __name__ == "__main__":
    main()
