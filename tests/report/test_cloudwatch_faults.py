"""CloudWatch backend faults (issue 17): throttling retried within the deadline and then a backend
error (exit 3, not 2), NaN datapoints as no data, impossible counts refused. botocore's Stubber
validates every request and response against the service model."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from sre_cli.backends import BackendError
from sre_cli.backends.cloudwatch import CloudWatchBackend, MetricQuery
from sre_cli.cli import cli
from sre_cli.report import make_report
from sre_cli.slospec.document import CloudWatchMetric
from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import Slo, SpecSet
from tests.support.env_values import PROD_VALUES

from .conftest import REPO

REGION = "us-east-1"
END = 1_700_000_000 - 1_700_000_000 % 3600
METRIC = CloudWatchMetric.model_validate({"namespace": "N", "metricName": "M"})


def stubbed(timeout: float = 10, retries: int = 2) -> tuple[CloudWatchBackend, Stubber]:
    client = boto3.client("cloudwatch", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return CloudWatchBackend(REGION, client=client, timeout=timeout, retries=retries), Stubber(client)


def one_query() -> list[MetricQuery]:
    return [MetricQuery("q0", METRIC, "Sum", 60, END - 3600, END)]


def ok_page(value: float = 1.0) -> dict:
    return {
        "MetricDataResults": [{"Id": "q0", "Timestamps": [datetime.fromtimestamp(END - 60, UTC)], "Values": [value]}]
    }


@pytest.mark.parametrize("code", ["Throttling", "ThrottlingException", "TooManyRequestsException"])
def test_throttling_is_retried_with_backoff(code: str) -> None:
    backend, stub = stubbed(retries=2)
    stub.add_client_error("get_metric_data", service_error_code=code, http_status_code=400)
    stub.add_client_error("get_metric_data", service_error_code=code, http_status_code=400)
    stub.add_response("get_metric_data", ok_page())
    with stub:
        assert backend.fetch(one_query())["q0"] == {END - 60: 1.0}
    stub.assert_no_pending_responses()


def test_throttling_past_the_retries_is_a_backend_error() -> None:
    backend, stub = stubbed(retries=1)
    for _ in range(2):
        stub.add_client_error("get_metric_data", service_error_code="Throttling", http_status_code=400)
    with stub, pytest.raises(BackendError, match="Throttling"):
        backend.fetch(one_query())


def test_throttling_retries_stop_at_the_deadline() -> None:
    backend, stub = stubbed(timeout=0.3, retries=50)
    for _ in range(50):
        stub.add_client_error("get_metric_data", service_error_code="Throttling", http_status_code=400)
    started = time.monotonic()
    with stub, pytest.raises(BackendError, match=r"Throttling.*deadline|no answer within"):
        backend.fetch(one_query())
    assert time.monotonic() - started < 1.0


def test_a_bad_request_is_not_retried() -> None:
    backend, stub = stubbed(retries=3)
    stub.add_client_error("get_metric_data", service_error_code="InvalidParameterValue", http_status_code=400)
    with stub, pytest.raises(BackendError, match="InvalidParameterValue"):
        backend.fetch(one_query())
    stub.assert_no_pending_responses()


def test_throttled_report_exits_3_through_the_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A real boto3 client against an endpoint that always answers 400 Throttling (a local server)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from sre_cli.promrun import free_port

    hits = []

    class Throttle(BaseHTTPRequestHandler):
        def log_message(self, *a: object) -> None:
            pass

        def do_POST(self) -> None:
            hits.append(1)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.dumps({"__type": "Throttling", "message": "Rate exceeded"}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("x-amzn-query-error", "Throttling;Sender")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Throttle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": REGION}
        values = tmp_path / "values.json"
        values.write_text(json.dumps(PROD_VALUES))
        args = ["slo", "report", "--specs", str(REPO / "slo"), "--backend", "cloudwatch", "--values", str(values)]
        args += ["--endpoint-url", f"http://127.0.0.1:{server.server_address[1]}", "--retries", "2", "--timeout", "5"]
        r = CliRunner().invoke(cli, args, env=env)
    finally:
        server.shutdown()
        server.server_close()
    assert r.exit_code == 3, (r.stdout, r.stderr)
    assert "Throttling" in r.stderr and "Traceback" not in r.stderr and r.stdout == ""
    assert len(hits) == 3  # retried twice


# ---- NaN is no data; impossible counts are errors -------------------------------------------------


RATIO_SPEC = """\
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: ratio, service: t}
spec:
  description: One good and one total metric, so the queries are s0q0..s0q3.
  objective: 99.9
  indicator:
    ratio:
      cloudwatch:
        good:
          - {namespace: AWS/ApplicationELB, metricName: HTTPCode_Target_2XX_Count, dimensions: {LoadBalancer: app/x}}
        total:
          - {namespace: AWS/ApplicationELB, metricName: RequestCount, dimensions: {LoadBalancer: app/x}}
"""


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> SpecSet:
    folder = tmp_path_factory.mktemp("faults") / "slo"
    folder.mkdir()
    (folder / "t.yaml").write_text(RATIO_SPEC)
    (folder / "defaults.yaml").write_text(
        "notificationTargets:\n"
        "  page: {snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:page'}\n"
        "  ticket: {snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:ticket'}\n"
    )
    return load_or_raise([folder])


def ratio_slo(specs: SpecSet) -> Slo:
    return specs.slos[0]


def pages(good_coarse, total_coarse, good_fine, total_fine) -> list[dict]:
    hours = [datetime.fromtimestamp(END - 3600 * k, UTC) for k in range(len(total_coarse), 0, -1)]
    minutes = [datetime.fromtimestamp(END - 60 * k, UTC) for k in range(len(total_fine), 0, -1)]
    return [
        {
            "MetricDataResults": [
                {"Id": "s0q2", "Timestamps": hours, "Values": good_coarse},
                {"Id": "s0q3", "Timestamps": hours, "Values": total_coarse},
            ]
        },
        {
            "MetricDataResults": [
                {"Id": "s0q0", "Timestamps": minutes, "Values": good_fine},
                {"Id": "s0q1", "Timestamps": minutes, "Values": total_fine},
            ]
        },
    ]


@pytest.mark.parametrize("role", ["good", "total"])
def test_nan_datapoint_is_no_data_not_zero_good(specs, role: str) -> None:
    nan = math.nan
    good, total = [50.0, 90.0], [100.0, 100.0]
    if role == "good":
        good = [nan, 90.0]
    else:
        total = [nan, 100.0]
    backend, stub = stubbed()
    for page in pages(good, total, [9.0, nan], [10.0, 10.0]):
        stub.add_response("get_metric_data", page)
    with stub:
        r = make_report([ratio_slo(specs)], backend, END).slos[0]
    # The NaN hour is left out of both good and total: 90 of 100, not 90 of 200 (or 0 good).
    assert r.events.good == 90.0 and r.events.total == 100.0
    assert r.burn_rates["5m"] == pytest.approx((1 - 9 / 10) / (1 - ratio_slo(specs).objective))


@pytest.mark.parametrize("value", [math.inf, -math.inf, -5.0, 1e300])
def test_impossible_counts_are_backend_errors(specs, value: float) -> None:
    backend, stub = stubbed()
    for page in pages([50.0], [value], [1.0], [1.0]):
        stub.add_response("get_metric_data", page)
    with stub, pytest.raises(BackendError, match="unexpected answer"):
        make_report([ratio_slo(specs)], backend, END)
