"""Grouped SLOs in `sre slo report`: one row per group, the SLO's line the whole, maxGroups.

The model and renderers are driven with exact measurements; the CloudWatch backend and the CLI
with a moto server holding one datapoint per hour and handler (a grouped spec enumerating
`cloudwatch.groups`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from sre_cli.backends import Counts, Measurement
from sre_cli.backends.cloudwatch import CloudWatchBackend
from sre_cli.cli import cli
from sre_cli.report import make_report, render
from sre_cli.report.model import GroupView, Report, build
from sre_cli.report.render_json import document, rounded
from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import Slo
from tests.support.moto_server import use_fake_credentials

from .conftest import END

REGION = "us-east-1"
HANDLERS = ("/a", "/b", "/c", "/d")
# Per hour and handler, over the last two days: (total, bad). /c never has traffic.
TRAFFIC = {"/a": (100.0, 1.0), "/b": (1000.0, 0.0), "/d": (10.0, 5.0)}
HOURS = 48
SPEC = """\
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: checkout, service: shop}
spec:
  description: Checkout requests succeed, per handler.
  objective: 99
  window: 30d
  indicator:
    groupBy: [handler]
    maxGroups: 4
    ratio:
      prometheus:
        bad: http_requests_total{code=~"5.."}
        total: http_requests_total
      cloudwatch:
        bad: [{namespace: Shop, metricName: Errors, dimensions: {Service: shop}}]
        total: [{namespace: Shop, metricName: Requests, dimensions: {Service: shop}}]
        groups:
          handler: {dimension: Handler, values: ["/a", "/b", "/c", "/d"]}
