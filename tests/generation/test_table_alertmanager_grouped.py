"""A grouped SLO's page quiets the ticket of its own group only (locators: test_table_alertmanager)."""

from __future__ import annotations

import pytest

from tests.generation.test_table_alertmanager import CONFIG, locate
from tests.support.spec_table import Case, Generated, generate_table, params

GROUPED_AND_PLAIN = """
metadata: {name: g, service: t}
spec:
  description: d
  objective: 99.9
  indicator:
    groupBy: [handler]
    ratio:
      prometheus:
        good: ok_total
        total: all_total
---
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: p, service: t}
spec:
  description: d
  objective: 99.9
  indicator:
    ratio:
      prometheus:
        good: ok_total
        total: all_total
"""

CASES = [
    Case(
        "grouped-inhibits-per-group",
        GROUPED_AND_PLAIN,
        {
            "inhibits slo=g,handler=/a,severity=page / slo=g,handler=/a,severity=ticket": True,
            "inhibits slo=g,handler=/a,severity=page / slo=g,handler=/b,severity=ticket": False,
            # The metrics-absent ticket has no handler: a page of one handler does not quiet it.
            "inhibits slo=g,handler=/a,severity=page / slo=g,severity=ticket": False,
            # Ungrouped SLOs: no handler on either alert, as before.
            "inhibits slo=p,severity=page / slo=p,severity=ticket": True,
            "inhibits slo=p,severity=page / slo=g,handler=/a,severity=ticket": False,
        },
    ),
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    return generate_table(tmp_path_factory.mktemp("am-grouped"), CASES)


@pytest.mark.parametrize("case", params(CASES))
def test_grouped_inhibition(case: Case, generated: dict[str, Generated]) -> None:
    config = generated[case.id].yaml(CONFIG)
    assert {key: locate(config, key) for key in case.expect} == case.expect
    assert [rule["equal"] for rule in config["inhibit_rules"]] == [["slo", "handler"]]
