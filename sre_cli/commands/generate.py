from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sre_cli.commands import options

if TYPE_CHECKING:
    from sre_cli.generate import Plan


@click.command()
@click.option("--specs", "specs_dir", default="slo", show_default=True, help="Spec file or directory.")
@click.option(
    "--out",
    "out_root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output root (default: the spec directory's parent).",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 listing files that differ from what would be generated."
)
@click.option(
    "--target",
    "target_names",
    multiple=True,
    metavar="NAME",
    help="Generate only this target (repeatable): prometheus or cloudwatch (groups), or one of schema, runbooks, "
    "prometheus-rules, alertmanager, amp-alertmanager, grafana, yace-exporter, cloudwatch-alarms, "
    "cloudwatch-dashboards. Files of other targets are neither written nor deleted.",
)
@click.option("-v", "--verbose", "--list", "verbose", is_flag=True, help="Print every file and what happened to it.")
def generate(specs_dir: str, out_root: Path | None, check: bool, target_names: tuple[str, ...], verbose: bool) -> None:
    """Render rules, alarms, dashboards, runbooks and the schema from the specs."""
    from sre_cli import generate as gen

    try:
        chosen = gen.chosen_targets(target_names)
    except ValueError as exc:
        options.fail(str(exc))
    specs = options.load_specs_or_exit([specs_dir], generating=True)
    root = out_root or specs.root
    try:
        with cyclic_gc_paused():
            outputs = gen.render_all(specs, chosen=chosen)
    except (ValueError, RuntimeError) as exc:
        options.fail(f"generation failed, nothing written: {exc}")
    result = gen.plan(outputs, root, chosen)
    if check:
        report_check(result, verbose)
        return
    gen.execute(result, root)
    report_written(result, verbose)


def report_check(result: Plan, verbose: bool) -> None:
    """`--check`: the stale and obsolete files (exit 1), and with --verbose the current ones too."""
    if verbose:
        for rel in result.unchanged:
            click.echo(f"current: {rel}")
    if result.stale:
        for rel in sorted(result.write):
            click.echo(f"stale: {rel}")
        for rel in result.delete:
            click.echo(f"obsolete: {rel}")
        click.echo(f"{len(result.stale)} generated file(s) out of date: run `sre generate`", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {len(result.unchanged)} generated files up to date")


def report_written(result: Plan, verbose: bool) -> None:
    """What `sre generate` did; with --verbose, file by file, in path order."""
    if verbose:
        done = [(rel, "wrote") for rel in result.write] + [(rel, "deleted") for rel in result.delete]
        done += [(rel, "unchanged") for rel in result.unchanged]
        for rel, what in sorted(done):
            click.echo(f"{what}: {rel}")
    click.echo(f"wrote {len(result.write)}, deleted {len(result.delete)}, unchanged {len(result.unchanged)}")


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic collection while the files are rendered (benchmarks/README.md).

    Rendering allocates millions of small objects that live until the files are written; each
    allocation burst made the collector rescan everything alive for cycles the rendering does not
    make. Reference counting still frees everything acyclic; a forked render worker inherits the
    pause. Set here, in the command, as the process's own policy: library code leaves it alone.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
