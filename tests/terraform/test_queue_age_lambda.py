"""The queue-age Lambda against moto in server mode (127.0.0.1 only).

moto's Batch runs each submitted job in a thread that walks SUBMITTED -> PENDING ->
RUNNABLE -> STARTING and then needs a Docker daemon (none here, so the job would end
FAILED). Nothing in moto keeps a job RUNNABLE the way a real queue without capacity does,
so the ``runnable_jobs`` fixture drives moto's own state manager (the documented
``/moto-api/state-manager/set-transition`` endpoint of the server):

1. set ``batch::job`` to time-based progression, one status step every few seconds;
2. submit the jobs and poll ``ListJobs(jobStatus=RUNNABLE)`` until all of them are there;
3. freeze them by switching the progression to one step per day;
4. on teardown, unset the transition and wait for the job threads to end: they reach the
   point where moto would start a container, and ``DOCKER_HOST`` points at a closed local port,
   so they fail at once instead of pulling an image from a registry. Later tests see moto's
   default behaviour again.

moto's ``ListJobs`` ignores ``maxResults``/``nextToken`` (one page only), so pagination is
tested separately with botocore's Stubber.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from tests.support.moto_server import moto_server, use_fake_credentials

MODULES_DIR = Path(__file__).resolve().parents[2] / "terraform" / "modules"
REGION = "us-east-1"
QUEUE = "sre-test-jobs"
EMPTY_QUEUE = "sre-test-idle"
STEP_SECONDS = 2


def _load_lambda() -> ModuleType:
    path = MODULES_DIR / "batch_sfn" / "lambda" / "queue_age.py"
    spec = importlib.util.spec_from_file_location("queue_age", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["queue_age"] = module
    spec.loader.exec_module(module)
    return module


queue_age = _load_lambda()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as mp:
        use_fake_credentials(mp)
        mp.setenv("AWS_DEFAULT_REGION", REGION)
        # moto's Batch would run jobs in Docker: make any attempt fail fast, locally.
        mp.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
        with moto_server() as url:
            yield url


def _client(endpoint: str, service: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


def _moto_api(endpoint: str, path: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"{endpoint}/moto-api/{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert 200 <= response.status < 300, response.status


def _set_job_progression_seconds(endpoint: str, seconds: int) -> None:
    _moto_api(
        endpoint,
        "state-manager/set-transition",
        {"model_name": "batch::job", "transition": {"progression": "time", "seconds": seconds}},
    )


@pytest.fixture(scope="module")
def batch_setup(endpoint: str) -> dict[str, str]:
    """IAM service role, an unmanaged compute environment, two queues, a job definition."""
    iam = _client(endpoint, "iam")
    batch = _client(endpoint, "batch")
    role_arn = iam.create_role(
        RoleName="batch-service",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "batch.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    ce_arn = batch.create_compute_environment(
        computeEnvironmentName="sre-test-ce",
        type="UNMANAGED",
        state="ENABLED",
        serviceRole=role_arn,
    )["computeEnvironmentArn"]
    for name in (QUEUE, EMPTY_QUEUE):
        batch.create_job_queue(
            jobQueueName=name,
            state="ENABLED",
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce_arn}],
        )
    job_definition_arn = batch.register_job_definition(
        jobDefinitionName="sre-test-job",
        type="container",
        containerProperties={
            "image": "busybox:latest",
            "command": ["true"],
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "512"},
            ],
        },
    )["jobDefinitionArn"]
    return {"job_definition": job_definition_arn}


@pytest.fixture(scope="module")
def runnable_jobs(endpoint: str, batch_setup: dict[str, str]) -> Iterator[list[dict[str, Any]]]:
    """Three jobs of QUEUE held in RUNNABLE; yields their ListJobs summaries."""
    batch = _client(endpoint, "batch")
    _set_job_progression_seconds(endpoint, STEP_SECONDS)
    job_ids: list[str] = []
    try:
        for index in range(3):
            job_ids.append(
                batch.submit_job(
                    jobName=f"job-{index}",
                    jobQueue=QUEUE,
                    jobDefinition=batch_setup["job_definition"],
                )["jobId"]
            )
            time.sleep(0.05)  # distinct createdAt values, oldest first
        deadline = time.monotonic() + 8 * STEP_SECONDS
        runnable: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            runnable = batch.list_jobs(jobQueue=QUEUE, jobStatus="RUNNABLE")["jobSummaryList"]
            if {j["jobId"] for j in runnable} == set(job_ids):
                break
            time.sleep(0.05)
        _set_job_progression_seconds(endpoint, 86_400)  # freeze: next step in a day
        runnable = batch.list_jobs(jobQueue=QUEUE, jobStatus="RUNNABLE")["jobSummaryList"]
        assert {j["jobId"] for j in runnable} == set(job_ids), "moto did not hold the jobs RUNNABLE"
        yield runnable
    finally:
        _moto_api(endpoint, "state-manager/unset-transition", {"model_name": "batch::job"})
        _wait_until_stopped(batch, job_ids)


def _wait_until_stopped(batch: Any, job_ids: list[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while job_ids and time.monotonic() < deadline:
        jobs = batch.describe_jobs(jobs=job_ids)["jobs"]
        if all(j["status"] in {"SUCCEEDED", "FAILED"} for j in jobs):
            return
        time.sleep(0.2)


def _read_back(cloudwatch: Any, queue: str) -> float:
    now = datetime.now(UTC)
    stats = cloudwatch.get_metric_statistics(
        Namespace=queue_age.NAMESPACE,
        MetricName=queue_age.METRIC_NAME,
        Dimensions=[{"Name": queue_age.DIMENSION, "Value": queue}],
        StartTime=now - timedelta(minutes=10),
        EndTime=now + timedelta(minutes=10),
        Period=60,
        Statistics=["Maximum"],
        Unit="Seconds",
    )["Datapoints"]
    assert len(stats) == 1, stats
    return float(stats[0]["Maximum"])


def test_oldest_runnable_job_found(endpoint: str, runnable_jobs: list[dict[str, Any]]) -> None:
    batch = _client(endpoint, "batch")
    expected = min(j["createdAt"] for j in runnable_jobs)
    assert queue_age.oldest_runnable_created_at_ms(batch, QUEUE) == expected
    assert queue_age.oldest_runnable_created_at_ms(batch, EMPTY_QUEUE) is None


def test_metric_published_with_age_and_read_back(endpoint: str, runnable_jobs: list[dict[str, Any]]) -> None:
    batch = _client(endpoint, "batch")
    cloudwatch = _client(endpoint, "cloudwatch")
    oldest = min(j["createdAt"] for j in runnable_jobs)
    now_ms = oldest + 754_250  # 754.25 s after the oldest job was created
    ages = queue_age.publish(batch, cloudwatch, [QUEUE, EMPTY_QUEUE], now_ms=lambda: now_ms)
    assert ages == {QUEUE: 754.25, EMPTY_QUEUE: 0.0}
    # The datum is timestamped at now_ms; read it back around that instant.
    stats = cloudwatch.get_metric_statistics(
        Namespace="Custom/Batch",
        MetricName="OldestRunnableJobAgeSeconds",
        Dimensions=[{"Name": "JobQueue", "Value": QUEUE}],
        StartTime=datetime.fromtimestamp(now_ms / 1000 - 300, UTC),
        EndTime=datetime.fromtimestamp(now_ms / 1000 + 300, UTC),
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert [d["Maximum"] for d in stats] == [754.25]
    idle = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "idle",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "Custom/Batch",
                        "MetricName": "OldestRunnableJobAgeSeconds",
                        "Dimensions": [{"Name": "JobQueue", "Value": EMPTY_QUEUE}],
                    },
                    "Period": 60,
                    "Stat": "Maximum",
                },
            }
        ],
        StartTime=datetime.fromtimestamp(now_ms / 1000 - 300, UTC),
        EndTime=datetime.fromtimestamp(now_ms / 1000 + 300, UTC),
    )["MetricDataResults"][0]
    assert idle["Values"] == [0.0]


def test_handler_uses_wall_clock_and_env(
    endpoint: str, runnable_jobs: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOB_QUEUES", f" {QUEUE},,{QUEUE} ")
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)  # boto3 >= 1.28 honours it for every client
    before_ms = int(time.time() * 1000)
    ages = queue_age.handler({}, None)
    after_ms = int(time.time() * 1000)
    oldest = min(j["createdAt"] for j in runnable_jobs)
    assert list(ages) == [QUEUE]
    assert (before_ms - oldest) / 1000 <= ages[QUEUE] <= (after_ms - oldest) / 1000
    assert ages[QUEUE] > 0
    assert _read_back(_client(endpoint, "cloudwatch"), QUEUE) >= ages[QUEUE] - 0.001


def test_handler_rejects_empty_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOB_QUEUES", " , ")
    with pytest.raises(ValueError, match="JOB_QUEUES"):
        queue_age.handler({}, None)


def test_list_jobs_is_paginated() -> None:
    """moto returns a single page, so the pagination path is checked with Stubber."""
    batch = boto3.client("batch", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    base = {"jobArn": "arn:aws:batch:us-east-1:123456789012:job/x", "jobName": "j"}
    with Stubber(batch) as stub:
        stub.add_response(
            "list_jobs",
            {
                "jobSummaryList": [{**base, "jobId": "a", "createdAt": 5_000}],
                "nextToken": "page-2",
            },
            {"jobQueue": QUEUE, "jobStatus": "RUNNABLE"},
        )
        stub.add_response(
            "list_jobs",
            {"jobSummaryList": [{**base, "jobId": "b", "createdAt": 1_000}]},
            {"jobQueue": QUEUE, "jobStatus": "RUNNABLE", "nextToken": "page-2"},
        )
        assert queue_age.oldest_runnable_created_at_ms(batch, QUEUE) == 1_000
        stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("created_at", "now", "expected"),
    [(None, 10_000, 0.0), (4_000, 10_000, 6.0), (12_000, 10_000, 0.0)],
)
def test_queue_age_seconds(created_at: int | None, now: int, expected: float) -> None:
    assert queue_age.queue_age_seconds(created_at, now) == expected
