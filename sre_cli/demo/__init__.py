"""`sre demo`: the whole loop on a laptop, no cloud account.

Synthesize 30 days of the stack's metrics (day/night traffic, incidents), backfill them into a
fresh TSDB with promtool, start Prometheus on a free 127.0.0.1 port with the rules `sre generate`
produces, report at the end of the history, write the HTML report, stop Prometheus.

The demo's specs are a packaged copy of the repository's slo/ (tests keep them identical), so
`pip install` users get the same demo; `--specs` points it at other specs using the same metrics.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sre_cli import promrun
from sre_cli.report.model import Report
from sre_cli.slospec.model import SpecSet

DEMO_SPECS = Path(__file__).parent / "slo"
RULES_PREFIX = "alarms/prometheus/"

Step = Callable[[str], None]


@dataclass
class DemoResult:
    report: Report
    seconds: float
    rule_files: int


def check_binaries() -> None:
    """Raise promrun.MissingBinary (with the install command) before doing any work."""
    promrun.find_binary("prometheus")
    promrun.find_binary("promtool")


def write_rules(specs: SpecSet, directory: Path) -> list[Path]:
    """The generated Prometheus rule files; none when no Prometheus target is registered."""
    from sre_cli import generate

    files = []
    for rel, content in generate.render_all(specs).items():
        name = rel.removeprefix(RULES_PREFIX)
        # Rule files sit directly in alarms/prometheus/; subfolders hold other formats
        # (PrometheusRule objects for the operator) that Prometheus cannot load.
        if rel.startswith(RULES_PREFIX) and "/" not in name and name.endswith((".yaml", ".yml")):
            path = directory / name
            path.write_text(content, encoding="utf-8")
            files.append(path)
    return files


def run(specs: SpecSet, *, end: int | None = None, days: int = 30, step: Step | None = None) -> DemoResult:
    """Run the demo and return its report (with burn-down history for the HTML page)."""
    from sre_cli import synth
    from sre_cli.backends.prometheus import PrometheusBackend
    from sre_cli.report import make_report

    say = step or (lambda _msg: None)
    started = time.monotonic()
    check_binaries()
    end = int(time.time()) if end is None else end
    with tempfile.TemporaryDirectory(prefix="sre-demo-") as tmp:
        root = Path(tmp)
        say(f"synthesizing {days} days of metrics")
        data = synth.generate(synth.SynthConfig(end=end, days=days))
        history = data.save(root / "history.om")
        say("backfilling with promtool tsdb create-blocks-from openmetrics")
        promrun.backfill_openmetrics(history, root / "tsdb")
        history.unlink()
        rules_dir = root / "rules"
        rules_dir.mkdir()
        rule_files = write_rules(specs, rules_dir)
        say(f"starting Prometheus with {len(rule_files)} generated rule files")
        with promrun.PrometheusServer(rule_files=rule_files, data_dir=root / "tsdb") as server:
            say(f"reporting from {server.url}")
            backend = PrometheusBackend(server.url, timeout=60)
            slos = sorted(specs.slos, key=lambda s: (s.service, s.name))
            slos = [s for s in slos if getattr(s.indicator.body, "prometheus", None) is not None]
            report = make_report(slos, backend, float(data.end), history=True)
    return DemoResult(report=report, seconds=time.monotonic() - started, rule_files=len(rule_files))
