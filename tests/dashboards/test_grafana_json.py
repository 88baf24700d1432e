"""Every generated Grafana dashboard is JSON Grafana 10 imports as written: no deprecated fields,
the fields it requires, and what the SDK's own model reads back unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import promql_parser
import pytest
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as models

from sre_cli import generate
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.prometheus import grafana, rules
from tests.support.many_slos import thousand_slos


@pytest.fixture(scope="module")
def boards(repo_specs: SpecSet) -> dict[str, dict[str, Any]]:
    outputs = generate.render_all(repo_specs)
    found = {p: json.loads(text) for p, text in outputs.items() if p.startswith("dashboards/grafana/")}
    assert sorted(found) == [f"dashboards/grafana/{n}.json" for n in ("api", "batch", "db", "sfn", "slo-overview")]
    return found


def deprecated_fields(value: Any, where: str = "$") -> Iterator[str]:
    """Where a value carries the dashboard `style` Grafana dropped, or an `options` of null."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "style":
                yield f"{where}.style"
            if key == "options" and item is None:
                yield f"{where}.options: null"
            yield from deprecated_fields(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from deprecated_fields(item, f"{where}[{i}]")


def test_the_walk_finds_what_the_sdk_writes_by_itself(repo_specs: SpecSet) -> None:
    # The SDK's own output has both: the check below is not vacuous.
    service, slos = next(iter(rules.prometheus_slos(repo_specs).items()))
    raw = json.loads(JSONEncoder().encode(grafana.service_board(service, slos).build()))
    assert "$.style" in list(deprecated_fields(raw))
    bare = json.loads(JSONEncoder().encode(models.Dashboard(panels=[models.Panel(type_val="stat")])))
    assert "$.panels[0].options: null" in list(deprecated_fields(bare))


def test_no_deprecated_style_and_no_null_options(boards: dict[str, dict[str, Any]]) -> None:
    for path, board in boards.items():
        assert list(deprecated_fields(board)) == [], path


def test_every_panel_has_its_options(boards: dict[str, dict[str, Any]]) -> None:
    for path, board in boards.items():
        for panel in board["panels"]:
            if panel["type"] != "row":
                assert isinstance(panel.get("options"), dict) and panel["options"], (path, panel["title"])


def _overlaps(panels: list[dict[str, Any]]) -> list[tuple[int, int]]:
    cells: dict[tuple[int, int], int] = {}
    clashes = []
    for p in panels:
        g = p["gridPos"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                if (x, y) in cells:
                    clashes.append((cells[(x, y)], p["id"]))
                cells[(x, y)] = p["id"]
    return clashes


def test_dashboards_have_what_grafana_10_requires(boards: dict[str, dict[str, Any]]) -> None:
    uids = set()
    for path, board in boards.items():
        assert isinstance(board["uid"], str) and 1 <= len(board["uid"]) <= grafana.MAX_UID_LENGTH, path
        uids.add(board["uid"])
        assert isinstance(board["schemaVersion"], int) and board["schemaVersion"] >= 36, path
        assert board["title"] and board["panels"], path
        ids = [p["id"] for p in board["panels"]]
        assert all(isinstance(i, int) and i > 0 for i in ids) and len(ids) == len(set(ids)), (path, ids)
        for panel in board["panels"]:
            g = panel["gridPos"]
            assert all(isinstance(g[k], int) for k in "hwxy"), (path, panel["title"])
            assert g["w"] >= 1 and g["h"] >= 1 and g["x"] >= 0 and g["x"] + g["w"] <= 24, (path, panel["title"], g)
            if panel["type"] == "row":
                continue
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            refs = [t["refId"] for t in panel["targets"]]
            assert refs and len(refs) == len(set(refs)), (path, panel["title"])
        assert _overlaps(board["panels"]) == [], path
        variables = {v["name"] for v in board["templating"]["list"]}
        assert variables == {"datasource"}, path
    assert uids == {"slo-api", "slo-batch", "slo-db", "slo-sfn", "slos-overview"}


def test_the_sdk_model_reads_each_dashboard_back_unchanged(boards: dict[str, dict[str, Any]]) -> None:
    for path, board in boards.items():
        back = json.loads(JSONEncoder().encode(models.Dashboard.from_json(board)))
        back.pop("style")  # the model always writes it back
        assert back == board, path


def test_every_query_parses_as_promql(boards: dict[str, dict[str, Any]]) -> None:
    exprs = [t["expr"] for b in boards.values() for p in b["panels"] for t in p.get("targets", [])]
    assert len(exprs) > 50
    for expr in exprs:
        promql_parser.parse(expr)  # raises on anything Prometheus would not parse


def test_the_overview_of_a_thousand_slos_is_one_table(tmp_path: Any) -> None:
    specs = thousand_slos(tmp_path)
    files = grafana.render(specs)
    assert len(files) == 51  # 50 services and the overview
    board = json.loads(files[grafana.OVERVIEW_PATH])
    [table] = board["panels"]
    # The queries read every SLO the rules record: none names one, so they do not grow with the SLOs.
    assert all("slo=" not in t["expr"] for t in table["targets"])
    assert len(files[grafana.OVERVIEW_PATH]) < 50_000
