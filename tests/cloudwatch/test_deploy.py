"""`sre cloudwatch diff|apply|prune` against moto's server mode, and the composite path with Stubber.

moto does not implement PutCompositeAlarm (HTTP 500), so the moto tests restrict runs to metric
alarms and dashboards (`kinds=` / `--only`), and the composite calls are checked with botocore's
Stubber on a real client: exact requests, dependency order, tag-only updates, failure reports.
"""

from __future__ import annotations

import copy
import http.server
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.deploy import cloudwatch as deploy
from sre_cli.promrun import free_port
from sre_cli.slospec.model import SpecSet
from tests.support.env_values import PROD_VALUES

from .conftest import REPO

MOTO_KINDS = (deploy.METRIC, deploy.DASHBOARD)
WRITES = ("Put", "Delete", "Tag", "Untag", "Create")

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _fake_credentials(fake_credentials: None) -> None:
    """Every test here talks to moto's server through real boto3 clients (moto_url, endpoint: tests/conftest.py)."""


class Calls:
    """Every CloudWatch/SNS operation a client sends, via botocore's event hooks."""

    def __init__(self, *clients: Any):
        self.names: list[str] = []
        self.threads: set[str] = set()
        self.in_flight = self.most_in_flight = 0
        self._lock = threading.Lock()
        for client in clients:
            client.meta.events.register("before-call", self._record)
            client.meta.events.register("after-call", self._done)

    def _record(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.names.append(model.name)
            self.threads.add(threading.current_thread().name)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def _done(self, **_: Any) -> None:
        with self._lock:
            self.in_flight -= 1

    @property
    def writes(self) -> list[str]:
        return [n for n in self.names if n.startswith(WRITES)]


@pytest.fixture(scope="module")
def desired(specs: SpecSet) -> deploy.Desired:
    return deploy.from_specs(specs, PROD_VALUES)


def run_apply(
    endpoint: str, desired: deploy.Desired, kinds: tuple[str, ...] = MOTO_KINDS
) -> tuple[deploy.Report, Calls]:
    aws = deploy.clients("us-east-1", None, endpoint, max_attempts=2)
    cw = aws.cloudwatch
    calls = Calls(cw, aws.sns())
    current = deploy.read_current(cw, desired, kinds)
    report = deploy.apply(cw, desired, current, deploy.plan(desired, current, kinds), topics_with=aws)
    return report, calls


def test_apply_then_reapply_makes_zero_writes(endpoint: str, desired: deploy.Desired) -> None:
    first, calls = run_apply(endpoint, desired)
    assert first.ok, first.lines()
    assert calls.writes.count("PutMetricAlarm") == len(desired.metric_alarms)
    assert calls.writes.count("PutDashboard") == len(desired.dashboards)
    assert sorted(first.topics_created) == sorted(desired.topics())

    cw = deploy.clients("us-east-1", None, endpoint).cloudwatch
    names = {a["AlarmName"] for p in cw.get_paginator("describe_alarms").paginate() for a in p["MetricAlarms"]}
    assert names == set(desired.metric_alarms)

    second, calls = run_apply(endpoint, desired)
    assert second.ok and second.applied == []
    assert calls.writes == []  # topics included: they are looked up before being created
    assert second.topics_created == []


def test_second_plan_is_all_unchanged(endpoint: str, desired: deploy.Desired) -> None:
    run_apply(endpoint, desired)
    cw = deploy.clients("us-east-1", None, endpoint).cloudwatch
    calls = Calls(cw)
    current = deploy.read_current(cw, desired, MOTO_KINDS)
    changes = deploy.plan(desired, current, MOTO_KINDS)
    assert {c.action for c in changes} == {"unchanged"}
    report = deploy.apply(cw, desired, current, changes)
    assert report.applied == [] and calls.writes == []


def test_update_puts_only_what_changed(endpoint: str, desired: deploy.Desired) -> None:
    run_apply(endpoint, desired)
    changed = copy.deepcopy(desired)
    name = "db-errors-page-1h-5m-long"
    changed.metric_alarms[name]["Threshold"] = 20.0
    retag = "db-errors-page-1h-5m-short"
    changed.metric_alarms[retag]["Tags"] = [
        {**t, "Value": "db2"} if t["Key"] == "service" else t for t in changed.metric_alarms[retag]["Tags"]
    ]
    cw = deploy.clients("us-east-1", None, endpoint).cloudwatch
    calls = Calls(cw)
    current = deploy.read_current(cw, changed, MOTO_KINDS)
    changes = {c.name: c for c in deploy.plan(changed, current, MOTO_KINDS)}
    assert changes[name].action == "update" and changes[name].fields == ("Threshold",)
    assert changes[retag].fields == ("Tags",)
    report = deploy.apply(cw, changed, current, list(changes.values()))
    assert report.ok
    assert calls.writes == ["PutMetricAlarm", "TagResource"]
    described = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    assert described["Threshold"] == 20.0


def test_manual_drift_is_found(endpoint: str, desired: deploy.Desired) -> None:
    run_apply(endpoint, desired)
    cw = deploy.clients("us-east-1", None, endpoint).cloudwatch
    drifted = dict(desired.metric_alarms["api-latency-page-1h-5m-long"])
    drifted.pop("Tags")
    cw.put_metric_alarm(**{**drifted, "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:someone"]})
    changes = {c.name: c for c in deploy.plan(desired, deploy.read_current(cw, desired, MOTO_KINDS), MOTO_KINDS)}
    assert changes["api-latency-page-1h-5m-long"].fields == ("AlarmActions",)


