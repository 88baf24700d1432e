"""The report read from the recorded series agrees with the report read from the raw series (issue 18).

A real Prometheus holds 31 days of synth's raw history (the raw series cover the 30d window's start)
and 30 days of the generated rules' recorded history as `promtool tsdb create-blocks-from rules`
writes it, in stages because rules read recorded series: each stage holds the rules reading only
raw series and the stages before (`rule_history.report_stages`; promtool evaluates each rule alone).
Names some rule reads over a range (5m rates, bad slices, the 4m rollup blocks) are evaluated over
the SLO window and a margin, the rest over the last minutes (`stage_span`).
Every rule runs at its group's own interval (1m without one, the rollup's 4m, a slice's), so the
4m blocks average four 1m rates and tile the window. Before the next stage reads them, every
series a stage recorded is checked to hold a sample per evaluation over its span.

Determinism: promtool aligns a group's evaluations to the group's offset, a hash of its name and of
the rule file's path as passed: the file is passed by a fixed name from its own folder (a temporary
path made the instants, and the figures, change from run to run). promtool logs a failed query and
carries on: any error or warning it prints fails the fixture. Promtool writes one block per rule and
2 hours, so the rules recording one name at one interval are merged (`merged_rule_file`).

Grouped: the history's request counters carry three handlers, one with an error burst of its own
(tests/support/grouped_history.py), and a grouped SLO over them is reported from both paths: they
agree per group and for the whole, and each group's counts match the exact ones synth wrote.

Tolerance: the recorded long windows blur each edge by ~2.5 minutes (sre_cli/backends/recorded.py),
held to 0.5% relative over the SLO window as the rules are (issue 3).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from sre_cli import promrun, slomath, synth
from sre_cli.report import make_report
from sre_cli.slomath import DAY, MINUTE
from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.prometheus import rules
from tests.support import rule_history
from tests.support.grouped_history import exact_by_handler, with_error_burst
from tests.support.repo_specs import SLO_DIR

from .conftest import END

TOLERANCE = 0.005  # relative, over the SLO window (issue 3)
PHASE = 30  # seconds past the minute: the report is asked off the raw sample grid
AT = END - MINUTE + PHASE  # the report instant; every stage ends here
# Groups without an interval of their own run at Prometheus' evaluation interval (1m, as the generated
# rules assume); the others (the 4m rollup, a threshold SLI's slice) at theirs.
DEFAULT_INTERVAL = MINUTE
HISTORY_MARGIN = 10 * MINUTE  # before the SLO window: the first 4m blocks read 5m rates from before it
STACK_SLOS = ("api-availability", "api-latency", "batch-queue-age", "db-errors", "sfn-success")
GROUPED_SLO = "api-per-handler"
SLO_NAMES = (*STACK_SLOS, GROUPED_SLO)
# The grouped SLO's handlers: one of them with an error burst of its own (tests/support/grouped_history.py).
HANDLERS = ("/v1/items", "/v1/jobs", "/v1/users")
BURST_HANDLER = "/v1/jobs"
GROUPED_SPEC = f"""apiVersion: sre.dev/v1
kind: SLO
metadata: {{name: {GROUPED_SLO}, service: edge}}
spec:
  description: API requests answered with a 2xx, per handler.
  objective: 99.9
  indicator:
    groupBy: [handler]
    ratio:
      prometheus:
        good: http_requests_total{{job="api",status="2xx"}}
        total: http_requests_total{{job="api"}}
