"""The runbooks target of `sre generate`: only generated pages, never the hand-written inputs."""

from __future__ import annotations

from sre_cli.generate import Target
from sre_cli.runbooks.render import RUNBOOK_GLOB, render

# runbooks/*.md does not reach runbooks/_hand/ or runbooks/incidents/: those are inputs.
TARGET = Target("runbooks", (RUNBOOK_GLOB,), render)