"""


@pytest.fixture(scope="module")
def spec_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("grouped")
    (root / "checkout.yaml").write_text(SPEC)
    return root


@pytest.fixture(scope="module")
def slo(spec_dir: Path) -> Slo:
    """The spec with maxGroups 3 (CloudWatch enumerates at most maxGroups; Prometheus finds more groups)."""
    return dataclasses.replace(load_or_raise([spec_dir]).slos[0], max_groups=3)


# ---- the model: one row per group, exact numbers -------------------------------------------


def measured(slo: Slo, good: float, total: float, group: dict[str, str] | None = None) -> Measurement:
    """Every window of `slo` holding the same counts (None without events), fully covered."""
    counts = Counts(good, total) if total else None
    windows = {w: counts for w in (*slo.sli_windows, slo.window_seconds)}
    return Measurement(
        slo=slo.name,
        unit="events",
        at=float(END),
        slo_window=slo.window_seconds,
        windows=windows,
        coverage=1.0 if total else None,
        data_since=None,
        coverage_step=3600,
        data_at_start=bool(total),
        group=group or {},
    )


# handler, good, total -> SLI, budget remaining, status (objective 99 %: 1 % of events may fail)
GROUP_ROWS = [
    ("/a", 990.0, 1000.0, 0.99, 0.0, "alerting"),  # on the objective: a burn rate of 1 tickets
    ("/b", 9999.0, 10000.0, 0.9999, 0.99, "ok"),
    ("/c", 0.0, 0.0, None, None, "no_data"),  # never says ok for what was not measured
    ("/d", 900.0, 1000.0, 0.9, -9.0, "breached"),
]


@pytest.fixture(scope="module")
def grouped_report(slo: Slo) -> Report:
    groups = tuple(measured(slo, g, t, {"handler": h}) for h, g, t, *_ in GROUP_ROWS)
    whole = measured(slo, sum(r[1] for r in GROUP_ROWS), sum(r[2] for r in GROUP_ROWS))
    return Report(
        at=END, backend="test", source="here", slos=(build(slo, Measurement(**{**whole.__dict__, "groups": groups})),)
    )


@pytest.mark.parametrize(("handler", "good", "total", "sli", "remaining", "status"), GROUP_ROWS)
def test_each_group_is_its_own_slo(
    grouped_report: Report, handler: str, good: float, total: float, sli, remaining, status: str
) -> None:
    s = grouped_report.slos[0]
    row = next(g for g in s.groups if g.group == {"handler": handler})
    assert row.name == "checkout" and row.label == f'checkout{{handler="{handler}"}}'
    assert row.sli == (pytest.approx(sli, abs=1e-12) if sli is not None else None)
    assert row.remaining == (pytest.approx(remaining, abs=1e-9) if remaining is not None else None)
    assert row.status == status
    assert row.events == (Counts(good, total) if total else None)


def test_the_slos_line_is_the_whole_event_weighted(grouped_report: Report) -> None:
    s = grouped_report.slos[0]
    assert s.group == {} and s.group_by == ("handler",) and s.max_groups == 3 and len(s.groups) == 4
    # 11,889 good of 12,000: the busy /b weighs ten times /a, not the mean of the groups' SLIs (0.963).
    assert s.sli == pytest.approx(11889 / 12000, abs=1e-12)
    assert s.remaining == pytest.approx(1 - 111 / 120, abs=1e-12)
    assert s.status == "at_risk"


def test_fail_on_judges_every_group_and_names_it(grouped_report: Report) -> None:
    assert grouped_report.failing("breach") == ['checkout{handler="/d"}']
    assert grouped_report.failing("at_risk") == ["checkout", 'checkout{handler="/a"}', 'checkout{handler="/d"}']
    assert grouped_report.unjudged("breach") == ['checkout{handler="/c"}']
    assert grouped_report.unjudged("no_data") == []


@pytest.mark.parametrize(
    ("view", "rows", "note"),
    [
        # maxGroups 3 of 4 groups: the three in the most trouble (status order), never more without --all
        (GroupView(), ["/d", "/a", "/c"], "4 groups, more than maxGroups 3: showing the 3 in the most trouble; --all"),
        (GroupView(show_all=True), ["/d", "/a", "/c", "/b"], ""),
        # the least budget left first; a group without events has no budget to rank: last
        (GroupView(worst=2), ["/d", "/a"], "showing the 2 groups with the least budget left of 4 (--group-by-worst 2)"),
        (GroupView(worst=4), ["/d", "/a", "/b"], "--group-by-worst 4 asks for more than maxGroups 3"),
        (GroupView(worst=9, show_all=True), ["/d", "/a", "/b", "/c"], ""),
    ],
)
def test_group_rows_printed(grouped_report: Report, view: GroupView, rows: list[str], note: str) -> None:
    shown = view.rows(grouped_report.slos[0])
    assert [g.group["handler"] for g in shown.rows] == rows
    assert shown.total == 4 and shown.hidden == 4 - len(rows)
    assert note in shown.note and bool(shown.note) == bool(note)


# ---- rendering: the group's labels on every row, in every format ---------------------------


def test_json_has_every_printed_group_row_with_its_labels(grouped_report: Report) -> None:
    doc = json.loads(render(grouped_report, "json"))
    whole = doc["slos"][0]
    assert whole["group"] == {} and whole["group_by"] == ["handler"] and whole["groups_total"] == 4
    assert "more than maxGroups 3" in whole["groups_note"]
    assert [g["group"] for g in whole["groups"]] == [{"handler": h} for h in ("/d", "/a", "/c")]
    d = whole["groups"][0]
    assert d["status"] == "breached" and d["events"] == {"unit": "events", "good": 900.0, "total": 1000.0}
    assert d["error_budget"]["remaining"] == -9.0 and d["groups"] == [] and d["groups_total"] == 0
    assert whole["events"]["good"] == 11889.0 and whole["status"] == "at_risk"
    every = json.loads(render(dataclasses.replace(grouped_report, group_view=GroupView(show_all=True)), "json"))
    assert len(every["slos"][0]["groups"]) == 4 and every["slos"][0]["groups_note"] is None


def test_streamed_json_is_the_document(grouped_report: Report) -> None:
    assert render(grouped_report, "json") == json.dumps(rounded(document(grouped_report)), indent=2) + "\n"
    empty = Report(at=END, backend="test", source="here", slos=())
    assert json.loads(render(empty, "json"))["slos"] == []


def test_table_markdown_and_html_rows_carry_the_group_labels(grouped_report: Report) -> None:
    table = render(grouped_report, "table", color=False, width=200)
    assert "checkout (30d) · 4 groups" in table
    for handler in ("/d", "/a", "/c"):
        assert f'└ {{handler="{handler}"}}' in table
    assert '{handler="/b"}' not in table
    assert "groups left out: checkout: 4 groups, more than maxGroups 3" in " ".join(table.split())
    assert "event-weighted" in table
    md = render(grouped_report, "markdown")
    assert '| └ {handler="/d"} | 🔴 breached | -900.0% |' in md
    assert '/b"}' not in md and "event-weighted" in md
    html = render(grouped_report, "html")
    assert '<tr class="row-breached group"><td>└ {handler=&quot;/d&quot;}</td>' in html
    assert "handler=&quot;/b&quot;" not in html and "4 by handler" in html and "event-weighted" in html


def test_group_label_values_are_data_in_every_format(slo: Slo) -> None:
    nasty = '<b>|`x`\n"q"'
    report = Report(
        at=END,
        backend="test",
        source="here",
        slos=(
            build(
                slo,
                Measurement(**{**measured(slo, 9, 10).__dict__, "groups": (measured(slo, 9, 10, {"handler": nasty}),)}),
            ),
        ),
    )
    assert json.loads(render(report, "json"))["slos"][0]["groups"][0]["group"] == {"handler": nasty}
    html = render(report, "html")
    assert "<b>" not in html and "&lt;b&gt;" in html
    md = render(report, "markdown")
    row = next(line for line in md.splitlines() if line.startswith("| └"))
    assert row.count("|") - row.count("\\|") == 12  # the value's `|` does not split the row
    assert "\\`x\\`" in row and "\n" not in row
    table = render(report, "table", color=False, width=200)
    assert '└ {handler="<b>|`x`\\n\\"q\\""}' in table


# ---- CloudWatch: each enumerated handler measured, the whole their sum ----------------------


@pytest.fixture(scope="module")
def seeded(moto_url: str) -> Iterator[str]:
    mp = pytest.MonkeyPatch()
    use_fake_credentials(mp)
    client = boto3.client("cloudwatch", region_name=REGION, endpoint_url=moto_url)
    data = []
    for handler, (total, bad) in TRAFFIC.items():
        for k in range(1, HOURS + 1):
            t = datetime.fromtimestamp(END - 3600 * k, UTC)
            dims = [{"Name": "Handler", "Value": handler}, {"Name": "Service", "Value": "shop"}]
            data.append({"MetricName": "Requests", "Dimensions": dims, "Timestamp": t, "Value": total})
            data.append({"MetricName": "Errors", "Dimensions": dims, "Timestamp": t, "Value": bad})
    for i in range(0, len(data), 500):
        client.put_metric_data(Namespace="Shop", MetricData=data[i : i + 500])
    yield moto_url
    mp.undo()


def test_cloudwatch_measures_every_enumerated_group_and_sums_the_whole(seeded: str, slo: Slo) -> None:
    report = make_report([slo], CloudWatchBackend(REGION, endpoint_url=seeded, timeout=600), END)
    s = report.slos[0]
    by_handler = {g.group["handler"]: g for g in s.groups}
    assert list(by_handler) == list(HANDLERS)
    for handler, (total, bad) in TRAFFIC.items():
        g = by_handler[handler]
        assert g.events == Counts(HOURS * (total - bad), HOURS * total), handler
        assert g.burn_rates["1d"] == pytest.approx(bad / total / 0.01), handler
        assert g.status != "ok"  # two days of a 30d window: never ok
    assert by_handler["/d"].status == "breached"
    assert by_handler["/c"].status == "no_data" and by_handler["/c"].events is None
    totals = sum(t for t, _ in TRAFFIC.values()) * HOURS
    bads = sum(b for _, b in TRAFFIC.values()) * HOURS
    assert s.events == Counts(totals - bads, totals)
    assert s.coverage.data_since == END - HOURS * 3600 and not s.coverage.complete


def run(spec_dir: Path, url: str, *args: str):
    result = CliRunner().invoke(
        cli,
        [
            "slo",
            "report",
            "--specs",
            str(spec_dir),
            "--backend",
            "cloudwatch",
            "--region",
            REGION,
            "--endpoint-url",
            url,
            "--at",
            str(END),
            *args,
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_cli_prints_every_group_up_to_max_groups(seeded: str, spec_dir: Path) -> None:
    whole = json.loads(run(spec_dir, seeded, "--format", "json").stdout)["slos"][0]
    assert len(whole["groups"]) == 4 and whole["groups_total"] == 4 and whole["groups_note"] is None
    assert [g["group"]["handler"] for g in whole["groups"]] == ["/d", "/a", "/c", "/b"]
    every = json.loads(run(spec_dir, seeded, "--format", "json", "--all").stdout)["slos"][0]
    assert every["groups"] == whole["groups"]
    table = run(spec_dir, seeded, "--format", "table")
    assert table.exit_code == 0 and '└ {handler="/b"}' in table.stdout


def test_cli_group_by_worst(seeded: str, spec_dir: Path) -> None:
    worst = json.loads(run(spec_dir, seeded, "--format", "json", "--group-by-worst", "2").stdout)["slos"][0]
    assert [g["group"]["handler"] for g in worst["groups"]] == ["/d", "/a"]
    assert "least budget left of 4" in worst["groups_note"]
    md = run(spec_dir, seeded, "--format", "markdown", "--group-by-worst", "1").stdout
    assert '{handler="/d"}' in md and '{handler="/a"}' not in md
    bad = run(spec_dir, seeded, "--group-by-worst", "0")
    assert bad.exit_code == 2 and "--group-by-worst" in bad.output


def test_cli_fail_on_names_the_breached_group(seeded: str, spec_dir: Path) -> None:
    gate = run(spec_dir, seeded, "--format", "json", "--group-by-worst", "1", "--fail-on", "breach")
    assert gate.exit_code == 1
    assert '--fail-on breach: checkout{handler="/d"}' in gate.stderr
    assert 'cannot judge checkout{handler="/c"} (no data)' in gate.stderr
