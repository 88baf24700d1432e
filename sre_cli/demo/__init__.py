"""`sre demo`: the whole loop on a laptop, no cloud account.

Synthesize 30 days of the stack's metrics (day/night traffic, incidents), backfill them into a
fresh TSDB with promtool, start Prometheus on a free 127.0.0.1 port with the rules `sre generate`
produces, report at the end of the history, write the HTML report, stop Prometheus.

The demo's specs are a packaged copy of the repository's slo/ (tests keep them identical), so
`pip install` users get the same demo. `--specs` points it at a team's own specs: SLOs the stack's
metrics do not feed get history synthesized from their own selectors (`spec_history`), so a new
SLO shows real numbers. `hold` keeps Prometheus and an Alertmanager running for exploring.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sre_cli import promrun
from sre_cli.demo import spec_history
from sre_cli.report.model import Report
from sre_cli.slospec.model import SpecSet

DEMO_SPECS = Path(__file__).parent / "slo"
RULES_PREFIX = "alarms/prometheus/"

Step = Callable[[str], None]


# Alerts reach the demo Alertmanager's UI and go nowhere else: no receiver has an integration.
DEMO_ALERTMANAGER_CONFIG = {
    "route": {"receiver": "demo", "group_by": ["slo", "alertname"]},
    "receivers": [{"name": "demo"}],
}


@dataclass(frozen=True)
class Running:
    """What `hold` is shown while the demo's servers run."""

    prometheus_url: str
    alertmanager_url: str
    at: float  # the end of the synthetic history: the instant the report was taken at


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


def run(
    specs: SpecSet,
    *,
    end: int | None = None,
    days: int = 30,
    step: Step | None = None,
    hold: Callable[[Running, Report], None] | None = None,
) -> DemoResult:
    """Run the demo and return its report (with burn-down history for the HTML page).

    With `hold`, an Alertmanager runs beside Prometheus and `hold` is called while both still
    run (the command prints the URLs and waits for Ctrl-C there); they stop when it returns.
    """
    from sre_cli import synth
    from sre_cli.backends.prometheus import PrometheusBackend
    from sre_cli.report import make_report

    say = step or (lambda _msg: None)
    started = time.monotonic()
    check_binaries()
    if hold is not None:
        promrun.find_binary("alertmanager")
    end = int(time.time()) if end is None else end
    with tempfile.TemporaryDirectory(prefix="sre-demo-") as tmp, contextlib.ExitStack() as servers:
        root = Path(tmp)
        say(f"synthesizing {days} days of metrics")
        data = synth.generate(synth.SynthConfig(end=end, days=days))
        data.add_families(spec_history.families_for_unfed(specs.slos, data))
        history = data.save(root / "history.om")
        say("backfilling with promtool tsdb create-blocks-from openmetrics")
        promrun.backfill_openmetrics(history, root / "tsdb")
        history.unlink()
        rules_dir = root / "rules"
        rules_dir.mkdir()
        rule_files = write_rules(specs, rules_dir)
        alertmanagers: list[str] = []
        if hold is not None:
            am = servers.enter_context(promrun.AlertmanagerServer(DEMO_ALERTMANAGER_CONFIG, root / "alertmanager"))
            alertmanagers.append(f"127.0.0.1:{am.port}")
        say(f"starting Prometheus with {len(rule_files)} generated rule files")
        server = servers.enter_context(
            promrun.PrometheusServer(rule_files=rule_files, data_dir=root / "tsdb", alertmanager_urls=alertmanagers)
        )
        say(f"reporting from {server.url}")
        backend = PrometheusBackend(server.url, timeout=60)
        slos = sorted(specs.slos, key=lambda s: (s.service, s.name))
        slos = [s for s in slos if getattr(s.indicator.body, "prometheus", None) is not None]
        report = make_report(slos, backend, float(data.end), history=True)
        if hold is not None:
            hold(Running(server.url, f"http://{alertmanagers[0]}", float(data.end)), report)
    return DemoResult(report=report, seconds=time.monotonic() - started, rule_files=len(rule_files))
