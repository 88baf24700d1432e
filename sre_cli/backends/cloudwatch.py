"""Read SLO event counts from CloudWatch with GetMetricData (plain MetricStat queries, no math).

Every metric of every SLO is fetched twice: at a 1-minute period over the last day (windows up
to 1d) and at a 1-hour period over the SLO window (longer windows). All the arithmetic (sums of
good/bad/total metrics, PR/100 x SampleCount for latency, good slices) happens here in Python on
the datapoints, so it is exact and testable without CloudWatch's metric math. Queries sharing a
time range go out in batches of up to 500 per call, following NextToken.

Instant: CloudWatch datapoints cover [timestamp, timestamp + period), and data older than
15 days exists only as 5-minute and hourly aggregates, so the backend reports at the last full
hour at or before `at` (the report's `at` shows it). Windows are [at - W, at).

Latency: a good request is one at or under the threshold; CloudWatch's percentile rank
`PR(:t)` is the percentage of samples <= t, so good = PR(:t) / 100 x SampleCount per period.
Time slices: the `Maximum` (or the spec's statistic) per slice-long period; 1-minute data is kept
15 days, so older slices of a 30d window are missing and the coverage says so.

Faults: throttling and other transient errors are retried with exponential backoff, all within
one deadline (`--timeout`) per report; a NaN datapoint is no data for its period (not a count
in any role), and an infinite or negative count is a backend error.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from typing import Any

from sre_cli import slomath
from sre_cli.backends import BackendError, Counts, HistoryStep, Measurement, MeasureRequest, NotCounts, read_counts
from sre_cli.backends.deadline import Deadline, DeadlineExceeded
from sre_cli.slospec.document import CloudWatchMetric
from sre_cli.slospec.model import Slo
from sre_cli.vocabulary import HOLDS, latency_rank, metric_stat

FINE_PERIOD = 60
FINE_SPAN = slomath.DAY
COARSE_PERIOD = slomath.HOUR
MAX_QUERIES_PER_CALL = 500
MAX_COUNT = 2.0**53  # as in the Prometheus backend: beyond it a count cannot be exact
BACKOFF = 0.2  # seconds before the first retry, doubling (with jitter) after each
# Error codes worth another try: throttling and CloudWatch's own transient failures.
RETRY_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "ServiceUnavailable",
        "InternalFailure",
        "InternalServiceError",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


class ClientConfigError(ValueError):
    """The region or endpoint cannot make a CloudWatch client (bad input, not a backend fault)."""


@dataclass(frozen=True)
class MetricQuery:
    """One MetricStat over one time range; `values` maps datapoint timestamp -> value."""

    id: str
    metric: CloudWatchMetric
    stat: str
    period: int
    start: int
    end: int

    def to_api(self) -> dict[str, Any]:
        return metric_stat(self.id, self.metric, self.period, self.stat, return_data=True)


def align(at: float) -> int:
    return int(at) - int(at) % COARSE_PERIOD


class CloudWatchBackend:
    name = "cloudwatch"

    def __init__(
        self,
        region: str,
        *,
        endpoint_url: str | None = None,
        timeout: float = 30.0,
        retries: int = 2,
        client: Any = None,
    ) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        self.timeout = timeout
        self.retries = retries
        self._deadline: Deadline | None = None
        if client is None:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError

            config = Config(
                connect_timeout=timeout,
                read_timeout=timeout,
                # Retries are ours (`_call`): botocore's would wait past the deadline.
                retries={"total_max_attempts": 1, "mode": "standard"},
            )
            try:
                client = boto3.client("cloudwatch", region_name=region, endpoint_url=endpoint_url, config=config)
            except (BotoCoreError, ValueError) as exc:
                raise ClientConfigError(f"cannot set up a CloudWatch client for {self.where}: {exc}") from None
        self.client = client

    @property
    def where(self) -> str:
        from sre_cli.backends.urls import redact

        return f"region {self.region}" + (f" ({redact(self.endpoint_url)})" if self.endpoint_url else "")

    # ---- fetching ------------------------------------------------------------------------

    def fetch(self, queries: Sequence[MetricQuery]) -> dict[str, dict[int, float]]:
        """Datapoints of every query (timestamp -> value), batched by time range, all pages."""
        from botocore.exceptions import BotoCoreError, ClientError

        by_range: dict[tuple[int, int], list[MetricQuery]] = {}
        for q in queries:
            by_range.setdefault((q.start, q.end), []).append(q)
        out: dict[str, dict[int, float]] = {q.id: {} for q in queries}
        deadline = self._deadline or Deadline(self.timeout)
        try:
            for (start, end), group in sorted(by_range.items()):
                for chunk in _chunks(group, MAX_QUERIES_PER_CALL):
                    for result in self._pages(chunk, start, end, deadline):
                        values = out[result["Id"]]
                        for ts, v in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                            if v is not None:
                                # NaN is kept: it marks its period as no data (see `_Plan.series`).
                                values[int(ts.timestamp())] = self._value(float(v))
        except ClientError as exc:
            err = exc.response.get("Error", {})
            raise BackendError(self.where, f"{err.get('Code', 'error')}: {err.get('Message', exc)}") from None
        except BotoCoreError as exc:
            raise BackendError(self.where, str(exc)) from None
        except DeadlineExceeded as exc:
            raise BackendError(self.where, str(exc)) from None
        finally:
            if self._deadline is None:
                deadline.cancel()
        return out

    def _value(self, v: float) -> float:
        if math.isinf(v):
            raise BackendError(self.where, f"unexpected answer: datapoint {v:g} is not a number")
        return v

    def _call(self, deadline: Deadline, **kwargs: Any) -> dict[str, Any]:
        """get_metric_data, retried with jittered exponential backoff on throttling, within the deadline."""
        from botocore.exceptions import ClientError, ConnectionError, HTTPClientError, ReadTimeoutError

        for attempt in range(self.retries + 1):
            deadline.check()
            try:
                return self.client.get_metric_data(**kwargs)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                transient = code in RETRY_CODES or status in (429, 500, 502, 503, 504)
                if not transient or attempt == self.retries:
                    raise
                failure: Exception = exc
            except (ConnectionError, HTTPClientError, ReadTimeoutError) as exc:
                if deadline.passed:
                    raise DeadlineExceeded(deadline.describe()) from None
                if attempt == self.retries:
                    raise
                failure = exc
            wait = BACKOFF * 2**attempt * random.uniform(0.5, 1.0)
            if wait >= deadline.remaining():
                raise BackendError(
                    self.where,
                    f"{_describe(failure)}; the retry in {wait:.2g}s would pass "
                    f"the {self.timeout:g}s deadline (--timeout)",
                )
            deadline.sleep(wait)
        raise AssertionError("unreachable")

    def _pages(self, chunk: list[MetricQuery], start: int, end: int, deadline: Deadline) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "MetricDataQueries": [q.to_api() for q in chunk],
            "StartTime": datetime.fromtimestamp(start, UTC),
            "EndTime": datetime.fromtimestamp(end, UTC),
            "ScanBy": "TimestampAscending",
        }
        while True:
            page = self._call(deadline, **kwargs)
            yield from page.get("MetricDataResults", [])
            token = page.get("NextToken")
            if not token:
                return
            kwargs["NextToken"] = token

    # ---- measuring -----------------------------------------------------------------------

    def measure(self, request: MeasureRequest) -> dict[str, Measurement]:
        # CloudWatch has no recorded series: every SLO is read from its raw metrics, whatever request.source.
        slos, at, slo_windows, history, progress = (
            request.slos,
            request.at,
            request.slo_windows,
            request.history,
            request.progress,
        )
        end = align(at)
        plans = {s.name: _plan(s, end, slo_windows[s.name], f"s{i}") for i, s in enumerate(slos)}
        self._deadline = Deadline(self.timeout)
        try:
            data = self.fetch([q for p in plans.values() for q in p.queries])
        finally:
            self._deadline.cancel()
            self._deadline = None
        out = {}
        for s in slos:
            try:
                out[s.name] = plans[s.name].measure(s, data, end, slo_windows[s.name], history)
            except BadCount as exc:
                raise BackendError(self.where, f"unexpected answer for {s.name}: {exc}") from None
            except NotCounts as exc:
                raise BackendError(self.where, f"SLO {s.name}: {exc}, from {plans[s.name].metrics()}") from None
            if progress:
                progress()
        return out


# ---- per-SLO plan: which metrics, and how datapoints become good/total --------------------


@dataclass
class _Plan:
    kind: str
    queries: list[MetricQuery]
    roles: dict[str, list[str]]  # role -> query ids: good/bad/total (fine_ / coarse_ prefixed), or slices

    def metrics(self) -> str:
        """The metrics read, for people: `Namespace MetricName Statistic`, each once."""
        named = (f"{q.metric.namespace} {q.metric.metric_name} {q.stat}" for q in self.queries)
        return ", ".join(dict.fromkeys(named))

    def series(self, data: dict[str, dict[int, float]], role: str) -> dict[int, float]:
        """Sum of the role's metrics per timestamp (NaN where any of them is NaN)."""
        out: dict[int, float] = {}
        for qid in self.roles.get(role, []):
            for ts, v in data[qid].items():
                out[ts] = out.get(ts, 0.0) + v
        return out

    def good_total(self, data: dict[str, dict[int, float]], res: str) -> tuple[dict[int, float], dict[int, float]]:
        """Per-period good and total events at resolution res (fine|coarse).

        A period where any metric is NaN has no data: it is left out of both, never counted as 0 good.
        """
        if self.kind == "latency":
            share = data[self.roles[f"{res}_pr"][0]]
            count = data[self.roles[f"{res}_count"][0]]
            good = {ts: share.get(ts, 0.0) / 100 * n for ts, n in count.items()}
            return _counts(good, count)
        total = self.series(data, f"{res}_total")
        if f"{res}_good" in self.roles:
            return _counts(self.series(data, f"{res}_good"), total)
        bad = self.series(data, f"{res}_bad")
        return _counts({ts: n - bad.get(ts, 0.0) for ts, n in total.items()}, total)

    def measure(
        self, slo: Slo, data: dict[str, dict[int, float]], at: int, slo_window: int, history: bool
    ) -> Measurement:
        windows = sorted(set(slo.sli_windows) - {slo.window_seconds} | {slo_window})
        counts: dict[int, Counts | None] = {}
        if self.kind == "threshold":
            t = slo.indicator.threshold
            assert t is not None
            maxima = {ts: v for ts, v in data[self.roles["slices"][0]].items() if not math.isnan(v)}
            good_of = {ts: 1.0 if HOLDS[t.operator](v, t.value) else 0.0 for ts, v in maxima.items()}
            for w in windows:
                inside = [ts for ts in maxima if at - w <= ts < at]
                counts[w] = Counts(sum(good_of[ts] for ts in inside), float(len(inside))) if inside else None
            present = sorted(maxima)
            step = t.slice_seconds
            per_step = {ts: (good_of[ts], 1.0) for ts in maxima}
        else:
            fine_good, fine_total = self.good_total(data, "fine")
            coarse_good, coarse_total = self.good_total(data, "coarse")
            for w in windows:
                good, total = (fine_good, fine_total) if w <= FINE_SPAN else (coarse_good, coarse_total)
                inside = [ts for ts in total if at - w <= ts < at]
                counts[w] = (
                    _checked(sum(good.get(ts, 0.0) for ts in inside), sum(total[ts] for ts in inside))
                    if inside
                    else None
                )
            present = sorted(coarse_total)
            step = COARSE_PERIOD
            per_step = {ts: (coarse_good.get(ts, 0.0), n) for ts, n in coarse_total.items()}
        start = at - slo_window
        periods = max(slo_window // step, 1)
        in_window = [ts for ts in present if start <= ts < at]
        steps: tuple[HistoryStep, ...] = ()
        if history:
            # Datapoints are stamped at their period's start; the step ends one period later.
            steps = tuple(HistoryStep(ts + step, *astuple(_checked(*per_step[ts]))) for ts in in_window)
        return Measurement(
            slo=slo.name,
            unit="slices" if self.kind == "threshold" else "events",
            at=float(at),
            slo_window=slo_window,
            windows=counts,
            coverage=min(len(in_window) / periods, 1.0),
            data_since=float(in_window[0]) if in_window else None,
            coverage_step=step,
            data_at_start=bool(in_window) and in_window[0] <= start,
            history=steps,
        )


def _plan(slo: Slo, at: int, slo_window: int, prefix: str) -> _Plan:
    ind = slo.indicator
    queries: list[MetricQuery] = []
    roles: dict[str, list[str]] = {}

    def add(role: str, metric: CloudWatchMetric, stat: str, period: int, start: int) -> None:
        q = MetricQuery(f"{prefix}q{len(queries)}", metric, stat, period, start, at)
        queries.append(q)
        roles.setdefault(role, []).append(q.id)

    resolutions = (("fine", FINE_PERIOD, at - min(FINE_SPAN, slo_window)), ("coarse", COARSE_PERIOD, at - slo_window))
    if ind.ratio and ind.ratio.cloudwatch:
        src = ind.ratio.cloudwatch
        for res, period, start in resolutions:
            for role in ("good", "bad", "total"):
                for metric in getattr(src, role) or []:
                    add(f"{res}_{role}", metric, metric.statistic, period, start)
        return _Plan("ratio", queries, roles)
    if ind.latency and ind.latency.cloudwatch:
        metric = ind.latency.cloudwatch.metric
        threshold = latency_rank(ind.latency)
        for res, period, start in resolutions:
            add(f"{res}_pr", metric, threshold, period, start)
            add(f"{res}_count", metric, "SampleCount", period, start)
        return _Plan("latency", queries, roles)
    if ind.threshold and ind.threshold.cloudwatch:
        t = ind.threshold
        metric = t.cloudwatch.metric
        stat = metric.statistic if metric.statistic != "Sum" else "Maximum"
        add("slices", metric, stat, t.slice_seconds, at - slo_window)
        return _Plan("threshold", queries, roles)
    raise ValueError(f"SLO {slo.name} has no cloudwatch source")


class BadCount(ValueError):
    pass


def _counts(good: dict[int, float], total: dict[int, float]) -> tuple[dict[int, float], dict[int, float]]:
    """Good and total of the periods with data; BadCount for a count no metric store can hold."""
    keep = [ts for ts, n in total.items() if not math.isnan(n) and not math.isnan(good.get(ts, 0.0))]
    for ts in keep:
        for n in (total[ts], good.get(ts, 0.0)):
            if not 0 <= n <= MAX_COUNT:
                what = "negative" if n < 0 else f"over {MAX_COUNT:.0f}"
                raise BadCount(f"{n:g} events in the period at {ts} ({what})")
    return {ts: good.get(ts, 0.0) for ts in keep}, {ts: total[ts] for ts in keep}


def _describe(exc: Exception) -> str:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'error')}: {err.get('Message', exc)}"
    return str(exc)


def _checked(good: float, total: float) -> Counts:
    """Summed datapoints as counts; NotCounts when negative or more good than all (a PR over 100)."""
    return read_counts(good, total, "events", numerator_is_bad=False)


def _chunks(items: list[MetricQuery], size: int) -> Iterator[list[MetricQuery]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
