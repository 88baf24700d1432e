"""`sre import sloth`: which `error_query`/`total_query` import as the selectors they count, which as an
`expression` source (PromQL kept as written), and why not.

Queries written here in Sloth's documented form: PromQL templated on `{{.window}}`, the error
query counting bad events, the total query all events. Each case checks the finding on the
error (or total) query and the whole imported `ratio.prometheus` source.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.slospec.load import load

W = "{{.window}}"
TOTAL = f"sum(rate(http_requests_total{{job='shop'}}[{W}]))"
ALL = 'http_requests_total{job="shop"}'
NINE = " + ".join(f"sum(rate(e{i}_total[{W}]))" for i in range(9))

# (error_query, total_query, (status, field, why fragment), expected ratio.prometheus or None)
CASES = [
    pytest.param(
        f"sum(rate(http_requests_total{{job='shop',code=~'5..'}}[{W}]))",
        TOTAL,
        ("exact", "sli.events.error_query", "as selector(s) http_requests_total{"),
        {"bad": 'http_requests_total{job="shop",code=~"5.."}', "total": ALL},
        id="sum-rate",
    ),
    pytest.param(
        f"sum(increase(errors_total[{W}]))",
        f"sum(increase(requests_total[{W}]))",
        ("exact", "sli.events.total_query", "as selector(s) requests_total"),
        {"bad": "errors_total", "total": "requests_total"},
        id="sum-increase",
    ),
    pytest.param(
        f"rate(errors_total[{W}])",
        TOTAL,
        ("exact", "sli.events.error_query", "errors_total"),
        {"bad": "errors_total", "total": ALL},
        id="rate-without-sum",
    ),
    pytest.param(
        f"(sum(rate(errors_total[{W}])) + sum(increase(timeouts_total[{W}])))",
        TOTAL,
        ("exact", "sli.events.error_query", "errors_total, timeouts_total"),
        {"bad": ["errors_total", "timeouts_total"], "total": ALL},
        id="sum-of-sums",
    ),
    pytest.param(
        f"sum by (route) (rate(errors_total[{W}]))",
        TOTAL,
        # Only the error query splits: good and total would not pair up group by group (grouped
        # SLIs: tests/interop/test_import_grouping.py).
        ("approximated", "sli.events grouping", "the counts split differently (`sum by (route)`, a count over all"),
        {"bad": "errors_total", "total": ALL},
        id="sum-by",
    ),
    pytest.param(
        f"sum(rate(errors_total[{W}])) + sum(rate(timeouts_total[5m]))",
        TOTAL,
        ("approximated", "sli.events.error_query", "fixed range(s) 5m became the SLI windows"),
        {"bad": ["errors_total", "timeouts_total"], "total": ALL},
        id="a-fixed-range-beside-the-window",
    ),
    pytest.param(
        # Sloth's latency example: all requests minus those within the threshold's bucket.
        f"(sum(rate(rpc_seconds_count{{job='x'}}[{W}])) - sum(rate(rpc_seconds_bucket{{job='x',le='0.4'}}[{W}])))",
        f"sum(rate(rpc_seconds_count{{job='x'}}[{W}]))",
        ("exact", "sli.events.error_query", 'as good = rpc_seconds_bucket{job="x",le="0.4"}: the errors are the total'),
        {"good": 'rpc_seconds_bucket{job="x",le="0.4"}', "total": 'rpc_seconds_count{job="x"}'},
        id="total-minus-good",
    ),
    pytest.param(
        f"sum(rate(rpc_seconds_count[{W}])) - sum by (le) (rate(rpc_seconds_bucket{{le='0.4'}}[{W}]))",
        f"sum(rate(rpc_seconds_count[{W}]))",
        ("approximated", "sli.events grouping", "split differently (a count over all series, `sum by (le)`)"),
        {"good": 'rpc_seconds_bucket{le="0.4"}', "total": "rpc_seconds_count"},
        id="total-minus-good-by-label",
    ),
    pytest.param(
        f"sum(rate(other_total[{W}])) - sum(rate(ok_total[{W}]))",
        TOTAL,
        ("exact", "sli.events.error_query", "as expression.bad, the PromQL kept as written"),
        {"expression": {"bad": f"sum(rate(other_total[{W}])) - sum(rate(ok_total[{W}]))", "total": TOTAL}},
        id="difference-not-from-the-total",
    ),
    pytest.param(
        f"1 - sum(rate(ok_total[{W}]))",
        TOTAL,
        ("exact", "sli.events.error_query", "as expression.bad, the PromQL kept as written"),
        {"expression": {"bad": f"1 - sum(rate(ok_total[{W}]))", "total": TOTAL}},
        id="number-minus-count",
    ),
    pytest.param(
        f"sum(rate(errors_total[{W}])) + on(job) sum(rate(timeouts_total[{W}]))",
        TOTAL,
        ("exact", "sli.events.error_query", "as expression.bad, the PromQL kept as written"),
        {
            "expression": {
                "bad": f"sum(rate(errors_total[{W}])) + on(job) sum(rate(timeouts_total[{W}]))",
                "total": TOTAL,
            }
        },
        id="sum-with-matching",
    ),
    pytest.param(
        f"max(rate(errors_total[{W}]))",
        TOTAL,
        ("exact", "sli.events.error_query", "as expression.bad, the PromQL kept as written"),
        {"expression": {"bad": f"max(rate(errors_total[{W}]))", "total": TOTAL}},
        id="other-aggregation",
    ),
    pytest.param(
        f"sum(rate(sum(errors_total)[{W}:]))",
        TOTAL,
        ("exact", "sli.events.error_query", "as expression.bad, the PromQL kept as written"),
        {"expression": {"bad": f"sum(rate(sum(errors_total)[{W}:]))", "total": TOTAL}},
        id="rate-of-a-subquery",
    ),
    pytest.param(
        f"sum(deriv(errors_total[{W}]))",
        TOTAL,
        ("exact", "sli.events.error_query", "as expression.bad, the PromQL kept as written"),
        {"expression": {"bad": f"sum(deriv(errors_total[{W}]))", "total": TOTAL}},
        id="other-function",
    ),
    pytest.param(
        # An expression counting per window: its ratio is Sloth's, its event counts are not per second.
        f"sum(increase(errors_total[{W}])) * 2",
        f"sum(increase(requests_total[{W}])) * 2",
        ("approximated", "sli.events.total_query", "increase() counts per window, not per second"),
        {
            "expression": {
                "bad": f"sum(increase(errors_total[{W}])) * 2",
                "total": f"sum(increase(requests_total[{W}])) * 2",
            }
        },
        id="expression-counting-per-window",
    ),
    pytest.param(
        f"errors_total[{W}]",
        TOTAL,
        ("not mapped", "sli.events.error_query", "not mappable: the expression must be an instant vector, not a range"),
        None,
        id="range-vector",
    ),
    pytest.param(
        f"sum(rate(errors_total[{W}])",
        TOTAL,
        ("not mapped", "sli.events.error_query", "PromQL does not parse"),
        None,
        id="unparsable",
    ),
    pytest.param(
        "sum(rate(errors_total[5m]))",
        TOTAL,
        ("not mapped", "sli.events.error_query", "does not use the {{.window}} range"),
        None,
        id="no-window",
    ),
    pytest.param(
        NINE,
        TOTAL,
        ("not mapped", "sli.events.error_query", "sums 9 selectors; sre takes at most 8"),
        None,
        id="too-many-selectors",
    ),
    pytest.param(
        f"sum(rate(errors_total[{W}]))",
        f"count(up[{W}])",
        ("not mapped", "sli.events.total_query", "not mappable: PromQL does not parse: expected type vector"),
        None,
        id="total-not-a-count",
    ),
    pytest.param(
        f"sum(rate(errors_total[{W}]))",
        None,
        ("not mapped", "sli.events.total_query", "missing: a PromQL query string"),
        None,
        id="total-missing",
    ),
]


@pytest.mark.parametrize(("error_query", "total_query", "finding", "expected"), CASES)
def test_sloth_event_queries(
    tmp_path: Path, error_query: str, total_query: str | None, finding: tuple, expected: dict | None
) -> None:
    events = {"error_query": error_query} | ({"total_query": total_query} if total_query else {})
    spec = {
        "version": "prometheus/v1",
        "service": "shop",
        "slos": [{"name": "q", "objective": 99, "description": "Queries.", "sli": {"events": events}}],
    }
    src = tmp_path / "sloth.yaml"
    src.write_text(yaml.safe_dump(spec))
    out = tmp_path / "slo"
    result = CliRunner().invoke(cli, ["import", "sloth", str(src), "--out", str(out)])
    assert result.exit_code == 1, result.output  # no alerting block: `for` is approximated
    status, field, why = finding
    assert any(
        line.strip().startswith(status) and f": {field}" in line and why in line for line in result.output.splitlines()
    ), result.output
    if expected is None:
        assert "-> not imported" in result.output and not out.exists()
        return
    doc = yaml.safe_load((out / "shop.yaml").read_text())
    assert doc["spec"]["indicator"] == {"ratio": {"prometheus": expected}}
    assert load([out]).ok
