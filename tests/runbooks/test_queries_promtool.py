"""The burn-rate queries printed in the runbooks, evaluated by promtool on known series.

An on-call engineer pastes these verbatim, so the test takes them from the rendered Markdown.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sre_cli.promrun import MissingBinary, find_binary, promtool
from sre_cli.runbooks import render
from sre_cli.slospec.model import SpecSet

SFN = '{dimension_StateMachineArn="arn:aws:states:us-east-1:1:stateMachine:processing"}'

# (SLO, window, input series, expected burn rate at 60m)
SCENARIOS = [
    (
        "api-availability",
        "1h",
        {
            'http_requests_total{job="api",handler="/v1/items",method="GET",status="2xx"}': "0+99x70",
            'http_requests_total{job="api",handler="/v1/items",method="GET",status="5xx"}': "0+1x70",
        },
        10.0,  # 1% errors / 0.1% budget
    ),
    (
        "api-latency",
        "1h",
        {
            'http_request_duration_seconds_bucket{job="api",handler="/v1/items",method="GET",le="0.3"}': "0+90x70",
            'http_request_duration_seconds_bucket{job="api",handler="/v1/items",method="GET",le="+Inf"}': "0+100x70",
            'http_request_duration_seconds_count{job="api",handler="/v1/items",method="GET"}': "0+100x70",
        },
        2.0,  # 10% slow / 5% budget
    ),
    (
        "db-errors",
        "5m",
        {
            'db_client_operations_total{job="api",operation="select"}': "0+100x70",
            'db_client_errors_total{job="api",operation="select",error="timeout"}': "0+1x70",
            'db_client_errors_total{job="api",operation="select",error="auth"}': "0+50x70",  # not in the SLI
        },
        20.0,  # 1% timeouts / 0.05% budget
    ),
    (
        "batch-queue-age",
        "5m",
        {'aws_batch_oldest_runnable_job_age_seconds{job_queue="sre-prod-jobs"}': "0x49 1000x20"},
        100.0,  # every slice of the last 5m is bad / 1% budget
    ),
    (
        "sfn-success",
        "1h",
        {
            f"aws_states_executions_succeeded_sum{SFN}": "98x70",
            f"aws_states_executions_failed_sum{SFN}": "1x70",
            f"aws_states_executions_timed_out_sum{SFN}": "1x70",
        },
        2.0,  # 2% failed / 1% budget; aborted series absent on purpose
    ),
]


def burn_query(markdown_text: str, window: str) -> str:
    match = re.search(rf"^- {window}:\n\n  ```promql\n(.*?)\n  ```", markdown_text, re.S | re.M)
    assert match, f"no {window} burn-rate query"
    return "\n".join(line[2:] for line in match.group(1).splitlines())


@pytest.fixture(scope="module")
def has_promtool() -> None:
    try:
        find_binary("promtool")
    except MissingBinary:
        pytest.fail("promtool is required (Debian package prometheus)")


def test_runbook_burn_rate_queries_evaluate_to_the_known_burn(
    has_promtool: None, repo_specs: SpecSet, tmp_path: Path
) -> None:
    rendered = render.render(repo_specs)
    tests = []
    for name, window, series, burn in SCENARIOS:
        # promtool compares floats exactly; round() keeps the pasted query itself untouched inside.
        expr = f"round(\n{burn_query(rendered[f'runbooks/{name}.md'], window)}\n, 0.000001)"
        tests.append(
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": v} for s, v in series.items()],
                "promql_expr_test": [
                    {"expr": expr, "eval_time": "60m", "exp_samples": [{"labels": "{}", "value": burn}]}
                ],
            }
        )
    (tmp_path / "empty.rules.yaml").write_text("groups: []\n")
    test_file = tmp_path / "runbook_queries.test.yaml"
    test_file.write_text(
        yaml.safe_dump({"rule_files": ["empty.rules.yaml"], "evaluation_interval": "1m", "tests": tests})
    )
    result = promtool("test", "rules", str(test_file), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