def test_prune_deletes_only_managed_orphans(endpoint: str, desired: deploy.Desired) -> None:
    run_apply(endpoint, desired)
    cw = deploy.clients("us-east-1", None, endpoint).cloudwatch
    template = {k: v for k, v in desired.metric_alarms["db-errors-page-1h-5m-long"].items() if k != "Tags"}
    cw.put_metric_alarm(**{**template, "AlarmName": "hand-made"})  # no tags at all
    cw.put_metric_alarm(
        **{**template, "AlarmName": "terraform-owned", "Tags": [{"Key": "ManagedBy", "Value": "terraform"}]}
    )
    # What an earlier `sre generate` of this scope made for an SLO since removed from db.yaml.
    ours = desired.metric_alarms["db-errors-page-1h-5m-long"]["Tags"]
    cw.put_metric_alarm(**{**template, "AlarmName": "old-slo-page-1h-5m-long", "Tags": ours})
    current = deploy.read_current(cw, desired, MOTO_KINDS)
    changes = deploy.plan(desired, current, MOTO_KINDS)
    assert [c.name for c in changes if c.action == "delete"] == ["old-slo-page-1h-5m-long"]
    calls = Calls(cw)
    report = deploy.prune(cw, changes)
    assert report.ok and calls.writes == ["DeleteAlarms"]
    left = {a["AlarmName"] for p in cw.get_paginator("describe_alarms").paginate() for a in p["MetricAlarms"]}
    assert {"hand-made", "terraform-owned"} <= left
    assert "old-slo-page-1h-5m-long" not in left
    assert set(desired.metric_alarms) <= left


def test_tags_are_listed_only_for_alarms_that_may_be_ours_with_bounded_concurrency(
    endpoint: str, desired: deploy.Desired
) -> None:
    """Issue 17 item 15: one serial ListTagsForResource per alarm in the account was 40 s at 4,600 alarms."""
    run_apply(endpoint, desired)
    cw = deploy.clients("us-east-1", None, endpoint).cloudwatch
    template = {k: v for k, v in desired.metric_alarms["db-errors-page-1h-5m-long"].items() if k != "Tags"}
    # Names no generator builds (whatever their tags say: the name sieve only skips what cannot be ours) ...
    for name in ["hand-made", "Api-Errors-page-1h-5m-long", "api-errors-page-1h-5m-long-copy", "x-warn-1h-5m-long"]:
        cw.put_metric_alarm(**{**template, "AlarmName": name, "Tags": [{"Key": "ManagedBy", "Value": "sre"}]})
    for i in range(30):
        cw.put_metric_alarm(**{**template, "AlarmName": f"team-alarm-{i}"})
    # ... and names it does build, of another owner: listed, and kept because of their tags.
    theirs = ["old-page-1h-5m-long", "old-ticket-1d-2h-short", "old-page-any", "old-metrics-absent", "o-page-5m-1m"]
    for name in theirs:
        cw.put_metric_alarm(**{**template, "AlarmName": name, "Tags": [{"Key": "ManagedBy", "Value": "sre"}]})
    calls = Calls(cw)
    current = deploy.read_current(cw, desired, MOTO_KINDS)
    assert calls.names.count("ListTagsForResource") == len(desired.metric_alarms) + len(theirs)
    assert set(current.tags) == set(desired.metric_alarms) | set(theirs)
    assert 1 < len(calls.threads) <= deploy.TAG_READERS + 1 and calls.most_in_flight <= deploy.TAG_READERS
    assert not [c for c in deploy.plan(desired, current, MOTO_KINDS, all_services=True) if c.action == "delete"]
    serial = Calls(cw)
    assert deploy.read_current(cw, desired, MOTO_KINDS, workers=1).tags == current.tags
    assert len(serial.threads) == 1


