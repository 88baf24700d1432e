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

from sre_cli.backends import BackendError, Counts, HistoryStep, Measurement, NotCounts, promql, read_counts
from sre_cli.backends.http import BadAnswer, HttpError, JsonApi
from sre_cli.backends.urls import redact
from sre_cli.slospec.model import Slo

HISTORY_POINTS = 120  # burn-down chart resolution: 30d -> one point per 6h
# Beyond 2^53 a float no longer holds every integer: such a count cannot be exact (and sums of a
# few overflow to inf). No real SLO counts that many events in a window.
MAX_COUNT = 2.0**53

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

    def measure(
        self,
        slos: Sequence[Slo],
        at: float,
        slo_windows: dict[str, int],
        *,
        history: bool = False,
        progress: Callable[[], None] | None = None,
    ) -> dict[str, Measurement]:
        """Measure every SLO at `at`; the first backend failure cancels the rest and raises.

        Identical expressions (SLOs sharing an SLI) are queried once, and so are identical history
        range queries; all queries run in parallel, under one deadline.
        """
        with self.api.run():
            return self._measure(slos, at, slo_windows, history, progress)

    def _measure(
        self,
        slos: Sequence[Slo],
        at: float,
        slo_windows: dict[str, int],
        history: bool,
        progress: Callable[[], None] | None,
    ) -> dict[str, Measurement]:
        plans = {}
        for slo in slos:
            queries = promql.slo_queries(slo)
            window = slo_windows[slo.name]
            seconds = sorted(set(slo.sli_windows) - {slo.window_seconds} | {window})
            plans[slo.name] = (queries, seconds, promql.instant_terms(queries, seconds, window, at))
        waiting: dict[str, set[str]] = {}  # expression -> SLOs waiting for it
        for name, (_, _, terms) in plans.items():
            for expr in terms.values():
                waiting.setdefault(expr, set()).add(name)
        missing = {name: len(set(terms.values())) for name, (_, _, terms) in plans.items()}
        values: dict[str, Value] = {}
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            futures = {pool.submit(self._scalar, expr, at): expr for expr in waiting}
            try:
                for future in as_completed(futures):
                    expr = futures[future]
                    values[expr] = future.result()
                    for name in waiting[expr]:
                        missing[name] -= 1
                        if missing[name] == 0 and progress and not history:
                            progress()
                out = {
                    name: self._assemble(name, queries, seconds, terms, values, at, slo_windows[name])
                    for name, (queries, seconds, terms) in plans.items()
                }
                # The start of the data matters only where the window reaches past it.
                since = {
                    name: pool.submit(self._scalar, promql.data_since_term(plans[name][0], m.slo_window), at)
                    for name, m in out.items()
                    if not m.data_at_start and m.windows.get(m.slo_window) is not None
                }
                for name, job in since.items():
                    out[name] = dataclasses.replace(out[name], data_since=_known(job.result()))
                if history:
                    out = self._with_history(pool, plans, out, at, progress)
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
        return out

    def _with_history(
        self,
        pool: ThreadPoolExecutor,
        plans: dict[str, Any],
        out: dict[str, Measurement],
        at: float,
        progress: Callable[[], None] | None,
    ) -> dict[str, Measurement]:
        """Burn-down history of every SLO with data; SLOs sharing an SLI and window share one range query."""
        jobs: dict[tuple[promql.SloQueries, int], Any] = {}
        wanted = {}
        for name, m in out.items():
            if m.windows.get(m.slo_window) is None:
                continue
            key = (plans[name][0], m.slo_window)
            if key not in jobs:  # named after the first SLO reading it, for error messages
                jobs[key] = pool.submit(self._history, name, key[0], at, key[1])
            wanted[name] = key
        out = dict(out)
        for name, key in wanted.items():
            out[name] = dataclasses.replace(out[name], history=jobs[key].result())
            if progress:
                progress()
        return out

    def _assemble(
        self,
        name: str,
        queries: promql.SloQueries,
        seconds: list[int],
        terms: dict[str, str],
        results: dict[str, Value],
        at: float,
        slo_window: int,
    ) -> Measurement:
        values = {key: results[expr] for key, expr in terms.items()}
        counts: dict[int, Counts | None] = {}
        for s in seconds:
            total, num = values[f"total:{s}"], values[f"num:{s}"]
            if total is None or math.isnan(total) or (num is not None and math.isnan(num)):
                counts[s] = None  # NaN anywhere is no data, never a count
                continue
            # A sparse numerator (no 5xx ever) has no series at all: that is zero, not unknown.
            num = num or 0.0
            counts[s] = self._counts(name, queries, num, total, terms[f"num:{s}"], terms[f"total:{s}"])
        step = promql.coverage_step(slo_window)
        n = _known(values["cov_n"])
        coverage = None if n is None else min(n / max(slo_window // step, 1), 1.0)
        return Measurement(
            slo=name,
            unit=queries.unit,  # type: ignore[arg-type]
            at=at,
            slo_window=slo_window,
            windows=counts,
            coverage=coverage if coverage is not None else (0.0 if counts[slo_window] is None else None),
            data_since=None,
            data_at_start=_known(values["cov_start"]) is not None,
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
