"""Benchmark: `sre generate` for 1,000 SLOs (every registered target, via generate.render_all).

Prints figures, asserts nothing (targets: < 3 s). The rule-evaluation comparison against
Sloth-shaped rules on 30 days of backfilled data is not implemented yet (see the report).
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

from sre_cli import generate
from sre_cli.spec import load_or_raise

ROOT = Path(__file__).resolve().parents[1]


def thousand_slos(root: Path) -> object:
    """1,000 SLOs cloned from the stack's five, rooted in an empty directory (no hand-written
    runbook parts, which name the original SLOs)."""
    specs = load_or_raise([ROOT / "slo"])
    base = specs.slos
    slos = []
    for i in range(1000):
        template = base[i % len(base)]
        meta = template.spec.metadata.model_copy(update={"name": f"{template.name}-{i}", "service": f"svc{i % 50}"})
        spec = template.spec.model_copy(update={"metadata": meta})
        slos.append(dataclasses.replace(template, spec=spec))
    return dataclasses.replace(specs, slos=slos, root=root)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run(thousand_slos(Path(tmp)))


def run(specs: object) -> None:
    start = time.perf_counter()
    outputs = generate.render_all(specs)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    size = sum(len(c) for c in outputs.values())
    print(f"generate, 1,000 SLOs, all targets: {elapsed:.2f} s ({len(outputs)} files, {size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
