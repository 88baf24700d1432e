from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2
import promql_parser
import pytest

from sre_cli import generate, placeholders, slomath, vocabulary
from sre_cli.links import ANCHORS
from sre_cli.runbooks import handwritten, markdown, queries, render
from sre_cli.runbooks.target import TARGET
from sre_cli.slospec.load import load
from sre_cli.slospec.model import SpecSet

from .conftest import REPO

FENCED = re.compile(r"^( *)```(\w+)\n(.*?)^\1```", re.DOTALL | re.MULTILINE)


def code_blocks(text: str, lang: str) -> list[str]:
    return [
        "\n".join(line[len(m.group(1)) :] for line in m.group(3).splitlines())
        for m in FENCED.finditer(text)
        if m.group(2) == lang
    ]


@pytest.fixture(scope="module")
def rendered(repo_specs: SpecSet) -> dict[str, str]:
    return render.render(repo_specs)


def test_one_runbook_per_slo_plus_index(repo_specs: SpecSet, rendered: dict[str, str]) -> None:
    assert set(rendered) == {s.runbook for s in repo_specs.slos} | {render.INDEX_PATH}


def test_every_runbook_has_the_alert_anchors_and_four_sections(repo_specs: SpecSet, rendered: dict[str, str]) -> None:
    for slo in repo_specs.slos:
        text = rendered[slo.runbook]
        assert set(ANCHORS.values()) <= markdown.anchors(text), slo.name
        sections = markdown.sections(text)
        for name in ("Meaning", "Impact", "Diagnosis", "Mitigation"):
            assert sections[name].has_content, (slo.name, name)
        assert "{{" not in text and "{%" not in text


def test_meaning_states_objective_window_and_every_burn_factor(repo_specs: SpecSet, rendered: dict[str, str]) -> None:
    for slo in repo_specs.slos:
        meaning = "\n".join(markdown.sections(rendered[slo.runbook])["Meaning"].body)
        assert f"**{render.percent(slo.objective)}** over a rolling **{slo.window}**" in meaning
        for tier in slo.tiers:
            for w in tier.windows:
                factor = vocabulary.number(round(w.factor(slo.window_seconds), 3))
                long = slomath.format_duration(w.long)
                assert f"burn rate over **{factor}** in both the last {long}" in meaning
                assert f"{render.percent(w.budget_share)} of the {slo.window} budget in {long}" in meaning


def test_availability_page_reads_in_budget_terms(rendered: dict[str, str]) -> None:
    text = rendered["runbooks/api-availability.md"]
    assert "| Page | 1h | 5m | 14.4 | 2% of the 30d budget in 1h | 2d2h |" in text
    assert "| Ticket | 3d | 6h | 1 | 10% of the 30d budget in 3d | 30d |" in text
    assert "a total outage for up to 43m per 30d" in text
    assert "[api SLOs](https://grafana.example.com/d/slo-api)" in text


def test_timeslice_budget_is_counted_in_slices(rendered: dict[str, str]) -> None:
    assert "432 bad 1m slices, 7h12m in total" in rendered["runbooks/batch-queue-age.md"]


def test_every_promql_block_parses(rendered: dict[str, str]) -> None:
    count = 0
    for text in rendered.values():
        for expr in code_blocks(text, "promql"):
            promql_parser.parse(expr)
            count += 1
    assert count >= 5 * 9


def test_queries_are_built_from_the_raw_selectors(repo_specs: SpecSet) -> None:
    by_name = {s.name: s for s in repo_specs.slos}
    assert queries.promql_error_ratio(by_name["api-availability"], "1h") == (
        '1 - (\n  sum(rate(http_requests_total{job="api",status="2xx"}[1h]))\n  /\n'
        '  sum(rate(http_requests_total{job="api"}[1h]))\n)'
    )
    latency = queries.promql_error_ratio(by_name["api-latency"], "5m")
    assert 'http_request_duration_seconds_bucket{job="api",le="0.3"}[5m]' in latency
    assert 'http_request_duration_seconds_count{job="api"}[5m]' in latency
    sfn = queries.promql_error_ratio(by_name["sfn-success"], "1h")
    assert "(sum(sum_over_time(aws_states_executions_aborted_sum{" in sfn and sfn.count("or vector(0)") == 7
    assert "> bool 900)[1h:1m]" in queries.promql_error_ratio(by_name["batch-queue-age"], "1h")
    assert queries.promql_burn_rate(by_name["db-errors"], "1h").endswith(") / 0.0005")


