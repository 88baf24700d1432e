"""Read SLO event counts from any Prometheus-compatible query API (Prometheus, Thanos, Mimir, AMP).

Every query of a report is evaluated at the same `time=at`, so good and total can never come from
different instants. Queries run in parallel (identical ones once), all under one deadline
(`--timeout`), with retries on connection errors and 429/502/503/504 (`sre_cli.backends.http`).

Answers are checked, not trusted: anything but a vector (a matrix for range queries) of
[time, "number"] samples, a negative or non-finite count, or a count too large to be exact is a
backend error. NaN is no data: a window whose good, bad or total events are NaN has no counts.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from sre_cli import slomath
from sre_cli.backends import (
    BackendError,
    Counts,
    HistoryStep,
    Measurement,
    MeasureRequest,
    NotCounts,
    promql,
    read_counts,
    recorded,
)
from sre_cli.backends.http import BadAnswer, HttpError, JsonApi
from sre_cli.backends.urls import redact
from sre_cli.slospec.model import Slo
from sre_cli.targets.prometheus import naming

HISTORY_POINTS = 120  # burn-down chart resolution: 30d -> one point per 6h
# Beyond 2^53 a float no longer holds every integer: such a count cannot be exact (and sums of a
# few overflow to inf). No real SLO counts that many events in a window.
MAX_COUNT = 2.0**53
# SLOs per union query of raw coverage terms (recorded path): URLs of a few KB, under proxies' 8 KB default.
RAW_COVERAGE_BATCH = 10

Value = float | None  # None: no series at all; NaN: series present, but no number (no data)


class PrometheusBackend:
    name = "prometheus"

    def __init__(
        self,
        url: str,
        *,
        auth: Any = None,
        timeout: float = 30.0,
        retries: int = 2,
        workers: int = 8,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.workers = workers
        self.api = JsonApi(self.url, auth=auth, timeout=timeout, retries=retries)

    @property
    def where(self) -> str:
        return redact(self.url)

    # ---- HTTP ----------------------------------------------------------------------------

    def _get(self, path: str, params: list[tuple[str, str]], result_type: str) -> list[Any]:
        try:
            return _result(self.api.get(path, params), result_type)
        except BadAnswer as exc:
            raise BackendError(self.where, f"unexpected answer, not a Prometheus query API ({exc})") from None
        except HttpError as exc:
            raise BackendError(self.where, str(exc)) from None

    def _range(self, query: str, start: float, end: float, step: int) -> dict[str, list[tuple[float, float]]]:
        params = [("query", query), ("start", f"{start:.3f}"), ("end", f"{end:.3f}"), ("step", str(step))]
        out: dict[str, list[tuple[float, float]]] = {}
        for series in self._get("/api/v1/query_range", params, "matrix"):
            if not isinstance(series, dict) or not isinstance(series.get("values"), list):
                raise BackendError(self.where, "unexpected answer: a range series without a list of values")
            out[_key(series)] = [self._sample(p) for p in series["values"]]
        return out

    # ---- measuring -----------------------------------------------------------------------

    def _scalar(self, query: str, at: float) -> Value:
        """The value of a query yielding at most one sample (several are summed); None if empty, NaN if NaN."""
        samples = self._get("/api/v1/query", [("query", query), ("time", f"{at:.3f}")], "vector")
        values = []
        for sample in samples:
            if not isinstance(sample, dict):
                raise BackendError(self.where, f"unexpected answer: a sample that is {type(sample).__name__}")
            values.append(self._sample(sample.get("value"))[1])
        if not values:
            return None
        total = math.fsum(values)
        return total if math.isnan(total) else self._count(total, query)

    def _sample(self, pair: Any) -> tuple[float, float]:
        """[time, "value"] as numbers; NaN stays NaN (no data)."""
        if not isinstance(pair, list) or len(pair) != 2:
            raise BackendError(self.where, f"unexpected answer: sample {_show(pair)} is not [time, value]")
        t, v = pair
        if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t):
            raise BackendError(self.where, f"unexpected answer: sample time {_show(t)} is not a number")
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise BackendError(self.where, f"unexpected answer: sample value {_show(v)} is not a number")
        try:
            n = float(v)
        except ValueError:
            raise BackendError(self.where, f"unexpected answer: sample value {_show(v)} is not a number") from None
        return float(t), n if math.isnan(n) else self._count(n)

    def _count(self, n: float, query: str | None = None) -> float:
        if not 0 <= n <= MAX_COUNT:  # also refuses inf
            what = "negative" if n < 0 else "infinite" if math.isinf(n) else f"over {MAX_COUNT:.0f}"
            source = f", from {_one_line(query)}" if query else ""
            raise BackendError(self.where, f"unexpected answer: {n:g} is not an event count ({what}){source}")
        return n

    def _samples(self, query: str, at: float) -> list[recorded.Sample]:
        """Every sample of an instant query with its labels (the metric name dropped); NaN stays NaN."""
        out = []
        for sample in self._get("/api/v1/query", [("query", query), ("time", f"{at:.3f}")], "vector"):
            if not isinstance(sample, dict):
                raise BackendError(self.where, f"unexpected answer: a sample that is {type(sample).__name__}")
            out.append(recorded.Sample(_labels(sample), self._sample(sample.get("value"))[1]))
        return out

    def measure(self, request: MeasureRequest) -> dict[str, Measurement]:
        """Measure every SLO at `request.at`; the first backend failure cancels the rest and raises.

        Recorded series first (`request.source` auto/recorded: a handful of queries for the whole
        fleet), then the raw series of the SLOs they do not cover: one union query per SLO, SLOs
        sharing an SLI and windows once; all in parallel (`workers`), under one deadline.
        """
        with self.api.run(), ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            out: dict[str, Measurement] = {}
            if request.source != "raw":
                out = self._read_recorded(pool, request)
            raw = [s for s in request.slos if s.name not in out]
            if raw:
                out.update(self._read_raw(pool, raw, request))
            if request.history:
                out = self._with_history(pool, request, out)
        return {s.name: out[s.name] for s in request.slos}

    def _gather(
        self, pool: ThreadPoolExecutor, jobs: dict[str, Callable[[], Any]], done: Callable[[str], None] | None = None
    ) -> dict[str, Any]:
        """Run jobs in parallel: key -> result; the first failure cancels the rest and raises."""
        futures = {pool.submit(job): key for key, job in jobs.items()}
        results: dict[str, Any] = {}
        try:
            for future in as_completed(futures):
                key = futures[future]
                results[key] = future.result()
                if done is not None:
                    done(key)
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        return results

    # ---- recorded series -------------------------------------------------------------------

    def _read_recorded(self, pool: ThreadPoolExecutor, request: MeasureRequest) -> dict[str, Measurement]:
        """SLOs read from the recorded series, fleet-wide; `auto` leaves out those they do not cover.

        Calendar windows (since the month's or week's start) are never recorded: always raw.
        """
        at = request.at
        eligible = [s for s in request.slos if s.window not in slomath.CALENDAR_WINDOWS]
        if not eligible:
            return {}
        matcher = recorded.slo_matcher(eligible)
        queries: set[str] = set()
        for s in eligible:
            for w in request.windows_of(s):
                queries.update(recorded.window_queries(w, matcher))
        for slo_window in {request.slo_windows[s.name] for s in eligible}:
            queries.update(recorded.coverage_queries(slo_window, matcher))
        answers = recorded.Answers()
        for query, samples in self._gather(pool, {q: _call(self._samples, q, at) for q in sorted(queries)}).items():
            answers.add(query, samples)
        out = {}
        for s in eligible:
            m = self._recorded_measurement(s, request, answers, matcher)
            if m is not None:
                out[s.name] = m
        raw_cover = self._raw_coverage(pool, [s for s in eligible if s.name in out], request)
        for name, m in out.items():
            out[name] = _honest(m, raw_cover[name])
            request.done()
        return out

    def _raw_coverage(
        self, pool: ThreadPoolExecutor, slos: Sequence[Slo], request: MeasureRequest
    ) -> dict[str, _RawCover]:
        """Whether the raw source series cover each recorded SLO's window from its start, and where
        they do not, how much of it (share and data_since, as the raw path says).

        The rules record zeros where their raw series are missing (`or vector(0)`), so the recorded
        series cover windows the raw data does not. Data at the window start is one cheap instant
        per SLO; only SLOs without it pay for the 30-day scan of their share (few, as on the raw
        path). SLOs sharing a source share a term; RAW_COVERAGE_BATCH terms per union query.
        """
        at = request.at
        terms_of: dict[str, tuple[str, str]] = {}
        for slo in slos:
            terms_of[slo.name] = promql.coverage_terms(promql.slo_queries(slo), request.slo_windows[slo.name], at)
        started = self._union_values(pool, {start for _, start in terms_of.values()}, at)
        late = [s for s in slos if terms_of[s.name][1] not in started]
        counted = self._union_values(pool, {terms_of[s.name][0] for s in late}, at)
        since_terms = {
            s.name: promql.data_since_term(promql.slo_queries(s), request.slo_windows[s.name])
            for s in late
            if terms_of[s.name][0] in counted
        }
        since = self._gather(pool, {q: _call(self._scalar, q, at) for q in set(since_terms.values())})
        out = {s.name: _RawCover(None, True, None) for s in slos}
        for slo in late:
            slo_window = request.slo_windows[slo.name]
            n = counted.get(terms_of[slo.name][0], 0.0)
            share = min(n / max(slo_window // promql.coverage_step(slo_window), 1), 1.0)
            query = since_terms.get(slo.name)
            out[slo.name] = _RawCover(share, False, None if query is None else _known(since[query]))
        return out

    def _union_values(self, pool: ThreadPoolExecutor, exprs: set[str], at: float) -> dict[str, float]:
        """expression -> value of the label-less expressions that answered (NaN left out), asked as
        union queries of RAW_COVERAGE_BATCH expressions each."""
        ordered = sorted(exprs)
        batches: dict[str, Callable[[], Any]] = {}
        for i in range(0, len(ordered), RAW_COVERAGE_BATCH):
            terms = {f"t{i + j}": e for j, e in enumerate(ordered[i : i + RAW_COVERAGE_BATCH])}
            batches[str(i)] = _call(self._samples, promql.union(terms), at)
        values: dict[str, float] = {}
        for samples in self._gather(pool, batches).values():
            for sample in samples:
                term = sample.labels.get(promql.QUERY_LABEL, "")
                if term.startswith("t") and term[1:].isdigit() and not math.isnan(sample.value):
                    expr = ordered[int(term[1:])]
                    values[expr] = values.get(expr, 0.0) + sample.value
        return values

    def _recorded_measurement(
        self, slo: Slo, request: MeasureRequest, answers: recorded.Answers, matcher: str
    ) -> Measurement | None:
        """One SLO from the recorded answers; None when `auto` should read it raw instead."""
        slo_window = request.slo_windows[slo.name]
        samples_q, recent_q = recorded.coverage_queries(slo_window, matcher)
        # A grouped SLO is covered as far as its longest-recorded group.
        samples, recent = answers.of(samples_q, slo), answers.of(recent_q, slo)
        cover = recorded.coverage(max(samples.values(), default=None), max(recent.values(), default=None), slo_window)
        forced = request.source == "recorded"
        if not cover.covered and not forced:
            return None
        windows: dict[int, dict[recorded.GroupKey, Counts]] = {}
        for w in request.windows_of(slo):
            count_q, ratio_q = recorded.window_queries(w, matcher)
            counts, ratios = answers.of(count_q, slo), answers.of(ratio_q, slo)
            if not counts and not forced:
                return None  # a window the rules do not record (older rules): raw
            per_group = {}
            for key, count in counts.items():
                ratio = ratios.get(key)
                if ratio is None or math.isnan(ratio) or math.isnan(count):
                    continue  # no data in this window, as NaN is for the raw path
                try:
                    per_group[key] = recorded.window_counts(count, ratio, recorded.unit_of(slo))
                except NotCounts as exc:
                    raise BackendError(self.where, f"SLO {slo.name}: {exc}, from {count_q} and {ratio_q}") from None
            windows[w] = per_group
        return recorded.measurement(slo, request.at, slo_window, windows, cover)

    # ---- raw series ------------------------------------------------------------------------

    def _read_raw(
        self, pool: ThreadPoolExecutor, slos: Sequence[Slo], request: MeasureRequest
    ) -> dict[str, Measurement]:
        at = request.at
        plans: dict[str, _RawPlan] = {}
        for slo in slos:
            queries = promql.slo_queries(slo)
            window = request.slo_windows[slo.name]
            terms = promql.instant_terms(queries, request.windows_of(slo), window, at)
            plans[slo.name] = _RawPlan(slo, queries, request.windows_of(slo), terms, promql.union(terms))
        waiting: dict[str, list[str]] = {}  # union query -> SLOs reading it (SLOs sharing an SLI: one query)
        for name, plan in plans.items():
            waiting.setdefault(plan.query, []).append(name)

        def answered(query: str) -> None:
            for _ in waiting[query]:
                if not request.history:
                    request.done()

        answers = self._gather(pool, {q: _call(self._samples, q, at) for q in waiting}, answered)
        out = {
            name: self._assemble(plan, _by_term(answers[plan.query], plan.slo.group_by), at, request.slo_windows[name])
            for name, plan in plans.items()
        }
        # The start of the data matters only where the window reaches past it.
        since_terms = {
            name: promql.data_since_term(plans[name].queries, m.slo_window)
            for name, m in out.items()
            if not m.data_at_start and m.windows.get(m.slo_window) is not None
        }
        since = self._gather(pool, {q: _call(self._scalar, q, at) for q in set(since_terms.values())})
        for name, query in since_terms.items():
            out[name] = dataclasses.replace(out[name], data_since=_known(since[query]))
        return out

    def _with_history(
        self, pool: ThreadPoolExecutor, request: MeasureRequest, out: dict[str, Measurement]
    ) -> dict[str, Measurement]:
        """Burn-down history of every SLO with data. Recorded SLOs read it from a recorded window as
        long as a history step when there is one (one range query per series for the fleet); the
        others share one range query per SLI and window."""
        slos = {s.name: s for s in request.slos}
        jobs: dict[str, Callable[[], Any]] = {}
        wanted: dict[str, str] = {}
        for name, m in out.items():
            if m.windows.get(m.slo_window) is None:
                continue
            step = recorded.history_step(m.slo_window, HISTORY_POINTS)
            slo = slos[name]
            if m.source == "recorded" and step in slo.sli_windows:
                key = f"recorded:{m.slo_window}"
                if key not in jobs:
                    jobs[key] = _call(self._recorded_history, m.slo_window, step, request.at)
            else:
                queries = promql.slo_queries(slo)
                key = f"raw:{promql.history_query(queries, step)}:{m.slo_window}"
                if key not in jobs:  # named after the first SLO reading it, for error messages
                    jobs[key] = _call(self._history, name, queries, request.at, m.slo_window)
            wanted[name] = key
        results = self._gather(pool, jobs)
        out = dict(out)
        for name, key in wanted.items():
            steps = results[key]
            if key.startswith("recorded:"):
                steps = self._recorded_steps(slos[name], steps)
            out[name] = dataclasses.replace(out[name], history=steps)
            request.done()
        return out

    def _recorded_history(self, slo_window: int, step: int, at: float) -> tuple[list[Any], list[Any]]:
        """Range answers of the fleet's recorded count and ratio over `step`-long windows (one per step)."""
        count_q, ratio_q = recorded.window_queries(step, "")
        params = [("start", f"{at - slo_window + step:.3f}"), ("end", f"{at:.3f}"), ("step", str(step))]
        return tuple(self._get("/api/v1/query_range", [("query", q), *params], "matrix") for q in (count_q, ratio_q))

    def _recorded_steps(self, slo: Slo, answers: tuple[list[Any], list[Any]]) -> tuple[HistoryStep, ...]:
        """One SLO's history steps from the fleet's recorded range answers (groups summed)."""
        wanted = naming.series_labels(slo)
        per_time: list[dict[float, float]] = [{}, {}]  # count, bad per step end
        series_of: dict[tuple[str, ...], dict[float, float]] = {}
        for i, answer in enumerate(answers):
            for series in answer:
                labels = _labels(series)
                if any(labels.get(k) != v for k, v in wanted.items()):
                    continue
                key = tuple(sorted(labels.items()))
                values = {t: v for t, v in (self._sample(p) for p in series.get("values", []))}
                if i == 0:
                    series_of[key] = values
                    for t, v in values.items():
                        per_time[0][t] = per_time[0].get(t, 0.0) + v
                else:
                    count = series_of.get(key, {})
                    for t, ratio in values.items():
                        if t in count:
                            per_time[1][t] = per_time[1].get(t, 0.0) + ratio * count[t]
        steps = []
        for t, total in sorted(per_time[0].items()):
            bad = per_time[1].get(t)
            if bad is None or math.isnan(total) or math.isnan(bad):
                continue
            c = read_counts(bad, total, recorded.unit_of(slo), numerator_is_bad=True)  # type: ignore[arg-type]
            steps.append(HistoryStep(t, c.good, c.total))
        return tuple(steps)

    def _assemble(
        self, plan: _RawPlan, values: dict[str, dict[tuple[str, ...], float]], at: float, slo_window: int
    ) -> Measurement:
        """The whole SLO (a grouped SLO's groups summed) and, for a grouped SLO, one per group."""
        whole = {key: _fsum(per_group.values()) for key, per_group in values.items()}
        m = self._assemble_one(plan, whole, values, at, slo_window)
        if not plan.slo.group_by:
            return m
        keys = sorted({g for key, per_group in values.items() if key.startswith("total:") for g in per_group})
        groups = tuple(
            dataclasses.replace(
                self._assemble_one(plan, {k: v.get(g) for k, v in values.items()}, values, at, slo_window),
                group=dict(zip(plan.slo.group_by, g, strict=True)),
            )
            for g in keys
        )
        return dataclasses.replace(m, groups=groups)

    def _assemble_one(
        self,
        plan: _RawPlan,
        values: dict[str, Value],
        raw_values: dict[str, dict[tuple[str, ...], float]],
        at: float,
        slo_window: int,
    ) -> Measurement:
        queries, terms, name = plan.queries, plan.terms, plan.slo.name
        counts: dict[int, Counts | None] = {}
        for s in plan.windows:
            total, num = values.get(f"total:{s}"), values.get(f"num:{s}")
            if total is None or math.isnan(total) or (num is not None and math.isnan(num)):
                counts[s] = None  # NaN anywhere is no data, never a count
                continue
            # A sparse numerator (no 5xx ever) has no series at all: that is zero, not unknown.
            num = num or 0.0
            counts[s] = self._counts(name, queries, num, total, terms[f"num:{s}"], terms[f"total:{s}"])
        step = promql.coverage_step(slo_window)
        # Coverage is the whole SLO's (its source series are present or not for all groups).
        n = _known(_fsum(raw_values.get("cov_n", {}).values()))
        coverage = None if n is None else min(n / max(slo_window // step, 1), 1.0)
        return Measurement(
            slo=name,
            unit=queries.unit,  # type: ignore[arg-type]
            at=at,
            slo_window=slo_window,
            windows=counts,
            coverage=coverage if coverage is not None else (0.0 if counts[slo_window] is None else None),
            data_since=None,
            data_at_start=_known(_fsum(raw_values.get("cov_start", {}).values())) is not None,
            coverage_step=step,
        )

    def _history(self, name: str, queries: promql.SloQueries, at: float, slo_window: int) -> tuple[HistoryStep, ...]:
        step = max(slo_window // HISTORY_POINTS, 60)
        series = self._range(promql.history_query(queries, step), at - slo_window + step, at, step)
        nums = dict(series.get("num", []))
        out = []
        for t, total in series.get("total", []):
            num = nums.get(t, 0.0)  # no numerator sample: no such events in the step
            if math.isnan(total) or math.isnan(num):
                continue  # no data in this step
            counts = self._counts(name, queries, num, total, *queries.counts(step))
            out.append(HistoryStep(t, counts.good, counts.total))
        return tuple(out)

    def _counts(
        self, name: str, queries: promql.SloQueries, num: float, total: float, num_query: str, total_query: str
    ) -> Counts:
        """Checked counts; answers that cannot be counts are the backend's error, naming the queries."""
        try:
            return read_counts(num, total, queries.unit, numerator_is_bad=queries.numerator_is_bad)
        except NotCounts as exc:
            raise BackendError(
                self.where, f"SLO {name}: {exc}, from {_one_line(num_query)} and {_one_line(total_query)}"
            ) from None


@dataclasses.dataclass(frozen=True)
class _RawCover:
    """Coverage of an SLO window by the raw source series (see `Measurement`)."""

    share: float | None  # None: not asked (the raw series cover the window start)
    at_start: bool
    data_since: float | None


def _honest(m: Measurement, raw: _RawCover) -> Measurement:
    """A recorded Measurement covering no more than its raw series do: never `ok` for what was not measured.

    Where the raw series cover the window start, the share stays the recorded base series' (gaps
    in the raw data inside the window are recorded as zeros and not seen: the raw path's status
    does not turn on them either, only its share would be lower).
    """
    coverage = m.coverage if raw.share is None else raw.share if m.coverage is None else min(m.coverage, raw.share)
    complete = bool(m.data_at_start) and raw.at_start
    fields: dict[str, Any] = {"coverage": coverage, "data_at_start": complete, "data_since": raw.data_since}
    return dataclasses.replace(m, **fields, groups=tuple(dataclasses.replace(g, **fields) for g in m.groups))


@dataclasses.dataclass(frozen=True)
class _RawPlan:
    """How one SLO is read from its raw series: its terms (`promql.instant_terms`) as one union query."""

    slo: Slo
    queries: promql.SloQueries
    windows: list[int]
    terms: dict[str, str]
    query: str


def _call(fn: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    return lambda: fn(*args)


def _labels(sample: dict[str, Any]) -> dict[str, str]:
    labels = sample.get("metric")
    if not isinstance(labels, dict):
        return {}
    return {k: v for k, v in labels.items() if k != "__name__" and isinstance(v, str)}


def _by_term(samples: list[recorded.Sample], group_by: tuple[str, ...]) -> dict[str, dict[tuple[str, ...], float]]:
    """A union answer: term key -> group key -> value (the group key is () for an ungrouped SLO).

    Samples without a term label are not an answer to any term and are left out.
    """
    out: dict[str, dict[tuple[str, ...], float]] = {}
    for s in samples:
        key = s.labels.get(promql.QUERY_LABEL)
        if key is None:
            continue
        group = tuple(s.labels.get(g, "") for g in group_by) if key.startswith(("num:", "total:")) else ()
        per_group = out.setdefault(key, {})
        per_group[group] = per_group.get(group, 0.0) + s.value
    return out


def _fsum(values: Any) -> Value:
    values = list(values)
    return math.fsum(values) if values else None


def _known(value: Value) -> float | None:
    return None if value is None or math.isnan(value) else value


def _result(doc: Any, result_type: str) -> list[Any]:
    """data.result of a Prometheus API answer, checked to be a list of the expected type."""
    if not isinstance(doc, dict):
        raise BadAnswer(f"the answer is {_show(doc)}, not a JSON object")
    if doc.get("status") == "error":
        raise HttpError(f"{_show(doc.get('errorType', 'error'))}: {_show(doc.get('error', 'no error text'))}")
    if doc.get("status") != "success":
        raise BadAnswer(f'status {_show(doc.get("status"))}, expected "success"')
    data = doc.get("data")
    if not isinstance(data, dict):
        raise BadAnswer(f"data is {_show(data)}, not an object")
    if data.get("resultType") != result_type:
        raise BadAnswer(f"resultType {_show(data.get('resultType'))} where {result_type!r} was expected")
    result = data.get("result")
    if not isinstance(result, list):
        raise BadAnswer(f"result is {_show(result)}, not a list")
    return result


def _one_line(query: str) -> str:
    return " ".join(query.split())


def _key(series: dict[str, Any]) -> str:
    labels = series.get("metric")
    key = labels.get(promql.QUERY_LABEL, "") if isinstance(labels, dict) else ""
    return key if isinstance(key, str) else ""


def _show(value: Any) -> str:
    """A server-sent value for an error message: short JSON, one line."""
    import json

    from sre_cli.backends.urls import one_line

    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return one_line(text, 80)
