"""The report read from the recorded series agrees with the report read from the raw series (issue 18).

A real Prometheus holds 31 days of synth's raw history (the raw series cover the 30d window's start)
and 30 days of the generated rules' recorded history as `promtool tsdb create-blocks-from rules`
writes it, in stages because the long windows read recorded series: (1) the base rules (5m rates,
bad slices) over the 30 days, from the raw blocks; (2) the event counts per window, then (3) every
other recording rule (error ratios, burn rates...), over the last minutes only, each stage from the
blocks of the stages before. The evaluations sit 30 s past the minute, as a live group's offset
usually does (tests/prometheus/test_prom_accuracy.py says why).

Cost: promtool writes one block per rule and 2 hours, so the base rules recording one name at one
interval are merged into one rule (same series, same labels: `merged_rule_file`), and groups
without an interval of their own are evaluated every 5 minutes (their 5m rates tile the window, so
the average stays exact; the time-slice group keeps its 1m). Before: 9 rules at 1m, ~7 minutes.

Tolerance: the recorded long windows blur each edge by ~2.5 minutes (sre_cli/backends/recorded.py),
held to 0.5% relative over the SLO window as the rules are (issue 3).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from sre_cli import promrun, synth
from sre_cli.report import make_report
from sre_cli.slomath import DAY, MINUTE
from sre_cli.targets.prometheus import rules
from tests.support import rule_history
from tests.support.repo_specs import shared_repo_specs

from .conftest import END

TOLERANCE = 0.005  # relative, over the SLO window (issue 3)
PHASE = 30  # seconds past the minute of every evaluation (off the raw sample grid)
AT = END - MINUTE + PHASE  # the last evaluation at or before the history's end
# Groups without their own interval are backfilled every 5 minutes: the 5m rates then tile the
# window, so their average stays the event-weighted count while promtool writes a fifth of the samples.
EVAL_INTERVAL = 5 * MINUTE
SLO_NAMES = ("api-availability", "api-latency", "batch-queue-age", "db-errors", "sfn-success")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus not installed"),
]


def with_labels(rule: dict[str, Any]) -> str:
    """The rule's expression carrying the rule's labels, as its recorded series do."""
    expr = f"({rule['expr']})"
    for key, value in sorted(rule.get("labels", {}).items()):
        expr = f'label_replace({expr}, "{key}", {json.dumps(value)}, "", "")'
    return expr


def merged_rule_file(path: Path, groups: list[dict[str, Any]], keep: set[str]) -> Path:
    """The rules named in `keep`, those recording one name at one interval merged into one rule.

    promtool writes one block per rule and 2 hours: one rule per series name instead of one per SLO
    is what keeps 30 days of base history to a few hundred blocks. The merged rule records the same
    series (each SLO's expression with its rule's labels, `or`-ed: their label sets differ).
    """
    by_interval: dict[str | None, dict[str, list[dict[str, Any]]]] = {}
    for g in groups:
        for r in g["rules"]:
            if r.get("record") in keep:
                by_interval.setdefault(g.get("interval"), {}).setdefault(r["record"], []).append(r)
    out = []
    for i, (interval, by_name) in enumerate(sorted(by_interval.items(), key=lambda kv: str(kv[0]))):
        merged = [{"record": name, "expr": " or ".join(with_labels(r) for r in rs)} for name, rs in by_name.items()]
        out.append({"name": f"base-{i}", **({"interval": interval} if interval else {}), "rules": merged})
    path.write_text(yaml.safe_dump({"groups": out}, sort_keys=False))
    return path


def create_blocks(url: str, rules_path: Path, start: int, end: int, tsdb: Path, scratch: Path) -> None:
    """promtool's rule importer, its blocks moved into the TSDB Prometheus is restarted over."""
    promrun.promtool(
        "tsdb", "create-blocks-from", "rules", "--quiet", f"--url={url}", f"--start={start}", f"--end={end}",
        f"--output-dir={scratch}", f"--eval-interval={EVAL_INTERVAL}s", str(rules_path), timeout=900,
    )  # fmt: skip
    blocks = [p for p in scratch.iterdir() if p.is_dir()]
    assert blocks, "promtool wrote no block"
    for block in blocks:
        shutil.move(str(block), tsdb / block.name)


