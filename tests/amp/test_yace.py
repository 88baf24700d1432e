"""The generated YACE config covers every CloudWatch-born series the specs read, under the specs' names."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sre_cli.cloudwatch_series import series_names, yace_name
from sre_cli.promrun import PrometheusServer
from sre_cli.slospec.load import load
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.exporters import yace
from tests.support.repo_specs import REPO

SAGEMAKER = "aws_sagemaker_trainingjobs_cpuutilization_average"
BATCH = "aws_custom_batch_oldest_runnable_job_age_seconds_maximum"


@pytest.mark.parametrize(
    ("namespace", "metric", "stat", "series"),
    [  # YACE's own naming (promutil.BuildMetricName and its tests)
        ("AWS/States", "ExecutionsTimedOut", "Sum", "aws_states_executions_timed_out_sum"),
        ("AWS/States", "ExecutionsSucceeded", "Sum", "aws_states_executions_succeeded_sum"),
        ("Glue", "glue.driver.aggregate.bytesRead", "Average", "aws_glue_driver_aggregate_bytes_read_average"),
        ("/aws/sagemaker/TrainingJobs", "CPUUtilization", "Average", SAGEMAKER),
        ("Custom/Batch", "OldestRunnableJobAgeSeconds", "Maximum", BATCH),
        ("AWS/EC2", "CPUUtilization", "p99", "aws_ec2_cpuutilization_p99"),
    ],
)  # fmt: skip
def test_yace_naming(namespace: str, metric: str, stat: str, series: str) -> None:
    assert yace_name(namespace, metric, stat) == series


def generated() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    config = yaml.safe_load((REPO / yace.CONFIG_PATH).read_text(encoding="utf-8"))
    relabel = yaml.safe_load((REPO / yace.RELABEL_PATH).read_text(encoding="utf-8"))["metric_relabel_configs"]
    return config, relabel


def produced_series(config: dict[str, Any], relabel: list[dict[str, Any]]) -> set[str]:
    """The names YACE exports under this config, after the scrape's renames."""
    jobs = [(j["type"], j) for j in config.get("discovery", {}).get("jobs", [])]
    jobs += [(j["namespace"], j) for j in config.get("customNamespace", [])]
    names = {yace_name(ns, m["name"], stat) for ns, job in jobs for m in job["metrics"] for stat in m["statistics"]}
    renames = {r["regex"]: r["replacement"] for r in relabel if r["target_label"] == "__name__"}
    return {renames.get(n, n) for n in names}


def test_committed_files_are_what_generate_renders(repo_specs: SpecSet) -> None:
    rendered = yace.render(repo_specs)
    for path in (yace.CONFIG_PATH, yace.RELABEL_PATH):
        assert (REPO / path).read_text(encoding="utf-8") == rendered[path]


def test_every_cloudwatch_born_series_of_the_rules_is_produced() -> None:
    """Read from the generated rule files, not from the specs' own pairing: what Prometheus will query."""
    read: set[str] = set()
    for rule_file in (REPO / "alarms" / "prometheus").glob("*.rules.yaml"):
        for group in yaml.safe_load(rule_file.read_text(encoding="utf-8"))["groups"]:
            for rule in group["rules"]:
                read.update(series_names(rule["expr"]))
    assert read == {
        "aws_batch_oldest_runnable_job_age_seconds",
        "aws_states_executions_succeeded_sum",
        "aws_states_executions_failed_sum",
        "aws_states_executions_timed_out_sum",
        "aws_states_executions_aborted_sum",
    }
    assert produced_series(*generated()) == read  # all of them, and nothing the specs do not read


def test_config_shape_follows_yace_v1alpha1() -> None:
    config, _ = generated()
    assert config["apiVersion"] == "v1alpha1"
    (states,) = config["discovery"]["jobs"]
    assert states["type"] == "AWS/States" and states["dimensionNameRequirements"] == ["StateMachineArn"]
    assert all({"name", "statistics", "period", "length"} == set(m) for m in states["metrics"])
    (batch,) = config["customNamespace"]
    assert batch["namespace"] == "Custom/Batch" and batch["metrics"][0]["statistics"] == ["Maximum"]


def write_spec(tmp_path: Path, prometheus: str, cloudwatch: str) -> Path:
    shutil.copy(REPO / "slo" / "defaults.yaml", tmp_path / "defaults.yaml")
    spec = tmp_path / "x.yaml"
    spec.write_text(
        f"""apiVersion: sre.dev/v1
kind: SLO
metadata: {{name: x, service: x}}
spec:
  description: d
  objective: 99
  indicator:
    ratio:
      prometheus:
        metricType: periodSum
{prometheus}
{cloudwatch}
""",
        encoding="utf-8",
    )
    return spec


