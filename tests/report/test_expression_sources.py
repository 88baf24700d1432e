"""Expression and errorRatio sources on the report's raw path, on the real backfilled Prometheus.

The same synthetic API traffic is read three ways: the stack's selector SLO, an `expression`
source with the same counting PromQL written as an expression, and an `errorRatio` source. The
expression must count exactly the selector SLO's events (rate over the window x its seconds is
increase()); the errorRatio has no counts, so its good/total are the window's seconds and its SLI
the same ratio, and the report says it is approximate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sre_cli import slomath
from sre_cli.backends.prometheus import PrometheusBackend
from sre_cli.report import make_report, render
from sre_cli.slospec.load import load

from .conftest import History

SPECS = """
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: sel, service: api}
spec:
  description: selectors
  objective: 99.9
  indicator:
    ratio:
      prometheus:
        good: http_requests_total{job="api",status="2xx"}
        total: http_requests_total{job="api"}
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: ex, service: api}
spec:
  description: expression
  objective: 99.9
  indicator:
    ratio:
      prometheus:
        expression:
          good: sum(rate(http_requests_total{job="api",status="2xx"}[{{.window}}])) * 1
          total: sum(rate(http_requests_total{job="api"}[{{.window}}])) * 1
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: er, service: api}
spec:
  description: error ratio
  objective: 99.9
  indicator:
    ratio:
      prometheus:
        errorRatio: >-
          1 - sum(rate(http_requests_total{job="api",status="2xx"}[{{.window}}]))
          / sum(rate(http_requests_total{job="api"}[{{.window}}]))
"""


@pytest.mark.e2e
def test_raw_report_of_expression_and_error_ratio_sources(history: History, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SPECS)
    specs = load([tmp_path])
    assert specs.ok, specs.errors
    at = history.data.end - 30 * 60
    report = make_report(specs.slos, PrometheusBackend(history.url, timeout=30), at, source="raw")
    r = {s.name: s for s in report.slos}
    sel, ex, er = r["sel"], r["ex"], r["er"]
    assert sel.events is not None and ex.events is not None and er.events is not None
    assert sel.events.total > 1000
    assert ex.events.total == pytest.approx(sel.events.total, rel=1e-9)
    assert ex.events.good == pytest.approx(sel.events.good, rel=1e-9)
    assert ex.unit == "events" and not any("approximate" in w for w in ex.warnings)
    for label, rate in sel.burn_rates.items():
        assert ex.burn_rates[label] == pytest.approx(rate, rel=1e-6), label
        assert er.burn_rates[label] == pytest.approx(rate, rel=1e-6), label
    assert er.unit == "seconds"
    assert er.events.total == pytest.approx(er.window_seconds)
    assert er.sli == pytest.approx(sel.sli, rel=1e-9)
    assert er.window_seconds == slomath.parse_duration("30d")
    assert any("approximate: average of ratios" in w for w in er.warnings)
    for fmt in ("table", "markdown", "json", "html"):
        assert "approximate: average of ratios" in render(report, fmt, color=False, width=200), fmt


def test_recorded_error_ratio_report_says_the_rules_average_ratios(tmp_path: Path) -> None:
    from sre_cli.backends import Counts, Measurement
    from sre_cli.report.model import build

    (tmp_path / "s.yaml").write_text(SPECS)
    slos = {s.name: s for s in load([tmp_path]).slos}
    window = slos["er"].window_seconds
    # What recorded.measurement makes of the rules' count (seconds) and averaged ratio.
    m = Measurement("er", "seconds", 1e9, window, {window: Counts(0.999 * window, window)}, 1.0, None, 1800)
    recorded = build(slos["er"], Measurement(**{**m.__dict__, "source": "recorded"}))
    assert recorded.unit == "seconds"
    assert any("approximate: average of ratios" in w and "the rules average" in w for w in recorded.warnings)
    assert not any("approximate" in w for w in build(slos["sel"], m).warnings)


def test_error_ratio_report_applies_no_event_guard(tmp_path: Path) -> None:
    """Like its rules: an inherited minEvents cannot count the seconds of an errorRatio source."""
    from sre_cli.backends import Counts, Measurement
    from sre_cli.report.model import build

    (tmp_path / "s.yaml").write_text(SPECS)
    (tmp_path / "defaults.yaml").write_text(
        "page:\n  windows:\n    - {long: 1h, short: 5m, budgetPercent: 2, minEvents: 1000000000}\n"
    )
    specs = load([tmp_path])
    assert specs.ok, specs.errors
    slos = {s.name: s for s in specs.slos}
    windows = {w: Counts(0.0, float(w)) for w in slos["er"].sli_windows}  # nothing good: burning at 100x
    for name, unit in (("er", "seconds"), ("sel", "events")):
        m = Measurement(name, unit, 1e9, slos[name].window_seconds, dict(windows), 1.0, None, 1800)
        page = next(a for a in build(slos[name], m).alerts if a.tier == "page")
        assert (page.min_events, page.firing) == ((0, True) if name == "er" else (1_000_000_000, False)), name
