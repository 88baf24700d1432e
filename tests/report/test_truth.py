"""Issue 14 item 5 (and item 9's report parts): the report tells the truth about risk.

Statuses from the alerts and the forecast, most trouble first in every human format, no "ok" for
what was not measured, `--fail-on no_data`, a table that fits the terminal, relative `--at`, and
JSON numbers without float noise.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from sre_cli import slomath
from sre_cli.backends import Counts
from sre_cli.cli import cli
from sre_cli.commands.slo import parse_at
from sre_cli.report import render
from sre_cli.report.model import STATUSES, Report, build

from .conftest import History
from .test_cli_report import FakePrometheus, run
from .test_model import AT, W, measurement

TOTAL = 1_000_000.0


@pytest.fixture
def empty_prometheus() -> Iterator[FakePrometheus]:
    """A Prometheus API that answers every query with no series."""
    with FakePrometheus() as f:
        yield f


@pytest.fixture
def mixed(specs) -> Report:
    """One report per status, built from the repository's SLOs, listed in name order."""
    avail = next(s for s in specs.slos if s.name == "api-availability")
    allowed = TOTAL * 0.001
    hour, five = slomath.HOUR, 5 * slomath.MINUTE
    cases = {
        "a-ok": {W: Counts(TOTAL - allowed * 0.5, TOTAL)},
        "b-partial": {W: Counts(TOTAL - allowed * 0.1, TOTAL)},
        "c-no-data": {W: None},
        "d-at-risk": {W: Counts(TOTAL - allowed * 0.9, TOTAL)},
        "e-alerting": {hour: Counts(100_000 - 2000, 100_000), five: Counts(10_000 - 200, 10_000)},
        "f-breached": {W: Counts(TOTAL - allowed * 3, TOTAL)},
    }
    slos = []
    for name, windows in cases.items():
        r = build(avail, measurement(avail, windows, at_start=name != "b-partial"))
        slos.append(r.__class__(**{**r.__dict__, "name": name}))
    return Report(at=AT, backend="prometheus", source="http://127.0.0.1:9090", slos=tuple(slos))


def test_mixed_fixture_has_every_status(mixed: Report) -> None:
    assert sorted(s.status for s in mixed.slos) == sorted(STATUSES)


def _table_names(text: str) -> list[str]:
    return re.findall(r"^\s*([a-f]-[a-z-]+) \(30d\)", text, re.M)


def test_table_lists_most_trouble_first(mixed: Report) -> None:
    text = render(mixed, "table", width=200, color=False)
    assert _table_names(text) == ["f-breached", "e-alerting", "d-at-risk", "c-no-data", "b-partial", "a-ok"]


def test_markdown_lists_most_trouble_first(mixed: Report) -> None:
    text = render(mixed, "markdown")
    assert re.findall(r"^\| `([a-z-]+)`", text, re.M) == [
        "f-breached",
        "e-alerting",
        "d-at-risk",
        "c-no-data",
        "b-partial",
        "a-ok",
    ]
    assert "🟠 alerting" in text and "🔵 partial" in text


@pytest.mark.parametrize("columns", [80, 100, 120])
def test_table_fits_the_terminal(mixed: Report, monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    text = render(mixed, "table", color=False)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= columns, text
    # What on-call reads first stays, one line per SLO.
    header = next(line for line in lines if "status" in line)
    for column in ("SLO", "status", "budget left", "firing", "runs out"):
        assert column in header, (columns, header)
    assert len(_table_names(text)) == 6
    assert "columns left out" in text


def test_table_without_a_terminal_is_whole(mixed: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    text = render(mixed, "table", color=False)  # pytest captures stdout: not a terminal
    assert "events good/total" in text and "columns left out" not in text


def test_json_numbers_have_no_float_noise(mixed: Report) -> None:
    text = render(mixed, "json")
    assert "0.010000000000000009" not in text and "0.0009999999999998899" not in text
    doc = json.loads(text)
    ok = next(s for s in doc["slos"] if s["name"] == "a-ok")
    assert ok["error_budget"] == {"allowed": 0.001, "consumed": 0.5, "remaining": 0.5}
    assert ok["events"]["good"] == TOTAL - 500  # counts keep every digit
    assert doc["schema_version"] == 2
    assert ok["links"]["runbook"].startswith("https://") and ok["links"]["dashboard"].startswith("https://")


def test_json_keeps_twelve_significant_digits() -> None:
    from sre_cli.report.render_json import rounded

    assert rounded(1 - 0.99) == 0.01
    assert rounded(141_043_293.271828) == 141_043_293.272
    assert rounded({"a": [0.1 + 0.2, None, "x", 3]}) == {"a": [0.3, None, "x", 3]}


# ---- --fail-on no_data ------------------------------------------------------------------------


def test_fail_on_no_data(empty_prometheus: FakePrometheus) -> None:
    r = run("--prometheus-url", empty_prometheus.url, "--fail-on", "no_data", "--slo", "db-errors")
    assert r.exit_code == 1
    assert "--fail-on no_data: db-errors" in r.stderr


def test_fail_on_breach_names_what_it_cannot_judge(empty_prometheus: FakePrometheus) -> None:
    r = run("--prometheus-url", empty_prometheus.url, "--fail-on", "breach", "--slo", "db-errors")
    assert r.exit_code == 0  # no breach measured; but not silently passed:
    assert "cannot judge db-errors (no data); add --fail-on no_data" in r.stderr


@pytest.mark.parametrize(
    ("condition", "failing"),
    [
        ("breach", ["f-breached"]),
        ("alerting", ["e-alerting"]),
        ("at_risk", ["d-at-risk", "e-alerting", "f-breached"]),
        ("no_data", ["c-no-data"]),
    ],
)
def test_fail_on_conditions(mixed: Report, condition: str, failing: list[str]) -> None:
    assert sorted(mixed.failing(condition)) == failing


# ---- --at relative to now ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ago"), [("-2h", 7200), ("now-1d", 86400), ("now - 1h30m", 5400), ("now", 0), ("NOW-5m", 300)]
)
def test_at_relative_to_now(text: str, ago: int) -> None:
    assert parse_at(text) == pytest.approx(time.time() - ago, abs=5)


@pytest.mark.parametrize("text", ["-2x", "now-", "now+1h", "-h"])
def test_bad_relative_at_exits_2(text: str) -> None:
    r = CliRunner().invoke(cli, ["slo", "report", "--at", text])
    assert r.exit_code == 2, r.stdout
    assert "--at" in r.stderr and "Traceback" not in r.stderr


# ---- on the real history -----------------------------------------------------------------------


@pytest.mark.e2e
def test_nothing_running_out_is_ok_on_real_history(history: History) -> None:
    r = run("--prometheus-url", history.url, "--at", str(history.data.end), "--format", "json")
    doc = json.loads(r.stdout)
    for s in doc["slos"]:
        if any(s["exhaustion_at"].values()):
            assert s["status"] != "ok", s["name"]
        if s["status"] == "ok":
            assert s["coverage"]["complete"] and not any(a["firing"] for a in s["alerts"])
    table = run("--prometheus-url", history.url, "--at", str(history.data.end)).stdout
    order = re.findall(r"^\s*([a-z-]+) \(30d\)", table, re.M)
    rank = {s["name"]: STATUSES.index(s["status"]) for s in doc["slos"]}
    assert [rank[n] for n in order] == sorted(rank[n] for n in order)
    assert order[0] == "api-availability"  # breached
