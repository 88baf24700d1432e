from __future__ import annotations

import json
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sre_cli import generate
from sre_cli.cli import cli
from sre_cli.runbooks import check, render
from sre_cli.slospec.load import load
from sre_cli.slospec.model import SpecSet

from .conftest import REPO

BASE = "https://github.com/acme/sre/blob/main/"

GOOD_RUNBOOK = """# x
## Meaning
What it measures.
### Page
Fast burn.
### Ticket
Slow burn.
### Metrics absent
No data.
## Impact
Users wait.
## Diagnosis
Look.
## Mitigation
Roll back.
"""


def rule_file(*rules: dict, operator: bool = False) -> str:
    groups = [{"name": "slo-x", "rules": list(rules)}]
    if operator:
        return yaml.safe_dump(
            {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "spec": {"groups": groups}}
        )
    return yaml.safe_dump({"groups": groups})


def alert(name: str, url: str | None) -> dict:
    rule: dict = {"alert": name, "expr": "vector(1)", "labels": {"severity": "page"}}
    if url is not None:
        rule["annotations"] = {"summary": "s", "runbook_url": url}
    return rule


def problems_of(specs: SpecSet, outputs: dict[str, str], root: Path) -> list[str]:
    return [str(p) for p in check.check(specs, outputs, root)]


@pytest.fixture
def synthetic(tmp_path: Path, repo_specs: SpecSet) -> tuple[SpecSet, Path]:
    """The real specs, checked against synthetic rendered outputs in an empty root."""
    return repo_specs, tmp_path


def base_outputs(repo_specs: SpecSet) -> dict[str, str]:
    return {slo.runbook: GOOD_RUNBOOK for slo in repo_specs.slos}


# ---- the repository ------------------------------------------------------------------------


def test_repository_is_clean_with_every_registered_target(repo_specs: SpecSet) -> None:
    outputs = generate.render_all(repo_specs)
    assert check.check(repo_specs, outputs) == []
    links, problems = check.alert_links(outputs, repo_specs.defaults.runbook_base_url)
    assert problems == []
    # Every alert each registered generator produced was found (none skipped by the extraction).
    expected = 0
    for path, text in outputs.items():
        if any(fnmatch(path, p) for p in check.PROMETHEUS_RULES):
            expected += sum(
                1
                for doc in yaml.safe_load_all(text)
                for line in yaml.safe_dump(doc).splitlines()
                if line.lstrip("- ").startswith("alert: ")
            )
        elif any(fnmatch(path, p) for p in check.CLOUDWATCH_ALARMS):
            doc = json.loads(text)
            notifying = [a for a in doc.get("metric_alarms", {}).values() if a.get("AlarmActions")]
            expected += len(doc.get("composite_alarms", [])) + len(notifying)
    assert len(links) == expected
    assert all(link.url for link in links)


def test_incident_runbooks_are_checked_and_complete(repo_specs: SpecSet) -> None:
    paths = check.runbook_paths(repo_specs, render.render(repo_specs), REPO)
    incidents = [p for p in paths if p.startswith("runbooks/incidents/")]
    assert len(incidents) == 4
    for path in incidents:
        assert "## Prevention" in (REPO / path).read_text()


