"""CloudWatch dashboards: each burn line drawn against its own pair's threshold, and the overview."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sre_cli import slomath
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.cloudwatch import alarms, dashboards, metricmath, sli, validator
from tests.support.many_slos import thousand_slos


def _bodies(specs: SpecSet) -> dict[str, dict[str, Any]]:
    return {p: json.loads(d["DashboardBody"]) for p, d in dashboards.render_documents(specs).items()}


def _options(row: list[Any]) -> dict[str, Any]:
    return row[-1]


def _burn_graphs(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for w in body["widgets"] if w["properties"].get("view") == "timeSeries"]


def _periods(metrics: list[list[Any]], prefix: str) -> set[int]:
    return {_options(r)["period"] for r in metrics if _options(r)["id"].startswith(prefix) and "period" in _options(r)}


def test_each_burn_line_meets_the_threshold_of_its_own_pair(repo_specs: SpecSet) -> None:
    """Issue 14.7: the 5m graph was drawn against the 1h pair's 14.4x line."""
    slos = {s.name: s for s in repo_specs.slos}
    alarm_docs = alarms.render_documents(repo_specs)
    checked = 0
    for path, body in _bodies(repo_specs).items():
        for graph in _burn_graphs(body):
            props = graph["properties"]
            slo = slos[props["title"].split(":")[0]]
            shown = [_options(r) for r in props["metrics"] if _options(r).get("visible")]
            lines = props["annotations"]["horizontal"]
            assert len(shown) == len(lines) >= 1, props["title"]
            for series, line in zip(shown, lines, strict=True):
                assert series["color"] == line["color"]
                # "page 1h/5m: 14.4x" goes with "burn over 1h" (or "burn per 1d (all 3 of 3d)")
                tier, long, short = re.fullmatch(r"(\w+) (\w+)/(\w+): [0-9.]+x", line["label"]).groups()
                assert re.search(rf"(over {long}|of {long}\))$", series["label"]), (series["label"], line["label"])
                child = alarm_docs[path.replace("dashboards/", "alarms/")]["metric_alarms"][
                    f"{slo.name}-{tier}-{long}-{short}-long"
                ]
                assert line["value"] == pytest.approx(child["Threshold"], rel=1e-8)
                periods = _periods(props["metrics"], series["id"].removesuffix("burn"))
                if not sli.is_timeslice(slo):  # the line is what the long-window alarm evaluates
                    assert periods == {m["MetricStat"]["Period"] for m in child["Metrics"] if "MetricStat" in m}
                else:  # the share of bad slices per window (the alarm counts the same slices one by one)
                    assert periods == {sli.event_window(slomath.parse_duration(long)).period}
                checked += 1
    assert checked == sum(len(t.windows) for s in repo_specs.slos for t in s.tiers)


def test_every_expression_names_only_queries_of_its_widget(repo_specs: SpecSet, tmp_path: Path) -> None:
    for specs in (repo_specs, thousand_slos(tmp_path)):
        for path, body in _bodies(specs).items():
            for widget in body["widgets"]:
                rows = widget["properties"].get("metrics", [])
                ids = [_options(r)["id"] for r in rows]
                assert len(ids) == len(set(ids)), path
                for row in rows:
                    if "expression" in _options(row):
                        refs = metricmath.references(metricmath.parse(_options(row)["expression"]))
                        assert refs and refs <= set(ids), (path, _options(row))


def test_the_overview_shows_every_composite_and_every_budget(repo_specs: SpecSet) -> None:
    docs = dashboards.render_documents(repo_specs)
    overview = docs["dashboards/cloudwatch/slo-overview.json"]
    assert overview["DashboardName"] == "sre-slos-overview"
    assert validator.check_dashboard(overview) == []
    body = json.loads(overview["DashboardBody"])
    arns = [a for w in body["widgets"] if w["type"] == "alarm" for a in w["properties"]["alarms"]]
    expected = sorted(n for slo in repo_specs.slos for n in alarms.composite_names(slo))
    assert sorted(a.rsplit(":alarm:", 1)[1] for a in arns) == expected
    assert all(a.startswith("arn:aws:cloudwatch:${aws_region}:${aws_account_id}:alarm:") for a in arns)
    values = [w for w in body["widgets"] if w["properties"].get("view") == "singleValue"]
    labels = sorted(
        _options(r)["label"] for w in values for r in w["properties"]["metrics"] if _options(r).get("visible")
    )
    assert labels == sorted(s.name for s in repo_specs.slos)
    assert {w["properties"]["start"] for w in values} == {f"-PT{30 * 24}H"}
    assert {w["properties"]["region"] for w in values} == {"${aws_region}"}
    # The environment's identities stay placeholders for Terraform to fill.
    assert '"${state_machine_arn}"' in overview["DashboardBody"]


def test_a_thousand_slos_fill_pages_within_cloudwatch_limits(tmp_path: Path) -> None:
    specs = thousand_slos(tmp_path)
    docs = dashboards.render_documents(specs)
    pages = [p for p in docs if "slo-overview" in p]
    assert pages == ["dashboards/cloudwatch/slo-overview.json"] + [
        f"dashboards/cloudwatch/slo-overview-{k}.json" for k in range(2, 6)
    ]
    assert [docs[p]["DashboardName"] for p in pages] == ["sre-slos-overview"] + [
        f"sre-slos-overview-{k}" for k in range(2, 6)
    ]
    shown = []
    for path in pages:
        assert validator.check_dashboard(docs[path]) == [], path  # sizes, widget and alarm counts
        body = json.loads(docs[path]["DashboardBody"])
        shown += [a for w in body["widgets"] if w["type"] == "alarm" for a in w["properties"]["alarms"]]
    assert len(shown) == len(set(shown)) == sum(len(alarms.composite_names(s)) for s in specs.slos) > 5000
