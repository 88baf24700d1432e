"""The synthetic history is what several accuracy tests trust: prove it against Prometheus."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from sre_cli import promrun, synth
from sre_cli.slomath import DAY, HOUR, MINUTE
from tests.support.truth import slo_events, window_sum

END = 1_790_000_000 - 1_790_000_000 % MINUTE


@pytest.fixture(scope="module")
def history() -> synth.Synthetic:
    incidents = (synth.Incident(6 * HOUR, HOUR, api_error_rate=0.2, queue_age=2000, sfn_failure_rate=0.3),)
    return synth.generate(synth.SynthConfig(end=END, days=2, incidents=incidents))


def test_truth_windows_are_left_open(history: synth.Synthetic) -> None:
    truth = history.truth
    whole = window_sum(truth, "api_total", END, 2 * DAY)
    halves = window_sum(truth, "api_total", END, DAY) + window_sum(truth, "api_total", END - DAY, DAY)
    assert whole == halves == sum(truth.series["api_total"])
    assert window_sum(truth, "api_total", END, MINUTE) == truth.series["api_total"][-1]


def test_day_night_ratio_and_incident_show(history: synth.Synthetic) -> None:
    truth = history.truth
    per_minute = truth.series["api_total"][1:]
    assert max(per_minute) / min(per_minute) == pytest.approx(10, rel=0.15)
    good, total = slo_events(truth, "api-availability", END - 5 * HOUR, HOUR)
    assert 1 - good / total == pytest.approx(0.2 + synth.BASELINE_4XX, abs=0.01)  # 5xx plus the usual 4xx
    bad_slices = [v for v in truth.series["batch_age"] if v > 900]
    assert 0 < len(bad_slices) < 60


def test_openmetrics_ends_with_eof_and_groups_families(history: synth.Synthetic, tmp_path: Path) -> None:
    text = history.save(tmp_path / "h.om").read_text()
    assert text.endswith("# EOF\n")
    families = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert len(families) == len(set(families))


@pytest.mark.e2e
def test_prometheus_reads_back_the_truth(history: synth.Synthetic, tmp_path: Path) -> None:
    data = tmp_path / "tsdb"
    promrun.backfill_openmetrics(history.save(tmp_path / "h.om"), data)
    with promrun.PrometheusServer(data_dir=data) as prom:
        at = END + 30  # off the sample grid: Prometheus 2.x ranges include their left edge

        def value(expr: str) -> float:
            query = urllib.parse.urlencode({"query": expr, "time": at})
            with urllib.request.urlopen(f"{prom.url}/api/v1/query?{query}", timeout=30) as resp:
                return float(json.load(resp)["data"]["result"][0]["value"][1])

        truth = history.truth
        # Gauges of per-period sums and slices are exact; counters differ only by extrapolation.
        good, total = slo_events(truth, "sfn-success", at, DAY)
        assert value("sum(sum_over_time(aws_states_executions_succeeded_sum[1d]))") == good
        good, total = slo_events(truth, "batch-queue-age", at, DAY)
        assert value("count_over_time((max(aws_batch_oldest_runnable_job_age_seconds) <= 900)[1d:1m])") == good
        assert value("count_over_time(aws_batch_oldest_runnable_job_age_seconds[1d])") == total
        good, total = slo_events(truth, "api-availability", at, DAY)
        assert value('sum(increase(http_requests_total{job="api"}[1d]))') == pytest.approx(total, rel=1e-3)
        good, total = slo_events(truth, "api-latency", at, HOUR)
        assert value('sum(increase(http_request_duration_seconds_bucket{le="0.3"}[1h]))') == pytest.approx(
            good, rel=0.02
        )
