"""`sre slo report`: error budget, burn rates and alert state of every SLO at one instant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sre_cli.commands import options

if TYPE_CHECKING:
    from sre_cli.report.model import GroupView, SloReport

EXIT_FAIL_ON = 1
EXIT_BACKEND = 3


@click.group()
def slo() -> None:
    """Look at SLOs in a running system."""


def parse_at(text: str | None) -> float:
    """RFC 3339, Unix seconds, `now` or a time relative to now (`-2h`, `now-1d`); default now.

    Raises click.BadParameter otherwise.
    """
    import math
    import re
    import time
    from datetime import UTC, datetime

    from sre_cli import slomath

    now = time.time()
    if text is None or text.strip().lower() == "now":
        return round(now, 3)
    if relative := re.fullmatch(r"\s*(?:now\s*)?-\s*(\S+)\s*", text, re.IGNORECASE):
        try:
            return round(now - slomath.parse_duration(relative.group(1)), 3)
        except ValueError:
            raise click.BadParameter(
                f"{text!r}: {relative.group(1)!r} is not a duration (e.g. -2h, now-1d, -1h30m)", param_hint="--at"
            ) from None
    try:
        at = float(text)
        if not math.isfinite(at):
            raise click.BadParameter(f"{text!r} is not a time", param_hint="--at")
    except ValueError:
        try:
            dt = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise click.BadParameter(
                f"{text!r} is neither RFC 3339 (2024-05-01T12:00:00Z), Unix seconds nor relative (-2h, now-1d)",
                param_hint="--at",
            ) from None
        if dt.tzinfo is None:
            raise click.BadParameter(f"{text!r} has no time zone; add Z or +hh:mm", param_hint="--at") from None
        try:
            at = dt.astimezone(UTC).timestamp()
        except (OverflowError, ValueError):
            raise click.BadParameter(f"{text!r} is out of range", param_hint="--at") from None
    if at > now + 60:
        raise click.BadParameter(f"{text!r} is in the future", param_hint="--at")
    if at <= 0:
        raise click.BadParameter(f"{text!r} is not a time after 1970", param_hint="--at")
    return at


@slo.command()
@options.specs_folder
@options.no_cache
@click.option("--backend", type=click.Choice(["prometheus", "cloudwatch"]), default="prometheus", show_default=True)
@click.option(
    "--prometheus-url",
    envvar="SRE_PROMETHEUS_URL",
    default="http://127.0.0.1:9090",
    show_default=True,
    help="Any Prometheus-compatible query API (Thanos, Mimir: include the /prometheus prefix). "
    "Env: SRE_PROMETHEUS_URL.",
)
@click.option("--region", envvar="AWS_REGION", help="CloudWatch region (env AWS_REGION).")
@click.option("--endpoint-url", envvar="SRE_CLOUDWATCH_ENDPOINT", hidden=True, help="CloudWatch endpoint (tests).")
@click.option(
    "--values",
    "values_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CloudWatch: the environment's placeholder values (`terraform output -json sre_values`).",
)
@click.option(
    "--at",
    "at_text",
    metavar="TIME",
    help="Instant of the report: RFC 3339, Unix seconds, or relative to now (-2h, now-1d). Default now.",
)
@click.option("--slo", "names", multiple=True, metavar="NAME", help="Only these SLOs (repeatable).")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "markdown", "html"]), default="table", show_default=True
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout.")
@click.option(
    "--fail-on",
    type=click.Choice(["breach", "exhausted", "page", "alerting", "at_risk", "no_data"]),
    multiple=True,
    help="Exit 1 when an SLO is breached, has exhausted its budget, would page, has any alert firing, is "
    "at_risk or worse, or has no data (repeatable). SLOs without data are named on stderr for the others.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.05, max=86400),
    callback=lambda _ctx, _param, value: _finite(value, "--timeout"),
    default=120.0,
    show_default=True,
    help="Deadline in seconds for the whole report: every request, retry and Retry-After wait.",
)
@click.option(
    "--retries", type=click.IntRange(min=0, max=100), default=2, show_default=True, help="Retries per request."
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Bearer token file (or env SRE_PROMETHEUS_TOKEN; basic auth: SRE_PROMETHEUS_USER/_PASSWORD).",
)
@click.option(
    "--sigv4-region", metavar="REGION", help="Sign Prometheus requests with SigV4 (Amazon Managed Prometheus)."
)
@click.option(
    "--group-by-worst",
    "worst_groups",
    type=click.IntRange(min=1),
    metavar="N",
    help="Grouped SLOs: print only the N groups with the least budget left (the SLO's line still sums all).",
)
@click.option(
    "--all",
    "all_groups",
    is_flag=True,
    help="Grouped SLOs: print every group row, even more than the spec's maxGroups.",
)
@click.option(
    "--source",
    "series_source",
    type=click.Choice(["auto", "recorded", "raw"]),
    default="auto",
    show_default=True,
    help="Prometheus: read the generated rules' recorded series where they cover the window and the raw "
    "series elsewhere (auto), only the recorded series, or only the raw series.",
)
def report(
    specs_dir: str,
    no_cache: bool,
    backend: str,
    prometheus_url: str,
    region: str | None,
    endpoint_url: str | None,
    at_text: str | None,
    names: tuple[str, ...],
    fmt: str,
    output: Path | None,
    fail_on: tuple[str, ...],
    timeout: float,
    retries: int,
    token_file: Path | None,
    sigv4_region: str | None,
    values_file: Path | None,
    worst_groups: int | None,
    all_groups: bool,
    series_source: str,
) -> None:
    """Error budget, burn rates, alert state and exhaustion forecast of each SLO at one instant.

    Exit codes: 0 ok; 1 a --fail-on condition holds; 2 bad input (spec, flag, path);
    3 the backend is unreachable or answers with errors.
    """
    at = parse_at(at_text)
    # CloudWatch reports rework the spec documents as pydantic models (groups' dimensions, --values
    # placeholders), so they load in full; Prometheus reports only read them (slospec/snapshot.py).
    specs = options.load_specs_or_exit([specs_dir], cached=backend == "prometheus" and not no_cache)
    from sre_cli import report as rep
    from sre_cli.backends import BackendError

    if backend == "cloudwatch" and series_source == "recorded":
        options.fail("--source recorded: CloudWatch has no recorded series (use auto or raw)")
    chosen = select(specs.slos, names, backend)
    if output is not None:
        check_writable(output)
    source = make_backend(backend, prometheus_url, region, endpoint_url, timeout, retries, token_file, sigv4_region)
    if backend == "cloudwatch":
        chosen = fill_identities(chosen, values_file)
    import dataclasses

    from sre_cli.report.model import GroupView

    view = GroupView(worst=worst_groups, show_all=all_groups)
    verdicts = Verdicts(fail_on)
    try:
        with progress_bar(len(chosen)) as tick:
            if fmt == "json":
                # Written as measured, one SLO at a time: a fleet's report is never held whole.
                reports = rep.iter_reports(chosen, source, at, source=series_source, progress=tick)
                text = stream_json(reports, source, view, verdicts)
            else:
                result = rep.make_report(chosen, source, at, history=fmt == "html", source=series_source, progress=tick)
                for s in result.slos:
                    verdicts.see(s)
                text = iter([rep.render(dataclasses.replace(result, group_view=view), fmt)])
    except BackendError as exc:
        options.fail(f"{backend} backend {exc.where}: {exc.cause}", EXIT_BACKEND)
    if output is None:
        for chunk in text:
            click.echo(chunk, nl=False)
    else:
        from sre_cli.fileio import atomic_write

        try:
            atomic_write(output, text)
        except OSError as exc:
            options.fail(f"--output {output}: cannot write ({exc.strerror or exc})")
        click.echo(f"wrote {output}", err=True)
    failing = {c: names for c, names in verdicts.failing.items() if names}
    for cond, slo_names in failing.items():
        click.echo(f"--fail-on {cond}: {', '.join(slo_names)}", err=True)
    # What was not measured is never passed silently: name it, and --fail-on no_data fails on it.
    unjudged = sorted(verdicts.unjudged)
    if unjudged and "no_data" not in fail_on:
        click.echo(f"note: --fail-on cannot judge {', '.join(unjudged)} (no data); add --fail-on no_data", err=True)
    if failing:
        raise SystemExit(EXIT_FAIL_ON)


class Verdicts:
    """What the --fail-on conditions say of each SLO and group, gathered as the reports go by."""

    def __init__(self, fail_on: tuple[str, ...]) -> None:
        self.fail_on = fail_on
        self.failing: dict[str, list[str]] = {c: [] for c in fail_on}
        self.unjudged: set[str] = set()

    def see(self, s: SloReport) -> SloReport:
        from sre_cli.report import model

        for cond in self.fail_on:
            self.failing[cond] += model.failing(s, cond)
            self.unjudged.update(model.unjudged(s, cond))
        return s


def stream_json(reports: Iterator[SloReport], source, view: GroupView, verdicts: Verdicts) -> Iterator[str]:
    """The JSON report as text chunks. Measures now (backend errors raise here, before any output);
    builds, judges and renders each SLO only when the chunks are written."""
    import itertools

    from sre_cli.report import render_json

    first = next(reports)  # the instant a backend reports at (CloudWatch: the last full hour)
    judged = (verdicts.see(s) for s in itertools.chain([first], reports))
    return render_json.chunks(first.at, source.name, source.where, judged, view)


def fill_identities(slos: list, values_file: Path | None) -> list:
    """The SLOs with their CloudWatch placeholders filled from --values; exit 2 when one has no value."""
    from sre_cli import placeholders

    values, source = options.load_values_or_exit(values_file)
    needed = {name for slo in slos for name in placeholders.slo_placeholders(slo)}
    if missing := needed - set(values or {}):
        options.fail(placeholders.missing_message(missing, source))
    return [placeholders.fill_slo(slo, values or {}, source or "") for slo in slos]


def _finite(value: float, flag: str) -> float:
    import math

    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds", param_hint=flag)
    return value


def check_writable(output: Path) -> None:
    """Fail before querying anything when the report could not be written to `output`."""
    import os
    import tempfile

    if output.is_dir():
        options.fail(f"--output {output}: is a directory")
    parent = output.parent
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        options.fail(f"--output {output}: directory {parent} {what}")
    # Try it: permissions, read-only mounts and pseudo file systems all answer only to a real write.
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".probe", dir=parent)
    except OSError as exc:
        options.fail(f"--output {output}: cannot write in {parent} ({exc.strerror or exc})")
    os.close(fd)
    os.unlink(probe)


def select(slos: list, names: tuple[str, ...], backend: str) -> list:
    from sre_cli.report import has_source

    known = {s.name: s for s in slos}
    unknown = [n for n in names if n not in known]
    if unknown:
        options.fail(f"--slo: unknown SLO {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    chosen = [known[n] for n in dict.fromkeys(names)] if names else sorted(slos, key=lambda s: (s.service, s.name))
    without = [s.name for s in chosen if not has_source(s, backend)]
    if names and without:
        options.fail(f"--slo {', '.join(without)}: no {backend} source in the spec")
    for name in without:
        click.echo(f"note: {name} skipped: its spec has no {backend} source", err=True)
    chosen = [s for s in chosen if has_source(s, backend)]
    if not chosen:
        options.fail(f"no SLO with a {backend} source to report on")
    return chosen


def make_backend(
    backend: str,
    prometheus_url: str,
    region: str | None,
    endpoint_url: str | None,
    timeout: float,
    retries: int,
    token_file: Path | None,
    sigv4_region: str | None,
):
    if backend == "cloudwatch":
        if not region:
            options.fail("--backend cloudwatch needs --region (or AWS_REGION)")
        if endpoint_url is not None:
            check_url("--endpoint-url", endpoint_url)
        from sre_cli.backends.cloudwatch import ClientConfigError, CloudWatchBackend

        try:
            return CloudWatchBackend(region, endpoint_url=endpoint_url, timeout=timeout, retries=retries)
        except ClientConfigError as exc:
            options.fail(str(exc))
    check_url("--prometheus-url", prometheus_url)
    from sre_cli.backends import auth
    from sre_cli.backends.prometheus import PrometheusBackend

    try:
        credentials = auth.from_options(token_file, sigv4_region, url=prometheus_url)
    except auth.AuthConfigError as exc:
        options.fail(str(exc))
    url = auth.without_credentials(prometheus_url)
    return PrometheusBackend(url, auth=credentials, timeout=timeout, retries=retries)


def check_url(flag: str, url: str) -> None:
    from sre_cli.backends import urls

    problem = urls.problem(url)
    if problem:
        options.fail(f"{flag} {urls.one_line(urls.redact(url))!r}: {problem}")


def progress_bar(total: int):
    """A rich progress bar on stderr when it is a terminal and there is enough to wait for."""
    import contextlib
    import sys

    if not sys.stderr.isatty() or total < 10:
        return contextlib.nullcontext(None)
    return _rich_progress(total)


def _rich_progress(total: int):
    import contextlib

    from rich.console import Console
    from rich.progress import Progress

    @contextlib.contextmanager
    def bar():
        with Progress(console=Console(stderr=True), transient=True) as p:
            task = p.add_task("measuring SLOs", total=total)
            yield lambda: p.advance(task)

    return bar()
