"""`sre runbooks ...`: the runbook link checker."""

from __future__ import annotations

import click

from sre_cli.commands import options


@click.group()
def runbooks() -> None:
    """Runbooks linked from every alert."""


@runbooks.command()
@options.specs_folder
def check(specs_dir: str) -> None:
    """Check that every generated alert links to an existing runbook heading and that every runbook
    has Meaning, Impact, Diagnosis and Mitigation with content and no template leftovers.

    Checks what `sre generate` would write (rendered in memory), so it works before files are
    written. Exit 0 when clean, 1 listing each problem, 2 on bad specs.
    """
    from sre_cli import generate as gen
    from sre_cli.runbooks import check as runbook_check

    specs = options.load_specs_or_exit([specs_dir])
    try:
        outputs = gen.render_all(specs)
    except (ValueError, RuntimeError) as exc:
        options.fail(f"generation failed: {exc}")
    checked = runbook_check.check_all(specs, outputs)
    problems = checked.problems
    for problem in problems:
        click.echo(str(problem))
    if problems:
        n = len(problems)
        click.echo(f"{n} runbook problem{'s' if n != 1 else ''}", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {checked.links} alert links, {checked.runbooks} runbooks")
