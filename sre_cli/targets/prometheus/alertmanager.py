"""Alertmanager routing for the SLO alerts: `alarms/alertmanager/alertmanager.yml`, and the same
routes as one sub-route tree to merge into an existing config, `alarms/alertmanager/slo-routes.yml`.

- one route per alert severity, to the receiver of the tier's notification target
  (`notificationTargets.<notify>` in defaults.yaml; its `alertmanagerReceiver`, else its name); a
  severity two targets disagree on is split per SLO; a target's `groupBy` replaces `[slo]`;
- the root route's receiver is stable: the ticket tier's target of defaults.yaml (`ticket.notify`,
  else `ticket`), whatever other targets exist, so alerts no SLO route matches always land there;
- a ticket is inhibited while a page of the same SLO fires, for the severities the tiers really use
  (of a grouped SLO: of the same group, `equal` naming its groupBy labels too);
- each receiver holds the integrations its target names (pagerduty, opsgenie, slack, webhook,
  sns); a target naming none keeps the historical default: PagerDuty for the page tier, else a
  webhook to the in-cluster ticket bridge (TICKET_WEBHOOK_URL);
- secrets come from files, never inline: by default under SECRETS_DIR (a mounted Kubernetes
  secret) as `<receiver>-routing-key`, `-api-key`, `-slack-url`, `-token`. Alertmanager 0.25
  (Debian's) reads pagerduty `routing_key_file`, opsgenie `api_key_file`, slack `api_url_file` and
  http_config `credentials_file`, but no webhook `url_file`: a webhook URL is written as given.

Alertmanager expands most fields as Go templates (a Slack channel, an Opsgenie responder): spec
text placed there is made literal (`textsafe.go_template_literal`).

The text of a notification is the alert's own annotations (summary, description, runbook_url,
dashboard_url): one SLO per group, so the first alert of a group speaks for it.
"""

from __future__ import annotations

from typing import Any

from sre_cli.generate import Target
from sre_cli.slospec.document import NotificationTarget
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.prometheus import rules
from sre_cli.textsafe import go_template_literal

CONFIG_PATH = "alarms/alertmanager/alertmanager.yml"
SUBTREE_PATH = "alarms/alertmanager/slo-routes.yml"
SECRETS_DIR = "/etc/alertmanager/secrets"
GROUP_BY = ["slo"]
GROUP_WAIT = "30s"
GROUP_INTERVAL = "5m"
REPEAT_INTERVAL = {"page": "1h", "ticket": "12h"}
# The sub-route tree takes every SLO alert (every generated alert carries `slo`) and nothing else.
SLO_ALERTS = 'slo=~".+"'


TICKET_WEBHOOK_URL = "http://alert-ticket-bridge.monitoring.svc:8080/v1/alerts"
_FIRST = "(index .Alerts 0).Annotations"


def _annotation(name: str) -> str:
    return f"{{{{ {_FIRST}.{name} }}}}"


def secret_file(receiver: str, what: str) -> str:
    return f"{SECRETS_DIR}/{receiver}-{what}"


def receiver_name(notify: str, target: NotificationTarget | None) -> str:
    """The Alertmanager receiver of a notification target: its `alertmanagerReceiver`, else its name."""
    return (target.alertmanager_receiver if target else None) or notify


def _pagerduty(name: str, settings: dict[str, Any], dashboard: bool) -> dict[str, Any]:
    links = [{"href": _annotation("runbook_url"), "text": "runbook"}]
    if dashboard:
        links.append({"href": _annotation("dashboard_url"), "text": "dashboard"})
    config: dict[str, Any] = {
        "routing_key_file": settings.get("routing_key_file") or secret_file(name, "routing-key"),
        "send_resolved": True,
        "severity": settings.get("severity", "critical"),
        "description": _annotation("summary"),
        "links": links,
    }
    if settings.get("url"):
        config["url"] = settings["url"]
    return config


def _opsgenie(name: str, settings: dict[str, Any], dashboard: bool) -> dict[str, Any]:
    details = {"slo": "{{ .CommonLabels.slo }}", "owner": "{{ .CommonLabels.owner }}"}
    details["runbook_url"] = _annotation("runbook_url")
    if dashboard:
        details["dashboard_url"] = _annotation("dashboard_url")
    config: dict[str, Any] = {
        "api_key_file": settings.get("api_key_file") or secret_file(name, "api-key"),
        "send_resolved": True,
        "message": _annotation("summary"),
        "description": _annotation("description"),
        "details": details,
    }
    if settings.get("api_url"):
        config["api_url"] = settings["api_url"]
    if settings.get("priority"):
        config["priority"] = settings["priority"]
    if settings.get("responders"):
        config["responders"] = [
            {"type": r["type"], "username" if r["type"] == "user" else "name": go_template_literal(r["name"])}
            for r in settings["responders"]
        ]
    return config


