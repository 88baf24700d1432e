from __future__ import annotations

import click

from sre_cli.commands import options


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def validate(paths: tuple[str, ...], quiet: bool) -> None:
    """Check SLO specs (default: slo/), and everything `sre generate` would refuse in them.

    Reports every problem as file:line:col: field: message.

    Warnings (allowed, likely mistakes: a groupBy label without a bound) are printed the same way,
    after `warning:`; they do not fail validation.

    Exit 0 when clean or with warnings only, 2 on any error.
    """
    specs = options.load_specs_or_exit(paths, generating=True)
    if not quiet:
        for warning in specs.warnings:
            click.echo(str(warning), err=True)
        n = len(specs.slos)
        click.echo(f"ok: {n} SLO{'s' if n != 1 else ''} valid")
