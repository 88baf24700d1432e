"""`sre prometheus diff|apply|prune`: the generated rule files as rule groups namespaces in an AMP workspace.

Exit codes as `sre cloudwatch`: 0 ok, 1 differences found (diff) or some writes failed
(apply/prune), 2 bad input, 3 AWS unreachable.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sre_cli.commands import deploying, options

# scheme://user:secret@host/path or user@host:path -> host/path
_REMOTE = re.compile(r"^(?:[a-z+]+://)?(?:[^@/]+@)?(?P<host>[^/:]+)[:/](?P<path>.+?)(?:\.git)?/?$")


def _common(fn: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        click.option("--amp-workspace", "workspace", required=True, help="AMP workspace ID (ws-...)."),
        options.specs_folder,
        options.folder(
            "--generated",
            "rules_dir",
            "Read <service>.rules.yaml from this folder (e.g. alarms/prometheus) instead of rendering the specs.",
        ),
        click.option(
            "--scope",
            help="Ownership scope tagged on every namespace created (sre.dev/scope); only namespaces of this scope "
            "are updated or pruned. Default: the git remote of the spec folder (add the environment if one "
            "workspace serves several).",
        ),
        deploying.aws_options,
    ]
    return options.stacked(*decorators)(fn)


@click.group()
def prometheus() -> None:
    """Diff, apply and prune the generated Prometheus rules in Amazon Managed Service for Prometheus."""


def default_scope(specs_dir: str) -> str | None:
    """The spec folder's git remote as host/path (no scheme, user or secret), or None."""
    folder = Path(specs_dir)
    folder = folder if folder.is_dir() else folder.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = _REMOTE.match(out.stdout.strip())
    return f"{match['host']}/{match['path']}" if out.returncode == 0 and match else None


class _Session:
    """Desired rule files, the AMP client, the namespaces present and the plan; exits as documented."""

    def __init__(self, kw: dict[str, Any]):
        from sre_cli.deploy import amp

        self.amp = amp
        self.workspace = kw["workspace"]
        try:
            if kw["rules_dir"] is not None:
                self.desired = amp.from_generated(kw["rules_dir"])
            else:
                self.desired = amp.from_specs(options.load_specs_or_exit([kw["specs_dir"]]))
            scope = kw["scope"] or default_scope(kw["specs_dir"])
            if scope is None:
                options.fail("no git remote to name the ownership scope after; pass --scope (e.g. acme/sre:prod)")
            self.scope = amp.scope_tag_value(scope)
        except amp.InputError as exc:
            options.fail(str(exc))
        self.client = deploying.client_or_exit(
            lambda: amp.client(kw["region"], kw["profile"], kw["endpoint_url"], kw["max_attempts"])
        )
        self.current = deploying.read_or_exit(
            lambda: amp.read_current(self.client, self.workspace, self.desired, self.scope),
            f"rule groups namespaces of {self.workspace}",
        )
        self.plan = amp.plan(self.desired, self.current, self.scope)


@prometheus.command()
@_common
def diff(**kw: Any) -> None:
    """Per namespace create, update, delete (prune would remove it), conflict or unchanged, with the rules."""
    session = _Session(kw)
    for line in session.plan.lines():
        click.echo(line)
    pending = [c for c in session.plan.changes if c.writes]
    unchanged = len(session.plan.changes) - len(pending)
    click.echo(f"{len(pending)} difference(s), {unchanged} unchanged (scope {session.scope})", err=True)
    if pending:
        raise SystemExit(deploying.EXIT_DIFF)


@prometheus.command(name="apply")
@_common
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
def apply_cmd(dry_run: bool, **kw: Any) -> None:
    """Create and update what differs (a second apply makes no write calls); never touches others' namespaces."""
    session = _Session(kw)
    todo = [c for c in session.plan.changes if c.action in ("create", "update", "conflict")]
    if dry_run:
        for change in todo:
            click.echo(f"would {change}")
        click.echo(f"dry run: {len(todo)} change(s) not applied")
        return
    report = session.amp.apply(session.client, session.workspace, session.desired, session.plan.changes, session.scope)
    deploying.finish(report, "apply")


@prometheus.command(name="prune")
@_common
@click.option("--dry-run", is_flag=True, help="Print what would be deleted; delete nothing.")
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Allow deleting every namespace of the scope when no rule file is desired (refused otherwise).",
)
def prune_cmd(dry_run: bool, allow_empty: bool, **kw: Any) -> None:
    """Delete namespaces tagged with this scope that no service produces any more; never anything else."""
    session = _Session(kw)
    doomed = [c for c in session.plan.changes if c.action == "delete"]
    if doomed and not session.desired and not allow_empty:
        options.fail(
            f"no rule files are desired, so prune would delete all {len(doomed)} namespace(s) of scope "
            f"{session.scope!r}; check --specs/--generated, or pass --allow-empty"
        )
    if dry_run:
        for change in doomed:
            click.echo(f"would {change}")
        click.echo(f"dry run: {len(doomed)} namespace(s) not deleted")
        return
    deploying.finish(session.amp.prune(session.client, session.workspace, session.plan.changes), "prune")
