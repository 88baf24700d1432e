"""Table of tiny specs and the Alertmanager routing `sre generate` must write for them.

Each row: specs whose tiers name notification targets and severities, and the literal routing of
`alarms/alertmanager/alertmanager.yml`. Locators (keys of `Case.expect`):

- `default`: the root route's receiver
- `routes`: each child route as `<matchers> -> <receiver> every <repeat_interval>`
- `receivers`: each receiver as `<name>: <integration>` (pagerduty or webhook)
- `receiver <name>`: one receiver as written; `links <name>`: the texts of its PagerDuty links
- `channel <name>`: its Slack channel as written
- `route <receiver>`: the child route to that receiver as written
- `inhibits <page alert labels> / <ticket alert labels>`: whether an inhibit rule silences the
  second alert (labels `k=v,...`) while the first fires, evaluated here from the rules' matchers
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.spec_table import Case, Generated, generate_table, params

CONFIG = "alarms/alertmanager/alertmanager.yml"
SUBTREE = "alarms/alertmanager/slo-routes.yml"
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
    Case(
        "root-route-stays-put-when-another-ticket-receiver-sorts-first",
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
            ticket: {notify: db-oncall}
        """,
        # Before: the root took the first ticket receiver by name, db-pager, which b's tickets added.
        {
            "default": "tickets",
            # No dashboardBaseUrl: no dashboard link on the page (it would be a bare relative path).
            "links pager": ["runbook"],
            "routes": [
                'severity="page" -> pager every 1h',
                'severity="ticket",slo=~"b" -> db-pager every 12h',
                'severity="ticket",slo=~"a" -> tickets every 12h',
            ],
        },
        defaults=TARGETS,
    ),
    Case(
        "targets-name-their-integrations-secrets-by-file",
        """
        metadata: {name: a, service: t, owner: team-a}
        spec:
          description: d
          objective: 99.9
        """
        + SLI
        + """
          alerting:
            page: {notify: oncall}
            ticket: {notify: chat}
        """,
        {
            "default": "chat",
            "receivers": ["chat: slack", "oncall: pagerduty"],
            "receiver oncall": {
                "name": "oncall",
                "pagerduty_configs": [
                    {
                        "routing_key_file": "/run/secrets/pd-key",
                        "send_resolved": True,
                        "severity": "error",
                        "url": "https://events.eu.pagerduty.com/v2/enqueue",
                        "description": "{{ (index .Alerts 0).Annotations.summary }}",
                        # No dashboardBaseUrl: the alerts carry no dashboard link, so neither does the page.
                        "links": [{"href": "{{ (index .Alerts 0).Annotations.runbook_url }}", "text": "runbook"}],
                    }
                ],
                "opsgenie_configs": [
                    {
                        "api_key_file": "/etc/alertmanager/secrets/oncall-api-key",
                        "send_resolved": True,
                        "message": "{{ (index .Alerts 0).Annotations.summary }}",
                        "description": "{{ (index .Alerts 0).Annotations.description }}",
                        "details": {
                            "slo": "{{ .CommonLabels.slo }}",
                            "owner": "{{ .CommonLabels.owner }}",
                            "runbook_url": "{{ (index .Alerts 0).Annotations.runbook_url }}",
                        },
                        "priority": "P1",
                        "responders": [{"type": "team", "name": "payments"}, {"type": "user", "username": "ann"}],
                    }
                ],
                "sns_configs": [
                    {
                        "topic_arn": "arn:aws:sns:eu-west-1:111122223333:oncall",
                        "send_resolved": True,
                        "subject": "{{ (index .Alerts 0).Annotations.summary }}",
                        "message": "{{ (index .Alerts 0).Annotations.description }}\n"
                        "Runbook: {{ (index .Alerts 0).Annotations.runbook_url }}",
                        "sigv4": {"region": "eu-west-1", "role_arn": "arn:aws:iam::111122223333:role/am-sns"},
                    }
                ],
            },
            "receiver chat": {
                "name": "chat",
                "slack_configs": [
                    {
                        "api_url_file": "/etc/alertmanager/secrets/chat-slack-url",
                        "channel": "#checkout-oncall",
                        "send_resolved": True,
                        "title": "{{ (index .Alerts 0).Annotations.summary }}",
                        "title_link": "{{ (index .Alerts 0).Annotations.runbook_url }}",
                        "text": "{{ (index .Alerts 0).Annotations.description }}\n"
                        "Runbook: {{ (index .Alerts 0).Annotations.runbook_url }}",
                    }
                ],
                "webhook_configs": [
                    {
                        "url": "https://tickets.example.com/alertmanager",
                        "send_resolved": True,
                        "http_config": {"authorization": {"credentials_file": "/run/secrets/ticket-token"}},
                    }
                ],
            },
            "route chat": {
                "matchers": ['severity="ticket"'],
                "receiver": "chat",
                "repeat_interval": "12h",
                "group_by": ["owner"],
            },
        },
        defaults="""
        notificationTargets:
          oncall:
            pagerduty:
              routingKeyFile: /run/secrets/pd-key
              severity: error
              url: https://events.eu.pagerduty.com/v2/enqueue
            opsgenie:
              priority: P1
              responders: [{type: team, name: payments}, {type: user, name: ann}]
            sns: {topicArn: "arn:aws:sns:eu-west-1:111122223333:oncall", region: eu-west-1,
                  roleArn: "arn:aws:iam::111122223333:role/am-sns"}
          chat:
            slack: {channel: "#checkout-oncall"}
            webhook: {url: "https://tickets.example.com/alertmanager", credentialsFile: /run/secrets/ticket-token}
            groupBy: [owner]
        ticket: {notify: chat}
        """,
    ),
    Case(
        "dashboard-link-on-the-page-with-a-dashboard-base",
        """
        metadata: {name: a, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + SLI,
        {"links pager": ["runbook", "dashboard"]},
        defaults=TARGETS + "dashboardBaseUrl: https://grafana.example.com/d/slo-\n",
    ),
    Case(
        "settings-alertmanager-expands-are-literal",
        """
        metadata: {name: a, service: t}
        spec:
          description: d
          objective: 99.9
        """
        + SLI,
        # Alertmanager expands slack `channel` and opsgenie responders as Go templates.
        {"channel pager": '#{{ "{{" }}.GroupLabels.team}}-oncall'},
        defaults="""
        notificationTargets:
          page: {alertmanagerReceiver: pager, slack: {channel: "#{{.GroupLabels.team}}-oncall"}}
          ticket: {alertmanagerReceiver: tickets}
        """,
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
    if key.startswith("receiver "):
        (receiver,) = [r for r in config["receivers"] if r["name"] == key.removeprefix("receiver ")]
        return receiver
    if key.startswith("links "):
        (receiver,) = [r for r in config["receivers"] if r["name"] == key.removeprefix("links ")]
        return [link["text"] for link in receiver["pagerduty_configs"][0]["links"]]
    if key.startswith("channel "):
        (receiver,) = [r for r in config["receivers"] if r["name"] == key.removeprefix("channel ")]
        return receiver["slack_configs"][0]["channel"]
    if key.startswith("route "):
        (route,) = [r for r in config["route"]["routes"] if r["receiver"] == key.removeprefix("route ")]
        return route
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


def _routed_to(config: Path, **labels: str) -> list[str]:
    """The receivers Alertmanager's own routing tree picks for an alert (`amtool config routes test`)."""
    proc = subprocess.run(
        ["amtool", "config", "routes", "test", f"--config.file={config}", *(f"{k}={v}" for k, v in labels.items())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.split()


ROOT_CASE = "root-route-stays-put-when-another-ticket-receiver-sorts-first"


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed")
def test_unrelated_alerts_fall_into_the_stable_root_route(generated: dict[str, Generated]) -> None:
    config = generated[ROOT_CASE].out / CONFIG
    # Before: the root route took the first ticket receiver by name (db-pager, b's ticket target).
    assert _routed_to(config, alertname="NodeDown", severity="critical") == ["tickets"]
    assert _routed_to(config, alertname="SLOBurnRatePage", slo="a", severity="page") == ["pager"]
    assert _routed_to(config, alertname="SLOBurnRateTicket", slo="a", severity="ticket") == ["tickets"]
    assert _routed_to(config, alertname="SLOBurnRateTicket", slo="b", severity="ticket") == ["db-pager"]


EXISTING_CONFIG = """\
route:
  receiver: ops-default
  group_by: [alertname]
  routes:
  - matchers: ['team="infra"']
    receiver: infra
receivers:
- name: ops-default
- name: infra
"""


def _documented_merge_command() -> str:
    """The shell block of slo/README.md's merge section, run here exactly as documented."""
    readme = (Path(__file__).resolve().parents[2] / "slo" / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Merging into your Alertmanager config", 1)[1]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


@pytest.mark.skipif(
    shutil.which("amtool") is None or shutil.which("yq") is None, reason="amtool or yq (the jq wrapper) not installed"
)
def test_the_sub_route_tree_merges_into_an_existing_config(generated: dict[str, Generated], tmp_path: Path) -> None:
    work = tmp_path / "merge"
    (work / "alarms" / "alertmanager").mkdir(parents=True)
    shutil.copy(generated[ROOT_CASE].out / SUBTREE, work / SUBTREE)
    (work / "my-alertmanager.yml").write_text(EXISTING_CONFIG, encoding="utf-8")
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", _documented_merge_command()], cwd=work, timeout=60)
    assert proc.returncode == 0
    merged = work / "alertmanager.yml"
    check = subprocess.run(["amtool", "check-config", str(merged)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    # The team's own routing is untouched: its root and routes still take every alert without `slo`,
    # whatever its severity; SLO alerts go down the generated tree.
    assert _routed_to(merged, alertname="NodeDown", severity="page") == ["ops-default"]
    assert _routed_to(merged, alertname="DiskFull", team="infra", severity="ticket") == ["infra"]
    assert _routed_to(merged, alertname="SLOBurnRatePage", slo="a", severity="page") == ["pager"]
    assert _routed_to(merged, alertname="SLOBurnRateTicket", slo="b", severity="ticket") == ["db-pager"]
    assert _routed_to(merged, alertname="SLOMetricsAbsent", slo="a", severity="other") == ["tickets"]
    # Its inhibition holds between SLO alerts only.
    rules = yaml.safe_load(merged.read_text(encoding="utf-8"))["inhibit_rules"]
    assert _inhibits({"inhibit_rules": rules}, {"slo": "a", "severity": "page"}, {"slo": "a", "severity": "ticket"})
    assert not _inhibits({"inhibit_rules": rules}, {"severity": "page"}, {"severity": "ticket"})
