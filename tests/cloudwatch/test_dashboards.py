"""Dashboards: exact PutDashboard requests that pass the validator and show what the alarms evaluate."""

from __future__ import annotations

import json
from typing import Any

from sre_cli import links
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.cloudwatch import dashboards, validator

from .conftest import slo_named


def _bodies(specs: SpecSet) -> dict[str, dict[str, Any]]:
    return {p: json.loads(d["DashboardBody"]) for p, d in dashboards.render_documents(specs).items()}


def test_requests_are_exact_and_valid(specs: SpecSet) -> None:
    docs = dashboards.render_documents(specs)
    assert sorted(docs) == [f"dashboards/cloudwatch/{s}.json" for s in ("api", "batch", "db", "sfn", "slo-overview")]
    for doc in docs.values():
        assert set(doc) == {"DashboardName", "DashboardBody"}
        assert validator.check_dashboard(doc) == []


def test_header_links_runbook_and_dashboard(specs: SpecSet) -> None:
    slo = slo_named(specs, "db-errors")
    header = _bodies(specs)["dashboards/cloudwatch/db.json"]["widgets"][0]
    assert header["type"] == "text"
    assert links.runbook_link(slo, "page") in header["properties"]["markdown"]
    assert links.dashboard_link(slo) in header["properties"]["markdown"]


def test_burn_graphs_annotate_every_tier_factor(specs: SpecSet) -> None:
    slo = slo_named(specs, "api-availability")
    widgets = _bodies(specs)["dashboards/cloudwatch/api.json"]["widgets"]
    graphs = [
        w
        for w in widgets
        if w["properties"].get("view") == "timeSeries" and "api-availability" in w["properties"]["title"]
    ]
    values = sorted(a["value"] for g in graphs for a in g["properties"]["annotations"]["horizontal"])
    assert values == sorted(w.factor(slo.window_seconds) for t in slo.tiers for w in t.windows)


def test_alarm_widget_names_the_generated_composites(specs: SpecSet, documents: dict[str, dict[str, Any]]) -> None:
    widgets = _bodies(specs)["dashboards/cloudwatch/sfn.json"]["widgets"]
    [status] = [w for w in widgets if w["type"] == "alarm"]
    names = {arn.rsplit(":alarm:", 1)[1] for arn in status["properties"]["alarms"]}
    assert names == set(documents["alarms/cloudwatch/sfn.json"]["composite_alarms"])
    assert all(
        # The topics are placeholders, so the region and account are too (filled per environment).
        arn.startswith("arn:aws:cloudwatch:${aws_region}:${aws_account_id}:alarm:")
        for arn in status["properties"]["alarms"]
    )


def test_single_values_span_the_slo_window(specs: SpecSet) -> None:
    widgets = _bodies(specs)["dashboards/cloudwatch/batch.json"]["widgets"]
    singles = [w for w in widgets if w["properties"].get("view") == "singleValue"]
    assert len(singles) == 2
    for w in singles:
        assert w["properties"]["start"] == "-PT720H" and w["properties"]["setPeriodToTimeRange"] is True


def test_widgets_do_not_overlap(specs: SpecSet) -> None:
    for body in _bodies(specs).values():
        cells: set[tuple[int, int]] = set()
        for w in body["widgets"]:
            mine = {(x, y) for x in range(w["x"], w["x"] + w["width"]) for y in range(w["y"], w["y"] + w["height"])}
            assert not cells & mine
            cells |= mine
