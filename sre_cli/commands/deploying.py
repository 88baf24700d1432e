"""CLI plumbing shared by the deploy commands (`sre cloudwatch`, `sre prometheus`).

Exit codes: 0 ok, 1 differences found (diff) or some writes failed (apply/prune), 2 bad input,
3 AWS unreachable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from sre_cli.commands import options

EXIT_DIFF = 1
EXIT_INPUT = 2
EXIT_UNREACHABLE = 3

T = TypeVar("T")


def aws_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--region, --profile, --endpoint-url, --max-attempts."""
    decorators = [
        click.option("--region", help="AWS region (default: from the profile or environment)."),
        click.option("--profile", help="AWS named profile."),
        click.option("--endpoint-url", help="Use this endpoint instead of AWS (e.g. a local moto server)."),
        click.option("--max-attempts", default=5, show_default=True, help="Attempts per call (standard retry mode)."),
    ]
    return options.stacked(*decorators)(fn)


def client_or_exit(make: Callable[[], T]) -> T:
    from botocore.exceptions import BotoCoreError

    try:
        return make()
    except BotoCoreError as exc:  # unknown profile, no region, ...
        options.fail(f"cannot set up AWS clients: {exc}")


def read_or_exit(read: Callable[[], T], what: str) -> T:
    """Run a read-only call; on failure exit 3 (unreachable) or 2 (credentials, region, refused)."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    from sre_cli.deploy import aws_calls as calls

    try:
        return read()
    except (NoCredentialsError, NoRegionError) as exc:
        options.fail(f"{exc} (use --profile/--region or the AWS_* environment variables)")
    except (ClientError, BotoCoreError) as exc:
        if calls.is_unreachable(exc):
            options.fail(f"AWS unreachable, nothing changed: {calls.describe_error(exc)}", EXIT_UNREACHABLE)
        # Throttling and 5xx were retried (--max-attempts): what is left is AWS's answer, not the input's.
        options.fail(
            f"reading the current {what} failed, nothing changed: {calls.describe_error(exc)}", EXIT_UNREACHABLE
        )


def finish(report: Any, verb: str) -> None:
    """Print the report; exit 3 if AWS became unreachable, 1 if anything failed or was not attempted."""
    for line in report.lines():
        click.echo(line)
    if report.unreachable:
        click.echo(f"error: AWS unreachable during {verb}: {report.unreachable}", err=True)
    if report.stopped:
        click.echo(f"error: {report.stopped}; nothing written", err=True)
    if not report.ok:
        click.echo(
            f"error: {verb} incomplete: {len(report.applied)} applied, {len(report.failed)} failed, "
            f"{len(report.not_attempted)} not attempted (listed above)",
            err=True,
        )
        if report.stopped:
            raise SystemExit(EXIT_INPUT if report.stopped_by_input else EXIT_UNREACHABLE)
        raise SystemExit(EXIT_UNREACHABLE if report.unreachable else EXIT_DIFF)
    click.echo(f"{verb}: {len(report.applied)} change(s) applied")
