"""Error-budget reports: measure SLOs with a backend at one instant, build, render.

The JSON schema and status rules are documented in README.md next to this file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, TypedDict, Unpack

from sre_cli.backends import Measurement, MeasureRequest, Source
from sre_cli.report.model import Report, SloReport, build, measured_window
from sre_cli.slospec.model import Slo


class Backend(Protocol):
    name: str

    @property
    def where(self) -> str: ...

    def measure(self, request: MeasureRequest) -> dict[str, Measurement]:
        """SLO name -> what was read for it; BackendError when the store cannot be read."""


def has_source(slo: Slo, backend: str) -> bool:
    return getattr(slo.indicator.body, backend, None) is not None


class ReportOptions(TypedDict, total=False):
    history: bool  # read the burn-down history too (HTML)
    source: Source  # Prometheus: recorded series, raw series, or each where it covers (auto)
    progress: Callable[[], None] | None


def make_report(slos: Sequence[Slo], backend: Backend, at: float, **options: Unpack[ReportOptions]) -> Report:
    """Measure and build the report of `slos` (in the given order) at `at`."""
    reports = tuple(iter_reports(slos, backend, at, **options))
    # A backend may report at a coarser instant than asked (CloudWatch: the last full hour).
    reported_at = reports[0].at if reports else at
    return Report(at=reported_at, backend=backend.name, source=backend.where, slos=reports)


def iter_reports(
    slos: Sequence[Slo],
    backend: Backend,
    at: float,
    *,
    history: bool = False,
    source: Source = "auto",
    progress: Callable[[], None] | None = None,
) -> Iterator[SloReport]:
    """Measure `slos`, then yield each one's report in the given order, letting go of each
    measurement once its report is built: a renderer that writes as it goes (JSON) never holds
    the fleet's reports. Backend errors raise at the first `next`, before anything is yielded."""
    windows = {s.name: measured_window(s, at) for s in slos}
    measured = backend.measure(MeasureRequest(slos, at, windows, history=history, source=source, progress=progress))
    for s in slos:
        yield build(s, measured.pop(s.name))


def render(report: Report, fmt: str, *, color: bool | None = None, width: int | None = None) -> str:
    if fmt == "json":
        from sre_cli.report.render_json import render as render_json

        return render_json(report)
    if fmt == "markdown":
        from sre_cli.report.render_text import render_markdown

        return render_markdown(report)
    if fmt == "html":
        from sre_cli.report.render_html import render as render_html

        return render_html(report)
    if fmt == "table":
        from sre_cli.report.render_text import render_table

        return render_table(report, width=width, color=color)
    raise ValueError(f"unknown format {fmt!r}")
