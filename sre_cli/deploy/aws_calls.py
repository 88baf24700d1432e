"""What every deploy command shares: clients with bounded retries, the change list, the run report.

`sre cloudwatch` and `sre prometheus` both plan per resource (create, update, delete, unchanged),
then run one step per change. Throttling and 5xx are retried by botocore's standard retry mode
(bounded by `max_attempts`, exponential backoff with jitter); error codes a service uses for
"busy, try again" that botocore does not retry (AMP's ConflictException while a namespace is
still being created) are retried here, also bounded and with backoff. A step that still fails is
recorded and the rest continue, except when the endpoint is unreachable, which stops the run: the
report then lists what was applied, what failed and what was not attempted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30
BUSY_BACKOFF_SECONDS = 1.0  # first wait after a busy answer; doubled per attempt


def retry_config(max_attempts: int) -> Any:
    """botocore's standard retry mode: throttling and 5xx retried, `max_attempts` in all."""
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
    )


def session(profile: str | None, region: str | None) -> Any:
    import boto3

    return boto3.session.Session(profile_name=profile, region_name=region)


def client(service: str, region: str | None, profile: str | None, endpoint_url: str | None, max_attempts: int) -> Any:
    """A boto3 client in standard retry mode (throttling and 5xx retried, `max_attempts` in all)."""
    return session(profile, region).client(service, config=retry_config(max_attempts), endpoint_url=endpoint_url)


def is_unreachable(exc: Exception) -> bool:
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

    return isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError | BotoConnectionError)


def error_code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and isinstance(response.get("Error"), dict):
        return str(response["Error"].get("Code"))
    return None


def describe_error(exc: Exception) -> str:
    """One line: the AWS error code and message, and how often botocore retried it."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        err = response["Error"]
        retries = response.get("ResponseMetadata", {}).get("RetryAttempts")
        tries = f" (retried {retries} time(s))" if isinstance(retries, int) else ""
        text = " ".join(str(err.get("Message", "")).split())  # HTML error pages span lines
        return f"{err.get('Code', 'Error')}: {text[:160]}{tries}"
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Change:
    kind: str
    name: str
    action: str  # create | update | delete | unchanged | conflict
    fields: tuple[str, ...] = ()  # what differs, for update; the owner's scope, for conflict

    @property
    def writes(self) -> bool:
        return self.action != "unchanged"

    def __str__(self) -> str:
        return f"{self.action:<9} {self.kind:<15} {self.name}{fields_text(self.fields, '  ')}"


def fields_text(fields: tuple[str, ...], gap: str = " ") -> str:
    """What differs, in parentheses after a change's name (`gap` before them); nothing when nothing is listed."""
    return f"{gap}({', '.join(fields)})" if fields else ""


@dataclass
class Report:
    applied: list[Change] = field(default_factory=list)
    failed: list[tuple[Change, str]] = field(default_factory=list)
    not_attempted: list[Change] = field(default_factory=list)
    topics_created: list[str] = field(default_factory=list)
    unreachable: str | None = None
    # Why the run stopped before its writes (e.g. creating the topics failed), and as which exit code.
    stopped: str | None = None
    stopped_by_input: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_attempted and self.unreachable is None and self.stopped is None

    def lines(self) -> list[str]:
        out = [f"created   {'sns-topic':<15} {arn}" for arn in self.topics_created]
        out += [f"applied   {c}" for c in self.applied]
        out += [f"FAILED    {c}: {err}" for c, err in self.failed]
        out += [f"NOT DONE  {c}" for c in self.not_attempted]
        return out


@dataclass(frozen=True)
class BusyRetry:
    """Error codes meaning "busy, try again", retried `attempts` times in all with doubling waits."""

    codes: Collection[str] = ()
    attempts: int = 5
    first_wait: float = BUSY_BACKOFF_SECONDS
    sleep: Callable[[float], None] = time.sleep


def run_steps(report: Report, steps: list[tuple[Change, Callable[[], None]]], busy: BusyRetry = BusyRetry()) -> None:
    """Run each step, recording it as applied or failed; stop at the first unreachable endpoint."""
    from botocore.exceptions import BotoCoreError, ClientError

    for i, (change, step) in enumerate(steps):
        wait = busy.first_wait
        for attempt in range(1, max(busy.attempts, 1) + 1):
            try:
                step()
            except (ClientError, BotoCoreError) as exc:
                if is_unreachable(exc):
                    report.unreachable = describe_error(exc)
                    report.not_attempted.extend(c for c, _ in steps[i:])
                    return
                if error_code(exc) in busy.codes and attempt < busy.attempts:
                    busy.sleep(wait)
                    wait *= 2
                    continue
                suffix = f" (busy, gave up after {attempt} attempts)" if error_code(exc) in busy.codes else ""
                report.failed.append((change, describe_error(exc) + suffix))
            else:
                report.applied.append(change)
            break
