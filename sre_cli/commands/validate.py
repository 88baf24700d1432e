from __future__ import annotations

import click

from sre_cli.commands import options


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def validate(paths: tuple[str, ...], quiet: bool) -> None:
    """Check SLO specs (default: slo/), and everything `sre generate` would refuse in them.

    Reports every problem as file:line:col: field: message; warnings (`field: warning: ...`:
    allowed, likely mistakes, such as a groupBy label without a bound) do not fail the run.

    Exit 0 when clean or with warnings only, 2 on any error.
    """
    specs = options.load_specs_or_exit(paths, generating=True)
    for warning in specs.warnings:
        click.echo(str(warning), err=True)
    if not quiet:
        n = len(specs.slos)
        click.echo(f"ok: {n} SLO{'s' if n != 1 else ''} valid")
