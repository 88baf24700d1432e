"""Sloth-shaped Prometheus rules for one of our SLOs, for the rule-evaluation benchmark.

Shape copied from what Sloth itself generates, read from slok/sloth
`examples/_gen/getting-started.yml` (commit 886f97a25b61ed9917f761e4db6d4abaddde27b7, the
`sloth generate` output of its getting-started example). Per SLO, three groups:

- `sloth-slo-sli-recordings-<id>`: `slo:sli_error:ratio_rate<W>` for every alert window W
  (5m, 30m, 1h, 2h, 6h, 1d, 3d), each computed from the RAW series:
  `(sum(rate(<errors>[W]))) / (sum(rate(<total>[W])))`; and the period ratio
  `slo:sli_error:ratio_rate30d = sum_over_time(slo:sli_error:ratio_rate5m{...}[30d])
  / ignoring (sloth_window) count_over_time(slo:sli_error:ratio_rate5m{...}[30d])`
  (an average of 5m ratios, labelled only `sloth_window: 30d`); or, in Sloth's exact mode
  (`--disable-optimized-rules`, `exact=True` here), from the raw series like the other windows;
- `sloth-slo-meta-recordings-<id>`: objective, error budget, time period, current and period burn
  rate, period budget remaining, `sloth_slo_info`;
- `sloth-slo-alerts-<id>`: one alert per severity, the two window pairs of the tier OR'ed
  (`... and ignoring (sloth_window) ...`), no `for`.

Labels: `sloth_id` = `<service>-<slo>`, `sloth_service`, `sloth_slo`, `sloth_window` on SLI rules,
plus the SLO's own labels, as Sloth adds the spec's labels.
"""

from __future__ import annotations

from typing import Any

from sre_cli.slomath import format_duration
from sre_cli.slospec.model import Slo

Group = dict[str, Any]


def _number(value: float) -> str:
    rounded = round(value, 12)
    return str(int(rounded)) if rounded.is_integer() else repr(rounded)


def _selector(ids: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in ids.items()) + "}"


def rule_groups(slo: Slo, errors: str, total: str, exact: bool = False) -> list[Group]:
    """Sloth's three groups for `slo`; `errors` and `total` are the raw series selectors a Sloth
    user would put in `errorQuery` / `totalQuery` (wrapped here in `sum(rate(...[W]))` as in the
    examples). `exact`: Sloth's disableOptimized period ratio, read from the raw series."""
    sloth_id = f"{slo.service}-{slo.name}"
    ids = {"sloth_id": sloth_id, "sloth_service": slo.service, "sloth_slo": slo.name}
    base = {**slo.labels, **ids}
    sel = _selector(ids)
    period = format_duration(slo.window_seconds)
    windows = sorted({w for tier in slo.tiers for pair in tier.windows for w in (pair.long, pair.short)})

    def raw_ratio(window: int) -> str:
        rng = format_duration(window)
        return f"(sum(rate({errors}[{rng}])))\n/\n(sum(rate({total}[{rng}])))\n"

    sli = [
        {
            "record": f"slo:sli_error:ratio_rate{format_duration(w)}",
            "expr": raw_ratio(w),
            "labels": {**base, "sloth_window": format_duration(w)},
        }
        for w in windows
    ]
    if exact:
        sli.append(
            {
                "record": f"slo:sli_error:ratio_rate{period}",
                "expr": raw_ratio(slo.window_seconds),
                "labels": {**base, "sloth_window": period},
            }
        )
    else:
        sli.append(
            {
                "record": f"slo:sli_error:ratio_rate{period}",
                "expr": f"sum_over_time(slo:sli_error:ratio_rate5m{sel}[{period}])\n"
                f"/ ignoring (sloth_window)\n"
                f"count_over_time(slo:sli_error:ratio_rate5m{sel}[{period}])\n",
                "labels": {"sloth_window": period},
            }
        )

    budget = 1 - slo.objective
    meta = [
        {"record": "slo:objective:ratio", "expr": f"vector({_number(slo.objective)})", "labels": base},
        {"record": "slo:error_budget:ratio", "expr": f"vector(1-{_number(slo.objective)})", "labels": base},
        {"record": "slo:time_period:days", "expr": f"vector({slo.window_seconds // 86400})", "labels": base},
        {
            "record": "slo:current_burn_rate:ratio",
            "expr": f"slo:sli_error:ratio_rate5m{sel}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
            f"slo:error_budget:ratio{sel}\n",
            "labels": base,
        },
        {
            "record": "slo:period_burn_rate:ratio",
            "expr": f"slo:sli_error:ratio_rate{period}{sel}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
            f"slo:error_budget:ratio{sel}\n",
            "labels": base,
        },
        {
            "record": "slo:period_error_budget_remaining:ratio",
            "expr": f"1 - slo:period_burn_rate:ratio{sel}",
            "labels": base,
        },
        {
            "record": "sloth_slo_info",
            "expr": "vector(1)",
            "labels": {**base, "sloth_mode": "cli-gen-prom", "sloth_objective": _number(slo.objective * 100)},
        },
    ]

    def pair(long: int, short: int, factor: float) -> str:
        threshold = f"({_number(factor)} * {_number(budget)})"
        return (
            f"(slo:sli_error:ratio_rate{format_duration(short)}{sel} > {threshold})\n"
            f"and ignoring (sloth_window)\n"
            f"(slo:sli_error:ratio_rate{format_duration(long)}{sel} > {threshold})"
        )

    alerts = [
        {
            "alert": f"SlothErrorBudgetBurn{tier.name.capitalize()}",
            "expr": "\nor ignoring (sloth_window)\n".join(
                f"(\n{pair(w.long, w.short, w.factor(slo.window_seconds))}\n)" for w in tier.windows
            ),
            "labels": {"sloth_severity": tier.name, "severity": tier.name},
            "annotations": {
                "summary": f"{slo.name} error budget burn",
                "title": f"({tier.name}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}} "
                "SLO error budget burn rate is too fast.",
            },
        }
        for tier in slo.tiers
    ]
    return [
        {"name": f"sloth-slo-sli-recordings-{sloth_id}", "rules": sli},
        {"name": f"sloth-slo-meta-recordings-{sloth_id}", "rules": meta},
        {"name": f"sloth-slo-alerts-{sloth_id}", "rules": alerts},
    ]
