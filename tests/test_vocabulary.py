"""One value, one text: rules, alarms, dashboards, runbooks and the report spell numbers alike.

Each awkward value goes into a spec (a threshold's value, an objective, a latency threshold) and
is looked for in what the real builders make of it: the Prometheus rule, the CloudWatch alarm's
metric math, the runbook's PromQL and `get-metric-data` queries, and the report backends' queries.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser
import pytest

from sre_cli import vocabulary
from sre_cli.backends import cloudwatch as report_cloudwatch
from sre_cli.backends import promql as report_promql
from sre_cli.runbooks import queries as runbook_queries
from sre_cli.runbooks import render as runbook_render
from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import Slo, SpecSet
from sre_cli.targets.cloudwatch import alarms, dashboards, metricmath
from sre_cli.targets.prometheus import naming, rules
from tests.support import cloudwatch_eval

REPO = Path(__file__).resolve().parents[1]
GAUGE = 'max(queue_age_seconds{queue="jobs"})'

# (value, its text): exact where the double is what was meant, float noise dropped where
# arithmetic made it (0.1 + 0.2, 1 - 0.9995), never an exponent, never "-0" or "300.0".
AWKWARD = [
    (1e-05, "0.00001"),
    (0.1 + 0.2, "0.3"),
    (99.95 / 100, "0.9995"),
    (1 / 3, "0.3333333333333333"),
    (1e-12, "0.000000000001"),
    (1e21, "1000000000000000000000"),
    (0.999, "0.999"),
    (300.0, "300"),
    (14.4, "14.4"),
    (0.02 * 720, "14.4"),
    (-0.0, "0"),
    (1 - 0.9995, "0.0005"),
    (1 - 0.99999, "0.00001"),
    (-2.5, "-2.5"),
    (123456.789, "123456.789"),
    (1.5e-13, "0.00000000000015"),  # tiny, not noise: kept, not rounded to 0
    (5.5e-17, "0.000000000000000055"),
    (2**53 + 0.0, "9007199254740992"),
]


@pytest.mark.parametrize(("value", "text"), AWKWARD)
def test_number_is_exact_positional_and_read_back_by_promql_and_metric_math(value: float, text: str) -> None:
    assert vocabulary.number(value) == text
    assert "e" not in text.lower() and text != "-0"
    # Exact, or off by float noise only: a few units in the 16th digit of max(1, |value|).
    assert abs(float(text) - value) <= 1e-15 * max(1.0, abs(value))
    if not math.isclose(float(text), value, rel_tol=0, abs_tol=0):
        assert round(value, 12) == float(text)
    assert promql_parser.parse(f"x > {text}").rhs.val == float(text)
    assert cloudwatch_eval.evaluate_expression(metricmath.parse(f"0 + {text}"), {}) == float(text)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_number_refuses_what_metric_math_cannot_read(value: float) -> None:
    with pytest.raises(ValueError, match="no text"):
        vocabulary.number(value)


def _yaml_float(value: float) -> str:
    """A YAML 1.1 float that loads back as exactly `value` (PyYAML wants a dot and a signed exponent)."""
    return f"{value:.17e}"


def _specs(tmp_path: Path, body: str) -> SpecSet:
    root = tmp_path / "slo"
    root.mkdir()
    (root / "defaults.yaml").write_text((REPO / "slo" / "defaults.yaml").read_text(encoding="utf-8"), "utf-8")
    (root / "odd.yaml").write_text(body, "utf-8")
    return load_or_raise([root])


def _threshold_specs(tmp_path: Path, value: float, objective: str = "99") -> SpecSet:
    return _specs(
        tmp_path,
        f"""apiVersion: sre.dev/v1
kind: SLO
metadata: {{name: odd-threshold, service: odd, owner: team-odd}}
spec:
  description: Odd numbers.
  objective: {objective}
  window: 30d
  indicator:
    threshold:
      slice: 1m
      operator: ">"
      value: {_yaml_float(value)}
      prometheus: {{gauge: '{GAUGE}'}}
      cloudwatch:
        metric: {{namespace: Custom/Odd, metricName: QueueAge, statistic: Maximum}}
""",
    )


def _latency_specs(tmp_path: Path, threshold: float, objective: str) -> SpecSet:
    return _specs(
        tmp_path,
        f"""apiVersion: sre.dev/v1
kind: SLO
metadata: {{name: odd-latency, service: odd, owner: team-odd}}
spec:
  description: Odd numbers.
  objective: {objective}
  window: 30d
  indicator:
    latency:
      threshold: {_yaml_float(threshold)}
      prometheus:
        histogram: 'request_seconds{{job="odd"}}'
        buckets: [{_yaml_float(threshold)}, 1000]
      cloudwatch:
        metric: {{namespace: Custom/Odd, metricName: Latency}}
