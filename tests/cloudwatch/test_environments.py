"""Environment placeholders: the generated files name no environment, each environment fills them.

The files are read by Terraform as `jsondecode(templatefile(path, sre_values))`; `terraform_fill`
below is that, written independently of `sre_cli.placeholders`: `${name}` replaced, an unknown
name or any other template sequence an error.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from sre_cli import placeholders
from sre_cli.cli import cli
from sre_cli.deploy import cloudwatch as deploy
from sre_cli.slospec.load import load
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.cloudwatch import alarms, dashboards
from tests.support import cloudwatch_eval
from tests.support.env_values import DEV_VALUES, PROD_VALUES
from tests.support.moto_server import FAKE_CREDENTIALS, moto_server

from .conftest import REPO, slo_named

GENERATED = [
    *sorted((REPO / "alarms" / "cloudwatch").glob("*.json")),
    *sorted(REPO.glob("dashboards/cloudwatch/*.json")),
]


def terraform_fill(text: str, values: dict[str, str]) -> Any:
    """templatefile + jsondecode: interpolations must be plain names with a value; no directives."""

    def substitute(match: re.Match[str]) -> str:
        inner = match.group(2)
        if match.group(1) == "%":
            raise AssertionError(f"template directive %{{{inner}}} in a generated file")
        if inner not in values:
            raise KeyError(f"vars map does not contain key {inner!r}")
        return values[inner]

    # Terraform's escapes $${ and %%{ would be literal; a generated file must not need them.
    assert "$${" not in text and "%%{" not in text
    return json.loads(re.sub(r"([$%])\{([^}]*)\}", substitute, text))


# ---- no environment in the committed output --------------------------------------------------------


def test_generated_files_name_no_environment() -> None:
    assert GENERATED
    for path in GENERATED:
        text = path.read_text()
        assert not re.search(r"(?<!\d)\d{12}(?!\d)", text), f"{path}: an account id"
        assert not re.search(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]+:\d", text), f"{path}: a concrete ARN"
        assert "arn:aws:sns" not in text and "arn:aws:states" not in text, path
        assert "sre-prod" not in text and "sre-dev" not in text, path


def _dimension_values(desired: deploy.Desired) -> set[str]:
    values = {
        d["Value"]
        for alarm in desired.metric_alarms.values()
        for q in alarm["Metrics"]
        if "MetricStat" in q
        for d in q["MetricStat"]["Metric"]["Dimensions"]
    }
    for request in desired.dashboards.values():
        for widget in json.loads(request["DashboardBody"])["widgets"]:
            for row in widget["properties"].get("metrics", []):
                strings = [x for x in row if isinstance(x, str)]
                values.update(strings[3::2])  # namespace, name, then (dimension name, value) pairs
    return values


def _actions(desired: deploy.Desired) -> set[str]:
    every = [*desired.metric_alarms.values(), *desired.composite_alarms.values()]
    return {arn for alarm in every for key in deploy.ACTION_LISTS for arn in alarm.get(key, [])}


@pytest.mark.parametrize(
    ("env", "values", "other"), [("dev", DEV_VALUES, PROD_VALUES), ("prod", PROD_VALUES, DEV_VALUES)]
)
def test_each_environment_watches_its_own_resources(env: str, values: dict[str, str], other: dict[str, str]) -> None:
    texts = {str(p): p.read_text() for p in GENERATED}
    desired = deploy.from_texts(texts, values, f"{env}.json")
    identities = {
        "api_alb_arn_suffix",
        "api_target_group_arn_suffix",
        "state_machine_arn",
        "batch_job_queue_name",
    }
    assert _dimension_values(desired) - {"api", "timeout", "connection"} == {values[k] for k in identities}
    assert _actions(desired) == {values["page_topic_arn"], values["ticket_topic_arn"]}
    alarm_arns = {
        arn
        for request in desired.dashboards.values()
        for widget in json.loads(request["DashboardBody"])["widgets"]
        for arn in widget["properties"].get("alarms", [])
    }
    prefix = f"arn:aws:cloudwatch:{values['aws_region']}:{values['aws_account_id']}:alarm:"
    assert alarm_arns and all(arn.startswith(prefix) for arn in alarm_arns)
    everything = json.dumps([desired.metric_alarms, desired.composite_alarms, desired.dashboards])
    for key, foreign in other.items():
        if key != "aws_region" or foreign != values[key]:
            assert foreign not in everything, (env, key)
    # Terraform's templatefile reads the same files into the same requests.
    for path, text in texts.items():
        doc = terraform_fill(text, values)
        if "/alarms/" in path:
            assert all(desired.metric_alarms[n] == a for n, a in doc["metric_alarms"].items())
        else:
            assert desired.dashboards[doc["DashboardName"]] == doc


# ---- user text stays data ----------------------------------------------------------------------------

USER_TEXT = "Owner's note: ${x} is not a variable and %{ if true }neither is this%{ endif } (50% {braces})."


@pytest.fixture
def specs_with_template_text(tmp_path: Path) -> SpecSet:
    shutil.copytree(REPO / "slo", tmp_path / "slo")
    spec = tmp_path / "slo" / "api.yaml"
    text = spec.read_text().replace(
        "description: 99.9% of API requests are answered with a 2xx (2xx/total).",
        f"description: {json.dumps(USER_TEXT)}",
    )
    spec.write_text(text)
    defaults = tmp_path / "slo" / "defaults.yaml"
    defaults.write_text(
        defaults.read_text().replace(
            "runbookBaseUrl: https://github.com/acme/sre/blob/main/", "runbookBaseUrl: https://x/${y}/"
        )
    )
    specs = load([tmp_path / "slo"])
    assert not specs.errors, specs.errors
    return specs


def test_literal_template_syntax_in_user_text_round_trips(specs_with_template_text: SpecSet) -> None:
    files = {**alarms.render(specs_with_template_text), **dashboards.render(specs_with_template_text)}
    api_alarms = files["alarms/cloudwatch/api.json"]
    assert "$\\u007bx}" not in api_alarms  # the description is not in the alarms; the runbook URL is
    assert "https://x/$\\u007by}/" in api_alarms
    decoded = terraform_fill(api_alarms, PROD_VALUES)
    composite = decoded["composite_alarms"]["api-availability-page-1h-5m"]
    assert "Runbook: https://x/${y}/runbooks/api-availability.md#page" in composite["AlarmDescription"]
    board = terraform_fill(files["dashboards/cloudwatch/api.json"], PROD_VALUES)
    body = json.loads(board["DashboardBody"])
    header = body["widgets"][0]["properties"]["markdown"]
    assert USER_TEXT in header.splitlines()
    # Filled by sre itself: the same requests.
    desired = deploy.from_texts(files, PROD_VALUES, "prod.json")
    assert desired.dashboards[board["DashboardName"]] == board


def test_template_json_escapes_only_non_identity_strings() -> None:
    doc = {"a": "${x} and %{y}", "b": placeholders.Identity("${page_topic_arn}"), "c": ["$", "{", "$${z}"]}
    text = placeholders.template_json(doc, lambda d: json.dumps(d, sort_keys=True))
    assert "${page_topic_arn}" in text and "${x}" not in text and "%{y}" not in text
    assert json.loads(text) == doc


# ---- spec syntax --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("${api_alb_arn_suffix", "unclosed placeholder"),
        ("${Api}", "bad placeholder name 'Api'"),
        ("app/${1x}/y", "bad placeholder name '1x'"),
        ("%{ if x }", "template directive"),
    ],
)
def test_bad_placeholder_is_a_spec_error_with_its_position(tmp_path: Path, value: str, message: str) -> None:
    shutil.copytree(REPO / "slo", tmp_path / "slo")
    spec = tmp_path / "slo" / "batch.yaml"
    spec.write_text(spec.read_text().replace('"${batch_job_queue_name}"', json.dumps(value)))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "slo")])
    assert result.exit_code == 2
    line = next(i for i, t in enumerate(spec.read_text().splitlines(), 1) if "JobQueue" in t)
    field = "spec.indicator.threshold.cloudwatch.metric.dimensions.JobQueue"
    assert re.search(rf"batch\.yaml:{line}:\d+: {re.escape(field)}: .*{re.escape(message)}", result.output), (
        result.output
    )


def test_bad_topic_placeholder_in_defaults_is_an_error(tmp_path: Path) -> None:
    shutil.copytree(REPO / "slo", tmp_path / "slo")
    defaults = tmp_path / "slo" / "defaults.yaml"
    defaults.write_text(defaults.read_text().replace('"${ticket_topic_arn}"', '"${ticket-topic}"'))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "slo")])
    assert result.exit_code == 2
    line = next(i for i, t in enumerate(defaults.read_text().splitlines(), 1) if "${ticket-topic}" in t)
    assert re.search(
        rf"defaults\.yaml:{line}:\d+: notificationTargets\.ticket\.snsTopicArn: .*bad placeholder", result.output
    )


# ---- the commands refuse to send placeholders ---------------------------------------------------------


def _cw(*args: str) -> Any:
    return CliRunner().invoke(cli, ["cloudwatch", *args], catch_exceptions=False)


@pytest.mark.parametrize("verb", ["diff", "apply", "prune"])
def test_without_values_nothing_is_sent(verb: str) -> None:
    # An endpoint nobody listens on: reaching it would be exit 3, not 2.
    result = _cw(verb, "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9", "--specs", str(REPO / "slo"))
    assert result.exit_code == 2
    assert "no --values file" in result.output and "page_topic_arn" in result.output


def test_values_missing_a_name_or_unusable_exit_2(tmp_path: Path) -> None:
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({k: v for k, v in PROD_VALUES.items() if k != "state_machine_arn"}))
    result = _cw("diff", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9", "--values", str(partial))
    assert result.exit_code == 2
    assert f"{partial}: no value for placeholder(s) state_machine_arn" in result.output
    for content, reason in [
        ("[1, 2]", "expected a JSON object of strings"),
        ('{"page_topic_arn": 5}', "page_topic_arn: not a string"),
        ('{"page_topic_arn": "a\\"b"}', "quote, backslash"),
        ("{nope", "not JSON"),
    ]:
        bad = tmp_path / "bad.json"
        bad.write_text(content)
        result = _cw("diff", "--generated", str(REPO), "--values", str(bad))
        assert result.exit_code == 2 and str(bad) in result.output and reason in result.output, result.output
    result = _cw("diff", "--values", str(tmp_path / "absent.json"))
    assert result.exit_code == 2 and "absent.json: cannot read" in result.output


def test_report_needs_values_for_cloudwatch() -> None:
    result = CliRunner().invoke(
        cli, ["slo", "report", "--backend", "cloudwatch", "--region", "us-east-1", "--specs", str(REPO / "slo")]
    )
    assert result.exit_code == 2 and "no --values file" in result.output and "state_machine_arn" in result.output


# ---- metrics absent --------------------------------------------------------------------------------------


def test_every_slo_has_a_metrics_absent_alarm_that_tickets(specs: SpecSet) -> None:
    desired = deploy.from_specs(specs, PROD_VALUES)
    for slo in specs.slos:
        alarm = desired.metric_alarms[f"{slo.name}-metrics-absent"]
        assert alarm["AlarmActions"] == alarm["OKActions"] == [PROD_VALUES["ticket_topic_arn"]]
        assert alarm["TreatMissingData"] == "breaching"
        assert f"{slo.runbook_url}#metrics-absent" in alarm["AlarmDescription"]
        assert {t["Key"]: t["Value"] for t in alarm["Tags"]}["severity"] == "ticket"


def test_metrics_absent_fires_on_silence_only(specs: SpecSet) -> None:
    alarm = alarms.absent_alarm(specs, slo_named(specs, "sfn-success"))
    ids = [q["Id"] for q in alarm["Metrics"] if "MetricStat" in q]
    assert len(ids) == 4  # succeeded, failed, timed out, aborted
    silent = {i: [None] * 3 for i in ids}
    assert cloudwatch_eval.alarm_breaching(alarm, silent)
    # One outcome reporting is enough: the others are sparse counts.
    assert not cloudwatch_eval.alarm_breaching(alarm, {**silent, ids[1]: [None, None, 3.0]})


def test_a_total_outage_pages_when_only_the_alb_reports(specs: SpecSet) -> None:
    """Targets gone: no 2xx, no per-target-group RequestCount, only the ALB's own 5xx."""
    slo = slo_named(specs, "api-availability")
    metric, composite = alarms.slo_alarms(specs, slo)
    page = next(t for t in slo.tiers if t.name == "page")
    states: dict[str, bool] = {}
    for name, alarm in metric.items():
        if name.endswith("-metrics-absent"):
            continue
        data = {}
        for q in alarm["Metrics"]:
            if "MetricStat" in q:
                n = alarm["EvaluationPeriods"]
                elb = q["MetricStat"]["Metric"]["MetricName"] == "HTTPCode_ELB_5XX_Count"
                data[q["Id"]] = [500.0 * q["MetricStat"]["Period"] / 60 if elb else None] * n
        states[name] = cloudwatch_eval.alarm_breaching(alarm, data)
    fired = {
        alarms.pair_name(slo, page, w)
        for w in page.windows
        if cloudwatch_eval.composite_firing(composite[alarms.pair_name(slo, page, w)]["AlarmRule"], states)
    }
    assert fired == {alarms.pair_name(slo, page, w) for w in page.windows}


# ---- on moto: the absent alarms exist and alarm on silence --------------------------------------------


@pytest.fixture
def moto_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for key, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with moto_server() as url:
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10)
        yield url


@pytest.mark.e2e
def test_absent_alarms_are_deployed_per_slo_on_moto(moto_env: str, specs: SpecSet, prod_values_file: Path) -> None:
    result = _cw(
        "apply", "--region", "us-east-1", "--endpoint-url", moto_env, "--values", str(prod_values_file),
        "--only", "metric-alarm", "--create-topics",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cw = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=moto_env)
    found = {a["AlarmName"]: a for page in cw.get_paginator("describe_alarms").paginate() for a in page["MetricAlarms"]}
    for slo in specs.slos:
        alarm = found[f"{slo.name}-metrics-absent"]
        assert alarm["AlarmActions"] == [PROD_VALUES["ticket_topic_arn"]]
        assert alarm["TreatMissingData"] == "breaching"
        dims = {
            d["Value"] for q in alarm["Metrics"] if "MetricStat" in q for d in q["MetricStat"]["Metric"]["Dimensions"]
        }
        assert not any("${" in v for v in dims) and dims
