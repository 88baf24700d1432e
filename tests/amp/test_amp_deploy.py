"""`sre prometheus diff|apply|prune` against moto's server mode (real boto3 clients), busy retries with Stubber.

moto serves AMP workspaces and rule groups namespaces (Create/Put/Delete/List/Describe, tags), so
the namespace lifecycle runs against it; the ConflictException retry (AMP applies asynchronously,
so a namespace still being created refuses a Put) is driven through botocore's Stubber.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.commands.prometheus import default_scope
from sre_cli.deploy import amp
from sre_cli.deploy import aws_calls as calls
from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import SpecSet
from tests.support.repo_specs import REPO

SCOPE = "github.com/acme/sre:prod"
WRITES = ("Create", "Put", "Delete", "Tag", "Untag")

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _fake_credentials(fake_credentials: None) -> None:
    """Every test here talks to moto's server through real boto3 clients (moto_url, endpoint: tests/conftest.py)."""


@pytest.fixture
def workspace(endpoint: str) -> str:
    return str(amp.client("us-east-1", None, endpoint).create_workspace(alias="sre")["workspaceId"])


@pytest.fixture(scope="module")
def desired(repo_specs: SpecSet) -> dict[str, str]:
    return amp.from_specs(repo_specs)


class Calls:
    """Every AMP operation a client sends, via botocore's event hooks."""

    def __init__(self, client: Any):
        self.names: list[str] = []
        client.meta.events.register("before-call", lambda model, **_: self.names.append(model.name))

    @property
    def writes(self) -> list[str]:
        return [n for n in self.names if n.startswith(WRITES)]


def run_apply(endpoint: str, workspace: str, desired: dict[str, str], scope: str = SCOPE) -> tuple[Any, Calls]:
    client = amp.client("us-east-1", None, endpoint, max_attempts=2)
    calls_seen = Calls(client)
    current = amp.read_current(client, workspace, desired, scope)
    report = amp.apply(client, workspace, desired, amp.plan(desired, current, scope).changes, scope)
    return report, calls_seen


def namespaces(endpoint: str, workspace: str) -> dict[str, dict[str, Any]]:
    client = amp.client("us-east-1", None, endpoint)
    listed = client.list_rule_groups_namespaces(workspaceId=workspace)["ruleGroupsNamespaces"]
    return {
        n["name"]: {
            "tags": n.get("tags", {}),
            "data": client.describe_rule_groups_namespace(workspaceId=workspace, name=n["name"])["ruleGroupsNamespace"][
                "data"
            ].decode(),
        }
        for n in listed
    }


def test_desired_is_the_generated_rule_files_byte_for_byte(desired: dict[str, str]) -> None:
    files = sorted((REPO / "alarms" / "prometheus").glob("*.rules.yaml"))
    assert sorted(desired) == sorted(f.name.removesuffix(".rules.yaml") for f in files)
    for f in files:
        assert desired[f.name.removesuffix(".rules.yaml")] == f.read_text(encoding="utf-8")
    assert amp.from_generated(REPO / "alarms" / "prometheus") == desired


def test_first_apply_creates_every_namespace_second_makes_zero_writes(
    endpoint: str, workspace: str, desired: dict[str, str]
) -> None:
    first, seen = run_apply(endpoint, workspace, desired)
    assert first.ok, first.lines()
    assert seen.writes == ["CreateRuleGroupsNamespace"] * len(desired)
    present = namespaces(endpoint, workspace)
    assert {name: ns["data"] for name, ns in present.items()} == desired
    for ns in present.values():
        assert ns["tags"] == {"sre.dev/managed-by": "sre", "sre.dev/scope": SCOPE}

    second, seen = run_apply(endpoint, workspace, desired)
    assert second.ok and second.applied == []
    assert seen.writes == []
    assert "DescribeRuleGroupsNamespace" in seen.names  # compared, not assumed


def edited_specs(tmp_path: Path) -> SpecSet:
    """slo/ copied with one spec changed: db-errors' objective 99.95 -> 99.9."""
    shutil.copytree(REPO / "slo", tmp_path / "slo")
    db = tmp_path / "slo" / "db.yaml"
    text = db.read_text(encoding="utf-8")
    assert "objective: 99.95" in text
    db.write_text(text.replace("objective: 99.95", "objective: 99.9"), encoding="utf-8")
    return load_or_raise([tmp_path / "slo"])