def test_cli_passes_on_the_repository() -> None:
    result = CliRunner().invoke(cli, ["runbooks", "check", "--specs", str(REPO / "slo")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")


# ---- each kind of problem ------------------------------------------------------------------


def test_missing_runbook_file(synthetic: tuple[SpecSet, Path]) -> None:
    specs, root = synthetic
    outputs = base_outputs(specs)
    outputs["alarms/prometheus/x.rules.yaml"] = rule_file(alert("XBurn", f"{BASE}runbooks/nope.md#page"))
    assert problems_of(specs, outputs, root) == [
        "alarms/prometheus/x.rules.yaml: alert slo-x/XBurn links "
        f"{BASE}runbooks/nope.md#page: runbook file runbooks/nope.md does not exist"
    ]


def test_a_runbook_file_on_disk_satisfies_a_link(synthetic: tuple[SpecSet, Path]) -> None:
    specs, root = synthetic
    (root / "runbooks").mkdir()
    (root / "runbooks" / "extra.md").write_text(GOOD_RUNBOOK)
    outputs = base_outputs(specs)
    outputs["alarms/prometheus/x.rules.yaml"] = rule_file(alert("XBurn", f"{BASE}runbooks/extra.md#ticket"))
    assert problems_of(specs, outputs, root) == []


def test_missing_and_empty_sections(synthetic: tuple[SpecSet, Path]) -> None:
    specs, root = synthetic
    outputs = base_outputs(specs)
    slo = specs.slos[0]
    outputs[slo.runbook] = GOOD_RUNBOOK.replace("## Impact\nUsers wait.\n", "").replace("Look.\n", "")
    assert problems_of(specs, outputs, root) == [
        f"{slo.runbook}: missing section ## Impact",
        f"{slo.runbook}: section ## Diagnosis (line 10) is empty",
    ]


def test_dead_anchor(synthetic: tuple[SpecSet, Path]) -> None:
    specs, root = synthetic
    outputs = base_outputs(specs)
    url = f"{specs.slos[0].runbook_url}#page-fast"
    outputs["alarms/prometheus/x.rules.yaml"] = rule_file(alert("XBurn", url), operator=True)
    (problem,) = problems_of(specs, outputs, root)
    assert problem.startswith(f"alarms/prometheus/x.rules.yaml: alert slo-x/XBurn links {url}: no heading with anchor")
    assert "#page-fast" in problem and "(anchors: diagnosis, impact, meaning, metrics-absent" in problem


def test_prometheus_alert_without_a_link(synthetic: tuple[SpecSet, Path]) -> None:
    specs, root = synthetic
    outputs = base_outputs(specs)
    ok = alert("Linked", f"{specs.slos[0].runbook_url}#page")
    outputs["alarms/prometheus/k8s/x.yaml"] = rule_file(ok, alert("Unlinked", None), {"record": "r", "expr": "1"})
    assert problems_of(specs, outputs, root) == [
        f"alarms/prometheus/k8s/x.yaml: alert slo-x/Unlinked has no runbook link (expected a URL under {BASE})"
    ]


def test_cloudwatch_composite_without_a_link(synthetic: tuple[SpecSet, Path]) -> None:
    specs, root = synthetic
    outputs = base_outputs(specs)
    url = f"{specs.slos[0].runbook_url}#ticket"
    outputs["alarms/cloudwatch/api.json"] = json.dumps(
        {
            "metric_alarms": [{"AlarmName": "child", "AlarmDescription": "no link needed"}],
            "composite_alarms": [
                {"AlarmName": "api-ticket", "AlarmDescription": f"Slow burn. Runbook: {url}"},
                {"AlarmName": "api-page", "AlarmDescription": "Fast burn, see the wiki"},
            ],
        }
    )
    assert problems_of(specs, outputs, root) == [
        f"alarms/cloudwatch/api.json: alert api-page has no runbook link (expected a URL under {BASE})"
    ]


def test_link_outside_the_runbook_base(synthetic: tuple[SpecSet, Path]) -> None:
    specs, root = synthetic
    outputs = base_outputs(specs)
    outputs["alarms/prometheus/x.yaml"] = rule_file(alert("X", "https://wiki.example.com/x#page"))
    (problem,) = problems_of(specs, outputs, root)
    assert "has no runbook link" not in problem and "not under runbook_base_url" in problem


def test_placeholders_are_reported_with_their_line(synthetic: tuple[SpecSet, Path]) -> None:
    specs, root = synthetic
    outputs = base_outputs(specs)
    slo = specs.slos[0]
    outputs[slo.runbook] = GOOD_RUNBOOK.replace("Roll back.", "Roll back {{ slo.name }}.\nTODO: write this")
    assert problems_of(specs, outputs, root) == [
        f"{slo.runbook}: line 15: template placeholder '{{{{' left in the runbook",
        f"{slo.runbook}: line 16: template placeholder 'TODO' left in the runbook",
    ]


def test_incident_runbooks_need_the_four_sections_and_live_links(synthetic: tuple[SpecSet, Path]) -> None:
    specs, root = synthetic
    incidents = root / "runbooks" / "incidents"
    incidents.mkdir(parents=True)
    (incidents / "a.md").write_text(GOOD_RUNBOOK.replace("## Mitigation\nRoll back.\n", ""))
    outputs = base_outputs(specs)
    slo = specs.slos[0]
    outputs[slo.runbook] = GOOD_RUNBOOK + "\nSee [a](incidents/a.md#prevention) and [b](incidents/b.md).\n"
    assert problems_of(specs, outputs, root) == [
        f"{slo.runbook}: line 17: link incidents/a.md#prevention: no heading #prevention in runbooks/incidents/a.md",
        f"{slo.runbook}: line 17: link incidents/b.md: file runbooks/incidents/b.md does not exist",
        "runbooks/incidents/a.md: missing section ## Mitigation",
    ]


def test_slo_runbook_missing_entirely(synthetic: tuple[SpecSet, Path]) -> None:
    specs, root = synthetic
    outputs = base_outputs(specs)
    slo = specs.slos[0]
    del outputs[slo.runbook]
    assert problems_of(specs, outputs, root) == [f"{slo.file}: runbook {slo.runbook} does not exist"]


def test_unparsable_generated_rules_are_a_problem_not_a_crash(synthetic: tuple[SpecSet, Path]) -> None:
    specs, root = synthetic
    outputs = base_outputs(specs)
    outputs["alarms/prometheus/x.yaml"] = "groups: [\n"
    (problem,) = problems_of(specs, outputs, root)
    assert problem.startswith("alarms/prometheus/x.yaml: cannot parse generated alerts:")


@pytest.mark.parametrize(
    ("base", "url", "path"),
    [
        (BASE, f"{BASE}runbooks/db-errors.md#page", "runbooks/db-errors.md"),
        ("https://x/runbooks/", "https://x/runbooks/db-errors.md#page", "runbooks/db-errors.md"),
        ("runbooks/", "runbooks/db-errors.md#ticket", "runbooks/db-errors.md"),
        (BASE, "https://elsewhere/db-errors.md#page", None),
    ],
)
def test_url_to_path_mirrors_how_specs_build_urls(base: str, url: str, path: str | None) -> None:
    assert check.url_to_path(url, base) == path


# ---- the command, end to end on a scratch repository ---------------------------------------


def test_cli_lists_problems_and_exits_1(repo_copy: Path) -> None:
    incident = repo_copy / "runbooks" / "incidents" / "db-connectivity.md"
    incident.write_text(incident.read_text().replace("## Impact", "## Consequences"))
    hand = repo_copy / "runbooks" / "_hand" / "db-errors.md"
    hand.write_text(hand.read_text().replace("incidents/db-connectivity.md#diagnosis", "incidents/db.md#diagnosis"))
    result = CliRunner().invoke(cli, ["runbooks", "check", "--specs", str(repo_copy / "slo")])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert "runbooks/incidents/db-connectivity.md: missing section ## Impact" in lines
    assert any(
        line.startswith("runbooks/db-errors.md: line ")
        and line.endswith("link incidents/db.md#diagnosis: file runbooks/incidents/db.md does not exist")
        for line in lines
    ), lines
    assert "2 runbook problems" in result.stderr


def test_cli_checks_what_generate_would_write_before_it_is_written(repo_copy: Path) -> None:
    assert not (repo_copy / "runbooks" / "db-errors.md").exists()
    result = CliRunner().invoke(cli, ["runbooks", "check", "--specs", str(repo_copy / "slo")])
    assert result.exit_code == 0, result.output


def test_cli_exits_2_on_bad_specs(repo_copy: Path) -> None:
    spec = repo_copy / "slo" / "db.yaml"
    spec.write_text(spec.read_text().replace("objective: 99.95", "objective: 200"))
    result = CliRunner().invoke(cli, ["runbooks", "check", "--specs", str(repo_copy / "slo")])
    assert result.exit_code == 2
    assert "db.yaml" in result.stderr and "Traceback" not in result.output


def test_cli_exits_2_on_a_bad_hand_file(repo_copy: Path) -> None:
    (repo_copy / "runbooks" / "_hand" / "db-errors.md").write_text("## Remedy\nx\n")
    result = CliRunner().invoke(cli, ["runbooks", "check", "--specs", str(repo_copy / "slo")])
    assert result.exit_code == 2
    assert "runbooks/_hand/db-errors.md:1: unknown section ## Remedy" in result.stderr


def test_generated_runbooks_on_disk_are_current(repo_specs: SpecSet) -> None:
    outputs = render.render(repo_specs)
    for path, content in outputs.items():
        assert (REPO / path).read_text() == content, f"{path} is stale: run `sre generate`"


# ---- scale (issue 17, item 15): each rule file parsed once, by libyaml ---------------------------


def test_runbooks_check_parses_each_rule_file_once_with_the_c_loader(
    repo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[tuple[str, object]] = []
    real_load_all, real_safe_load_all = yaml.load_all, yaml.safe_load_all

    def load_all(stream, Loader):
        parsed.append((stream, Loader))
        return real_load_all(stream, Loader)

    def safe_load_all(stream):
        parsed.append((stream, yaml.SafeLoader))
        return real_safe_load_all(stream)

    monkeypatch.setattr(yaml, "load_all", load_all)
    monkeypatch.setattr(yaml, "safe_load_all", safe_load_all)
    monkeypatch.chdir(repo_copy)
    r = CliRunner().invoke(cli, ["runbooks", "check", "--specs", "slo"])
    assert r.exit_code == 0, r.output
    rule_files = [p for p in generate.render_all(load([repo_copy / "slo"])) if fnmatch(p, "alarms/prometheus/*.yaml")]
    assert rule_files
    assert len(parsed) == len(rule_files)  # was twice: once to check, once to count the links
    assert {loader for _, loader in parsed} == {yaml.CSafeLoader}
