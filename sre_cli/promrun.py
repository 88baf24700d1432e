"""Run the real Prometheus tools locally: promtool, a Prometheus server, an Alertmanager.

Used by the demo (`--keep` runs an Alertmanager too), the end-to-end tests and the benchmarks.
Servers bind 127.0.0.1 on a free port, keep their data in a directory the caller owns (or a
temporary one) and are always stopped on exit from the context manager.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

INSTALL_HINT = {
    "prometheus": "apt-get install -y prometheus",
    "promtool": "apt-get install -y prometheus",
    "alertmanager": "apt-get install -y prometheus-alertmanager",
    "amtool": "apt-get install -y prometheus-alertmanager",
}

# Backfilled history must not be cut by the default 15d retention, and one block per month
# keeps `create-blocks-from` fast (2h blocks make it take minutes).
LONG_RETENTION = "3650d"
MAX_BLOCK_DURATION = "768h"


class MissingBinary(RuntimeError):
    def __init__(self, name: str):
        hint = INSTALL_HINT.get(name, f"install {name}")
        super().__init__(f"`{name}` not found on PATH; on Debian/Ubuntu run: {hint}")
        self.name = name


class ServerError(RuntimeError):
    pass


# Debian ships Alertmanager as `prometheus-alertmanager`; upstream tarballs call it `alertmanager`.
_ALIASES = {"alertmanager": ("alertmanager", "prometheus-alertmanager")}


def find_binary(name: str) -> str:
    path = next((p for alias in _ALIASES.get(name, (name,)) if (p := shutil.which(alias))), None)
    if path is None:
        raise MissingBinary(name)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def promtool(*args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run promtool; with check=True a non-zero exit raises ServerError carrying its output."""
    proc = subprocess.run(
        [find_binary("promtool"), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        raise ServerError(f"promtool {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc


def backfill_openmetrics(source: str | Path, data_dir: Path) -> None:
    """Write OpenMetrics history (text ending in `# EOF`, or a file) as TSDB blocks into data_dir."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if isinstance(source, Path):
        promtool(
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            f"--max-block-duration={MAX_BLOCK_DURATION}",
            str(source),
            str(data_dir),
        )
        return
    with tempfile.NamedTemporaryFile("w", suffix=".om", delete=False) as fh:
        fh.write(source if source.endswith("# EOF\n") else source.rstrip("\n") + "\n# EOF\n")
        path = Path(fh.name)
    try:
        backfill_openmetrics(path, data_dir)
    finally:
        path.unlink(missing_ok=True)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"{url} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise ServerError(f"{url} not ready after {timeout:.0f}s:\n{log.read_text(errors='replace')[-3000:]}")


class LocalServer:
    """A server process on 127.0.0.1 and a free port; subclasses give its command line."""

    binary = ""

    def __init__(self, data_dir: Path | None, startup_timeout: float) -> None:
        self._own_dir = data_dir is None
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"sre-{self.binary}-")) if data_dir is None else data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.startup_timeout = startup_timeout
        self.log_path = self.data_dir.parent / f".{self.data_dir.name}.{self.binary}.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def _command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> LocalServer:
        cmd = self._command()
        self._log = self.log_path.open("wb")
        self._proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            _wait_ready(self.url, self._proc, self.log_path, self.startup_timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self.log_path.unlink(missing_ok=True)
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class PrometheusServer(LocalServer):
    """A real Prometheus on 127.0.0.1.

    rule_files are loaded as given; scrape_configs are Prometheus scrape_config dicts;
    alertmanager_urls are "127.0.0.1:PORT" targets. The config file lives in the data dir.
    """

    binary = "prometheus"

    def __init__(
        self,
        rule_files: Iterable[Path] = (),
        data_dir: Path | None = None,
        *,
        scrape_configs: Sequence[dict[str, Any]] = (),
        alertmanager_urls: Sequence[str] = (),
        evaluation_interval: str = "1m",
        scrape_interval: str = "1m",
        retention: str = LONG_RETENTION,
        extra_args: Sequence[str] = (),
        startup_timeout: float = 60,
    ) -> None:
        super().__init__(data_dir, startup_timeout)
        self.rule_files = [Path(p).resolve() for p in rule_files]
        self.scrape_configs = list(scrape_configs)
        self.alertmanager_urls = list(alertmanager_urls)
        self.evaluation_interval = evaluation_interval
        self.scrape_interval = scrape_interval
        self.retention = retention
        self.extra_args = list(extra_args)

    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {
            "global": {"evaluation_interval": self.evaluation_interval, "scrape_interval": self.scrape_interval},
            "rule_files": [str(p) for p in self.rule_files],
            "scrape_configs": self.scrape_configs,
        }
        if self.alertmanager_urls:
            cfg["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": self.alertmanager_urls}]}]}
        return cfg

    def _command(self) -> list[str]:
        binary = find_binary("prometheus")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config_path = self.data_dir / "prometheus.yml"
        config_path.write_text(yaml.safe_dump(self.config(), sort_keys=False))
        return [
            binary,
            f"--config.file={config_path}",
            f"--storage.tsdb.path={self.data_dir}",
            f"--storage.tsdb.retention.time={self.retention}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--web.enable-lifecycle",
            *self.extra_args,
        ]


class AlertmanagerServer(LocalServer):
    """A real Alertmanager on 127.0.0.1 with clustering off (`sre demo --keep` and the end-to-end tests)."""

    binary = "alertmanager"

    def __init__(self, config: dict[str, Any] | Path, data_dir: Path | None = None, startup_timeout: float = 30):
        super().__init__(data_dir, startup_timeout)
        self.config = config

    def _command(self) -> list[str]:
        binary = find_binary("alertmanager")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if isinstance(self.config, Path):
            config_path = self.config.resolve()
        else:
            config_path = self.data_dir / "alertmanager.yml"
            config_path.write_text(yaml.safe_dump(self.config, sort_keys=False))
        return [
            binary,
            f"--config.file={config_path}",
            f"--storage.path={self.data_dir}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--cluster.listen-address=",
        ]