def test_dashboards_round_trip(endpoint: str, desired: deploy.Desired) -> None:
    run_apply(endpoint, desired)
    cw = deploy.clients("us-east-1", None, endpoint).cloudwatch
    for name, request in desired.dashboards.items():
        assert json.loads(cw.get_dashboard(DashboardName=name)["DashboardBody"]) == json.loads(request["DashboardBody"])
    cw.put_dashboard(DashboardName="sre-slo-api", DashboardBody=json.dumps({"widgets": []}))
    changes = {c.name: c for c in deploy.plan(desired, deploy.read_current(cw, desired, MOTO_KINDS), MOTO_KINDS)}
    assert changes["sre-slo-api"].action == "update"


# ---- the command ------------------------------------------------------------------------------------


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, ["cloudwatch", *args], catch_exceptions=False)


def test_cli_exit_codes(endpoint: str, tmp_path: Path, prod_values_file: Path) -> None:
    common = ["--specs", str(REPO / "slo"), "--endpoint-url", endpoint, "--region", "us-east-1"]
    common += ["--values", str(prod_values_file)]
    only = ["--only", "metric-alarm", "--only", "dashboard"]
    result = invoke("diff", *common, *only)
    assert result.exit_code == 1 and "create    metric-alarm" in result.output
    dry = invoke("apply", *common, *only, "--dry-run")
    assert dry.exit_code == 0 and "dry run" in dry.output
    assert invoke("diff", *common, *only).exit_code == 1  # the dry run wrote nothing
    applied = invoke("apply", *common, *only, "--create-topics")
    assert applied.exit_code == 0, applied.output
    assert invoke("diff", *common, *only).exit_code == 0
    assert invoke("prune", *common, *only).exit_code == 0

    # Composites hit moto's missing PutCompositeAlarm: a partial failure, listed, exit 1.
    partial = invoke("apply", *common, "--max-attempts", "1")
    assert partial.exit_code == 1
    assert "FAILED    create    composite-alarm" in partial.output
    assert "apply incomplete" in partial.output


def test_cli_bad_input_exits_2(tmp_path: Path) -> None:
    result = invoke("diff", "--generated", str(tmp_path))
    assert result.exit_code == 2 and "run `sre generate`" in result.output
    broken = tmp_path / "alarms" / "cloudwatch"
    broken.mkdir(parents=True)
    (broken / "api.json").write_text('{"service": "api", "metric_alarms": {}, "composite_alarms": {"x": {}}}')
    result = invoke("diff", "--generated", str(tmp_path))
    assert result.exit_code == 2 and "composite_alarms.x.AlarmName: required field is missing" in result.output


