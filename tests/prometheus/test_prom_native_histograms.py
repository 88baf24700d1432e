"""End to end: a real Prometheus scrapes native histograms (protobuf exposition) and evaluates the
rules `sre generate` writes for `latency.prometheus.native: true`.

The target (tests/support/native_histograms.py) serves one histogram family, schema 0 (bucket
boundaries are powers of 2: (0.125, 0.25], (0.25, 0.5], (0.5, 1]), two handlers with the same
traffic. Every 0.1 s each handler observes, in order of latency:

    97 requests at 0.2 s   in (0.125, 0.25]
     1 request  at 0.28 s  in (0.25, 0.5]
     1 request  at 0.45 s  in (0.25, 0.5]
     1 request  at 0.8 s   in (0.5, 1]

so the exact good fraction is 0.97 at 250 ms and 0.98 at 300 ms. Counts grow in whole ticks, so
every scraped sample, and every rate over any range, holds exactly these proportions.

- 250 ms is a bucket boundary: the recorded SLI must be 0.97 to float precision (1e-9).
- 300 ms lies inside (0.25, 0.5]: histogram_fraction interpolates within that bucket, so it knows
  the fraction only to within the bucket's share of requests (0.02 here): the recorded SLI must be
  within 0.02 of 0.98 (Prometheus 2.42 interpolates linearly: 0.974).

Steady traffic burns 3x (0.03 / 0.01), under both page factors (14.4, 6): no page. A slow spell
(every request at 0.8 s) must fire SLOBurnRatePage. `for` is 0s (`override_for`, as in
test_prom_e2e.py) so the page shows within seconds.
"""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from sre_cli import promrun
from sre_cli.backends import promql
from sre_cli.slospec.load import load
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.prometheus import rules
from tests.support.native_histograms import NativeHistogramTarget, bucket_index, native_histogram_family
from tests.support.rule_files import override_for
from tests.support.rule_history import api_get
from tests.support.spec_table import write_specs

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus not installed"),
]

SCHEMA = 0
# Per tick and handler: (latency in seconds, requests).
STEADY = [(0.2, 97), (0.28, 1), (0.45, 1), (0.8, 1)]
SLOW = [(0.8, 100)]
HANDLERS = ("/a", "/b")
QUIET = "/quiet"  # a handler without requests: its histogram's count stays 0
TICK = 0.1

SPECS = """
metadata: {name: at-boundary, service: t}
spec:
  description: requests within 250ms, per handler
  objective: 99
  indicator:
    groupBy: [handler]
    latency:
      threshold: 250ms
      prometheus: {histogram: 'rq_seconds{job="native"}', native: true}
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: off-boundary, service: t}
spec:
  description: requests within 300ms
  objective: 99
  indicator:
    latency:
      threshold: 300ms
      prometheus: {histogram: 'rq_seconds{job="native"}', native: true}
"""


