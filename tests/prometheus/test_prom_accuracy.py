"""The SLO-window ratio the rules record is the exact event ratio, on 30 days of day/night traffic.

How the recorded chain is evaluated over backfilled history: the long-window rules read the 5m
rates a live Prometheus records once per evaluation (1m here). The test evaluates exactly that
chain at the end of the history with a 1m subquery in place of the recorded 5m series:
avg_over_time((5m bad rate)[30d:1m]) / avg_over_time((5m total rate)[30d:1m]), the 5m
expressions taken verbatim from the generated rules (`sli.event_rates`). Subqueries align their
steps to multiples of 1m from the epoch, which is when a 1m rule group evaluates, so this is the
value the recording rules would hold; it is compared with synth's exact event counts.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from sre_cli import promrun, synth
from sre_cli.slomath import DAY
from sre_cli.spec import load_or_raise
from sre_cli.targets.prometheus import sli

ROOT = Path(__file__).resolve().parents[2]
END = 1_760_000_000 - 1_760_000_000 % 60
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus not installed"),
]


def _query(url: str, expr: str, at: float) -> float:
    qs = urllib.parse.urlencode({"query": expr, "time": at})
    with urllib.request.urlopen(f"{url}/api/v1/query?{qs}", timeout=120) as resp:
        result = json.load(resp)["data"]["result"]
    assert len(result) == 1, (expr, result)
    return float(result[0]["value"][1])


def test_slo_window_ratio_matches_exact_event_ratio(tmp_path: Path) -> None:
    data = synth.generate(synth.SynthConfig(end=END, days=30, day_night_ratio=10.0))
    assert any(inc.duration and (END - inc.starts_before_end) % DAY > 20 * 3600 for inc in data.config.incidents)
    promrun.backfill_openmetrics(data.save(tmp_path / "history.om"), tmp_path / "prom")
    slos = {s.name: s for s in load_or_raise([ROOT / "slo"]).slos}
    at = END + 30  # off the sample grid: 2.x ranges are closed at both ends
    with promrun.PrometheusServer([], tmp_path / "prom") as prom:
        for name in ("api-availability", "api-latency", "db-errors", "sfn-success"):
            bad, total = sli.event_rates(slos[name])
            window = f"[{30 * DAY}s:1m]"
            recorded = _query(prom.url, f"avg_over_time(({bad}){window}) / avg_over_time(({total}){window})", at)
            good, events = data.truth.slo_events(name, at, 30 * DAY)
            exact = (events - good) / events
            assert exact > 0
            assert abs(recorded - exact) / exact < 0.005, (name, recorded, exact)
