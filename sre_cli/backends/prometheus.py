"""Read SLO event counts from any Prometheus-compatible query API (Prometheus, Thanos, Mimir, AMP).

One instant query per SLO carries every window's counts and the coverage, all evaluated at the
same `time=at`, so good and total can never come from different instants. SLOs are queried in
parallel; each request has a timeout and retries on connection errors and 429/502/503/504.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

from sre_cli.backends import BackendError, Counts, HistoryStep, Measurement, promql
from sre_cli.spec import Slo

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

    def _instant(self, query: str, at: float) -> dict[str, float]:
        result = self._call(self.client.custom_query, query, params={"time": f"{at:.3f}"})
        return {_key(s): v for s in result if (v := _number(s.get("value"))) is not None}

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
            points = [(float(t), n) for t, v in s.get("values", []) if (n := _number([t, v])) is not None]
            out[_key(s)] = points
        return out

    # ---- measuring -----------------------------------------------------------------------

    def measure_one(self, slo: Slo, at: float, slo_window: int, history: bool = False) -> Measurement:
        queries = promql.slo_queries(slo)
        seconds = sorted(set(slo.sli_windows) - {slo.window_seconds} | {slo_window})
        values = self._instant(promql.instant_query(queries, seconds, slo_window, at), at)
        counts: dict[int, Counts | None] = {}
        for s in seconds:
            total = values.get(f"total:{s}")
            if total is None:
                counts[s] = None
                continue
            # A sparse numerator (no 5xx ever) has no series at all: that is zero, not unknown.
            num = values.get(f"num:{s}", 0.0)
            good = total - num if queries.numerator_is_bad else num
            counts[s] = Counts(good=good, total=total)
        step = promql.coverage_step(slo_window)
        n = values.get("cov_n")
        coverage = None if n is None else min(n / max(slo_window // step, 1), 1.0)
        steps: tuple[HistoryStep, ...] = ()
        if history and counts.get(slo_window) is not None:
            steps = self._history(queries, at, slo_window)
        return Measurement(
            slo=slo.name,
            unit=queries.unit,  # type: ignore[arg-type]
            at=at,
            slo_window=slo_window,
            windows=counts,
            coverage=coverage if coverage is not None else (0.0 if counts[slo_window] is None else None),
            data_since=values.get("cov_since"),
            data_at_start="cov_start" in values,
            coverage_step=step,
            history=steps,
        )

    def _history(self, queries: promql.SloQueries, at: float, slo_window: int) -> tuple[HistoryStep, ...]:
        step = max(slo_window // HISTORY_POINTS, 60)
        series = self._range(promql.history_query(queries, step), at - slo_window + step, at, step)
        nums = dict(series.get("num", []))
        out = []
        for t, total in series.get("total", []):
            num = nums.get(t, 0.0)
            out.append(HistoryStep(t, total - num if queries.numerator_is_bad else num, total))
        return tuple(out)

    def measure(
        self,
        slos: Sequence[Slo],
        at: float,
        slo_windows: dict[str, int],
        *,
        history: bool = False,
        progress: Callable[[], None] | None = None,
    ) -> dict[str, Measurement]:
        """Measure every SLO at `at`; the first backend failure cancels the rest and raises."""

        def one(slo: Slo) -> Measurement:
            m = self.measure_one(slo, at, slo_windows[slo.name], history)
            if progress:
                progress()
            return m

        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(slos)))) as pool:
            futures = [pool.submit(one, s) for s in slos]
            try:
                return {f.result().slo: f.result() for f in futures}
            except BaseException:
                for f in futures:
                    f.cancel()
                raise


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


def _key(series: dict[str, Any]) -> str:
    return series.get("metric", {}).get(promql.QUERY_LABEL, "")


def _number(value: Any) -> float | None:
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