def test_an_edited_spec_updates_exactly_its_namespace(
    endpoint: str, workspace: str, desired: dict[str, str], tmp_path: Path
) -> None:
    run_apply(endpoint, workspace, desired)
    edited = amp.from_specs(edited_specs(tmp_path))
    assert {n for n in desired if edited[n] != desired[n]} == {"db"}

    client = amp.client("us-east-1", None, endpoint)
    result = amp.plan(edited, amp.read_current(client, workspace, edited, SCOPE), SCOPE)
    assert [(c.action, c.name) for c in result.changes if c.writes] == [("update", "db")]
    # Rule-level: the objective and budget records changed in the db group, nothing added or removed.
    changed = {(r.sign, r.group, r.rule) for r in result.rule_changes["db"]}
    assert ("~", "slo-db-errors", "record slo:objective:ratio") in changed
    assert ("~", "slo-db-errors", "record slo:error_budget:ratio") in changed
    assert {sign for sign, _, _ in changed} == {"~"}

    report, seen = run_apply(endpoint, workspace, edited)
    assert report.ok and [c.name for c in report.applied] == ["db"]
    assert seen.writes == ["PutRuleGroupsNamespace"]
    assert namespaces(endpoint, workspace)["db"]["data"] == edited["db"]


def test_prune_removes_only_our_namespaces_of_this_scope(
    endpoint: str, workspace: str, desired: dict[str, str]
) -> None:
    client = amp.client("us-east-1", None, endpoint)
    rules = desired["api"].encode()
    client.create_rule_groups_namespace(workspaceId=workspace, name="hand-made", data=rules)
    client.create_rule_groups_namespace(
        workspaceId=workspace, name="other-team", data=rules, tags=amp.ownership_tags("github.com/acme/other")
    )
    client.create_rule_groups_namespace(  # managed-by without a scope: not provably ours
        workspaceId=workspace, name="unscoped", data=rules, tags={"sre.dev/managed-by": "sre"}
    )
    run_apply(endpoint, workspace, {**desired, "retired": desired["api"]})  # ours, then dropped from the specs

    seen = Calls(client)
    result = amp.plan(desired, amp.read_current(client, workspace, desired, SCOPE), SCOPE)
    assert [(c.action, c.name) for c in result.changes if c.writes] == [("delete", "retired")]
    report = amp.prune(client, workspace, result.changes)
    assert report.ok and [c.name for c in report.applied] == ["retired"]
    assert seen.writes == ["DeleteRuleGroupsNamespace"]
    assert set(namespaces(endpoint, workspace)) == {*desired, "hand-made", "other-team", "unscoped"}


def test_a_namespace_of_our_name_that_is_not_ours_is_a_conflict_left_alone(
    endpoint: str, workspace: str, desired: dict[str, str]
) -> None:
    client = amp.client("us-east-1", None, endpoint)
    foreign = "groups: []\n"
    client.create_rule_groups_namespace(workspaceId=workspace, name="api", data=foreign.encode())
    report, seen = run_apply(endpoint, workspace, desired)
    assert [(c.name, c.action) for c, _ in report.failed] == [("api", "conflict")]
    assert "api" not in {c.name for c in report.applied} and len(report.applied) == len(desired) - 1
    assert seen.writes.count("CreateRuleGroupsNamespace") == len(desired) - 1
    assert namespaces(endpoint, workspace)["api"]["data"] == foreign


def cli_run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["prometheus", *args], catch_exceptions=False)


def test_cli_diff_apply_diff_and_exit_codes(endpoint: str, workspace: str, tmp_path: Path) -> None:
    common = ["--amp-workspace", workspace, "--region", "us-east-1", "--endpoint-url", endpoint, "--scope", SCOPE]
    rules = str(REPO / "alarms" / "prometheus")
    before = cli_run("diff", "--generated", rules, *common)
    assert before.exit_code == 1, before.output
    assert "create    rule-namespace  api" in before.output
    assert "  + slo-api-availability: alert SLOBurnRate" in before.output  # rules, not a text diff

    applied = cli_run("apply", "--generated", rules, *common)
    assert applied.exit_code == 0, applied.output
    after = cli_run("diff", "--generated", rules, *common)
    assert after.exit_code == 0 and "unchanged rule-namespace  api" in after.output
    again = cli_run("apply", "--generated", rules, *common)
    assert again.exit_code == 0 and "apply: 0 change(s) applied" in again.output

    # An empty desired set would delete everything of the scope: refused without --allow-empty.
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = cli_run("prune", "--generated", str(empty), *common)
    assert refused.exit_code == 2 and "--allow-empty" in refused.output
    assert len(namespaces(endpoint, workspace)) == len(list((REPO / "alarms/prometheus").glob("*.rules.yaml")))
    allowed = cli_run("prune", "--generated", str(empty), "--allow-empty", *common)
    assert allowed.exit_code == 0, allowed.output
    assert namespaces(endpoint, workspace) == {}


