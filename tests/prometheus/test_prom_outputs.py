"""Generated PrometheusRule manifests and Alertmanager config: valid for their tools, in sync."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from sre_cli import generate
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.prometheus import alertmanager, prometheusrule, rules
from tests.support.repo_specs import load_repo_specs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def outputs(repo_specs: SpecSet) -> dict[str, str]:
    return generate.render_all(repo_specs)


def test_prometheusrule_carries_the_rule_file_groups(outputs: dict[str, str], tmp_path: Path) -> None:
    for service in ("api", "batch", "db", "sfn"):
        manifest = yaml.safe_load(outputs[prometheusrule.manifest_path(service)])
        plain = yaml.safe_load(outputs[rules.rule_file_path(service)])
        assert manifest["apiVersion"] == "monitoring.coreos.com/v1"
        assert manifest["kind"] == "PrometheusRule"
        assert manifest["metadata"]["name"] == f"slo-{service}"
        assert manifest["spec"] == plain
        if shutil.which("promtool"):
            spec_file = tmp_path / f"{service}.yaml"
            spec_file.write_text(yaml.safe_dump(manifest["spec"]))
            proc = subprocess.run(["promtool", "check", "rules", str(spec_file)], capture_output=True, text=True)
            assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed")
def test_alertmanager_config_passes_amtool(outputs: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "alertmanager.yml"
    path.write_text(outputs[alertmanager.CONFIG_PATH])
    proc = subprocess.run(["amtool", "check-config", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_alertmanager_routes_pages_and_tickets_and_inhibits(outputs: dict[str, str]) -> None:
    cfg = yaml.safe_load(outputs[alertmanager.CONFIG_PATH])
    assert cfg["route"]["group_by"] == ["slo"]
    routes = {tuple(r["matchers"]): r["receiver"] for r in cfg["route"]["routes"]}
    assert routes == {('severity="page"',): "pager", ('severity="ticket"',): "ticket"}
    assert cfg["inhibit_rules"] == [
        {"source_matchers": ['severity="page"'], "target_matchers": ['severity="ticket"'], "equal": ["slo"]}
    ]


def test_alertmanager_config_holds_no_inline_secret(outputs: dict[str, str]) -> None:
    cfg = yaml.safe_load(outputs[alertmanager.CONFIG_PATH])
    for receiver in cfg["receivers"]:
        for pd in receiver.get("pagerduty_configs", []):
            assert "routing_key" not in pd and "service_key" not in pd
            assert pd["routing_key_file"].startswith(alertmanager.SECRETS_DIR)
        for hook in receiver.get("webhook_configs", []):
            auth = hook["http_config"]["authorization"]
            assert "credentials" not in auth and auth["credentials_file"].startswith(alertmanager.SECRETS_DIR)


def test_committed_output_is_current(outputs: dict[str, str]) -> None:
    mine = [p for p in outputs if p.startswith(("alarms/prometheus/", "alarms/alertmanager/", "dashboards/grafana/"))]
    assert mine
    stale = [p for p in mine if not (ROOT / p).is_file() or (ROOT / p).read_text() != outputs[p]]
    assert not stale, f"run `sre generate`: {stale}"


def test_rendering_is_deterministic(repo_specs: SpecSet) -> None:
    # A second, fresh load: loading must not change what is rendered either.
    assert generate.render_all(repo_specs) == generate.render_all(load_repo_specs())


def test_grafana_dashboards_query_recorded_series_and_match_alert_links(outputs: dict[str, str]) -> None:
    import json
    import re

    from sre_cli.targets.prometheus import grafana

    for service in ("api", "batch", "db", "sfn"):
        board = json.loads(outputs[grafana.dashboard_path(service)])
        assert board["uid"] == f"slo-{service}"  # dashboard_url = https://grafana.example.com/d/slo-<service>
        recorded = set(re.findall(r"record: (\S+)", outputs[rules.rule_file_path(service)]))
        exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
        assert exprs
        for expr in exprs:
            for name in re.findall(r"slo:[a-z_]+:[a-z_0-9]+", expr):
                assert name in recorded, f"{service}: panel reads {name}, which no rule records"
        burn = next(p for p in board["panels"] if "burn rate" in p.get("title", ""))
        steps = [s["value"] for s in burn["fieldConfig"]["defaults"]["thresholds"]["steps"]]
        # The tier factors; batch and sfn (99%) also page through their 5m/1m outage pair at 21.6x.
        assert steps == ([None, 1, 3, 6, 14.4, 21.6] if service in ("batch", "sfn") else [None, 1, 3, 6, 14.4])
