"""Issue 14.2: everything `sre generate` can reject, `sre validate` rejects first, with the same message.

Each row is a spec set the generators themselves refuse (they are called directly on the loaded
SLOs, past validation, as `sre generate` used to reach them). `sre validate` must now refuse it
as `file:line:col: field: message` with exit 2, the message being the generator's own words, and
`sre generate` must print exactly what `sre validate` prints.

The property test below writes mostly valid spec sets holding these traps (and the issue-17
fuzz strategy's names) and checks the rule itself: whatever `sre validate` accepts, `sre generate`
renders.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sre_cli import generate as gen
from sre_cli.cli import cli
from sre_cli.slospec.load import load
from sre_cli.slospec.model import SpecSet
from tests.test_fuzz_specs import _NAME

DEFAULTS = """
notificationTargets:
  page: {alertmanagerReceiver: pager, snsTopicArn: "arn:aws:sns:us-east-1:123456789012:page"}
  ticket: {alertmanagerReceiver: ticket, snsTopicArn: "arn:aws:sns:us-east-1:123456789012:ticket"}
"""
NO_TOPICS = """
notificationTargets:
  page: {alertmanagerReceiver: pager}
  ticket: {alertmanagerReceiver: ticket}
"""


def _ratio(service: str = "api", alerting: str = "") -> str:
    return (
        f"""
    apiVersion: sre.dev/v1
    kind: SLO
    metadata: {{name: avail, service: {service}}}
    spec:
      description: d
      objective: 99.9
      window: 30d
      indicator:
        ratio:
          prometheus: {{good: 'http_requests_total{{code="2xx"}}', total: http_requests_total}}
          cloudwatch:
            good: [{{namespace: AWS/ApplicationELB, metricName: HTTPCode_Target_2XX_Count}}]
            total: [{{namespace: AWS/ApplicationELB, metricName: RequestCount}}]
    """.rstrip(" ")
        + textwrap.indent(alerting, "      ")
    )


def _threshold(value: float) -> str:
    return f"""
    apiVersion: sre.dev/v1
    kind: SLO
    metadata: {{name: age, service: batch}}
    spec:
      description: d
      objective: 99
      window: 30d
      indicator:
        threshold:
          slice: 1m
          operator: "<="
          value: {value}
          prometheus: {{gauge: max(queue_age_seconds)}}
          cloudwatch:
            metric: {{namespace: Custom/Batch, metricName: Age, statistic: Maximum}}
    """


# id -> (spec, defaults.yaml, hand-written runbook parts, the field and message validate must report)
CASES: dict[str, tuple[str, str | None, dict[str, str], str]] = {
    "grafana-uid-too-long": (
        _ratio(service="a" * 37),
        DEFAULTS,
        {},
        f"metadata.service: the Grafana dashboard uid 'slo-{'a' * 37}' is 41 characters and Grafana accepts at "
        "most 40; use a service name of at most 36 characters",
    ),
    "service-named-like-the-overview": (
        _ratio(service="slo-overview"),
        DEFAULTS,
        {},
        "metadata.service: 'slo-overview' would overwrite the SLO overview dashboards/grafana/slo-overview.json; "
        "rename the service",
    ),
    "service-named-like-a-cloudwatch-overview-page": (
        _ratio(service="slo-overview-2"),
        DEFAULTS,
        {},
        "metadata.service: 'slo-overview-2' would overwrite the SLO overview "
        "dashboards/cloudwatch/slo-overview-2.json; rename the service",
    ),
    "cloudwatch-target-without-sns-topic": (
        _ratio(),
        NO_TOPICS,
        {},
        "spec.indicator.ratio.cloudwatch: the page tier notifies 'page', which has no snsTopicArn under "
        "notificationTargets in defaults.yaml; CloudWatch alarms need an SNS topic",
    ),
    "cloudwatch-window-over-7-days": (
        _ratio(alerting="alerting:\n  ticket:\n    windows: [{long: 8d, short: 6h, budgetPercent: 30}]"),
        DEFAULTS,
        {},
        "spec.alerting.ticket.windows[0]: a 8d burn window cannot be alarmed on: CloudWatch evaluates at most "
        "7 days (Period x EvaluationPeriods) with Periods of 10s, 20s, 30s or whole minutes up to 1d",
    ),
    "cloudwatch-absent-alarm-wait-over-7-days": (
        _ratio(alerting="alerting:\n  ticket:\n    for: 8d"),
        DEFAULTS,
        {},
        "spec.alerting.ticket.for: the metrics-absent alarm waits the ticket tier's `for`: a 8d burn window cannot "
        "be alarmed on",
    ),
    "cloudwatch-percentile-rank-of-a-negative-value": (
        _threshold(-2.5),
        DEFAULTS,
        {},
        "spec.indicator.threshold.value: CloudWatch reads the share of bad slices from the percentile rank PR(:-2.5)",
    ),
    "hand-runbook-of-an-unknown-slo": (
        _ratio(),
        DEFAULTS,
        {"avail.md": "## Meaning\n\nx\n", "availability.md": "## Meaning\n\nx\n"},
        "no SLO named 'availability' (known: avail)",
    ),
    "hand-runbook-with-an-unknown-section": (
        _ratio(),
        DEFAULTS,
        {"avail.md": "## Meaning\n\nx\n\n## Mitigaton\n\ny\n"},
        "unknown section ## Mitigaton",
    ),
}


def _write(root: Path, spec: str, defaults: str | None, hand: dict[str, str]) -> Path:
    slo = root / "slo"
    slo.mkdir(parents=True)
    (slo / "case.yaml").write_text(textwrap.dedent(spec).lstrip("\n"), encoding="utf-8")
    assert yaml.safe_load((slo / "case.yaml").read_text())["spec"]["description"] == "d"
    if defaults is not None:
        (slo / "defaults.yaml").write_text(textwrap.dedent(defaults).lstrip("\n"), encoding="utf-8")
    for name, text in hand.items():
        (root / "runbooks" / "_hand").mkdir(parents=True, exist_ok=True)
        (root / "runbooks" / "_hand" / name).write_text(text, encoding="utf-8")
    return slo


def _generator_refusal(slo_dir: Path) -> str:
    """What the generators say when handed the loaded SLOs directly, past validation."""
    loaded = load([slo_dir])
    with pytest.raises(ValueError) as refused:
        gen.render_all(SpecSet(loaded.root, loaded.defaults, loaded.slos), parallel=False)
    return str(refused.value)


@pytest.mark.parametrize("case_id", list(CASES))
def test_validate_rejects_what_generate_rejects(tmp_path: Path, case_id: str) -> None:
    spec, defaults, hand, expected = CASES[case_id]
    slo_dir = _write(tmp_path, spec, defaults, hand)
    located = expected.startswith(("spec.", "metadata."))
    message = expected.partition(": ")[2] if located else expected

    # The generators refuse it in their own words ...
    assert message in _generator_refusal(slo_dir)

    # ... which `sre validate` now reports first, at a line, column and field of the spec ...
    validated = CliRunner().invoke(cli, ["validate", str(slo_dir)])
    assert validated.exit_code == 2, validated.output
    errors = [line for line in validated.output.splitlines() if expected in line]
    assert errors, validated.output
    assert all(re.match(r"^\S+:\d+:\d+: " + re.escape(expected), e) for e in errors), errors

    # ... and `sre generate` says exactly the same, writing nothing.
    out = tmp_path / "out"
    generated = CliRunner().invoke(cli, ["generate", "--specs", str(slo_dir), "--out", str(out)])
    assert (generated.exit_code, generated.output) == (2, validated.output)
    assert not out.exists()


def test_without_notification_targets_the_topics_are_placeholders_the_environment_fills(tmp_path: Path) -> None:
    """Generate used to refuse CloudWatch alarms without defaults.yaml (an imported spec, say): now each
    tier notifies `${<tier>_topic_arn}`, as the repository's own defaults.yaml writes them."""
    slo_dir = _write(tmp_path, _ratio(), None, {})
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["generate", "--specs", str(slo_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    alarms = json.loads((out / "alarms" / "cloudwatch" / "api.json").read_text())["composite_alarms"]
    assert {name: a["AlarmActions"] for name, a in alarms.items() if a["ActionsEnabled"]} == {
        "avail-page-1h-5m": ["${page_topic_arn}"],
        "avail-page-6h-30m": ["${page_topic_arn}"],
        "avail-ticket-1d-2h": ["${ticket_topic_arn}"],
        "avail-ticket-3d-6h": ["${ticket_topic_arn}"],
    }
    board = json.loads((out / "dashboards" / "cloudwatch" / "api.json").read_text())
    assert "${aws_region}" in board["DashboardBody"]


# ---- the rule, as a property ------------------------------------------------------------------

_TRAP_SERVICES = ["api"] * 12 + ["db"] * 6
_TRAP_SERVICES += ["a" * 36, "a" * 37, "slo-overview", "slo-overview-2", "slo-overview-1", "slos-overview"]
_CW_METRIC = {"namespace": "Custom/App", "metricName": "M", "statistic": "Maximum"}


@st.composite
def _trapped_indicator(draw: st.DrawFn) -> dict[str, Any]:
    """A valid indicator of any kind and source, its threshold value sometimes negative."""
    sources = draw(st.sampled_from([("prometheus",), ("cloudwatch",), ("prometheus", "cloudwatch")]))
    kind = draw(st.sampled_from(["ratio", "latency", "threshold"]))
    body: dict[str, Any] = {}
    if kind == "ratio":
        if "prometheus" in sources:
            body["prometheus"] = {"good": 'http_requests_total{code="2xx"}', "total": "http_requests_total"}
        if "cloudwatch" in sources:
            body["cloudwatch"] = {"good": [{**_CW_METRIC, "statistic": "Sum"}], "total": [_CW_METRIC]}
    elif kind == "latency":
        body["threshold"] = "300ms"
        if "prometheus" in sources:
            body["prometheus"] = {"histogram": "http_request_duration_seconds", "buckets": [0.1, 0.3, 1]}
        if "cloudwatch" in sources:
            body["cloudwatch"] = {"metric": _CW_METRIC}
    else:
        body.update(operator=draw(st.sampled_from(["<", ">="])), value=draw(st.sampled_from([-2.5, 0, 300, 300])))
        body["slice"] = draw(st.sampled_from(["1m", "5m", "1h"]))
        if "prometheus" in sources:
            body["prometheus"] = {"gauge": "max(queue_age_seconds)"}
        if "cloudwatch" in sources:
            body["cloudwatch"] = {"metric": _CW_METRIC}
    return {kind: body}


@st.composite
def _trapped_tier(draw: st.DrawFn) -> dict[str, Any]:
    tier: dict[str, Any] = {}
    if draw(st.integers(0, 4)) == 0:
        tier["enabled"] = False
    if draw(st.integers(0, 2)) == 0:
        long = draw(st.sampled_from(["1h", "6h", "1d", "3d", "6d", "7d", "8d"]))
        tier["windows"] = [{"long": long, "short": draw(st.sampled_from(["5m", "30m"])), "budgetPercent": 10}]
    if draw(st.integers(0, 5)) == 0:
        tier["for"] = draw(st.sampled_from(["1h", "6d23h", "8d"]))
    if draw(st.integers(0, 5)) == 0:
        tier["notify"] = "silent"
    return tier


@st.composite
def trapped_spec_sets(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Mostly valid spec sets, with the traps `sre generate` used to fall into after `sre validate` passed."""
    names = draw(st.lists(_NAME, min_size=1, max_size=3, unique=True))
    specs = [
        {
            "apiVersion": "sre.dev/v1",
            "kind": "SLO",
            "metadata": {"name": name, "service": draw(st.sampled_from(_TRAP_SERVICES))},
            "spec": {
                "description": "d",
                "objective": draw(st.sampled_from([95, 99, 99.9])),
                "window": draw(st.sampled_from(["30d", "7d", "28d"])),
                "indicator": draw(_trapped_indicator()),
                "alerting": {"page": draw(_trapped_tier()), "ticket": draw(_trapped_tier())},
            },
        }
        for name in names
    ]
    targets: dict[str, Any] = {
        name: {"alertmanagerReceiver": name}
        | ({"snsTopicArn": f"arn:aws:sns:us-east-1:123456789012:{name}"} if draw(st.integers(0, 9)) else {})
        for name in ("page", "ticket", "silent")
    }
    return specs, {"notificationTargets": targets}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(trapped_spec_sets())
def test_what_validate_accepts_generate_renders(tmp_path_factory: pytest.TempPathFactory, case: Any) -> None:
    specs, defaults = case
    root = tmp_path_factory.mktemp("rule")
    (root / "slo").mkdir()
    (root / "slo" / "defaults.yaml").write_text(yaml.safe_dump(defaults, allow_unicode=True))
    for spec in specs:
        (root / "slo" / f"{spec['metadata']['name']}.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    validated = CliRunner().invoke(cli, ["validate", str(root / "slo")])
    event(f"validate exit {validated.exit_code}")
    if validated.exit_code != 0:
        assert validated.exit_code == 2, validated.output
        return
    generated = CliRunner().invoke(cli, ["generate", "--specs", str(root / "slo"), "--out", str(root / "out")])
    assert generated.exit_code == 0, generated.output
