"""`sre demo`: synthetic history -> local Prometheus -> report, no cloud account needed."""

from __future__ import annotations

from pathlib import Path

import click

from sre_cli.commands import options


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
def demo(output: Path, specs_dir: str | None, days: int) -> None:
    """Synthesize 30 days of the stack's metrics, backfill a local Prometheus, print the report.

    Needs the `prometheus` and `promtool` binaries (Debian/Ubuntu: apt-get install -y prometheus).
    Exit codes: 0 done, 2 a binary or input is missing, 3 Prometheus failed.
    """
    from sre_cli import demo as demo_lib
    from sre_cli import promrun
    from sre_cli.fileio import atomic_write
    from sre_cli.report import render

    try:
        demo_lib.check_binaries()
    except promrun.MissingBinary as exc:
        options.fail(str(exc))
    if output.parent and not output.parent.is_dir():
        options.fail(f"--output {output}: directory {output.parent} does not exist")
    specs = options.load_specs_or_exit([specs_dir or str(demo_lib.DEMO_SPECS)])
    from sre_cli.backends import BackendError

    try:
        with _progress() as step:
            result = demo_lib.run(specs, days=days, step=step)
    except (promrun.ServerError, BackendError) as exc:
        options.fail(f"demo Prometheus failed: {exc}", 3)
    click.echo(render(result.report, "table"), nl=False)
    atomic_write(output, render(result.report, "html"))
    click.echo(f"wrote {output} ({result.seconds:.1f}s, {result.rule_files} generated rule files loaded)")


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
