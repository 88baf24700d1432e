"""Synthetic history of the stack's metrics, with the exact event counts behind it.

Follows the metrics contract of slo/README.md: FastAPI request counters and latency histogram,
DB operation and error counters, the Batch queue-age gauge and YACE-style Step Functions
per-period sums. Traffic swings between night and day by `day_night_ratio`; incidents raise error
rates, slow requests, back up the queue or fail executions for a while.

The generator keeps every per-step increment (`Truth`), so tests compare what Prometheus (or a
report) computes with the exact truth (windows over it: tests/support/truth.py). Samples sit at
start + i*step for i in 0..n; the increment of step i happens in (t[i-1], t[i]], and a window
(at - w, at] holds the steps whose sample lies in it.
Prometheus 2.x range selectors are closed at both ends (3.x: left-open), so a sample exactly at
at - w is counted by 2.x only: compare at instants off the sample grid (e.g. 30 s past a minute)
where both conventions agree.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sre_cli.slomath import DAY, HOUR, MINUTE

HISTOGRAM_BUCKETS: tuple[float, ...] = (0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)
# Share of requests at or under each bucket in normal operation (98.5% within 300 ms).
NORMAL_LATENCY_CDF: tuple[float, ...] = (0.04, 0.18, 0.42, 0.7, 0.93, 0.985, 0.995, 0.999, 0.9997, 0.9999, 1.0)
STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:processing"
JOB_QUEUE = "sre-prod-jobs"  # the batch_sfn module names the prod queue ${name}-jobs
DB_ERRORS = ("timeout", "connection", "auth", "other")
SFN_OUTCOMES = ("succeeded", "failed", "timed_out", "aborted")
# api-availability counts only 2xx as good, so this 1% of 4xx alone burns its 99.9% budget
# tenfold: the demo shows a breached SLO whose cause is a spec choice, and the report tests
# rely on that breach.
BASELINE_5XX = 0.0005
BASELINE_4XX = 0.01


@dataclass(frozen=True)
class Incident:
    """A stretch of trouble, placed by its start relative to the end of the history."""

    starts_before_end: int  # seconds before `end`
    duration: int
    api_error_rate: float = 0.0  # share of requests answered 5xx
    latency_good_share: float | None = None  # share within 300 ms while it lasts
    db_error_rate: float = 0.0  # share of DB operations failing with timeout/connection errors
    queue_age: float | None = None  # oldest runnable job age (s) reached at its peak
    sfn_failure_rate: float = 0.0  # share of executions failing

    def covers(self, t: int, end: int) -> bool:
        begin = end - self.starts_before_end
        return begin < t <= begin + self.duration


# The demo's story: a night DB-connectivity outage, then a daytime latency regression that also
# backs up Batch and fails pipeline runs, and a small failure burst still burning at the end.
DEFAULT_INCIDENTS: tuple[Incident, ...] = (
    Incident(9 * DAY + 22 * HOUR, 40 * MINUTE, api_error_rate=0.3, db_error_rate=0.25),
    Incident(4 * DAY + 10 * HOUR, 2 * HOUR, latency_good_share=0.7, queue_age=2400, sfn_failure_rate=0.2),
    Incident(90 * MINUTE, 90 * MINUTE, sfn_failure_rate=0.08, api_error_rate=0.004),
)


@dataclass(frozen=True)
class SynthConfig:
    end: int  # unix seconds; aligned down to the step
    days: int = 30
    step: int = MINUTE
    base_rps: float = 5.0  # night-time API requests per second, per handler
    day_night_ratio: float = 10.0  # peak / trough traffic
    handlers: tuple[str, ...] = ("/v1/items", "/v1/jobs")
    db_ops_per_request: float = 2.0
    sfn_per_minute: float = 3.0  # executions at the daily peak
    incidents: tuple[Incident, ...] = DEFAULT_INCIDENTS
    seed: int = 7


@dataclass
class Truth:
    """Per-step increments (or gauge values) of every quantity, aligned with `times`."""

    times: list[int]
    series: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class Synthetic:
    config: SynthConfig
    start: int
    end: int
    truth: Truth
    _families: list[tuple[str, str, list[tuple[str, list[float]]]]]  # (family, type, [(sample labels, values)])

    def write_openmetrics(self, out: TextIO) -> None:
        for family, kind, samples in self._families:
            out.write(f"# TYPE {family} {kind}\n")
            for series, values in samples:
                out.writelines(_lines(series, values, self.truth.times))
        out.write("# EOF\n")

    def save(self, path: Path) -> Path:
        with path.open("w", encoding="utf-8") as fh:
            self.write_openmetrics(fh)
        return path

    def series(self) -> Iterator[str]:
        """Every series written, as `name{labels}` text."""
        for _, _, samples in self._families:
            for series, _ in samples:
                yield series

    def add_families(self, families: list[tuple[str, str, list[tuple[str, list[float]]]]]) -> None:
        """More families on the same time grid (e.g. for SLOs outside this stack's contract)."""
        self._families.extend(families)

    @property
    def series_count(self) -> int:
        return sum(len(samples) for _, _, samples in self._families)


def _lines(series: str, values: list[float], times: list[int]) -> Iterator[str]:
    for v, t in zip(values, times, strict=True):
        yield f"{series} {v:.17g} {t}\n"


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def cumulative(increments: list[float]) -> list[float]:
    out, acc = [], 0.0
    for x in increments:
        acc += x
        out.append(acc)
    return out


def daily_shape(t: int) -> float:
    """0 at 02:00 UTC, 1 at 14:00 UTC."""
    hours = (t % DAY) / HOUR
    return (1 - math.cos(2 * math.pi * (hours - 2) / 24)) / 2


def generate(config: SynthConfig) -> Synthetic:
    rng = random.Random(config.seed)
    step = config.step
    end = config.end - config.end % step
    start = end - config.days * DAY
    times = list(range(start, end + 1, step))
    n = len(times)

    def draw(expected: float) -> int:
        # Stochastic rounding keeps long-run sums unbiased with integer counts.
        base = math.floor(expected)
        return base + (1 if rng.random() < expected - base else 0)

    def active(t: int) -> list[Incident]:
        return [inc for inc in config.incidents if inc.covers(t, end)]

    api: dict[tuple[str, str], list[float]] = {
        (h, s): [0.0] * n for h in config.handlers for s in ("2xx", "4xx", "5xx")
    }
    buckets: dict[str, list[list[float]]] = {h: [[0.0] * n for _ in HISTOGRAM_BUCKETS] for h in config.handlers}
    lat_count = {h: [0.0] * n for h in config.handlers}
    lat_sum = {h: [0.0] * n for h in config.handlers}
    db_ops = [0.0] * n
    db_err = {e: [0.0] * n for e in DB_ERRORS}
    batch_age = [0.0] * n
    sfn = {o: [0.0] * n for o in SFN_OUTCOMES}
    age = 60.0

    for i in range(1, n):
        t = times[i]
        now = active(t)
        shape = daily_shape(t)
        rate = config.base_rps * (1 + (config.day_night_ratio - 1) * shape)
        err_rate = max([BASELINE_5XX] + [inc.api_error_rate for inc in now])
        good_share = min([NORMAL_LATENCY_CDF[5]] + [inc.latency_good_share for inc in now if inc.latency_good_share])
        requests_all = 0
        for h in config.handlers:
            total = draw(rate * step)
            e5 = min(total, draw(total * err_rate))
            e4 = min(total - e5, draw(total * BASELINE_4XX))
            api[(h, "5xx")][i], api[(h, "4xx")][i], api[(h, "2xx")][i] = e5, e4, total - e5 - e4
            requests_all += total
            cdf = _latency_cdf(good_share)
            previous = 0
            for b, share in enumerate(cdf):
                count = max(previous, min(total, round(total * share)))
                buckets[h][b][i] = count
                previous = count
            buckets[h][-1][i] = total  # the last bucket is 10 s; +Inf is the count
            lat_count[h][i] = total
            lat_sum[h][i] = total * (0.08 if good_share > 0.9 else 0.35)

        ops = draw(requests_all * config.db_ops_per_request)
        db_ops[i] = ops
        db_rate = max([0.0001] + [inc.db_error_rate for inc in now])
        bad = min(ops, draw(ops * db_rate))
        timeout = draw(bad * 0.4)
        db_err["timeout"][i], db_err["connection"][i] = timeout, bad - timeout
        db_err["auth"][i] = draw(ops * 0.00002)
        db_err["other"][i] = draw(ops * 0.0001)

        peak = max([0.0] + [inc.queue_age or 0.0 for inc in now])
        if peak:
            age = min(peak, age + step * 0.9)  # jobs wait longer every minute the backlog lasts
        else:
            age = max(30.0, age * 0.7 + rng.uniform(30, 240) * 0.3)
        batch_age[i] = round(age, 1)

        executions = draw(config.sfn_per_minute * step / MINUTE * (0.2 + 0.8 * shape))
        fail_rate = max([0.002] + [inc.sfn_failure_rate for inc in now])
        failed_all = min(executions, draw(executions * fail_rate))
        timed_out = draw(failed_all * 0.2)
        aborted = min(failed_all - timed_out, draw(failed_all * 0.1))
        sfn["failed"][i] = failed_all - timed_out - aborted
        sfn["timed_out"][i], sfn["aborted"][i] = timed_out, aborted
        sfn["succeeded"][i] = executions - failed_all

    truth = Truth(times)
    threshold_index = HISTOGRAM_BUCKETS.index(0.3)
    truth.series["api_total"] = [
        sum(api[(h, s)][i] for h in config.handlers for s in ("2xx", "4xx", "5xx")) for i in range(n)
    ]
    truth.series["api_2xx"] = [sum(api[(h, "2xx")][i] for h in config.handlers) for i in range(n)]
    truth.series["latency_le_0.3"] = [sum(buckets[h][threshold_index][i] for h in config.handlers) for i in range(n)]
    truth.series["latency_count"] = [sum(lat_count[h][i] for h in config.handlers) for i in range(n)]
    truth.series["db_ops"] = db_ops
    truth.series["db_bad"] = [db_err["timeout"][i] + db_err["connection"][i] for i in range(n)]
    truth.series["batch_age"] = batch_age
    truth.series["sfn_total"] = [sum(sfn[o][i] for o in SFN_OUTCOMES) for i in range(n)]
    truth.series["sfn_good"] = sfn["succeeded"]

    families: list[tuple[str, str, list[tuple[str, list[float]]]]] = []
    families.append(
        (
            "http_requests",
            "counter",
            [
                (
                    f"http_requests_total{_labels(job='api', instance='api:8000', handler=h, method='GET', status=s)}",
                    cumulative(api[(h, s)]),
                )
                for h in config.handlers
                for s in ("2xx", "4xx", "5xx")
            ],
        )
    )
    hist: list[tuple[str, list[float]]] = []
    for h in config.handlers:
        common = {"job": "api", "instance": "api:8000", "handler": h, "method": "GET"}
        for b, le in enumerate(HISTOGRAM_BUCKETS):
            hist.append(
                (f"http_request_duration_seconds_bucket{_labels(**common, le=f'{le:g}')}", cumulative(buckets[h][b]))
            )
        hist.append((f"http_request_duration_seconds_bucket{_labels(**common, le='+Inf')}", cumulative(lat_count[h])))
        hist.append((f"http_request_duration_seconds_count{_labels(**common)}", cumulative(lat_count[h])))
        hist.append((f"http_request_duration_seconds_sum{_labels(**common)}", cumulative(lat_sum[h])))
    families.append(("http_request_duration_seconds", "unknown", hist))
    families.append(
        (
            "db_client_operations",
            "counter",
            [
                (
                    f"db_client_operations_total{_labels(job='api', instance='api:8000', operation='query')}",
                    cumulative(db_ops),
                )
            ],
        )
    )
    families.append(
        (
            "db_client_errors",
            "counter",
            [
                (
                    f"db_client_errors_total{_labels(job='api', instance='api:8000', operation='query', error=e)}",
                    cumulative(db_err[e]),
                )
                for e in DB_ERRORS
            ],
        )
    )
    families.append(
        (
            "aws_batch_oldest_runnable_job_age_seconds",
            "gauge",
            [
                (
                    f"aws_batch_oldest_runnable_job_age_seconds{_labels(job='batch-exporter', job_queue=JOB_QUEUE)}",
                    batch_age,
                )
            ],
        )
    )
    for o in SFN_OUTCOMES:
        name = f"aws_states_executions_{o}_sum"
        families.append(
            (name, "gauge", [(f"{name}{_labels(job='yace', dimension_StateMachineArn=STATE_MACHINE_ARN)}", sfn[o])])
        )
    return Synthetic(config, start, end, truth, families)


def _latency_cdf(good_share: float) -> list[float]:
    """Bucket CDF with `good_share` at 300 ms; buckets below and above scale with it."""
    normal = NORMAL_LATENCY_CDF
    t = HISTOGRAM_BUCKETS.index(0.3)
    scale = good_share / normal[t]
    cdf = [
        min(1.0, c * scale) if b <= t else good_share + (c - normal[t]) / (1 - normal[t]) * (1 - good_share)
        for b, c in enumerate(normal)
    ]
    return cdf
