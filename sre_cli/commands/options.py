"""Helpers shared by commands: loading specs with the documented error output and exit code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from sre_cli.slospec.model import SpecSet

EXIT_BAD_INPUT = 2


def stacked(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """One decorator applying `decorators` as if written one above the other (click lists options in that order)."""

    def decorate(fn: Any) -> Any:
        for one in reversed(decorators):
            fn = one(fn)
        return fn

    return decorate


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


def load_specs_or_exit(
    paths: tuple[str, ...] | list[str], *, generating: bool = False, cached: bool = False
) -> SpecSet:
    """The specs, or exit 2 listing every problem; `generating` adds what `sre generate` would refuse.

    `cached`: through the validated-spec cache (sre_cli/slospec/cache.py) when it is current.
    """
    if cached:
        from sre_cli.slospec.cache import load
    else:
        from sre_cli.slospec.load import load  # type: ignore[assignment]

    specs = load(list(paths) or ["slo"], generating=generating)
    if specs.errors:
        for err in specs.errors:
            click.echo(str(err), err=True)
        n = len(specs.errors)
        click.echo(f"{n} error{'s' if n != 1 else ''}", err=True)
        raise SystemExit(EXIT_BAD_INPUT)
    return specs


def load_values_or_exit(path: Path | None) -> tuple[dict[str, str] | None, str | None]:
    """The --values file of an environment (None when not given); exit 2 naming the file if unusable."""
    if path is None:
        return None, None
    from sre_cli import placeholders

    try:
        return placeholders.load_values(path), str(path)
    except placeholders.MissingValues as exc:
        fail(str(exc))


# Options several commands take, written once so that their names, defaults and help agree.
specs_folder = click.option("--specs", "specs_dir", default="slo", show_default=True, help="Spec file or directory.")
no_cache = click.option(
    "--no-cache",
    is_flag=True,
    help="Prometheus: validate the specs again instead of reading the cache of validated specs "
    "($XDG_CACHE_HOME/sre, default ~/.cache/sre; env SRE_NO_CACHE=1).",
)


def folder(flag: str, dest: str, help: str, default: str | None = None) -> Callable[[Any], Any]:
    """An option naming a directory, as a Path (shown with its default when it has one)."""
    return click.option(
        flag,
        dest,
        default=default,
        show_default=default is not None,
        type=click.Path(file_okay=False, path_type=Path),
        help=help,
    )
