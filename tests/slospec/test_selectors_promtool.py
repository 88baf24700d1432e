"""`sre validate` accepts a selector exactly when Prometheus 2.42 does (issue 17 item 6).

The in-process parser reads Prometheus 3 PromQL and RE2 is not Go's regexp, so validate accepted
selectors promtool refuses: a trailing comment that swallowed the generated rest of the line,
`or` inside braces, quoted (UTF-8) names, regexes Go does not take, reserved `__` label names.
The real promtool is the oracle: each case is checked by both, and whatever validates must
generate rule files promtool loads.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sre_cli.promql_selectors import parse_selector
from sre_cli.slospec.load import load
from sre_cli.targets.prometheus import rules

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")


def _spec(name: str, selector: str, labels: dict[str, str] | None = None) -> dict:
    return {
        "apiVersion": "sre.dev/v1",
        "kind": "SLO",
        "metadata": {"name": name, "service": "svc", "labels": labels or {}},
        "spec": {
            "description": "d",
            "objective": 99.9,
            "indicator": {"ratio": {"prometheus": {"bad": selector, "total": selector}}},
        },
    }


def promtool_refusals(tmp_path: Path, exprs: list[str]) -> dict[int, str]:
    """Index -> promtool's complaint, for each expression promtool refuses as a rule."""
    file = tmp_path / "probe.rules.yaml"
    group = {"name": "probe", "rules": [{"record": f"r{i}", "expr": e} for i, e in enumerate(exprs)]}
    file.write_text(yaml.safe_dump({"groups": [group]}, allow_unicode=True))
    out = subprocess.run(["promtool", "check", "rules", str(file)], capture_output=True, text=True)
    refused = {int(m.group(1)): m.group(2) for m in re.finditer(r'"r(\d+)": (.*)', out.stdout + out.stderr)}
    assert out.returncode == (1 if refused else 0), out.stdout + out.stderr
    return refused


def assert_validate_agrees(tmp_path: Path, selectors: list[str]) -> None:
    root = tmp_path / "repo"
    shutil.rmtree(root, ignore_errors=True)
    (root / "slo").mkdir(parents=True)
    for i, selector in enumerate(selectors):
        (root / "slo" / f"s{i}.yaml").write_text(yaml.safe_dump(_spec(f"s{i}", selector), allow_unicode=True))
    specs = load([root / "slo"])
    rejected = {Path(e.file).stem for e in specs.errors}
    refused = promtool_refusals(tmp_path, selectors)
    disagree = [
        (s, "validate rejects" if f"s{i}" in rejected else "validate accepts", refused.get(i, "promtool accepts"))
        for i, s in enumerate(selectors)
        if (f"s{i}" in rejected) != (i in refused)
    ]
    assert disagree == [], "\n".join(map(repr, disagree))
    # What validates generates a rule file promtool loads.
    valid = load([root / "slo" / f"s{i}.yaml" for i in range(len(selectors)) if f"s{i}" not in rejected])
    if valid.slos:
        generated = rules.render(valid)
        file = tmp_path / "generated.rules.yaml"
        file.write_text(generated[rules.rule_file_path("svc")])
        out = subprocess.run(["promtool", "check", "rules", str(file)], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr


CLASSES = [
    'x{job="a"} # trailing comment',
    "x # comment",
    'x{job="a" or job="b"}',
    '{"metric"}',
    '{"metric", job="a"}',
    'x{"job"="a"}',
    '{__name__="a.b"}',
    '{__name__="x", __name__="y"}',
    'x{a=~"(?<n>a)"}',
    'x{a=~"(?P<n>a)"}',
    'x{a=~"(?P<é>a)"}',
    'x{a=~"a{2,1001}"}',
    'x{a=~"a{2,1000}"}',
    'x{a=~"a++"}',
    'x{a=~"a*+"}',
    'x{a=~"a**"}',
    'x{a=~"(?=a)"}',
    'x{a=~"(?!a)"}',
    'x{a=~"(?<=a)"}',
    'x{a=~"(?<!a)"}',
    'x{a=~"(a)\\\\1"}',
    'x{a=~"\\\\Z"}',
    'x{a=~"\\\\z"}',
    'x{a=~"(?>a)"}',
    'x{a=~"\\\\q"}',
    'x{a=~"\\\\C"}',
    'x{a=~"\\\\p{Vithkuqi}"}',
    'x{a=~"\\\\p{Greek}"}',
    'x{a=~"[a-"}',
    'x{a=~"(a"}',
    'x{a=~"a)"}',
    'x{a=~"a)(b"}',
    'x{a!~"[[:foo:]]"}',
    'x{a=~"[[:alpha:]]"}',
    'x{a=~"(?x)a"}',
    'x{a="tab\\tand\\u0007bell"}',
    "x{a='single'}",
    "x{a=`raw`}",
    'x{a=~""}',
    '{a=~".*"}',
]


def test_named_classes_agree_with_promtool(tmp_path: Path) -> None:
    assert_validate_agrees(tmp_path, CLASSES)


# Where the in-process parser (Rust) is stricter than Prometheus 2.42 (Go): escapes in raw strings,
# regexes Rust's engine refuses (flag groups before a repetition, \Q...\E quoting, compiled size).
# Validate must take what Go takes and refuse what Go refuses.
RUST_STRICTER = [
    'x{a=~"\\\\pL{1000}"}',
    "x{a=`raw\\d`}",
    "x{a=~`a\\pL+`}",
    'x{a=`say "hi"`}',
    'x{job=~"\\\\Q\\\\E"}',
    'x{job=~"\\\\Qa.b\\\\E"}',
    'x{job=~"aaa(?i)?"}',
    'x{job=~"a*(?i)*"}',
    'x{job=~"a?(?i)+"}',
    'x{job=~"a(?i)(?s){2}"}',
    'x{job=~"a(?i)??"}',
    'x{job=~"[a](?i)*"}',
    'x{job=~"a(?-i)?",code!~"b(?i)+"}',
    'x{job=~"(?i)?"}',
    'x{job=~"a|(?i)?"}',
    'x{job=~"((?i)?)"}',
    'x{job=~"a{600}(?i){2}"}',
    'x{job=~"a(?i){2}{3}"}',
]


def test_rust_stricter_cases_agree_with_promtool(tmp_path: Path) -> None:
    assert_validate_agrees(tmp_path, RUST_STRICTER)
    generated = (tmp_path / "generated.rules.yaml").read_text()
    assert "aaa(?i)?" in generated and "sre-regex" not in generated  # the regex as written, not its stand-in


def test_stood_in_regex_comes_back_as_written() -> None:
    selector = parse_selector('x{job=~"aaa(?i)?",code=`5\\d\\d`}')
    assert [(m.label, m.op, m.value) for m in selector.matchers] == [
        ("job", "=~", "aaa(?i)?"),
        ("code", "=", "5\\d\\d"),
    ]
    assert str(selector) == 'x{job=~"aaa(?i)?",code="5\\\\d\\\\d"}'


_REGEX_PIECES = st.sampled_from(
    [
        "a", "b", ".", "*", "+", "?", "{2}", "{1,3}", "{2,1001}", "{1001}", "(", ")", "(?:", "(?i)", "(?P<n>",
        "(?<n>", "(?=", "(?!", "(?<=", "[", "]", "[^", "-", "|", "^", "$", "\\d", "\\w", "\\b", "\\Z", "\\z",
        "\\1", "\\C", "\\q", "\\pL", "\\p{Greek}", "\\p{Toto}", "\\x{41}", "[:alpha:]", "++",
        "*?", "é", "\\\\", "\\.",
    ]
)  # fmt: skip
_REGEX = st.lists(_REGEX_PIECES, max_size=6).map("".join)
_VALUE = st.text(alphabet=st.sampled_from(["a", " ", '"', "\\", "\n", "é", "{", "}", "#", "`"]), max_size=5)
_LABEL = st.sampled_from(["job", "le", "_x", "__name__", "a1", '"job"', '"a.b"'])


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@st.composite
def selectors(draw: st.DrawFn) -> str:
    metric = draw(st.sampled_from(["x", "x_total", "ns:x", "", '"quoted"']))
    matchers = []
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["=", "!=", "=~", "!~"]))
        value = draw(_REGEX) if "~" in op else draw(_VALUE)
        matchers.append(f"{draw(_LABEL)}{op}{_quoted(value)}")
    joiner = draw(st.sampled_from([",", ", ", " or "]))
    if metric.startswith('"'):
        matchers.insert(0, metric)
        metric = ""
    body = f"{metric}{{{joiner.join(matchers)}}}" if matchers or not metric else metric
    return body + draw(st.sampled_from(["", " # c", "\n# c"]))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(selectors(), min_size=40, max_size=40))
