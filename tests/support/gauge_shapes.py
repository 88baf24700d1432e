"""Threshold gauges of every PromQL shape that can bind to an operator written around it.

Each generator embeds the spec's gauge into a longer query (`GAUGE <= bool V`, `(GAUGE)[1d:1m]`,
`max((GAUGE) > bool V)`), so each shape below is a way a gauge's own operators could capture that
query's operator or be captured by it: `or`/`and`/`unless` (looser than comparisons), comparisons
and `bool`, arithmetic, unary minus, offset and @, vector matching, subqueries, calls and
aggregations with `by`, and a gauge over several lines.

Every shape reads the series `x{queue="a"}` (a queue's oldest-job age: GOOD_AGE or BAD_AGE a
minute), some also `y{queue="a"}` (always 0) or `missing` (never written). Each is a threshold spec
(operator, value) whose slice is good exactly when x's sample is good, except `pinned`, which reads
x @ a bad minute and so has no good slice at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

X = 'x{queue="a"}'
Y = 'y{queue="a"}'
GOOD_AGE = 100.0
BAD_AGE = 1000.0


@dataclass(frozen=True)
class Shape:
    id: str
    gauge: str  # may hold `{bad_at}`: Unix seconds of a minute where x is bad
    operator: str
    value: float
    follows_x: bool = True  # a slice is good when x's is; otherwise no slice is good

    def expression(self, bad_at: float) -> str:
        return self.gauge.replace("{bad_at}", f"{bad_at:.3f}")

    def good_share(self, x_good_share: float) -> float:
        return x_good_share if self.follows_x else 0.0


SHAPES = [
    Shape("or-vector", f"max({X}) or vector(0)", "<=", 900),
    Shape("or-on", f"sum by (queue) ({X}) or on() vector(0)", "<=", 900),
    Shape("and", f"max({X}) and max({Y})", "<=", 900),
    Shape("unless", f"max({X}) unless max(missing)", "<=", 900),
    Shape("comparison-filter", f"max({X}) > 0", "<=", 900),
    Shape("comparison-and", f"max({X}) >= 0 and max({Y}) == 0", "<", 900),
    Shape("bool", f"max({X}) > bool 900", "<", 0.5),
    Shape("arithmetic", f"max({X}) * 2 - 100", "<=", 900),
    Shape("division-modulo", f"max({X}) / 10 % 1000", "<=", 90),
    Shape("power", f"max({X}) ^ 0.5", "<", 30),
    Shape("unary-minus", f"-max({X})", ">=", -900),
    Shape("offset", f"max({X} offset 1m)", "<=", 900),
    Shape("pinned", f"max({X} @ {{bad_at}})", "<=", 900, follows_x=False),
    Shape("on-group-left", f"max by (queue) ({X}) + on(queue) group_left max by (queue) ({Y})", "<=", 900),
    Shape("ignoring", f"max by (queue) ({X}) - ignoring(queue) max({Y})", "<=", 900),
    Shape("subquery", f"max_over_time(max({X})[59s:1m])", "<=", 900),
    Shape("call", f'label_replace(clamp_max(max({X}), 950), "k", "v", "", "")', "<=", 900),
    Shape("aggregation-by", f"max by (queue) ({X})", "<=", 900),
    Shape("multi-line", f"max({X})\n  or\nvector(0)", "<=", 900),
]


def threshold_spec(
    name: str, shape: Shape, bad_at: float, *, objective: float = 99, window: str = "1d", service: str = "queue"
) -> str:
    """A whole spec file of one threshold SLO on `shape`; the gauge as a JSON (YAML) string."""
    return (
        "apiVersion: sre.dev/v1\nkind: SLO\n"
        f"metadata: {{name: {name}, service: {service}}}\n"
        "spec:\n"
        f"  description: queue age ({shape.id})\n"
        f"  objective: {objective}\n"
        f"  window: {window}\n"
        "  indicator:\n"
        "    threshold:\n"
        "      slice: 1m\n"
        f'      operator: "{shape.operator}"\n'
        f"      value: {shape.value}\n"
        "      prometheus:\n"
        f"        gauge: {json.dumps(shape.expression(bad_at))}\n"
        "  alerting:\n"
        "    ticket:\n"
        "      windows: [{long: 1d, short: 2h, budgetPercent: 10}]\n"
    )
