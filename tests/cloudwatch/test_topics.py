"""Issue 17 item 13: `sre cloudwatch apply --create-topics` on moto's server.

Each topic is created in the region its ARN names (not the client's), only in the credentials'
account, and listed in the output; an AWS error (IAM denying any of the calls it makes) is one
line and exit 3 with nothing written, a topic of another account exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from moto.core.authorization import enable_iam_authentication

from sre_cli.cli import cli

from .conftest import PROD_VALUES, REPO

ACCOUNT = "123456789012"  # moto's
ONLY = ("--only", "metric-alarm")

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _fake_credentials(fake_credentials: None) -> None:
    """Every test here talks to moto's server through real boto3 clients (moto_url, endpoint: tests/conftest.py)."""


def values_file(tmp_path: Path, **topics: str) -> Path:
    path = tmp_path / "values.json"
    path.write_text(json.dumps({**PROD_VALUES, **topics}))
    return path


def apply(endpoint: str, values: Path, *extra: str) -> Any:
    args = ["apply", "--specs", str(REPO / "slo"), "--endpoint-url", endpoint, "--region", "us-east-1"]
    return CliRunner().invoke(cli, ["cloudwatch", *args, "--values", str(values), *ONLY, *extra])


def topics_in(endpoint: str, region: str) -> set[str]:
    sns = boto3.client("sns", region_name=region, endpoint_url=endpoint)
    return {t["TopicArn"] for t in sns.list_topics()["Topics"]}


def alarm_count(endpoint: str) -> int:
    cw = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=endpoint)
    return len(cw.describe_alarms()["MetricAlarms"])


def test_topics_are_created_in_their_arns_region_and_printed(endpoint: str, tmp_path: Path) -> None:
    page = f"arn:aws:sns:eu-west-1:{ACCOUNT}:sre-prod-page"
    ticket = f"arn:aws:sns:ap-southeast-2:{ACCOUNT}:sre-prod-ticket"
    values = values_file(tmp_path, page_topic_arn=page, ticket_topic_arn=ticket)
    result = apply(endpoint, values, "--create-topics")
    assert result.exit_code == 0, result.output
    assert f"created   sns-topic       {page}" in result.output
    assert f"created   sns-topic       {ticket}" in result.output
    assert topics_in(endpoint, "eu-west-1") == {page}
    assert topics_in(endpoint, "ap-southeast-2") == {ticket}
    assert topics_in(endpoint, "us-east-1") == set()  # the client's region
    again = apply(endpoint, values, "--create-topics")
    assert again.exit_code == 0 and "created" not in again.output


def test_a_topic_of_another_account_is_not_created(endpoint: str, tmp_path: Path) -> None:
    values = values_file(tmp_path, ticket_topic_arn="arn:aws:sns:us-east-1:111111111111:sre-dev-ticket")
    result = apply(endpoint, values, "--create-topics")
    assert result.exit_code == 2, result.output
    assert "111111111111" in result.output and ACCOUNT in result.output and "Traceback" not in result.output
    assert alarm_count(endpoint) == 0  # stopped before any alarm
    assert topics_in(endpoint, "us-east-1") == set()  # and before the page topic, which it could create


# (sts:GetCallerIdentity cannot be denied: AWS and moto answer it whatever the policy says.)
@pytest.mark.parametrize("denied", ["sns:CreateTopic", "sns:GetTopicAttributes", "sns:*"])
def test_an_aws_error_creating_topics_is_one_line_exit_3(
    endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, denied: str
) -> None:
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=endpoint)
    iam.create_user(UserName="deployer")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": denied, "Resource": "*"},
        ],
    }
    iam.put_user_policy(UserName="deployer", PolicyName="no-topics", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="deployer")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    with enable_iam_authentication():
        result = apply(endpoint, values_file(tmp_path), "--create-topics", "--max-attempts", "1")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors and "creating the SNS topics failed" in errors[0] and "\n" not in errors[0]
    assert alarm_count(endpoint) == 0