def _slack(name: str, settings: dict[str, Any], dashboard: bool) -> dict[str, Any]:
    text = _annotation("description") + "\nRunbook: " + _annotation("runbook_url")
    if dashboard:
        text += "\nDashboard: " + _annotation("dashboard_url")
    return {
        "api_url_file": settings.get("api_url_file") or secret_file(name, "slack-url"),
        "channel": go_template_literal(settings["channel"]),
        "send_resolved": True,
        "title": _annotation("summary"),
        "title_link": _annotation("runbook_url"),
        "text": text,
    }


def _webhook(name: str, settings: dict[str, Any], dashboard: bool) -> dict[str, Any]:
    config: dict[str, Any] = {"url": settings["url"], "send_resolved": True}
    if settings.get("credentials_file"):
        config["http_config"] = {"authorization": {"credentials_file": settings["credentials_file"]}}
    return config


def _sns(name: str, settings: dict[str, Any], dashboard: bool) -> dict[str, Any]:
    config: dict[str, Any] = {
        "topic_arn": settings["topic_arn"],
        "send_resolved": True,
        "subject": _annotation("summary"),
        "message": _annotation("description") + "\nRunbook: " + _annotation("runbook_url"),
    }
    sigv4 = {key: settings[key] for key in ("region", "role_arn") if settings.get(key)}
    if sigv4:
        config["sigv4"] = sigv4
    return config


_INTEGRATIONS = {
    "pagerduty": _pagerduty,
    "opsgenie": _opsgenie,
    "slack": _slack,
    "webhook": _webhook,
    "sns": _sns,
}


def _legacy_integrations(name: str, tier: str) -> dict[str, list[dict[str, Any]]]:
    """A target that names no integration: PagerDuty for pages, the ticket bridge webhook otherwise."""
    if tier == "page":
        return {"pagerduty_configs": [_pagerduty(name, {}, dashboard=True)]}
    token = secret_file(name, "token")
    return {"webhook_configs": [_webhook(name, {"url": TICKET_WEBHOOK_URL, "credentials_file": token}, False)]}


def receiver_config(name: str, tier: str, target: NotificationTarget | None, dashboard: bool) -> dict[str, Any]:
    """One receiver; `dashboard`: whether alerts carry a dashboard_url to link (dashboardBaseUrl is set)."""
    if target is None or not target.integrations():
        legacy = _legacy_integrations(name, tier)
        if not dashboard:
            for config in legacy.get("pagerduty_configs", []):
                config["links"] = [link for link in config["links"] if link["text"] != "dashboard"]
        return {"name": name, **legacy}
    receiver: dict[str, Any] = {"name": name}
    for integration in target.integrations():
        settings = getattr(target, integration).model_dump(exclude_none=True)
        receiver[f"{integration}_configs"] = [_INTEGRATIONS[integration](name, settings, dashboard)]
    return receiver


def default_notify(specs: SpecSet) -> str:
    """The target of the root route: the ticket tier's target in defaults.yaml."""
    return specs.defaults.ticket.notify or "ticket"


def _routes(specs: SpecSet) -> tuple[list[dict[str, Any]], dict[str, tuple[str, NotificationTarget | None]]]:
    """(routes, receivers by name as (tier, target)). Keyed by (severity, receiver) so routing follows notify."""
    targets = specs.defaults.notification_targets
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for slos in rules.prometheus_slos(specs).values():
        for slo in slos:
            for tier in slo.tiers:
                target = targets.get(tier.notify)
                key = (tier.severity, receiver_name(tier.notify, target))
                entry = wanted.setdefault(key, {"tier": tier.name, "target": target, "slos": set()})
                entry["slos"].add(slo.name)
    by_severity: dict[str, int] = {}
    for severity, _ in wanted:
        by_severity[severity] = by_severity.get(severity, 0) + 1
    routes = []
    for (severity, receiver), entry in sorted(wanted.items()):
        matchers = [f'severity="{severity}"']
        if by_severity[severity] > 1:
            matchers.append(f'slo=~"{"|".join(sorted(entry["slos"]))}"')
        route: dict[str, Any] = {
            "matchers": matchers,
            "receiver": receiver,
            "repeat_interval": REPEAT_INTERVAL.get(entry["tier"], "4h"),
        }
        target = entry["target"]
        if target is not None and target.group_by:
            route["group_by"] = list(target.group_by)
        routes.append(route)
    receivers = {receiver: (entry["tier"], entry["target"]) for (_, receiver), entry in sorted(wanted.items())}
    return routes, receivers


