"""The runbook environment's key-first lookup reads what the stock lookup reads, strictly."""

from __future__ import annotations

import jinja2
import pytest

from sre_cli.runbooks import render


@pytest.mark.parametrize(
    "source,context",
    [
        ("{{ a.b }}|{{ a.c.d }}", {"a": {"b": "x", "c": {"d": 1}}}),
        ("{{ a.upper() }}|{{ a | length }}", {"a": "text"}),  # attributes of other objects
        ("{% for w in ws %}{{ w.long }}{% endfor %}", {"ws": [{"long": "1h"}, {"long": "6h"}]}),
        ("{{ a.b }}{{ a['b'] }}{{ a.items() | list | length }}", {"a": {"b": 2}}),  # methods still reachable
    ],
)
def test_lookups_read_as_the_stock_environment_reads_them(source: str, context: dict[str, object]) -> None:
    stock = jinja2.Environment(undefined=jinja2.StrictUndefined)
    ours = render.environment()
    assert ours.from_string(source).render(**context) == stock.from_string(source).render(**context)


def test_a_missing_key_is_still_an_error() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render.environment().from_string("{{ a.missing }}").render(a={"b": 1})
