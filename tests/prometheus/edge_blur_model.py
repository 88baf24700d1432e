"""Model of the recorded 30d ratio of sfn-success in test_prom_accuracy, for every end time of a day.

Not a test: it reproduces the figures of that module's docstring without a Prometheus. synth's
data depends on the end time only through its time of day (the daily shape, the incidents placed
relative to the end), so a day of end times covers every run of the test.

The chain modelled, for the period-sum gauges of sfn-success (exact, no extrapolation): the
backfilled 5m rate at each minute + PHASE sums the 5 samples of the minutes in (t - 5m, t]; the
live group's first evaluation at T = end + gap adds one rate over the samples in [T - 5m, T]; the
30d ratio is sum(bad rates) / sum(total rates) over the samples in [T - 30d, T]. Compared with
synth's exact count over (T - 30d, T].

Run: .venv/bin/python -m tests.prometheus.edge_blur_model [--sfn-per-minute 3] [--every 10]
(about 2.5 s per end time).
"""

from __future__ import annotations

import argparse
import time

from sre_cli import synth
from sre_cli.slomath import DAY, MINUTE
from tests.prometheus.test_prom_accuracy import PHASE, night_incidents
from tests.support.truth import slo_events

WINDOW = 30 * DAY
GAPS = (70, 130, 190)  # seconds from the history's end to the first evaluation, as seen in runs


def recorded_ratio(truth: synth.Truth, at: int) -> float:
    times = truth.times
    total = truth.series["sfn_total"]
    bad = [t - g for t, g in zip(total, truth.series["sfn_good"], strict=True)]
    steps = [k for k in range(1, len(times)) if times[k] + PHASE >= at - WINDOW]
    live = [j for j in range(1, len(times)) if times[j] >= at - 5 * MINUTE]

    def summed(series: list[float]) -> float:
        backfilled = sum(sum(series[max(k - 4, 1) : k + 1]) for k in steps)
        return backfilled + sum(series[j] for j in live)

    return summed(bad) / summed(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sfn-per-minute", type=float, default=3.0)
    parser.add_argument("--every", type=int, default=10, help="minutes between modelled end times")
    args = parser.parse_args()
    midnight = int(time.time()) // DAY * DAY
    worst = 0.0
    for minute in range(0, 24 * 60, args.every):
        end = midnight + minute * MINUTE
        config = synth.SynthConfig(end=end, sfn_per_minute=args.sfn_per_minute, incidents=night_incidents(end))
        truth = synth.generate(config).truth
        errors = []
        for gap in GAPS:
            good, total = slo_events(truth, "sfn-success", end + gap, WINDOW)
            exact = (total - good) / total
            errors.append((recorded_ratio(truth, end + gap) - exact) / exact)
        worst = min(worst, *errors)
        print(f"{minute // 60:02d}:{minute % 60:02d} " + " ".join(f"{e * 100:+.3f}%" for e in errors), flush=True)
    print(f"worst: {worst * 100:+.3f}% (relative, recorded vs exact)")


if __name__ == "__main__":
    main()