def test_generated_selectors_agree_with_promtool(tmp_path: Path, cases: list[str]) -> None:
    assert_validate_agrees(tmp_path, cases)


@pytest.mark.parametrize("where", ["metadata", "defaults"])
def test_reserved_label_names_are_refused(tmp_path: Path, where: str) -> None:
    (tmp_path / "slo").mkdir()
    labels = {"__name__": "x", "__meta": "y", "_ok": "z"}
    spec = _spec("s", "x", labels if where == "metadata" else None)
    (tmp_path / "slo" / "s.yaml").write_text(yaml.safe_dump(spec))
    if where == "defaults":
        (tmp_path / "slo" / "defaults.yaml").write_text(yaml.safe_dump({"labels": labels}))
    specs = load([tmp_path / "slo"])
    assert sorted((e.field, e.line) for e in specs.errors) == (
        [("metadata.labels.__meta", 5), ("metadata.labels.__name__", 6)]
        if where == "metadata"
        else [("labels.__meta", 2), ("labels.__name__", 3)]
    ), specs.errors


def test_expression_template_takes_what_prometheus_takes(tmp_path: Path) -> None:
    # The template is checked by the same parse as selectors: a regex only Rust refuses passes.
    (tmp_path / "slo").mkdir()
    spec = _spec("e", "x")
    spec["spec"]["indicator"]["ratio"]["prometheus"] = {
        "expression": {
            "bad": 'sum(rate(x{code=~"5..",job=~"aaa(?i)?"}[{{.window}}]))',
            "total": 'sum(rate(x{job=~"aaa(?i)?"}[{{.window}}]))',
        }
    }
    (tmp_path / "slo" / "e.yaml").write_text(yaml.safe_dump(spec))
    specs = load([tmp_path / "slo"])
    assert specs.ok, specs.errors
    file = tmp_path / "generated.rules.yaml"
    file.write_text(rules.render(specs)[rules.rule_file_path("svc")])
    out = subprocess.run(["promtool", "check", "rules", str(file)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'job=~"aaa(?i)?"' in file.read_text()
