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
from dataclasses import astuple, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sre_cli import backends, slomath
from sre_cli.backends import BackendError, Counts, HistoryStep, Measurement, MeasureRequest, NotCounts, read_counts
from sre_cli.backends.deadline import Deadline, DeadlineExceeded
from sre_cli.slospec.document import CloudWatchMetric
from sre_cli.slospec.model import Slo
from sre_cli.targets.cloudwatch import groups as cloudwatch_groups
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
        plans = [(s, _plan(s, end, slo_windows[s.name], f"s{i}")) for i, s in enumerate(slos)]
        out = {}
        self._deadline = Deadline(self.timeout)
        try:
            # One batch of SLOs at a time: its datapoints are let go once its SLOs are measured.
            for batch in batches(plans):
                data = self.fetch(widened([q for _, plan in batch for q in plan.queries]))
                for s, plan in batch:
                    out[s.name] = self._measure_one(s, plan, data, end, slo_windows[s.name], history)
                    if progress:
                        progress()
        finally:
            self._deadline.cancel()
            self._deadline = None
        return out

    def _measure_one(
        self, slo: Slo, plan: _Plan, data: dict[str, dict[int, float]], at: int, slo_window: int, history: bool
    ) -> Measurement:
        try:
            return plan.measure(slo, data, at, slo_window, history)
        except BadCount as exc:
            raise BackendError(self.where, f"unexpected answer for {slo.name}: {exc}") from None
        except NotCounts as exc:
            raise BackendError(self.where, f"SLO {slo.name}: {exc}, from {plan.metrics()}") from None


# ---- batching: every SLO's queries of one time range share calls ------------------------


def span_of(q: MetricQuery) -> str:
    """The time range a query is fetched over: the last day (1-minute data) or the SLO windows."""
    return "day" if q.end - q.start <= FINE_SPAN else "windows"


def batches(plans: list[tuple[Slo, _Plan]]) -> Iterator[list[tuple[Slo, _Plan]]]:
    """Consecutive SLOs, as many as fill one call (MAX_QUERIES_PER_CALL queries) per time range.

    A fleet of n same-shaped SLOs takes ceil(queries per range / 500) calls per range, plus a
    NextToken page per 100,800 datapoints, which CloudWatch answers in pages (its MaxDatapoints
    default); an SLO with more queries than one call holds is a batch of its own, fetched in chunks.
    """
    batch: list[tuple[Slo, _Plan]] = []
    used: dict[str, int] = {}
    for slo, plan in plans:
        adds: dict[str, int] = {}
        for q in plan.queries:
            adds[span_of(q)] = adds.get(span_of(q), 0) + 1
        if batch and any(used.get(k, 0) + n > MAX_QUERIES_PER_CALL for k, n in adds.items()):
            yield batch
            batch, used = [], {}
        batch.append((slo, plan))
        for k, n in adds.items():
            used[k] = used.get(k, 0) + n
    if batch:
        yield batch


def widened(queries: list[MetricQuery]) -> list[MetricQuery]:
    """The queries with one time range per span: from the earliest start any of them needs.

    SLOs of different windows (7d, 30d, month) then share calls; a query reads a little more
    than its own windows, and the windows only count the datapoints inside them.
    """
    starts: dict[str, int] = {}
    for q in queries:
        starts[span_of(q)] = min(starts.get(span_of(q), q.start), q.start)
    return [replace(q, start=starts[span_of(q)]) for q in queries]


# ---- per-SLO plan: which metrics, and how datapoints become good/total --------------------


@dataclass
class _Source:
    """The queries of one set of metrics: an SLO's, or one group's (its dimension values put in)."""

    group: dict[str, str]
    roles: dict[str, list[str]]  # role -> query ids: good/bad/total, pr/count (fine_ / coarse_ prefixed), or slices


Periods = tuple[dict[int, float], dict[int, float]]  # good and total events (or slices) per period start


