"""The `sre` command: a thin click shell. Subcommands load lazily so `sre --help` stays fast."""

from __future__ import annotations

import importlib

import click

from sre_cli import __version__

# name -> "module:attribute"; each module imports only click at the top.
COMMANDS: dict[str, str] = {
    "validate": "sre_cli.commands.validate:validate",
    "generate": "sre_cli.commands.generate:generate",
    "runbooks": "sre_cli.commands.runbooks:runbooks",
    "slo": "sre_cli.commands.slo:slo",
    "demo": "sre_cli.commands.demo:demo",
    "cloudwatch": "sre_cli.commands.cloudwatch:cloudwatch",
    "import": "sre_cli.commands.interop:import_",
    "export": "sre_cli.commands.interop:export",
    "prometheus": "sre_cli.commands.prometheus:prometheus",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sre")
def cli() -> None:
    """SLO-as-code: YAML SLO specs to Prometheus rules, CloudWatch alarms, dashboards,
    runbooks and error-budget reports."""


def main() -> None:
    cli()


if __name__ == "__main__":  # python -m sre_cli.cli
    main()
