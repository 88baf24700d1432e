"""A real Alertmanager on 127.0.0.1 for the end-to-end tests (the package itself never runs one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sre_cli.promrun import LocalServer, find_binary


class AlertmanagerServer(LocalServer):
    """A real Alertmanager on 127.0.0.1 with clustering off."""

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
