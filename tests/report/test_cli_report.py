"""`sre slo report` end to end: formats, exit codes, --fail-on gates, faults, auth."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.promrun import free_port

from .conftest import REPO, History

SPECS = str(REPO / "slo")


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(cli, ["slo", "report", "--specs", SPECS, *args], env=env)
    # Every outcome is a deliberate exit, never an escaped exception with a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    return result


# ---- a fake Prometheus for faults and auth ------------------------------------------------


class FakePrometheus:
    """Answers /api/v1/query as told: mode = ok-empty | http500 | status-error | sleep | not-json."""

    def __init__(self) -> None:
        self.mode = "ok-empty"
        self.headers: list[dict[str, str]] = []
        self.hits = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.hits += 1
                fake.headers.append(dict(self.headers))
                if fake.mode == "sleep":
                    time.sleep(2)
                    return self._send(200, {"status": "success", "data": {"resultType": "vector", "result": []}})
                if fake.mode == "http500":
                    return self._send(500, {"status": "error", "errorType": "internal", "error": "disk on fire"})
                if fake.mode == "status-error":
                    return self._send(200, {"status": "error", "errorType": "execution", "error": "query timed out"})
                if fake.mode == "not-json":
                    body = b"<html>login</html>"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return None
                return self._send(200, {"status": "success", "data": {"resultType": "vector", "result": []}})

            def _send(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakePrometheus:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakePrometheus]:
    with FakePrometheus() as f:
        yield f


# ---- faults ---------------------------------------------------------------------------------


def test_prometheus_down_exits_3_naming_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    r = run("--prometheus-url", url, "--retries", "0")
    assert r.exit_code == 3
    assert url in r.stderr and "cannot connect" in r.stderr
    assert r.stdout == ""


def test_slow_prometheus_times_out_with_exit_3(fake: FakePrometheus) -> None:
    fake.mode = "sleep"
    r = run("--prometheus-url", fake.url, "--timeout", "0.3", "--retries", "0")
    assert r.exit_code == 3
    assert fake.url in r.stderr and "no answer within 0.3s" in r.stderr


def test_http_500_exits_3_with_the_api_error(fake: FakePrometheus) -> None:
    fake.mode = "http500"
    r = run("--prometheus-url", fake.url, "--retries", "1")
    assert r.exit_code == 3
    assert "HTTP 500" in r.stderr and "disk on fire" in r.stderr and fake.url in r.stderr


def test_status_error_json_exits_3(fake: FakePrometheus) -> None:
    fake.mode = "status-error"
    r = run("--prometheus-url", fake.url)
    assert r.exit_code == 3
    assert "query timed out" in r.stderr and fake.url in r.stderr


def test_not_a_prometheus_api_exits_3(fake: FakePrometheus) -> None:
    fake.mode = "not-json"
    r = run("--prometheus-url", fake.url)
    assert r.exit_code == 3
    assert "not a Prometheus query API" in r.stderr


def test_empty_results_are_no_data_exit_0_unless_fail_on(fake: FakePrometheus) -> None:
    r = run("--prometheus-url", fake.url, "--format", "json")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert {s["status"] for s in doc["slos"]} == {"no_data"}
    assert all(s["sli"] is None and s["events"]["total"] is None for s in doc["slos"])
    assert run("--prometheus-url", fake.url, "--fail-on", "breach").exit_code == 0


@pytest.mark.e2e
def test_spec_whose_metric_does_not_exist_is_no_data(history: History, tmp_path: Path) -> None:
    spec = (REPO / "slo" / "db.yaml").read_text().replace("db_client_operations_total", "db_client_opertions_total")
    (tmp_path / "slo").mkdir()
    (tmp_path / "slo" / "db.yaml").write_text(spec)
    (tmp_path / "slo" / "defaults.yaml").write_text((REPO / "slo" / "defaults.yaml").read_text())
    result = CliRunner().invoke(
        cli,
        [
            "slo",
            "report",
            "--specs",
            str(tmp_path / "slo"),
            "--prometheus-url",
            history.url,
            "--at",
            str(history.data.end),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    s = json.loads(result.stdout)["slos"][0]
    assert s["status"] == "no_data" and s["coverage"]["share"] == 0.0
    assert any("check that the source series exist" in w for w in s["warnings"])


# ---- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "yesterday"], "neither RFC 3339"),
        (["--at", "2999-01-01T00:00:00Z"], "in the future"),
        (["--at", "2024-01-01T00:00:00"], "no time zone"),
        (["--slo", "nope"], "unknown SLO nope"),
        (["--prometheus-url", "localhost:9090"], "expected http(s)://"),
        (["--backend", "cloudwatch"], "needs --region"),
        (["--output", "/nonexistent-dir/x.json"], "does not exist"),
        (["--token-file", "/nonexistent-token"], "--token-file"),
    ],
)
def test_bad_input_exits_2(args: list[str], message: str) -> None:
    r = run(*args, env={"AWS_REGION": "", "SRE_PROMETHEUS_TOKEN": ""})
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert r.stdout == ""


def test_mistyped_spec_path_exits_2() -> None:
    r = CliRunner().invoke(cli, ["slo", "report", "--specs", "/nonexistent/slo"])
    assert r.exit_code == 2
    assert "no such file or directory" in r.stderr


# ---- formats and gates on the real history ----------------------------------------------------


@pytest.mark.e2e
def test_json_schema(history: History) -> None:
    r = run("--prometheus-url", history.url, "--at", str(history.data.end), "--format", "json")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["at"] == "2023-11-14T22:00:00Z" and doc["backend"] == "prometheus"
    names = [s["name"] for s in doc["slos"]]
    assert names == ["api-availability", "api-latency", "batch-queue-age", "db-errors", "sfn-success"]
    required = {"name", "service", "objective", "window", "sli", "events", "error_budget", "burn_rates"}
    required |= {"alerts", "status", "exhaustion_at", "coverage"}
    for s in doc["slos"]:
        assert required <= set(s)
        assert set(s["events"]) >= {"good", "total"}
        assert set(s["error_budget"]) == {"allowed", "consumed", "remaining"}
        windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
        outage_pair = s["name"] in ("api-latency", "batch-queue-age", "sfn-success")  # 5m/1m pages
        assert list(s["burn_rates"]) == (["1m", *windows] if outage_pair else windows)
        for a in s["alerts"]:
            assert {"severity", "long_window", "short_window", "factor", "firing"} <= set(a)
        assert s["status"] in {"ok", "partial", "no_data", "at_risk", "alerting", "breached"}
        assert set(s["exhaustion_at"]) == {"1h", "6h"}
        assert 0 < s["objective"] < 1
        assert s["error_budget"]["consumed"] + s["error_budget"]["remaining"] == pytest.approx(1)
    avail = doc["slos"][0]
    assert avail["status"] == "breached" and avail["error_budget"]["remaining"] < 0
    assert avail["exhaustion_at"] == {"1h": doc["at"], "6h": doc["at"]}  # already exhausted


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("gate", "slos", "code"),
    [
        ("breach", ["api-availability"], 1),
        ("breach", ["db-errors", "api-latency"], 0),
        ("exhausted", ["api-availability"], 1),
        ("exhausted", ["sfn-success"], 0),
        ("page", ["api-availability"], 1),
        ("page", ["db-errors"], 0),
    ],
)
def test_fail_on_gates(history: History, gate: str, slos: list[str], code: int) -> None:
    at = str(history.data.end - 1800)
    args = ["--prometheus-url", history.url, "--at", at, "--fail-on", gate, "--format", "json"]
    for name in slos:
        args += ["--slo", name]
    r = run(*args)
    assert r.exit_code == code, r.stderr
    assert json.loads(r.stdout)["slos"]  # the report is printed either way
    if code:
        assert f"--fail-on {gate}: {slos[0]}" in r.stderr


@pytest.mark.e2e
def test_table_and_markdown(history: History, tmp_path: Path) -> None:
    r = run("--prometheus-url", history.url, "--at", str(history.data.end - 1800))
    assert r.exit_code == 0
    assert "api-availability" in r.stdout and "breached" in r.stdout
    assert "data covers only 29d23h30m" in r.stdout  # the window is longer than the data
    out = tmp_path / "report.md"
    r = run(
        "--prometheus-url", history.url, "--at", str(history.data.end), "--format", "markdown", "--output", str(out)
    )
    assert r.exit_code == 0 and r.stdout == ""
    text = out.read_text()
    assert text.startswith("### SLO report at 2023-11-14T22:00:00Z")
    assert "| `api-availability` (30d) | 🔴 breached |" in text
    assert text.count("\n| `") == 5


# ---- auth -------------------------------------------------------------------------------------


def test_bearer_token_from_env_and_file(fake: FakePrometheus, tmp_path: Path) -> None:
    run("--prometheus-url", fake.url, env={"SRE_PROMETHEUS_TOKEN": "s3cret"})
    assert fake.headers[-1]["Authorization"] == "Bearer s3cret"
    token = tmp_path / "token"
    token.write_text("from-file\n")
    run("--prometheus-url", fake.url, "--token-file", str(token), env={"SRE_PROMETHEUS_TOKEN": ""})
    assert fake.headers[-1]["Authorization"] == "Bearer from-file"


def test_basic_auth_from_env(fake: FakePrometheus) -> None:
    import base64

    run("--prometheus-url", fake.url, env={"SRE_PROMETHEUS_USER": "u", "SRE_PROMETHEUS_PASSWORD": "p"})
    assert fake.headers[-1]["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()


def test_sigv4_signs_with_boto3_credentials(fake: FakePrometheus) -> None:
    env = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x", "AWS_SESSION_TOKEN": "tok"}
    r = run("--prometheus-url", fake.url, "--sigv4-region", "eu-west-1", env=env)
    assert r.exit_code == 0, r.stderr
    auth = fake.headers[-1]["Authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-1/aps/aws4_request" in auth
    assert fake.headers[-1]["X-Amz-Security-Token"] == "tok"


def test_two_auth_methods_are_refused(fake: FakePrometheus) -> None:
    r = run("--prometheus-url", fake.url, env={"SRE_PROMETHEUS_TOKEN": "a", "SRE_PROMETHEUS_USER": "u"})
    assert r.exit_code == 2 and "choose one way to authenticate" in r.stderr
