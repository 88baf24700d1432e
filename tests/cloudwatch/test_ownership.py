"""Issue 17 item 2: `sre cloudwatch prune` and `diff` touch only what this spec set owns.

Ownership is the pair of tags ManagedBy=sre and `sre:scope=<spec set>/<environment>`; prune
deletes only alarms of the run's scope and of the services its desired alarms belong to (unless
--all-services), and refuses an empty desired state. Foreign alarms of every kind (no tags, another
tool, an older sre without a scope, another repository, another environment, another service) are
put on moto's server next to ours and must survive, whatever their names look like.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.deploy import cloudwatch as deploy
from sre_cli.slospec.load import load
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.cloudwatch import alarms

from .conftest import PROD_VALUES, REPO

SCOPE = "github.com/acme/sre/prod"  # runbookBaseUrl's repository, prod's `environment`
ONLY = ("--only", "metric-alarm", "--only", "dashboard")  # moto has no PutCompositeAlarm

pytestmark = pytest.mark.e2e


# ---- the scope tag --------------------------------------------------------------------------------


def test_every_generated_alarm_carries_the_scope_placeholder(specs: SpecSet) -> None:
    docs = alarms.render_documents(specs)
    every = [a for d in docs.values() for kind in ("metric_alarms", "composite_alarms") for a in d[kind].values()]
    assert every
    for alarm in every:
        tags = {t["Key"]: t["Value"] for t in alarm["Tags"]}
        assert tags[alarms.SCOPE_TAG] == "github.com/acme/sre/${environment}"
    committed = (REPO / "alarms" / "cloudwatch" / "api.json").read_text()
    assert '"sre:scope", "Value": "github.com/acme/sre/${environment}"' in committed


@pytest.mark.parametrize(
    ("runbook_base_url", "expected"),
    [
        ("https://github.com/acme/sre/blob/main/", "github.com/acme/sre"),
        ("https://github.com/acme/sre/tree/release/1.x/docs/", "github.com/acme/sre"),
        ("https://gitlab.example.com/group/sub/repo/-/blob/main/", "gitlab.example.com/group/sub/repo"),
        ("https://bitbucket.org/acme/sre/src/main/", "bitbucket.org/acme/sre"),
        ("https://git.example.com:8443/acme/sre/raw/main/", "git.example.com/acme/sre"),
        ("https://wiki.example.com/runbooks/", "wiki.example.com/runbooks"),
        ("https://wiki.example.com/", "wiki.example.com"),
        ("https://wiki.example.com/a~b/%20c/", "wiki.example.com/a-b/-20c"),
        ("runbooks/", "local"),
        ("", "local"),
        ("../docs/runbooks/", "local"),
    ],
)
def test_spec_set_id_is_the_runbooks_repository(tmp_path: Path, runbook_base_url: str, expected: str) -> None:
    specs = _spec_set(tmp_path, runbook_base_url)
    assert alarms.spec_set_id(specs) == expected
    assert deploy.check_scope(f"{expected}/prod")  # always a valid tag value


def test_long_spec_set_ids_stay_valid_and_distinct(tmp_path: Path) -> None:
    a = alarms.spec_set_id(_spec_set(tmp_path / "a", "https://example.com/" + "a" * 300 + "/x/"))
    b = alarms.spec_set_id(_spec_set(tmp_path / "b", "https://example.com/" + "a" * 300 + "/y/"))
    assert a != b and len(a) <= alarms.SPEC_SET_MAX and len(b) <= alarms.SPEC_SET_MAX
    assert deploy.check_scope(f"{a}/production")


def _spec_set(directory: Path, runbook_base_url: str) -> SpecSet:
    directory.mkdir(parents=True, exist_ok=True)
    defaults = (REPO / "slo" / "defaults.yaml").read_text()
    defaults = defaults.replace("runbookBaseUrl: https://github.com/acme/sre/blob/main/", "")
    (directory / "defaults.yaml").write_text(f"runbookBaseUrl: {json.dumps(runbook_base_url)}\n{defaults}")
    shutil.copy(REPO / "slo" / "db.yaml", directory / "db.yaml")
    specs = load([directory])
    assert not specs.errors, specs.errors
    return specs


# ---- who owns what (pure) ---------------------------------------------------------------------------

OURS = {"ManagedBy": "sre", alarms.SCOPE_TAG: SCOPE, "service": "api"}


@pytest.mark.parametrize(
    ("tags", "all_services", "prunable"),
    [
        ({}, False, False),
        ({}, True, False),
        ({"ManagedBy": "terraform", alarms.SCOPE_TAG: SCOPE, "service": "api"}, True, False),
        ({"managedby": "sre", alarms.SCOPE_TAG: SCOPE, "service": "api"}, True, False),
        ({"ManagedBy": "SRE", alarms.SCOPE_TAG: SCOPE, "service": "api"}, True, False),
        ({"ManagedBy": "sre"}, True, False),  # an older sre, no scope: never deleted
        ({"ManagedBy": "sre", "service": "api"}, True, False),
        ({**OURS, alarms.SCOPE_TAG: "github.com/other/repo/prod"}, True, False),  # another repository
        ({**OURS, alarms.SCOPE_TAG: "github.com/acme/sre/dev"}, True, False),  # another environment
        ({**OURS, alarms.SCOPE_TAG: "GitHub.com/acme/sre/prod"}, True, False),
        ({**OURS, alarms.SCOPE_TAG: SCOPE + "/x"}, True, False),
        ({**OURS, alarms.SCOPE_TAG: SCOPE[:-1]}, True, False),
        ({**OURS, alarms.SCOPE_TAG: ""}, True, False),
        ({**OURS, "service": "db"}, False, False),  # another service of this scope
        ({k: v for k, v in OURS.items() if k != "service"}, False, False),
        ({**OURS, "service": "db"}, True, True),
        ({k: v for k, v in OURS.items() if k != "service"}, True, True),
        (OURS, False, True),
        ({**OURS, "team": "x"}, False, True),
    ],
)
def test_only_alarms_of_the_scope_and_its_services_are_deleted(
    tags: dict[str, str], all_services: bool, prunable: bool
) -> None:
    desired = deploy.Desired(metric_alarms={"api-x-page-1h-5m-long": _alarm("api-x-page-1h-5m-long", OURS)})
    desired = deploy.scoped(desired)
    name = "api-gone-page-1h-5m-long"
    current = deploy.Current(
        metric_alarms={name: {"AlarmName": name, "AlarmArn": f"arn:aws:cloudwatch:us-east-1:1:alarm:{name}"}},
        tags={name: tags},
    )
    deletes = [c.name for c in deploy.plan(desired, current, all_services=all_services) if c.action == "delete"]
    assert deletes == ([name] if prunable else [])


def test_a_run_without_a_scope_owns_nothing() -> None:
    name = "api-gone-page-1h-5m-long"
    current = deploy.Current(metric_alarms={name: {"AlarmName": name}}, tags={name: OURS})
    assert [c for c in deploy.plan(deploy.Desired(), current, all_services=True) if c.action == "delete"] == []


def test_desired_alarms_must_name_one_scope() -> None:
    one = _alarm("a-page-1h-5m-long", OURS)
    other = _alarm("b-page-1h-5m-long", {**OURS, alarms.SCOPE_TAG: "github.com/acme/sre/dev"})
    none = _alarm("c-page-1h-5m-long", {"ManagedBy": "sre", "service": "api"})
    for mixed in ({"a": one, "b": other}, {"a": one, "c": none}):
        with pytest.raises(deploy.InputError):
            deploy.scoped(deploy.Desired(metric_alarms=mixed))
    rescoped = deploy.scoped(deploy.Desired(metric_alarms={"a": one, "c": none}), "github.com/acme/sre/staging")
    assert rescoped.scope == "github.com/acme/sre/staging"
    assert rescoped.alarm_scopes() == {"github.com/acme/sre/staging"}
    for bad in ("", "a" * 257, "has\nnewline", "no${x}", 'q"uote'):
        with pytest.raises(deploy.InputError):
            deploy.check_scope(bad)


def test_an_alarm_of_another_scope_is_a_conflict_not_overwritten() -> None:
    name = "api-x-page-1h-5m-long"
    desired = deploy.scoped(deploy.Desired(metric_alarms={name: _alarm(name, OURS)}))
    theirs = {**OURS, alarms.SCOPE_TAG: "github.com/other/repo/prod"}
    current = deploy.Current(metric_alarms={name: {"AlarmName": name}}, tags={name: theirs})
    changes = deploy.plan(desired, current)
    assert [(c.action, c.fields) for c in changes] == [("conflict", ("sre:scope=github.com/other/repo/prod",))]
    report = deploy.apply(None, desired, current, changes)  # no client: nothing may be called
    assert report.applied == [] and [c.name for c, _ in report.failed] == [name] and not report.ok


def _alarm(name: str, tags: dict[str, str]) -> dict[str, Any]:
    return {"AlarmName": name, "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}


# ---- on moto's server, through the command ----------------------------------------------------------


@pytest.fixture(autouse=True)
def _fake_credentials(fake_credentials: None) -> None:
    """Every test here talks to moto's server through real boto3 clients (moto_url, endpoint: tests/conftest.py)."""


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, ["cloudwatch", *args], catch_exceptions=False)