def test_validate_fails_on_a_series_the_exporter_would_not_produce(tmp_path: Path) -> None:
    write_spec(
        tmp_path,
        "        bad: aws_states_executions_failed_sum\n"
        "        total:\n"
        "          - aws_states_executions_succeeded_sum\n"
        "          - aws_states_executions_failed_sum",
        "      cloudwatch:\n"
        "        bad: [{namespace: AWS/States, metricName: ExecutionsFailed}]\n"
        "        total: [{namespace: AWS/States, metricName: ExecutionsSucceeded}]",
    )
    errors = [str(e) for e in load([tmp_path]).errors]
    assert errors == [
        f"{tmp_path / 'x.yaml'}:14:13: spec.indicator.ratio.prometheus.total[1]: aws_states_executions_failed_sum is a "
        "CloudWatch series (aws_*) but no CloudWatch metric stands at the same place in the cloudwatch source, so the "
        "generated exporter config (alarms/exporters/yace.yaml) does not produce it; add the metric it comes from"
    ]


def test_validate_fails_on_an_aws_series_under_a_name_yace_does_not_give(tmp_path: Path) -> None:
    write_spec(
        tmp_path,
        "        bad: aws_states_execution_failed_sum\n        total: aws_states_executions_succeeded_sum",
        "      cloudwatch:\n"
        "        bad: [{namespace: AWS/States, metricName: ExecutionsFailed}]\n"
        "        total: [{namespace: AWS/States, metricName: ExecutionsSucceeded}]",
    )
    (error,) = load([tmp_path]).errors
    assert (error.line, error.field) == (11, "spec.indicator.ratio.prometheus.bad")
    assert "exports AWS/States ExecutionsFailed (Sum) as aws_states_executions_failed_sum" in error.message


def test_a_prometheus_only_spec_is_not_held_to_the_exporter_config(tmp_path: Path) -> None:
    """No cloudwatch source, no exporter config generated for it: its aws_* series come from elsewhere."""
    write_spec(tmp_path, "        bad: aws_states_executions_failed_sum\n        total: aws_elsewhere_total", "")
    assert load([tmp_path]).errors == []


# ---- the relabelling in a real Prometheus ------------------------------------------------------

# What YACE serves for the generated config (its names and labels), as exposition text.
YACE_METRICS = """\
aws_custom_batch_oldest_runnable_job_age_seconds_maximum{account_id="123456789012",dimension_JobQueue="sre-prod-jobs",name="global",region="us-east-1"} 1200
aws_states_executions_failed_sum{account_id="123456789012",dimension_StateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:processing",name="arn:aws:states:us-east-1:123456789012:stateMachine:processing",region="us-east-1"} 3
"""  # noqa: E501


@pytest.fixture
def fake_yace() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = YACE_METRICS.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus not installed")
def test_scraped_through_the_relabel_config_the_specs_selectors_find_their_series(
    fake_yace: str, repo_specs: SpecSet, tmp_path: Path
) -> None:
    _, relabel = generated()
    job = {"job_name": "yace", "static_configs": [{"targets": [fake_yace]}], "metric_relabel_configs": relabel}
    batch = next(s for s in repo_specs.slos if s.name == "batch-queue-age").indicator.threshold
    sfn = next(s for s in repo_specs.slos if s.name == "sfn-success").indicator.ratio
    assert batch is not None and batch.prometheus is not None and sfn is not None and sfn.prometheus is not None
    queries = {batch.prometheus.gauge: 1200.0, sfn.prometheus.selectors("bad")[0]: 3.0}
    with PrometheusServer(data_dir=tmp_path / "prom", scrape_configs=[job], scrape_interval="1s") as prom:
        deadline = time.monotonic() + 30
        results: dict[str, Any] = {}
        while time.monotonic() < deadline:
            results = {q: query(prom.url, q) for q in queries}
            if all(results.values()):
                break
            time.sleep(0.5)
    assert {q: float(r[0]["value"][1]) for q, r in results.items() if r} == queries
    assert query_names(results) == set()  # no YACE name leaks through for a renamed series


def query(url: str, promql: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/api/v1/query?{urllib.parse.urlencode({'query': promql})}", timeout=10) as r:
        return json.load(r)["data"]["result"]


def query_names(results: dict[str, Any]) -> set[str]:
    return {
        r["metric"].get("__name__", "")
        for rs in results.values()
        for r in rs
        if "custom" in r["metric"].get("__name__", "")
    }
