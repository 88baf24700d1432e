"""The report reads a threshold gauge whole, whatever its shape, from a real Prometheus.

Issue 17.1: `max(x) or vector(0) <= bool 900` compares only `vector(0)`, so raw queue ages were
summed as "good slices": an SLI of 140.48, a breached SLO reported ok, exit 0 under `--fail-on
breach`. One day of a queue age is backfilled with promtool (144 bad minutes of 1440); every gauge
shape of `tests/support/gauge_shapes` must read exactly 0.9 (or 0, pinned to a bad minute).

And the other side: an answer that cannot be counts (an SLI outside [0, 1], good above total,
negative counts) is the backend's error, exit 3 in one line naming the SLO and the query, never a
status.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from sre_cli import placeholders, promrun
from sre_cli.backends import BackendError, Counts, NotCounts, Unit, read_counts
from sre_cli.backends.cloudwatch import CloudWatchBackend
from sre_cli.cli import cli
from sre_cli.report import make_report
from sre_cli.slomath import DAY, MINUTE
from sre_cli.slospec.model import SpecSet
from tests.support.gauge_shapes import BAD_AGE, GOOD_AGE, SHAPES, Shape, X, Y, threshold_spec
from tests.support.moto_server import moto_server, use_fake_credentials

from .conftest import END

BAD_FROM = END - 12 * 3600  # 144 bad minutes in the middle of the day
BAD_MINUTES = 144
SLICES = DAY // MINUTE
GOOD_SHARE = 1 - BAD_MINUTES / SLICES  # 0.9


@dataclass
class Store:
    url: str
    root: Path


def _age(t: int) -> float:
    return BAD_AGE if BAD_FROM <= t < BAD_FROM + BAD_MINUTES * MINUTE else GOOD_AGE


def _openmetrics() -> str:
    times = range(END - DAY - 10 * MINUTE, END + 1, MINUTE)
    lines = ["# TYPE x gauge", *(f"{X} {_age(t)} {t}" for t in times)]
    lines += ["# TYPE y gauge", *(f"{Y} 0 {t}" for t in times)]
    # Counters and period sums that are not counts of one thing: good above total, negative sums.
    lines += ["# TYPE req counter", *(f'req_total{{code="200"}} {n * 10} {t}' for n, t in enumerate(times))]
    lines += [*(f'req_total{{code="500"}} {n} {t}' for n, t in enumerate(times))]
    lines += ["# TYPE periods gauge", *(f'periods{{kind="all"}} -5 {t}' for t in times)]
    lines += [*(f'periods{{kind="ok"}} 1 {t}' for t in times)]
    return "\n".join(lines) + "\n# EOF\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    root = tmp_path_factory.mktemp("shapes")
    promrun.backfill_openmetrics(_openmetrics(), root / "tsdb")
    with promrun.PrometheusServer(data_dir=root / "tsdb") as server:
        yield Store(server.url, root)


def report(store: Store, specs: dict[str, str], *args: str) -> Any:
    folder = store.root / f"specs-{abs(hash(tuple(sorted(specs.items()))))}"
    folder.mkdir(exist_ok=True)
    for name, text in specs.items():
        (folder / f"{name}.yaml").write_text(text)
    result = CliRunner().invoke(
        cli,
        ["slo", "report", "--specs", str(folder), "--prometheus-url", store.url, "--at", str(END), *args],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    return result


@pytest.mark.e2e
def test_every_gauge_shape_reads_its_exact_sli(store: Store) -> None:
    specs = {s.id: threshold_spec(s.id, s, BAD_FROM) for s in SHAPES}
    r = report(store, specs, "--format", "json")
    assert r.exit_code == 0, r.stderr
    got = {s["name"]: s for s in json.loads(r.stdout)["slos"]}
    # Whole slices: good ones exactly, all 1440 counted (`or vector(0)` fills none: x never stops).
    expected = {s.id: (round(s.good_share(GOOD_SHARE) * SLICES), SLICES, "breached") for s in SHAPES}
    assert {n: (s["events"]["good"], s["events"]["total"], s["status"]) for n, s in got.items()} == expected
    assert {n: s["sli"] for n, s in got.items()} == {s.id: s.good_share(GOOD_SHARE) for s in SHAPES}


@pytest.mark.e2e
@pytest.mark.parametrize(
    "shape", [s for s in SHAPES if s.id in ("or-vector", "comparison-and", "multi-line")], ids=lambda s: s.id
)
def test_fail_on_breach_exits_1_for_a_breached_or_gauge(store: Store, shape: Shape) -> None:
    breached = threshold_spec("breached", shape, BAD_FROM, objective=99)
    kept = threshold_spec("kept", shape, BAD_FROM, objective=85)
    r = report(store, {"breached": breached, "kept": kept}, "--fail-on", "breach")
    assert r.exit_code == 1, r.stderr
    assert r.stderr.strip().splitlines()[-1] == "--fail-on breach: breached"
    assert report(store, {"kept": kept}, "--fail-on", "breach").exit_code == 0


def _ratio_spec(name: str, source: str) -> str:
    return (
        "apiVersion: sre.dev/v1\nkind: SLO\n"
        f"metadata: {{name: {name}, service: web}}\n"
        f"spec:\n  description: requests\n  objective: 99\n  window: 1d\n"
        f"  indicator:\n    ratio:\n      prometheus:\n{source}"
        "  alerting:\n    ticket:\n      windows: [{long: 1d, short: 2h, budgetPercent: 10}]\n"
    )


NOT_COUNTS = [
    # good events of every code, total only of 200s: 11 good of every 10
    (
        "good-above-total",
        '        good: req_total\n        total: req_total{code="200"}\n',
        "55 good events of only 50: an SLI of 1.1, from sum(increase(req_total[5m])) and ",
    ),
    # bad events of every code, total only of 500s
    (
        "bad-above-total",
        '        bad: req_total\n        total: req_total{code="500"}\n',
        "55 bad events of only 5, from sum(increase(req_total[5m])) and ",
    ),
    # a period-sum gauge holding negative "counts"
    (
        "negative",
        '        metricType: periodSum\n        good: periods{kind="ok"}\n        total: periods{kind="all"}\n',
        # caught as the samples are read (the raw answer is no count), before the SLO's counts are formed
        # (whichever window's query is read first: -25 over 5m, -600 over 2h...)
        "is not an event count (negative)",
    ),
]


@pytest.mark.e2e
@pytest.mark.parametrize(("name", "source", "message"), NOT_COUNTS, ids=[c[0] for c in NOT_COUNTS])
def test_answers_that_are_not_counts_exit_3_naming_slo_and_query(
    store: Store, name: str, source: str, message: str
) -> None:
    r = report(store, {name: _ratio_spec(name, source)}, "--format", "json", "--fail-on", "breach")
    assert r.exit_code == 3, (r.stdout, r.stderr)
    assert r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    named = "" if "is not an event count" in message else f"SLO {name}: "
    assert line.startswith(f"error: prometheus backend {store.url}: {named}"), line
    assert message in line, line


# ---- CloudWatch: summed datapoints that cannot be counts (moto behind boto3) --------------------


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("good", "total", "message"),
    [
        (200.0, 100.0, "SLO api-availability: 600 good events of only 300: an SLI of 2, from AWS/ApplicationELB"),
        # caught per period as the datapoints are read, naming the SLO
        (50.0, -100.0, "unexpected answer for api-availability: -100 events in the period at"),
    ],
    ids=["good-above-total", "negative"],
)
def test_cloudwatch_answers_that_are_not_counts_are_backend_errors(
    repo_specs: SpecSet, monkeypatch: pytest.MonkeyPatch, good: float, total: float, message: str
) -> None:
    use_fake_credentials(monkeypatch)
    # A load balancer of its own per case: moto keeps datapoints across servers of one process.
    lb = f"app/q{int(total)}/1"
    values = {"api_alb_arn_suffix": lb, "api_target_group_arn_suffix": "targetgroup/q/2"}
    slo = placeholders.fill_slo(next(s for s in repo_specs.slos if s.name == "api-availability"), values)
    src = slo.indicator.ratio.cloudwatch
    with moto_server() as url:
        client = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=url)
        for metric, value in ((src.good[0], good), (src.total[0], total)):
            dims = [{"Name": k, "Value": v} for k, v in sorted(metric.dimensions.items())]
            client.put_metric_data(
                Namespace=metric.namespace,
                MetricData=[
                    {
                        "MetricName": metric.metric_name,
                        "Dimensions": dims,
                        "Timestamp": _utc(END - k * 60),
                        "Value": value,
                    }
                    for k in (3, 2, 1)
                ],
            )
        with pytest.raises(BackendError) as err:
            make_report([slo], CloudWatchBackend("us-east-1", endpoint_url=url), END)
    assert message in err.value.cause and "\n" not in err.value.cause, err.value.cause


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


# ---- the rule itself ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "total", "unit", "is_bad", "message"),
    [
        (202.3, 144.0, "slices", False, "202.3 good slices of only 144: an SLI of 1.40486"),
        (145.0, 144.0, "slices", False, "145 good slices of only 144"),  # slices are whole: no slack
        (1.0, 0.0, "slices", False, "1 good slices of only 0"),
        (-1.0, 144.0, "slices", False, "negative slices count"),
        (10.0, -3.0, "events", True, "negative events count (bad 10, total -3)"),
        (1100.0, 1000.0, "events", False, "1100 good events of only 1000: an SLI of 1.1"),
        (1012.0, 1000.0, "events", True, "1012 bad events of only 1000"),
    ],
)
def test_answers_that_cannot_be_counts(numerator: float, total: float, unit: Unit, is_bad: bool, message: str) -> None:
    with pytest.raises(NotCounts, match=re.escape(message)):
        read_counts(numerator, total, unit, numerator_is_bad=is_bad)


@pytest.mark.parametrize(
    ("numerator", "total", "unit", "is_bad", "counts"),
    [
        (144.0, 144.0, "slices", False, Counts(144.0, 144.0)),
        (0.0, 0.0, "slices", False, Counts(0.0, 0.0)),
        # increase() extrapolates a bucket and its _count apart: a hair above all is clamped to all
        (1005.0, 1000.0, "events", False, Counts(1000.0, 1000.0)),
        (1010.5, 1000.0, "events", True, Counts(0.0, 1000.0)),
        (1.5, 0.6, "events", False, Counts(0.6, 0.6)),  # one event of slack on a quiet window
        (-1e-12, 10.0, "events", False, Counts(0.0, 10.0)),
    ],
)
def test_counts_within_the_noise_read_as_counts(
    numerator: float, total: float, unit: Unit, is_bad: bool, counts: Counts
) -> None:
    got = read_counts(numerator, total, unit, numerator_is_bad=is_bad)
    assert got == counts and 0 <= got.good <= got.total
