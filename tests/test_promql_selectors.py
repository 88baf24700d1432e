"""The one PromQL selector helper: parsing, rendering, histogram series and the `le` spellings.

The `le` spellings are checked against the real formatters, not against a reading of them:
client_python's `floatToGoString` (installed as a test dependency) and Go's float formatting as
Prometheus itself prints `{{ $value }}` in an alert annotation (run by `promtool test rules`).
"""

from __future__ import annotations

import math
import random
import re
import shutil
import subprocess
from pathlib import Path

import promql_parser
import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st
from prometheus_client.utils import floatToGoString

from sre_cli import promql_selectors as ps
from sre_cli import sli_sources
from sre_cli.backends import promql as report_promql
from sre_cli.promql_selectors import LabelMatcher, SeriesSelector
from sre_cli.runbooks import queries as runbook_queries
from sre_cli.runbooks import render as runbook_render
from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import Slo
from sre_cli.targets.prometheus import sli as rule_sli

REPO = Path(__file__).resolve().parents[1]
needs_promtool = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")

# ---- parsing and rendering -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('x{job="api"}', SeriesSelector("x", (LabelMatcher("job", "=", "api"),))),
        ("x", SeriesSelector("x")),
        ("x{}", SeriesSelector("x")),
        (' x { job = "api" , } ', SeriesSelector("x", (LabelMatcher("job", "=", "api"),))),
        ('{__name__="x",job="api"}', SeriesSelector("x", (LabelMatcher("job", "=", "api"),))),
        ('{job="api"}', SeriesSelector(None, (LabelMatcher("job", "=", "api"),))),
        ('{__name__=~"a|b"}', SeriesSelector(None, (LabelMatcher("__name__", "=~", "a|b"),))),
        (
            'x{a!="1",b=~"2.*",c!~"3"}',
            SeriesSelector(
                "x", (LabelMatcher("a", "!=", "1"), LabelMatcher("b", "=~", "2.*"), LabelMatcher("c", "!~", "3"))
            ),
        ),
        ("x{a='single'}", SeriesSelector("x", (LabelMatcher("a", "=", "single"),))),
        ('x{a="}{"}', SeriesSelector("x", (LabelMatcher("a", "=", "}{"),))),
        ('x{a="q\\"uote\\\\"}', SeriesSelector("x", (LabelMatcher("a", "=", 'q"uote\\'),))),
        ('ns:x_total{job="api"}', SeriesSelector("ns:x_total", (LabelMatcher("job", "=", "api"),))),
    ],
)
def test_parse_selector(text: str, expected: SeriesSelector) -> None:
    assert ps.parse_selector(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sum(x)", "must be a series selector"),
        ("x[5m]", "must be a series selector"),
        ("x + y", "must be a series selector"),
        ("1", "must be a series selector"),
        ('x{job="api"} offset 5m', "must not carry offset or @"),
        ("x @ 100", "must not carry offset or @"),
        ('x{a="1" or b="2"}', "`or` inside braces"),
        ('x{job="api"', "PromQL does not parse"),
        ('x{__name__="x"}', "PromQL does not parse"),
        ("", "PromQL does not parse"),
    ],
)
def test_parse_selector_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        ps.parse_selector(text)


def test_render() -> None:
    assert str(SeriesSelector("x")) == "x"
    assert str(SeriesSelector(None, (LabelMatcher("job", "=", "api"),))) == '{job="api"}'
    assert str(LabelMatcher("le", "=~", "1|1\\.0")) == 'le=~"1|1\\\\.0"'
    assert str(LabelMatcher("a", "=", 'x"y\nz\\')) == 'a="x\\"y\\nz\\\\"'
    assert str(LabelMatcher("a.b", "=", "v")) == '"a.b"="v"'  # Prometheus 3 UTF-8 names stay quoted


