"""Fuzzing whole spec sets (issue 17, done-when): what validates generates files the real tools load.

Hypothesis writes spec sets with hostile text (unicode, Go template syntax, Markdown), labels,
objectives, windows, selectors and regexes, the three indicator kinds with Prometheus and
CloudWatch sources, and alerting pairs. Then `sre generate`:

- exit 0: `promtool check rules` loads every rule file, `amtool check-config` the Alertmanager
  config, and the CloudWatch validator (botocore's model) accepts every alarm document;
- anything else: exit 2, every message is `file:line:col: field: message`, and nothing is written.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sre_cli.cli import cli
from sre_cli.targets.cloudwatch import validator

pytestmark = pytest.mark.skipif(
    shutil.which("promtool") is None or shutil.which("amtool") is None, reason="promtool/amtool not installed"
)

_HOSTILE = st.sampled_from(
    ["{{ $value }}", '{{ query "up" }}', "{{", "}}", "{", "## Page", "\n---\n", "|", "`", "<b>", "[x](y)", "\\", '"']
)
_TEXT = st.lists(st.one_of(_HOSTILE, st.text(min_size=1, max_size=4)), min_size=1, max_size=6).map("".join)
_NAME = st.from_regex(r"[a-z]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


def _mostly(good: list[Any], bad: list[Any]) -> st.SearchStrategy[Any]:
    """Usually a valid choice, sometimes an invalid one: both paths of `sre generate` get exercised."""
    return st.sampled_from(good * 6 + bad)


_LABEL_NAME = _mostly(["team", "tier", "_x", "slo", "severity", "le", "alertname"], ["__name__", "1x"])
_REGEX = st.lists(
    _mostly(["a", ".*", "|", "[a-z]", "\\d", "(?P<n>x)", "é", "{{"], ["(", ")", "(?<n>", "++", "{2,1001}", "\\Z"]),
    max_size=4,
).map("".join)
_LABEL_VALUE = st.one_of(_TEXT, st.sampled_from(["api", "5..", ""]))


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@st.composite
def _selector(draw: st.DrawFn, metric: str | None = None) -> str:
    metric = metric or draw(_mostly(["http_requests_total", "errors_total", "ns:x"], ['"quoted"']))
    matchers = []
    for op in draw(st.lists(st.sampled_from(["=", "!=", "=~", "!~"]), max_size=2)):
        value = draw(_REGEX) if "~" in op else draw(_LABEL_VALUE)
        matchers.append(f"{draw(st.sampled_from(['job', 'code', '__x', '_y']))}{op}{_quoted(value)}")
    if metric.startswith('"'):
        return "{" + ", ".join([metric, *matchers]) + "}"
    return metric + ("{" + ",".join(matchers) + "}" if matchers else "") + draw(_mostly([""], [" # c"]))


def _cloudwatch(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "namespace": draw(_mostly(["AWS/ApplicationELB", "Custom/App"], [""])),
        "metricName": draw(_mostly(["RequestCount", "Latency"], ["x" * 300])),
        "dimensions": draw(st.dictionaries(st.sampled_from(["LoadBalancer", "Queue"]), _LABEL_VALUE, max_size=1)),
        "statistic": draw(_mostly(["Sum", "Maximum", "p95", "PR(:0.3)"], ["Bogus"])),
    }


@st.composite
def _indicator(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["ratio", "latency", "threshold"]))
    sources = draw(st.sampled_from([("prometheus",), ("cloudwatch",), ("prometheus", "cloudwatch")]))
    body: dict[str, Any] = {}
    if kind == "ratio":
        if "prometheus" in sources:
            key = draw(st.sampled_from(["good", "bad"]))
            body["prometheus"] = {key: draw(_selector()), "total": draw(_selector())}
        if "cloudwatch" in sources:
            key = draw(st.sampled_from(["good", "bad"]))
            body["cloudwatch"] = {key: [_cloudwatch(draw)], "total": [_cloudwatch(draw)]}
    elif kind == "latency":
        body["threshold"] = draw(_mostly(["300ms", "1s", 0.3], ["2m"]))
        if "prometheus" in sources:
            buckets = draw(_mostly([[0.1, 0.25, 0.3, 1.0], [0.3, 1, 2.5, 60, 120]], [[1, 0.5]]))
            body["prometheus"] = {"histogram": draw(_selector("http_request_duration_seconds")), "buckets": buckets}
        if "cloudwatch" in sources:
            body["cloudwatch"] = {"metric": _cloudwatch(draw)}
    else:
        body.update(operator=draw(st.sampled_from(["<", "<=", ">", ">="])), value=draw(st.sampled_from([0, 1.5, 300])))
        body["slice"] = draw(_mostly(["1m", "5m"], ["7m", "30s"]))
        if "prometheus" in sources:
            inner = draw(_selector("queue_age_seconds"))
            body["prometheus"] = {
                "gauge": draw(st.sampled_from([f"max({inner})", inner, f"max({inner}) or vector(0)"]))
            }
        if "cloudwatch" in sources:
            body["cloudwatch"] = {"metric": _cloudwatch(draw)}
    return {kind: body}


@st.composite
def _alerting(draw: st.DrawFn) -> dict[str, Any]:
    alerting: dict[str, Any] = {"minEvents": draw(_mostly([0, 10], [100000]))}
    for tier in ("page", "ticket"):
        choice = draw(st.sampled_from(["default", "off", "pairs"]))
        if choice == "off":
            alerting[tier] = {"enabled": False}
        elif choice == "pairs":
            pairs = draw(
                st.lists(
                    st.tuples(_mostly(["1h", "6h", "1d", "3d"], ["5m", "40d"]), _mostly(["5m", "30m"], ["1m", "2h"])),
                    min_size=1,
                    max_size=2,
                )
            )
            percent = draw(_mostly([2, 5, 10], [100]))
            alerting[tier] = {"windows": [{"long": lng, "short": sh, "budgetPercent": percent} for lng, sh in pairs]}
    return alerting


@st.composite
def _spec(draw: st.DrawFn, name: str, service: str) -> dict[str, Any]:
    return {
        "apiVersion": "sre.dev/v1",
        "kind": "SLO",
        "metadata": {
            "name": name,
            "service": service,
            "owner": draw(_TEXT),
            "labels": draw(st.dictionaries(_LABEL_NAME, _LABEL_VALUE, max_size=2)),
        },
        "spec": {
            "description": draw(_TEXT),
            "objective": draw(_mostly([99.9, 99, 95, 99.5], [50, 99.999, 100])),
            "window": draw(_mostly(["30d", "28d", "7d", "month", "week"], ["12h"])),
            "indicator": draw(_indicator()),
            "alerting": draw(_alerting()),
        },
    }


@st.composite
def spec_sets(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    names = draw(st.lists(_NAME, min_size=1, max_size=3, unique=True))
    specs = [draw(_spec(n, draw(st.sampled_from(["api", "db"])))) for n in names]
    defaults = {
        "runbookBaseUrl": draw(st.sampled_from(["runbooks/", "https://wiki/{{ x }}/runbooks/"])),
        "labels": draw(st.dictionaries(_LABEL_NAME, _LABEL_VALUE, max_size=2)),
        "notificationTargets": {
            "page": {"alertmanagerReceiver": draw(_TEXT), "snsTopicArn": "arn:aws:sns:us-east-1:123456789012:page"},
            "ticket": {"alertmanagerReceiver": "ticket", "snsTopicArn": "arn:aws:sns:us-east-1:123456789012:ticket"},
        },
    }
    return specs, defaults


_ERROR_LINE = re.compile(r"^\S.*:\d+:\d+: \S*: .+$")


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(spec_sets())
def test_what_validates_generates_files_the_tools_load(tmp_path_factory: pytest.TempPathFactory, case: Any) -> None:
    specs, defaults = case
    root = tmp_path_factory.mktemp("fuzz")
    (root / "slo").mkdir()
    (root / "slo" / "defaults.yaml").write_text(yaml.safe_dump(defaults, allow_unicode=True))
    for spec in specs:
        (root / "slo" / f"{spec['metadata']['name']}.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    out = root / "out"
    out.mkdir()
    result = CliRunner().invoke(cli, ["generate", "--specs", str(root / "slo"), "--out", str(out)])
    event(f"exit {result.exit_code}")
    if result.exit_code != 0:
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        messages = [line for line in result.output.splitlines() if line and not re.match(r"^\d+ errors?$", line)]
        assert messages and all(_ERROR_LINE.match(line) for line in messages), result.output
        assert _files(out) == []
        return
    for rule_file in (out / "alarms" / "prometheus").glob("*.rules.yaml"):
        check = subprocess.run(["promtool", "check", "rules", str(rule_file)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    config = out / "alarms" / "alertmanager" / "alertmanager.yml"
    if config.exists():
        check = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    for alarms in (out / "alarms" / "cloudwatch").glob("*.json"):
        assert validator.validate_alarm_document(json.loads(alarms.read_text())) == [], alarms.name
