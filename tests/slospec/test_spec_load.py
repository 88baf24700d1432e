"""Loading: every problem in one run, nothing twice, and the resolved SLO generators read."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sre_cli import slomath
from sre_cli.slospec.errors import SpecLoadError
from sre_cli.slospec.load import load, load_or_raise

REPO = Path(__file__).resolve().parents[2]

SPEC = """\
apiVersion: sre.dev/v1
kind: SLO
metadata:
  name: {name}
  service: api
spec:
  description: d
  objective: {objective}
  indicator:
    ratio:
      prometheus:
        good: {good}
        total: http_requests_total{{job="api"}}
{alerting}"""


def spec(
    name: str = "api", objective: str = "99.9", good: str = 'http_requests_total{status="2xx"}', alerting: str = ""
):
    return SPEC.format(name=name, objective=objective, good=good, alerting=textwrap.indent(alerting, "  "))


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_stack_specs_load_clean() -> None:
    specs = load([REPO / "slo"])
    assert specs.errors == []
    assert sorted(s.name for s in specs.slos) == [
        "api-availability",
        "api-latency",
        "batch-queue-age",
        "db-errors",
        "sfn-success",
    ]
    by_name = {s.name: s for s in specs.slos}
    assert by_name["api-availability"].objective == 0.999
    assert by_name["api-latency"].indicator.latency.threshold_seconds == 0.3
    assert by_name["batch-queue-age"].indicator.kind == "threshold"
    assert by_name["sfn-success"].indicator.ratio.prometheus.metric_type == "periodSum"
    assert by_name["db-errors"].indicator.ratio.prometheus.bad is not None
    assert all(s.window_seconds == 30 * slomath.DAY for s in specs.slos)
    assert by_name["api-availability"].labels["team"] == "platform"  # from defaults.yaml


def test_every_problem_of_a_run_is_reported_once(tmp_path: Path) -> None:
    """Schema errors and cross-field errors of the same document, other documents and other files."""
    d = tmp_path / "slo"
    write(
        d,
        "a.yaml",
        spec(
            name="Bad_Name",
            good="rate(x[5m])",
            alerting="alerting:\n  page:\n    windows: [{long: 1h, short: 2h, "
            "budgetPercent: 2}]\n  ticket: {severity: 3}\n",
        )
        + "---\n"
        + spec(name="second", objective="0"),
    )
    write(d, "b.yaml", spec(name="second", good="x{"))
    write(d, "c.yaml", spec(name="third") + "  window: 12h\n")
    write(d, "d.yaml", spec(name="third"))
    errors = load([d]).errors
    got = sorted((Path(e.file).name, e.line, e.field, e.message[:30]) for e in errors)
    assert got == sorted(
        [
            ("a.yaml", 4, "metadata.name", "must be a lowercase DNS label:"),
            ("a.yaml", 12, "spec.indicator.ratio.prometheus.good", "good must be a series selector"),
            ("a.yaml", 16, "spec.alerting.page.windows[0].short", "short window 2h must be shorte"),
            ("a.yaml", 17, "spec.alerting.ticket.severity", "Input should be a valid string"),
            ("a.yaml", 26, "spec.objective", "Input should be greater than 0"),
            ("b.yaml", 12, "spec.indicator.ratio.prometheus.good", "PromQL does not parse: unexpec"),
            ("c.yaml", 14, "spec.window", "the SLO window must be at leas"),
        ]
    ), got
    assert len(errors) == len({(e.file, e.line, e.col, e.field) for e in errors})  # nothing twice


def test_duplicate_name_across_files_names_both(tmp_path: Path) -> None:
    write(tmp_path / "slo", "a.yaml", spec(name="same"))
    write(tmp_path / "slo", "b.yaml", spec(name="same", objective="99"))
    (err,) = load([tmp_path / "slo"]).errors
    assert (Path(err.file).name, err.line, err.col, err.field) == ("b.yaml", 4, 9, "metadata.name")
    assert f"first in {tmp_path / 'slo' / 'a.yaml'}:1" in err.message


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    f = write(tmp_path / "slo", "a.yaml", spec())
    specs = load([tmp_path / "slo", f])
    assert specs.errors == [] and len(specs.slos) == 1


def test_missing_path_is_an_error_not_an_empty_success(tmp_path: Path) -> None:
    (err,) = load([tmp_path / "nope"]).errors
    assert err.message == "no such file or directory"


def test_runbook_that_exists_is_accepted_relative_to_repo_root(tmp_path: Path) -> None:
    write(tmp_path, "runbooks/api.md", "# api\n")
    write(tmp_path / "slo", "a.yaml", spec(alerting="alerting:\n  runbook: runbooks/api.md\n"))
    specs = load([tmp_path / "slo"])
    assert specs.errors == []
    assert specs.slos[0].runbook == "runbooks/api.md"


def test_naming_the_runbook_generate_writes_is_valid_before_it_exists(tmp_path: Path) -> None:
    """README's `runbook: runbooks/<name>.md` for a new SLO: validate must not wait for generate to write it."""
    from click.testing import CliRunner

    from sre_cli.cli import cli

    write(tmp_path / "slo", "a.yaml", spec(name="checkout", alerting="alerting:\n  runbook: runbooks/checkout.md\n"))
    specs = load([tmp_path / "slo"])
    assert specs.errors == []
    assert specs.slos[0].runbook_generated
    result = CliRunner().invoke(cli, ["generate", "--specs", str(tmp_path / "slo")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "runbooks" / "checkout.md").is_file()


def test_defaults_are_merged_and_tiers_resolved(tmp_path: Path) -> None:
    write(
        tmp_path / "slo",
        "defaults.yaml",
        "runbookBaseUrl: https://git.example/blob/main/\ndashboardBaseUrl: https://grafana.example/d/slo-\n"
        "labels: {team: platform, env: prod}\nnotificationTargets:\n  pager: {alertmanagerReceiver: pager}\n"
        "  tickets: {alertmanagerReceiver: tickets}\npage: {notify: pager, severity: critical}\n"
        "ticket: {notify: tickets}\n",
    )
    write(
        tmp_path / "slo",
        "a.yaml",
        spec(alerting="alerting:\n  minEvents: 50\n  ticket: {enabled: false}\n").replace(
            "  service: api\n", "  service: api\n  labels: {env: staging}\n"
        ),
    )
    specs = load_or_raise([tmp_path / "slo"])
    (slo,) = specs.slos
    assert slo.labels == {"team": "platform", "env": "staging"}  # the spec's own label wins
    assert slo.min_events == 50
    assert [t.name for t in slo.tiers] == ["page"]
    (page,) = slo.tiers
    assert (page.severity, page.notify, page.for_) == ("critical", "pager", "2m")
    assert [w.factor(slo.window_seconds) for w in page.windows] == pytest.approx([14.4, 6.0])
    assert slo.runbook_url == "https://git.example/blob/main/runbooks/api.md"
    assert slo.dashboard_url == "https://grafana.example/d/slo-api"


def test_custom_windows_override_the_default_table(tmp_path: Path) -> None:
    write(
        tmp_path / "slo",
        "a.yaml",
        spec(alerting="alerting:\n  page:\n    windows: [{long: 2h, short: 10m, budgetPercent: 3}]\n")
        + "  window: 7d\n",
    )
    (slo,) = load_or_raise([tmp_path / "slo"]).slos
    (window,) = slo.tiers[0].windows
    assert window == slomath.BurnWindow(7200, 600, 0.03)
    assert window.factor(slo.window_seconds) == pytest.approx(0.03 * 7 * 24 / 2)
    assert 600 in slo.sli_windows and 7 * slomath.DAY in slo.sli_windows


def test_load_or_raise_lists_every_error(tmp_path: Path) -> None:
    write(tmp_path / "slo", "a.yaml", spec(objective="0") + "---\n" + spec(name="b", objective="100"))
    with pytest.raises(SpecLoadError) as info:
        load_or_raise([tmp_path / "slo"])
    assert len(info.value.errors) == 2
    assert str(info.value).count("spec.objective") == 2