"""
        # Below 98.6% the built-in page pairs (14.4x, 6x) cannot fire, which validate refuses.
        + ("  alerting: {page: {enabled: false}}\n" if float(objective) < 98.6 else ""),
    )


def _strings(doc: Any, key: str) -> Iterator[str]:
    """Every string under `key` anywhere in a JSON-like document."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k == key and isinstance(v, str):
                yield v
            else:
                yield from _strings(v, key)
    elif isinstance(doc, list):
        for item in doc:
            yield from _strings(item, key)


def _alarm_documents(specs: SpecSet) -> Any:
    return json.loads(json.dumps(alarms.render_documents(specs)))


def _only(specs: SpecSet) -> Slo:
    (slo,) = specs.slos
    return slo


# Values a threshold with a CloudWatch source can hold: its fallback alarm reads the percentile
# rank PR(:value), whose bound the CloudWatch validator wants >= 0.
THRESHOLD_VALUES = [(v, t) for v, t in AWKWARD if v >= 0]


@pytest.mark.parametrize(("value", "text"), THRESHOLD_VALUES)
def test_a_threshold_value_reads_the_same_in_rules_alarms_runbooks_and_report(
    tmp_path: Path, value: float, text: str
) -> None:
    specs = _threshold_specs(tmp_path, value)
    slo = _only(specs)
    assert slo.indicator.threshold is not None and slo.indicator.threshold.value == value

    # Prometheus rules: the bad-slice sample (good is `>`, so a slice is bad at `<=`).
    recorded = {r["record"]: r["expr"] for r in rules.slo_group(slo)["rules"] if "record" in r}
    assert recorded[naming.SLICE_BAD] == f"max(({GAUGE}) <= bool {text})"

    # CloudWatch alarms: the per-slice comparison, and the fallback's percentile rank.
    documents = _alarm_documents(specs)
    assert f"IF(m0 > {text}, 0, 1 / 0.01)" in set(_strings(documents, "Expression"))
    assert f"PR(:{text})" in set(_strings(documents, "Stat"))

    # Runbook: PromQL and metric math an on-call engineer pastes, and the prose.
    assert runbook_queries.promql_error_ratio(slo, "1h") == f"avg_over_time(\n  ({GAUGE} <= bool {text})[1h:1m]\n)"
    bad_slice = runbook_queries.cloudwatch_error_ratio(slo, 60)[-1]
    assert bad_slice["Expression"] == f"IF(value <= {text}, 1, 0)"
    assert f"`> {text}`" in runbook_render._sli_meaning(slo)

    # Report backend: good slices counted by Prometheus.
    assert report_promql.slo_queries(slo).numerator == f"sum(sum_over_time(({GAUGE} > bool {text})[{{wo}}:1m]))"


@pytest.mark.parametrize(
    ("objective", "budget"),
    [("99.95", "0.0005"), ("99.9", "0.001"), ("99.999", "0.00001"), ("99.99", "0.0001"), ("90", "0.1")],
)
def test_an_error_budget_reads_the_same_in_rules_alarms_dashboards_and_runbooks(
    tmp_path: Path, objective: str, budget: str
) -> None:
    specs = _latency_specs(tmp_path, 0.3, objective)
    slo = _only(specs)
    assert vocabulary.number(1 - float(objective) / 100) == budget

    recorded = {r["record"]: r["expr"] for r in rules.slo_group(slo)["rules"] if "record" in r}
    assert recorded[naming.ERROR_BUDGET] == f"vector({budget})"
    assert recorded[naming.burn_rate(3600)].endswith(f" / {budget}")

    burns = {e for e in _strings(_alarm_documents(specs), "Expression") if e.startswith("IF(")}
    assert burns and all(e.endswith(f"bad / total / {budget}, 0)") for e in burns), burns
    widgets = json.dumps(dashboards.render(specs))
    assert f"100 * (1 - bad / total / {budget})" in widgets

    assert runbook_queries.promql_burn_rate(slo, "1h").endswith(f") / {budget}")
    consumed = runbook_queries.cloudwatch_queries(slo)[-1].queries[-1]
    assert consumed["Expression"] == f"error_ratio / {budget}"


@pytest.mark.parametrize(("threshold", "text"), [(0.3, "0.3"), (1e-05, "0.00001"), (1.0, "1"), (2.5, "2.5")])
def test_a_latency_threshold_reads_the_same_in_alarms_runbooks_and_report(
    tmp_path: Path, threshold: float, text: str
) -> None:
    specs = _latency_specs(tmp_path, threshold, "99")
    slo = _only(specs)

    assert f"PR(:{text})" in set(_strings(_alarm_documents(specs), "Stat"))
    assert f"requests <= {text}s" in set(_strings(_alarm_documents(specs), "Label"))
    runbook_stats = {
        q["MetricStat"]["Stat"] for q in runbook_queries.cloudwatch_error_ratio(slo, 300) if "MetricStat" in q
    }
    assert runbook_stats == {f"PR(:{text})"}
    assert f"`PR(:{text})`" in runbook_render._sli_meaning(slo)
    plan = report_cloudwatch._plan(slo, 1_700_000_000, slo.window_seconds, "a")
    assert f"PR(:{text})" in {q.to_api()["MetricStat"]["Stat"] for q in plan.queries}