@pytest.fixture(scope="module")
def recorded_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("recorded")
    # One day of raw data before the 30 recorded: the raw series cover the SLO window's start.
    data = synth.generate(synth.SynthConfig(end=END, days=31, sfn_per_minute=30.0))
    tsdb = root / "tsdb"
    promrun.backfill_openmetrics(data.save(root / "raw.om"), tsdb)
    (root / "raw.om").unlink()
    rendered = rules.render(shared_repo_specs())
    groups = [
        g for path, text in rendered.items() if path.endswith(".rules.yaml") for g in yaml.safe_load(text)["groups"]
    ]
    base = {r["record"] for r in rule_history.range_read_records(groups)}
    # Evaluations every EVAL_INTERVAL ending at AT tile the SLO window (AT - 30d, AT] exactly.
    start = AT - 30 * DAY + EVAL_INTERVAL
    stages = [(base, start), *((names, AT - EVAL_INTERVAL) for names in rule_history.report_stages(groups, base))]
    for i, (names, stage_start) in enumerate(stages):
        with promrun.PrometheusServer([], tsdb) as raw:
            scratch = root / f"stage{i}"
            scratch.mkdir()
            stage_rules = merged_rule_file(root / f"stage{i}.yaml", groups, names)
            create_blocks(raw.url, stage_rules, stage_start, AT, tsdb, scratch)
    with promrun.PrometheusServer([], tsdb) as prom:
        wait_for_recorded(prom.url)
        yield prom


def wait_for_recorded(url: str, timeout: float = 60) -> None:
    """Every SLO's 30d count and ratio answer at AT (Prometheus merges the overlapping blocks after
    start; once, under the full suite's load, a series was missing right after it)."""
    query = 'count(slo:sli_events:count30d) + count(slo:sli_error:ratio_rate30d{slo!=""})'
    deadline = time.monotonic() + timeout
    while True:
        result = rule_history.api_get(url, "/api/v1/query", {"query": query, "time": AT})["result"]
        found = float(result[0]["value"][1]) if result else 0.0
        if found >= 2 * len(SLO_NAMES) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert found >= 2 * len(SLO_NAMES), f"{found:g} of the {2 * len(SLO_NAMES)} recorded 30d series at {AT}"


def test_recorded_path_agrees_with_raw_path(recorded_prometheus: Any) -> None:
    from sre_cli.backends.prometheus import PrometheusBackend

    slos = [s for s in shared_repo_specs().slos if s.name in SLO_NAMES]
    assert sorted(s.name for s in slos) == sorted(SLO_NAMES)
    backend = PrometheusBackend(recorded_prometheus.url, timeout=120)
    auto = {s.name: s for s in make_report(slos, backend, AT, source="auto").slos}
    raw = {s.name: s for s in make_report(slos, backend, AT, source="raw").slos}
    print("\nrecorded vs raw over the SLO window (relative): events | error ratio")
    for name in SLO_NAMES:
        rec, ref = auto[name], raw[name]
        assert rec.source == "recorded" and ref.source == "raw", (name, rec.source, rec.coverage)
        # The recorded history starts one evaluation after the raw data: a sample short of 30 days.
        assert rec.coverage.complete and rec.coverage.share > 0.999, (name, rec.coverage)
        assert rec.events is not None and ref.events is not None and ref.events.total > 0
        events = rec.events.total / ref.events.total - 1
        ratio_rec, ratio_raw = rec.events.bad / rec.events.total, ref.events.bad / ref.events.total
        ratio = ratio_rec / ratio_raw - 1 if ratio_raw else ratio_rec
        print(f"  {name:<18} {events * 100:8.4f}% | {ratio * 100:8.4f}%")
        assert abs(events) < TOLERANCE, (name, rec.events, ref.events)
        assert abs(ratio) < TOLERANCE, (name, ratio_rec, ratio_raw)
        assert rec.remaining == pytest.approx(ref.remaining, abs=TOLERANCE * ratio_raw / rec.allowed + 1e-9), name


def test_recorded_only_reads_a_handful_of_queries(recorded_prometheus: Any) -> None:
    """The recorded path asks per series name and window for the whole fleet, not per SLO (its raw
    coverage: one union query per RAW_COVERAGE_BATCH SLOs)."""
    from sre_cli.backends.prometheus import PrometheusBackend

    slos = [s for s in shared_repo_specs().slos if s.name in SLO_NAMES]
    backend = PrometheusBackend(recorded_prometheus.url, timeout=120)
    asked: list[str] = []
    get = backend.api.get
    backend.api.get = lambda path, params: asked.append(dict(params)["query"]) or get(path, params)  # type: ignore[method-assign]
    report = make_report(slos, backend, AT, source="recorded")
    assert {s.source for s in report.slos} == {"recorded"}
    windows = {w for s in slos for w in s.sli_windows}
    # count + ratio per window, 2 recorded coverage counts, 1 union of the raw coverage terms (the raw
    # data covers every window's start here, so no query for where it starts)
    assert len(asked) == 2 * len(windows) + 2 + 1, asked
