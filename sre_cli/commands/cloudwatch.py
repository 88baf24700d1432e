"""`sre cloudwatch diff|apply|prune`: deploy the generated alarms and dashboards with boto3.

Exit codes: 0 ok, 1 differences found (diff) or some writes failed (apply/prune), 2 bad input
or usage, 3 AWS unreachable or an AWS error while reading the account or creating topics.

What a run may touch is its scope: alarms tagged `sre:scope=<spec set>/<environment>` as the
desired alarms are (`--scope` names another), and of the services the desired alarms belong to
(`--all-services`: any service of the scope). Everything else is out of scope: not shown, never
deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sre_cli.commands import deploying, options

EXIT_DIFF = deploying.EXIT_DIFF
EXIT_UNREACHABLE = deploying.EXIT_UNREACHABLE
EXIT_INPUT = deploying.EXIT_INPUT
KIND_CHOICES = ("metric-alarm", "composite-alarm", "dashboard")


def _all_services(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--all-services",
        is_flag=True,
        help="Delete alarms of the scope for every service, not only for the services the desired alarms belong to.",
    )(fn)


def _common(fn: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        options.specs_folder,
        options.folder(
            "--generated",
            "generated_root",
            "Read alarms/ and dashboards/cloudwatch/*.json under this root instead of rendering the specs.",
        ),
        click.option(
            "--values",
            "values_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="The environment's placeholder values: `terraform output -json sre_values` (or the full "
            "`terraform output -json`). Required when the requests carry ${name} placeholders.",
        ),
        click.option(
            "--only",
            "kinds",
            multiple=True,
            type=click.Choice(KIND_CHOICES),
            help="Restrict to these resource kinds (repeatable; default: all).",
        ),
        deploying.aws_options,
        click.option(
            "--scope",
            help="The ownership scope, <spec set>/<environment> (default: the sre:scope tag of the desired "
            "alarms, e.g. github.com/acme/sre/prod). Replaces that tag in what is written.",
        ),
    ]
    return options.stacked(*decorators)(fn)


@click.group()
def cloudwatch() -> None:
    """Diff, apply and prune the generated CloudWatch alarms and dashboards."""


class _Session:
    """Desired state, clients, current state and plan, with the documented exit codes on failure."""

    def __init__(self, kw: dict[str, Any], *, before_reading: Callable[[Any], None] | None = None):
        from sre_cli.deploy import cloudwatch as deploy

        self.deploy = deploy
        self.kinds = tuple(kw["kinds"]) or deploy.KINDS
        values, values_file = options.load_values_or_exit(kw["values_file"])
        try:
            if kw["generated_root"] is not None:
                self.desired = deploy.from_generated(kw["generated_root"], values, values_file, kw["scope"])
            else:
                specs = options.load_specs_or_exit([kw["specs_dir"]])
                self.desired = deploy.from_specs(specs, values, values_file, kw["scope"])
        except deploy.InputError as exc:
            options.fail(str(exc))
        if before_reading is not None:
            before_reading(self.desired)
        self.aws = self._clients(kw)
        self.cw = self.aws.cloudwatch
        self.current = self._guard(lambda: deploy.read_current(self.cw, self.desired, self.kinds))
        self.changes = deploy.plan(self.desired, self.current, self.kinds, all_services=bool(kw.get("all_services")))

    def _clients(self, kw: dict[str, Any]) -> tuple[Any, Any]:
        return deploying.client_or_exit(
            lambda: self.deploy.clients(kw["region"], kw["profile"], kw["endpoint_url"], kw["max_attempts"])
        )

    def _guard(self, read: Callable[[], Any]) -> Any:
        return deploying.read_or_exit(read, "CloudWatch state")

    def finish(self, report: Any, verb: str) -> None:
        deploying.finish(report, verb)


@cloudwatch.command()
@_common
@_all_services
def diff(**kw: Any) -> None:
    """Show per alarm/dashboard: create, update, delete (prune would remove it), conflict or unchanged.

    A conflict is a desired alarm whose name another scope's alarm has: apply leaves it alone.
    """
    session = _Session(kw)
    for change in session.changes:
        click.echo(str(change))
    pending = [c for c in session.changes if c.writes]
    click.echo(f"{len(pending)} difference(s), {len(session.changes) - len(pending)} unchanged", err=True)
    if pending:
        raise SystemExit(EXIT_DIFF)


@cloudwatch.command(name="apply")
@_common
@click.option("--create-topics", is_flag=True, help="Create the SNS topics the alarms notify (idempotent).")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
def apply_cmd(create_topics: bool, dry_run: bool, **kw: Any) -> None:
    """Create and update what differs (a second apply makes no write calls)."""
    session = _Session(kw)
    todo = [c for c in session.changes if c.action in ("create", "update")]
    if dry_run:
        for change in todo:
            click.echo(f"would {change}")
        click.echo(f"dry run: {len(todo)} change(s) not applied")
        return
    report = session.deploy.apply(
        session.cw,
        session.desired,
        session.current,
        session.changes,
        topics_with=session.aws if create_topics else None,
    )
    session.finish(report, "apply")


@cloudwatch.command(name="prune")
@_common
@_all_services
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Prune even when the desired state has no alarms (with --scope and --all-services: deletes every alarm "
    "of the scope).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be deleted; delete nothing.")
def prune_cmd(allow_empty: bool, dry_run: bool, **kw: Any) -> None:
    """Delete the alarms of this scope (and of the desired alarms' services) that no spec produces.

    Only alarms tagged ManagedBy=sre and sre:scope=<this scope> are ever deleted; alarms without
    these tags, of another scope (spec set, repository or environment) or of another service are
    not (`--all-services` includes every service of the scope).
    """

    def refuse_empty(desired: Any) -> None:
        if desired.alarm_names:
            return
        if allow_empty:
            if desired.scope is None:
                options.fail("--allow-empty: the desired state has no alarms to take the scope from; pass --scope")
            return
        options.fail(
            "the desired state has no CloudWatch alarms (no CloudWatch sources, or a --generated folder without "
            "alarms): pruning it would delete every alarm of the scope. To do that on purpose, pass "
            "--allow-empty --all-services --scope <spec set>/<environment>"
        )

    session = _Session(kw, before_reading=refuse_empty)
    doomed = [c for c in session.changes if c.action == "delete"]
    if dry_run:
        for change in doomed:
            click.echo(f"would {change}")
        click.echo(f"dry run: {len(doomed)} alarm(s) not deleted")
        return
    session.finish(session.deploy.prune(session.cw, session.changes), "prune")
