"""Publish the age of the oldest RUNNABLE job of each AWS Batch job queue.

AWS Batch has no native queue-age metric, so this function, run on a schedule,
lists the RUNNABLE jobs of every queue named in ``JOB_QUEUES`` (comma-separated)
and publishes ``Custom/Batch OldestRunnableJobAgeSeconds`` with the dimension
``JobQueue=<queue>``: ``now - createdAt`` of the oldest RUNNABLE job, 0 when the
queue has none. A queue stuck behind a broken compute environment therefore
shows a steadily growing age instead of silence.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import boto3

NAMESPACE = "Custom/Batch"
METRIC_NAME = "OldestRunnableJobAgeSeconds"
DIMENSION = "JobQueue"


def oldest_runnable_created_at_ms(batch: Any, job_queue: str) -> int | None:
    """Return ``createdAt`` (epoch ms) of the oldest RUNNABLE job of ``job_queue``, or None."""
    oldest: int | None = None
    paginator = batch.get_paginator("list_jobs")
    for page in paginator.paginate(jobQueue=job_queue, jobStatus="RUNNABLE"):
        for job in page.get("jobSummaryList", []):
            created_at = job.get("createdAt")
            if created_at is not None and (oldest is None or created_at < oldest):
                oldest = int(created_at)
    return oldest


def queue_age_seconds(created_at_ms: int | None, now_ms: int) -> float:
    """Age in seconds of a job created at ``created_at_ms``; 0 when there is no job."""
    if created_at_ms is None:
        return 0.0
    return max(0.0, (now_ms - created_at_ms) / 1000.0)


def publish(
    batch: Any,
    cloudwatch: Any,
    job_queues: Iterable[str],
    now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
) -> dict[str, float]:
    """Measure every queue and publish one datum per queue; return the published ages."""
    ages: dict[str, float] = {}
    for queue in job_queues:
        ages[queue] = queue_age_seconds(oldest_runnable_created_at_ms(batch, queue), now_ms())
    if not ages:
        return ages
    timestamp = now_ms() / 1000.0
    data = [
        {
            "MetricName": METRIC_NAME,
            "Dimensions": [{"Name": DIMENSION, "Value": queue}],
            "Timestamp": timestamp,
            "Value": age,
            "Unit": "Seconds",
        }
        for queue, age in ages.items()
    ]
    for start in range(0, len(data), 1000):  # PutMetricData accepts up to 1000 data points
        cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data[start : start + 1000])
    return ages


def parse_queues(value: str) -> list[str]:
    """Split ``JOB_QUEUES`` (comma-separated names or ARNs), dropping blanks and duplicates."""
    seen: dict[str, None] = {}
    for item in value.split(","):
        if item.strip():
            seen.setdefault(item.strip(), None)
    return list(seen)


def handler(event: Mapping[str, Any], context: object) -> dict[str, float]:
    """Lambda entry point (EventBridge schedule)."""
    queues = parse_queues(os.environ.get("JOB_QUEUES", ""))
    if not queues:
        raise ValueError("JOB_QUEUES is empty: nothing to measure")
    return publish(boto3.client("batch"), boto3.client("cloudwatch"), queues)
