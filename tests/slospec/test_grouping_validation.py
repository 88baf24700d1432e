"""`sre validate` on grouped SLOs: labels that would merge groups are errors naming file, line and
field; labels without a bound are warnings, printed, exit 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sre_cli.cli import cli
from tests.support.spec_table import write_specs

GAUGE = "spec.indicator.threshold.prometheus.gauge"


def _ratio(group_by: str, bad: str = 'x_total{code="5xx"}', total: str = "x_total", labels: str = "") -> str:
    return f"""
    metadata: {{name: g, service: t{labels}}}
    spec:
      description: d
      objective: 99.9
      indicator:
        groupBy: {group_by}
        ratio:
          prometheus:
            bad: {bad}
            total: {total}
    """


def _gauge(gauge: str) -> str:
    return f"""
    metadata: {{name: q, service: t}}
    spec:
      description: d
      objective: 99
      indicator:
        groupBy: [queue]
        threshold:
          slice: 1m
          operator: "<="
          value: 300
          prometheus:
            gauge: '{gauge}'
    """


def _validate(tmp_path: Path, spec: str) -> tuple[int, str, str]:
    slo = write_specs(tmp_path, spec, None)
    result = CliRunner().invoke(cli, ["validate", str(slo)])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("spec", "line", "field", "message"),
    [
        (_ratio("[handler, severity]"), 8, "spec.indicator.groupBy[1]", "'severity' is a label the generated series"),
        (_ratio("[slo]"), 8, "spec.indicator.groupBy[0]", "'slo' is a label the generated series"),
        (_ratio("[long_window]"), 8, "spec.indicator.groupBy[0]", "'long_window' is a label the generated"),
        (_ratio("[env]", labels=", labels: {env: prod}"), 8, "spec.indicator.groupBy[0]", "'env' is also a label"),
        (
            _ratio("[handler]", bad='x_total{handler=""}'),
            8,
            "spec.indicator.groupBy[0]",
            'x_total{handler=""} only matches series without handler',
        ),
        (_gauge("max(age_seconds)"), 14, GAUGE, "the gauge aggregates away queue, which groupBy splits by"),
        (_gauge("max by (job) (age_seconds)"), 14, GAUGE, "the gauge aggregates away queue"),
        (_gauge("a / on(job) b"), 14, GAUGE, "the gauge aggregates away queue"),
    ],
)
def test_labels_that_merge_groups_are_errors(tmp_path: Path, spec: str, line: int, field: str, message: str) -> None:
    code, _, err = _validate(tmp_path, spec)
    assert code == 2
    assert f"case.yaml:{line}:" in err
    assert f"{field}: {message}" in err


@pytest.mark.parametrize("gauge", ["max by (queue) (age_seconds)", "age_seconds", "max without (pod) (age_seconds)"])
def test_a_gauge_keeping_the_group_label_is_valid(tmp_path: Path, gauge: str) -> None:
    code, out, err = _validate(tmp_path, _gauge(gauge))
    assert (code, out.strip(), err) == (0, "ok: 1 SLO valid", "")


@pytest.mark.parametrize("label", ["instance", "pod", "le"])
def test_unbounded_labels_warn_and_pass(tmp_path: Path, label: str) -> None:
    code, out, err = _validate(tmp_path, _ratio(f"[handler, {label}]"))
    assert code == 0
    assert out.strip() == "ok: 1 SLO valid"
    assert err.strip() == (
        f"{tmp_path}/slo/case.yaml:8:24: spec.indicator.groupBy[1]: warning: {label!r} usually has no bound "
        "(a group per value): series and alerts grow with groups x windows, maxGroups is 50"
    )


def test_a_label_pinned_by_a_selector_warns(tmp_path: Path) -> None:
    code, _, err = _validate(tmp_path, _ratio("[handler]", total='x_total{handler="/a"}'))
    assert code == 0
    assert 'groupBy[0]: warning: x_total{handler="/a"} pins handler to one value: a single group' in err


def test_quiet_still_prints_warnings_and_passes(tmp_path: Path) -> None:
    slo = write_specs(tmp_path, _ratio("[pod]"), None)
    result = CliRunner().invoke(cli, ["validate", "-q", str(slo)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert "groupBy[0]: warning: 'pod' usually has no bound" in result.stderr


def test_latency_cannot_be_grouped_by_its_bucket_label(tmp_path: Path) -> None:
    spec = """
    metadata: {name: l, service: t}
    spec:
      description: d
      objective: 99
      indicator:
        groupBy: [le]
        latency:
          threshold: 1s
          prometheus:
            histogram: h_seconds
            buckets: [1]
    """
    code, _, err = _validate(tmp_path, spec)
    assert code == 2
    assert "groupBy[0]: a latency SLI reads its threshold's bucket (le) itself" in err
