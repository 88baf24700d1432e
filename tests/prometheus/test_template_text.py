"""Spec text in alert rules renders literally: Prometheus expands labels and annotations as Go templates.

Issue 17 item 3: `{{ }}` in a description, a label value or a defaults.yaml label made Prometheus
refuse the rule file, and `{{ $value }}` / `{{ query "..." }}` ran at alert time. promtool itself
proves both halves: `check rules` loads the files, `test rules` compares the expanded text.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sre_cli.targets.prometheus import naming
from sre_cli.textsafe import go_template_literal

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")

# Go template syntax of every kind, and what sits next to it in real text.
TEMPLATE_TEXTS = [
    "{{ operation }}",
    '{{ $value }} and {{ query "up" | first | value }}',
    "{{",
    "}}",
    "{{{",
    "{",
    "a{",
    "}{{}}{",
    "{{- trim -}}",
    '{{ "{{" }}',
    "`{{`",
    "``` {{ `x` }} ```",
    "{{/* comment */}}",
    '{{ define "x" }}y{{ end }}{{ template "x" }}',
    "line one\n{{ $labels.job }}\nline three {",
    "ünïcödé {{ ✓ }} 日本語 {{",
    '\\{{ "\\" }}',
    "{{ $externalLabels }}",
    '%s %d {{ printf "%q" 1 }}',
]

_PIECE = st.one_of(
    st.sampled_from(["{", "}", "{{", "}}", "`", '"', "'", "\\", "$", "|", "-", " ", "\n", "(", ")", ".", "{{-", "/*"]),
    st.characters(blacklist_categories=("Cs", "Cc")),
)
_TEXT = st.lists(_PIECE, min_size=1, max_size=20).map("".join)


def _promtool_test(tmp_path: Path, alerts: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": [{"name": "text", "rules": alerts}]}, allow_unicode=True))
    check = subprocess.run(["promtool", "check", "rules", str(rules)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    tests = tmp_path / "tests.yaml"
    suite = {
        "rule_files": [rules.name],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "alert_rule_test": expected}],
    }
    tests.write_text(yaml.safe_dump(suite, allow_unicode=True))
    run = subprocess.run(["promtool", "test", "rules", str(tests)], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def _expand_literally(tmp_path: Path, texts: list[str]) -> None:
    """One alert per text, label and annotation escaped; promtool must expand each back to the text."""
    alerts, expected = [], []
    for i, text in enumerate(texts):
        name = f"Text{i}"
        alerts.append(
            {
                "alert": name,
                "expr": "vector(1)",
                "labels": {"user": go_template_literal(text)},
                "annotations": {
                    "description": go_template_literal(text),
                    "after": go_template_literal(text) + "{{ 1 }}",
                },
            }
        )
        expected.append(
            {
                "eval_time": "1m",
                "alertname": name,
                "exp_alerts": [
                    {"exp_labels": {"user": text}, "exp_annotations": {"description": text, "after": text + "1"}}
                ],
            }
        )
    _promtool_test(tmp_path, alerts, expected)


def test_template_syntax_expands_to_itself(tmp_path: Path) -> None:
    _expand_literally(tmp_path, TEMPLATE_TEXTS)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_TEXT, min_size=20, max_size=20))
def test_any_text_expands_to_itself(tmp_path: Path, texts: list[str]) -> None:
    _expand_literally(tmp_path, texts)


# ---- through the generator -----------------------------------------------------------------

DESCRIPTION = 'Errors {{ $value }} of {{ query "up" }}, `{{ operation }}`\n## not a heading {'
LABEL = "{{ operation }}"
DEFAULT_LABEL = '{{ humanize "x" }}'
SELECTOR_VALUE = "{{ $labels.job }}"


ABSENT_DESCRIPTION = (
    f'None of the series behind tmpl exist (requests_total{{job="{SELECTOR_VALUE}"}}). The SLI reads as zero '
    "events, so its burn-rate alerts cannot fire: check the exporter and the scrape."
)


def _write_specs(root: Path) -> None:
    spec = {
        "apiVersion": "sre.dev/v1",
        "kind": "SLO",
        "metadata": {"name": "tmpl", "service": "api", "owner": "{{ owner }} | team", "labels": {"tier": LABEL}},
        "spec": {
            "description": DESCRIPTION,
            "objective": 99.9,
            "indicator": {
                "ratio": {
                    "prometheus": {
                        "bad": f'errors_total{{job="{SELECTOR_VALUE}"}}',
                        "total": f'requests_total{{job="{SELECTOR_VALUE}"}}',
                    }
                }
            },
            "alerting": {"ticket": {"enabled": False}},
        },
    }
    defaults = {
        "labels": {"team": DEFAULT_LABEL},
        "runbookBaseUrl": "https://wiki/{{ x }}/runbooks/",
        "dashboardBaseUrl": "https://grafana/{{ d }}/slo-",
    }
    (root / "slo").mkdir()
    (root / "slo" / "api.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    (root / "slo" / "defaults.yaml").write_text(yaml.safe_dump(defaults))


def _sre(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    sre = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "sre"
    return subprocess.run([str(sre), *args], capture_output=True, text=True, cwd=root)


def test_generated_rules_carry_spec_text_literally(tmp_path: Path) -> None:
    _write_specs(tmp_path)
    assert _sre(tmp_path, "validate", "slo").returncode == 0
    generated = _sre(tmp_path, "generate", "--specs", "slo")
    assert generated.returncode == 0, generated.stderr
    rule_file = tmp_path / "alarms" / "prometheus" / "api.rules.yaml"
    manifest = tmp_path / "alarms" / "prometheus" / "kubernetes" / "api-slo.prometheusrule.yaml"
    check = subprocess.run(["promtool", "check", "rules", str(rule_file)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    # The manifest's groups are the same text, under spec:.
    groups = yaml.safe_load(manifest.read_text())["spec"]
    (tmp_path / "from-manifest.yaml").write_text(yaml.safe_dump(groups))
    check = subprocess.run(
        ["promtool", "check", "rules", str(tmp_path / "from-manifest.yaml")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr

    amtool = subprocess.run(
        ["amtool", "check-config", str(tmp_path / "alarms" / "alertmanager" / "alertmanager.yml")],
        capture_output=True,
        text=True,
    )
    assert amtool.returncode == 0, amtool.stdout + amtool.stderr

    doc = yaml.safe_load(rule_file.read_text())
    pages = [r for r in doc["groups"][0]["rules"] if r.get("alert") == naming.ALERT_PAGE]
    labels = {"service": "api", "slo": "tmpl", "team": DEFAULT_LABEL, "tier": LABEL, "owner": "{{ owner }} | team"}
    # 100% errors from the start: every burn rate is 1 / 0.001, each page pair fires after its `for`.
    series = [
        {"series": f'errors_total{{job="{SELECTOR_VALUE}"}}', "values": "0+60x200"},
        {"series": f'requests_total{{job="{SELECTOR_VALUE}"}}', "values": "0+60x200"},
    ]
    expected_pages = []
    for page in pages:
        template = page["annotations"]["description"]
        assert template.endswith(go_template_literal(DESCRIPTION))
        ours = template[: -len(go_template_literal(DESCRIPTION))]
        windows = {k: page["labels"][k] for k in ("long_window", "short_window", "severity")}
        expected_pages.append(
            {
                "exp_labels": {**labels, **windows},
                "exp_annotations": {
                    "summary": page["annotations"]["summary"],
                    "description": ours.replace('{{ $value | printf "%.2f" }}', "1000.00") + DESCRIPTION,
                    "runbook_url": "https://wiki/{{ x }}/runbooks/tmpl.md#page",
                    "dashboard_url": "https://grafana/{{ d }}/slo-api",
                },
            }
        )
    suite = {
        "rule_files": [str(rule_file)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    {"eval_time": "10m", "alertname": naming.ALERT_PAGE, "exp_alerts": expected_pages},
                ],
            },
            {
                "interval": "1m",
                "input_series": [],
                "alert_rule_test": [
                    {
                        "eval_time": "20m",
                        "alertname": naming.ALERT_ABSENT,
                        "exp_alerts": [
                            {
                                "exp_labels": {**labels, "severity": "ticket", "job": SELECTOR_VALUE},
                                "exp_annotations": {
                                    "summary": "tmpl: the SLI's source series are missing",
                                    "description": ABSENT_DESCRIPTION,
                                    "runbook_url": "https://wiki/{{ x }}/runbooks/tmpl.md#metrics-absent",
                                    "dashboard_url": "https://grafana/{{ d }}/slo-api",
                                },
                            }
                        ],
                    }
                ],
            },
        ],
    }
    tests = tmp_path / "tests.yaml"
    tests.write_text(yaml.safe_dump(suite, allow_unicode=True))
    run = subprocess.run(["promtool", "test", "rules", str(tests)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