_METRIC = st.from_regex(r"[a-zA-Z_:][a-zA-Z0-9_:]{0,20}", fullmatch=True).filter(lambda n: n not in _KEYWORDS)
_LABEL = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,20}", fullmatch=True).filter(lambda n: n != "__name__")
_VALUE = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
_KEYWORDS = {"inf", "nan", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and"}
_KEYWORDS |= {"or", "unless", "atan2", "start", "end", "sum", "min", "max", "avg", "count", "stddev", "stdvar"}
_KEYWORDS |= {"topk", "bottomk", "quantile", "count_values", "group", "limitk", "limit_ratio"}


@given(
    metric=_METRIC,
    matchers=st.lists(st.tuples(_LABEL, st.sampled_from(["=", "!=", "=~", "!~"]), _VALUE), max_size=4),
)
def test_render_parses_back_to_the_same_selector(metric: str, matchers: list[tuple[str, str, str]]) -> None:
    # Regex values must compile as regexes, or the parser (rightly) rejects them.
    matchers = [(n, op, re.escape(v) if "~" in op else v) for n, op, v in matchers]
    selector = SeriesSelector(metric, tuple(LabelMatcher(*m) for m in matchers))
    assert ps.parse_selector(str(selector)) == selector


@given(_VALUE)
@example('a"b\\c\nd\te')
def test_quote_is_read_back_by_the_promql_parser(value: str) -> None:
    node = promql_parser.parse(f"x{{a={ps.quote(value)}}}")
    assert node.matchers.matchers[0].value == value


# ---- histogram series ------------------------------------------------------------------------


def test_histogram_series() -> None:
    family = 'http_request_duration_seconds{job="api"}'
    assert ps.histogram_series(family, "_count") == 'http_request_duration_seconds_count{job="api"}'
    assert ps.histogram_series(family, "_sum") == 'http_request_duration_seconds_sum{job="api"}'
    assert ps.histogram_series("x", "_bucket") == "x_bucket"
    le = LabelMatcher("le", "=", "0.3")
    assert ps.histogram_series(family, "_bucket", le) == 'http_request_duration_seconds_bucket{job="api",le="0.3"}'
    # The __name__ spelling of a family names the same series.
    assert ps.histogram_series('{__name__="x",job="api"}', "_count") == 'x_count{job="api"}'


@pytest.mark.parametrize(
    ("family", "suffix", "message"),
    [
        ('{job="api"}', "_count", "must name its metric family"),
        ('{__name__=~"x|y"}', "_count", "must name its metric family"),
        ('x_bucket{job="api"}', "_count", "without its suffix (x)"),
        ("x_count", "_count", "without its suffix (x)"),
        ('x{le="0.3"}', "_bucket", "must not match on le"),
        ("x", "_total", "not a histogram series suffix"),
        ("rate(x[5m])", "_count", "must be a series selector"),
    ],
)
def test_histogram_series_refuses(family: str, suffix: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        ps.histogram_series(family, suffix)


def test_bucket_bound_is_the_configured_boundary() -> None:
    # ExponentialBuckets(0.1, 3, 3) in Go: the client writes le="0.30000000000000004".
    buckets = [0.1, 0.30000000000000004, 0.9000000000000001]
    assert ps.bucket_bound(0.3, buckets) == 0.30000000000000004
    assert ps.threshold_bucket_series("x", 0.3, buckets) == 'x_bucket{le="0.30000000000000004"}'
    assert ps.bucket_bound(1, [0.5, 1.0]) == 1.0
    with pytest.raises(ValueError, match=r"0\.4s is not a bucket boundary"):
        ps.bucket_bound(0.4, buckets)


def test_series_union() -> None:
    assert ps.series_union(["a", "b{x='1'}"]) == "a or b{x='1'}"
    assert ps.series_union(["a"]) == "a"
    with pytest.raises(ValueError):
        ps.series_union([])


# ---- le spellings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bound", "spellings", "matcher"),
    [
        (0.3, ("0.3",), 'le="0.3"'),
        (0.25, ("0.25",), 'le="0.25"'),
        (1, ("1", "1.0"), 'le=~"1|1\\\\.0"'),
        (2.5, ("2.5",), 'le="2.5"'),
        (10, ("10", "10.0"), 'le=~"10|10\\\\.0"'),
        (0, ("0", "0.0"), 'le=~"0|0\\\\.0"'),
        (100000, ("100000", "100000.0"), 'le=~"100000|100000\\\\.0"'),
        (999999.5, ("999999.5",), 'le="999999.5"'),
        (1e6, ("1e+06",), 'le="1e+06"'),
        (1234567, ("1.234567e+06",), 'le="1.234567e+06"'),
        (1e10, ("1e+10",), 'le="1e+10"'),
        (0.0001, ("0.0001",), 'le="0.0001"'),
        (1e-05, ("1e-05",), 'le="1e-05"'),
        (2.5e-07, ("2.5e-07",), 'le="2.5e-07"'),
        (math.inf, ("+Inf",), 'le="+Inf"'),
        (0.30000000000000004, ("0.30000000000000004",), 'le="0.30000000000000004"'),
    ],
)
def test_le_spellings(bound: float, spellings: tuple[str, ...], matcher: str) -> None:
    assert ps.le_values(bound) == spellings
    assert str(ps.le_matcher(bound)) == matcher


def _selects(matcher: LabelMatcher, value: str) -> bool:
    """The matcher's verdict on one label value (Prometheus anchors regexes at both ends)."""
    assert matcher.op in ("=", "=~")
    return matcher.value == value if matcher.op == "=" else re.fullmatch(matcher.value, value) is not None


def test_le_spellings_no_client_writes_are_not_matched() -> None:
    # "0.30" and "1e+00" come from no client; the bucket next door must not match either.
    for other in ("1e+00", "1.00", "10", "11", "1.5", "0.1", "+Inf", "1x0"):
        assert not _selects(ps.le_matcher(1), other), other
    assert ps.le_values(0.3) == ("0.3",) and "0.30" not in ps.le_values(0.3)


def test_nan_is_no_bucket_boundary() -> None:
    with pytest.raises(ValueError, match="NaN"):
        ps.le_values(math.nan)


_BOUNDS = st.floats(min_value=0, exclude_min=True, allow_infinity=True, allow_nan=False)


@given(_BOUNDS)
@example(1.0)
@example(1e6)
@example(1e10)
@example(123456.0)
@example(1e16)
@example(5e-324)
def test_python_client_spelling_is_matched(bound: float) -> None:
    written = floatToGoString(bound)
    assert written == ps.openmetrics_float_text(bound)
    assert written in ps.le_values(bound)
    assert _selects(ps.le_matcher(bound), written)


@given(_BOUNDS)
def test_every_spelling_reads_back_as_the_bound(bound: float) -> None:
    for text in ps.le_values(bound):
        assert float(text.replace("+Inf", "inf")) == bound
        assert _selects(ps.le_matcher(bound), text)


def _go_oracle_values() -> list[float]:
    fixed = [0.3, 1, 10, 0, 100000, 999999, 999999.5, 1e6, 1234567, 1e10, 1.5e12, 1e15, 1e16, 1e21, 1e22]
    fixed += [0.0001, 0.00012, 1e-5, 2.5e-7, 0.30000000000000004, 0.9000000000000001, 5e-324, 1.7976931348623157e308]
    fixed += [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 2.5, 5, 7.5, 1 / 3, 2 / 3]
    rng = random.Random(20240501)  # fixed seed: the same spread of magnitudes on every run
    fixed += [rng.uniform(1, 10) * 10.0 ** rng.randint(-9, 20) for _ in range(60)]
    fixed += [float(rng.randint(1, 10**8)) for _ in range(20)]
    return fixed


@needs_promtool
def test_matches_what_prometheus_selects(tmp_path: Path) -> None:
    """Go's own float text, and the matchers as Prometheus parses and applies them.

    An alert renders `{{ $value }}` with Go's fmt, the formatting client_golang writes `le` with;
    promtool compares it with our `go_float_text`. Then series spelled every way a client writes
    `le` (plus spellings none writes) are counted through `le_matcher` by the real PromQL engine.
    """
    values = _go_oracle_values()
    union = " or ".join(f'label_replace(vector({v!r}), "i", "{i}", "", "")' for i, v in enumerate(values))
    bounds = [0.3, 1.0, 10.0, 2.5, 1e6, 0.30000000000000004]
    spelled = sorted({s for b in bounds for s in ps.le_values(b)} | {"0.30", "1e+00", "1.00", "+Inf", "100"})
    alert = {"alert": "Fmt", "expr": union, "annotations": {"text": "{{ $value }}"}}
    rules = {"groups": [{"name": "fmt", "rules": [alert]}]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    suite = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": f'x_bucket{{le="{s}"}}', "values": "1"} for s in spelled],
                "alert_rule_test": [
                    {
                        "eval_time": "0m",
                        "alertname": "Fmt",
                        "exp_alerts": [
                            {"exp_labels": {"i": str(i)}, "exp_annotations": {"text": ps.go_float_text(v)}}
                            for i, v in enumerate(values)
                        ],
                    }
                ],
                "promql_expr_test": [
                    {
                        "expr": f"count(x_bucket{{{ps.le_matcher(b)}}})",
                        "eval_time": "0m",
                        "exp_samples": [{"labels": "{}", "value": len(ps.le_values(b))}],
                    }
                    for b in bounds
                ],
            }
        ],
    }
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(suite), encoding="utf-8")
    proc = subprocess.run(
        ["promtool", "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---- the three call sites agree --------------------------------------------------------------


def _latency_slo(tmp_path: Path, threshold: str) -> Slo:
    (tmp_path / "slo").mkdir()
    shutil.copy(REPO / "slo" / "defaults.yaml", tmp_path / "slo" / "defaults.yaml")
    text = (REPO / "slo" / "api.yaml").read_text(encoding="utf-8")
    (tmp_path / "slo" / "api.yaml").write_text(text.replace("threshold: 300ms", f"threshold: {threshold}"), "utf-8")
    return next(s for s in load_or_raise([tmp_path / "slo"]).slos if s.name == "api-latency")


@pytest.mark.parametrize(
    ("threshold", "bucket"),
    [
        ("300ms", 'http_request_duration_seconds_bucket{job="api",le="0.3"}'),
        # Whole seconds: Go writes "1", Python and Prometheus 3 "1.0". The runbook used to ask for "1.0" only.
        ("1s", 'http_request_duration_seconds_bucket{job="api",le=~"1|1\\\\.0"}'),
    ],
)
def test_rules_report_and_runbook_select_the_same_series(tmp_path: Path, threshold: str, bucket: str) -> None:
    slo = _latency_slo(tmp_path, threshold)
    count = 'http_request_duration_seconds_count{job="api"}'
    rule_bad, rule_total = rule_sli.event_rates(slo)
    report = report_promql.slo_queries(slo)
    runbook = runbook_queries.promql_error_ratio(slo, "5m")
    for text in (rule_bad, report.numerator, runbook):
        assert bucket in text
    for text in (rule_total, report.total, report.presence, runbook, *sli_sources.source_series(slo)):
        assert count in text
    assert runbook_queries.promql_presence(slo) == [f"absent({count})"]
    assert rule_sli.absent_expr(slo) == f"absent({count})"
    le = bucket[bucket.index("le=") : -1]
    assert f"the `{le}` bucket" in runbook_render._sli_meaning(slo)
