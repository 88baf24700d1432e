"""The recorded path never says more coverage than the raw series have (issue 18, developers' guide:
a report may say "no data", never "ok" for what it did not measure).

The generated rules record zeros where their raw series are missing (`or vector(0)`), so 30 days of
recorded series can stand on 10 days of raw data. A real Prometheus holds exactly that: 10 days of
synth's raw history, and the recorded history of api-availability's rules over 30 days as a live
group would have left it (evaluated over the raw data, zeros before it).
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest
import yaml

from sre_cli import promrun, synth
from sre_cli.report import make_report
from sre_cli.slomath import DAY, MINUTE
from sre_cli.targets.prometheus import rules
from tests.support import rule_history
from tests.support.repo_specs import shared_repo_specs

from .conftest import END

SLO = "api-availability"
RAW_DAYS = 10
PHASE = 30
AT = END - MINUTE + PHASE
STEP = 5 * MINUTE  # the 5m rates tile the window

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus not installed"),
]


@pytest.fixture(scope="module")
def short_raw_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("short-raw")
    data = synth.generate(synth.SynthConfig(end=END, days=RAW_DAYS))
    tsdb = root / "tsdb"
    promrun.backfill_openmetrics(data.save(root / "raw.om"), tsdb)
    groups = [
        g
        for path, text in rules.render(shared_repo_specs()).items()
        if path.endswith(".rules.yaml")
        for g in yaml.safe_load(text)["groups"]
        if g["name"] in (f"slo-{SLO}", f"slo-{SLO}-rollup")  # the SLO window is the rollup group's
    ]
    assert groups, f"no rule group for {SLO}"
    recorded = [r for g in groups for r in g["rules"] if "record" in r]
    base = rule_history.timed_range_read_stages(groups, MINUTE)
    counts = [r for r in recorded if r["record"].startswith("slo:sli_events:")]
    ratios = [r for r in recorded if r["record"].startswith("slo:sli_error:")]
    assert base and counts and ratios
    # Each stage reads what the stages before it recorded: the range-read series over 30 days, each
    # at its group's interval (the rollup's 4m blocks average 1m samples), then the windows' counts
    # and their error ratios at the report's instant.
    for i, stage in enumerate(base):
        out = root / f"base{i}.om"
        with promrun.PrometheusServer([], tsdb) as raw:
            rule_history.write_stage_history(raw.url, stage, AT - 30 * DAY - 10 * MINUTE, AT, out)
        promrun.backfill_openmetrics(out, tsdb)
    for i, stage in enumerate((counts, ratios)):
        out = root / f"stage{i}.om"
        with promrun.PrometheusServer([], tsdb) as raw:
            rule_history.write_recorded_history(raw.url, stage, AT, AT, STEP, out)
        promrun.backfill_openmetrics(out, tsdb)
    with promrun.PrometheusServer([], tsdb) as prom:
        yield prom, data


def test_recorded_series_older_than_the_raw_data_are_not_full_coverage(short_raw_prometheus: Any) -> None:
    from sre_cli.backends.prometheus import PrometheusBackend

    prom, data = short_raw_prometheus
    slo = next(s for s in shared_repo_specs().slos if s.name == SLO)
    backend = PrometheusBackend(prom.url, timeout=60)
    auto = make_report([slo], backend, AT, source="auto").slos[0]
    raw = make_report([slo], backend, AT, source="raw").slos[0]
    # The recorded series cover the whole window: auto reads them...
    assert auto.source == "recorded", (auto.source, auto.coverage)
    # ...but says what the raw series cover, as the raw path does.
    assert raw.coverage.complete is False and raw.status != "ok", raw
    assert auto.coverage.complete is False, auto.coverage
    assert auto.status != "ok", auto.status
    assert auto.coverage.share == pytest.approx(RAW_DAYS / 30, abs=0.01), auto.coverage
    assert auto.coverage.data_since is not None
    # data_since is on the coverage grid (30m for 30d): the first grid point with data.
    assert data.start <= auto.coverage.data_since <= data.start + 30 * MINUTE, (auto.coverage, data.start)
    assert auto.events is not None and raw.events is not None
    assert auto.events.total == pytest.approx(raw.events.total, rel=0.005)
