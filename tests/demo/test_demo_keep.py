"""`sre demo --keep --specs`: a team's own SLOs get synthetic history, the servers stay up for exploring,
the printed report command works as printed, and Ctrl-C stops everything cleanly."""

from __future__ import annotations

import json
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sre_cli import promrun

CHECKOUT = """\
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: checkout-availability, service: checkout}
spec:
  description: Checkout requests answered without a server error
  objective: 99.5
  window: 28d
  indicator:
    ratio:
      prometheus:
        bad: http_requests_total{job="checkout",code=~"5.."}
        total: http_requests_total{job="checkout"}
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: checkout-latency, service: checkout}
spec:
  description: Checkout requests within 500 ms
  objective: 99
  window: 28d
  indicator:
    latency:
      threshold: 500ms
      prometheus:
        histogram: http_request_duration_seconds{job="checkout"}
        buckets: [0.1, 0.25, 0.5, 1, 2.5]
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: checkout-payments, service: checkout}
spec:
  description: Payment calls that succeed, counted from two families
  objective: 99.9
  window: 7d
  indicator:
    ratio:
      prometheus:
        good: payments_succeeded_total{provider=~"stripe|adyen"}
        total: payments_attempted_total{provider=~"stripe|adyen"}
"""

pytestmark = pytest.mark.e2e


def _port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, int(port))) == 0


@pytest.fixture(scope="module")
def binaries() -> None:
    for name in ("prometheus", "promtool", "alertmanager"):
        try:
            promrun.find_binary(name)
        except promrun.MissingBinary as exc:
            pytest.fail(str(exc))


def test_keep_serves_own_specs_until_ctrl_c(binaries: None, tmp_path: Path) -> None:
    specs = tmp_path / "slo"
    specs.mkdir()
    (specs / "checkout.yaml").write_text(CHECKOUT)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sre_cli.cli",
            "demo",
            "--keep",
            "--days",
            "8",
            "--specs",
            str(specs),
            "--output",
            str(tmp_path / "r.html"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            lines.append(line)
            if "Ctrl-C stops both servers" in line:
                break
        text = "".join(lines)
        assert "Ctrl-C stops both servers" in text, text
        prometheus = next(ln.split()[1] for ln in lines if ln.startswith("Prometheus:"))
        alertmanager = next(ln.split()[1] for ln in lines if ln.startswith("Alertmanager:"))
        assert _port_open(prometheus) and _port_open(alertmanager)
        command = next(ln.strip() for ln in lines if ln.strip().startswith("sre slo report"))
        args = shlex.split(command)[1:]
        report = subprocess.run(
            [sys.executable, "-m", "sre_cli.cli", *args, "--format", "json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert report.returncode == 0, report.stderr
        rows = {row["name"]: row for row in json.loads(report.stdout)["slos"]}
        assert set(rows) == {"checkout-availability", "checkout-latency", "checkout-payments"}
        for name in ("checkout-availability", "checkout-latency", "checkout-payments"):
            row = rows[name]
            assert row["events"]["total"] > 0, (name, row)
            # a third of the budget rate, plus a 20x spell: an SLI between the objective and 1
            assert row["objective"] < row["sli"] < 1, (name, row)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "stopped Prometheus and Alertmanager" in out
    assert not _port_open(prometheus) and not _port_open(alertmanager)
