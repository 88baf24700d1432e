"""Generated Prometheus rule files, adjusted for tests that cannot wait for the spec's `for`."""

from __future__ import annotations

import copy
from typing import Any

from sre_cli import slomath


def override_for(doc: dict[str, Any], for_: str) -> dict[str, Any]:
    """A copy of a rule-file document with every alert's `for` replaced.

    Generated files always carry the spec's `for`, and there is deliberately no CLI flag to shorten
    it, so committed rules cannot be generated with a shortened `for` by accident.
    """
    if for_ != "0s":
        slomath.parse_duration(for_)
    out = copy.deepcopy(doc)
    for group in out["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                rule["for"] = for_
    return out
