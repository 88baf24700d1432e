from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from sre_cli.slospec.model import Slo, SpecSet
from sre_cli.targets.cloudwatch import alarms

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def specs(repo_specs: SpecSet) -> SpecSet:
    """The shared `repo_specs` under this folder's name for them."""
    return repo_specs


@pytest.fixture(scope="session")
def _documents(specs: SpecSet) -> dict[str, dict[str, Any]]:
    return alarms.render_documents(specs)


@pytest.fixture
def documents(_documents: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Freshly copied per test, so tests may break them."""
    return copy.deepcopy(_documents)


def slo_named(specs: SpecSet, name: str) -> Slo:
    return next(s for s in specs.slos if s.name == name)


# What `terraform output -json sre_values` gives in each environment (made-up accounts; prod's is
# moto's default account, so the deploy tests' topics are found where moto creates them).
DEV_VALUES = {
    "api_alb_arn_suffix": "app/sre-dev-api/1111111111111111",
    "api_target_group_arn_suffix": "targetgroup/sre-dev-api/2a2a2a2a2a2a2a2a",
    "state_machine_arn": "arn:aws:states:eu-west-1:111111111111:stateMachine:sre-dev-pipeline",
    "batch_job_queue_name": "sre-dev-jobs",
    "page_topic_arn": "arn:aws:sns:eu-west-1:111111111111:sre-dev-page",
    "ticket_topic_arn": "arn:aws:sns:eu-west-1:111111111111:sre-dev-ticket",
    "aws_region": "eu-west-1",
    "aws_account_id": "111111111111",
    "environment": "dev",
}
PROD_VALUES = {
    "api_alb_arn_suffix": "app/sre-prod-api/3333333333333333",
    "api_target_group_arn_suffix": "targetgroup/sre-prod-api/4444444444444444",
    "state_machine_arn": "arn:aws:states:us-east-1:123456789012:stateMachine:sre-prod-pipeline",
    "batch_job_queue_name": "sre-prod-jobs",
    "page_topic_arn": "arn:aws:sns:us-east-1:123456789012:sre-prod-page",
    "ticket_topic_arn": "arn:aws:sns:us-east-1:123456789012:sre-prod-ticket",
    "aws_region": "us-east-1",
    "aws_account_id": "123456789012",
    "environment": "prod",
}


@pytest.fixture(scope="session")
def prod_values_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full `terraform output -json` form, which --values also accepts."""
    import json

    path = tmp_path_factory.mktemp("values") / "prod.json"
    path.write_text(json.dumps({"sre_values": {"sensitive": False, "type": ["map", "string"], "value": PROD_VALUES}}))
    return path
