"""CloudWatch backend: moto server seeded with PutMetricData gives the Prometheus numbers (ratio
kinds); percentile-rank latency, batching and pagination with botocore's Stubber (moto has no
PR statistic)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from sre_cli import placeholders, promrun, synth
from sre_cli.backends.cloudwatch import MAX_QUERIES_PER_CALL, CloudWatchBackend, MetricQuery
from sre_cli.backends.prometheus import PrometheusBackend
from sre_cli.report import make_report
from sre_cli.slomath import parse_duration
from sre_cli.slospec.document import CloudWatchMetric
from sre_cli.slospec.model import SpecSet
from tests.support.moto_server import moto_server, use_fake_credentials
from tests.support.truth import slo_events

STEP = 300  # 5-minute samples keep moto's O(periods x datapoints) GetMetricData fast enough
RATIO_SLOS = ("api-availability", "db-errors", "sfn-success")
REGION = "us-east-1"
END = 1_700_000_000 - 1_700_000_000 % 3600


# One environment's identities (`terraform output -json sre_values`): the report queries concrete metrics.
VALUES = {
    "api_alb_arn_suffix": "app/sre-test-api/5555555555555555",
    "api_target_group_arn_suffix": "targetgroup/sre-test-api/6666666666666666",
    "state_machine_arn": "arn:aws:states:us-east-1:123456789012:stateMachine:sre-test-pipeline",
    "batch_job_queue_name": "sre-test-jobs",
}


@pytest.fixture(scope="module")
def specs(specs: SpecSet) -> SpecSet:
    """The repository's specs with their placeholders filled, as `--values` fills them."""
    filled = dataclasses.replace(specs, slos=[placeholders.fill_slo(s, VALUES) for s in specs.slos])
    assert not any("${" in v for s in filled.slos for m in _metrics(s) for v in m.dimensions.values())
    return filled


def _metrics(slo) -> list[CloudWatchMetric]:
    src = slo.indicator.body.cloudwatch
    return [m for key in ("good", "bad", "total", "metric") for m in _as_list(getattr(src, key, None))]


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def _dims(metric: CloudWatchMetric) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in sorted(metric.dimensions.items())]


