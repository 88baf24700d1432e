"""`sre import` (Sloth, Pyrra, OpenSLO -> sre.dev/v1) and `sre export` (sre.dev/v1 -> OpenSLO v1)."""

from __future__ import annotations

from pathlib import Path

import click

from sre_cli.commands import options

FORMATS = ("sloth", "pyrra", "openslo")


@click.command("import")
@click.argument("source_format", metavar="sloth|pyrra|openslo", type=click.Choice(FORMATS))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@options.folder("--out", "out_dir", "Spec directory to write into (one <service>.yaml per service).", default="slo")
@click.option("--sloth-period", default="30d", show_default=True, help="Sloth's --default-slo-period (its SLO window).")
@click.option("--force", is_flag=True, help="Overwrite existing <service>.yaml files.")
def import_(source_format: str, paths: tuple[str, ...], out_dir: Path, sloth_period: str, force: bool) -> None:
    """Import SLOs from Sloth, Pyrra or OpenSLO files as sre.dev/v1 specs.

    Prints, per source object, what mapped exactly, what was approximated and what could not be
    mapped (file:line, field, why). Exit 0 when everything mapped exactly, 1 when something was
    approximated or dropped, 2 on unreadable input (nothing is written then).
    """
    from sre_cli.interop import report, write
    from sre_cli.interop.source import read_sources
    from sre_cli.slospec.document import check_window

    try:
        check_window(sloth_period)
    except ValueError as exc:
        options.fail(f"--sloth-period: {exc}")
    sources, errors = read_sources(list(paths))
    result = _importer(source_format)(sources, sloth_period) if not errors else report.ImportResult()
    result.errors = errors + result.errors
    if not result.errors:
        files, result.errors = write.stage(result, out_dir, force=force)
    for line in report.render(result) if not errors else []:
        click.echo(line)
    if result.errors:
        for err in sorted(result.errors):
            click.echo(str(err), err=True)
        click.echo("nothing written", err=True)
        raise SystemExit(report.EXIT_UNREADABLE)
    write.write(files)
    for path in sorted(files):
        click.echo(f"wrote {path}")
    raise SystemExit(result.exit_code)


def _importer(source_format: str):  # type: ignore[no-untyped-def]
    if source_format == "sloth":
        from sre_cli.interop import sloth

        return lambda sources, period: sloth.import_files(sources, period)
    if source_format == "pyrra":
        from sre_cli.interop import pyrra

        return lambda sources, _period: pyrra.import_files(sources)
    from sre_cli.interop import openslo

    return lambda sources, _period: openslo.import_files(sources)


@click.group("export")
def export() -> None:
    """Write the specs in another SLO format."""


@export.command("openslo")
@options.specs_folder
@options.folder(
    "--out", "out_dir", "Directory for the OpenSLO files (one <service>.yaml per service).", default="openslo"
)
def export_openslo(specs_dir: str, out_dir: Path) -> None:
    """Export the specs as OpenSLO v1: Service, SLO (inline SLI), AlertPolicy and AlertNotificationTarget.

    What OpenSLO cannot say (minEvents, `for` below a minute, exact window pairs, metric types,
    histogram buckets, native histograms) is kept in `sre.dev/*` annotations, so `sre import openslo`
    gives the specs back.
    """
    from sre_cli.interop import export as openslo_export
    from sre_cli.interop import write

    specs = options.load_specs_or_exit([specs_dir])
    files = openslo_export.export_files(specs)
    write.write({out_dir / name: text for name, text in files.items()})
    for name in sorted(files):
        click.echo(f"wrote {out_dir / name}")
