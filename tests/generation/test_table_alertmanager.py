"""Table of tiny specs and the Alertmanager routing `sre generate` must write for them.

Each row: specs whose tiers name notification targets and severities, and the literal routing of
`alarms/alertmanager/alertmanager.yml`. Locators (keys of `Case.expect`):

- `default`: the root route's receiver
- `routes`: each child route as `<matchers> -> <receiver> every <repeat_interval>`
- `receivers`: each receiver as `<name>: <integration>` (pagerduty or webhook)
- `inhibits <page alert labels> / <ticket alert labels>`: whether an inhibit rule silences the
  second alert (labels `k=v,...`) while the first fires, evaluated here from the rules' matchers
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest

from tests.support.spec_table import Case, Generated, generate_table, params

CONFIG = "alarms/alertmanager/alertmanager.yml"
TARGETS = """
notificationTargets:
  page: {alertmanagerReceiver: pager, snsTopicArn: "arn:aws:sns:us-east-1:111122223333:page"}
  ticket: {alertmanagerReceiver: tickets, snsTopicArn: "arn:aws:sns:us-east-1:111122223333:ticket"}
  db-oncall: {alertmanagerReceiver: db-pager}
"""
SLI = """
          indicator:
            ratio:
              prometheus: {bad: errors_total, total: requests_total}
"""

CASES = [
    Case(
        "tiers-route-to-their-targets",
        """
        metadata: {name: a, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + SLI,
        {
            "default": "tickets",
            "routes": ['severity="page" -> pager every 1h', 'severity="ticket" -> tickets every 12h'],
            "receivers": ["pager: pagerduty", "tickets: webhook"],
            "inhibits slo=a,severity=page / slo=a,severity=ticket": True,
            "inhibits slo=b,severity=page / slo=a,severity=ticket": False,
        },
        defaults=TARGETS,
    ),
    Case(
        "notify-names-another-target",
        """
        metadata: {name: a, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + SLI
        + """
          alerting:
            page: {notify: db-oncall}
        """,
        {
            "routes": ['severity="page" -> db-pager every 1h', 'severity="ticket" -> tickets every 12h'],
            "receivers": ["db-pager: pagerduty", "tickets: webhook"],
        },
        defaults=TARGETS,
    ),
    Case(
        "one-severity-two-targets-splits-per-slo",
        """
        metadata: {name: a, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + SLI
        + """
        ---
        apiVersion: sre.dev/v1
        kind: SLO
        metadata: {name: b, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + SLI
        + """
          alerting:
            page: {notify: db-oncall}
        """,
        {
            "routes": [
                'severity="page",slo=~"b" -> db-pager every 1h',
                'severity="page",slo=~"a" -> pager every 1h',
                'severity="ticket" -> tickets every 12h',
            ],
        },
        defaults=TARGETS,
    ),
    Case(
        "custom-severities-route",
        """
        metadata: {name: a, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + SLI
        + """
          alerting:
            page: {severity: sev1}
            ticket: {severity: sev3}
        """,
        {
            "default": "tickets",
            "routes": ['severity="sev1" -> pager every 1h', 'severity="sev3" -> tickets every 12h'],
        },
        defaults=TARGETS,
    ),
    Case(
        "ticket-tier-disabled-absent-alert-reaches-the-ticket-target",
        """
        metadata: {name: a, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + SLI
        + """
          alerting:
            ticket: {enabled: false}
        """,
        # SLOMetricsAbsent (severity "ticket") has no route of its own here and falls to the default.
        {"default": "tickets", "receivers": ["pager: pagerduty", "tickets: webhook"]},
        defaults=TARGETS,
    ),
    Case(
        "custom-severities-still-inhibit-the-ticket",
        """
        metadata: {name: a, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + SLI
        + """
          alerting:
            page: {severity: sev1}
            ticket: {severity: sev3}
        """,
        {"inhibits slo=a,severity=sev1 / slo=a,severity=sev3": True},
        defaults=TARGETS,
    ),
]

_MATCHER = re.compile(r'^(\w+)(=~|!~|!=|=)"(.*)"$')


def _matches(matchers: list[str], labels: dict[str, str]) -> bool:
    """Alertmanager's matcher semantics for the forms the generator writes (anchored regexes)."""
    for text in matchers:
        m = _MATCHER.match(text)
        assert m, f"unexpected matcher {text!r}"
        name, op, value = m.groups()
        actual = labels.get(name, "")
        ok = {
            "=": actual == value,
            "!=": actual != value,
            "=~": re.fullmatch(value, actual) is not None,
            "!~": re.fullmatch(value, actual) is None,
        }[op]
        if not ok:
            return False
    return True


def _labels(text: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in text.split(","))


def _inhibits(config: dict[str, Any], source: dict[str, str], target: dict[str, str]) -> bool:
    return any(
        _matches(rule["source_matchers"], source)
        and _matches(rule["target_matchers"], target)
        and all(source.get(label) == target.get(label) for label in rule.get("equal", []))
        for rule in config.get("inhibit_rules", [])
    )


def locate(config: dict[str, Any], key: str) -> Any:
    if key == "default":
        return config["route"]["receiver"]
    if key == "routes":
        return [
            f"{','.join(r['matchers'])} -> {r['receiver']} every {r['repeat_interval']}"
            for r in config["route"]["routes"]
        ]
    if key == "receivers":
        return [
            f"{r['name']}: {next(k for k in r if k.endswith('_configs')).removesuffix('_configs')}"
            for r in config["receivers"]
        ]
    if key.startswith("inhibits "):
        source, target = key.removeprefix("inhibits ").split(" / ")
        return _inhibits(config, _labels(source), _labels(target))
    raise AssertionError(f"unknown locator {key!r}")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    return generate_table(tmp_path_factory.mktemp("alertmanager-table"), CASES)


def test_every_case_generates(generated: dict[str, Generated]) -> None:
    failed = {case_id: r.output for case_id, r in generated.items() if r.exit_code != 0}
    assert not failed


@pytest.mark.parametrize("case", params(CASES))
def test_routing(case: Case, generated: dict[str, Generated]) -> None:
    result = generated[case.id]
    assert result.exit_code == 0, result.output
    config = result.yaml(CONFIG)
    actual = {key: locate(config, key) for key in case.expect}
    assert actual == case.expect


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed")
def test_every_config_of_the_table_passes_amtool(generated: dict[str, Generated]) -> None:
    files = sorted(str(r.out / CONFIG) for r in generated.values())
    proc = subprocess.run(["amtool", "check-config", *files], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("SUCCESS") == len(CASES)
