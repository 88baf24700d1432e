"""The 1,000-SLO set the generators are measured and checked on (benchmarks/rules.py, tests)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sre_cli.slospec.load import load_or_raise
from sre_cli.slospec.model import SpecSet
from sre_cli.slospec.resolve import resolve

REPO = Path(__file__).resolve().parents[2]


def thousand_slos(root: Path, n: int = 1000) -> SpecSet:
    """1,000 (or n) SLOs cloned from the stack's five, rooted in an empty directory (no hand-written
    runbook parts, which name the original SLOs)."""
    specs = load_or_raise([REPO / "slo"])
    base = specs.slos
    slos = []
    for i in range(n):
        template = base[i % len(base)]
        meta = template.document.metadata.model_copy(update={"name": f"{template.name}-{i}", "service": f"svc{i % 50}"})
        document = template.document.model_copy(update={"metadata": meta})
        slos.append(resolve(document, specs.defaults, template.file, template.line))
    return dataclasses.replace(specs, slos=slos, root=root)