def _names(endpoint: str) -> set[str]:
    cw = deploy.clients("us-east-1", None, endpoint).cloudwatch
    return {a["AlarmName"] for p in cw.get_paginator("describe_alarms").paginate() for a in p["MetricAlarms"]}


FOREIGN = {
    "hand-made": {},
    "terraform-owned": {"ManagedBy": "terraform"},
    "legacy-slo-page-1h-5m-long": {"ManagedBy": "sre", "service": "api"},
    "other-repo-page-1h-5m-long": {**OURS, alarms.SCOPE_TAG: "github.com/other/repo/prod"},
    "other-repo-metrics-absent": {**OURS, alarms.SCOPE_TAG: "github.com/other/repo/prod"},
    "dev-slo-page-1h-5m-long": {**OURS, alarms.SCOPE_TAG: "github.com/acme/sre/dev"},
}
DB_ORPHAN = "db-gone-page-1h-5m-long"  # ours, of service db
API_ORPHAN = "api-gone-page-1h-5m-long"  # ours, of service api


@pytest.fixture
def account(endpoint: str, prod_values_file: Path) -> list[str]:
    """The repository's alarms applied, our orphans of two services, and every kind of foreign alarm."""
    common = ["--endpoint-url", endpoint, "--region", "us-east-1", "--values", str(prod_values_file)]
    applied = invoke("apply", "--specs", str(REPO / "slo"), *common, *ONLY)
    assert applied.exit_code == 0, applied.output
    cw = deploy.clients("us-east-1", None, endpoint).cloudwatch
    desired = deploy.from_specs(load([REPO / "slo"]), PROD_VALUES)
    template = {k: v for k, v in desired.metric_alarms["db-errors-page-1h-5m-long"].items() if k != "Tags"}
    for name, tags in {**FOREIGN, DB_ORPHAN: {**OURS, "service": "db"}, API_ORPHAN: OURS}.items():
        cw.put_metric_alarm(
            **{**template, "AlarmName": name, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        )
    return common


def test_prune_with_one_spec_file_deletes_only_that_services_orphans(endpoint: str, account: list[str]) -> None:
    before = _names(endpoint)
    one_file = ["--specs", str(REPO / "slo" / "api.yaml"), *account, *ONLY]
    diff = invoke("diff", *one_file)
    deletes = [line for line in diff.output.splitlines() if line.startswith("delete")]
    assert deletes == [f"delete    metric-alarm    {API_ORPHAN}"], diff.output
    assert not any(name in diff.output for name in [*FOREIGN, DB_ORPHAN])  # out of scope: not even shown
    pruned = invoke("prune", *one_file)
    assert pruned.exit_code == 0, pruned.output
    assert _names(endpoint) == before - {API_ORPHAN}  # db, batch, sfn alarms and every foreign one stay


def test_prune_all_services_stays_in_the_scope(endpoint: str, account: list[str]) -> None:
    before = _names(endpoint)
    pruned = invoke("prune", "--specs", str(REPO / "slo" / "api.yaml"), *account, *ONLY, "--all-services")
    assert pruned.exit_code == 0, pruned.output
    # Every other service's alarms of this scope are orphans for a run that knows only api.yaml.
    gone = before - _names(endpoint)
    assert {API_ORPHAN, DB_ORPHAN} <= gone
    assert not gone & set(FOREIGN)


def test_prune_of_the_whole_spec_set_keeps_foreign_alarms(endpoint: str, account: list[str]) -> None:
    pruned = invoke("prune", "--specs", str(REPO / "slo"), *account, *ONLY)
    assert pruned.exit_code == 0, pruned.output
    left = _names(endpoint)
    assert set(FOREIGN) <= left and not {API_ORPHAN, DB_ORPHAN} & left


def test_prune_of_another_environment_deletes_nothing_here(endpoint: str, account: list[str]) -> None:
    before = _names(endpoint)
    staging = [*account, "--scope", "github.com/acme/sre/staging"]
    assert invoke("prune", "--specs", str(REPO / "slo"), *staging, *ONLY, "--all-services").exit_code == 0
    assert _names(endpoint) == before


def test_prune_refuses_an_empty_desired_state(endpoint: str, account: list[str], tmp_path: Path) -> None:
    before = _names(endpoint)
    # A --generated folder without alarms.
    boards = tmp_path / "generated" / "dashboards" / "cloudwatch"
    boards.mkdir(parents=True)
    shutil.copy(REPO / "dashboards" / "cloudwatch" / "api.json", boards / "api.json")
    # Specs without any CloudWatch source.
    prom_only = tmp_path / "slo"
    prom_only.mkdir()
    shutil.copy(REPO / "slo" / "defaults.yaml", prom_only / "defaults.yaml")
    spec = (REPO / "slo" / "db.yaml").read_text()
    spec = spec[: spec.index("      cloudwatch:")] if "      cloudwatch:" in spec else spec
    (prom_only / "db.yaml").write_text(spec)
    assert load([prom_only]).ok and not deploy.from_specs(load([prom_only]), PROD_VALUES).alarm_names
    for source in (["--generated", str(tmp_path / "generated")], ["--specs", str(prom_only)]):
        for extra in ([], ["--all-services"], ["--all-services", "--scope", SCOPE], ["--allow-empty"]):
            result = invoke("prune", *source, *account, *extra)
            assert result.exit_code == 2, (source, extra, result.output)
            assert "Traceback" not in result.output
        assert _names(endpoint) == before
    # Asked for explicitly: every alarm of that scope, and nothing else.
    result = invoke("prune", "--specs", str(prom_only), *account, "--allow-empty", "--all-services", "--scope", SCOPE)
    assert result.exit_code == 0, result.output
    assert _names(endpoint) == set(FOREIGN)
