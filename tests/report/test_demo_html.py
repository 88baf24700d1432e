"""`sre demo` end to end, and its HTML report checked in headless Chromium with no network."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.report.render_html import STATUS_COLOR

from .conftest import REPO

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def test_demo_specs_are_the_repository_specs() -> None:
    packaged = REPO / "sre_cli" / "demo" / "slo"
    for spec in sorted((REPO / "slo").glob("*.yaml")):
        assert (packaged / spec.name).read_text() == spec.read_text(), f"sre_cli/demo/slo/{spec.name} drifted"


def test_demo_without_prometheus_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    r = CliRunner().invoke(cli, ["demo", "--output", str(tmp_path / "r.html")])
    assert r.exit_code == 2
    assert "apt-get install -y prometheus" in r.stderr
    assert not (tmp_path / "r.html").exists()


@pytest.fixture(scope="module")
def demo_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "report.html"
    r = CliRunner().invoke(cli, ["demo", "--output", str(out)])
    assert r.exit_code == 0, (r.stdout, r.stderr)
    for name in ("api-availability", "api-latency", "batch-queue-age", "db-errors", "sfn-success"):
        assert name in r.stdout
    assert "generated rule files loaded" in r.stdout
    assert r.stderr == ""  # quiet when not on a terminal
    return out


@pytest.mark.e2e
def test_demo_html_is_self_contained(demo_html: Path) -> None:
    html = demo_html.read_text()
    assert html.count('<svg class="burn-down"') == 5
    assert "<script" not in html
    # No external assets: nothing to fetch (the SVG namespace is an identifier, not a fetch).
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Debian `chromium` is needed for the HTML test: apt-get install -y chromium")
    return path


def _run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r[i : i + 3]) for r in rows for i in range(0, stride, channels)]  # type: ignore[return-value]


@pytest.mark.e2e
def test_chromium_renders_one_chart_per_slo(demo_html: Path, tmp_path: Path) -> None:
    url = demo_html.as_uri()
    dom = _run_chromium(tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    charts = re.findall(r'<svg class="burn-down".*?</svg>', dom.stdout, re.S)
    assert len(charts) == 5
    statuses = re.findall(r'<span class="status"[^>]*>([a-z_]+)</span>', dom.stdout)
    assert len(statuses) == 5
    for chart in charts:
        points = re.search(r'<polyline class="budget" points="([^"]+)"', chart)
        assert points and len(points.group(1).split()) > 100  # one point per 6h of 30d, and the start

    shot = tmp_path / "shot.png"
    r = _run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1440,2200", "--hide-scrollbars", url)
    assert r.returncode == 0 and shot.is_file(), r.stderr[-2000:]
    _, _, pixels = decode_png(shot.read_bytes())
    colors = Counter(pixels)
    background = colors[b"\xff\xff\xff"]
    assert background < len(pixels) * 0.97, "the page is blank"
    # Every chart's budget line is drawn in its status color: count those pixels per status.
    for status, n in Counter(statuses).items():
        rgb = bytes.fromhex(STATUS_COLOR[status].lstrip("#"))
        assert colors[rgb] >= 300 * n, (status, n, colors[rgb])