def test_cli_unreachable_endpoint_exits_3() -> None:
    from sre_cli.promrun import free_port

    result = cli_run(
        "diff", "--amp-workspace", "ws-x", "--region", "us-east-1", "--scope", SCOPE,
        "--endpoint-url", f"http://127.0.0.1:{free_port()}", "--max-attempts", "1",
    )  # fmt: skip
    assert result.exit_code == 3 and "unreachable" in result.output


def test_cli_bad_rule_file_exits_2_naming_it(tmp_path: Path) -> None:
    (tmp_path / "api.rules.yaml").write_text("groups:\n- rules: []\n", encoding="utf-8")
    result = cli_run("diff", "--amp-workspace", "ws-x", "--generated", str(tmp_path), "--scope", SCOPE)
    assert result.exit_code == 2
    assert f"{tmp_path / 'api.rules.yaml'}: groups[0] has no name" in result.output


# ---- busy retries and partial failure (Stubber on a real client) -------------------------------


def test_busy_namespace_is_retried_with_backoff_and_a_failure_does_not_stop_the_rest() -> None:
    client = amp.client("us-east-1", None, "http://127.0.0.1:9", max_attempts=1)  # the stubber answers
    waits: list[float] = []
    changes = [
        calls.Change(amp.KIND, "api", "update"),
        calls.Change(amp.KIND, "batch", "update"),
        calls.Change(amp.KIND, "db", "create"),
    ]
    desired = {"api": "groups: []\n", "batch": "groups: []\n", "db": "groups: []\n"}
    ok = {"name": "x", "arn": "arn:aws:aps:us-east-1:1:rulegroupsnamespace/ws/x", "status": {"statusCode": "UPDATING"}}
    with Stubber(client) as stub:
        for _ in range(2):  # still being created: busy twice, then accepted
            stub.add_client_error("put_rule_groups_namespace", "ConflictException", http_status_code=409)
        expected = {"workspaceId": "ws", "name": "api", "data": b"groups: []\n"}
        stub.add_response("put_rule_groups_namespace", ok, expected)
        for _ in range(5):  # busy for good: gives up after the bounded attempts
            stub.add_client_error("put_rule_groups_namespace", "ConflictException", http_status_code=409)
        stub.add_client_error("create_rule_groups_namespace", "ValidationException", "bad rule", http_status_code=400)
        report = amp.apply(client, "ws", desired, changes, SCOPE, sleep=waits.append)
        stub.assert_no_pending_responses()
    assert [c.name for c in report.applied] == ["api"]
    assert [(c.name, msg.split(":")[0]) for c, msg in report.failed] == [
        ("batch", "ConflictException"),
        ("db", "ValidationException"),
    ]
    assert "gave up after 5 attempts" in report.failed[0][1]
    assert waits == [1.0, 2.0, 1.0, 2.0, 4.0, 8.0]  # doubling, bounded


@pytest.mark.parametrize(
    ("remote", "scope"),
    [
        ("https://github.com/acme/sre.git", "github.com/acme/sre"),
        ("https://user:secret@github.com/acme/sre", "github.com/acme/sre"),
        ("git@github.com:acme/sre.git", "github.com/acme/sre"),
        ("ssh://git@gitlab.example.com/platform/sre.git", "gitlab.example.com/platform/sre"),
    ],
)
def test_default_scope_is_the_git_remote_without_credentials(tmp_path: Path, remote: str, scope: str) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", remote], check=True)
    assert default_scope(str(tmp_path)) == scope


def test_no_remote_means_no_default_scope(tmp_path: Path) -> None:
    assert default_scope(str(tmp_path / "nowhere")) is None