class _Traffic:
    """Cumulative observations: steady ticks until `slow_down`, slow ticks after."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.slow_since: float | None = None

    def slow_down(self) -> None:
        self.slow_since = time.monotonic()

    def families(self) -> list[Any]:
        now = time.monotonic()
        end_steady = self.slow_since if self.slow_since is not None else now
        ticks = {
            tuple(STEADY): int((end_steady - self.started) / TICK),
            tuple(SLOW): 0 if self.slow_since is None else int((now - self.slow_since) / TICK),
        }
        buckets: dict[int, int] = {}
        total_sum = 0.0
        for shape, n in ticks.items():
            for latency, requests in shape:
                index = math.ceil(math.log2(latency) * 2**SCHEMA)  # the bucket (2^(i-1), 2^i] holding it
                buckets[index] = buckets.get(index, 0) + requests * n
                total_sum += latency * requests * n
        series = [({"handler": h}, buckets, total_sum) for h in HANDLERS] + [({"handler": QUIET}, {}, 0.0)]
        return [native_histogram_family("rq_seconds", series, SCHEMA, zero_threshold=2.0**-128)]


def _query(url: str, expr: str, at: float | None = None) -> list[dict[str, Any]]:
    return api_get(url, "/api/v1/query", {"query": expr, **({} if at is None else {"time": at})})["result"]


def _wait_for(url: str, expr: str, count: int, seconds: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + seconds
    result = _query(url, expr)
    while len(result) < count and time.monotonic() < deadline:
        time.sleep(0.5)
        result = _query(url, expr)
    assert len(result) >= count, f"{expr}: {result} after {seconds:g} s"
    return result


def _sli(slo: str, window: str) -> str:
    return f'1 - slo:sli_error:ratio_rate{window}{{slo="{slo}"}}'


def _assert_raw_counts(url: str, specs: SpecSet) -> None:
    """`sre slo report --source raw` counts: slow over all requests of the last minute, per group."""
    by_name = {slo.name: slo for slo in specs.slos}
    at = time.time()  # every count of one instant, as the report reads them
    queries = promql.slo_queries(by_name["at-boundary"])
    assert queries.numerator_is_bad
    slow_q, total_q = queries.counts(60)
    slow = {r["metric"]["handler"]: float(r["value"][1]) for r in _query(url, slow_q, at)}
    total = {r["metric"]["handler"]: float(r["value"][1]) for r in _query(url, total_q, at)}
    assert set(total) == {*HANDLERS, QUIET} and total[QUIET] == 0
    assert QUIET not in slow  # absent, read as 0 slow requests: never NaN
    for handler in HANDLERS:
        assert total[handler] > 0
        assert slow[handler] / total[handler] == pytest.approx(0.03, abs=1e-9)
    slow_q, total_q = promql.slo_queries(by_name["off-boundary"]).counts(60)
    ((slow_r,), (total_r,)) = _query(url, slow_q, at), _query(url, total_q, at)
    assert abs(1 - float(slow_r["value"][1]) / float(total_r["value"][1]) - 0.98) <= 0.02


def test_bucket_boundaries_of_the_chosen_schema() -> None:
    # The thresholds the module docstring relies on: 250ms is a boundary of schema 0, 300ms is not.
    assert bucket_index(0.25, SCHEMA) == -2
    with pytest.raises(ValueError):
        bucket_index(0.3, SCHEMA)


def test_native_histogram_sli_is_the_exact_fraction_and_a_slow_spell_pages(tmp_path: Path) -> None:
    specs = load([write_specs(tmp_path, SPECS, None)])
    assert specs.ok, specs.errors
    doc = yaml.safe_load(rules.render(specs)[rules.rule_file_path("t")])
    rule_file = tmp_path / "t.rules.yaml"
    rule_file.write_text(yaml.safe_dump(override_for(doc, "0s")))

    traffic = _Traffic()
    with NativeHistogramTarget(traffic.families) as target:
        scrape = {"job_name": "native", "static_configs": [{"targets": [target.address]}]}
        with promrun.PrometheusServer(
            [rule_file],
            tmp_path / "prom",
            scrape_configs=[scrape],
            evaluation_interval="1s",
            scrape_interval="1s",
            extra_args=["--enable-feature=native-histograms"],
        ) as prom:
            url = prom.url
            # Wait until the 5m ratios have events: each handler's, and the ungrouped SLO's.
            events = 'slo:sli_events:count5m{slo=~"at-boundary|off-boundary"} > 0'
            _wait_for(url, events, 3, 60)  # /a, /b and the whole of off-boundary
            time.sleep(2)  # a couple more evaluations, with every rate over several samples
            grouped = {r["metric"]["handler"]: float(r["value"][1]) for r in _query(url, _sli("at-boundary", "5m"))}
            assert grouped == {"/a": pytest.approx(0.97, abs=1e-9), "/b": pytest.approx(0.97, abs=1e-9), QUIET: 1}
            # The 1h window is derived from the recorded 5m rates: still the exact fraction.
            for r in _query(url, _sli("at-boundary", "1h")):
                expected = 1 if r["metric"]["handler"] == QUIET else 0.97
                assert float(r["value"][1]) == pytest.approx(expected, abs=1e-9), r
            # No requests: no slow ones either (histogram_fraction alone would be NaN: 0/0).
            quiet = _query(url, f'slo:sli_bad:rate5m{{slo="at-boundary", handler="{QUIET}"}}')
            assert [float(r["value"][1]) for r in quiet] == [0], quiet
            # The report's raw path (exact counts over a window) on the same series.
            _assert_raw_counts(url, specs)
            (off,) = _query(url, '1 - slo:sli_error:ratio_rate5m{slo="off-boundary"}')
            # Within the share of the threshold's bucket (0.02) of the exact 0.98.
            assert abs(float(off["value"][1]) - 0.98) <= 0.02, off
            page = 'ALERTS{alertname="SLOBurnRatePage", alertstate="firing"}'
            assert _query(url, page) == [], "steady traffic burns 3x: no page"

            traffic.slow_down()
            # Each SLO pages on its own evaluation: wait for the grouped one's pages (both handlers), not any page.
            fired = _wait_for(url, page.replace("}", ', slo="at-boundary"}'), len(HANDLERS), 120)
            assert {r["metric"]["handler"] for r in fired} == set(HANDLERS), fired
    # Prometheus asked for protobuf, the only format a native histogram comes in.
    assert target.accept_headers and all("application/vnd.google.protobuf" in a for a in target.accept_headers)
