"""`sre slo report` on cached specs: the same report as a full load, without pydantic or boto3."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, History

# Imported only where they are needed, never by a Prometheus report on cached specs.
NOT_ON_THE_REPORT_PATH = ("pydantic", "boto3", "botocore", "yaml", "jinja2", "rich", "grafana_foundation_sdk")


def report(specs: Path, history: History, *flags: str, env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """The JSON report (whole CLI, its own process) and which of NOT_ON_THE_REPORT_PATH it imported."""
    code = (
        "import json, sys\n"
        "from sre_cli.cli import cli\n"
        "try:\n"
        "    cli(sys.argv[1:])\n"
        "finally:\n"
        f"    print(json.dumps(sorted(m for m in {NOT_ON_THE_REPORT_PATH!r} if m in sys.modules)), file=sys.stderr)\n"
    )
    args = ["slo", "report", "--specs", str(specs), "--prometheus-url", history.url]
    args += ["--at", str(history.data.end), "--format", "json", *flags]
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env or os.environ, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


@pytest.mark.e2e
def test_warm_cold_and_uncached_reports_are_the_same(history: History, tmp_path: Path) -> None:
    specs = shutil.copytree(REPO / "slo", tmp_path / "slo")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    cold, cold_imports = report(specs, history, env=env)
    warm, warm_imports = report(specs, history, env=env)
    uncached, uncached_imports = report(specs, history, "--no-cache", env=env)
    no_cache_env, _ = report(specs, history, env={**env, "SRE_NO_CACHE": "1"})
    assert warm == cold == uncached == no_cache_env
    assert '"slos"' in warm
    # A full load validates with pydantic; the warm run reads the cache and imports none of them.
    assert "pydantic" in cold_imports and "pydantic" in uncached_imports
    assert warm_imports == []
