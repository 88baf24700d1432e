"""End to end: real Prometheus scrapes failing traffic, evaluates the generated rules, and the real
Alertmanager (generated config) delivers the page with its runbook link to a local receiver.

The only changes to generated files, both documented: `override_for(doc, "0s")` (tests/support) so
the page does not wait the spec's 2m, and the Alertmanager receivers' endpoints and secret files point at
this test's local receiver and temp files instead of PagerDuty and /etc/alertmanager/secrets.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from sre_cli import promrun
from sre_cli.promrun import AlertmanagerServer
from sre_cli.slospec.model import SpecSet
from sre_cli.targets.prometheus import alertmanager, rules
from tests.support.repo_specs import shared_repo_specs
from tests.support.rule_files import override_for

RUNBOOK = "https://github.com/acme/sre/blob/main/runbooks/api-availability.md#page"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("prometheus") is None or shutil.which("prometheus-alertmanager") is None,
        reason="prometheus / alertmanager not installed",
    ),
]


class _FailingApi(BaseHTTPRequestHandler):
    """/metrics of an API answering 100 requests a second, every one a 5xx."""

    started = time.monotonic()

    def do_GET(self) -> None:
        n = int((time.monotonic() - self.started) * 100)
        body = (
            "# TYPE http_requests_total counter\n"
            f'http_requests_total{{handler="/v1/items",method="GET",status="5xx"}} {n}\n'
            f'http_requests_total{{handler="/v1/items",method="GET",status="2xx"}} 0\n'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _receiver(received: list[tuple[str, dict[str, Any]]]) -> type[BaseHTTPRequestHandler]:
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.path, data))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Receiver


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _local_alertmanager_config(receiver_url: str, secrets: Path) -> dict[str, Any]:
    cfg = alertmanager.config(shared_repo_specs())
    for receiver in cfg["receivers"]:
        for pd in receiver.get("pagerduty_configs", []):
            pd["url"] = f"{receiver_url}/pagerduty"
            pd["routing_key_file"] = str(secrets / Path(pd["routing_key_file"]).name)
        for hook in receiver.get("webhook_configs", []):
            hook["url"] = f"{receiver_url}/ticket"
            auth = hook["http_config"]["authorization"]
            auth["credentials_file"] = str(secrets / Path(auth["credentials_file"]).name)
    return cfg


def test_failing_traffic_pages_with_runbook_url(tmp_path: Path, repo_specs: SpecSet) -> None:
    specs = repo_specs
    doc = yaml.safe_load(rules.render(specs)[rules.rule_file_path("api")])
    rule_file = tmp_path / "api.rules.yaml"
    rule_file.write_text(yaml.safe_dump(override_for(doc, "0s")))
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "pager-routing-key").write_text("test-routing-key")
    (secrets / "ticket-token").write_text("test-token")

    received: list[tuple[str, dict[str, Any]]] = []
    api, sink = _serve(_FailingApi), _serve(_receiver(received))
    sink_url = f"http://127.0.0.1:{sink.server_address[1]}"
    try:
        with AlertmanagerServer(_local_alertmanager_config(sink_url, secrets), tmp_path / "am") as am:
            scrape = {"job_name": "api", "static_configs": [{"targets": [f"127.0.0.1:{api.server_address[1]}"]}]}
            with promrun.PrometheusServer(
                [rule_file],
                tmp_path / "prom",
                scrape_configs=[scrape],
                alertmanager_urls=[f"127.0.0.1:{am.port}"],
                evaluation_interval="1s",
                scrape_interval="1s",
            ):
                start = time.monotonic()
                page = None
                while page is None and time.monotonic() - start < 110:
                    page = next((d for p, d in received if p == "/pagerduty" and d["event_action"] == "trigger"), None)
                    time.sleep(0.5)
    finally:
        api.shutdown()
        sink.shutdown()
    assert page is not None, f"no page within 110 s; received: {received}"
    assert page["routing_key"] == "test-routing-key"
    assert {"href": RUNBOOK, "text": "runbook"} in page["links"]
    assert page["payload"]["summary"].startswith("api-availability: error budget burning ")
