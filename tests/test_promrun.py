from __future__ import annotations

import socket
import urllib.request

import pytest

from sre_cli import promrun
from sre_cli.promrun import AlertmanagerServer


def test_missing_binary_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(promrun.MissingBinary, match="apt-get install -y prometheus-alertmanager"):
        promrun.find_binary("alertmanager")


@pytest.mark.e2e
def test_servers_start_on_loopback_and_free_their_port() -> None:
    with promrun.PrometheusServer() as prom:
        assert prom.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{prom.url}/api/v1/status/runtimeinfo", timeout=5) as resp:
            assert resp.status == 200
        port = prom.port
    with socket.socket() as s:
        # SO_REUSEADDR lets us past TIME_WAIT but not past a process still listening.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))


@pytest.mark.e2e
def test_alertmanager_starts_with_clustering_off() -> None:
    config = {"route": {"receiver": "null"}, "receivers": [{"name": "null"}]}
    with AlertmanagerServer(config) as am, urllib.request.urlopen(f"{am.url}/api/v2/status", timeout=5) as r:
        assert r.status == 200


def test_failed_promtool_reports_its_output(tmp_path) -> None:
    bad = tmp_path / "bad.rules.yaml"
    bad.write_text("groups:\n- name: x\n  rules:\n  - record: a\n    expr: sum(\n")
    with pytest.raises(promrun.ServerError, match="check rules"):
        promrun.promtool("check", "rules", str(bad))
