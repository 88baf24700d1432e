"""Which of `sre generate`'s speed-ups pay: each one's time with and without it, on 1,000 SLOs.

The spec set is benchmarks/rules.py's (1,000 SLOs cloned from the repository's five, 50 services).
Every figure is the fastest of --repeat runs, with and without taken alternately (the shared VM's
speed drifts from one minute to the next), the cyclic GC paused as `sre generate` pauses it. Serial
renders are timed in CPU seconds of this process, which other load on the machine disturbs far
less than wall-clock time; the second process can only be judged by wall-clock time. A
speed-up's share is its saving over the time of every target without it. Results and decisions:
benchmarks/README.md. Prints figures, asserts nothing.

Run: .venv/bin/python benchmarks/generate.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sre_cli import generate
from sre_cli.commands.generate import cyclic_gc_paused
from sre_cli.slospec.model import SpecSet
from sre_cli.targets import jsontext, yamltext

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rules import thousand_slos  # sibling script, not a package


def _seconds(run: Callable[[], object], clock: Callable[[], float] = time.process_time) -> float:
    start = clock()
    run()
    return clock() - start


def _render(specs: SpecSet) -> dict[str, float]:
    """Seconds per target, rendered one after the other in one process."""
    seconds: dict[str, float] = {}
    with cyclic_gc_paused():
        for target in generate.targets():
            seconds[target.name] = _seconds(lambda target=target: target.render(specs))
    return seconds


def _render_all(specs: SpecSet) -> None:
    with cyclic_gc_paused():
        generate.render_all(specs)


@contextlib.contextmanager
def _patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, original)


def _json(value: Any, default: Any = None) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=default)


def _serial() -> contextlib.AbstractContextManager[None]:
    return _patched(generate, "_can_fork", lambda: False)


# name, how to switch it off
SPEED_UPS: list[tuple[str, Callable[[], contextlib.AbstractContextManager[None]]]] = [
    (
        "yamltext (rule files and manifests by hand, not PyYAML's representer)",
        lambda: _patched(yamltext, "dump", yamltext.pyyaml_dump),
    ),
    ("jsontext (Grafana JSON, not json.dumps(indent=2))", lambda: _patched(jsontext, "dumps", _json)),
    ("cyclic GC paused (sre_cli/commands/generate.py)", lambda: _patched(gc, "disable", lambda: None)),
]


def _alternately(
    run: Callable[[], object],
    switch_off: Callable[[], contextlib.AbstractContextManager[None]],
    repeat: int,
    clock: Callable[[], float] = time.process_time,
) -> tuple[float, float]:
    """The fastest of `repeat` runs with the speed-up and of as many without, taken in turns."""
    with_, without = float("inf"), float("inf")
    for _ in range(repeat):
        with_ = min(with_, _seconds(run, clock))
        with switch_off():
            without = min(without, _seconds(run, clock))
    return with_, without


def _row(name: str, with_: float, without: float) -> None:
    saved = without - with_
    print(f"{name:<60} {with_:>6.2f}s {without:>7.2f}s {saved:>6.2f}s {saved / without:>6.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the fastest counts (5)")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        specs: SpecSet = thousand_slos(Path(tmp))  # type: ignore[assignment]
        _render(specs)  # warm caches: botocore model, templates, compiled predicates
        runs = [_render(specs) for _ in range(args.repeat)]
        per_target = {name: min(run[name] for run in runs) for name in runs[0]}
        serial = sum(per_target.values())
        print("serial render per target (CPU s): " + ", ".join(f"{k} {v:.3f}" for k, v in per_target.items()))
        print(f"serial render, all targets: {serial:.2f} CPU s")
        print(f"\n{'all targets, serial, CPU time:':<60} {'with':>7} {'without':>8} {'saves':>7} {'share':>6}")
        for name, switch_off in SPEED_UPS:
            with_, without = _alternately(lambda: sum(_render(specs).values()), switch_off, args.repeat)
            _row(name, with_, without)
        with_, without = _alternately(lambda: _render_all(specs), _serial, args.repeat, time.perf_counter)
        _row("second process for cloudwatch-alarms (wall-clock time)", with_, without)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
