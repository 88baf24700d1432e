"""Table of tiny specs and the exact PromQL of the new Grafana panels `sre generate` must write.

Expected queries are written out by hand (windows in seconds, budgets, subquery ranges), never
computed with the package. Locators (keys of `Case.expect`):

- `<file> panel <title> <refId>`: the query of one panel target;  `<file> timeFrom <title>`: its range
- `<file> overview <refId>`: a column query of the overview table (`dashboards/grafana/slo-overview.json`)
- `<file> overview thresholds <column>`: the threshold steps (value, color) of an overview column
- `error`: part of what a failing `sre generate` prints (exit 2, nothing written)
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.spec_table import Case, Contains, Generated, generate_table, params

SERVICE = "dashboards/grafana/t.json"
OVERVIEW = "dashboards/grafana/slo-overview.json"

RATIO = """
          indicator:
            ratio:
              prometheus:
                good: ok_total{job="x"}
                total: all_total{job="x"}
"""


def _status(page: str | None, ticket: str | None) -> str:
    terms = []
    if page:
        terms.append(f'4 * group by (service, slo) (ALERTS{{alertstate="firing", slo!="", severity=~"{page}"}})')
    terms.append("3 * group by (service, slo) (slo:error_budget_remaining:ratio <= 0)")
    if ticket:
        terms.append(f'2 * group by (service, slo) (ALERTS{{alertstate="firing", slo!="", severity=~"{ticket}"}})')
    terms.append("1 * group by (service, slo) (slo:error_budget_remaining:ratio < 0.25)")
    terms.append("0 * group by (service, slo) (slo:objective:ratio)")
    return " or ".join(terms)


CASES = [
    Case(
        "burn-down-over-a-28d-window",
        """
        metadata: {name: a, service: t}
        spec:
          description: d
          objective: 99.9
          window: 28d
        """
        + RATIO,
        {
            f"{SERVICE} panel a: error budget burn-down over 28d A": (
                '1 - sum_over_time((slo:sli_error:ratio_rate1h{slo="a"} * slo:sli_events:count1h{slo="a"}'
                ' and on() (vector(time()) > scalar(timestamp(slo:objective:ratio{slo="a"} @ end())) - 2419200))'
                '[28d:1h]) / (slo:sli_events:count28d{slo="a"} @ end() * 0.001 > 0)'
            ),
            f"{SERVICE} panel a: error budget burn-down over 28d B": (
                '(timestamp(slo:objective:ratio{slo="a"} @ end()) - time()) / 2419200'
            ),
            f"{SERVICE} timeFrom a: error budget burn-down over 28d": "28d",
            f"{OVERVIEW} overview objective": "max by (service, slo) (slo:objective:ratio)",
            # The least per SLO: a grouped SLO's worst group (the budget series has no group labels).
            f"{OVERVIEW} overview sli": (
                "min by (service, slo) (1 - (1 - slo:error_budget_remaining:ratio)"
                " * on(service, slo) group_left() slo:error_budget:ratio)"
            ),
            f"{OVERVIEW} overview budget_left": "min by (service, slo) (slo:error_budget_remaining:ratio)",
            f"{OVERVIEW} overview burn_1h": "max by (service, slo) (slo:burn_rate:ratio_rate1h)",
            f"{OVERVIEW} overview burn_6h": "max by (service, slo) (slo:burn_rate:ratio_rate6h)",
            f"{OVERVIEW} overview burn_1d": "max by (service, slo) (slo:burn_rate:ratio_rate1d)",
            f"{OVERVIEW} overview burn_3d": "max by (service, slo) (slo:burn_rate:ratio_rate3d)",
            f"{OVERVIEW} overview firing": (
                'count by (service, slo) (ALERTS{alertstate="firing", slo!=""})'
                " or 0 * group by (service, slo) (slo:objective:ratio)"
            ),
            f"{OVERVIEW} overview status": _status("page", "ticket"),
            f"{OVERVIEW} overview columns": [
                "objective",
                "sli",
                "budget_left",
                "burn_1h",
                "burn_6h",
                "burn_1d",
                "burn_3d",
                "firing",
                "status",
            ],
            # 28d: the 1h pair pages at 2% of the budget in 1h = 13.44x; the 3d pair tickets at 10% in 3d =
            # 0.1 x 28 / 3 = 0.933x, under 1x: no orange step.
            f"{OVERVIEW} overview thresholds burn 1h": [(None, "green"), (1.0, "orange"), (13.44, "red")],
            f"{OVERVIEW} overview thresholds burn 3d": [(None, "green"), (0.9333333333333333, "red")],
            f"{OVERVIEW} overview thresholds budget left": [(None, "red"), (0.0, "orange"), (0.25, "green")],
        },
    ),
    Case(
        "burn-down-of-time-slices-over-7d-custom-page-severity",
        """
        metadata: {name: ts, service: t}
        spec:
          description: d
          objective: 99
          window: 7d
          indicator:
            threshold:
              slice: 1m
              operator: "<="
              value: 300
              prometheus:
                gauge: max(queue_age_seconds{queue="q"})
          alerting:
            page: {severity: sev1}
            ticket: {enabled: false}
        """,
        {
            f"{SERVICE} panel ts: error budget burn-down over 7d A": (
                '1 - sum_over_time((slo:sli_error:ratio_rate1h{slo="ts"} * slo:sli_events:count1h{slo="ts"}'
                ' and on() (vector(time()) > scalar(timestamp(slo:objective:ratio{slo="ts"} @ end())) - 604800))'
                '[7d:1h]) / (slo:sli_events:count7d{slo="ts"} @ end() * 0.01 > 0)'
            ),
            f"{SERVICE} panel ts: error budget burn-down over 7d B": (
                '(timestamp(slo:objective:ratio{slo="ts"} @ end()) - time()) / 604800'
            ),
            f"{SERVICE} timeFrom ts: error budget burn-down over 7d": "7d",
            f"{OVERVIEW} overview status": _status("sev1", None),
            f"{OVERVIEW} overview columns": [
                "objective",
                "sli",
                "budget_left",
                "burn_1h",
                "burn_6h",
                "firing",
                "status",
            ],
            # 7d: 2% in 1h = 3.36x, 5% in 6h = 1.4x.
            f"{OVERVIEW} overview thresholds burn 1h": [(None, "green"), (1.0, "orange"), (3.36, "red")],
            f"{OVERVIEW} overview thresholds burn 6h": [(None, "green"), (1.0, "orange"), (1.4, "red")],
        },
    ),
    Case(
        "service-name-too-long-for-a-grafana-uid",
        """
        metadata: {name: a, service: abcdefghij-abcdefghij-abcdefghij-abcdefg}
        spec:
          description: d
          objective: 99.9
        """
        + RATIO,
        {
            "error": Contains(
                "metadata.service: the Grafana dashboard uid 'slo-abcdefghij-abcdefghij-abcdefghij-abcdefg' is 44 "
                "characters and Grafana accepts at most 40; use a service name of at most 36 characters"
            )
        },
    ),
    Case(
        "service-named-like-the-overview",
        """
        metadata: {name: a, service: slo-overview}
        spec:
          description: d
          objective: 99.9
        """
        + RATIO,
        {"error": Contains("metadata.service: 'slo-overview' would overwrite the SLO overview")},
    ),
    Case(
        "error-ratio-source-shows-its-ratio",
        # No event counts: the events panel shows the recorded 5m ratio itself.
        """
        metadata: {name: er, service: t}
        spec:
          description: d
          objective: 99
          indicator:
            ratio:
              prometheus:
                errorRatio: sum(rate(err_total[{{.window}}])) / sum(rate(req_total[{{.window}}]))
        """,
        {
            f"{SERVICE} panel er: error ratio (5m) A": 'slo:sli_bad:rate5m{slo="er"}',
            f"{SERVICE} panel er: SLI vs objective 99% A": '1 - slo:sli_error:ratio_rate1h{slo="er"}',
        },
    ),
]


def _panel(board: dict[str, Any], title: str) -> dict[str, Any]:
    [panel] = [p for p in board["panels"] if p.get("title") == title]
    return panel


def _overview_table(board: dict[str, Any]) -> dict[str, Any]:
    [panel] = [p for p in board["panels"] if p["type"] == "table"]
    return panel


def _column_steps(table: dict[str, Any], column: str) -> list[tuple[float | None, str]]:
    [override] = [o for o in table["fieldConfig"]["overrides"] if o["matcher"] == {"id": "byName", "options": column}]
    [steps] = [p["value"]["steps"] for p in override["properties"] if p["id"] == "thresholds"]
    return [(s["value"], s["color"]) for s in steps]


def locate(result: Generated, key: str) -> Any:
    if key == "error":
        assert result.exit_code == 2, result.output
        return result.output
    path, kind, rest = key.split(" ", 2)
    board = result.json(path)
    if kind == "panel":
        title, _, ref = rest.rpartition(" ")
        [target] = [t for t in _panel(board, title)["targets"] if t["refId"] == ref]
        return target["expr"]
    if kind == "timeFrom":
        return _panel(board, rest)["timeFrom"]
    table = _overview_table(board)
    if rest == "columns":
        return [t["refId"] for t in table["targets"]]
    if rest.startswith("thresholds "):
        return _column_steps(table, rest.removeprefix("thresholds "))
    [target] = [t for t in table["targets"] if t["refId"] == rest]
    return target["expr"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    return generate_table(tmp_path_factory.mktemp("grafana-table"), CASES)


@pytest.mark.parametrize("case", params(CASES))
def test_grafana_panels(case: Case, generated: dict[str, Generated]) -> None:
    result = generated[case.id]
    actual = {key: locate(result, key) for key in case.expect}
    assert actual == case.expect
    if "error" in case.expect:
        assert not (result.out / "dashboards").exists()  # nothing written


def test_error_ratio_panels_say_their_numbers_are_approximate(generated: dict[str, Generated]) -> None:
    board = generated["error-ratio-source-shows-its-ratio"].json(SERVICE)
    titles = ["er: error ratio (5m)", "er: SLI vs objective 99%", "er: error budget burn-down over 30d"]
    for title in titles:
        assert "approximate: average of ratios" in _panel(board, title).get("description", ""), title
    other = generated["burn-down-over-a-28d-window"].json(SERVICE)
    assert "approximate" not in _panel(other, "a: error budget burn-down over 28d")["description"]