def seed(client, specs, data: synth.Synthetic) -> None:
    """Put the synthetic increments as CloudWatch datapoints, stamped at their period's start."""
    truth = data.truth
    by_slo = {s.name: s for s in specs.slos}
    sources = {
        # truth series -> CloudWatch metric of the spec
        "api_total": by_slo["api-availability"].indicator.ratio.cloudwatch.total[0],
        "api_2xx": by_slo["api-availability"].indicator.ratio.cloudwatch.good[0],
        "db_ops": by_slo["db-errors"].indicator.ratio.cloudwatch.total[0],
    }
    db_bad = by_slo["db-errors"].indicator.ratio.cloudwatch.bad  # timeout, connection
    sfn = by_slo["sfn-success"].indicator.ratio.cloudwatch.total  # succeeded, failed, timed_out, aborted
    series: list[tuple[CloudWatchMetric, list[float]]] = [(m, truth.series[k]) for k, m in sources.items()]
    # Split the DB bad events between the two error types (their sum is what the SLO counts).
    half = [v // 2 for v in truth.series["db_bad"]]
    series += [(db_bad[0], half), (db_bad[1], [b - h for b, h in zip(truth.series["db_bad"], half, strict=True)])]
    sfn_bad = [t - g for t, g in zip(truth.series["sfn_total"], truth.series["sfn_good"], strict=True)]
    series += [(sfn[0], truth.series["sfn_good"]), (sfn[1], sfn_bad)]  # TimedOut/Aborted stay absent
    batch: list[dict] = []
    for metric, values in series:
        for i in range(1, len(truth.times)):
            batch.append(
                {
                    "MetricName": metric.metric_name,
                    "Dimensions": _dims(metric),
                    "Timestamp": datetime.fromtimestamp(truth.times[i] - STEP, UTC),
                    "Value": float(values[i]),
                }
            )
    by_namespace: dict[str, list[dict]] = {}
    for (metric, _), start in zip(series, range(0, len(batch), len(truth.times) - 1), strict=True):
        by_namespace.setdefault(metric.namespace, []).extend(batch[start : start + len(truth.times) - 1])
    for namespace, items in by_namespace.items():
        for i in range(0, len(items), 1000):
            client.put_metric_data(Namespace=namespace, MetricData=items[i : i + 1000])


@pytest.fixture(scope="module")
def small_history() -> synth.Synthetic:
    return synth.generate(synth.SynthConfig(end=END, days=1, step=STEP))


@pytest.fixture(scope="module")
def moto_url(monkeypatch_module, specs, small_history) -> Iterator[str]:
    with moto_server() as url:
        seed(boto3.client("cloudwatch", region_name=REGION, endpoint_url=url), specs, small_history)
        yield url


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    mp = pytest.MonkeyPatch()
    use_fake_credentials(mp)
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def small_prometheus(tmp_path_factory, small_history) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("small")
    promrun.backfill_openmetrics(small_history.save(root / "h.om"), root / "tsdb")
    with promrun.PrometheusServer(data_dir=root / "tsdb") as server:
        yield server.url


@pytest.mark.e2e
def test_cloudwatch_ratio_numbers_equal_prometheus(moto_url, small_prometheus, specs, small_history) -> None:
    slos = [s for s in specs.slos if s.name in RATIO_SLOS]
    cw = make_report(slos, CloudWatchBackend(REGION, endpoint_url=moto_url), END)
    prom = make_report(slos, PrometheusBackend(small_prometheus), END)
    assert cw.at == prom.at == END
    for c, p in zip(cw.slos, prom.slos, strict=True):
        assert c.name == p.name
        assert c.events is not None and p.events is not None
        assert c.events.good == pytest.approx(p.events.good, rel=1e-12)
        assert c.events.total == pytest.approx(p.events.total, rel=1e-12)
        good, total = slo_events(small_history.truth, c.name, END, c.window_seconds)
        assert (c.events.good, c.events.total) == (good, total)
        assert set(c.burn_rates) == set(p.burn_rates)
        for window, value in p.burn_rates.items():
            if parse_duration(window) < STEP:
                continue  # a 1m window (sfn's outage pair) on 5-minute data: below the data's resolution
            assert c.burn_rates[window] == pytest.approx(value, rel=1e-9, abs=1e-12), (c.name, window)
        assert [a.firing for a in c.alerts] == [a.firing for a in p.alerts]
        assert c.sli == pytest.approx(p.sli, rel=1e-12)
        assert c.remaining == pytest.approx(p.remaining, rel=1e-9)
        # One day of data in a 30d window: both backends flag it.
        assert not c.coverage.complete and not p.coverage.complete
        assert c.status == p.status


@pytest.mark.e2e
def test_cloudwatch_reports_at_the_last_full_hour(moto_url, specs) -> None:
    slos = [s for s in specs.slos if s.name == "api-availability"]
    report = make_report(slos, CloudWatchBackend(REGION, endpoint_url=moto_url), END + 1234)
    assert report.at == END


# ---- Stubber: percentile rank, batching, pagination -----------------------------------------


def _stubbed() -> tuple[CloudWatchBackend, Stubber]:
    client = boto3.client("cloudwatch", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return CloudWatchBackend(REGION, client=client), Stubber(client)


def test_latency_good_events_are_percentile_rank_times_sample_count(specs) -> None:
    slo = next(s for s in specs.slos if s.name == "api-latency")
    backend, stub = _stubbed()
    at = END
    hours = [at - 3600 * k for k in range(2, 0, -1)]  # two hourly datapoints
    minutes = [at - 60 * k for k in range(10, 0, -1)]  # ten minute datapoints
    pr_fine, count_fine = [99.0] * 5 + [50.0] * 5, [1000.0] * 10
    pr_coarse, count_coarse = [98.0, 90.0], [60000.0, 50000.0]

    def result(qid, times, values):
        return {
            "Id": qid,
            "Label": qid,
            "Timestamps": [datetime.fromtimestamp(t, UTC) for t in times],
            "Values": values,
            "StatusCode": "Complete",
        }

    metric = slo.indicator.latency.cloudwatch.metric
    # Calls go out by time range, longest first: the hourly series, then the minute series.

    def expected(period: int, first_id: int, start: int) -> dict:
        def q(qid: int, stat: str) -> dict:
            return {
                "Id": f"s0q{qid}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": metric.namespace,
                        "MetricName": metric.metric_name,
                        "Dimensions": _dims(metric),
                    },
                    "Period": period,
                    "Stat": stat,
                },
                "ReturnData": True,
            }

        return {
            "MetricDataQueries": [q(first_id, "PR(:0.3)"), q(first_id + 1, "SampleCount")],
            "StartTime": datetime.fromtimestamp(start, UTC),
            "EndTime": datetime.fromtimestamp(at, UTC),
            "ScanBy": "TimestampAscending",
        }

    stub.add_response(
        "get_metric_data",
        {"MetricDataResults": [result("s0q2", hours, pr_coarse), result("s0q3", hours, count_coarse)]},
        expected(3600, 2, at - 30 * 86400),
    )
    stub.add_response(
        "get_metric_data",
        {"MetricDataResults": [result("s0q0", minutes, pr_fine), result("s0q1", minutes, count_fine)]},
        expected(60, 0, at - 86400),
    )
    with stub:
        report = make_report([slo], backend, at)
    stub.assert_no_pending_responses()
    r = report.slos[0]
    assert r.events is not None
    assert r.events.total == 110000.0
    assert r.events.good == pytest.approx(0.98 * 60000 + 0.90 * 50000)
    # 5m: the last five minutes at 50% good -> error ratio 0.5, budget 5% -> burn 10.
    assert r.burn_rates["5m"] == pytest.approx(10.0)
    # 30m covers all ten minutes: 4950 + 2500 good of 10000.
    assert r.burn_rates["30m"] == pytest.approx((2550 / 10000) / 0.05)


def test_queries_are_batched_by_500_and_follow_next_token() -> None:
    backend, stub = _stubbed()
    metric = CloudWatchMetric.model_validate({"namespace": "N", "metricName": "M"})
    queries = [MetricQuery(f"q{i}", metric, "Sum", 60, END - 3600, END) for i in range(MAX_QUERIES_PER_CALL + 3)]
    t = datetime.fromtimestamp(END - 60, UTC)
    first = [{"Id": f"q{i}", "Timestamps": [t], "Values": [1.0]} for i in range(MAX_QUERIES_PER_CALL)]
    stub.add_response("get_metric_data", {"MetricDataResults": first[:10], "NextToken": "page2"})
    stub.add_response("get_metric_data", {"MetricDataResults": first[10:]})
    stub.add_response(
        "get_metric_data",
        {"MetricDataResults": [{"Id": f"q{i}", "Timestamps": [t], "Values": [2.0]} for i in range(500, 503)]},
    )
    with stub:
        data = backend.fetch(queries)
    stub.assert_no_pending_responses()
    assert data["q0"] == {END - 60: 1.0} and data["q499"] == {END - 60: 1.0} and data["q502"] == {END - 60: 2.0}
