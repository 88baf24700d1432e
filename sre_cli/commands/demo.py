"""`sre demo`: synthetic history -> local Prometheus -> report, no cloud account needed."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sre_cli.commands import options

if TYPE_CHECKING:
    from sre_cli import demo as demo_lib
    from sre_cli.report.model import Report


@click.command()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("sre-demo-report.html"),
    show_default=True,
    help="Where to write the HTML report.",
)
@click.option("--specs", "specs_dir", help="Specs to report on (default: the packaged demo copy of slo/).")
@click.option("--days", type=click.IntRange(1, 90), default=30, show_default=True, help="Days of history.")
@click.option(
    "--keep",
    is_flag=True,
    help="Leave Prometheus and an Alertmanager running on 127.0.0.1 after the report, print their URLs and "
    "the `sre slo report` command to try; Ctrl-C stops them.",
)
def demo(output: Path, specs_dir: str | None, days: int, keep: bool) -> None:
    """Synthesize 30 days of the stack's metrics, backfill a local Prometheus, print the report.

    With --specs, SLOs whose series the stack's metrics do not include get synthetic history built
    from their own selectors (a steady third of the budget rate and one 20x spell two days ago).
    Needs the `prometheus` and `promtool` binaries (Debian/Ubuntu: apt-get install -y prometheus),
    and with --keep `alertmanager` (apt-get install -y prometheus-alertmanager).
    Exit codes: 0 done, 2 a binary or input is missing, 3 Prometheus failed.
    """
    from sre_cli import demo as demo_lib
    from sre_cli import promrun
    from sre_cli.fileio import atomic_write
    from sre_cli.report import render

    try:
        demo_lib.check_binaries()
        if keep:
            promrun.find_binary("alertmanager")
    except promrun.MissingBinary as exc:
        options.fail(str(exc))
    if output.parent and not output.parent.is_dir():
        options.fail(f"--output {output}: directory {output.parent} does not exist")
    specs_path = specs_dir or str(demo_lib.DEMO_SPECS)
    specs = options.load_specs_or_exit([specs_path])
    from sre_cli.backends import BackendError
    from sre_cli.demo.spec_history import CannotSynthesize

    def show(report: Report) -> None:
        click.echo(render(report, "table"), nl=False)
        atomic_write(output, render(report, "html"))
        click.echo(f"wrote {output}")

    def hold(running: demo_lib.Running, report: Report) -> None:
        show(report)
        _wait_for_interrupt(running, specs_path)

    try:
        with _progress() as step:
            result = demo_lib.run(specs, days=days, step=step, hold=hold if keep else None)
    except (promrun.ServerError, BackendError) as exc:
        options.fail(f"demo Prometheus failed: {exc}", 3)
    except CannotSynthesize as exc:
        options.fail(f"cannot synthesize history for these specs: {exc}")
    if keep:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        click.echo("stopped Prometheus and Alertmanager")
        return
    show(result.report)
    click.echo(f"({result.seconds:.1f}s, {result.rule_files} generated rule files loaded)")


def _wait_for_interrupt(running: demo_lib.Running, specs_path: str) -> None:
    """Print where to look, then block until Ctrl-C (SIGINT) or SIGTERM; the caller stops the servers."""
    import shlex
    import threading

    at = int(running.at)
    click.echo(
        "\n"
        f"Prometheus:   {running.prometheus_url}  (alerts: {running.prometheus_url}/alerts, "
        f"rules: {running.prometheus_url}/rules)\n"
        f"Alertmanager: {running.alertmanager_url}\n"
        f"The history ends at {at}; the rules evaluate from then on, so alerts fire within minutes.\n"
        "Try:\n"
        f"  sre slo report --specs {shlex.quote(specs_path)} --prometheus-url {running.prometheus_url} --at {at}\n"
        "Ctrl-C stops both servers."
    )
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    # A second Ctrl-C while the servers stop would leave one of them running: shutdown finishes first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _progress():
    """A spinner with the current step on a terminal (stderr); silent otherwise."""
    import contextlib
    import sys

    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def spinner():
        from rich.console import Console

        with Console(stderr=True).status("sre demo") as status:
            yield lambda message: status.update(f"sre demo: {message}")

    return spinner()