@dataclass
class _Plan:
    kind: str
    queries: list[MetricQuery]
    sources: list[_Source]
    grouped: bool  # sources are the groups; the SLO's whole is their sum

    def metrics(self) -> str:
        """The metrics read, for people: `Namespace MetricName Statistic`, each once."""
        named = (f"{q.metric.namespace} {q.metric.metric_name} {q.stat}" for q in self.queries)
        return ", ".join(dict.fromkeys(named))

    @property
    def resolutions(self) -> tuple[str, ...]:
        return ("slices",) if self.kind == "threshold" else ("fine", "coarse")

    def periods(self, source: _Source, data: dict[str, dict[int, float]], res: str, slo: Slo) -> Periods:
        """Per-period good and total events (or slices) of one source at resolution `res`.

        A period where any metric is NaN has no data: it is left out of both, never counted as 0 good.
        """
        roles = source.roles
        if self.kind == "threshold":
            t = slo.indicator.threshold
            assert t is not None
            maxima = {ts: v for ts, v in data[roles["slices"][0]].items() if not math.isnan(v)}
            good_slices = {ts: 1.0 if HOLDS[t.operator](v, t.value) else 0.0 for ts, v in maxima.items()}
            return good_slices, dict.fromkeys(maxima, 1.0)
        if self.kind == "latency":
            share = data[roles[f"{res}_pr"][0]]
            count = data[roles[f"{res}_count"][0]]
            good = {ts: share.get(ts, 0.0) / 100 * n for ts, n in count.items()}
            return _counts(good, count)
        total = _series(data, roles.get(f"{res}_total", []))
        if f"{res}_good" in roles:
            return _counts(_series(data, roles[f"{res}_good"]), total)
        bad = _series(data, roles.get(f"{res}_bad", []))
        return _counts({ts: n - bad.get(ts, 0.0) for ts, n in total.items()}, total)

    def measure(
        self, slo: Slo, data: dict[str, dict[int, float]], at: int, slo_window: int, history: bool
    ) -> Measurement:
        """The SLO's measurement; of a grouped one, the whole (every group's periods summed) with
        one measurement per group."""
        per_source = [
            (src, {res: self.periods(src, data, res, slo) for res in self.resolutions}) for src in self.sources
        ]
        if not self.grouped:
            return self._measurement(slo, per_source[0][1], at, slo_window, history)
        groups = tuple(
            replace(self._measurement(slo, periods, at, slo_window, history), group=dict(src.group))
            for src, periods in per_source
        )
        whole = {res: _summed([periods[res] for _, periods in per_source]) for res in self.resolutions}
        return replace(self._measurement(slo, whole, at, slo_window, history), groups=groups)

    def _measurement(
        self, slo: Slo, periods: dict[str, Periods], at: int, slo_window: int, history: bool
    ) -> Measurement:
        unit: backends.Unit = "slices" if self.kind == "threshold" else "events"
        windows = sorted(set(slo.sli_windows) - {slo.window_seconds} | {slo_window})
        counts: dict[int, Counts | None] = {}
        for w in windows:
            good, total = periods["slices" if unit == "slices" else "fine" if w <= FINE_SPAN else "coarse"]
            inside = [ts for ts in total if at - w <= ts < at]
            counts[w] = (
                _checked(sum(good[ts] for ts in inside), sum(total[ts] for ts in inside), unit) if inside else None
            )
        if unit == "slices":
            t = slo.indicator.threshold
            assert t is not None
            good, total = periods["slices"]
            step = t.slice_seconds
        else:
            good, total = periods["coarse"]
            step = COARSE_PERIOD
        start = at - slo_window
        periods_in_window = max(slo_window // step, 1)
        in_window = [ts for ts in sorted(total) if start <= ts < at]
        steps: tuple[HistoryStep, ...] = ()
        if history:
            # Datapoints are stamped at their period's start; the step ends one period later.
            steps = tuple(HistoryStep(ts + step, *astuple(_checked(good[ts], total[ts], unit))) for ts in in_window)
        return Measurement(
            slo=slo.name,
            unit=unit,
            at=float(at),
            slo_window=slo_window,
            windows=counts,
            coverage=min(len(in_window) / periods_in_window, 1.0),
            data_since=float(in_window[0]) if in_window else None,
            coverage_step=step,
            data_at_start=bool(in_window) and in_window[0] <= start,
            history=steps,
        )


def _series(data: dict[str, dict[int, float]], qids: list[str]) -> dict[int, float]:
    """Sum of the queries' datapoints per timestamp (NaN where any of them is NaN)."""
    out: dict[int, float] = {}
    for qid in qids:
        for ts, v in data[qid].items():
            out[ts] = out.get(ts, 0.0) + v
    return out


def _summed(parts: list[Periods]) -> Periods:
    """Groups' periods added up: the whole SLO's events, every group weighed by its events."""
    good: dict[int, float] = {}
    total: dict[int, float] = {}
    for part_good, part_total in parts:
        for ts, n in part_total.items():
            total[ts] = total.get(ts, 0.0) + n
            good[ts] = good.get(ts, 0.0) + part_good.get(ts, 0.0)
    return good, total


def _plan(slo: Slo, at: int, slo_window: int, prefix: str) -> _Plan:
    """The queries of `slo`, or of each of its enumerated groups (as the alarms see them: the
    group's values put into its dimensions), and their roles."""
    queries: list[MetricQuery] = []
    members = cloudwatch_groups.members(slo)
    sources = [
        _Source(dict(group.labels) if group else {}, _member_queries(member, at, slo_window, prefix, queries))
        for member, group in members
    ]
    return _Plan(slo.indicator.kind, queries, sources, grouped=members[0][1] is not None)


def _member_queries(
    slo: Slo, at: int, slo_window: int, prefix: str, queries: list[MetricQuery]
) -> dict[str, list[str]]:
    """Append the queries of one SLO (or one group's view of it) to `queries`; their roles."""
    ind = slo.indicator
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
    elif ind.latency and ind.latency.cloudwatch:
        metric = ind.latency.cloudwatch.metric
        threshold = latency_rank(ind.latency)
        for res, period, start in resolutions:
            add(f"{res}_pr", metric, threshold, period, start)
            add(f"{res}_count", metric, "SampleCount", period, start)
    elif ind.threshold and ind.threshold.cloudwatch:
        t = ind.threshold
        metric = t.cloudwatch.metric
        stat = metric.statistic if metric.statistic != "Sum" else "Maximum"
        add("slices", metric, stat, t.slice_seconds, at - slo_window)
    else:
        raise ValueError(f"SLO {slo.name} has no cloudwatch source")
    return roles


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


def _checked(good: float, total: float, unit: backends.Unit = "events") -> Counts:
    """Summed datapoints as counts; NotCounts when negative or more good than all (a PR over 100)."""
    return read_counts(good, total, unit, numerator_is_bad=False)


def _chunks(items: list[MetricQuery], size: int) -> Iterator[list[MetricQuery]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
