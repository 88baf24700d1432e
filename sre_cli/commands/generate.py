from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from sre_cli.commands import options

if TYPE_CHECKING:
    from sre_cli.generate import Plan


EXIT_STALE = 1
EXIT_WRITE_FAILED = 3


@click.command()
@options.specs_folder
@click.option(
    "--out",
    "out_root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output root (default: the folder holding the spec folder; for a spec file, its folder's parent). "
    "Never the spec folder itself.",
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
    """Render rules, alarms, dashboards, runbooks and the schema from the specs.

    Paths are relative to the output root. Generate records what it wrote in .sre-generated.json
    there (commit it with the output) and deletes only files listed in it; a file it did not write
    is never overwritten (unless it already holds what would be written) nor deleted. The output
    changes all at once or not at all. Exit codes: 1 --check found stale files; 2 bad specs, or
    files in the way of the output (named); 3 writing failed (full disk...), nothing changed.
    """
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
    inside = gen.spec_folder_outputs(outputs, root, Path(specs_dir))
    if inside:
        options.fail(f"{root}: generated files would land in the spec folder ({inside[0]}, ...): choose another --out")
    try:
        result = gen.plan(outputs, root, chosen)
    except gen.ManifestError as exc:
        options.fail(str(exc))
    except OSError as exc:
        options.fail(f"reading {root} failed, nothing written: {exc}", EXIT_WRITE_FAILED)
    if check:
        report_check(result, verbose)
        return
    if result.conflicts:
        report_conflicts(result, root)
    try:
        gen.execute(result, root)
    except OSError as exc:
        options.fail(f"writing {root} failed, nothing changed: {exc}", EXIT_WRITE_FAILED)
    report_written(result, root, verbose)


def report_check(result: Plan, verbose: bool) -> None:
    """`--check`: files in the way (exit 2), stale and obsolete files (exit 1); --verbose lists current ones too."""
    from sre_cli.generate import MANIFEST

    if verbose:
        for rel in result.unchanged:
            click.echo(f"current: {rel}")
    for line in result.conflicts:
        click.echo(f"conflict: {line}")
    for rel in sorted(result.write):
        click.echo(f"stale: {rel}")
    for rel in result.delete:
        click.echo(f"obsolete: {rel}")
    if result.manifest is not None:
        click.echo(f"stale: {MANIFEST}")
    if result.conflicts:
        click.echo(f"{len(result.conflicts)} file(s) in the way of generated output: move them away", err=True)
        raise SystemExit(options.EXIT_BAD_INPUT)
    if result.stale:
        click.echo(f"{len(result.stale)} generated file(s) out of date: run `sre generate`", err=True)
        raise SystemExit(EXIT_STALE)
    click.echo(f"ok: {len(result.unchanged)} generated files up to date")


def report_conflicts(result: Plan, root: Path) -> NoReturn:
    for line in result.conflicts:
        click.echo(f"error: {root}{os.sep}{line}", err=True)
    options.fail(f"{len(result.conflicts)} file(s) in the way of generated output, nothing written")


def report_written(result: Plan, root: Path, verbose: bool) -> None:
    """What `sre generate` did; with --verbose, file by file, in path order."""
    if verbose:
        done = [(rel, "wrote") for rel in result.write] + [(rel, "deleted") for rel in result.delete]
        done += [(rel, "unchanged") for rel in result.unchanged]
        for rel, what in sorted(done):
            click.echo(f"{what}: {rel}")
    click.echo(
        f"wrote {len(result.write)}, deleted {len(result.delete)}, unchanged {len(result.unchanged)} (under {root})"
    )


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
