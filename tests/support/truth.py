"""Exact event counts over windows of synth's history: the oracle the measured numbers are held to.

A window (at - w, at] holds the steps whose sample lies in it (sre_cli/synth.py explains the grid).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sre_cli.synth import Truth


def _indices(truth: Truth, at: int, window: int) -> range:
    # Steps whose sample time lies in (at - window, at].
    times = truth.times
    step = times[1] - times[0]
    first = math.floor((at - window - times[0]) / step) + 1
    last = math.floor((at - times[0]) / step)
    return range(max(first, 1), min(last, len(times) - 1) + 1)


def window_sum(truth: Truth, name: str, at: int, window: int) -> float:
    values = truth.series[name]
    return float(sum(values[i] for i in _indices(truth, at, window)))


def slices(truth: Truth, name: str, at: int, window: int, good: Callable[[float], bool]) -> tuple[int, int]:
    """(good, all) samples of a gauge in the window."""
    values = truth.series[name]
    idx = _indices(truth, at, window)
    return sum(1 for i in idx if good(values[i])), len(idx)


def slo_events(truth: Truth, slo: str, at: int, window: int) -> tuple[float, float]:
    """(good, total) events — or good/total slices — of the stack's five SLOs."""
    if slo == "api-availability":
        return window_sum(truth, "api_2xx", at, window), window_sum(truth, "api_total", at, window)
    if slo == "api-latency":
        return window_sum(truth, "latency_le_0.3", at, window), window_sum(truth, "latency_count", at, window)
    if slo == "db-errors":
        total = window_sum(truth, "db_ops", at, window)
        return total - window_sum(truth, "db_bad", at, window), total
    if slo == "batch-queue-age":
        good, total = slices(truth, "batch_age", at, window, lambda v: v <= 900)
        return float(good), float(total)
    if slo == "sfn-success":
        return window_sum(truth, "sfn_good", at, window), window_sum(truth, "sfn_total", at, window)
    raise KeyError(slo)


def counter_window(truth: Truth, cumulative: list[float], at: int, window: int) -> float:
    """What a counter written as `cumulative` (one value per step of `truth.times`) counted in the window."""
    idx = _indices(truth, at, window)
    return cumulative[idx[-1]] - cumulative[idx[0] - 1] if idx else 0.0
