"""A grouped SLO's SLO-window ratio is each group's exact event ratio, on 30 days of history.

Issue 15: `slo:sli_error:ratio_rate30d` of `groupBy: [handler]`, as the generated rules record it
on a real Prometheus, is within 0.5% (relative) of the exact ratio of every handler, and so is
its event count. The pipeline is test_prom_accuracy's (its docstring explains it): synth's 30
days of `http_requests_total` for ten handlers, backfilled; the range-read base series recorded
over the history with query_range and backfilled, in stages (a grouped SLO's bad rate falls back
to its recorded total, so the total is recorded first; the rollup group's 4m blocks, which the 30d
window reads, last: `rule_history.timed_range_read_stages`); then a Prometheus with the generated
rule file evaluates the 30d window once.

Handlers differ: synth draws each handler's traffic independently, and one of them, /v1/h3, gets
a 2-day error burst of its own (half of its 2xx answers turned into 5xx), which makes its 30d
ratio several times the others'. Merged groups, or one handler's events counted under another, would
miss by far more than the tolerance; the test asserts the burst shows.

The history and its exact counts: tests/support/grouped_history.py.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml

from sre_cli import promrun, synth
from sre_cli.slomath import DAY, MINUTE
from tests.prometheus.test_prom_accuracy import PHASE, STEP, TOLERANCE, relative_error, wait_first_evaluations
from tests.support import rule_history
from tests.support.grouped_history import exact_by_handler, with_error_burst
from tests.support.spec_table import generate

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus not installed"),
]

HANDLERS = tuple(f"/v1/h{i}" for i in range(10))
BURST_HANDLER = "/v1/h3"
BURST_SHARE = 0.5  # of the handler's 2xx answers, turned into 5xx
BURST_DAYS = 2
SPEC = """
metadata: {name: g, service: t}
spec:
  description: API requests answered with a 2xx, per handler.
  objective: 99.9
  indicator:
    groupBy: [handler]
    ratio:
      prometheus:
        good: http_requests_total{job="api",status="2xx"}
        total: http_requests_total{job="api"}
"""


def _first_samples(url: str, record: str) -> dict[str, tuple[float, float]]:
    """Per handler, (timestamp, value) of the first sample the live group recorded."""
    result = rule_history.api_get(url, "/api/v1/query", {"query": f'{record}{{slo="g"}}[1h]'})["result"]
    return {r["metric"]["handler"]: tuple(map(float, r["values"][0])) for r in result}


def test_every_groups_30d_ratio_matches_its_exact_event_ratio(tmp_path: Path) -> None:
    now = int(time.time())
    end = now - now % MINUTE - MINUTE
    generated_data = synth.generate(synth.SynthConfig(end=end, days=30, day_night_ratio=10.0, handlers=HANDLERS))
    # Only the request counters (what the SLI reads), with /v1/h3's own error burst 10 days back.
    data = with_error_burst(generated_data, BURST_HANDLER, BURST_SHARE, BURST_DAYS, requests_only=True)
    generated = generate(tmp_path / "spec", SPEC)
    assert generated.exit_code == 0, generated.output
    rule_file = generated.out / "alarms/prometheus/t.rules.yaml"
    groups = yaml.safe_load(rule_file.read_text())["groups"]

    tsdb = tmp_path / "tsdb"
    raw_om = data.save(tmp_path / "raw.om")
    promrun.backfill_openmetrics(raw_om, tsdb)
    raw_om.unlink()
    # Each rule at its own group's interval: the 30d window reads the rollup group's 4m blocks.
    stages = rule_history.timed_range_read_stages(groups, STEP)
    records = [[rule["record"] for rule, _ in stage] for stage in stages]
    assert records[0] == ["slo:sli_total:rate5m"], records
    assert sorted(name for stage in records for name in stage) == sorted(
        ["slo:sli_total:rate5m", "slo:sli_bad:rate5m", "slo:sli_total:rate5m_avg4m", "slo:sli_bad:rate5m_avg4m"]
    ), records
    samples = 0
    recorded_om = tmp_path / "recorded.om"
    for stage in stages:
        with promrun.PrometheusServer([], tsdb) as raw:  # restarted: it reads the stage backfilled before
            samples += rule_history.write_stage_history(raw.url, stage, data.start + PHASE, end + PHASE, recorded_om)
        promrun.backfill_openmetrics(recorded_om, tsdb)
        recorded_om.unlink()
    assert samples >= 2 * len(HANDLERS) * 30 * DAY // STEP

    with promrun.PrometheusServer([rule_file], tsdb) as prom:
        wait_first_evaluations(prom.url, {g["name"] for g in groups})
        ratios = _first_samples(prom.url, "slo:sli_error:ratio_rate30d")
        counts = _first_samples(prom.url, "slo:sli_events:count30d")
    assert sorted(ratios) == sorted(counts) == sorted(HANDLERS)
    (at,) = {ts for ts, _ in ratios.values()}
    exact = exact_by_handler(data, int(at))
    print("\nper handler, relative error of the 30d ratio | event count (exact ratio):")
    for handler in HANDLERS:
        bad, total = exact[handler]
        print(
            f"  {handler:<8} {relative_error(ratios[handler][1], bad / total) * 100:8.4f}% | "
            f"{relative_error(counts[handler][1], total) * 100:8.4f}%  ({bad / total:.6f})"
        )
    assert end < at < end + 15 * MINUTE, at - end
    for handler in HANDLERS:
        bad, total = exact[handler]
        assert relative_error(ratios[handler][1], bad / total) < TOLERANCE, (handler, ratios[handler], bad / total)
        assert relative_error(counts[handler][1], total) < TOLERANCE, (handler, counts[handler], total)
    # The burst is /v1/h3's alone: its ratio stands out, the others' stay apart from it.
    others = max(bad / total for h, (bad, total) in exact.items() if h != BURST_HANDLER)
    assert ratios[BURST_HANDLER][1] > 2 * others, (ratios[BURST_HANDLER], others)
