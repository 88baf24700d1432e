"""Synth's request history with one handler's own error burst, and its exact per-handler counts.

A grouped SLO (`groupBy: [handler]`) over `http_requests_total{job="api"}` is only tested when its
groups differ: synth draws each handler's traffic independently, and `with_error_burst` turns a
share of one handler's 2xx answers into 5xx over a few days, so that handler's ratio stands out.
Merged groups, or one handler's events counted under another, then miss by far more than any
tolerance. `exact_by_handler` is the oracle: the differences of the counters as synth wrote them.
"""

from __future__ import annotations

import itertools

from sre_cli import synth
from sre_cli.slomath import DAY
from tests.support.truth import counter_window

Counters = list[tuple[str, list[float]]]


def request_counters(data: synth.Synthetic) -> Counters:
    """synth's `http_requests_total` series: (sample labels, cumulative values)."""
    [(_, _, series)] = [f for f in data._families if f[0] == "http_requests"]
    return series


def with_error_burst(
    data: synth.Synthetic, handler: str, share: float, days: int, days_back: int = 10, requests_only: bool = False
) -> synth.Synthetic:
    """`data` with `share` of `handler`'s 2xx answers turned into 5xx for `days`, starting
    `days_back` days before the end; `requests_only` keeps only the request counters."""
    counters = request_counters(data)
    [ok] = [values for text, values in counters if f'handler="{handler}"' in text and 'status="2xx"' in text]
    step = data.truth.times[1] - data.truth.times[0]
    first = len(data.truth.times) - days_back * DAY // step
    moved, acc = [], 0.0
    for i in range(len(ok)):
        if first <= i < first + days * DAY // step:
            acc += float(int(share * (ok[i] - ok[i - 1])))
        moved.append(acc)
    burst = []
    for text, values in counters:
        if f'handler="{handler}"' in text and 'status="2xx"' in text:
            values = [v - m for v, m in zip(values, moved, strict=True)]
        elif f'handler="{handler}"' in text and 'status="5xx"' in text:
            values = [v + m for v, m in zip(values, moved, strict=True)]
        burst.append((text, values))
    assert all(b >= a for _, v in burst for a, b in itertools.pairwise(v)), "a counter went down"
    families = [("http_requests", "counter", burst)]
    if not requests_only:
        families = [f if f[0] != "http_requests" else families[0] for f in data._families]
    return synth.Synthetic(data.config, data.start, data.end, data.truth, families)


def exact_by_handler(data: synth.Synthetic, at: int, window: int = 30 * DAY) -> dict[str, tuple[float, float]]:
    """(bad, all) requests per handler in (at - window, at]: bad is every answer but a 2xx."""
    out: dict[str, tuple[float, float]] = {}
    for text, values in request_counters(data):
        handler = text.split('handler="')[1].split('"')[0]
        events = counter_window(data.truth, values, at, window)
        bad, total = out.get(handler, (0.0, 0.0))
        out[handler] = (bad + (0.0 if 'status="2xx"' in text else events), total + events)
    return out
