"""The Prometheus rules Sloth generates for a Sloth `prometheus/v1` spec, to hold sre's next to them.

Used by the import comparison (tests/interop/test_sloth_promtool.py: does an imported Sloth SLO
alert when Sloth's own rules would?) and the rule-evaluation benchmark (benchmarks/rules.py).
Written here from what Sloth documents and generates (slok/sloth: the prometheus/v1 spec, its
Google window files for 28d and 30d, and the output of its SLI, metadata and alert rule
plugins), not from its code. Per SLO, three groups:

- `sloth-slo-sli-recordings-<id>`: `slo:sli_error:ratio_rate<W>` for every alert window W
  (5m, 30m, 1h, 2h, 6h, 1d, 3d) = `(error_query)/(total_query)` with `{{.window}}` set to W,
  read from the RAW series; and the period ratio `slo:sli_error:ratio_rate<period>` =
  `sum_over_time(<5m ratio>[period]) / ignoring (sloth_window) count_over_time(<5m ratio>[period])`
  (an average of 5m ratios), or, with Sloth's `disableOptimized` (`optimized=False` here), the
  period ratio read from the raw series like the other windows. Labels: `sloth_id` = `<service>-<slo>`, `sloth_service`,
  `sloth_slo`, `sloth_window`, and the service's and the SLO's labels;
- `sloth-slo-meta-recordings-<id>`: objective, error budget, time period, current and period burn
  rate, period budget remaining, `sloth_slo_info`;
- `sloth-slo-alerts-<id>`: one alert per enabled tier, both named `alerting.name`, labelled
  `sloth_severity: page|ticket` plus `alerting.labels` under the tier's own; the tier's two
  window pairs OR'ed, each `ratio > factor * budget` over the short and the long window; no `for`.
"""

from __future__ import annotations

from typing import Any

from sre_cli.slomath import DAY, HOUR, MINUTE, format_duration, parse_duration

Group = dict[str, Any]
WINDOW = "{{.window}}"
# Sloth's window pairs (the SRE Workbook's) for its 28d and 30d periods: (long, short, % of budget).
WINDOW_PAIRS: dict[str, list[tuple[int, int, float]]] = {
    "page": [(HOUR, 5 * MINUTE, 2.0), (6 * HOUR, 30 * MINUTE, 5.0)],
    "ticket": [(DAY, 2 * HOUR, 10.0), (3 * DAY, 6 * HOUR, 10.0)],
}
SHORTEST = 5 * MINUTE  # the window the period ratio averages


def _number(value: float) -> str:
    rounded = round(value, 12)
    return str(int(rounded)) if rounded.is_integer() else repr(rounded)


def _selector(ids: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in ids.items()) + "}"


def _ratio(window: int, sel: str) -> str:
    return f"slo:sli_error:ratio_rate{format_duration(window)}{sel}"


def service_groups(spec: dict[str, Any], period: str = "30d") -> list[Group]:
    """Sloth's groups for every SLO of a `prometheus/v1` spec (its parsed YAML)."""
    return [g for slo in spec["slos"] for g in slo_groups(spec, slo, period)]


def slo_groups(spec: dict[str, Any], slo: dict[str, Any], period: str = "30d", optimized: bool = True) -> list[Group]:
    """Sloth's three groups for one SLO of `spec` (an events SLI); `optimized=False`: Sloth's
    `disableOptimized`, the period ratio from the raw series (exact, and the dearest)."""
    service = spec["service"]
    sloth_id = f"{service}-{slo['name']}"
    ids = {"sloth_id": sloth_id, "sloth_service": service, "sloth_slo": slo["name"]}
    base = {**ids, **(spec.get("labels") or {}), **(slo.get("labels") or {})}
    sel = _selector(ids)
    period_seconds = parse_duration(period)
    objective = slo["objective"] / 100
    budget = 1 - objective
    windows = sorted({w for pairs in WINDOW_PAIRS.values() for pair in pairs for w in pair[:2]})
    events = slo["sli"]["events"]

    def sli(window: int) -> str:
        text = format_duration(window)
        return f"({events['error_query'].replace(WINDOW, text)})\n/\n({events['total_query'].replace(WINDOW, text)})\n"

    sli_rules = [
        {
            "record": f"slo:sli_error:ratio_rate{format_duration(w)}",
            "expr": sli(w),
            "labels": {**base, "sloth_window": format_duration(w)},
        }
        for w in windows
    ]
    period_ratio = (
        f"sum_over_time({_ratio(SHORTEST, sel)}[{period}])\n/ ignoring (sloth_window)\n"
        f"count_over_time({_ratio(SHORTEST, sel)}[{period}])\n"
        if optimized
        else sli(period_seconds)
    )
    sli_rules.append(
        {
            "record": f"slo:sli_error:ratio_rate{period}",
            "expr": period_ratio,
            "labels": {**base, "sloth_window": period},
        }
    )
    burn = f"/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio{sel}\n"
    meta = [
        {"record": "slo:objective:ratio", "expr": f"vector({_number(objective)})", "labels": base},
        {"record": "slo:error_budget:ratio", "expr": f"vector(1-{_number(objective)})", "labels": base},
        {"record": "slo:time_period:days", "expr": f"vector({period_seconds // DAY})", "labels": base},
        {"record": "slo:current_burn_rate:ratio", "expr": f"{_ratio(SHORTEST, sel)}\n{burn}", "labels": base},
        {"record": "slo:period_burn_rate:ratio", "expr": f"{_ratio(period_seconds, sel)}\n{burn}", "labels": base},
        {
            "record": "slo:period_error_budget_remaining:ratio",
            "expr": f"1 - slo:period_burn_rate:ratio{sel}",
            "labels": base,
        },
        {
            "record": "sloth_slo_info",
            "expr": "vector(1)",
            "labels": {**base, "sloth_mode": "cli-gen-prom", "sloth_objective": _number(slo["objective"])},
        },
    ]

    def over(window: int, factor: float) -> str:
        return f"max({_ratio(window, sel)} > ({_number(factor)} * {_number(budget)})) without (sloth_window)"

    def pair(long: int, short: int, percent: float) -> str:
        factor = percent / 100 * period_seconds / long
        return f"(\n    {over(short, factor)}\n    and\n    {over(long, factor)}\n)"

    alerting = slo.get("alerting") or {}
    alerts = []
    for tier, key in (("page", "page_alert"), ("ticket", "ticket_alert")):
        meta_tier = alerting.get(key) or {}
        if meta_tier.get("disable"):
            continue
        alerts.append(
            {
                "alert": alerting["name"],
                "expr": "\nor\n".join(pair(*p) for p in WINDOW_PAIRS[tier]) + "\n",
                "labels": {
                    "sloth_severity": tier,
                    **(alerting.get("labels") or {}),
                    **(meta_tier.get("labels") or {}),
                },
                "annotations": {
                    "title": f"({tier}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}} "
                    "SLO error budget burn rate is too fast.",
                    "summary": "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate "
                    "is over expected.",
                    **(alerting.get("annotations") or {}),
                    **(meta_tier.get("annotations") or {}),
                },
            }
        )
    return [
        {"name": f"sloth-slo-sli-recordings-{sloth_id}", "rules": sli_rules},
        {"name": f"sloth-slo-meta-recordings-{sloth_id}", "rules": meta},
        {"name": f"sloth-slo-alerts-{sloth_id}", "rules": alerts},
    ]