"""

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
    """promtool's rule importer, its blocks moved into the TSDB Prometheus is restarted over.

    promtool aligns each group's evaluations to the group's offset, a hash of the group's name and
    of the rule file's path as given: the file is passed by its name from its own folder, so the
    instants are the same from run to run (with a temporary folder's path they were not). promtool
    logs a failed query and goes on: any error it prints fails the fixture (no `--quiet`).
    """
    proc = subprocess.run(
        [
            promrun.find_binary("promtool"), "tsdb", "create-blocks-from", "rules", f"--url={url}",
            f"--start={start}", f"--end={end}", f"--output-dir={scratch.name}",
            f"--eval-interval={DEFAULT_INTERVAL}s", rules_path.name,
        ],
        cwd=rules_path.parent, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and not re.search(r"level=(error|warn)|\berr=", output), output[-4000:]
    blocks = [p for p in (rules_path.parent / scratch.name).iterdir() if p.is_dir()]
    assert blocks, "promtool wrote no block"
    for block in blocks:
        shutil.move(str(block), tsdb / block.name)


def rule_intervals(groups: list[dict[str, Any]]) -> dict[str, int]:
    """Seconds between evaluations of each recorded name: its group's own interval, else the default."""
    return {
        r["record"]: slomath.parse_duration(g["interval"]) if "interval" in g else DEFAULT_INTERVAL
        for g in groups
        for r in g["rules"]
        if "record" in r
    }


def stage_span(stage: int, stages: int, names: set[str], range_read: set[str]) -> int:
    """How far back of AT names are evaluated: the SLO window and a margin for names read over a
    range (their 4m blocks and the 30d window read them), else the last few minutes, 5 minutes
    more for each later stage: every evaluation of a later stage then finds the names it reads
    (lookback 5m, longest interval 4m), from its first to its last."""
    if names & range_read:
        return 30 * DAY + HISTORY_MARGIN
    return (stages - stage) * 5 * MINUTE


def assert_stage_recorded(
    url: str, groups: list[dict[str, Any]], names: set[str], span: int, intervals: dict[str, int]
) -> None:
    """Every series the stage's rules record (one per SLO, or per SLO and group) holds a sample at
    every evaluation over the span before the next stage reads it."""
    expected: dict[str, set[str]] = {}
    for g in groups:
        for r in g["rules"]:
            if r.get("record") in names:
                expected.setdefault(r["record"], set()).add(r["labels"]["slo"])
    for name, slos in sorted(expected.items()):
        query = f"count_over_time({name}[{span}s])"
        found = rule_history.api_get(url, "/api/v1/query", {"query": query, "time": AT})["result"]
        per_slo: dict[str, list[float]] = {}
        for series in found:
            per_slo.setdefault(series["metric"].get("slo", ""), []).append(float(series["value"][1]))
        assert set(per_slo) >= slos, f"{name}: no series for {sorted(slos - set(per_slo))} over {span}s before {AT}"
        least = span // intervals[name]
        short = {slo: min(counts) for slo, counts in per_slo.items() if slo in slos and min(counts) < least}
        assert not short, f"{name}: fewer than {least} samples over {span}s before {AT}: {short}"


@dataclass
class Recorded:
    url: str
    specs: SpecSet
    data: synth.Synthetic


@pytest.fixture(scope="module")
def recorded_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("recorded")
    # One day of raw data before the 30 recorded: the raw series cover the SLO window's start.
    config = synth.SynthConfig(end=END, days=31, sfn_per_minute=30.0, handlers=HANDLERS)
    data = with_error_burst(synth.generate(config), BURST_HANDLER, share=0.5, days=2)
    tsdb = root / "tsdb"
    promrun.backfill_openmetrics(data.save(root / "raw.om"), tsdb)
    (root / "raw.om").unlink()
    (root / "specs").mkdir()
    (root / "specs" / f"{GROUPED_SLO}.yaml").write_text(GROUPED_SPEC)
    specs = load_or_raise([SLO_DIR, root / "specs"])
    rendered = rules.render(specs)
    groups = [
        g for path, text in rendered.items() if path.endswith(".rules.yaml") for g in yaml.safe_load(text)["groups"]
    ]
    intervals = rule_intervals(groups)
    range_read = rule_history.range_read_names(groups)
    # Each stage evaluates the rules reading only raw series and the stages before (promtool
    # evaluates each rule alone, from the blocks it is given).
    stages = rule_history.report_stages(groups, set())
    recorded: list[tuple[set[str], int]] = []  # (names, span) written so far
    for i, stage in enumerate(stages):
        # Names read over a range get 30 days, the rest their last evaluation: separate runs.
        parts = [part for part in (stage & range_read, stage - range_read) if part]
        with promrun.PrometheusServer([], tsdb) as prom:
            for names, span in recorded:
                assert_stage_recorded(prom.url, groups, names, span, intervals)
            for j, names in enumerate(parts):
                span = stage_span(i, len(stages), names, range_read)
                scratch = root / f"stage{i}-{j}"
                scratch.mkdir()
                stage_rules = merged_rule_file(root / f"stage{i}-{j}.yaml", groups, names)
                create_blocks(prom.url, stage_rules, AT - span + 1, AT, tsdb, scratch)
                recorded.append((names, span))
    with promrun.PrometheusServer([], tsdb) as prom:
        for names, span in recorded:
            assert_stage_recorded(prom.url, groups, names, span, intervals)
        yield Recorded(prom.url, specs, data)


def assert_agree(name: str, rec: Any, ref: Any) -> float:
    """The recorded report `rec` agrees with the raw one `ref` on events, error ratio and budget
    (relative, over the SLO window); returns the raw error ratio."""
    assert rec.events is not None and ref.events is not None and ref.events.total > 0, name
    events = rec.events.total / ref.events.total - 1
    ratio_rec, ratio_raw = rec.events.bad / rec.events.total, ref.events.bad / ref.events.total
    ratio = ratio_rec / ratio_raw - 1 if ratio_raw else ratio_rec
    print(f"  {name:<34} {events * 100:8.4f}% | {ratio * 100:8.4f}%")
    assert abs(events) < TOLERANCE, (name, rec.events, ref.events)
    assert abs(ratio) < TOLERANCE, (name, ratio_rec, ratio_raw)
    assert rec.remaining == pytest.approx(ref.remaining, abs=TOLERANCE * ratio_raw / rec.allowed + 1e-9), name
    return ratio_raw


def test_recorded_path_agrees_with_raw_path(recorded_prometheus: Recorded) -> None:
    from sre_cli.backends.prometheus import PrometheusBackend

    slos = [s for s in recorded_prometheus.specs.slos if s.name in SLO_NAMES]
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
        assert_agree(name, rec, ref)


def test_grouped_slo_agrees_per_group_and_with_the_exact_counts(recorded_prometheus: Recorded) -> None:
    """Issue 15: the report agrees with the rules, per group: each handler's recorded counts agree
    with its raw ones and both with the exact counts synth wrote; the burst handler stands out."""
    from sre_cli.backends.prometheus import PrometheusBackend

    [slo] = [s for s in recorded_prometheus.specs.slos if s.name == GROUPED_SLO]
    backend = PrometheusBackend(recorded_prometheus.url, timeout=120)
    [rec] = make_report([slo], backend, AT, source="recorded").slos
    [ref] = make_report([slo], backend, AT, source="raw").slos
    exact = exact_by_handler(recorded_prometheus.data, AT)
    by_handler = {g.group["handler"]: g for g in rec.groups}
    raw_by_handler = {g.group["handler"]: g for g in ref.groups}
    assert sorted(by_handler) == sorted(raw_by_handler) == sorted(HANDLERS), (rec.groups, ref.groups)
    print("\nper handler, recorded vs raw (relative): events | error ratio; recorded vs exact")
    assert_agree(GROUPED_SLO, rec, ref)
    for handler in HANDLERS:
        group = by_handler[handler]
        assert_agree(f"{GROUPED_SLO}{group.group_selector}", group, raw_by_handler[handler])
        bad, total = exact[handler]
        assert group.events is not None
        print(f"    exact {bad / total:.6f}, recorded {group.events.bad / group.events.total:.6f}")
        assert group.events.total == pytest.approx(total, rel=TOLERANCE), (handler, group.events, total)
        assert group.events.bad / group.events.total == pytest.approx(bad / total, rel=TOLERANCE), handler
    # The whole is every group's events summed.
    assert rec.events is not None
    assert rec.events.total == pytest.approx(sum(t for _, t in exact.values()), rel=TOLERANCE)
    assert rec.events.bad == pytest.approx(sum(b for b, _ in exact.values()), rel=TOLERANCE)
    ratios = {h: b / t for h, (b, t) in exact.items()}
    assert ratios[BURST_HANDLER] > 2 * max(r for h, r in ratios.items() if h != BURST_HANDLER), ratios


def test_recorded_only_reads_a_handful_of_queries(recorded_prometheus: Recorded) -> None:
    """The recorded path asks per series name and window for the whole fleet, not per SLO (its raw
    coverage: one union query per RAW_COVERAGE_BATCH SLOs)."""
    from sre_cli.backends.prometheus import PrometheusBackend

    slos = [s for s in recorded_prometheus.specs.slos if s.name in SLO_NAMES]
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
