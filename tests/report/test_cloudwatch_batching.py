"""CloudWatch at fleet scale: GetMetricData calls counted on a moto server behind a real boto3 client.

Every SLO's queries of one time range share calls of up to 500 queries, across SLOs and across
SLO windows (a 7d and a 30d SLO read the same range; each counts only its own window).
moto answers a 600-query call slowly on a loaded machine: the backend gets a deadline of minutes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from sre_cli.backends.cloudwatch import MAX_QUERIES_PER_CALL, CloudWatchBackend
from sre_cli.report import make_report
from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import Slo
from tests.support.moto_server import use_fake_credentials

from .conftest import END

REGION = "us-east-1"
DAY = 86400


def fleet(root: Path, n: int) -> list[Slo]:
    """n ratio SLOs on distinct metrics (good and total: two queries per time range each),
    alternately over 30d and 7d."""
    docs = [
        f"""\
apiVersion: sre.dev/v1
kind: SLO
metadata: {{name: s{i:04d}, service: fleet{i // 20}}}
spec:
  description: Requests of service {i} succeed.
  objective: 99
  window: {"30d" if i % 2 == 0 else "7d"}
  indicator:
    ratio:
      cloudwatch:
        good: [{{namespace: Fleet, metricName: Ok, dimensions: {{Service: s{i}}}}}]
        total: [{{namespace: Fleet, metricName: Requests, dimensions: {{Service: s{i}}}}}]
"""
        for i in range(n)
    ]
    (root / "fleet.yaml").write_text("---\n".join(docs))
    return load_or_raise([root]).slos


@pytest.fixture(scope="module")
def seeded(moto_url: str) -> Iterator[str]:
    """Service 0 (30d) and service 1 (7d) each had 100 requests 10 days ago and 10 two days ago."""
    mp = pytest.MonkeyPatch()
    use_fake_credentials(mp)
    client = boto3.client("cloudwatch", region_name=REGION, endpoint_url=moto_url)
    data = [
        {"MetricName": name, "Dimensions": [{"Name": "Service", "Value": f"s{i}"}], "Timestamp": t, "Value": v}
        for i in (0, 1)
        for t, total in (
            (datetime.fromtimestamp(END - 10 * DAY, UTC), 100.0),
            (datetime.fromtimestamp(END - 2 * DAY, UTC), 10.0),
        )
        for name, v in (("Requests", total), ("Ok", total - 1))
    ]
    client.put_metric_data(Namespace="Fleet", MetricData=data)
    yield moto_url
    mp.undo()


# A loaded machine's moto may take minutes over a 500-query call: no read timeout, and no botocore
# retry (a retried call would count twice).
PATIENT = Config(read_timeout=900, connect_timeout=60, retries={"max_attempts": 1, "mode": "standard"})


@pytest.mark.parametrize("n", [200, 300])
def test_queries_of_every_slo_and_window_share_calls(seeded: str, tmp_path: Path, n: int) -> None:
    slos = fleet(tmp_path, n)
    client = boto3.client("cloudwatch", region_name=REGION, endpoint_url=seeded, config=PATIENT)
    calls: list[tuple[int, datetime, datetime]] = []

    def count(params: dict, **_: object) -> None:
        calls.append((len(params["MetricDataQueries"]), params["StartTime"], params["EndTime"]))

    client.meta.events.register("provide-client-params.cloudwatch.GetMetricData", count)
    report = make_report(slos, CloudWatchBackend(REGION, client=client, timeout=600), END)

    per_range = 2 * n  # good and total of every SLO, at 1-minute (last day) and hourly (windows) periods
    assert len(calls) == 2 * math.ceil(per_range / MAX_QUERIES_PER_CALL)
    assert all(q <= MAX_QUERIES_PER_CALL for q, _, _ in calls)
    # Two time ranges, whatever the SLO windows: the last day, and the longest window (30d).
    starts = {int(start.timestamp()) for _, start, _ in calls}
    assert starts == {END - DAY, END - 30 * DAY} and {end.timestamp() for _, _, end in calls} == {END}
    # The 7d SLO read the 30d range and counts only its own window.
    by_name = {s.name: s for s in report.slos}
    assert by_name["s0000"].events is not None and by_name["s0000"].events.total == 110.0
    assert by_name["s0001"].events is not None and by_name["s0001"].events.total == 10.0
    assert by_name["s0001"].events.good == 9.0 and by_name["s0001"].window_seconds == 7 * DAY
    assert by_name["s0002"].status == "no_data"


def test_one_slo_with_more_queries_than_a_call_is_chunked(seeded: str, tmp_path: Path) -> None:
    """A grouped SLO of 8 tenants x 5 regions summing 8 good and 8 total metrics: 640 queries per
    range, in calls of at most 500."""
    tenants = ", ".join(f'"t{i}"' for i in range(8))
    regions = ", ".join(f'"r{i}"' for i in range(5))
    good = ", ".join(f"{{namespace: Fleet, metricName: Ok{i}}}" for i in range(8))
    total = ", ".join(f"{{namespace: Fleet, metricName: Requests{i}}}" for i in range(8))
    (tmp_path / "big.yaml").write_text(f"""\
apiVersion: sre.dev/v1
kind: SLO
metadata: {{name: big, service: fleet}}
spec:
  description: Requests of every tenant succeed.
  objective: 99
  window: 30d
  indicator:
    groupBy: [tenant, region]
    maxGroups: 40
    ratio:
      cloudwatch:
        good: [{good}]
        total: [{total}]
        groups:
          tenant: {{dimension: Service, values: [{tenants}]}}
          region: {{dimension: Region, values: [{regions}]}}
""")
    slo = load_or_raise([tmp_path]).slos[0]
    client = boto3.client("cloudwatch", region_name=REGION, endpoint_url=seeded, config=PATIENT)
    sizes: list[int] = []
    client.meta.events.register(
        "provide-client-params.cloudwatch.GetMetricData",
        lambda params, **_: sizes.append(len(params["MetricDataQueries"])),
    )
    report = make_report([slo], CloudWatchBackend(REGION, client=client, timeout=600), END)
    assert sorted(sizes) == [140, 140, 500, 500]
    assert len(report.slos[0].groups) == 40
