"""Every query of every generated Grafana panel, run as Grafana runs it on a real Prometheus.

The Prometheus holds a day of synth's raw series and the history of every recorded series the
generated rules write, as a live rule group would have left it: the recording rules are evaluated
over the day with query_range (`tests.support.rule_history`) stage by stage (a rule that reads
recorded series waits for the stage that records them) and backfilled, and the server then runs
with the generated rule files loaded. One firing page alert of sfn-success is backfilled into
`ALERTS` for the overview. Time series panels are asked with query_range over the last hours,
the overview table with instant queries, at the end of the history: each must answer with data.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from sre_cli import promrun, synth
from sre_cli.slomath import HOUR, MINUTE
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.prometheus import grafana, naming, rules
from tests.support import rule_history

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus not installed"),
]

PHASE = 30  # recorded samples sit off the raw minute grid, as a live group's usually do
RANGE = 6 * HOUR  # what the time series panels are asked for
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def record_stages(groups: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The recording rules in stages: each reads only raw series and series of earlier stages."""
    records = [r for g in groups for r in g["rules"] if "record" in r]
    names = {r["record"] for r in records}
    stage: dict[str, int] = {}
    while len(stage) < len(names):
        for rule in records:
            reads = set(_NAME.findall(rule["expr"])) & names - {rule["record"]}
            if rule["record"] not in stage and reads <= set(stage):
                stage[rule["record"]] = 1 + max((stage[n] for n in reads), default=0)
    return [[r for r in records if stage[r["record"]] == k] for k in range(1, max(stage.values()) + 1)]


def firing_page(end: int) -> str:
    labels = 'alertname="SLOBurnRatePage",alertstate="firing",service="sfn",severity="page",slo="sfn-success"'
    lines = [f"ALERTS{{{labels}}} 1 {t}\n" for t in range(end - 10 * MINUTE, end + 1, MINUTE)]
    return "# TYPE ALERTS gauge\n" + "".join(lines) + "# EOF\n"


FIXED_END = 1_764_000_000 - 1_764_000_000 % MINUTE  # 2025-11-24T16:00Z


@pytest.fixture(scope="module")
def prometheus(repo_specs: SpecSet, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("grafana-prom")
    # A fixed instant: the burn-down's agreement with the recorded budget depends on where the day's
    # traffic swing falls against the hour, so a clock-dependent end made the test pass or fail by the hour.
    end = FIXED_END
    data = synth.generate(synth.SynthConfig(end=end, days=1))
    tsdb = tmp / "tsdb"
    promrun.backfill_openmetrics(data.save(tmp / "raw.om"), tsdb)
    rule_files, groups = [], []
    for path, text in sorted(rules.render(repo_specs).items()):
        if path.endswith(".rules.yaml"):
            rule_files.append(tmp / Path(path).name)
            rule_files[-1].write_text(text, encoding="utf-8")
            groups += yaml.safe_load(text)["groups"]
    for i, stage in enumerate(record_stages(groups)):
        recorded = tmp / f"stage{i}.om"
        with promrun.PrometheusServer([], tsdb) as raw:
            rule_history.write_recorded_history(raw.url, stage, data.start + PHASE, end + PHASE, MINUTE, recorded)
        promrun.backfill_openmetrics(recorded, tsdb)
    promrun.backfill_openmetrics(firing_page(end + PHASE), tsdb)
    with promrun.PrometheusServer(rule_files, tsdb) as prom:
        yield prom.url, end + PHASE, data.start


def _targets(board: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(p["title"], t) for p in board["panels"] for t in p.get("targets", [])]


def _boards(repo_specs: SpecSet) -> dict[str, dict[str, Any]]:
    return {path: json.loads(text) for path, text in grafana.render(repo_specs).items()}


def test_every_panel_query_answers_with_data(prometheus: tuple[str, int, int], repo_specs: SpecSet) -> None:
    url, at, _ = prometheus
    empty = []
    asked = 0
    for path, board in _boards(repo_specs).items():
        for title, target in _targets(board):
            asked += 1
            if target.get("instant"):
                result = rule_history.api_get(url, "/api/v1/query", {"query": target["expr"], "time": at})["result"]
            else:
                params = {"query": target["expr"], "start": at - RANGE, "end": at, "step": 600}
                result = rule_history.api_get(url, "/api/v1/query_range", params)["result"]
            if not result:
                empty.append(f"{path}: {title} {target['refId']}: {target['expr']}")
    assert asked > 50
    assert not empty, "\n".join(empty)


def _overview_rows(url: str, at: int, repo_specs: SpecSet) -> dict[str, dict[str, float]]:
    board = _boards(repo_specs)[grafana.OVERVIEW_PATH]
    rows: dict[str, dict[str, float]] = {}
    for _, target in _targets(board):
        for series in rule_history.api_get(url, "/api/v1/query", {"query": target["expr"], "time": at})["result"]:
            assert set(series["metric"]) == {"service", "slo"}, (target["refId"], series["metric"])  # joinable
            rows.setdefault(series["metric"]["slo"], {})[target["refId"]] = float(series["value"][1])
    return rows


def test_the_overview_has_one_row_per_slo_and_ranks_the_paging_one_first(
    prometheus: tuple[str, int, int], repo_specs: SpecSet
) -> None:
    url, at, _ = prometheus
    rows = _overview_rows(url, at, repo_specs)
    assert sorted(rows) == sorted(s.name for s in repo_specs.slos)
    for slo in repo_specs.slos:
        row = rows[slo.name]
        assert row["objective"] == pytest.approx(slo.objective)
        remaining = row["budget_left"]
        assert row["sli"] == pytest.approx(1 - (1 - remaining) * (1 - slo.objective), abs=1e-12)
    assert rows["sfn-success"]["firing"] == 1 and rows["sfn-success"]["status"] == 4  # the backfilled page
    assert all(row["firing"] == 0 and row["status"] < 4 for name, row in rows.items() if name != "sfn-success")


def _value(url: str, expr: str, at: int) -> float:
    [series] = rule_history.api_get(url, "/api/v1/query", {"query": expr, "time": at})["result"]
    return float(series["value"][1])


def test_the_burn_down_ends_at_the_budget_left_and_the_ideal_line_at_zero(
    prometheus: tuple[str, int, int], repo_specs: SpecSet
) -> None:
    url, at, start = prometheus
    # The burn-down adds whole hours (subquery steps fall on the hour): asked on the hour, it has
    # every bad event up to then, as the recorded budget left has.
    hour = at - at % HOUR
    for slo in repo_specs.slos:
        down = _value(url, grafana.burn_down_expr(slo), hour)
        left = _value(url, naming.selector(naming.BUDGET_REMAINING, slo), hour)
        # The history is part of the window, and the rules' window counts are the average rate
        # times the window: the allowance is that of a whole window at the history's traffic, so
        # the burn-down has spent the history's share of what the recorded ratio spends.
        consumed = (1 - left) * (hour - start) / slo.window_seconds
        assert 1 - down == pytest.approx(consumed, rel=0.02, abs=1e-5), (slo.name, down, left)
        assert abs(_value(url, grafana.ideal_burn_expr(slo), hour)) <= 2 * MINUTE / slo.window_seconds
