"""Read SLO event counts from any Prometheus-compatible query API (Prometheus, Thanos, Mimir, AMP).

Every query of a report is evaluated at the same `time=at`, so good and total can never come from
different instants. Queries run in parallel (identical ones once); each request has a timeout and
retries on connection errors and 429/502/503/504.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from typing import Any

import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

from sre_cli.backends import BackendError, Counts, HistoryStep, Measurement, NotCounts, promql, read_counts
from sre_cli.slospec.model import Slo

HISTORY_POINTS = 120  # burn-down chart resolution: 30d -> one point per 6h
RETRY_STATUS = (429, 502, 503, 504)


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
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=0.2,
            status_forcelist=RETRY_STATUS,
            allowed_methods=frozenset({"GET", "POST"}),
            raise_on_status=False,
        )
        session = requests.Session()
        session.hooks["response"].append(_raise_api_error)
        self.client = PrometheusConnect(url=self.url, auth=auth, retry=retry, timeout=timeout, session=session)

    @property
    def where(self) -> str:
        return self.url

    # ---- HTTP ----------------------------------------------------------------------------

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        try:
            return fn(*args, **kwargs)
        except requests.exceptions.Timeout:
            raise BackendError(self.where, f"no answer within {self.timeout:g}s (--timeout)") from None
        except requests.exceptions.ConnectionError as exc:
            # With retries configured, urllib3 reports a read timeout as a connection error.
            if "Read timed out" in str(exc):
                raise BackendError(self.where, f"no answer within {self.timeout:g}s (--timeout)") from None
            raise BackendError(self.where, f"cannot connect ({_root_cause(exc)})") from None
        except requests.exceptions.RetryError as exc:
            raise BackendError(self.where, f"gave up after retries ({_root_cause(exc)})") from None
        except ApiError as exc:
            raise BackendError(self.where, str(exc)) from None
        except PrometheusApiClientException as exc:
            raise BackendError(self.where, _http_error(str(exc))) from None
        except (KeyError, TypeError, ValueError) as exc:
            # HTTP 200 without {"status":"success","data":{"result":...}}: not a Prometheus API.
            raise BackendError(self.where, f"unexpected answer, not a Prometheus query API ({exc!r})") from None
        except requests.exceptions.RequestException as exc:
            raise BackendError(self.where, str(exc)) from None

    def _range(self, query: str, start: float, end: float, step: int) -> dict[str, list[tuple[float, float]]]:
        result = self._call(
            self.client.custom_query_range,
            query,
            start_time=datetime.fromtimestamp(start, UTC),
            end_time=datetime.fromtimestamp(end, UTC),
            step=str(step),
        )
        out: dict[str, list[tuple[float, float]]] = {}
        for s in result:
            points = [(float(t), n) for t, v in s.get("values", []) if (n := _sample_value([t, v])) is not None]
            out[_key(s)] = points
        return out

    # ---- measuring -----------------------------------------------------------------------

    def _scalar(self, query: str, at: float) -> float | None:
        """The value of a query yielding at most one sample (several are summed); None if empty."""
        result = self._call(self.client.custom_query, query, params={"time": f"{at:.3f}"})
        values = [v for s in result if (v := _sample_value(s.get("value"))) is not None]
        return sum(values) if values else None

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

        Identical expressions (SLOs sharing an SLI) are queried once; all queries run in parallel.
        """
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
        values: dict[str, float | None] = {}
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
                    out[name] = dataclasses.replace(out[name], data_since=job.result())
                if history:
                    jobs = {
                        name: pool.submit(self._history, name, plans[name][0], at, m.slo_window)
                        for name, m in out.items()
                        if m.windows.get(m.slo_window) is not None
                    }
                    for name, job in jobs.items():
                        out[name] = dataclasses.replace(out[name], history=job.result())
                        if progress:
                            progress()
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
        return out

    def _assemble(
        self,
        name: str,
        queries: promql.SloQueries,
        seconds: list[int],
        terms: dict[str, str],
        results: dict[str, float | None],
        at: float,
        slo_window: int,
    ) -> Measurement:
        values = {key: results[expr] for key, expr in terms.items()}
        counts: dict[int, Counts | None] = {}
        for s in seconds:
            total = values[f"total:{s}"]
            if total is None:
                counts[s] = None
                continue
            # A sparse numerator (no 5xx ever) has no series at all: that is zero, not unknown.
            num = values[f"num:{s}"] or 0.0
            counts[s] = self._counts(name, queries, num, total, terms[f"num:{s}"], terms[f"total:{s}"])
        step = promql.coverage_step(slo_window)
        n = values["cov_n"]
        coverage = None if n is None else min(n / max(slo_window // step, 1), 1.0)
        return Measurement(
            slo=name,
            unit=queries.unit,  # type: ignore[arg-type]
            at=at,
            slo_window=slo_window,
            windows=counts,
            coverage=coverage if coverage is not None else (0.0 if counts[slo_window] is None else None),
            data_since=None,
            data_at_start=values["cov_start"] is not None,
            coverage_step=step,
        )

    def _history(self, name: str, queries: promql.SloQueries, at: float, slo_window: int) -> tuple[HistoryStep, ...]:
        step = max(slo_window // HISTORY_POINTS, 60)
        series = self._range(promql.history_query(queries, step), at - slo_window + step, at, step)
        nums = dict(series.get("num", []))
        out = []
        for t, total in series.get("total", []):
            counts = self._counts(name, queries, nums.get(t, 0.0), total, *queries.counts(step))
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


class ApiError(RuntimeError):
    """HTTP 200 carrying {"status": "error"} (some proxies and Prometheus-compatible stores do that)."""


def _raise_api_error(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    if response.status_code != 200 or "json" not in response.headers.get("Content-Type", ""):
        return
    try:
        body = response.json()
    except ValueError:
        return
    if isinstance(body, dict) and body.get("status") == "error":
        raise ApiError(f"{body.get('errorType', 'error')}: {body.get('error', 'no error text')}")


def _one_line(query: str) -> str:
    return " ".join(query.split())


def _key(series: dict[str, Any]) -> str:
    return series.get("metric", {}).get(promql.QUERY_LABEL, "")


def _sample_value(value: Any) -> float | None:
    """The number of an API sample `[time, "text"]`; None when missing or not finite."""
    if not value or len(value) != 2:
        return None
    n = float(value[1])
    return None if math.isnan(n) or math.isinf(n) else n


def _root_cause(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Max retries exceeded"):
        if marker in text:
            return marker.lower() if marker != "Max retries exceeded" else "too many failed attempts"
    return text[:200]


def _http_error(text: str) -> str:
    # PrometheusApiClientException("HTTP Status Code 500 (b'...')"): keep the status and the API's error text.
    import json
    import re

    m = re.match(r"HTTP Status Code (\d+) \(b?(['\"])(.*)\2\)$", text, re.S)
    if not m:
        return text[:300]
    status, body = m.group(1), m.group(3)
    with contextlib.suppress(ValueError, AttributeError):
        body = json.loads(body.encode().decode("unicode_escape")).get("error", body)
    return f"HTTP {status}: {str(body).strip()[:300]}"