def _cloudwatch_payloads(text: str) -> list[list[dict]]:
    return [
        json.loads(m)
        for block in code_blocks(text, "bash")
        for m in re.findall(r"--metric-data-queries '(.*?)'", block, re.S)
    ]


def test_cloudwatch_commands_carry_valid_metric_math(repo_specs: SpecSet, rendered: dict[str, str]) -> None:
    for slo in repo_specs.slos:
        payloads = _cloudwatch_payloads(rendered[slo.runbook])
        assert len(payloads) == 2, slo.name
        for payload in payloads:
            ids = [q["Id"] for q in payload]
            assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z][a-zA-Z0-9_]*", i) for i in ids)
            assert sum(q["ReturnData"] for q in payload) == 1
            for q in payload:
                for ref in re.findall(r"\b([a-z][a-z_]*\d*)\b", q.get("Expression", "")):
                    assert ref in ids or ref in {"fill", "if"} or ref.upper() in {"FILL", "IF"}, ref
                if "MetricStat" in q:
                    assert q["MetricStat"]["Period"] % 60 == 0
    db = _cloudwatch_payloads(rendered["runbooks/db-errors.md"])[1]
    assert db[-1]["Expression"] == "error_ratio / 0.0005"
    assert db[-2]["Expression"] == "(FILL(bad0, 0) + FILL(bad1, 0)) / (FILL(total0, 0))"
    latency = _cloudwatch_payloads(rendered["runbooks/api-latency.md"])[0]
    assert latency[0]["MetricStat"]["Stat"] == "PR(:0.3)"


def test_region_comes_from_the_specs_arns(repo_copy: Path, rendered: dict[str, str]) -> None:
    # The committed specs name no environment: the runbook asks for the region...
    assert 'AWS_REGION="${AWS_REGION:?set the region of the stack}"' in rendered["runbooks/sfn-success.md"]
    # ...and specs whose ARNs are filled in give it.
    values = {
        "page_topic_arn": "arn:aws:sns:us-east-1:111111111111:sre-dev-page",
        "ticket_topic_arn": "arn:aws:sns:us-east-1:111111111111:sre-dev-ticket",
        "state_machine_arn": "arn:aws:states:us-east-1:111111111111:stateMachine:sre-dev-pipeline",
    }
    for spec in [repo_copy / "slo" / "defaults.yaml", repo_copy / "slo" / "sfn.yaml"]:
        spec.write_text(placeholders.fill(spec.read_text(), values))
    filled = render.render(load([repo_copy / "slo"]))
    assert "AWS_REGION=us-east-1" in filled["runbooks/sfn-success.md"]


def test_hand_written_parts_are_merged(rendered: dict[str, str]) -> None:
    links = {
        "api-availability": "incidents/api-5xx-latency.md",
        "db-errors": "incidents/db-connectivity.md",
        "batch-queue-age": "incidents/batch-queue-backlog.md",
        "sfn-success": "incidents/sfn-failures.md",
    }
    for name, target in links.items():
        text = rendered[f"runbooks/{name}.md"]
        mitigation = "\n".join(markdown.sections(text)["Mitigation"].body)
        assert f"]({target}#mitigation)" in mitigation, name


def test_rendering_is_deterministic(repo_specs: SpecSet, rendered: dict[str, str]) -> None:
    assert render.render(repo_specs) == rendered


def test_templates_use_strict_undefined() -> None:
    env = render.environment()
    assert env.undefined is jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("slo.md.j2").render()


