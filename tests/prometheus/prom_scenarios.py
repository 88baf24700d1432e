"""Traffic scenarios for promtool rule tests, written once and rendered as each SLO's input series.

A scenario is a list of minutes, each with (events, bad events, source present). It is rendered
into the raw series the SLO reads (counters, histogram buckets, YACE period sums, or the queue-age
gauge, where a bad minute is a bad slice), plus decoy series the SLO must ignore.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

ITEMS = 'handler="/v1/items",method="GET"'
ARN = "arn:aws:states:us-east-1:123456789012:stateMachine"


@dataclass(frozen=True)
class Minute:
    total: float  # events in this minute
    bad: float  # bad events among them (timeslices: > 0 makes the slice bad)
    present: bool = True  # the source series exist


@dataclass
class Scenario:
    minutes: list[Minute] = field(default_factory=list)

    def add(self, count: int, total: float, error_share: float, present: bool = True) -> Scenario:
        """`count` minutes of `total` events with `error_share` of them bad.

        For timeslices the share is spread as whole bad slices (a bad slice each time the running
        sum of the share crosses an integer), so 1% bad means one bad minute in a hundred.
        """
        for _ in range(count):
            self.minutes.append(Minute(total, total * error_share, present))
        return self

    @property
    def length(self) -> int:
        return len(self.minutes)


def _counter(increments: list[float | None]) -> str:
    """promtool notation of a counter; None = no sample (series gone).

    Values are written out one by one: promtool expands `a+bxn` by repeated float addition, so a
    following run could start a hair below the last value and read as a counter reset.
    """
    values: list[float | None] = []
    value = 0.0
    for i, inc in enumerate(increments):
        if inc is None:
            values.append(None)
            continue
        if i:  # the first sample is the counter's start; every later one adds its minute's events
            value += inc
        values.append(value)
    return _gauge(values)


def _gauge(values: list[float | None]) -> str:
    parts: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        v = values[i]
        if v is None:
            parts.extend(["_"] * (j - i + 1))
        else:
            parts.append(f"{v!r}x{j - i}")
        i = j + 1
    return " ".join(parts)


def bad_slices(scenario: Scenario) -> list[bool]:
    """Which minutes are bad slices: bad share accumulated, a slice whenever it passes an integer."""
    acc, out = 0.0, []
    for m in scenario.minutes:
        before = acc
        acc += m.bad / m.total if m.total else 0.0
        out.append(math.floor(acc + 1e-9) > math.floor(before + 1e-9))
    return out


def _increments(scenario: Scenario, pick: str) -> list[float | None]:
    out: list[float | None] = []
    for m in scenario.minutes:
        if not m.present:
            out.append(None)
        elif pick == "total":
            out.append(m.total)
        elif pick == "bad":
            out.append(m.bad)
        else:
            out.append(m.total - m.bad)
    return out


def good_and_bad_counters(scenario: Scenario) -> tuple[str, str]:
    """The scenario's good and bad events as two counters in promtool notation."""
    return _counter(_increments(scenario, "good")), _counter(_increments(scenario, "bad"))


def input_series(slo: str, scenario: Scenario) -> list[dict[str, str]]:
    total, bad, good = (_increments(scenario, k) for k in ("total", "bad", "good"))
    n = scenario.length
    if slo == "api-availability":
        return [
            {"series": f'http_requests_total{{job="api",{ITEMS},status="2xx"}}', "values": _counter(good)},
            {"series": f'http_requests_total{{job="api",{ITEMS},status="5xx"}}', "values": _counter(bad)},
            # Another job's errors must not count.
            {"series": f'http_requests_total{{job="web",{ITEMS},status="5xx"}}', "values": f"0+50x{n}"},
        ]
    if slo == "api-latency":
        base = f'job="api",{ITEMS}'
        return [
            {"series": f'http_request_duration_seconds_bucket{{{base},le="0.25"}}', "values": _counter(good)},
            {"series": f'http_request_duration_seconds_bucket{{{base},le="0.3"}}', "values": _counter(good)},
            {"series": f'http_request_duration_seconds_bucket{{{base},le="+Inf"}}', "values": _counter(total)},
            {"series": f"http_request_duration_seconds_count{{{base}}}", "values": _counter(total)},
        ]
    if slo == "db-errors":
        return [
            {"series": 'db_client_operations_total{job="api",operation="query"}', "values": _counter(total)},
            {"series": 'db_client_errors_total{job="api",operation="query",error="timeout"}', "values": _counter(bad)},
            # auth errors are outside this SLI: a burst of them must not burn the budget.
            {"series": 'db_client_errors_total{job="api",operation="query",error="auth"}', "values": f"0+1000x{n}"},
        ]
    if slo == "sfn-success":
        arn = f'dimension_StateMachineArn="{ARN}:processing"'
        zeros = [None if v is None else 0.0 for v in bad]
        return [
            {"series": f"aws_states_executions_succeeded_sum{{{arn}}}", "values": _gauge(good)},
            {"series": f"aws_states_executions_failed_sum{{{arn}}}", "values": _gauge(bad)},
            {"series": f"aws_states_executions_timed_out_sum{{{arn}}}", "values": _gauge(zeros)},
            {"series": f"aws_states_executions_aborted_sum{{{arn}}}", "values": _gauge(zeros)},
            # Another state machine failing must not count.
            {
                "series": f'aws_states_executions_failed_sum{{dimension_StateMachineArn="{ARN}:other"}}',
                "values": f"500x{n}",
            },
        ]
    if slo == "batch-queue-age":
        ages = [
            (1000.0 if is_bad else 120.0) if m.present else None
            for m, is_bad in zip(scenario.minutes, bad_slices(scenario), strict=True)
        ]
        return [
            {"series": 'aws_batch_oldest_runnable_job_age_seconds{job_queue="sre-prod-jobs"}', "values": _gauge(ages)},
            # Another queue far over the threshold must not count.
            {"series": 'aws_batch_oldest_runnable_job_age_seconds{job_queue="other"}', "values": f"5000x{n}"},
        ]
    raise KeyError(slo)