def test_cli_unreachable_exits_3(prod_values_file: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    result = invoke(
        "diff",
        "--specs",
        str(REPO / "slo"),
        "--endpoint-url",
        dead,
        "--region",
        "us-east-1",
        "--max-attempts",
        "1",
        "--values",
        str(prod_values_file),
    )
    assert result.exit_code == 3 and "AWS unreachable" in result.output


def test_generated_files_are_the_same_state_as_the_specs(specs: SpecSet, desired: deploy.Desired) -> None:
    from_files = deploy.from_generated(REPO, PROD_VALUES)
    assert from_files.metric_alarms == desired.metric_alarms
    assert from_files.composite_alarms == desired.composite_alarms
    assert from_files.dashboards == desired.dashboards


# ---- composites and failures with Stubber -----------------------------------------------------------


def stubbed() -> tuple[Any, Stubber]:
    cw = deploy.clients("us-east-1", None, "http://127.0.0.1:9").cloudwatch  # never contacted: the stubber answers
    return cw, Stubber(cw)


def test_composites_are_put_exactly_and_in_dependency_order(desired: deploy.Desired) -> None:
    only_db = deploy.Desired(
        composite_alarms={k: v for k, v in desired.composite_alarms.items() if k.startswith("db-errors")}
    )
    changes = deploy.plan(only_db, deploy.Current(), (deploy.COMPOSITE,))
    order = deploy.composite_order(only_db.composite_alarms, only_db.composite_alarms)
    assert order.index("db-errors-page-any") > order.index("db-errors-page-1h-5m")
    assert order.index("db-errors-ticket-1d-2h") > order.index("db-errors-page-any")
    cw, stub = stubbed()
    for name in order:
        stub.add_response("put_composite_alarm", {}, expected_params=only_db.composite_alarms[name])
    with stub:
        report = deploy.apply(cw, only_db, deploy.Current(), changes)
    stub.assert_no_pending_responses()
    assert report.ok and [c.name for c in report.applied] == order


def _described_composite(request: dict[str, Any]) -> dict[str, Any]:
    described = {k: v for k, v in request.items() if k != "Tags"}
    described["AlarmArn"] = f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{request['AlarmName']}"
    described.setdefault("OKActions", [])
    described.setdefault("AlarmActions", [])
    described.setdefault("InsufficientDataActions", [])
    return described


def test_composites_unchanged_and_tag_only_update_via_stubber(desired: deploy.Desired) -> None:
    name = "db-errors-page-1h-5m"
    request = desired.composite_alarms[name]
    only = deploy.Desired(composite_alarms={name: request}, scope=desired.scope)
    described = _described_composite(request)
    cw, stub = stubbed()
    stub.add_response("describe_alarms", {"MetricAlarms": [], "CompositeAlarms": [described]})
    stub.add_response(
        "list_tags_for_resource",
        {"Tags": [t for t in request["Tags"] if t["Key"] != "severity"]},
        {"ResourceARN": described["AlarmArn"]},
    )
    stub.add_response(
        "tag_resource", {}, {"ResourceARN": described["AlarmArn"], "Tags": [{"Key": "severity", "Value": "page"}]}
    )
    with stub:
        current = deploy.read_current(cw, only, (deploy.COMPOSITE,))
        changes = deploy.plan(only, current, (deploy.COMPOSITE,))
        assert [(c.action, c.fields) for c in changes] == [("update", ("Tags",))]
        report = deploy.apply(cw, only, current, changes)
    stub.assert_no_pending_responses()
    assert report.ok


def test_failure_after_retries_is_reported_and_the_rest_applied(desired: deploy.Desired) -> None:
    names = sorted(desired.metric_alarms)[:3]
    subset = deploy.Desired(metric_alarms={n: desired.metric_alarms[n] for n in names})
    changes = deploy.plan(subset, deploy.Current(), (deploy.METRIC,))
    cw, stub = stubbed()
    stub.add_response("put_metric_alarm", {}, subset.metric_alarms[names[0]])
    stub.add_client_error("put_metric_alarm", "Throttling", "Rate exceeded", http_status_code=400)
    stub.add_response("put_metric_alarm", {}, subset.metric_alarms[names[2]])
    with stub:
        report = deploy.apply(cw, subset, deploy.Current(), changes)
    assert [c.name for c in report.applied] == [names[0], names[2]]
    assert [(c.name, err.split(":")[0]) for c, err in report.failed] == [(names[1], "Throttling")]
    assert not report.ok and any("FAILED" in line and names[1] in line for line in report.lines())


def test_clients_use_standard_retry_mode() -> None:
    aws = deploy.clients("us-east-1", None, None, max_attempts=7)
    for client in (aws.cloudwatch, aws.sns(), aws.sns("eu-west-1")):
        assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 7}


def test_unreachable_mid_apply_reports_everything_not_done(desired: deploy.Desired) -> None:
    cw = deploy.clients("us-east-1", None, f"http://127.0.0.1:{free_port()}", max_attempts=1).cloudwatch
    subset = deploy.Desired(metric_alarms=dict(list(desired.metric_alarms.items())[:4]))
    changes = deploy.plan(subset, deploy.Current(), (deploy.METRIC,))
    report = deploy.apply(cw, subset, deploy.Current(), changes)
    assert report.unreachable and report.applied == [] and len(report.not_attempted) == 4


def test_prune_deletes_composites_before_their_children() -> None:
    changes = [
        deploy.Change(deploy.METRIC, "a-long", "delete"),
        deploy.Change(deploy.COMPOSITE, "a", "delete"),
        deploy.Change(deploy.METRIC, "keep", "unchanged"),
    ]
    cw, stub = stubbed()
    stub.add_response("delete_alarms", {}, {"AlarmNames": ["a"]})
    stub.add_response("delete_alarms", {}, {"AlarmNames": ["a-long"]})
    with stub:
        report = deploy.prune(cw, changes)
    stub.assert_no_pending_responses()
    assert report.ok and [c.name for c in report.applied] == ["a", "a-long"]


class _Throttling(http.server.BaseHTTPRequestHandler):
    """CloudWatch answering every call with Throttling (in the JSON protocol botocore speaks to it)."""

    requests = 0
    BODY = json.dumps({"__type": "Throttling", "message": "Rate exceeded"}).encode()

    def do_POST(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(self.BODY)))
        self.end_headers()
        self.wfile.write(self.BODY)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.mark.parametrize("command", ["diff", "apply", "prune"])
def test_throttled_read_is_retried_then_exit_3(command: str, prod_values_file: Path) -> None:
    """Issue 17 item 14: a throttled read was exit 2, "bad input"; it is AWS's, retried, then 3."""
    _Throttling.requests = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = invoke(
            command,
            *("--specs", str(REPO / "slo"), "--values", str(prod_values_file), "--region", "us-east-1"),
            *("--endpoint-url", f"http://127.0.0.1:{server.server_address[1]}", "--max-attempts", "3"),
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 3, result.output
    assert "Throttling: Rate exceeded (retried 2 time(s))" in result.output and "Traceback" not in result.output
    assert _Throttling.requests == 3