def test_generate_owns_generated_pages_only(tmp_path: Path) -> None:
    assert generate.TARGET_MODULES.count("sre_cli.runbooks.target") == 1
    for rel in ("runbooks/db-errors.md", "runbooks/_hand/db-errors.md", "runbooks/incidents/db-connectivity.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    owned = {p.relative_to(tmp_path).as_posix() for pattern in TARGET.owns for p in tmp_path.glob(pattern)}
    assert owned == {"runbooks/db-errors.md"}


def test_regeneration_never_touches_hand_written_files(repo_copy: Path) -> None:
    specs = load([repo_copy / "slo"])
    inputs = {p: p.read_text() for p in (repo_copy / "runbooks").rglob("*.md")}
    generate.execute(generate.plan(generate.render_all(specs), repo_copy), repo_copy)  # the page is generate's
    (repo_copy / "runbooks" / "db-errors.md").write_text("stale\n")
    result = generate.plan(generate.render_all(specs), repo_copy)
    generate.execute(result, repo_copy)
    assert "runbooks/db-errors.md" in result.write
    assert not [p for p in result.delete if p.startswith(("runbooks/_hand/", "runbooks/incidents/"))]
    assert {p: p.read_text() for p in inputs} == inputs
    assert "](incidents/db-connectivity.md" in (repo_copy / "runbooks" / "db-errors.md").read_text()


def test_a_disabled_tier_has_no_heading(repo_copy: Path) -> None:
    spec = repo_copy / "slo" / "db.yaml"
    spec.write_text(spec.read_text().replace("  alerting:\n", "  alerting:\n    ticket: {enabled: false}\n"))
    specs = load([repo_copy / "slo"])
    assert not specs.errors, specs.errors
    anchors = markdown.anchors(render.render(specs)["runbooks/db-errors.md"])
    assert "page" in anchors and "ticket" not in anchors and "metrics-absent" in anchors


def test_hand_file_with_an_unknown_section_names_file_and_line(repo_copy: Path) -> None:
    (repo_copy / "runbooks" / "_hand" / "db-errors.md").write_text("## Impact\nslow\n\n## Mitigaton\nroll back\n")
    specs = load([repo_copy / "slo"])
    with pytest.raises(handwritten.HandError, match=r"runbooks/_hand/db-errors.md:4: unknown section ## Mitigaton"):
        render.render(specs)


def test_hand_file_for_an_unknown_slo_is_an_error(repo_copy: Path) -> None:
    (repo_copy / "runbooks" / "_hand" / "db-error.md").write_text("## Impact\nx\n")
    with pytest.raises(handwritten.HandError, match=r"db-error.md:1: no SLO named 'db-error'"):
        render.render(load([repo_copy / "slo"]))


def test_hand_file_text_outside_sections_is_an_error() -> None:
    with pytest.raises(handwritten.HandError, match=r"x.md:2: text outside a section"):
        handwritten.parse("<!-- fine -->\nstray words\n## Impact\nx\n", "x.md")


def test_hand_file_empty_section_is_an_error() -> None:
    with pytest.raises(handwritten.HandError, match=r"x.md:1: section ## Impact is empty"):
        handwritten.parse("## Impact\n\n## Mitigation\nx\n", "x.md")


@pytest.mark.parametrize(("runbook", "rejected"), [("runbooks/custom.md", True), ("runbooks/custom/db.md", False)])
def test_a_spec_runbook_inside_the_generated_folder_is_refused(repo_copy: Path, runbook: str, rejected: bool) -> None:
    (repo_copy / runbook).parent.mkdir(parents=True, exist_ok=True)
    (repo_copy / runbook).write_text("# custom\n")
    spec = repo_copy / "slo" / "db.yaml"
    spec.write_text(spec.read_text().replace("  alerting:\n", f"  alerting:\n    runbook: {runbook}\n"))
    specs = load([repo_copy / "slo"])
    if rejected:
        # validate refuses it first, at the field (it used to pass validate and fail generate)
        (error,) = specs.errors
        assert (error.field, error.line) == ("spec.alerting.runbook", 30)
        assert "runbooks/custom.md lies in runbooks/, where `sre generate` writes and deletes" in error.message
        specs.errors.clear()
        with pytest.raises(ValueError, match=r"runbooks/custom.md lies in runbooks/\*.md, which `sre generate` owns"):
            render.render(specs)
    else:
        assert not specs.errors, specs.errors
        outputs = render.render(specs)
        assert "runbooks/db-errors.md" not in outputs
        assert "[runbooks/custom/db.md](custom/db.md)" in outputs[render.INDEX_PATH]


def test_every_shell_block_is_valid_bash(repo_specs: SpecSet, rendered: dict[str, str]) -> None:
    """Commands are pasted into a shell: each fenced bash block must at least parse."""
    import subprocess

    texts = dict(rendered)
    texts |= {p.as_posix(): p.read_text() for p in (REPO / "runbooks" / "incidents").glob("*.md")}
    count = 0
    for path, text in sorted(texts.items()):
        for block in code_blocks(text, "bash"):
            result = subprocess.run(["bash", "-n"], input=block, capture_output=True, text=True, check=False)
            assert result.returncode == 0, f"{path}: {result.stderr}\n{block}"
            count += 1
    assert count > 40
