"""Generated rules and runbook queries read a threshold gauge whole, whatever its shape (promtool).

Issue 17.1: a gauge containing `or` (`max(x) or vector(0)`) was compared only in part, and
`absent(max(x) or vector(0))` can never fire, so SLOMetricsAbsent stayed quiet while the queue's
series were gone. For every shape of `tests/support/gauge_shapes`, real `promtool test rules`
checks the recorded bad slice, the runbook's error ratio, and that SLOMetricsAbsent (and the
runbook's presence checks) fire once the series the gauge reads stop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sre_cli import slomath
from sre_cli.promrun import MissingBinary, find_binary, promtool
from sre_cli.runbooks import queries
from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import Slo
from sre_cli.targets.prometheus import naming, rules, sli
from tests.support.gauge_shapes import SHAPES, Shape, X, Y, threshold_spec

BAD_FROM_MINUTE = 60  # x is bad for minutes 60..69, then good, and gone (with y) from minute 120 on
GONE_FROM_MINUTE = 120
BAD_AT = (BAD_FROM_MINUTE + 5) * 60  # where `pinned` reads x
INPUT_SERIES = [
    {"series": X, "values": "100x59 1000x9 100x49 _x59"},
    {"series": Y, "values": "0x119 _x59"},
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Slo], Path]:
    try:
        find_binary("promtool")
    except MissingBinary:
        pytest.fail("promtool is required (Debian package prometheus)")
    root = tmp_path_factory.mktemp("shapes")
    (root / "slo").mkdir()
    for shape in SHAPES:
        (root / "slo" / f"{shape.id}.yaml").write_text(threshold_spec(shape.id, shape, BAD_AT, service=shape.id))
    specs = load_or_raise([root / "slo"])
    for rel, content in rules.render(specs).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content)
    return {s.name: s for s in specs.slos}, root


def _value(expr: str, minute: int, value: float | None) -> dict[str, Any]:
    samples = [] if value is None else [{"labels": "{}", "value": value}]
    return {"expr": expr, "eval_time": f"{minute}m", "exp_samples": samples}


def _checks(slo: Slo, shape: Shape) -> list[dict[str, Any]]:
    bad_slice = f'sum({naming.SLICE_BAD}{{slo="{slo.name}"}})'
    # Runbook: 30 slices (51m..80m) around the 10 bad minutes; pinned to a bad minute, all are bad.
    ratio = f"sum(round(\n{queries.promql_error_ratio(slo, '29m59s')}\n, 0.000001))"
    absent = f'count(ALERTS{{alertname="{naming.ALERT_ABSENT}",alertstate="firing",slo="{slo.name}"}})'
    ticket_for = slomath.parse_duration(next(t.for_ for t in slo.tiers if t.name == "ticket")) // 60
    fires_at = GONE_FROM_MINUTE + 5 + ticket_for + 2  # after the 5m lookback and the alert's `for`
    checks = [
        _value(bad_slice, 100, 0 if shape.follows_x else 1),
        _value(bad_slice, 65, 1),
        _value(ratio, 80, round(10 / 30, 6) if shape.follows_x else 1),
        _value(absent, GONE_FROM_MINUTE - 1, None),
        _value(absent, fires_at, 1),
    ]
    for line in queries.promql_presence(slo):
        checks += [_value(f"count({line})", GONE_FROM_MINUTE - 1, None if "missing" not in line else 1)]
        checks += [_value(f"count({line})", fires_at, 1)]
    return checks


@pytest.mark.parametrize("shape", SHAPES, ids=[s.id for s in SHAPES])
def test_rules_and_runbook_read_the_whole_gauge(
    generated: tuple[dict[str, Slo], Path], shape: Shape, tmp_path: Path
) -> None:
    slos, root = generated
    slo = slos[shape.id]
    suite = {
        "rule_files": [str(root / rules.rule_file_path(slo.service))],  # one SLO per file: promtool is quick
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": INPUT_SERIES, "promql_expr_test": _checks(slo, shape)}],
    }
    test_file = tmp_path / "shape.test.yaml"
    test_file.write_text(yaml.safe_dump(suite, sort_keys=False))
    result = promtool("test", "rules", str(test_file), check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def test_absence_is_watched_on_the_gauges_selectors(generated: tuple[dict[str, Slo], Path]) -> None:
    slos, _ = generated
    assert queries.promql_presence(slos["or-vector"]) == [f"absent({X})"]
    assert queries.promql_presence(slos["and"]) == [f"absent({X})", f"absent({Y})"]
    assert queries.promql_presence(slos["unless"]) == [f"absent({X})", "absent(missing)"]
    # offset and @ say when, not which series: the series is watched as it is now
    assert queries.promql_presence(slos["offset"]) == queries.promql_presence(slos["pinned"]) == [f"absent({X})"]
    assert sli.absent_expr(slos["or-vector"]) == f"absent({X})"
    assert sli.absent_expr(slos["and"]) == f"absent({X} or {Y})"