def inhibit_rules(specs: SpecSet) -> list[dict[str, Any]]:
    """A ticket is quiet while a page of the same SLO fires: one rule per (page, ticket) severity
    pair the SLOs use, restricted to those SLOs when others pair the same severities differently."""
    pairs: dict[tuple[str, str], set[str]] = {}
    both_tiers: set[str] = set()
    group_labels: dict[tuple[str, str], set[str]] = {}
    for slos in rules.prometheus_slos(specs).values():
        for slo in slos:
            page, ticket = slo.tier("page"), slo.tier("ticket")
            # The metrics-absent alert carries the ticket severity ("ticket" without a ticket tier).
            ticket_severity = ticket.severity if ticket else "ticket"
            if page is None or page.severity == ticket_severity:
                continue
            pairs.setdefault((page.severity, ticket_severity), set()).add(slo.name)
            group_labels.setdefault((page.severity, ticket_severity), set()).update(slo.group_by)
            both_tiers.add(slo.name)
    out = []
    for (page_severity, ticket_severity), slos in sorted(pairs.items()):
        source = [f'severity="{page_severity}"']
        if slos != both_tiers:
            source.append(f'slo=~"{"|".join(sorted(slos))}"')
        # A grouped SLO's page quiets the same group's ticket only (a label both alerts lack is equal).
        equal = ["slo", *sorted(group_labels[page_severity, ticket_severity])]
        out.append({"source_matchers": source, "target_matchers": [f'severity="{ticket_severity}"'], "equal": equal})
    return out


def _tree(specs: SpecSet) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the SLO route with its child routes, the receivers they name)."""
    routes, receivers = _routes(specs)
    targets = specs.defaults.notification_targets
    notify = default_notify(specs)
    default = receiver_name(notify, targets.get(notify))
    receivers.setdefault(default, ("ticket", targets.get(notify)))
    dashboard = bool(specs.defaults.dashboard_base_url)
    route = {
        "receiver": default,
        "group_by": list(GROUP_BY),
        "group_wait": GROUP_WAIT,
        "group_interval": GROUP_INTERVAL,
        "repeat_interval": "4h",
        "routes": routes,
    }
    built = [receiver_config(name, tier, target, dashboard) for name, (tier, target) in sorted(receivers.items())]
    return route, built


def config(specs: SpecSet) -> dict[str, Any]:
    """A complete Alertmanager config whose root route is the SLO route."""
    route, receivers = _tree(specs)
    return {"route": route, "inhibit_rules": inhibit_rules(specs), "receivers": receivers}


def subtree(specs: SpecSet) -> dict[str, Any]:
    """The SLO routes as one child route (SLO alerts only) with its receivers and inhibit rules, to
    merge into an existing config (slo/README.md, "Merging into your Alertmanager config")."""
    route, receivers = _tree(specs)
    # In a config shared with other alerts, `equal: [slo]` would also hold between two alerts that
    # both lack `slo`: the source side is restricted to SLO alerts.
    inhibits = [{**rule, "source_matchers": [*rule["source_matchers"], SLO_ALERTS]} for rule in inhibit_rules(specs)]
    return {"route": {"matchers": [SLO_ALERTS], **route}, "inhibit_rules": inhibits, "receivers": receivers}


_SUBTREE_HEADER = """\
# Generated by `sre generate`; do not edit. The SLO routes of alertmanager.yml as one sub-route
# tree (SLO alerts only) for an existing Alertmanager config: put `route` first in your root
# route's `routes`, and append `receivers` and `inhibit_rules` to yours. slo/README.md shows how.
"""


def render(specs: SpecSet) -> dict[str, str]:
    if not rules.prometheus_slos(specs):
        return {}
    header = "# Generated by `sre generate`; do not edit. Secrets are read from files, never inline.\n"
    return {
        CONFIG_PATH: header + rules.dump_yaml(config(specs)),
        SUBTREE_PATH: _SUBTREE_HEADER + rules.dump_yaml(subtree(specs)),
    }


TARGET = Target("alertmanager", (CONFIG_PATH, SUBTREE_PATH), render)
